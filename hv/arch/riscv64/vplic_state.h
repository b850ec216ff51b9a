// The virtual PLIC's state, plain data inside the hypervisor context
// (docs/design.md#hv-context): per VM (its sources' priorities, pending and
// claimed bits, and each of its harts' S-mode enables and threshold), per
// vCPU (what another hart asked this one to do at its next hv IPI) and
// global (which VM owns each physical source). Each record has a PA in hv's
// memory (`pa`) so the hot paths can report what they touch through
// Port::account (docs/design.md#hv-cost).
#pragma once

#include <cstdint>

#include "hv/core/config.h"

namespace hv::riscv64 {

// The PLIC's register map (the RISC-V PLIC specification, as on QEMU virt):
// priorities, then pending bits, then per-context enables, then per-context
// threshold and claim/complete. Two contexts per hart: M mode (2h) and
// S mode (2h + 1); a VM's harts see the same numbering for their virtual ids.
namespace plic {
inline constexpr std::uint32_t kMaxSources = 1024; // source 0 does not exist
inline constexpr std::uint32_t kWords = kMaxSources / 32;
inline constexpr std::uint64_t kPriority = 0x0;
inline constexpr std::uint64_t kPending = 0x1000;
inline constexpr std::uint64_t kEnable = 0x2000;
inline constexpr std::uint64_t kEnableStride = 0x80;
inline constexpr std::uint64_t kContext = 0x20'0000;
inline constexpr std::uint64_t kContextStride = 0x1000;
inline constexpr std::uint64_t kThreshold = 0x0;
inline constexpr std::uint64_t kClaim = 0x4;
inline constexpr std::uint64_t kSize = 0x400'0000;
inline constexpr std::uint32_t kPrioMask = 0x7; // QEMU virt: priorities 0-7
constexpr std::uint32_t s_context(std::uint32_t hart) {
    return 2 * hart + 1;
}
} // namespace plic

// Where a vCPU's VplicCpu lives inside its context page (after VcpuRegs).
inline constexpr std::uint64_t kVplicCpuCtxOffset = 0x200;

struct VplicCpu {
    std::uint64_t pa = 0; // PA of this record (in the vCPU's context page)
    // Set by another hart before hv's IPI (Port::send_ipi): raise VSSIP (an
    // SBI IPI), recompute VSEIP (its vPLIC context changed).
    std::uint32_t want_ssip = 0;
    std::uint32_t want_resync = 0;
    // Statistics.
    std::uint64_t ipis = 0;       // hv IPIs taken
    std::uint64_t timer_irqs = 0; // supervisor timer interrupts turned into VSTIP
    std::uint64_t ext_raised = 0; // VSEIP raised (rising edge on this hart)
    std::uint64_t sbi_ipis = 0;   // VSSIP raised for an SBI IPI
};

struct Vplic {
    std::uint64_t pa = 0;   // PA of this record (one page of hv's memory)
    std::uint32_t lock = 0; // harts of the VM emulate it concurrently
    // Bit i of word n = source 32n + i.
    std::uint32_t owned[plic::kWords]{};   // the VM may see and claim it
    std::uint32_t hw[plic::kWords]{};      // backed by the physical source of the same ID
    std::uint32_t pending[plic::kWords]{}; // raised, not claimed
    std::uint32_t active[plic::kWords]{};  // claimed, not completed
    // Per virtual hart n: its S-mode context's enables and threshold.
    std::uint32_t enabled[kMaxCpus][plic::kWords]{};
    std::uint32_t threshold[kMaxCpus]{};
    std::uint8_t prio[plic::kMaxSources]{};
    // The physical hart whose S context a hardware source is enabled in
    // (the VM's vCPU 0), where its completion goes.
    std::uint32_t hw_hart = 0;
    // Statistics.
    std::uint64_t traps = 0;   // register accesses emulated
    std::uint64_t ignored = 0; // foreign sources, M-mode or absent contexts, bad sizes
    std::uint64_t injected = 0;
    std::uint64_t claims = 0;
};

struct VplicGlobal {
    std::uint64_t pa = 0;                    // PA of this record (one page of hv's memory)
    std::uint8_t owner[plic::kMaxSources]{}; // VM index + 1 of a pass-through source
    std::uint32_t plic_ready = 0;            // physical sources programmed (a word: atomics)
    std::uint64_t spurious = 0;
    std::uint64_t unowned = 0;
};

} // namespace hv::riscv64
