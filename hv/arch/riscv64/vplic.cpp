#include "hv/arch/riscv64/vplic.h"

#include "hv/arch/riscv64/csr.h"
#include "hv/core/hypervisor.h"
#include "hv/core/vuart.h"

namespace hv::riscv64 {

static_assert(sizeof(VcpuRegs) <= kVplicCpuCtxOffset, "VplicCpu would overlap the saved registers");
static_assert(kVplicCpuCtxOffset + sizeof(VplicCpu) <= kPageSize, "VplicCpu must fit the ctx page");
static_assert(sizeof(Vplic) <= kPageSize, "Vplic must fit one page");
static_assert(sizeof(VplicGlobal) <= kPageSize, "VplicGlobal must fit one page");

namespace {

void lock(std::uint32_t& l) {
    while (__atomic_exchange_n(&l, 1u, __ATOMIC_ACQUIRE) != 0) {
    }
}
void unlock(std::uint32_t& l) {
    __atomic_store_n(&l, 0u, __ATOMIC_RELEASE);
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

// Cost accounting: the bytes of a record hv touches (docs/design.md#hv-cost).
template <typename S, typename F>
void touch(Port& p, const S& s, const F& field, std::size_t len, bool is_write) {
    const auto off = static_cast<std::uint64_t>(reinterpret_cast<const char*>(&field) -
                                                reinterpret_cast<const char*>(&s));
    p.account(s.pa + off, len, is_write);
}

std::uint64_t phys_plic(Hypervisor& hv) {
    return hv.config().platform.gic.gicd;
}
std::uint64_t phys_ctx_reg(Hypervisor& hv, std::uint32_t hart, std::uint64_t reg) {
    return phys_plic(hv) + plic::kContext + plic::kContextStride * plic::s_context(hart) + reg;
}

void phys_enable(Hypervisor& hv, std::uint32_t hart, std::uint32_t id, bool on) {
    Port& p = hv.port();
    const std::uint64_t at =
        phys_plic(hv) + plic::kEnable + plic::kEnableStride * plic::s_context(hart) + 4 * (id / 32);
    std::uint32_t w = static_cast<std::uint32_t>(p.dev_read(at, 4));
    w = on ? (w | (1u << (id % 32))) : (w & ~(1u << (id % 32)));
    p.dev_write(at, 4, w);
}

void own(Vplic& v, std::uint32_t id, bool hw) {
    if (id == 0 || id >= plic::kMaxSources) {
        return;
    }
    set_bit(v.owned, id, true);
    if (hw) {
        set_bit(v.hw, id, true);
    }
}

void set_hvip(RvPort& p, std::uint64_t bits, bool on) {
    const std::uint64_t old = p.csr_read(Csr::hvip);
    const std::uint64_t now = on ? (old | bits) : (old & ~bits);
    if (now != old) {
        p.csr_write(Csr::hvip, now);
    }
}

// VSEIP of every hart of `vm`: directly here, by hv's IPI elsewhere.
void update_lines(Hypervisor& hv, Vm& vm) {
    const std::uint32_t here = hv.port().cpu_id();
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        Vcpu* vc = hv.vcpu_mut(vm.vcpu_cpu[n]);
        if (vc == nullptr || vc->state == VcpuState::Stopped) {
            continue;
        }
        if (vc->cpu == here) {
            vplic_sync_line(hv, *vc);
        } else if (vc->state != VcpuState::Off) {
            __atomic_store_n(&vc->vgic.want_resync, 1u, __ATOMIC_RELEASE);
            hv.port().send_ipi(vc->cpu, kHvIpiMsg);
        }
    }
}

// The virtual hart of S context `ctx`, or -1 for an M context or one beyond
// the VM's harts (both ignored, as Bao's vplic_vcntxt_valid does).
int ctx_hart(const Vm& vm, std::uint64_t ctx) {
    if ((ctx & 1) == 0 || ctx / 2 >= vm.num_vcpus) {
        return -1;
    }
    return static_cast<int>(ctx / 2);
}

bool complete(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    Vplic& v = vm.vgicd;
    if (id == 0 || id >= plic::kMaxSources || !bit(v.owned, id) || !bit(v.active, id)) {
        ++v.ignored; // the PLIC ignores a completion of a source not claimed
        return false;
    }
    set_bit(v.active, id, false);
    if (bit(v.hw, id)) {
        hv.port().dev_write(phys_ctx_reg(hv, v.hw_hart, plic::kClaim), 4, id);
    }
    return true;
}

// Threshold and claim/complete of a context; `completed` is the source a
// complete write finished (0 if none), for the caller to resample.
void context_access(Hypervisor& hv, Vm& vm, std::uint64_t off, bool is_write, std::uint64_t& value,
                    std::uint32_t& completed) {
    Vplic& v = vm.vgicd;
    const std::uint64_t ctx = off / plic::kContextStride;
    const std::uint64_t reg = off % plic::kContextStride;
    const int n = ctx_hart(vm, ctx);
    if (n < 0 || (reg != plic::kThreshold && reg != plic::kClaim)) {
        ++v.ignored;
        value = 0;
        return;
    }
    touch(hv.port(), v, v.threshold[n], 4, is_write);
    if (reg == plic::kThreshold) {
        if (is_write) {
            v.threshold[n] = static_cast<std::uint32_t>(value) & plic::kPrioMask;
        } else {
            value = v.threshold[n];
        }
        return;
    }
    touch(hv.port(), v, v.pending, sizeof v.pending + sizeof v.active, is_write);
    if (is_write) {
        const auto id = static_cast<std::uint32_t>(value);
        if (complete(hv, vm, id)) {
            completed = id;
        }
        return;
    }
    value = vplic_best(vm, static_cast<std::uint32_t>(n));
    if (value != 0) {
        set_bit(v.pending, static_cast<std::uint32_t>(value), false);
        set_bit(v.active, static_cast<std::uint32_t>(value), true);
        ++v.claims;
    }
}

} // namespace

const char* to_string(IrqOutcome o) {
    switch (o) {
    case IrqOutcome::Spurious:
        return "spurious";
    case IrqOutcome::Injected:
        return "injected";
    case IrqOutcome::Ipi:
        return "ipi";
    case IrqOutcome::Timer:
        return "timer";
    case IrqOutcome::Unowned:
        return "unowned";
    }
    return "?";
}

std::uint32_t vplic_best(const Vm& vm, std::uint32_t vhart) {
    const Vplic& v = vm.vgicd;
    if (vhart >= vm.num_vcpus) {
        return 0;
    }
    std::uint32_t best = 0, best_prio = 0;
    for (std::uint32_t w = 0; w < plic::kWords; ++w) {
        const std::uint32_t cand = v.pending[w] & ~v.active[w] & v.enabled[vhart][w] & v.owned[w];
        // Not __builtin_ctz: without Zbb it is a libgcc call the image does not link.
        for (std::uint32_t i = 0; cand != 0 && i < 32; ++i) {
            const std::uint32_t id = w * 32 + i;
            if (((cand >> i) & 1u) != 0 && v.prio[id] > best_prio) {
                best = id;
                best_prio = v.prio[id];
            }
        }
    }
    return best_prio > v.threshold[vhart] ? best : 0;
}

void vplic_sync_line(Hypervisor& hv, Vcpu& vcpu) {
    RvPort& p = hv.arch_port();
    const Vm& vm = hv.vm(vcpu.vm);
    const bool want = vplic_best(vm, vcpu.id) != 0;
    const bool had = (p.csr_read(Csr::hvip) & kVseip) != 0;
    if (want && !had) {
        ++vcpu.vgic.ext_raised;
    }
    set_hvip(p, kVseip, want);
}

void send_vssip(Hypervisor& hv, Vcpu& vcpu) {
    ++vcpu.vgic.sbi_ipis;
    if (vcpu.cpu == hv.port().cpu_id()) {
        set_hvip(hv.arch_port(), kVssip, true);
        return;
    }
    __atomic_store_n(&vcpu.vgic.want_ssip, 1u, __ATOMIC_RELEASE);
    hv.port().send_ipi(vcpu.cpu, kHvIpiMsg);
}

namespace {

// The common validation protects only the four interrupt-controller frames
// it knows (GICv2's sizes); the PLIC spans 64 MiB. No VM may pass through any
// of the physical PLIC, nor map anything where its virtual PLIC must trap.
bool plic_window_clear(const Config& cfg, Error& err) {
    const std::uint64_t plic = cfg.platform.gic.gicd;
    for (std::uint32_t i = 0; i < cfg.vms.size(); ++i) {
        const VmConfig& v = cfg.vms[i];
        auto clash = [&](const char* what, std::uint32_t j, std::uint64_t base, std::uint64_t size,
                         const char* which) {
            fail(err, ErrorCode::Config)
                << "vms[" << i << "]." << what << "[" << j << "]: [" << Hex{base} << ", "
                << Hex{base + size} << ") overlaps the " << which << " PLIC at [" << Hex{plic}
                << ", " << Hex{plic + plic::kSize} << ")";
            return false;
        };
        for (std::uint32_t j = 0; j < v.devs.size(); ++j) {
            const DevConfig& d = v.devs[j];
            if (ranges_overlap(d.pa, d.size, plic, plic::kSize)) {
                return clash("devs", j, d.pa, d.size, "physical");
            }
            if (ranges_overlap(d.va, d.size, plic, plic::kSize)) {
                return clash("devs", j, d.va, d.size, "virtual");
            }
        }
        for (std::uint32_t j = 0; j < v.regions.size(); ++j) {
            const RegionConfig& r = v.regions[j];
            if (ranges_overlap(r.base, r.size, plic, plic::kSize)) {
                return clash("regions", j, r.base, r.size, "virtual");
            }
        }
        for (std::uint32_t j = 0; j < v.ipcs.size(); ++j) {
            const IpcConfig& c = v.ipcs[j];
            if (ranges_overlap(c.base, c.size, plic, plic::kSize)) {
                return clash("ipcs", j, c.base, c.size, "virtual");
            }
        }
    }
    return true;
}

// The common validation lets every VM list interrupts below 32 (a GIC's
// SGIs and PPIs are banked per CPU); every PLIC source is global, so a
// pass-through source has one owner (Bao refuses a second assignment too).
bool sources_exclusive(const Config& cfg, Error& err) {
    std::uint8_t owner[plic::kMaxSources]{}; // VM index + 1
    for (std::uint32_t i = 0; i < cfg.vms.size(); ++i) {
        const VmConfig& v = cfg.vms[i];
        for (std::uint32_t j = 0; j < v.devs.size(); ++j) {
            for (std::uint32_t k = 0; k < v.devs[j].interrupts.size(); ++k) {
                const std::uint32_t id = v.devs[j].interrupts[k];
                if (id == 0 || id >= plic::kMaxSources) {
                    continue;
                }
                if (owner[id] != 0 && owner[id] != i + 1) {
                    fail(err, ErrorCode::Config)
                        << "vms[" << i << "].devs[" << j << "].interrupts[" << k
                        << "]: PLIC source " << id << " is already owned by vms[" << owner[id] - 1u
                        << "] (\"" << cfg.vms[owner[id] - 1u].name << "\")";
                    return false;
                }
                owner[id] = static_cast<std::uint8_t>(i + 1);
            }
        }
    }
    return true;
}

} // namespace

bool vplic_init(Hypervisor& hv, Error& err) {
    const Config& cfg = hv.config();
    if (!plic_window_clear(cfg, err) || !sources_exclusive(cfg, err)) {
        return false;
    }
    VplicGlobal& g = hv.vgic();
    if (!hv.alloc_hv_page(g.pa)) {
        fail(err, ErrorCode::NoMemory) << "hyp.colors: no free page for the vPLIC's global state";
        return false;
    }
    for (std::uint32_t i = 0; i < hv.num_vms(); ++i) {
        Vm& vm = hv.vm_mut(i);
        Vplic& v = vm.vgicd;
        if (!hv.alloc_hv_page(v.pa)) {
            fail(err, ErrorCode::NoMemory)
                << "hyp.colors: no free page for vms[" << i << "]'s vPLIC";
            return false;
        }
        v.hw_hart = vm.vcpu_cpu[0];
        for (const DevConfig& d : vm.cfg->devs) {
            for (const std::uint32_t id : d.interrupts) {
                own(v, id, true);
                if (id != 0 && id < plic::kMaxSources) {
                    g.owner[id] = static_cast<std::uint8_t>(i + 1);
                }
            }
        }
        for (const IpcConfig& c : vm.cfg->ipcs) {
            for (const std::uint32_t id : c.interrupts) {
                own(v, id, false);
            }
        }
        own(v, cfg.platform.console_irq, false);
        for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
            Vcpu& vc = *hv.vcpu_mut(vm.vcpu_cpu[n]);
            vc.vgic = VplicCpu{};
            vc.vgic.pa = vc.ctx_pa + kVplicCpuCtxOffset;
        }
        vm.emul.push(EmulRegion{cfg.platform.gic.gicd, plic::kSize, &vplic_access});
    }
    return true;
}

