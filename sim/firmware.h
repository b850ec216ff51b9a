// The platform firmware of native mode (no hypervisor): PSCI over HVC or SMC
// as QEMU virt provides it, plus bao-sim's own "mark" call (decision 7).
#pragma once

#include "hv/arch/armv8/psci.h"
#include "sim/machine.h"

#include <cstdint>
#include <vector>

namespace sim {

// PSCI function ids and return codes: hv's, so both answer with the same numbers.
namespace psci = hv::armv8::psci;

// bao-sim's hypercall for marking the measured region: x0 = 0x86000010, x1 = 0 start, 1 end.
inline constexpr uint64_t hypercall_mark = 0x86000010;
// ... and for reporting one measured value (irqlat's latency in timer ticks): x1 = value.
inline constexpr uint64_t hypercall_sample = 0x86000011;
// ... and for reading a run parameter: x1 = index -> value (0 or negative when unset).
inline constexpr uint64_t hypercall_param = 0x86000012;

// The marker page (VmConfig::marker) as native mode's firmware provides it: a
// 32-bit store of 0 (start) or 1 (end) at offset 0 is the mark call, as hv
// makes of the same store in a VM (hv/core/hypercall.h: marker_access).
class NativeFirmware;
class MarkerPage : public MmioDevice {
  public:
    explicit MarkerPage(NativeFirmware& firmware) : firmware_(firmware) {}
    uint64_t read(unsigned, uint64_t, unsigned) override { return 0; }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;
    uint64_t ignored() const { return ignored_; }

  private:
    NativeFirmware& firmware_;
    uint64_t ignored_ = 0; // accesses that were not a mark
};

struct MarkRecord {
    unsigned core;
    bool end;
    uint64_t cycle;
};

class NativeFirmware : public Supervisor {
  public:
    NativeFirmware(Machine& machine, std::vector<uint64_t> params = {})
        : machine_(machine), params_(std::move(params)), marker_page_(*this) {}

    cpu::TrapAction on_trap(unsigned core, const cpu::Syndrome& syndrome) override;
    uint64_t mpidr(unsigned core) override { return (1ull << 31) | core; }

    // The mark call from `core`: false for a value other than 0 or 1.
    bool mark(unsigned core, uint64_t value);
    MarkerPage& marker_page() { return marker_page_; }

    const std::vector<MarkRecord>& marks() const { return marks_; }
    const std::vector<uint64_t>& samples() const { return samples_; }

  private:
    int64_t cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context);

    Machine& machine_;
    std::vector<MarkRecord> marks_;
    std::vector<uint64_t> samples_;
    std::vector<uint64_t> params_;
    MarkerPage marker_page_;
};

} // namespace sim
