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

#include "hv/arch/riscv64/vplic_state.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/riscv64/fake_port_riscv64.h"

namespace hvfuzz::rv {

class FuzzRvPort final : public hvtest::FakeRvPort {
  public:
    hv::Hypervisor* hv = nullptr;
    std::uint64_t plic = 0;              // the physical PLIC's base
    std::uint32_t claim[hv::kMaxCpus]{}; // what each hart's next S-context claim returns
    std::uint32_t insn = 0;              // the guest's instruction at any trapped PC
    bool insn_readable = true;           // guest_insn succeeds
    std::vector<std::uint64_t> hv_written_pages;
    std::uint64_t writes = 0; // generation: any change of physical memory

    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override {
        if (!in_copy_) {
            note_hv_write(pa, len);
        }
        FakeRvPort::mem_write(pa, src, len);
    }
    void mem_zero(std::uint64_t pa, std::size_t len) override {
        note_hv_write(pa, len);
        FakeRvPort::mem_zero(pa, len);
    }
    void mem_copy(std::uint64_t dst, std::uint64_t src, std::size_t len) override {
        ++writes;
        in_copy_ = true;
        FakeRvPort::mem_copy(dst, src, len);
        in_copy_ = false;
    }
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

  private:
    void note_hv_write(std::uint64_t pa, std::size_t len) {
        ++writes;
        for (std::uint64_t p = pa >> 12; p <= (pa + len - 1) >> 12; ++p) {
            if (hv_written_pages.empty() || hv_written_pages.back() != p) {
                hv_written_pages.push_back(p);
            }
        }
    }
    bool in_copy_ = false;
};

} // namespace hvfuzz::rv
