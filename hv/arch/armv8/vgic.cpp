#include "hv/arch/armv8/vgic.h"

#include "hv/arch/armv8/vgic_internal.h"
#include "hv/core/vuart.h"

namespace hv::armv8 {

using namespace gicv2;

static_assert(sizeof(VcpuRegs) <= kVgicCpuCtxOffset, "VgicCpu would overlap the saved registers");
static_assert(kVgicCpuCtxOffset + sizeof(VgicCpu) <= kPageSize, "VgicCpu must fit the ctx page");
static_assert(sizeof(VgicDist) <= kPageSize, "VgicDist must fit one page");
static_assert(sizeof(VgicGlobal) <= kPageSize, "VgicGlobal must fit one page");

const char* to_string(IrqOutcome o) {
    switch (o) {
    case IrqOutcome::Spurious:
        return "spurious";
    case IrqOutcome::Injected:
        return "injected";
    case IrqOutcome::Ipi:
        return "ipi";
    case IrqOutcome::Maintenance:
        return "maintenance";
    case IrqOutcome::Unowned:
        return "unowned";
    }
    return "?";
}

namespace vgic_detail {

Vcpu* spi_target(Hypervisor& hv, Vm& vm, std::uint32_t id, std::uint32_t cpu) {
    const std::uint8_t t = id < kNumPrivate ? 1 : vm.vgicd.targets[id];
    Vcpu* here = hv.vcpu_mut(cpu);
    if (here != nullptr && here->vm == vm.id && ((t >> here->id) & 1u) != 0) {
        return here;
    }
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        if (((t >> n) & 1u) != 0) {
            return hv.vcpu_mut(vm.vcpu_cpu[n]);
        }
    }
    return hv.vcpu_mut(vm.vcpu_cpu[0]);
}

// Moves the highest-priority eligible interrupts of `vc`'s pending set into
// list registers; `vc` runs on the current CPU (list registers are banked).
// More eligible interrupts than free list registers: a lower-priority
// pending list register is evicted back into the set; what still waits
// arms the maintenance interrupt (underflow, and no-pending while a list
// register is pending) so the refill happens as the guest EOIs.
void flush(Hypervisor& hv, Vcpu& vc) {
    Port& p = hv.port();
    Vm& vm = hv.vm_mut(vc.vm);
    VgicCpu& c = vc.vgic;
    Gic g = gic_of(hv);
    lock(c.lock);
    touch(p, c, c.num_pending, sizeof c.num_pending + sizeof c.pending, false);
    std::uint32_t free = g.empty_lrs() & ((1u << kNumLrs) - 1);
    Lr lrv[kNumLrs]{};
    bool lr_known[kNumLrs]{};
    auto lr_val = [&](std::uint32_t n) {
        if (!lr_known[n]) {
            lrv[n] = g.lr(n);
            lr_known[n] = true;
        }
        return lrv[n];
    };
    auto write_lr = [&](std::uint32_t n, const VgicPending& e, std::uint8_t prio) {
        Lr v;
        v.id = e.id;
        v.src = e.src;
        v.prio = prio;
        v.pending = true;
        v.group1 = group1_of(vm, vc, e.id);
        v.hw = e.hw != 0;
        v.eoi_maint = e.hw == 0 && bit(vm.vgicd.level, e.id);
        g.lr(n, v);
        lrv[n] = v;
        lr_known[n] = true;
        c.lr_id[n] = e.id;
        c.lr_src[n] = e.src;
        touch(p, c, c.lr_id[n], sizeof c.lr_id[n] + sizeof c.lr_src[n], true);
        ++c.injected;
        ++vm.vgicd.injected;
    };
    bool waiting = false;
    for (;;) {
        std::int32_t best = -1;
        std::uint32_t best_prio = 0x100;
        for (std::uint32_t k = 0; k < c.num_pending; ++k) {
            const VgicPending& e = c.pending[k];
            if (!enabled_of(vm, vc, e.id)) {
                continue;
            }
            const std::uint32_t pr = prio_of(vm, vc, e.id);
            if (pr < best_prio || (pr == best_prio && e.id < c.pending[best].id)) {
                best = static_cast<std::int32_t>(k);
                best_prio = pr;
            }
        }
        if (best < 0) {
            break;
        }
        touch(p, vm.vgicd, vm.vgicd.prio[c.pending[best].id], 1, false);
        const VgicPending e = c.pending[best];
        // Already held by a list register: pending again (a software
        // interrupt active in the guest becomes pending+active), or merged.
        std::int32_t held = -1;
        for (std::uint32_t n = 0; n < kNumLrs; ++n) {
            if (((free >> n) & 1u) == 0 && c.lr_id[n] == e.id && c.lr_src[n] == e.src) {
                held = static_cast<std::int32_t>(n);
            }
        }
        if (held >= 0) {
            const auto n = static_cast<std::uint32_t>(held);
            Lr v = lr_val(n);
            if (v.active && !v.pending && !v.hw) {
                v.pending = true;
                g.lr(n, v);
                lrv[n] = v;
            }
            remove_pending(c, static_cast<std::uint32_t>(best));
            continue;
        }
        if (free != 0) {
            std::uint32_t n = 0;
            while (((free >> n) & 1u) == 0) {
                ++n;
            }
            free &= ~(1u << n);
            write_lr(n, e, static_cast<std::uint8_t>(best_prio));
            remove_pending(c, static_cast<std::uint32_t>(best));
            continue;
        }
        // Every list register is in use: evict the lowest-priority one that
        // is only pending, if it ranks below this interrupt.
        std::int32_t victim = -1;
        std::uint32_t victim_prio = best_prio & 0xF8;
        for (std::uint32_t n = 0; n < kNumLrs; ++n) {
            const Lr v = lr_val(n);
            if (v.pending && !v.active && v.prio > victim_prio) {
                victim = static_cast<std::int32_t>(n);
                victim_prio = v.prio;
            }
        }
        if (victim < 0) {
            waiting = true;
            break;
        }
        const auto n = static_cast<std::uint32_t>(victim);
        const VgicPending evicted{c.lr_id[n], c.lr_src[n],
                                  static_cast<std::uint8_t>(lrv[n].hw ? 1 : 0)};
        write_lr(n, e, static_cast<std::uint8_t>(best_prio));
        c.pending[best] = evicted;
    }
    std::uint32_t hcr = vif::kEnable;
    if (waiting) {
        hcr |= vif::kUnderflow;
        for (std::uint32_t n = 0; n < kNumLrs; ++n) {
            if (lr_val(n).pending) {
                hcr |= vif::kNoPending; // no storm while every list register is active
                break;
            }
        }
    }
    if (hcr != c.hcr) {
        g.control(hcr);
        c.hcr = hcr;
        touch(p, c, c.hcr, sizeof c.hcr, true);
    }
    unlock(c.lock);
}

// Adds (id, src) to the pending set; false if it is full (counted).
bool add_pending(Hypervisor& hv, Vcpu& vc, std::uint32_t id, std::uint32_t src, bool hw) {
    VgicCpu& c = vc.vgic;
    lock(c.lock);
    touch(hv.port(), c, c.num_pending, sizeof c.num_pending + sizeof c.pending, true);
    for (std::uint32_t k = 0; k < c.num_pending; ++k) {
        if (c.pending[k].id == id && c.pending[k].src == src) {
            unlock(c.lock);
            return true;
        }
    }
    if (c.num_pending >= kVgicMaxPending) {
        ++c.dropped;
        unlock(c.lock);
        return false;
    }
    c.pending[c.num_pending++] =
        VgicPending{static_cast<std::uint16_t>(id), static_cast<std::uint8_t>(src),
                    static_cast<std::uint8_t>(hw ? 1 : 0)};
    unlock(c.lock);
    return true;
}

// Delivers what waits for `vc`: now if it is on this CPU, else by SGI.
void kick(Hypervisor& hv, Vcpu& vc) {
    Port& p = hv.port();
    if (vc.cpu == p.cpu_id()) {
        flush(hv, vc);
    } else {
        p.send_ipi(vc.cpu, kHvIpiSgi);
    }
}

// Every vCPU of `vm` with something waiting (after an enable).
void kick_vm(Hypervisor& hv, Vm& vm) {
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        Vcpu* vc = hv.vcpu_mut(vm.vcpu_cpu[n]);
        if (vc != nullptr && vc->vgic.num_pending != 0) {
            kick(hv, *vc);
        }
    }
}

