#include "experiments/reproduce.h"
#include "sim/cli.h"

#include <iostream>
#include <string>

// The simulator's command line, and `bao-sim reproduce`, the experiments
// built on it (experiments/): the library sim does not know about them.
int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "reproduce")
        return repro::reproduce_main(argc - 1, argv + 1, std::cout, std::cerr);
    if (argc > 1 && std::string(argv[1]) == "calibrate")
        return repro::calibrate_main(argc - 1, argv + 1, std::cout, std::cerr);
    return sim::cli_main(argc, argv, std::cout, std::cerr);
}
