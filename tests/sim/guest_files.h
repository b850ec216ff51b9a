// Helpers for tests: temporary files holding hand-assembled raw guests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace sim::test {

// Writes `words` (AArch64 instructions) to a fresh temporary file; returns its path.
inline std::string write_raw_guest(const std::string& name, const std::vector<uint32_t>& words) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / (name + "-" + std::to_string(::getpid()) + ".bin");
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(words.data()),
            static_cast<std::streamsize>(words.size() * sizeof(uint32_t)));
    return path.string();
}

inline std::string workloads_dir() {
    return BAO_WORKLOADS_DIR;
}

// The RISC-V platform, and whether its guest `name` was built (the riscv64
// cross compiler is optional: tests skip without it).
inline constexpr const char* kRiscv = "qemu-riscv64-virt";
inline bool rv64_built(const std::string& name) {
    return std::filesystem::exists(workloads_dir() + "/riscv64/" + name + ".elf");
}

// The lines the hello guest prints natively on `cores` cores ("[coreN] hello
// from core N") that `out` lacks: empty when every one is there.
inline std::string missing_hello_lines(const std::string& out, unsigned cores) {
    std::string missing;
    for (unsigned i = 0; i < cores; ++i) {
        const std::string line =
            "[core" + std::to_string(i) + "] hello from core " + std::to_string(i) + "\n";
        if (out.find(line) == std::string::npos)
            missing += line;
    }
    return missing;
}

// Encodings used by the tests.
inline constexpr uint32_t insn_udf0 = 0x00000000;        // udf #0
inline constexpr uint32_t insn_branch_self = 0x14000000; // b .
inline constexpr uint32_t insn_wfi = 0xd503207f;
inline constexpr uint32_t insn_branch_back1 = 0x17ffffff; // b .-4
inline constexpr uint32_t insn_movz_x1_0x1000 = 0xd2820001;
inline constexpr uint32_t insn_ldr_x2_x1 = 0xf9400022;
inline constexpr uint32_t insn_str_x2_x1 = 0xf9000022;

} // namespace sim::test
