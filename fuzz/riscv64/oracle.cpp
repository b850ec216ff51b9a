#include "fuzz/riscv64/oracle.h"

#include <cstring>

#include "fuzz/mappings.h"

namespace hvfuzz::rv {

namespace {

namespace plic = hv::riscv64::plic;
constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kRootPages = 4; // Sv39x4: a 16 KiB root

// Every leaf of the Sv39x4 tables rooted at `root` (the privileged spec's
// format, not hv's code): GPA[40:30] indexes a 2048-entry root, then
// GPA[29:21] and GPA[20:12]; a PTE with R, W or X is a leaf, which the
// G-stage uses only with U set; PPN is PTE[53:10]. f(gpa, pa, size, x);
// table pages (the root's four included) go to table(pa).
template <typename Leaf, typename Table>
void for_each_gstage_leaf(hvtest::FakePort& mem, std::uint64_t root, Leaf&& f, Table&& table) {
    auto visit = [&](auto& self, std::uint64_t table_pa, unsigned entries, unsigned shift,
                     std::uint64_t gpa_base) -> void {
        std::vector<std::uint64_t> d(entries);
        mem.mem_read(table_pa, d.data(), entries * 8);
        const std::uint64_t span = 1ull << shift;
        for (unsigned i = 0; i < entries; ++i) {
            const std::uint64_t pte = d[i];
            const std::uint64_t pa = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
            if ((pte & 1) == 0) {
                continue;
            }
            if ((pte & 0xe) == 0) {
                if (shift > 12) {
                    table(pa);
                    self(self, pa, 512, shift - 9, gpa_base + i * span);
                }
                continue;
            }
            if ((pte & 0x10) != 0 && (pte & 0x6) != 0x4) { // U set, not W without R
                f(gpa_base + i * span, pa & ~(span - 1), span, (pte & 0x8) != 0);
            }
        }
    };
    for (std::uint64_t k = 0; k < kRootPages; ++k) {
        table(root + k * kPage);
    }
    visit(visit, root, 2048, 30, 0);
}

bool subset(const std::uint32_t* a, const std::uint32_t* of, std::uint32_t words,
            std::uint32_t& first) {
    for (std::uint32_t w = 0; w < words; ++w) {
        if ((a[w] & ~of[w]) != 0) {
            first = 32 * w + static_cast<std::uint32_t>(__builtin_ctz(a[w] & ~of[w]));
            return false;
        }
    }
    return true;
}

} // namespace

bool Oracle::fail(const std::string& what) {
    violation_ = what;
    return false;
}

std::string Oracle::who() const {
    return "cpu " + std::to_string(cpu_) + " (vm " + std::to_string(caller_) + ")";
}

void Oracle::snap(std::uint32_t i, VmSnap& s) const {
    const hv::Vm& vm = hv_.vm(i);
    const hv::riscv64::Vplic& v = vm.vgicd;
    s.state = vm.state;
    s.exit = vm.exit_kind;
    s.hgatp = vm.stage2_base();
    std::memcpy(s.owned, v.owned, sizeof s.owned);
    std::memcpy(s.hw, v.hw, sizeof s.hw);
    std::memcpy(s.enabled, v.enabled, sizeof s.enabled);
    std::memcpy(s.threshold, v.threshold, sizeof s.threshold);
    std::memcpy(s.prio, v.prio, sizeof s.prio);
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        const hv::Vcpu& c = *hv_.vcpu_on_cpu(vm.vcpu_cpu[n]);
        s.vcpus[n] = {c.state, c.boot};
    }
}

void Oracle::before(std::uint32_t cpu) {
    cpu_ = cpu;
    const hv::Vcpu* v = hv_.vcpu_on_cpu(cpu);
    caller_ = v != nullptr ? static_cast<std::int32_t>(v->vm) : -1;
    caller_cpus_ = v != nullptr ? hv_.vm(v->vm).cpus : std::uint64_t{1} << cpu;
    snaps_.resize(hv_.num_vms());
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        if (static_cast<std::int32_t>(i) != caller_) {
            snap(i, snaps_[i]);
        }
    }
    dev_ = port_.dev;
    cpus_on_ = port_.mem.cpus_on.size();
    cpus_stopped_ = port_.mem.cpus_stopped.size();
    vms_stopped_ = port_.mem.vms_stopped.size();
    vvmas_ = port_.vvmas.size();
    fence_is_ = port_.fence_is.size();
    gvmas_ = port_.gvmas.size();
    dev_writes_ = port_.dev_writes.size();
}

