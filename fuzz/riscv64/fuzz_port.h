// The RISC-V fuzz target's port: the RISC-V tests' FakeRvPort (sparse host
// memory, per-hart CSRs, the physical PLIC's registers as plain words,
// recorded fences, timers and IPIs) plus what the harness needs: the claim
// register of each hart's S context returns the source the input chose, the
// guest's instruction bits at a trapped access are the input's, pages hv
// wrote itself (its page tables) are remembered, and vCPUs power on as the
// simulator does: Port::cpu_on runs Hypervisor::cpu_init on the started hart.
// Compiled with BAO_HV_ARCH_RISCV64 (hv::Hypervisor is RISC-V's).
#pragma once

#include <cstdint>
#include <vector>

#include "fuzz/hv_writes.h"
#include "hv/arch/riscv64/vplic_state.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/riscv64/fake_port_riscv64.h"

namespace hvfuzz::rv {

class FuzzRvPort final : public RecordsHvWrites<hvtest::FakeRvPort> {
  public:
    hv::Hypervisor* hv = nullptr;
    std::uint64_t plic = 0;              // the physical PLIC's base
    std::uint32_t claim[hv::kMaxCpus]{}; // what each hart's next S-context claim returns
    std::uint32_t insn = 0;              // the guest's instruction at any trapped PC
    bool insn_readable = true;           // guest_insn succeeds

    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override;
    bool guest_insn(std::uint64_t va, std::uint32_t& bits) override {
        (void)va;
        bits = insn;
        return insn_readable;
    }
    void cpu_on(std::uint32_t cpu) override;

    // The hart and register offset of an S- or M-context register at `pa`
    // (threshold 0, claim 4), false outside the context window.
    bool context_reg(std::uint64_t pa, std::uint32_t& context, std::uint32_t& off) const;
};

} // namespace hvfuzz::rv
