#include "fuzz/oracle.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "fuzz/mappings.h"
#include "hv/arch/armv8/gicv2.h"

namespace hvfuzz {

namespace g2 = hv::armv8::gicv2;

namespace {

constexpr std::uint64_t kPage = 4096;

bool owned(const hv::Vm& vm, std::uint64_t id) {
    return id < hv::armv8::gicv2::kMaxIrqs && ((vm.vgicd.owned[id / 32] >> (id % 32)) & 1u) != 0;
}
bool hw_owned(const hv::Vm& vm, std::uint64_t id) {
    return id < hv::armv8::gicv2::kMaxIrqs && ((vm.vgicd.hw[id / 32] >> (id % 32)) & 1u) != 0;
}

// A list register's virtual and (hardware-linked) physical INTIDs, from
// GICH_LR<n> or ICH_LR<n>_EL2.
struct Lr {
    std::uint64_t raw;
    std::uint64_t vid, pid;
    bool hw;
};
Lr list_register(const FakeGic& gic, std::uint32_t c, std::uint32_t n) {
    namespace ich = hv::armv8::gicv3::ich;
    if (gic.v3) {
        const std::uint64_t lr = gic.cpu[c].lr64[n];
        return {lr, lr & ich::LR_VINTID, (lr & ich::LR_PINTID) >> ich::LR_PINTID_SHIFT,
                (lr & ich::LR_HW) != 0};
    }
    const std::uint32_t lr = gic.cpu[c].lr[n];
    return {lr, lr & g2::gich::LR_VID, (lr >> g2::gich::LR_PID_SHIFT) & g2::gich::LR_VID,
            (lr & g2::gich::LR_HW) != 0};
}

} // namespace

bool Oracle::fail(const std::string& what) {
    violation_ = what;
    return false;
}

void Oracle::snap(std::uint32_t i, VmSnap& s) const {
    const hv::Vm& vm = hv_.vm(i);
    s.state = vm.state;
    s.exit = vm.exit_kind;
    s.vttbr = vm.stage2_base();
    s.ctlr = vm.vgicd.ctlr;
    std::memcpy(s.enabled, vm.vgicd.enabled, sizeof s.enabled);
    std::memcpy(s.group, vm.vgicd.group, sizeof s.group);
    std::memcpy(s.edge, vm.vgicd.edge, sizeof s.edge);
    std::memcpy(s.irm, vm.vgicd.irm, sizeof s.irm);
    std::memcpy(s.prio, vm.vgicd.prio, sizeof s.prio);
    std::memcpy(s.targets, vm.vgicd.targets, sizeof s.targets);
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        const hv::Vcpu& v = *hv_.vcpu_on_cpu(vm.vcpu_cpu[n]);
        VcpuSnap& c = s.vcpus[n];
        c.state = v.state;
        c.boot = v.boot;
        c.priv_enabled = v.vgic.priv_enabled;
        c.priv_group = v.vgic.priv_group;
        c.asleep = v.vgic.asleep;
        std::memcpy(c.priv_prio, v.vgic.priv_prio, sizeof c.priv_prio);
    }
}

void Oracle::before(std::uint32_t cpu) {
    cpu_ = cpu;
    const hv::Vcpu* v = hv_.vcpu_on_cpu(cpu);
    caller_ = v != nullptr ? static_cast<std::int32_t>(v->vm) : -1;
    snaps_.resize(hv_.num_vms());
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        if (static_cast<std::int32_t>(i) != caller_) {
            snap(i, snaps_[i]);
        }
    }
    std::memcpy(gicd_, port_.gic.gicd, sizeof gicd_);
    if (port_.gic.v3) {
        std::memcpy(irouter_, port_.gic.irouter, sizeof irouter_);
    }
    port_.gic.gicr_written = 0;
    cpus_on_ = port_.cpus_on.size();
    cpus_stopped_ = port_.cpus_stopped.size();
    vms_stopped_ = port_.vms_stopped.size();
}

