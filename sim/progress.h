// The progress line (docs/observability.md): simulated time, instructions,
// MIPS and each VM's state on stderr while a run goes on. On a terminal one
// line is redrawn in place (and cleared before guest console output); when
// forced onto something else (--progress), one line per update. Driven by
// the machine's quantum observer; it reads the host clock only every few
// hundred quanta and changes nothing the run computes.
#pragma once

#include "sim/log.h"
#include "sim/simulation.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>

namespace sim {

struct ProgressOptions {
    bool in_place = true;          // a terminal: redraw one line with \r
    double delay_seconds = 2;      // host time before the first line (short runs print none)
    double interval_seconds = 0.5; // host time between lines
};

// --progress (on), --no-progress (off) or neither (automatic): automatic
// shows the line only on a terminal, and only when no logger is at info or
// more verbose (its lines would break the line). Returns how, or nothing.
enum class ProgressChoice { automatic, on, off };
std::optional<ProgressOptions> choose_progress(ProgressChoice choice, bool stderr_is_terminal,
                                               const LogLevels& levels);

class Progress {
  public:
    // Registers itself as `sim`'s quantum observer; both must outlive the run.
    Progress(Simulation& sim, std::ostream& out, const ProgressOptions& options);
    // After the run: the last state, ending the line (if any was drawn).
    void finish();

  private:
    void on_quantum();
    void draw();
    void clear();

    Simulation& sim_;
    std::ostream& out_;
    ProgressOptions options_;
    std::chrono::steady_clock::time_point start_;
    double next_draw_ = 0;
    uint64_t quanta_ = 0;
    bool shown_ = false; // a line is on the terminal now (in place)
    bool drawn_ = false; // any line was drawn
};

} // namespace sim
