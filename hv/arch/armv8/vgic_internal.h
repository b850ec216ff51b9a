// Internals shared by the vGIC's translation units (vgic.cpp: IRQ entry,
// injection, the pending set and list-register allocation; vgicd.cpp: the
// virtual distributor), which reach the physical GIC only through its
// interface (Gic, vgic_v2.h). Not part of hv's interface.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/arch/armv8/vgic.h"
#include "hv/arch/armv8/vgic_v2.h"
#include "hv/arch/armv8/vgic_v3.h"
#include "hv/core/hypervisor.h"

namespace hv::armv8::vgic_detail {

using namespace gicv2;

inline constexpr std::uint32_t kPpiMask = 0xFFFF'0000u;
inline constexpr std::uint32_t kIcfgrSgi = 0xAAAA'AAAAu; // SGIs edge, fixed
inline constexpr std::uint32_t kIcfgrPpi = 0;            // PPIs level, fixed

// --- Locking: a vCPU's pending set is filled by other CPUs ---------------
inline void lock(std::uint32_t& l) {
    while (__atomic_exchange_n(&l, 1u, __ATOMIC_ACQUIRE) != 0) {
    }
}
inline void unlock(std::uint32_t& l) {
    __atomic_store_n(&l, 0u, __ATOMIC_RELEASE);
}

// --- Cost accounting (docs/design.md#hv-cost) ---------------------------------
template <typename S, typename F>
void touch(Port& p, const S& s, const F& field, std::size_t len, bool is_write) {
    const auto off = static_cast<std::uint64_t>(reinterpret_cast<const char*>(&field) -
                                                reinterpret_cast<const char*>(&s));
    p.account(s.pa + off, len, is_write);
}

inline bool bit(const std::uint32_t* words, std::uint32_t id) {
    return ((words[id / 32] >> (id % 32)) & 1u) != 0;
}
inline void set_bit(std::uint32_t* words, std::uint32_t id, bool v) {
    if (v) {
        words[id / 32] |= 1u << (id % 32);
    } else {
        words[id / 32] &= ~(1u << (id % 32));
    }
}

// --- The physical GIC ----------------------------------------------------------
// The interface the common logic drives: GICv2's (vgic_v2.h) or GICv3's
// (vgic_v3.h), the same members, chosen by GicAddrs::version. List registers
// cross it decoded (Lr); acknowledge values are passed back unchanged.
class Gic {
  public:
    static constexpr std::uint32_t kNumLrs = GicV2::kNumLrs;
    static_assert(GicV3::kNumLrs == kNumLrs);

    Gic(ArmPort& p, const GicAddrs& a) : v3_(a.version == GicVersion::V3), g2_(p, a), g3_(p, a) {}

    bool v3() const { return v3_; }
    std::uint32_t d(std::uint32_t off) { return v3_ ? g3_.d(off) : g2_.d(off); }
    void d(std::uint32_t off, std::uint32_t v) { v3_ ? g3_.d(off, v) : g2_.d(off, v); }
    void d8(std::uint32_t off, std::uint8_t v) { v3_ ? g3_.d8(off, v) : g2_.d8(off, v); }
    std::uint32_t r(std::uint32_t off) { return v3_ ? g3_.r(off) : g2_.r(off); }
    void r(std::uint32_t off, std::uint32_t v) { v3_ ? g3_.r(off, v) : g2_.r(off, v); }
    void r8(std::uint32_t off, std::uint8_t v) { v3_ ? g3_.r8(off, v) : g2_.r8(off, v); }
    // A register of INTID `id`'s word: this CPU's redistributor for SGIs
    // and PPIs, else the distributor.
    void dr(std::uint32_t id, std::uint32_t off, std::uint32_t v) {
        id < kNumPrivate ? r(off, v) : d(off, v);
    }
    void route(std::uint32_t id, std::uint8_t cpus) {
        v3_ ? g3_.route(id, cpus) : g2_.route(id, cpus);
    }
    void dist_enable() { v3_ ? g3_.dist_enable() : g2_.dist_enable(); }
    void cpu_enable() { v3_ ? g3_.cpu_enable() : g2_.cpu_enable(); }
    std::uint32_t ack() { return v3_ ? g3_.ack() : g2_.ack(); }
    std::uint32_t ack_id(std::uint32_t iar) const {
        return v3_ ? GicV3::ack_id(iar) : GicV2::ack_id(iar);
    }
    void drop(std::uint32_t iar) { v3_ ? g3_.drop(iar) : g2_.drop(iar); }
    void deactivate(std::uint32_t iar) { v3_ ? g3_.deactivate(iar) : g2_.deactivate(iar); }
    std::uint32_t empty_lrs() { return v3_ ? g3_.empty_lrs() : g2_.empty_lrs(); }
    std::uint32_t eoi_lrs() { return v3_ ? g3_.eoi_lrs() : g2_.eoi_lrs(); }
    Lr lr(std::uint32_t n) { return v3_ ? g3_.lr(n) : g2_.lr(n); }
    void lr(std::uint32_t n, const Lr& l) { v3_ ? g3_.lr(n, l) : g2_.lr(n, l); }
    void lr_clear(std::uint32_t n) { v3_ ? g3_.lr_clear(n) : g2_.lr_clear(n); }
    void control(std::uint32_t hcr) { v3_ ? g3_.control(hcr) : g2_.control(hcr); }