bool Oracle::same_vm(std::uint32_t i, const VmSnap& a, const VmSnap& b) {
    auto who = [&] {
        return "vm " + std::to_string(i) + " (caller: vm " + std::to_string(caller_) + " on cpu " +
               std::to_string(cpu_) + "): ";
    };
    if (a.state != b.state || a.exit != b.exit) {
        return fail(who() + "state changed to " + hv::to_string(b.exit) + " (" +
                    hv_.vm(i).exit_reason + ")");
    }
    if (a.vttbr != b.vttbr) {
        return fail(who() + "stage-2 root changed");
    }
    if (a.ctlr != b.ctlr || std::memcmp(a.enabled, b.enabled, sizeof a.enabled) != 0 ||
        std::memcmp(a.group, b.group, sizeof a.group) != 0 ||
        std::memcmp(a.edge, b.edge, sizeof a.edge) != 0 ||
        std::memcmp(a.irm, b.irm, sizeof a.irm) != 0 ||
        std::memcmp(a.prio, b.prio, sizeof a.prio) != 0 ||
        std::memcmp(a.targets, b.targets, sizeof a.targets) != 0) {
        return fail(who() + "virtual distributor configuration changed");
    }
    for (std::uint32_t n = 0; n < hv_.vm(i).num_vcpus; ++n) {
        const VcpuSnap& x = a.vcpus[n];
        const VcpuSnap& y = b.vcpus[n];
        if (x.state != y.state || x.boot.pc != y.boot.pc || x.boot.x0 != y.boot.x0) {
            return fail(who() + "vcpu " + std::to_string(n) + " changed state or boot registers");
        }
        if (x.priv_enabled != y.priv_enabled || x.priv_group != y.priv_group ||
            x.asleep != y.asleep ||
            std::memcmp(x.priv_prio, y.priv_prio, sizeof x.priv_prio) != 0) {
            return fail(who() + "vcpu " + std::to_string(n) + "'s banked interrupts changed");
        }
    }
    return true;
}

bool Oracle::notifications() {
    const std::uint64_t mine = caller_ >= 0 ? hv_.vm(static_cast<std::uint32_t>(caller_)).cpus : 0;
    for (std::size_t k = cpus_on_; k < port_.cpus_on.size(); ++k) {
        const std::uint32_t c = port_.cpus_on[k];
        if (((mine >> c) & 1u) == 0) {
            return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                        ") powered on cpu " + std::to_string(c) + ", not its VM's");
        }
    }
    for (std::size_t k = cpus_stopped_; k < port_.cpus_stopped.size(); ++k) {
        const std::uint32_t c = port_.cpus_stopped[k];
        if (((mine >> c) & 1u) == 0) {
            return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                        ") stopped cpu " + std::to_string(c) + ", not its VM's");
        }
    }
    for (std::size_t k = vms_stopped_; k < port_.vms_stopped.size(); ++k) {
        if (static_cast<std::int32_t>(port_.vms_stopped[k]) != caller_) {
            return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                        ") stopped vm " + std::to_string(port_.vms_stopped[k]));
        }
    }
    return true;
}

