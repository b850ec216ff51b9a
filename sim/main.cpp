#include "sim/cli.h"

#include <iostream>

int main(int argc, char** argv) { return sim::cli_main(argc, argv, std::cout, std::cerr); }
