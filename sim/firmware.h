// The platform firmware of native mode (no hypervisor): PSCI over HVC or SMC
// as QEMU virt provides it, plus bao-sim's own hypercalls (mark, sample,
// param: docs/design.md#measured-region) with hv's ids and error codes. On
// RISC-V the same services answer SBI calls (firmware_sbi.cpp, docs/riscv.md).
#pragma once

#include "hv/abi/hypercall.h"
#include "hv/arch/armv8/psci.h"
#include "sim/machine.h"

#include <cstdint>
#include <vector>

namespace sim {

// PSCI function ids and return codes: hv's, so both answer with the same numbers.
namespace psci = hv::armv8::psci;

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
    void checkpoint(Archive& a) override;

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

    // Calls are PSCI and bao-sim's own; a wait idles; a trapped system
    // instruction is skipped; an abort is not the firmware's to handle.
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override { return (1ull << 31) | core; }

    // The mark call from `core`: false for a value other than 0 or 1.
    bool mark(unsigned core, uint64_t value);
    MarkerPage& marker_page() { return marker_page_; }

    const std::vector<MarkRecord>& marks() const { return marks_; }
    const std::vector<uint64_t>& samples() const { return samples_; }
    // Checkpoints (sim/checkpoint.h): marks, samples and the marker page.
    void checkpoint(Archive& a);

  private:
    cpu::TrapAction call(unsigned core);
    // firmware_sbi.cpp: an ECALL from a RISC-V guest's S-mode (SBI).
    cpu::TrapAction sbi_call(unsigned core);
    struct SbiResult {
        int64_t error;
        uint64_t value;
    };
    SbiResult sbi_hsm(unsigned core, uint64_t fid);
    SbiResult sbi_ipi(unsigned core, uint64_t mask, uint64_t base);
    // bao-sim's hypercall `id` (hv::hc) with argument x1: what x0 returns.
    int64_t hypercall(unsigned core, uint32_t id, uint64_t x1);
    int64_t cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context);

    Machine& machine_;
    std::vector<MarkRecord> marks_;
    std::vector<uint64_t> samples_;
    std::vector<uint64_t> params_;
    MarkerPage marker_page_;
};

} // namespace sim