bool Oracle::vgic_within_vms() {
    for (std::uint32_t c = 0; c < hv_.config().platform.cpu_num; ++c) {
        const hv::Vcpu* v = hv_.vcpu_on_cpu(c);
        if (v == nullptr) {
            continue;
        }
        const hv::Vm& vm = hv_.vm(v->vm);
        auto who = [&] {
            return "cpu " + std::to_string(c) + " (vm " + std::to_string(v->vm) + ")";
        };
        for (std::uint32_t k = 0; k < v->vgic.num_pending; ++k) {
            const hv::armv8::VgicPending& e = v->vgic.pending[k];
            if (!owned(vm, e.id) || (e.hw != 0 && !hw_owned(vm, e.id))) {
                return fail(who() + ": interrupt " + std::to_string(e.id) +
                            " pending for a VM that does not own it");
            }
        }
        for (std::uint32_t n = 0; n < g2::kNumLrs; ++n) {
            if (port_.gic.lr_state(c, n) == 0) {
                continue;
            }
            const Lr l = list_register(port_.gic, c, n);
            if (!owned(vm, l.vid) || (l.hw && !hw_owned(vm, l.pid))) {
                return fail(who() + ": list register " + std::to_string(n) + " (" + hex(l.raw) +
                            ") holds an interrupt the VM does not own");
            }
        }
    }
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        const hv::Vm& vm = hv_.vm(i);
        for (std::uint32_t w = 0; w < hv::armv8::kVgicWords; ++w) {
            const auto raised =
                static_cast<std::uint32_t>(vm.virq_pending[w / 2] >> (32 * (w % 2)));
            if ((raised & ~vm.vgicd.owned[w]) != 0) {
                return fail("vm " + std::to_string(i) + ": IPC interrupt raised but not owned (" +
                            "INTIDs " + std::to_string(32 * w) + "+ " + hex(raised) + ")");
            }
        }
    }
    const auto& owner = hv_.vgic().spi_owner;
    for (std::uint32_t w = hv::kFirstSpi / 32; w < hv::armv8::kVgicWords; ++w) {
        std::uint32_t en = port_.gic.gicd[(g2::gicd::ISENABLER + 4 * w) / 4];
        for (; en != 0; en &= en - 1) {
            const std::uint32_t id = 32 * w + static_cast<std::uint32_t>(__builtin_ctz(en));
            if (id >= g2::kFirstSpecial) {
                break;
            }
            if (owner[id] == 0) {
                return fail("physical SPI " + std::to_string(id) + " enabled but owned by no VM");
            }
            const std::uint64_t cpus = hv_.vm(owner[id] - 1u).cpus;
            if ((port_.gic.target(id) & ~cpus) != 0) {
                return fail("physical SPI " + std::to_string(id) + " of vm " +
                            std::to_string(owner[id] - 1u) + " routed to cpus " +
                            hex(port_.gic.target(id)) + " outside it");
            }
        }
    }
    return true;
}

bool Oracle::physical_spis_of_caller() {
    namespace d = g2::gicd;
    // Physical distributor registers a VM's accesses reach, with the bits
    // each interrupt takes.
    struct Reg {
        std::uint32_t base, size, bits;
        const char* name;
    };
    constexpr Reg regs[] = {
        {d::ISENABLER, 0x80, 1, "enable"},  {d::ISPENDR, 0x80, 1, "pending"},
        {d::ISACTIVER, 0x80, 1, "active"},  {d::IPRIORITYR, 0x400, 8, "priority"},
        {d::ITARGETSR, 0x400, 8, "target"}, {d::ICFGR, 0x100, 2, "trigger"}};
    const auto& owner = hv_.vgic().spi_owner;
    if (port_.gic.v3 && std::memcmp(irouter_, port_.gic.irouter, sizeof irouter_) != 0) {
        for (std::uint32_t id = hv::kFirstSpi; id < g2::kMaxIrqs; ++id) {
            if (irouter_[id] != port_.gic.irouter[id] && !caller_owns(id)) {
                return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                            ") changed the physical route of SPI " + std::to_string(id) +
                            " (IROUTER " + hex(port_.gic.irouter[id]) +
                            ", owner: " + owner_name(id) + ")");
            }
        }
    }
    if (std::memcmp(gicd_, port_.gic.gicd, sizeof gicd_) == 0) {
        return true; // most operations leave it alone
    }
    for (const Reg& r : regs) {
        for (std::uint32_t off = r.base; off < r.base + r.size; off += 4) {
            const std::uint32_t before = gicd_[off / 4];
            const std::uint32_t now = port_.gic.gicd[off / 4];
            const std::uint32_t changed = before ^ now;
            if (changed == 0) {
                continue;
            }
            for (std::uint32_t bit = 0; bit < 32; bit += r.bits) {
                const std::uint32_t mask = (r.bits == 32 ? ~0u : ((1u << r.bits) - 1)) << bit;
                if ((changed & mask) == 0) {
                    continue;
                }
                const std::uint32_t id = (off - r.base) * 8 / r.bits + bit / r.bits;
                if (id < hv::kFirstSpi) {
                    continue; // banked per CPU: the caller's own
                }
                const bool mine = caller_owns(id);
                // hv disables an SPI whose owner cannot take it (none, or
                // stopped) when it fires: no storm, and no running VM loses.
                const bool idle_owner =
                    owner[id] == 0 || hv_.vm(owner[id] - 1u).state != hv::VmState::Running;
                const bool disabled_unowned =
                    idle_owner && r.base == d::ISENABLER && (now & mask) == 0;
                if (!mine && !disabled_unowned) {
                    return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                                ") changed the physical " + r.name + " state of SPI " +
                                std::to_string(id) + " (owner: " + owner_name(id) + ")");
                }
            }
        }
    }
    return true;
}

