// The virtual distributor: guest accesses to its GICD page trap (data abort
// on the unmapped IPA) and are emulated here against Vm::vgicd, with
// ownership checks; pass-through interrupts are mirrored to the physical
// distributor.
#include "hv/arch/armv8/vgic_internal.h"

namespace hv::armv8 {

using namespace vgic_detail;

namespace {

// --- Distributor emulation ---------------------------------------------------

// Bits of word `n` of a set/clear register the VM's current vCPU can see.
std::uint32_t visible(const Vm& vm, std::uint32_t n) {
    return vm.vgicd.owned[n];
}

// The list registers of the current CPU holding `id` (with any source).
template <typename F> void for_lrs_with(Hypervisor& hv, Vcpu& vc, std::uint32_t id, F&& f) {
    Gic g = gic_of(hv);
    const std::uint32_t free = g.empty_lrs();
    for (std::uint32_t n = 0; n < kNumLrs; ++n) {
        if (((free >> n) & 1u) == 0 && vc.vgic.lr_id[n] == id) {
            f(n, g.lr(n));
        }
    }
}

std::uint32_t read_pending(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n) {
    const std::uint32_t mask = visible(vm, n);
    std::uint32_t v = 0;
    auto scan = [&](Vcpu& x) {
        lock(x.vgic.lock);
        for (std::uint32_t k = 0; k < x.vgic.num_pending; ++k) {
            if (x.vgic.pending[k].id / 32 == n) {
                v |= 1u << (x.vgic.pending[k].id % 32);
            }
        }
        unlock(x.vgic.lock);
    };
    if (n == 0) {
        scan(vc);
    } else {
        for (std::uint32_t i = 0; i < vm.num_vcpus; ++i) {
            scan(*hv.vcpu_mut(vm.vcpu_cpu[i]));
        }
    }
    Gic g = gic_of(hv);
    const std::uint32_t free = g.empty_lrs();
    for (std::uint32_t l = 0; l < kNumLrs; ++l) {
        if (((free >> l) & 1u) == 0 && vc.vgic.lr_id[l] / 32 == n && g.lr(l).pending) {
            v |= 1u << (vc.vgic.lr_id[l] % 32);
        }
    }
    if (vm.vgicd.hw[n] != 0) { // pending in the physical distributor, not yet taken
        v |= (n == 0 ? g.r(gicd::ISPENDR) : g.d(gicd::ISPENDR + 4 * n)) & vm.vgicd.hw[n];
    }
    return v & mask;
}

std::uint32_t read_active(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n) {
    Gic g = gic_of(hv);
    const std::uint32_t free = g.empty_lrs();
    std::uint32_t v = 0;
    for (std::uint32_t l = 0; l < kNumLrs; ++l) {
        if (((free >> l) & 1u) == 0 && vc.vgic.lr_id[l] / 32 == n && g.lr(l).active) {
            v |= 1u << (vc.vgic.lr_id[l] % 32);
        }
    }
    return v & visible(vm, n);
}

void write_enable(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n, std::uint32_t bits, bool set) {
    VgicDist& d = vm.vgicd;
    std::uint32_t& word = n == 0 ? vc.vgic.priv_enabled : d.enabled[n];
    if (n == 0) {
        bits &= kPpiMask; // SGIs stay enabled
        touch(hv.port(), vc.vgic, vc.vgic.priv_enabled, 4, true);
    } else {
        touch(hv.port(), d, d.enabled[n], 4, true);
    }
    const std::uint32_t before = word;
    word = set ? word | bits : word & ~bits;
    const std::uint32_t hw = bits & d.hw[n];
    if (hw != 0) {
        gic_of(hv).dr(32 * n, (set ? gicd::ISENABLER : gicd::ICENABLER) + 4 * n, hw);
    }
    if (set && word != before) {
        kick_vm(hv, vm);
    }
}

void write_pending(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n, std::uint32_t bits,
                   bool set) {
    VgicDist& d = vm.vgicd;
    Gic g = gic_of(hv);
    if (n == 0) {
        bits &= kPpiMask; // SGI bits: use SPENDSGIR/CPENDSGIR (GIC-400)
    }
    const std::uint32_t hw = bits & d.hw[n];
    if (hw != 0) {
        g.dr(32 * n, (set ? gicd::ISPENDR : gicd::ICPENDR) + 4 * n, hw);
    }
    for (std::uint32_t i = 0; i < 32; ++i) {
        if (((bits >> i) & 1u) == 0) {
            continue;
        }
        const std::uint32_t id = 32 * n + i;
        const bool is_hw = ((hw >> i) & 1u) != 0;
        if (set) {
            if (!is_hw) {
                Vcpu* t = n == 0 ? &vc : spi_target(hv, vm, id, vc.cpu);
                vgic_inject(hv, *t, id, 0, false);
            }
            continue;
        }
        // Clear: drop it from every pending set and from this CPU's list
        // registers where it is only pending.
        for (std::uint32_t j = 0; j < vm.num_vcpus; ++j) {
            Vcpu& x = *hv.vcpu_mut(vm.vcpu_cpu[j]);
            if (n == 0 && &x != &vc) {
                continue;
            }
            lock(x.vgic.lock);
            for (std::uint32_t k = 0; k < x.vgic.num_pending;) {
                if (x.vgic.pending[k].id == id) {
                    if (x.vgic.pending[k].hw != 0) {
                        g.deactivate(id);
                    }
                    remove_pending(x.vgic, k);
                } else {
                    ++k;
                }
            }
            unlock(x.vgic.lock);
        }
        for_lrs_with(hv, vc, id, [&](std::uint32_t l, Lr v) {
            if (v.pending && !v.active) {
                g.lr_clear(l);
                if (v.hw) {
                    g.deactivate(id);
                }
            } else if (v.pending && v.active) {
                v.pending = false;
                g.lr(l, v);
            }
        });
    }
}

void write_active(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n, std::uint32_t bits, bool set) {
    Gic g = gic_of(hv);
    for (std::uint32_t i = 0; i < 32; ++i) {
        if (((bits >> i) & 1u) == 0) {
            continue;
        }
        const std::uint32_t id = 32 * n + i;
        for_lrs_with(hv, vc, id, [&](std::uint32_t l, Lr v) {
            if (set) {
                v.active = true;
                g.lr(l, v);
            } else if (v.active) {
                v.active = false;
                g.lr(l, v);
                if (v.hw) {
                    g.deactivate(id);
                }
            }
        });
    }
    if (!set && (bits & vm.vgicd.hw[n]) != 0) {
        g.dr(32 * n, gicd::ICACTIVER + 4 * n, bits & vm.vgicd.hw[n]);
    }
}

// One byte of IPRIORITYR / ITARGETSR.
std::uint32_t byte_read(Hypervisor& hv, Vm& vm, Vcpu& vc, bool targets, std::uint32_t id) {
    if (id >= kMaxIrqs || !bit(vm.vgicd.owned, id) || (targets && is_v3(hv))) {
        return 0;
    }
    if (targets) {
        return id < kNumPrivate ? 1u << vc.id : vm.vgicd.targets[id];
    }
    return prio_of(vm, vc, id);
}

void byte_write(Hypervisor& hv, Vm& vm, Vcpu& vc, bool targets, std::uint32_t id, std::uint8_t v) {
    VgicDist& d = vm.vgicd;
    if (id >= kMaxIrqs || !bit(d.owned, id)) {
        ++d.ignored;
        return;
    }
    Gic g = gic_of(hv);
    const bool hw = bit(d.hw, id);
    if (targets) {
        if (id < kNumPrivate) {
            return; // read-only
        }
        if (is_v3(hv)) {
            ++d.ignored; // GICv3 routes by IROUTER: ITARGETSR is RES0
            return;
        }
        const auto valid = static_cast<std::uint8_t>((1u << vm.num_vcpus) - 1);
        if ((v & ~valid) != 0) {
            ++d.ignored;
        }
        d.targets[id] = static_cast<std::uint8_t>(v & valid);
        touch(hv.port(), d, d.targets[id], 1, true);
        if (hw) {
            g.route(id, phys_targets(vm, d.targets[id]));
        }
        return;
    }
    const auto pr = static_cast<std::uint8_t>(v & 0xF8); // 5 priority bits, as the GIC-400
    if (id < kNumPrivate) {
        vc.vgic.priv_prio[id] = pr;
        touch(hv.port(), vc.vgic, vc.vgic.priv_prio[id], 1, true);
    } else {
        d.prio[id] = pr;
        touch(hv.port(), d, d.prio[id], 1, true);
    }
    if (hw && id < kNumPrivate) {
        g.r8(gicd::IPRIORITYR + id, pr);
    } else if (hw) {
        g.d8(gicd::IPRIORITYR + id, pr);
    }
}

void write_icfgr(Hypervisor& hv, Vm& vm, std::uint32_t n, std::uint32_t v) {
    VgicDist& d = vm.vgicd;
    std::uint32_t hw_mask = 0;
    std::uint32_t hw_val = 0;
    for (std::uint32_t i = 0; i < 16; ++i) {
        const std::uint32_t id = 16 * n + i;
        if (!bit(d.owned, id)) {
            continue;
        }
        const bool edge = ((v >> (2 * i + 1)) & 1u) != 0;
        set_bit(d.edge, id, edge);
        if (bit(d.hw, id)) {
            hw_mask |= 2u << (2 * i);
            hw_val |= (edge ? 2u : 0u) << (2 * i);
        }
    }
    touch(hv.port(), d, d.edge[n / 2], 4, true);
    if (hw_mask != 0) {
        Gic g = gic_of(hv);
        const std::uint32_t cur = g.d(gicd::ICFGR + 4 * n);
        g.d(gicd::ICFGR + 4 * n, (cur & ~hw_mask) | hw_val);
    }
}

std::uint32_t read_icfgr(const Vm& vm, std::uint32_t n) {
    std::uint32_t v = 0;
    for (std::uint32_t i = 0; i < 16; ++i) {
        const std::uint32_t id = 16 * n + i;
        if (bit(vm.vgicd.owned, id) && bit(vm.vgicd.edge, id)) {
            v |= 2u << (2 * i);
        }
    }
    return v;
}

void write_sgir(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t v) {
    VgicDist& d = vm.vgicd;
    const std::uint32_t sgi = v & 0xF;
    const std::uint32_t filter = (v >> gicd::SGIR_FILTER_SHIFT) & 3;
    const std::uint32_t all = (1u << vm.num_vcpus) - 1;
    std::uint32_t targets = 0;
    switch (filter) {
    case gicd::SGIR_FILTER_LIST:
        targets = (v >> gicd::SGIR_TARGETS_SHIFT) & 0xFF;
        break;
    case gicd::SGIR_FILTER_OTHERS:
        targets = all & ~(1u << vc.id);
        break;
    case gicd::SGIR_FILTER_SELF:
        targets = 1u << vc.id;
        break;
    default:
        ++d.ignored; // reserved filter: nothing sent
        return;
    }
    if ((targets & ~all) != 0) {
        ++d.ignored; // a CPU outside the VM
    }
    targets &= all;
    ++d.sgis;
    for (std::uint32_t t = 0; t < vm.num_vcpus; ++t) {
        if (((targets >> t) & 1u) != 0) {
            vgic_inject(hv, *hv.vcpu_mut(vm.vcpu_cpu[t]), sgi, vc.id, false);
        }
    }
}

// Word registers with one bit per interrupt: [base, base + 0x80).
bool in_bits(std::uint32_t off, std::uint32_t base) {
    return off >= base && off < base + 0x80;
}

bool dist_write(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t off, std::uint32_t size,
                std::uint32_t v) {
    VgicDist& d = vm.vgicd;
    if (off - gicd::IPRIORITYR < 0x800) { // IPRIORITYR and ITARGETSR: bytes
        const bool targets = off >= gicd::ITARGETSR;
        const std::uint32_t id0 = off - (targets ? gicd::ITARGETSR : gicd::IPRIORITYR);
        for (std::uint32_t b = 0; b < size; ++b) {
            byte_write(hv, vm, vc, targets, id0 + b, static_cast<std::uint8_t>(v >> (8 * b)));
        }
        return true;
    }
    if (size != 4) {
        return false;
    }
    const std::uint32_t n = (off & 0x7F) / 4;
    if (off >= gicd::IGROUPR && off < gicd::ISENABLER + 0x300) {
        if ((v & ~visible(vm, n)) != 0) {
            ++d.ignored; // bits of interrupts the VM does not own
        }
        v &= visible(vm, n);
    }
    if (off == gicd::CTLR) {
        const std::uint32_t before = d.ctlr;
        d.ctlr = v & gicd::CTLR_EN;
        touch(hv.port(), d, d.ctlr, 4, true);
        if (before == 0 && d.ctlr != 0) {
            kick_vm(hv, vm);
        }
    } else if (in_bits(off, gicd::IGROUPR)) {
        std::uint32_t& w = n == 0 ? vc.vgic.priv_group : d.group[n];
        w = (w & ~visible(vm, n)) | v;
    } else if (in_bits(off, gicd::ISENABLER)) {
        write_enable(hv, vm, vc, n, v, true);
    } else if (in_bits(off, gicd::ICENABLER)) {
        write_enable(hv, vm, vc, n, v, false);
    } else if (in_bits(off, gicd::ISPENDR)) {
        write_pending(hv, vm, vc, n, v, true);
    } else if (in_bits(off, gicd::ICPENDR)) {
        write_pending(hv, vm, vc, n, v, false);
    } else if (in_bits(off, gicd::ISACTIVER)) {
        write_active(hv, vm, vc, n, v, true);
    } else if (in_bits(off, gicd::ICACTIVER)) {
        write_active(hv, vm, vc, n, v, false);
    } else if (off >= gicd::ICFGR && off < gicd::ICFGR + 0x100) {
        const std::uint32_t w = (off - gicd::ICFGR) / 4;
        if (w < 2) {
            ++d.ignored; // SGI and PPI trigger modes are fixed
        } else {
            write_icfgr(hv, vm, w, v);
        }
    } else if (off == gicd::SGIR) {
        write_sgir(hv, vm, vc, v);
    } else {
        ++d.ignored; // read-only or reserved
    }
    return true;
}

bool dist_read(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t off, std::uint32_t size,
               std::uint32_t& v) {
    VgicDist& d = vm.vgicd;
    v = 0;
    if (off - gicd::IPRIORITYR < 0x800) { // IPRIORITYR and ITARGETSR: bytes
        const bool targets = off >= gicd::ITARGETSR;
        const std::uint32_t id0 = off - (targets ? gicd::ITARGETSR : gicd::IPRIORITYR);
        for (std::uint32_t b = 0; b < size; ++b) {
            v |= byte_read(hv, vm, vc, targets, id0 + b) << (8 * b);
        }
        const std::uint32_t i = id0 & (kMaxIrqs - 4);
        touch(hv.port(), d, targets ? d.targets[i] : d.prio[i], size, false);
        return true;
    }
    if (size != 4) {
        return false;
    }
    const std::uint32_t n = (off & 0x7F) / 4;
    if (off == gicd::CTLR) {
        v = d.ctlr;
    } else if (off == gicd::TYPER) {
        const std::uint32_t lines = gic_of(hv).d(gicd::TYPER) & gicd::TYPER_ITLINES;
        v = lines | ((vm.num_vcpus - 1) << 5);
    } else if (off == gicd::IIDR) {
        v = gicd::IIDR_GIC400;
    } else if (in_bits(off, gicd::IGROUPR)) {
        v = (n == 0 ? vc.vgic.priv_group : d.group[n]) & visible(vm, n);
    } else if (in_bits(off, gicd::ISENABLER) || in_bits(off, gicd::ICENABLER)) {
        v = (n == 0 ? vc.vgic.priv_enabled : d.enabled[n]) & visible(vm, n);
    } else if (in_bits(off, gicd::ISPENDR) || in_bits(off, gicd::ICPENDR)) {
        v = read_pending(hv, vm, vc, n);
    } else if (in_bits(off, gicd::ISACTIVER) || in_bits(off, gicd::ICACTIVER)) {
        v = read_active(hv, vm, vc, n);
    } else if (off >= gicd::ICFGR && off < gicd::ICFGR + 0x100) {
        const std::uint32_t w = (off - gicd::ICFGR) / 4;
        v = w == 0 ? kIcfgrSgi : w == 1 ? kIcfgrPpi : read_icfgr(vm, w);
    } else if (off >= gicd::PIDR4 && off <= gicd::CIDR3) {
        v = gic_of(hv).d(off); // identification: the physical GIC's
    } else {
        ++d.ignored; // write-only or reserved: RAZ
    }
    return true;
}

// --- GICv3 ---------------------------------------------------------------------

// SGI and PPI registers: GICv3 keeps them in the redistributors (vgicr.cpp);
// with affinity routing the distributor's copies are RES0.
bool is_private_reg(std::uint32_t off) {
    if (off >= gicd::IGROUPR && off < gicd::ICACTIVER + 0x80) {
        return (off & 0x7F) < 4; // word 0 of each one-bit-per-INTID register
    }
    return off - gicd::IPRIORITYR < kNumPrivate || off == gicd::ICFGR || off == gicd::ICFGR + 4;
}

// GICD_IROUTER<id> as the VM sees it: IRM, or Aff0 = the one vCPU it targets.
std::uint64_t irouter_read(const Vm& vm, std::uint32_t id) {
    if (id < kNumPrivate || id >= kFirstSpecial || !bit(vm.vgicd.owned, id)) {
        return 0;
    }
    if (bit(vm.vgicd.irm, id)) {
        return gicv3::gicd::IROUTER_IRM;
    }
    const std::uint32_t t = vm.vgicd.targets[id];
    return t == 0 ? 0 : static_cast<std::uint64_t>(__builtin_ctz(t));
}

// Routing by virtual affinity, to the VM's own vCPUs only: an affinity that
// names no vCPU of the VM leaves the route as it was (counted).
void irouter_write(Hypervisor& hv, Vm& vm, std::uint32_t id, std::uint64_t v) {
    VgicDist& d = vm.vgicd;
    if (id < kNumPrivate || id >= kFirstSpecial || !bit(d.owned, id)) {
        ++d.ignored;
        return;
    }
    const std::uint64_t aff = v & gicv3::gicd::IROUTER_AFF;
    if ((v & gicv3::gicd::IROUTER_IRM) != 0) {
        set_bit(d.irm, id, true);
        d.targets[id] = static_cast<std::uint8_t>((1u << vm.num_vcpus) - 1);
    } else if (aff >= vm.num_vcpus) {
        ++d.ignored; // not one of its vCPUs
        return;
    } else {
        set_bit(d.irm, id, false);
        d.targets[id] = static_cast<std::uint8_t>(1u << aff);
    }
    touch(hv.port(), d, d.targets[id], 1, true);
    if (bit(d.hw, id)) {
        gic_of(hv).route(id, phys_targets(vm, d.targets[id]));
    }
}

// IROUTER by 64-bit access or by 32-bit halves.
void irouter_access(Hypervisor& hv, Vm& vm, std::uint32_t off, std::uint32_t size, bool is_write,
                    std::uint64_t& value) {
    const std::uint32_t id = (off - gicv3::gicd::IROUTER) / 8;
    const bool high = (off & 4) != 0;
    const std::uint64_t cur = irouter_read(vm, id);
    if (!is_write) {
        value = size == 8 ? cur : high ? cur >> 32 : cur & 0xFFFF'FFFFull;
        return;
    }
    const std::uint64_t lo = cur & 0xFFFF'FFFFull;
    const std::uint64_t v = size == 8 ? value
                            : high    ? lo | (value << 32)
                                      : (cur & ~0xFFFF'FFFFull) | (value & 0xFFFF'FFFFull);
    irouter_write(hv, vm, id, v);
}

// What a GICv3 distributor has in place of (or beside) GICv2's registers;
// false: the common emulation handles the access.
bool dist_access_v3(Hypervisor& hv, Vm& vm, std::uint32_t off, std::uint32_t size, bool is_write,
                    std::uint64_t& value) {
    namespace d3 = gicv3::gicd;
    VgicDist& d = vm.vgicd;
    if (off >= d3::IROUTER && off < d3::IROUTER_END) {
        if ((size == 8 && (off & 7) == 0) || (size == 4 && (off & 3) == 0)) {
            irouter_access(hv, vm, off, size, is_write, value);
        } else {
            ++d.ignored;
            value = 0;
        }
        return true;
    }
    if (is_private_reg(off) || off - gicd::ITARGETSR < 0x400 || off == gicd::SGIR ||
        off - gicd::CPENDSGIR < 0x20 || (off >= gicd::PIDR4 && off < gicd::kFrameSize)) {
        ++d.ignored; // RES0 with affinity routing, or GICv2-only
        value = 0;
        return true;
    }
    if (is_write || size != 4 || (off & 3) != 0) {
        return false;
    }
    if (off == d3::CTLR) {
        value = d.ctlr | d3::CTLR_ARE | d3::CTLR_DS;
    } else if (off == d3::TYPER) {
        value = (gic_of(hv).d(d3::TYPER) & gicd::TYPER_ITLINES) | d3::TYPER_IDBITS;
    } else if (off == gicd::IIDR) {
        value = gic_of(hv).d(gicd::IIDR);
    } else if (off == d3::PIDR2) {
        value = gicv3::kPidr2ArchRev3;
    } else if (off >= d3::PIDR4 && off <= d3::CIDR3) {
        value = gic_of(hv).d(off); // identification: the physical GIC's
    } else {
        return false;
    }
    return true;
}

} // namespace

namespace vgic_detail {

bool private_access(Hypervisor& hv, Vm& vm, Vcpu& vc, bool own, std::uint32_t off,
                    std::uint32_t size, bool is_write, std::uint64_t& value) {
    VgicDist& d = vm.vgicd;
    const bool prio = off - gicd::IPRIORITYR < kNumPrivate;
    const bool config = prio || in_bits(off, gicd::IGROUPR) || in_bits(off, gicd::ISENABLER) ||
                        in_bits(off, gicd::ICENABLER) || off - gicd::ICFGR < 8;
    const bool size_ok = (size == 4 && (off & 3) == 0) || (size == 1 && prio);
    // Another vCPU's frame: its configuration may be read; its pending and
    // active state live in list registers of another CPU, and hv changes
    // a vCPU's banked state only from that vCPU.
    if (!is_private_reg(off) || !size_ok || (!own && (is_write || !config))) {
        ++d.ignored;
        value = 0;
        return true;
    }
    if (is_write) {
        return dist_write(hv, vm, vc, off, size, static_cast<std::uint32_t>(value));
    }
    std::uint32_t v = 0;
    const bool ok = dist_read(hv, vm, vc, off, size, v);
    value = v;
    return ok;
}

} // namespace vgic_detail

void vgic_sgi1r(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint64_t v) {
    using namespace gicv3::icc;
    VgicDist& d = vm.vgicd;
    const std::uint32_t sgi = (v >> SGI1R_INTID_SHIFT) & 0xF;
    const std::uint32_t all = (1u << vm.num_vcpus) - 1;
    std::uint32_t targets = 0;
    if ((v & SGI1R_IRM) != 0) {
        targets = all & ~(1u << vc.id);
    } else {
        // The VM's vCPU n has affinity 0.0.0.n: Aff3.Aff2.Aff1 and the range
        // selector must be 0 for any target to be one of its vCPUs.
        const std::uint64_t upper =
            ((v >> SGI1R_AFF1_SHIFT) & 0xFF) | ((v >> SGI1R_AFF2_SHIFT) & 0xFF) |
            ((v >> SGI1R_AFF3_SHIFT) & 0xFF) | ((v >> SGI1R_RS_SHIFT) & 0xF);
        const auto list = static_cast<std::uint32_t>(v & SGI1R_TARGETS);
        targets = upper == 0 ? list & all : 0;
        if (targets != list) {
            ++d.ignored; // a CPU outside the VM
        }
    }
    ++d.sgis;
    touch(hv.port(), d, d.sgis, sizeof d.sgis, true);
    for (std::uint32_t t = 0; t < vm.num_vcpus; ++t) {
        if (((targets >> t) & 1u) != 0) {
            vgic_inject(hv, *hv.vcpu_mut(vm.vcpu_cpu[t]), sgi, 0, false);
        }
    }
}

bool vgicd_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value) {
    Vcpu* vc = hv.vcpu_mut(hv.port().cpu_id());
    if (vc == nullptr || vc->vm != vm.id) {
        return false;
    }
    VgicDist& d = vm.vgicd;
    ++d.traps;
    touch(hv.port(), d, d.ctlr, sizeof d.ctlr, false);
    const auto off = static_cast<std::uint32_t>(offset);
    if (is_v3(hv) && dist_access_v3(hv, vm, off, size, is_write, value)) {
        return true;
    }
    const bool bytes_ok = off - gicd::IPRIORITYR < 0x800; // IPRIORITYR and ITARGETSR
    bool ok = (size == 4 && (off & 3) == 0) || (size == 1 && bytes_ok);
    if (is_write) {
        ok = ok && dist_write(hv, vm, *vc, off, size, static_cast<std::uint32_t>(value));
    } else {
        std::uint32_t v = 0;
        ok = ok && dist_read(hv, vm, *vc, off, size, v);
        value = ok ? v : 0;
    }
    if (!ok) {
        ++d.ignored; // bad size or alignment: RAZ/WI, as the architecture allows
    }
    return true;
}

void vgic_lower(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    Vcpu* vc = hv.vcpu_mut(hv.port().cpu_id());
    if (vc == nullptr || vc->vm != vm.id || id < kNumPrivate || id >= kFirstSpecial ||
        bit(vm.vgicd.hw, id)) {
        return; // only a virtual SPI, from one of the VM's own CPUs
    }
    write_pending(hv, vm, *vc, id / 32, 1u << (id % 32), false);
}

} // namespace hv::armv8