  private:
    bool v3_;
    GicV2 g2_;
    GicV3 g3_;
};

inline Gic gic_of(Hypervisor& hv) {
    return Gic{hv.arch_port(), hv.config().platform.gic};
}
inline bool is_v3(const Hypervisor& hv) {
    return hv.config().platform.gic.version == GicVersion::V3;
}

// --- Virtual distributor queries -------------------------------------------
inline std::uint8_t prio_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    return id < kNumPrivate ? vc.vgic.priv_prio[id] : vm.vgicd.prio[id];
}
inline bool enabled_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    if ((vm.vgicd.ctlr & gicd::CTLR_EN) == 0) {
        return false;
    }
    return id < kNumPrivate ? ((vc.vgic.priv_enabled >> id) & 1u) != 0 : bit(vm.vgicd.enabled, id);
}
inline bool group1_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    return id < kNumPrivate ? ((vc.vgic.priv_group >> id) & 1u) != 0 : bit(vm.vgicd.group, id);
}

inline void remove_pending(VgicCpu& c, std::uint32_t k) {
    c.pending[k] = c.pending[c.num_pending - 1];
    --c.num_pending;
}

// Physical target mask of a virtual one (vCPU n -> its physical CPU).
inline std::uint8_t phys_targets(const Vm& vm, std::uint8_t vmask) {
    std::uint8_t t = 0;
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        if (((vmask >> n) & 1u) != 0) {
            t = static_cast<std::uint8_t>(t | (1u << vm.vcpu_cpu[n]));
        }
    }
    return t;
}

// The vCPU an SPI of `vm` goes to: the one on `cpu` if it is a target, else
// the lowest-numbered target, else vCPU 0.
Vcpu* spi_target(Hypervisor& hv, Vm& vm, std::uint32_t id, std::uint32_t cpu);
// Fills the list registers of `vc` (on the current CPU) from its pending set.
void flush(Hypervisor& hv, Vcpu& vc);
// Adds (id, src) to `vc`'s pending set; false if it is full (counted).
bool add_pending(Hypervisor& hv, Vcpu& vc, std::uint32_t id, std::uint32_t src, bool hw);
// Delivers what waits for `vc`: now if it is on this CPU, else by hv's SGI.
void kick(Hypervisor& hv, Vcpu& vc);
// Every vCPU of `vm` with something waiting (after an enable).
void kick_vm(Hypervisor& hv, Vm& vm);
// At a maintenance interrupt: the list registers the guest EOIed with LR_EOI.
void resample_level(Hypervisor& hv, Vcpu& vc);
// GICv3: an access to the SGI and PPI registers of vCPU `vc`'s redistributor
// (its SGI_base frame), emulated as the distributor's banked word 0; `own`:
// `vc` is the accessing vCPU (only it may change them). RAZ/WI elsewhere.
bool private_access(Hypervisor& hv, Vm& vm, Vcpu& vc, bool own, std::uint32_t off,
                    std::uint32_t size, bool is_write, std::uint64_t& value);

} // namespace hv::armv8::vgic_detail
