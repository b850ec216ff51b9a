// Helpers for the tests that boot Debian's arm64 kernel (docs/linux.md):
// whether the kernel cache and the initramfs are there, else the test is
// skipped with what is missing and how to get it.
#pragma once

#include "sim/linux_vm.h"
#include "sim/presets.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "linux_bootargs.h"
#include "scratch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace sim::test {

// True when the kernel (scripts/linux/fetch-kernel.sh) and qsort-small's
// initramfs (the linux_initramfs target) exist; else `why` says which is missing.
inline bool have_linux(std::string& why) {
    for (const char* p : {"cache:Image", "build:linux/initramfs-qsort-small.cpio.gz"}) {
        const std::string path = resolve_linux_path(p, workloads_dir());
        if (!std::filesystem::exists(path)) {
            why = path + " is missing (scripts/linux/fetch-kernel.sh, the linux_initramfs target)";
            return false;
        }
    }
    return true;
}

// A run of Linux preset `config` with the suite's guests, ended at
// `max_insns` if the VM never powers off (a boot is about a billion).
inline RunOptions linux_run(const std::string& config, uint64_t max_insns = 3'000'000'000) {
    RunOptions o;
    o.config = config;
    o.workloads_dir = workloads_dir();
    o.max_insns = max_insns;
    return o;
}

// `text` (a Linux config) with kNoCryptoSelfTests added to its bootargs.
inline std::string without_crypto_self_tests(const std::string& text) {
    const std::optional<std::string> edited = with_bootargs_added(text, kNoCryptoSelfTests);
    EXPECT_TRUE(edited.has_value()) << "no bootargs line:\n" << text;
    return edited.value_or(text);
}

// linux_run of Linux preset `preset` without the crypto self-tests: its
// config written to `file`.
inline RunOptions linux_run_without_crypto_tests(const std::string& preset, const ScratchFile& file,
                                                 uint64_t max_insns = 3'000'000'000) {
    std::ofstream(file.str()) << without_crypto_self_tests(preset_text(preset).value());
    return linux_run(file.str(), max_insns);
}

} // namespace sim::test

// Skips the test (GTEST_SKIP returns from it) when have_linux is false.
#define REQUIRE_LINUX()                                                                            \
    do {                                                                                           \
        std::string why_;                                                                          \
        if (!::sim::test::have_linux(why_))                                                        \
            GTEST_SKIP() << why_;                                                                  \
    } while (0)
