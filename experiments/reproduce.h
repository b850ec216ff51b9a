// `bao-sim reproduce`: the paper's evaluation in one command (library
// bao_experiments, on the simulator's public API only). Runs every
// simulation of the evaluation as its own bao-sim process on a pool of worker
// threads, then writes tables (CSV), results.json, plots and report.md.
// docs/reproduce.md describes the runs, the files and the rules.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace repro {

// argv starts at "reproduce".
int reproduce_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// `bao-sim calibrate` (experiments/calibrate.cpp): the calibration set's
// figures against the published ones. argv starts at "calibrate".
int calibrate_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// A minimal JSON document model, enough to read bao-sim's stats files and
// reproduce's results.json (also used by the test).
struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool b = false;
    double n = 0;
    std::string s;
    std::vector<JsonValue> a;
    std::vector<std::pair<std::string, JsonValue>> o; // in file order

    // Member `key` of an object (nullptr if absent or not an object).
    const JsonValue* get(const std::string& key) const;
    // Dotted path ("workload.runtime_cycles"); nullptr if any step is missing.
    const JsonValue* at(const std::string& dotted) const;
    // Number at a dotted path, if present and numeric (booleans count as 0/1).
    std::optional<double> num(const std::string& dotted) const;
    bool is_number() const { return kind == Kind::number; }
};

// Throws std::runtime_error naming the offset on malformed input.
JsonValue parse_json(const std::string& text);

// Source lines of a file: non-blank lines that are not only comment (// and
// /* */ comments; string literals are not special-cased).
unsigned count_sloc(const std::string& text);

} // namespace repro