void vplic_cpu_init(Hypervisor& hv, Vcpu& vcpu) {
    Port& p = hv.port();
    VplicGlobal& g = hv.vgic();
    p.dev_write(phys_ctx_reg(hv, vcpu.cpu, plic::kThreshold), 4, 0);
    // A hart started late finds what its context already has pending.
    vplic_sync_line(hv, vcpu);
    if (__atomic_exchange_n(&g.plic_ready, 1u, __ATOMIC_ACQ_REL) != 0) {
        return;
    }
    for (std::uint32_t id = 1; id < plic::kMaxSources; ++id) {
        if (g.owner[id] == 0) {
            continue;
        }
        const Vm& vm = hv.vm(g.owner[id] - 1u);
        p.dev_write(phys_plic(hv) + plic::kPriority + 4 * id, 4, 1);
        phys_enable(hv, vm.vgicd.hw_hart, id, true);
    }
}

bool vplic_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value) {
    Vplic& v = vm.vgicd;
    Port& p = hv.port();
    std::uint32_t completed = 0;
    lock(v.lock);
    ++v.traps;
    touch(p, v, v.traps, sizeof v.traps, true);
    if (size != 4 || (offset & 3) != 0) {
        ++v.ignored;
        value = 0;
        unlock(v.lock);
        return true;
    }
    if (!is_write) {
        value = 0;
    }
    if (offset < plic::kPending) {
        const auto id = static_cast<std::uint32_t>(offset / 4);
        touch(p, v, v.prio[id], 1, is_write);
        if (id == 0 || !bit(v.owned, id)) {
            ++v.ignored;
        } else if (is_write) {
            v.prio[id] = static_cast<std::uint8_t>(value & plic::kPrioMask);
        } else {
            value = v.prio[id];
        }
    } else if (offset < plic::kEnable) {
        const std::uint64_t w = (offset - plic::kPending) / 4;
        if (w < plic::kWords && !is_write) {
            touch(p, v, v.pending[w], 4, false);
            value = v.pending[w] & v.owned[w];
        }
    } else if (offset < plic::kContext) {
        const std::uint64_t rel = offset - plic::kEnable;
        const int n = ctx_hart(vm, rel / plic::kEnableStride);
        const std::uint64_t w = (rel % plic::kEnableStride) / 4;
        if (n < 0 || w >= plic::kWords) {
            ++v.ignored;
        } else if (is_write) {
            // Sources the VM does not own stay disabled whatever it writes.
            v.enabled[n][w] = static_cast<std::uint32_t>(value) & v.owned[w];
            touch(p, v, v.enabled[n][w], 4, true);
        } else {
            value = v.enabled[n][w];
        }
    } else {
        context_access(hv, vm, offset - plic::kContext, is_write, value, completed);
    }
    unlock(v.lock);
    if (is_write || offset >= plic::kContext) {
        update_lines(hv, vm);
    }
    // A level source (the virtual UART) still high at its completion is
    // pending again, as a PLIC gateway would make it.
    if (completed != 0 && completed == hv.config().platform.console_irq) {
        vuart_resample(hv, vm);
    }
    return true;
}

