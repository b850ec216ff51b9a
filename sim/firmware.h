// The platform firmware of native mode (no hypervisor): PSCI over HVC or SMC
// as QEMU virt provides it, plus bao-sim's own "mark" call (decision 7).
#pragma once

#include "sim/machine.h"

#include <cstdint>
#include <vector>

namespace sim {

namespace psci {
inline constexpr uint32_t version = 0x84000000;
inline constexpr uint32_t cpu_suspend = 0xc4000001;
inline constexpr uint32_t cpu_off = 0x84000002;
inline constexpr uint32_t cpu_on_32 = 0x84000003;
inline constexpr uint32_t cpu_on_64 = 0xc4000003;
inline constexpr uint32_t affinity_info_32 = 0x84000004;
inline constexpr uint32_t affinity_info_64 = 0xc4000004;
inline constexpr uint32_t system_off = 0x84000008;
inline constexpr uint32_t features = 0x8400000a;
inline constexpr int64_t success = 0, not_supported = -1, invalid_parameters = -2,
                         already_on = -4;
} // namespace psci

// bao-sim's hypercall for marking the measured region: x0 = 0x86000010, x1 = 0 start, 1 end.
inline constexpr uint64_t hypercall_mark = 0x86000010;
// ... and for reporting one measured value (irqlat's latency in timer ticks): x1 = value.
inline constexpr uint64_t hypercall_sample = 0x86000011;
// ... and for reading a run parameter: x1 = index -> value (0 or negative when unset).
inline constexpr uint64_t hypercall_param = 0x86000012;

struct MarkRecord {
    unsigned core;
    bool end;
    uint64_t cycle;
};

class NativeFirmware : public Supervisor {
  public:
    NativeFirmware(Machine& machine, std::vector<uint64_t> params = {})
        : machine_(machine), params_(std::move(params)) {}

    cpu::TrapAction on_trap(unsigned core, const cpu::Syndrome& syndrome) override;
    uint64_t mpidr(unsigned core) override { return (1ull << 31) | core; }

    const std::vector<MarkRecord>& marks() const { return marks_; }
    const std::vector<uint64_t>& samples() const { return samples_; }

  private:
    int64_t cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context);

    Machine& machine_;
    std::vector<MarkRecord> marks_;
    std::vector<uint64_t> samples_;
    std::vector<uint64_t> params_;
};

} // namespace sim
