// Armv8-A's implementation of the hooks hv/core calls (hv/arch/arch.h).
#include "hv/arch/arch.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypervisor.h"

namespace hv::inline HV_ARCH_NS::arch {

bool init(Hypervisor& hv, Error& err) {
    // Each vCPU's MPIDR as Bao presents it, now that its VM's size is known.
    for (std::uint32_t c = 0; c < kMaxCpus; ++c) {
        if (Vcpu* vc = hv.vcpu_mut(c)) {
            vc->vmpidr = armv8::vmpidr(vc->id, hv.vm(vc->vm).num_vcpus);
        }
    }
    return armv8::vgic_init(hv, err);
}

void cpu_init(Hypervisor& hv, Vcpu& vcpu) {
    armv8::ArmPort& port = hv.arch_port();
    const Vm& vm = hv.vm(vcpu.vm);
    port.sysreg_write(armv8::SysReg::VTCR_EL2, armv8::kVtcr);
    port.sysreg_write(armv8::SysReg::VTTBR_EL2, vm.stage2_base());
    port.sysreg_write(armv8::SysReg::HCR_EL2, armv8::kHcrGuest);
    port.sysreg_write(armv8::SysReg::VMPIDR_EL2, vcpu.vmpidr);
    armv8::vgic_cpu_init(hv, vcpu);
}

void virq_raise(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    armv8::vgic_raise(hv, vm, id);
}

void virq_lower(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    armv8::vgic_lower(hv, vm, id);
}

} // namespace hv::inline HV_ARCH_NS::arch
