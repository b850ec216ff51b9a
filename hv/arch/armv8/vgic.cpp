#include "hv/arch/armv8/vgic.h"

#include "hv/core/hypervisor.h"

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

namespace {

constexpr std::uint32_t kPpiMask = 0xFFFF'0000u;
constexpr std::uint32_t kIcfgrSgi = 0xAAAA'AAAAu; // SGIs edge, fixed
constexpr std::uint32_t kIcfgrPpi = 0;            // PPIs level, fixed

// --- Locking: a vCPU's pending set is filled by other CPUs ---------------
void lock(std::uint32_t& l) {
    while (__atomic_exchange_n(&l, 1u, __ATOMIC_ACQUIRE) != 0) {
    }
}
void unlock(std::uint32_t& l) {
    __atomic_store_n(&l, 0u, __ATOMIC_RELEASE);
}

// --- Cost accounting (decision 11) ----------------------------------------
template <typename S, typename F>
void touch(Port& p, const S& s, const F& field, std::size_t len, bool is_write) {
    const auto off = static_cast<std::uint64_t>(reinterpret_cast<const char*>(&field) -
                                                reinterpret_cast<const char*>(&s));
    p.account(s.pa + off, len, is_write);
}

bool bit(const std::uint32_t* words, std::uint32_t id) {
    return ((words[id / 32] >> (id % 32)) & 1u) != 0;
}
void set_bit(std::uint32_t* words, std::uint32_t id, bool v) {
    if (v) {
        words[id / 32] |= 1u << (id % 32);
    } else {
        words[id / 32] &= ~(1u << (id % 32));
    }
}

// --- Physical GIC access through the port -----------------------------------
struct Gic {
    Port& p;
    const GicAddrs& a;
    std::uint32_t d(std::uint32_t off) {
        return static_cast<std::uint32_t>(p.dev_read(a.gicd + off, 4));
    }
    void d(std::uint32_t off, std::uint32_t v) { p.dev_write(a.gicd + off, 4, v); }
    void d8(std::uint32_t off, std::uint8_t v) { p.dev_write(a.gicd + off, 1, v); }
    std::uint32_t c(std::uint32_t off) {
        return static_cast<std::uint32_t>(p.dev_read(a.gicc + off, 4));
    }
    void c(std::uint32_t off, std::uint32_t v) { p.dev_write(a.gicc + off, 4, v); }
    std::uint32_t h(std::uint32_t off) {
        return static_cast<std::uint32_t>(p.dev_read(a.gich + off, 4));
    }
    void h(std::uint32_t off, std::uint32_t v) { p.dev_write(a.gich + off, 4, v); }
    std::uint32_t lr(std::uint32_t n) { return h(gich::LR0 + 4 * n); }
    void lr(std::uint32_t n, std::uint32_t v) { h(gich::LR0 + 4 * n, v); }
};

Gic gic_of(Hypervisor& hv) {
    return Gic{hv.port(), hv.config().platform.gic};
}

// --- Virtual distributor queries -------------------------------------------
std::uint8_t prio_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    return id < kNumPrivate ? vc.vgic.priv_prio[id] : vm.vgicd.prio[id];
}
bool enabled_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    if ((vm.vgicd.ctlr & gicd::CTLR_EN) == 0) {
        return false;
    }
    return id < kNumPrivate ? ((vc.vgic.priv_enabled >> id) & 1u) != 0 : bit(vm.vgicd.enabled, id);
}
bool group1_of(const Vm& vm, const Vcpu& vc, std::uint32_t id) {
    return id < kNumPrivate ? ((vc.vgic.priv_group >> id) & 1u) != 0 : bit(vm.vgicd.group, id);
}

// The vCPU an SPI of `vm` goes to: the one on `cpu` if it is a target, else
// the lowest-numbered target, else vCPU 0.
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