// List registers of level interrupts the guest has EOIed (GICH_EISR): freed,
// and each interrupt raised again while its device's line is still high, as a
// level-sensitive interrupt is re-signalled after its EOI.
void resample_level(Hypervisor& hv, Vcpu& vc) {
    Gic g = gic_of(hv);
    Vm& vm = hv.vm_mut(vc.vm);
    const std::uint32_t eisr = g.eoi_lrs() & ((1u << kNumLrs) - 1);
    for (std::uint32_t n = 0; n < kNumLrs; ++n) {
        if (((eisr >> n) & 1u) == 0) {
            continue;
        }
        g.lr_clear(n);
        const std::uint32_t id = vc.vgic.lr_id[n];
        if (vm.state == VmState::Running && id == hv.config().platform.console_irq) {
            vuart_resample(hv, vm);
        }
    }
}

} // namespace vgic_detail

using namespace vgic_detail;

// --- Entry points --------------------------------------------------------------

void vgic_inject(Hypervisor& hv, Vcpu& vc, std::uint32_t id, std::uint32_t src, bool hw) {
    const bool added = add_pending(hv, vc, id, src, hw);
    if (hv.port().wants(EventKind::Inject)) {
        hv.port().event(
            {EventKind::Inject, vc.vm, vc.id, {id, src, hw ? 1u : 0u, added ? 1u : 0u}});
    }
    if (!added) {
        if (hw) {
            gic_of(hv).deactivate(id); // never leave the physical one active
        }
        return;
    }
    kick(hv, vc);
}