bool Oracle::caller_owns(std::uint32_t spi) const {
    return caller_ >= 0 && hv_.vgic().spi_owner[spi] == static_cast<std::uint32_t>(caller_) + 1;
}

std::string Oracle::owner_name(std::uint32_t spi) const {
    const std::uint32_t o = hv_.vgic().spi_owner[spi];
    return o == 0 ? std::string("none") : "vm " + std::to_string(o - 1u);
}

// hv reaches a redistributor only for the CPU it runs on, and through
// CPU_ON for a CPU of the caller's VM (its cpu_init).
bool Oracle::redistributors_of_caller() {
    const std::uint64_t mine =
        caller_ >= 0 ? hv_.vm(static_cast<std::uint32_t>(caller_)).cpus : std::uint64_t{1} << cpu_;
    const std::uint64_t foreign = port_.gic.gicr_written & ~mine;
    if (foreign != 0) {
        return fail("cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) +
                    ") wrote the redistributor of cpu " + std::to_string(__builtin_ctzll(foreign)) +
                    ", not its VM's");
    }
    return true;
}

bool Oracle::after() {
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        if (static_cast<std::int32_t>(i) == caller_) {
            continue;
        }
        VmSnap now;
        snap(i, now);
        if (!same_vm(i, snaps_[i], now)) {
            return false;
        }
    }
    if (!notifications() || !vgic_within_vms() || !physical_spis_of_caller() ||
        !redistributors_of_caller()) {
        return false;
    }
    return port_.hv_writes.generation == checked_writes_ || check_mappings();
}

bool Oracle::check_mappings() {
    checked_writes_ = port_.hv_writes.generation;
    const hv::Config& cfg = hv_.config();
    RunList runs;
    std::vector<std::uint64_t> hv_pages(port_.hv_writes.pages);
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        const hv::Vm& vm = hv_.vm(i);
        hv_pages.push_back(vm.vgicd.pa / kPage);
        hvtest::ref_for_each_mapping(
            port_, vm.stage2.root(),
            [&](std::uint64_t ipa, std::uint64_t pa, std::uint64_t size, unsigned attr) {
                runs.add(i, *vm.cfg, ipa, pa, size, (attr & 0xc) == 0); // MemAttr[3:2] 0: Device
            },
            [&](std::uint64_t pa) { hv_pages.push_back(pa / kPage); });
    }
    for (std::uint32_t c = 0; c < cfg.platform.cpu_num; ++c) {
        if (const hv::Vcpu* v = hv_.vcpu_on_cpu(c)) {
            hv_pages.push_back(v->ctx_pa / kPage);
        }
    }
    hv_pages.push_back(hv_.vgic().pa / kPage);
    const hv::GicAddrs& g = cfg.platform.gic;
    const bool v3 = g.version == hv::GicVersion::V3;
    const Frame frames[] = {{g.gicd, v3 ? hv::kGicv3DistSize : hv::kGicdFrameSize, "GICD"},
                            {g.gicc, 0x2000, "GICC"},
                            {g.gich, 0x1000, "GICH"},
                            {cfg.platform.console_pa, 0x1000, "the console"},
                            {g.gicr, v3 ? cfg.platform.cpu_num * g.gicr_stride : 0, "GICR"}};
    const std::string broke = check_runs(cfg, runs.runs(), hv_pages, frames);
    return broke.empty() || fail(broke);
}

} // namespace hvfuzz
