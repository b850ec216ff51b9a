// The isolation oracle: what must hold after every guest-visible operation,
// whatever a guest did (docs/fuzzing.md). Checked against hv's state and the
// fuzz port's view of the machine, never against hv's own bookkeeping of
// what it meant to do: mappings are read back from the page tables in
// memory with the tests' reference walker.
//
//   1. No VM but the caller's (the VM owning the CPU the operation ran on)
//      stops or changes state: VM state, exit, stage-2 root, its vCPUs'
//      states and boot registers, its virtual distributor's configuration.
//   2. Port::cpu_on / cpu_stop / vm_stopped name only the caller's CPUs / VM.
//   3. No page is mapped into two VMs, except a shared-memory page at the
//      same offset of two IPC windows on the same shmem.
//   4. No VM maps hv's region, a page-table page, a vCPU context page or a
//      vGIC state page; normal memory is RAM.
//   5. Device mappings cover neither RAM nor hv's frames (GICD, GICC, GICH,
//      the console; on a GICv3 its 64 KiB GICD and every redistributor).
//   6. vGIC pending and list-register state of a vCPU holds only its VM's
//      interrupts (private ones, or owned SPIs; hardware-linked ones only
//      where the VM owns the physical interrupt); physical SPIs are enabled
//      only when some VM owns them, and routed only to the owner's CPUs; an
//      operation changes the physical distributor's state of an SPI (enable,
//      pending, active, priority, target, trigger) only if the caller owns
//      it, or to disable one whose owner is not running; on a GICv3 it
//      writes only the redistributors of the caller's CPUs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_port.h"
#include "hv/core/hypervisor.h"

namespace hvfuzz {

class Oracle {
  public:
    Oracle(hv::Hypervisor& hv, FuzzPort& port) : hv_(hv), port_(port) {}

    // Before an operation on physical CPU `cpu`: snapshots every VM.
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
        std::uint32_t priv_enabled, priv_group, asleep;
        std::uint8_t priv_prio[32];
    };
    struct VmSnap {
        hv::VmState state;
        hv::ExitKind exit;
        std::uint64_t vttbr;
        std::uint32_t ctlr;
        std::uint32_t enabled[hv::armv8::kVgicWords], group[hv::armv8::kVgicWords],
            edge[hv::armv8::kVgicWords], irm[hv::armv8::kVgicWords];
        std::uint8_t prio[hv::armv8::gicv2::kMaxIrqs], targets[hv::armv8::gicv2::kMaxIrqs];
        VcpuSnap vcpus[hv::kMaxCpus];
    };
    void snap(std::uint32_t vm, VmSnap& s) const;
    bool same_vm(std::uint32_t vm, const VmSnap& a, const VmSnap& b);
    bool notifications();
    bool vgic_within_vms();
    bool physical_spis_of_caller();
    bool redistributors_of_caller();
    bool caller_owns(std::uint32_t spi) const;
    std::string owner_name(std::uint32_t spi) const;
    bool fail(const std::string& what);

    hv::Hypervisor& hv_;
    FuzzPort& port_;
    std::int32_t caller_ = -1; // VM of the operation's CPU, or -1
    std::uint32_t cpu_ = 0;
    std::size_t cpus_on_ = 0, cpus_stopped_ = 0, vms_stopped_ = 0;
    std::uint64_t checked_writes_ = ~0ull;
    std::vector<VmSnap> snaps_;
    std::uint32_t gicd_[hv::armv8::gicv2::gicd::kFrameSize / 4]{}; // physical, before
    std::uint64_t irouter_[hv::armv8::gicv2::kMaxIrqs]{};          // GICv3: physical, before
    std::string violation_;
};

} // namespace hvfuzz