// --- The pending set and the list registers --------------------------------
void remove_pending(VgicCpu& c, std::uint32_t k) {
    c.pending[k] = c.pending[c.num_pending - 1];
    --c.num_pending;
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
    std::uint32_t free = g.h(gich::ELRSR0) & ((1u << kNumLrs) - 1);
    std::uint32_t lrv[kNumLrs]{};
    bool lr_known[kNumLrs]{};
    auto lr_val = [&](std::uint32_t n) {
        if (!lr_known[n]) {
            lrv[n] = g.lr(n);
            lr_known[n] = true;
        }
        return lrv[n];
    };
    auto write_lr = [&](std::uint32_t n, const VgicPending& e, std::uint8_t prio) {
        const std::uint32_t v =
            gich::make_lr(e.id, prio, group1_of(vm, vc, e.id), e.hw != 0, e.src);
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
            const std::uint32_t v = lr_val(n);
            if ((v & gich::LR_STATE_MASK) == gich::LR_ACTIVE && (v & gich::LR_HW) == 0) {
                g.lr(n, v | gich::LR_PENDING);
                lrv[n] = v | gich::LR_PENDING;
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
            const std::uint32_t v = lr_val(n);
            if ((v & gich::LR_STATE_MASK) == gich::LR_PENDING && gich::lr_prio(v) > victim_prio) {
                victim = static_cast<std::int32_t>(n);
                victim_prio = gich::lr_prio(v);
            }
        }
        if (victim < 0) {
            waiting = true;
            break;
        }
        const auto n = static_cast<std::uint32_t>(victim);
        const VgicPending evicted{c.lr_id[n], c.lr_src[n],
                                  static_cast<std::uint8_t>((lrv[n] & gich::LR_HW) != 0)};
        write_lr(n, e, static_cast<std::uint8_t>(best_prio));
        c.pending[best] = evicted;
    }
    std::uint32_t hcr = gich::HCR_EN;
    if (waiting) {
        hcr |= gich::HCR_UIE;
        for (std::uint32_t n = 0; n < kNumLrs; ++n) {
            if ((lr_val(n) & gich::LR_PENDING) != 0) {
                hcr |= gich::HCR_NPIE; // no storm while every list register is active
                break;
            }
        }
    }
    if (hcr != c.hcr) {
        g.h(gich::HCR, hcr);
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

// --- Distributor emulation ---------------------------------------------------

// Bits of word `n` of a set/clear register the VM's current vCPU can see.
std::uint32_t visible(const Vm& vm, std::uint32_t n) {
    return vm.vgicd.owned[n];
}

// The list registers of the current CPU holding `id` (with any source).
template <typename F> void for_lrs_with(Hypervisor& hv, Vcpu& vc, std::uint32_t id, F&& f) {
    Gic g = gic_of(hv);
    const std::uint32_t free = g.h(gich::ELRSR0);
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
    const std::uint32_t free = g.h(gich::ELRSR0);
    for (std::uint32_t l = 0; l < kNumLrs; ++l) {
        if (((free >> l) & 1u) == 0 && vc.vgic.lr_id[l] / 32 == n &&
            (g.lr(l) & gich::LR_PENDING) != 0) {
            v |= 1u << (vc.vgic.lr_id[l] % 32);
        }
    }
    if (vm.vgicd.hw[n] != 0) { // pending in the physical distributor, not yet taken
        v |= g.d(gicd::ISPENDR + 4 * n) & vm.vgicd.hw[n];
    }
    return v & mask;
}

std::uint32_t read_active(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t n) {
    Gic g = gic_of(hv);
    const std::uint32_t free = g.h(gich::ELRSR0);
    std::uint32_t v = 0;
    for (std::uint32_t l = 0; l < kNumLrs; ++l) {
        if (((free >> l) & 1u) == 0 && vc.vgic.lr_id[l] / 32 == n &&
            (g.lr(l) & gich::LR_ACTIVE) != 0) {
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
        gic_of(hv).d((set ? gicd::ISENABLER : gicd::ICENABLER) + 4 * n, hw);
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
        g.d((set ? gicd::ISPENDR : gicd::ICPENDR) + 4 * n, hw);
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
                        g.c(gicc::DIR, id);
                    }
                    remove_pending(x.vgic, k);
                } else {
                    ++k;
                }
            }
            unlock(x.vgic.lock);
        }
        for_lrs_with(hv, vc, id, [&](std::uint32_t l, std::uint32_t v) {
            if ((v & gich::LR_STATE_MASK) == gich::LR_PENDING) {
                g.lr(l, 0);
                if ((v & gich::LR_HW) != 0) {
                    g.c(gicc::DIR, id);
                }
            } else if ((v & gich::LR_STATE_MASK) == (gich::LR_PENDING | gich::LR_ACTIVE)) {
                g.lr(l, v & ~gich::LR_PENDING);
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
        for_lrs_with(hv, vc, id, [&](std::uint32_t l, std::uint32_t v) {
            if (set) {
                g.lr(l, v | gich::LR_ACTIVE);
            } else if ((v & gich::LR_ACTIVE) != 0) {
                g.lr(l, v & ~gich::LR_ACTIVE);
                if ((v & gich::LR_HW) != 0) {
                    g.c(gicc::DIR, id);
                }
            }
        });
    }
    if (!set && (bits & vm.vgicd.hw[n]) != 0) {
        g.d(gicd::ICACTIVER + 4 * n, bits & vm.vgicd.hw[n]);
    }
}

std::uint8_t phys_targets(const Vm& vm, std::uint8_t vmask) {
    std::uint8_t t = 0;
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        if (((vmask >> n) & 1u) != 0) {
            t = static_cast<std::uint8_t>(t | (1u << vm.vcpu_cpu[n]));
        }
    }
    return t;
}

// One byte of IPRIORITYR / ITARGETSR.
std::uint32_t byte_read(Vm& vm, Vcpu& vc, bool targets, std::uint32_t id) {
    if (id >= kMaxIrqs || !bit(vm.vgicd.owned, id)) {
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
        const auto valid = static_cast<std::uint8_t>((1u << vm.num_vcpus) - 1);
        if ((v & ~valid) != 0) {
            ++d.ignored;
        }
        d.targets[id] = static_cast<std::uint8_t>(v & valid);
        touch(hv.port(), d, d.targets[id], 1, true);
        if (hw) {
            g.d8(gicd::ITARGETSR + id, phys_targets(vm, d.targets[id]));
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
    if (hw) {
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
            v |= byte_read(vm, vc, targets, id0 + b) << (8 * b);
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

} // namespace

// --- Entry points --------------------------------------------------------------

void vgic_inject(Hypervisor& hv, Vcpu& vc, std::uint32_t id, std::uint32_t src, bool hw) {
    if (!add_pending(hv, vc, id, src, hw)) {
        if (hw) {
            gic_of(hv).c(gicc::DIR, id); // never leave the physical one active
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
    const std::uint32_t iar = g.c(gicc::IAR);
    const std::uint32_t id = iar & gicc::IAR_ID;
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
        g.c(gicc::EOIR, iar);
        g.c(gicc::DIR, iar);
        if (vc != nullptr) {
            ++vc->vgic.ipis;
            flush(hv, *vc);
        }
        out = IrqOutcome::Ipi;
    } else if (id == kMaintenancePpi) {
        if (vc != nullptr) {
            ++vc->vgic.maintenance;
            touch(p, vc->vgic, vc->vgic.maintenance, sizeof vc->vgic.maintenance, true);
            flush(hv, *vc); // the level drops once the list registers are refilled
        }
        g.c(gicc::EOIR, iar);
        g.c(gicc::DIR, iar);
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
            g.c(gicc::EOIR, iar); // priority drop; the guest's EOI deactivates (HW link)
            vgic_inject(hv, *target, id, 0, true);
            out = IrqOutcome::Injected;
        } else {
            g.c(gicc::EOIR, iar);
            g.c(gicc::DIR, iar);
            g.d(gicd::ICENABLER + 4 * (id / 32), 1u << (id % 32)); // no storm
            ++glob.unowned;
        }
    }
    if (vc != nullptr) {
        p.account(vc->ctx_pa, sizeof(VcpuRegs), false); // and restores them
    }
    return out;
}

bool vgic_init(Hypervisor& hv, Error& err) {
    VgicGlobal& glob = hv.vgic();
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
    const GicAddrs& a = hv.config().platform.gic;
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
                if (id < kNumSgis || id == kMaintenancePpi || id >= kFirstSpecial) {
                    continue; // SGIs and the maintenance PPI are hv's
                }
                set_bit(d.owned, id, true);
                set_bit(d.hw, id, true);
                if (id >= kNumPrivate) {
                    glob.spi_owner[id] = static_cast<std::uint8_t>(i + 1);
                }
            }
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
        if (a.gicd != 0 && !vm.emul.push(EmulRegion{a.gicd, gicd::kFrameSize, &vgicd_access})) {
            fail(err, ErrorCode::Config) << "vms[" << i << "]: too many emulated regions";
            return false;
        }
    }
    return true;
}

void vgic_cpu_init(Hypervisor& hv, Vcpu& vc) {
    Gic g = gic_of(hv);
    VgicGlobal& glob = hv.vgic();
    Vm& vm = hv.vm_mut(vc.vm);
    g.c(gicc::CTLR, gicc::CTLR_EN | gicc::CTLR_EOIMODE);
    g.c(gicc::PMR, 0xFF);
    g.c(gicc::BPR, 0);
    for (std::uint32_t n = 0; n < kNumLrs; ++n) {
        g.lr(n, 0);
        vc.vgic.lr_id[n] = 0;
    }
    g.h(gich::HCR, gich::HCR_EN);
    vc.vgic.hcr = gich::HCR_EN;
    // Banked: hv's SGI and the maintenance PPI; the VM's hardware PPIs as
    // its virtual distributor has them.
    g.d8(gicd::IPRIORITYR + kHvIpiSgi, kHvIrqPriority);
    g.d8(gicd::IPRIORITYR + kMaintenancePpi, kHvIrqPriority);
    const std::uint32_t ppis = vm.vgicd.hw[0] & kPpiMask;
    for (std::uint32_t id = kNumSgis; id < kNumPrivate; ++id) {
        if (((ppis >> id) & 1u) != 0) {
            g.d8(gicd::IPRIORITYR + id, vc.vgic.priv_prio[id]);
        }
    }
    g.d(gicd::ICENABLER, ppis & ~vc.vgic.priv_enabled);
    g.d(gicd::ISENABLER,
        (1u << kHvIpiSgi) | (1u << kMaintenancePpi) | (ppis & vc.vgic.priv_enabled));
    if (!glob.dist_ready) {
        g.d(gicd::CTLR, gicd::CTLR_EN);
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
            g.d8(gicd::ITARGETSR + id, phys_targets(vm, vm.vgicd.targets[id]));
        }
        vm.vgicd.phys_ready = true;
    }
    flush(hv, vc); // anything raised before this vCPU started
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

} // namespace hv::armv8
