// What the tests that run one bare Arm64Core need around it: an exit handler
// that resumes every exit and knows no system register, and page-aligned host
// memory for the core's RAM (Unicorn maps host pages).
#pragma once

#include "sim/cpu/arm64_core.h"

#include <cstdint>
#include <cstdlib>
#include <optional>

namespace sim::test {

class NoExits final : public cpu::ExitHandler {
  public:
    cpu::TrapAction on_exit(cpu::Core&, cpu::Exit&) override { return cpu::TrapAction::resume; }
    std::optional<uint64_t> read_sysreg(cpu::Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(cpu::Core&, uint32_t, uint64_t) override { return false; }
};

struct HostPages {
    explicit HostPages(uint64_t size)
        : p(static_cast<uint8_t*>(std::aligned_alloc(0x1000, size))) {}
    HostPages(const HostPages&) = delete;
    HostPages& operator=(const HostPages&) = delete;
    ~HostPages() { std::free(p); }
    uint8_t* p;
};

} // namespace sim::test
