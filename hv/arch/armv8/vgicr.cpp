// GICv3: the VM's redistributors. A VM sees one RD_base + SGI_base frame
// pair per vCPU, vCPU n's at n strides above the platform's GICR base (its
// virtual affinity is 0.0.0.n, vmpidr()), and no other: the emulated region
// ends after its last vCPU (GICR_TYPER.Last), so an access beyond it is a
// stage-2 fault like any other unmapped IPA. RD_base: TYPER, WAKER (kept per
// vCPU, so a guest's wake-up handshake completes), CTLR and STATUSR RAZ/WI (no
// LPIs), the identification registers with ArchRev 3. SGI_base: the banked
// SGI/PPI registers, emulated by the distributor's code (private_access).
#include "hv/arch/armv8/vgic_internal.h"

namespace hv::armv8 {

using namespace vgic_detail;

namespace {

std::uint64_t typer(const Vm& vm, std::uint32_t n) {
    using namespace gicv3::gicr;
    std::uint64_t v = (static_cast<std::uint64_t>(n) << TYPER_AFF_SHIFT) |
                      (static_cast<std::uint64_t>(n) << TYPER_PROC_SHIFT);
    if (n + 1 == vm.num_vcpus) {
        v |= TYPER_LAST;
    }
    return v;
}

// RD_base of vCPU `vc` (the n-th of its VM).
bool rd_access(Hypervisor& hv, Vm& vm, Vcpu& vc, std::uint32_t off, std::uint32_t size,
               bool is_write, std::uint64_t& value) {
    using namespace gicv3::gicr;
    VgicDist& d = vm.vgicd;
    if (off == TYPER || off == TYPER + 4) { // 64-bit, or by 32-bit halves
        if (is_write || (size == 8 && off != TYPER)) {
            ++d.ignored;
            value = 0;
            return true;
        }
        const std::uint64_t t = typer(vm, vc.id);
        value = size == 8 ? t : off == TYPER ? t & 0xFFFF'FFFFull : t >> 32;
        return true;
    }
    if (size != 4 || (off & 3) != 0) {
        ++d.ignored;
        value = 0;
        return true;
    }
    if (off == WAKER) {
        if (is_write) {
            vc.vgic.asleep = (value & WAKER_PROCESSOR_SLEEP) != 0 ? 1 : 0;
            touch(hv.port(), vc.vgic, vc.vgic.asleep, sizeof vc.vgic.asleep, true);
        } else {
            value = vc.vgic.asleep != 0 ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
        }
        return true;
    }
    if (is_write) {
        ++d.ignored; // CTLR (no LPIs), read-only and reserved registers
        return true;
    }
    if (off == PIDR2) {
        value = gicv3::kPidr2ArchRev3;
    } else if (off == IIDR || (off >= gicv3::gicd::PIDR4 && off <= gicv3::gicd::CIDR3)) {
        value = gic_of(hv).d(off); // identification: the physical GIC's
    } else {
        value = 0; // CTLR, STATUSR, reserved
    }
    return true;
}

} // namespace

bool vgicr_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value) {
    Vcpu* cur = hv.vcpu_mut(hv.port().cpu_id());
    const std::uint64_t stride = hv.config().platform.gic.gicr_stride;
    const std::uint64_t n = offset / stride;
    if (cur == nullptr || cur->vm != vm.id || n >= vm.num_vcpus) {
        return false;
    }
    Vcpu& vc = *hv.vcpu_mut(vm.vcpu_cpu[n]);
    VgicDist& d = vm.vgicd;
    ++d.traps;
    touch(hv.port(), d, d.ctlr, sizeof d.ctlr, false);
    const auto off = static_cast<std::uint32_t>(offset % stride);
    if (off < kGicrFrameSize) {
        return rd_access(hv, vm, vc, off, size, is_write, value);
    }
    if (off < 2 * kGicrFrameSize) {
        return private_access(hv, vm, vc, &vc == cur,
                              off - static_cast<std::uint32_t>(kGicrFrameSize), size, is_write,
                              value);
    }
    ++d.ignored; // beyond the two frames (a wider stride): reserved
    value = 0;
    return true;
}

} // namespace hv::armv8