bool Oracle::same_vm(std::uint32_t i, const VmSnap& a, const VmSnap& b) {
    const std::string vm = "vm " + std::to_string(i) + " (caller: " + who() + "): ";
    if (a.state != b.state || a.exit != b.exit) {
        return fail(vm + "state changed to " + hv::to_string(b.exit) + " (" +
                    hv_.vm(i).exit_reason + ")");
    }
    if (a.hgatp != b.hgatp) {
        return fail(vm + "G-stage root changed");
    }
    if (std::memcmp(a.owned, b.owned, sizeof a.owned) != 0 ||
        std::memcmp(a.hw, b.hw, sizeof a.hw) != 0 ||
        std::memcmp(a.enabled, b.enabled, sizeof a.enabled) != 0 ||
        std::memcmp(a.threshold, b.threshold, sizeof a.threshold) != 0 ||
        std::memcmp(a.prio, b.prio, sizeof a.prio) != 0) {
        return fail(vm + "virtual PLIC configuration changed");
    }
    for (std::uint32_t n = 0; n < hv_.vm(i).num_vcpus; ++n) {
        const VcpuSnap& x = a.vcpus[n];
        const VcpuSnap& y = b.vcpus[n];
        if (x.state != y.state || x.boot.pc != y.boot.pc || x.boot.x0 != y.boot.x0) {
            return fail(vm + "vcpu " + std::to_string(n) + " changed state or boot registers");
        }
    }
    return true;
}

bool Oracle::notifications() {
    const hvtest::FakePort& m = port_.mem;
    for (std::size_t k = cpus_on_; k < m.cpus_on.size(); ++k) {
        if (((caller_cpus_ >> m.cpus_on[k]) & 1u) == 0) {
            return fail(who() + " powered on cpu " + std::to_string(m.cpus_on[k]) +
                        ", not its VM's");
        }
    }
    for (std::size_t k = cpus_stopped_; k < m.cpus_stopped.size(); ++k) {
        if (((caller_cpus_ >> m.cpus_stopped[k]) & 1u) == 0 || caller_ < 0) {
            return fail(who() + " stopped cpu " + std::to_string(m.cpus_stopped[k]) +
                        ", not its VM's");
        }
    }
    for (std::size_t k = vms_stopped_; k < m.vms_stopped.size(); ++k) {
        if (static_cast<std::int32_t>(m.vms_stopped[k]) != caller_) {
            return fail(who() + " stopped vm " + std::to_string(m.vms_stopped[k]));
        }
    }
    return true;
}

bool Oracle::fences() {
    const std::uint32_t vmid =
        caller_ >= 0 ? hv_.vm(static_cast<std::uint32_t>(caller_)).vmid : ~0u;
    for (std::size_t k = vvmas_; k < port_.vvmas.size(); ++k) {
        const auto& [cpus, id, va, size] = port_.vvmas[k];
        if ((cpus & ~caller_cpus_) != 0 || id != vmid) {
            return fail(who() + " fenced VMID " + std::to_string(id) +
                        "'s guest translations on cpus " + hex(cpus));
        }
    }
    for (std::size_t k = fence_is_; k < port_.fence_is.size(); ++k) {
        if ((port_.fence_is[k] & ~caller_cpus_) != 0) {
            return fail(who() + " fenced the instruction caches of cpus " + hex(port_.fence_is[k]));
        }
    }
    for (std::size_t k = gvmas_; k < port_.gvmas.size(); ++k) {
        if (port_.gvmas[k] != vmid) {
            return fail(who() + " fenced VMID " + std::to_string(port_.gvmas[k]) + "'s G-stage");
        }
    }
    return true;
}

bool Oracle::vplic_within_vms() {
    const hv::riscv64::VplicGlobal& g = hv_.vgic();
    for (std::uint32_t i = 0; i < hv_.num_vms(); ++i) {
        const hv::Vm& vm = hv_.vm(i);
        const hv::riscv64::Vplic& v = vm.vgicd;
        const std::string name = "vm " + std::to_string(i) + ": ";
        std::uint32_t id = 0;
        if (!subset(v.pending, v.owned, plic::kWords, id) ||
            !subset(v.active, v.owned, plic::kWords, id)) {
            return fail(name + "source " + std::to_string(id) + " pending or claimed, not owned");
        }
        for (std::uint32_t n = 0; n < hv::kMaxCpus; ++n) {
            if (!subset(v.enabled[n], v.owned, plic::kWords, id)) {
                return fail(name + "source " + std::to_string(id) + " enabled in context " +
                            std::to_string(n) + ", not owned");
            }
        }
        if (!subset(v.hw, v.owned, plic::kWords, id)) {
            return fail(name + "hardware source " + std::to_string(id) + " not owned");
        }
        for (std::uint32_t w = 0; w < plic::kWords; ++w) {
            for (std::uint32_t bits = v.hw[w]; bits != 0; bits &= bits - 1) {
                id = 32 * w + static_cast<std::uint32_t>(__builtin_ctz(bits));
                if (g.owner[id] != i + 1) {
                    return fail(name + "backs source " + std::to_string(id) +
                                " by another's device");
                }
            }
            const auto raised =
                static_cast<std::uint32_t>(vm.virq_pending[w / 2] >> (32 * (w % 2)));
            if ((raised & ~v.owned[w]) != 0) {
                return fail(name + "IPC interrupt raised but not owned (sources " +
                            std::to_string(32 * w) + "+ " + hex(raised) + ")");
            }
        }
        for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
            const std::uint32_t c = vm.vcpu_cpu[n];
            const std::uint64_t hgatp = port_.csr(c, hv::riscv64::Csr::hgatp);
            if (hgatp != 0 && hgatp != vm.stage2_base()) {
                return fail("cpu " + std::to_string(c) + " of " + name + "runs with hgatp " +
                            hex(hgatp) + ", not its VM's");
            }
        }
    }
    return true;
}

