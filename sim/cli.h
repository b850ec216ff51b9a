// bao-sim's command line. cli_main is main() with its streams passed in, so
// tests can run the whole program in-process and check what it prints.
#pragma once

#include <ostream>

namespace sim {

int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace sim