void vgic_raise(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    if (id >= kFirstSpecial || vm.num_vcpus == 0) {
        return;
    }
    Vcpu* t =
        id < kNumPrivate ? hv.vcpu_mut(vm.vcpu_cpu[0]) : spi_target(hv, vm, id, hv.port().cpu_id());
    if (t != nullptr) {
        vgic_inject(hv, *t, id, 0, false);
    }
}

IrqOutcome handle_irq(Hypervisor& hv) {
    Port& p = hv.port();
    Gic g = gic_of(hv);
    VgicGlobal& glob = hv.vgic();
    const std::uint32_t cpu = p.cpu_id();
    Vcpu* vc = hv.vcpu_mut(cpu);
    const std::uint32_t iar = g.ack();
    const std::uint32_t id = g.ack_id(iar);
    if (id >= kFirstSpecial) {
        ++glob.spurious;
        return IrqOutcome::Spurious;
    }
    if (vc != nullptr) {
        p.account(vc->ctx_pa, sizeof(VcpuRegs), true); // the vector saves the guest's registers
        if (vc->state == VcpuState::Idle) {
            vc->state = VcpuState::Running; // an interrupt ends WFI
        }
    }
    IrqOutcome out = IrqOutcome::Unowned;
    if (id < kNumSgis) {
        g.drop(iar);
        g.deactivate(iar);
        if (vc != nullptr) {
            ++vc->vgic.ipis;
            flush(hv, *vc);
        }
        out = IrqOutcome::Ipi;
    } else if (id == kMaintenancePpi) {
        if (vc != nullptr) {
            resample_level(hv, *vc);
            ++vc->vgic.maintenance;
            touch(p, vc->vgic, vc->vgic.maintenance, sizeof vc->vgic.maintenance, true);
            flush(hv, *vc); // the level drops once the list registers are refilled
        }
        g.drop(iar);
        g.deactivate(iar);
        out = IrqOutcome::Maintenance;
    } else {
        Vcpu* target = nullptr;
        if (id < kNumPrivate) {
            if (vc != nullptr) {
                Vm& vm = hv.vm_mut(vc->vm);
                touch(p, vm.vgicd, vm.vgicd.hw[0], 4, false);
                if (vm.state == VmState::Running && bit(vm.vgicd.hw, id)) {
                    target = vc;
                }
            }
        } else {
            touch(p, glob, glob.spi_owner[id], 1, false);
            const std::uint32_t owner = glob.spi_owner[id];
            if (owner != 0 && hv.vm_mut(owner - 1).state == VmState::Running) {
                target = spi_target(hv, hv.vm_mut(owner - 1), id, cpu);
            }
        }
        if (target != nullptr) {
            g.drop(iar); // the guest's EOI deactivates (HW link)
            vgic_inject(hv, *target, id, 0, true);
            out = IrqOutcome::Injected;
        } else {
            g.drop(iar);
            g.deactivate(iar);
            g.dr(id, gicd::ICENABLER + 4 * (id / 32), 1u << (id % 32)); // no storm
            ++glob.unowned;
        }
    }
    if (vc != nullptr) {
        p.account(vc->ctx_pa, sizeof(VcpuRegs), false); // and restores them
    }
    if (p.wants(EventKind::Irq)) {
        p.event({EventKind::Irq,
                 vc != nullptr ? vc->vm : kNoVm,
                 vc != nullptr ? vc->id : 0,
                 {id, static_cast<std::uint64_t>(out)}});
    }
    return out;
}

