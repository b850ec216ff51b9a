// RISC-V's implementation of the hooks hv/core calls (hv/arch/arch.h).
#include "hv/arch/arch.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypervisor.h"

namespace hv::inline HV_ARCH_NS::arch {

bool init(Hypervisor& hv, Error& err) {
    return riscv64::vplic_init(hv, err);
}

// The hart enters its guest with the VM's G-stage (hgatp), the guest's own
// exceptions and VS interrupts delegated to it, WFI trapped, no virtual
// interrupt pending yet, and guest time equal to the hart's.
void cpu_init(Hypervisor& hv, Vcpu& vcpu) {
    riscv64::RvPort& port = hv.arch_port();
    const Vm& vm = hv.vm(vcpu.vm);
    port.csr_write(riscv64::Csr::hgatp, vm.stage2_base());
    port.csr_write(riscv64::Csr::hedeleg, riscv64::kHedelegGuest);
    port.csr_write(riscv64::Csr::hideleg, riscv64::kHidelegGuest);
    port.csr_write(riscv64::Csr::hstatus, riscv64::kHstatusGuest);
    port.csr_write(riscv64::Csr::hcounteren, riscv64::kHcounterenGuest);
    port.csr_write(riscv64::Csr::htimedelta, 0);
    port.csr_write(riscv64::Csr::hvip, 0);
    port.hfence_gvma(vm.vmid);
    riscv64::vplic_cpu_init(hv, vcpu);
}

void virq_raise(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    riscv64::vplic_raise(hv, vm, id);
    if (hv.port().wants(EventKind::Inject)) { // to the VM's vPLIC: no vCPU chosen yet
        hv.port().event({EventKind::Inject, vm.id, 0, {id, 0, 0, 1}});
    }
}

void virq_lower(Hypervisor& hv, Vm& vm, std::uint32_t id) {
    riscv64::vplic_lower(hv, vm, id);
}

} // namespace hv::inline HV_ARCH_NS::arch
