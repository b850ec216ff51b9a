// The RISC-V isolation oracle: what must hold after every operation of a
// RISC-V fuzz input, whatever a guest did (docs/fuzzing.md). Checked against
// hv's state and the fuzz port's view of the machine: mappings are read back
// from the G-stage tables in memory with a walker written from the
// privileged spec's Sv39x4 format, not with hv's.
//
//   1. No VM but the caller's (the VM owning the hart the operation ran on)
//      stops or changes state: VM state, exit, hgatp, its vCPUs' states and
//      boot registers, its vPLIC's configuration (ownership, priorities,
//      each context's enables and threshold).
//   2. Port::cpu_on / cpu_stop / vm_stopped name only the caller's harts /
//      VM; remote fences (HFENCE.VVMA, FENCE.I) reach only the caller's
//      harts and VMID; HFENCE.GVMA names only the caller's VMID.
//   3-5. As on Armv8-A (fuzz/mappings.h): no page in two VMs but a shared
//      one, no VM maps hv's memory or its tables, normal memory is RAM, and
//      device mappings cover neither RAM nor the PLIC nor the console.
//   6. A vPLIC's pending, claimed and enabled sources are its VM's own, its
//      hardware-backed ones the VM's physical sources; every hart that has
//      been initialised runs its own VM's G-stage (hgatp).
//   7. Physical PLIC writes reach only the contexts of the caller's harts
//      (or the hart the operation ran on) and, for a source's priority or
//      enable, only the caller's sources, or disable a source whose owner
//      is not running.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fuzz/riscv64/fuzz_port.h"
#include "hv/arch/riscv64/vplic_state.h"
#include "hv/core/hypervisor.h"

namespace hvfuzz::rv {

class Oracle {
  public:
    Oracle(hv::Hypervisor& hv, FuzzRvPort& port) : hv_(hv), port_(port) {}

    // Before an operation on physical hart `cpu`: snapshots every VM.
    void before(std::uint32_t cpu);
    // After it: false, with `violation` set, if any property broke.
    bool after();
    // Properties 3-5 alone (after init, and whenever memory changed).
    bool check_mappings();

    const std::string& violation() const { return violation_; }

  private:
    struct VcpuSnap {
        hv::VcpuState state;
        hv::VcpuBoot boot;
    };
    struct VmSnap {
        hv::VmState state;
        hv::ExitKind exit;
        std::uint64_t hgatp;
        std::uint32_t owned[hv::riscv64::plic::kWords], hw[hv::riscv64::plic::kWords];
        std::uint32_t enabled[hv::kMaxCpus][hv::riscv64::plic::kWords];
        std::uint32_t threshold[hv::kMaxCpus];
        std::uint8_t prio[hv::riscv64::plic::kMaxSources];
        VcpuSnap vcpus[hv::kMaxCpus];
    };
    void snap(std::uint32_t vm, VmSnap& s) const;
    bool same_vm(std::uint32_t vm, const VmSnap& a, const VmSnap& b);
    bool notifications();
    bool fences();
    bool vplic_within_vms();
    bool physical_plic_of_caller();
    bool plic_write_allowed(std::uint64_t pa, std::uint32_t value, std::string& why) const;
    bool fail(const std::string& what);
    std::string who() const;

    hv::Hypervisor& hv_;
    FuzzRvPort& port_;
    std::int32_t caller_ = -1; // VM of the operation's hart, or -1
    std::uint32_t cpu_ = 0;
    std::uint64_t caller_cpus_ = 0; // the caller's harts, or the operation's
    std::size_t cpus_on_ = 0, cpus_stopped_ = 0, vms_stopped_ = 0;
    std::size_t vvmas_ = 0, fence_is_ = 0, gvmas_ = 0, dev_writes_ = 0;
    std::uint64_t checked_writes_ = ~0ull;
    std::vector<VmSnap> snaps_;
    std::map<std::uint64_t, std::uint32_t> dev_; // the physical PLIC's words, before
    std::string violation_;
};

} // namespace hvfuzz::rv
