// Runs bao-sim's command line in-process, as a user types it, for the tests
// of its exit codes, messages and output.
#pragma once

#include "sim/cli.h"

#include "guest_files.h"

#include <sstream>
#include <string>
#include <vector>

namespace sim::test {

struct CliResult {
    int code;
    std::string out, err;
};

// `args` as after the program name; --workloads-dir (the built guests) is added.
inline CliResult run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "bao-sim");
    args.push_back("--workloads-dir=" + workloads_dir());
    std::vector<const char*> argv;
    for (auto& a : args)
        argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = cli_main(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

} // namespace sim::test