namespace {

// The distributor page (GICv2) or frame (GICv3) and, on GICv3, the VM's
// redistributors: one RD_base + SGI_base pair per vCPU at the platform's
// stride, vCPU n's at n strides (its virtual affinity is 0.0.0.n), so the VM
// reaches no redistributor but its own vCPUs'.
// A device's interrupt is passed through to its VM: never an SGI (hv's own
// IPIs, and each VM's are virtual, sent through its distributor) or the
// maintenance PPI (hv's). Refused by name rather than left out, so that a
// config that lists one learns that its VM will not get it.
bool devs_interrupts_ok(const Config& cfg, Error& err) {
    for (std::uint32_t i = 0; i < cfg.vms.size(); ++i) {
        const VmConfig& vm = cfg.vms[i];
        for (std::uint32_t j = 0; j < vm.devs.size(); ++j) {
            for (std::uint32_t k = 0; k < vm.devs[j].interrupts.size(); ++k) {
                const std::uint32_t id = vm.devs[j].interrupts[k];
                if (id >= kNumSgis && id != kMaintenancePpi) {
                    continue;
                }
                fail(err, ErrorCode::Config)
                    << "vms[" << i << "] (\"" << vm.name << "\").devs[" << j << "].interrupts[" << k
                    << "]: interrupt " << id
                    << (id < kNumSgis ? " is an SGI (0-15): SGIs are hv's and each VM's own "
                                        "(virtual, sent through its distributor), never a device's"
                                      : " is the GIC's maintenance interrupt, hv's own");
                return false;
            }
        }
    }
    return true;
}

bool push_emul_regions(Vm& vm, const GicAddrs& a) {
    if (a.gicd == 0) {
        return true;
    }
    if (a.version != GicVersion::V3) {
        return vm.emul.push(EmulRegion{a.gicd, gicd::kFrameSize, &vgicd_access});
    }
    return vm.emul.push(EmulRegion{a.gicd, kGicv3DistSize, &vgicd_access}) &&
           vm.emul.push(EmulRegion{a.gicr, vm.num_vcpus * a.gicr_stride, &vgicr_access});
}

} // namespace

