// RISC-V's extension of hv's port: what only this architecture asks of the
// machine (its hypervisor CSRs, the H extension's fences, the supervisor
// timer and remote fences, which on real hardware go through the SBI
// firmware below hv). The generic hv::Port (hv/port.h) keeps memory,
// devices, IPIs, the vCPU life cycle, the console and marks. hv is
// constructed with this port (arch::ArchPort), so arch code reaches these
// entries without a cast; core sees only hv::Port.
//
// Port::send_ipi's second argument is hv's message number on RISC-V (there
// are no SGIs): the target raises a supervisor software interrupt.
#pragma once

#include <cstdint>

#include "hv/port.h"

namespace hv::riscv64 {

// Hypervisor CSRs hv owns in HS mode. The simulator keeps them per hart
// (hgatp feeds its software TLB, hvip its interrupt logic); the target maps
// each to a csrr/csrw.
enum class Csr : std::uint8_t {
    hgatp,      // G-stage root, VMID and mode (Sv39x4) of the VM on this hart
    hstatus,    // SPV, VTW (WFI traps), VSXL
    hedeleg,    // the guest's own exceptions, delegated to VS mode
    hideleg,    // VS interrupts delegated to VS mode
    hvip,       // virtual interrupts pending for VS mode (VSSIP, VSTIP, VSEIP)
    hcounteren, // counters the guest may read (time)
    htimedelta, // guest time = time + htimedelta
    Count
};

class RvPort : public Port {
  public:
    // Hypervisor CSRs of the current hart.
    virtual std::uint64_t csr_read(Csr csr) = 0;
    virtual void csr_write(Csr csr, std::uint64_t value) = 0;

    // G-stage TLB maintenance on every hart: HFENCE.GVMA for a VMID, and for
    // one guest-physical page of it. The simulator flushes its software TLB.
    virtual void hfence_gvma(std::uint16_t vmid) = 0;
    virtual void hfence_gvma_gpa(std::uint16_t vmid, std::uint64_t gpa) = 0;
    // A guest's remote fences (SBI RFENCE), on the physical harts of `cpus`:
    // HFENCE.VVMA of [va, va + size) in `vmid` (size ~0: the whole space),
    // and FENCE.I. The target asks its SBI firmware; the simulator flushes.
    virtual void hfence_vvma(std::uint64_t cpus, std::uint16_t vmid, std::uint64_t va,
                             std::uint64_t size) = 0;
    virtual void fence_i(std::uint64_t cpus) = 0;

    // The current hart's supervisor timer: a supervisor timer interrupt when
    // `time` reaches `stime` (~0: never). The target asks its SBI firmware
    // (SBI TIME); the simulator programs its timer model.
    virtual void set_timer(std::uint64_t stime) = 0;

    // The 16 or 32 bits of guest instruction at guest virtual address `va`
    // (HLVX.HU on hardware), for an emulated access whose trap gave no
    // transformed instruction (htinst 0). False if it cannot be read.
    virtual bool guest_insn(std::uint64_t va, std::uint32_t& insn) = 0;

  protected:
    RvPort() = default;
    ~RvPort() = default;
    RvPort(const RvPort&) = default;
    RvPort& operator=(const RvPort&) = default;
};

} // namespace hv::riscv64
