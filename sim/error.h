// Errors and exit codes of bao-sim (host side; hv/ never throws).
#pragma once

#include <stdexcept>
#include <string>

namespace sim {

// Process exit codes, documented in --help and docs/cli.md.
enum class ExitCode : int {
    ok = 0,       // the measured guest powered off (PSCI SYSTEM_OFF)
    internal = 1, // a bug or host failure inside bao-sim
    config = 2,   // bad command line, config, preset or guest image
    guest_fault =
        3, // a measured VM (native: the guest) was stopped by a fault it could not take itself
    insn_limit = 4,    // --max-insns reached before the guest powered off
    time_limit = 4,    // --max-seconds of simulated time reached: a run limit too, same code
    idle_deadlock = 5, // every core idle with no event pending: nothing can wake them
};

// Bad user input (command line, config, image). Its message names the problem.
class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

} // namespace sim