bool Oracle::plic_write_allowed(std::uint64_t pa, std::uint32_t value, std::string& why) const {
    const std::uint64_t base = port_.plic;
    const auto old = dev_.find(pa);
    const std::uint32_t before = old != dev_.end() ? old->second : 0;
    const hv::riscv64::VplicGlobal& g = hv_.vgic();
    auto mine = [&](std::uint32_t id) {
        return id < plic::kMaxSources && caller_ >= 0 && g.owner[id] == caller_ + 1;
    };
    auto idle_owner = [&](std::uint32_t id) {
        return id >= plic::kMaxSources || g.owner[id] == 0 ||
               hv_.vm(g.owner[id] - 1u).state != hv::VmState::Running;
    };
    if (pa < base || pa >= base + plic::kSize) {
        why = "a device register outside the PLIC";
        return false;
    }
    const std::uint64_t off = pa - base;
    if (off < plic::kPending) {
        why = "source " + std::to_string(off / 4) + "'s priority";
        return before == value || mine(static_cast<std::uint32_t>(off / 4));
    }
    if (off < plic::kEnable) {
        why = "a pending word";
        return false;
    }
    const bool enables = off < plic::kContext;
    const std::uint64_t rel = enables ? off - plic::kEnable : off - plic::kContext;
    const std::uint64_t context = rel / (enables ? plic::kEnableStride : plic::kContextStride);
    const std::uint32_t hart = static_cast<std::uint32_t>(context / 2);
    why = "context " + std::to_string(context) + (enables ? "'s enables" : "'s registers");
    if (context % 2 == 0 || hart >= hv::kMaxCpus || ((caller_cpus_ >> hart) & 1u) == 0) {
        return before == value;
    }
    if (enables) {
        const std::uint32_t first =
            static_cast<std::uint32_t>(32 * ((rel % plic::kEnableStride) / 4));
        for (std::uint32_t changed = before ^ value; changed != 0; changed &= changed - 1) {
            const std::uint32_t bit = static_cast<std::uint32_t>(__builtin_ctz(changed));
            const bool disabled = ((value >> bit) & 1u) == 0;
            if (!mine(first + bit) && !(disabled && idle_owner(first + bit))) {
                why += ": source " + std::to_string(first + bit);
                return false;
            }
        }
        return true;
    }
    if (rel % plic::kContextStride == plic::kClaim) {
        why += ": completed source " + std::to_string(value);
        return mine(value) || idle_owner(value);
    }
    return true; // the threshold of one of the caller's contexts
}

bool Oracle::physical_plic_of_caller() {
    for (std::size_t k = dev_writes_; k < port_.dev_writes.size(); ++k) {
        const auto [pa, value] = port_.dev_writes[k];
        std::string why;
        if (!plic_write_allowed(pa, value, why)) {
            return fail(who() + " wrote " + hex(value) + " to the physical PLIC at " + hex(pa) +
                        " (" + why + ")");
        }
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
    if (!notifications() || !fences() || !vplic_within_vms() || !physical_plic_of_caller()) {
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
        for_each_gstage_leaf(
            port_.mem, vm.stage2.root(),
            [&](std::uint64_t gpa, std::uint64_t pa, std::uint64_t size, bool x) {
                runs.add(i, *vm.cfg, gpa, pa, size, !x); // a device mapping is never executable
            },
            [&](std::uint64_t pa) { hv_pages.push_back(pa / kPage); });
    }
    for (std::uint32_t c = 0; c < cfg.platform.cpu_num; ++c) {
        if (const hv::Vcpu* v = hv_.vcpu_on_cpu(c)) {
            hv_pages.push_back(v->ctx_pa / kPage);
        }
    }
    hv_pages.push_back(hv_.vgic().pa / kPage);
    const Frame frames[] = {{cfg.platform.gic.gicd, plic::kSize, "the PLIC"},
                            {cfg.platform.console_pa, 0x1000, "the console"}};
    const std::string broke = check_runs(cfg, runs.runs(), hv_pages, frames);
    return broke.empty() || fail(broke);
}

} // namespace hvfuzz::rv