// Runs once at boot: [[gnu::cold]] compiles it for size (docs/real-image.md#section-sizes).
[[gnu::cold]] bool vgic_init(Hypervisor& hv, Error& err) {
    VgicGlobal& glob = hv.vgic();
    const GicAddrs& a = hv.config().platform.gic;
    if (a.version != GicVersion::V2 && a.version != GicVersion::V3) {
        fail(err, ErrorCode::Config) << "platform.gic.version: hv's vGIC drives GICv2 or GICv3";
        return false;
    }
    if (a.version == GicVersion::V3 && (a.gicr == 0 || a.gicr_stride < 2 * kGicrFrameSize)) {
        fail(err, ErrorCode::Config)
            << "platform.gic: a GICv3 needs its redistributors (gicr, gicr_stride >= 0x20000)";
        return false;
    }
    if (!devs_interrupts_ok(hv.config(), err)) {
        return false;
    }
    if (!hv.alloc_hv_page(glob.pa)) {
        fail(err, ErrorCode::NoMemory) << "hyp.colors: no free page for the vGIC";
        return false;
    }
    for (std::uint32_t c = 0; c < kMaxCpus; ++c) {
        Vcpu* vc = hv.vcpu_mut(c);
        if (vc != nullptr) {
            vc->vgic.pa = vc->ctx_pa + kVgicCpuCtxOffset;
        }
    }
    for (std::uint32_t i = 0; i < hv.num_vms(); ++i) {
        Vm& vm = hv.vm_mut(i);
        VgicDist& d = vm.vgicd;
        if (!hv.alloc_hv_page(d.pa)) {
            fail(err, ErrorCode::NoMemory)
                << "hyp.colors: no free page for vms[" << i << "]'s virtual distributor";
            return false;
        }
        d.owned[0] = 0xFFFF'FFFFu; // its SGIs and PPIs (banked, virtual)
        set_bit(d.hw, kVirtualTimerPpi, true);
        for (const DevConfig& dev : vm.cfg->devs) {
            for (const std::uint32_t id : dev.interrupts) {
                if (id >= kFirstSpecial) { // SGIs and the maintenance PPI: refused above
                    continue;
                }
                if (id == hv.config().platform.console_irq) {
                    continue; // a passed-through console's: the virtual UART's, below
                }
                set_bit(d.owned, id, true);
                set_bit(d.hw, id, true);
                if (id >= kNumPrivate) {
                    glob.spi_owner[id] = static_cast<std::uint8_t>(i + 1);
                }
            }
        }
        // Its virtual UART's interrupt (vuart.h): virtual, never hardware.
        const std::uint32_t uart_irq = hv.config().platform.console_irq;
        if (uart_irq >= kNumPrivate && uart_irq < kFirstSpecial) {
            set_bit(d.owned, uart_irq, true);
            set_bit(d.level, uart_irq, true);
        }
        for (const IpcConfig& ipc : vm.cfg->ipcs) {
            for (const std::uint32_t id : ipc.interrupts) {
                if (id < kFirstSpecial) {
                    set_bit(d.owned, id, true);
                }
            }
        }
        for (std::uint32_t id = kNumPrivate; id < kMaxIrqs; ++id) {
            if (bit(d.owned, id)) {
                d.targets[id] = 1; // vCPU 0
            }
        }
        if (!push_emul_regions(vm, a)) {
            fail(err, ErrorCode::Config) << "vms[" << i << "]: too many emulated regions";
            return false;
        }
    }
    return true;
}

// Once per CPU, before its vCPU first runs: compiled for size, as vgic_init.
[[gnu::cold]] void vgic_cpu_init(Hypervisor& hv, Vcpu& vc) {
    Gic g = gic_of(hv);
    VgicGlobal& glob = hv.vgic();
    Vm& vm = hv.vm_mut(vc.vm);
    g.cpu_enable();
    for (std::uint32_t n = 0; n < kNumLrs; ++n) {
        g.lr_clear(n);
        vc.vgic.lr_id[n] = 0;
    }
    g.control(vif::kEnable);
    vc.vgic.hcr = vif::kEnable;
    // Banked: hv's SGI and the maintenance PPI; the VM's hardware PPIs as
    // its virtual distributor has them.
    g.r8(gicd::IPRIORITYR + kHvIpiSgi, kHvIrqPriority);
    g.r8(gicd::IPRIORITYR + kMaintenancePpi, kHvIrqPriority);
    const std::uint32_t ppis = vm.vgicd.hw[0] & kPpiMask;
    for (std::uint32_t id = kNumSgis; id < kNumPrivate; ++id) {
        if (((ppis >> id) & 1u) != 0) {
            g.r8(gicd::IPRIORITYR + id, vc.vgic.priv_prio[id]);
        }
    }
    g.r(gicd::ICENABLER, ppis & ~vc.vgic.priv_enabled);
    g.r(gicd::ISENABLER,
        (1u << kHvIpiSgi) | (1u << kMaintenancePpi) | (ppis & vc.vgic.priv_enabled));
    if (!glob.dist_ready) {
        g.dist_enable();
        glob.dist_ready = true;
    }
    if (!vm.vgicd.phys_ready) {
        // Pass-through SPIs: routed to the CPU of their virtual target,
        // disabled until the guest enables them.
        for (std::uint32_t id = kNumPrivate; id < kMaxIrqs; ++id) {
            if (!bit(vm.vgicd.hw, id)) {
                continue;
            }
            g.d(gicd::ICENABLER + 4 * (id / 32), 1u << (id % 32));
            g.d8(gicd::IPRIORITYR + id, vm.vgicd.prio[id]);
            g.route(id, phys_targets(vm, vm.vgicd.targets[id]));
        }
        vm.vgicd.phys_ready = true;
    }
    flush(hv, vc); // anything raised before this vCPU started
}

} // namespace hv::armv8