void vplic_raise(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    Vplic& v = vm.vgicd;
    if (id == 0 || id >= plic::kMaxSources || !bit(v.owned, id)) {
        return;
    }
    lock(v.lock);
    set_bit(v.pending, id, true);
    ++v.injected;
    touch(hv.port(), v, v.pending[id / 32], 4, true);
    unlock(v.lock);
    update_lines(hv, vm);
}

void vplic_lower(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    Vplic& v = vm.vgicd;
    if (id == 0 || id >= plic::kMaxSources || !bit(v.owned, id)) {
        return;
    }
    lock(v.lock);
    set_bit(v.pending, id, false);
    unlock(v.lock);
    update_lines(hv, vm);
}

IrqOutcome handle_irq(Hypervisor& hv, std::uint64_t cause) {
    RvPort& p = hv.arch_port();
    Vcpu* vc = hv.vcpu_mut(p.cpu_id());
    switch (cause) {
    case cause::SupervisorSoft:
        if (vc != nullptr) {
            ++vc->vgic.ipis;
            if (__atomic_exchange_n(&vc->vgic.want_ssip, 0u, __ATOMIC_ACQ_REL) != 0) {
                set_hvip(p, kVssip, true);
            }
            if (__atomic_exchange_n(&vc->vgic.want_resync, 0u, __ATOMIC_ACQ_REL) != 0) {
                vplic_sync_line(hv, *vc);
            }
        }
        return IrqOutcome::Ipi;
    case cause::SupervisorTimer:
        // The guest's SBI set_timer armed it: the guest sees its own timer
        // interrupt until it sets the next deadline.
        p.set_timer(~0ull);
        if (vc != nullptr) {
            ++vc->vgic.timer_irqs;
            set_hvip(p, kVstip, true);
        }
        return IrqOutcome::Timer;
    default:
        break;
    }
    const std::uint32_t cpu = p.cpu_id();
    const auto id = static_cast<std::uint32_t>(p.dev_read(phys_ctx_reg(hv, cpu, plic::kClaim), 4));
    VplicGlobal& g = hv.vgic();
    if (id == 0 || id >= plic::kMaxSources) {
        ++g.spurious;
        return IrqOutcome::Spurious;
    }
    const std::uint8_t owner = g.owner[id];
    if (owner == 0 || hv.vm(owner - 1u).state != VmState::Running) {
        phys_enable(hv, cpu, id, false);
        p.dev_write(phys_ctx_reg(hv, cpu, plic::kClaim), 4, id);
        ++g.unowned;
        return IrqOutcome::Unowned;
    }
    vplic_raise(hv, hv.vm_mut(owner - 1u), id);
    return IrqOutcome::Injected;
}

} // namespace hv::riscv64
