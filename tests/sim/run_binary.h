// Runs the built bao-sim binary as a subprocess (BAO_SIM_BINARY, set by CMake)
// for tests of whole commands such as calibrate, with scratch directories
// named per test process so parallel ctest runs do not collide.
#pragma once

#include "scratch.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace sim::test {

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// Runs `BAO_SIM_BINARY args`; returns its exit status, its output in `log`
// (kept in `out`.log).
inline int run_bao_sim(const std::string& args, const std::filesystem::path& out,
                       std::string& log) {
    const std::string log_file = out.string() + ".log";
    const int rc = std::system(
        (std::string(BAO_SIM_BINARY) + " " + args + " > '" + log_file + "' 2>&1").c_str());
    log = slurp(log_file);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace sim::test
