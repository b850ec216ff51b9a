#include "hv/arch/armv8/psci.h"

#include "hv/arch/armv8/sysregs.h"
#include "hv/core/hypervisor.h"

namespace hv::armv8 {
namespace {

std::uint64_t ret(std::int64_t v) {
    return static_cast<std::uint64_t>(v);
}

bool supported(std::uint32_t fid) {
    switch (fid) {
    case psci::VERSION:
    case psci::CPU_SUSPEND:
    case psci::CPU_SUSPEND64:
    case psci::CPU_OFF:
    case psci::CPU_ON:
    case psci::CPU_ON64:
    case psci::AFFINITY_INFO:
    case psci::AFFINITY_INFO64:
    case psci::MIGRATE_INFO_TYPE:
    case psci::SYSTEM_OFF:
    case psci::FEATURES:
        return true;
    default:
        return false;
    }
}

std::int64_t cpu_on(Hypervisor& hv, Vm& vm, VcpuRegs& regs, bool is64) {
    const std::uint64_t mask = is64 ? ~0ull : 0xffff'ffffull;
    Vcpu* t = vcpu_by_affinity(hv, vm, regs.x[1] & mask);
    if (t == nullptr) {
        return psci::INVALID_PARAMETERS;
    }
    if (t->state == VcpuState::Running || t->state == VcpuState::Idle) {
        return psci::ALREADY_ON;
    }
    const std::uint64_t entry = regs.x[2] & mask;
    if (!hv.walk(vm.id, entry).valid) {
        return psci::INVALID_ADDRESS;
    }
    t->boot = VcpuBoot{entry, regs.x[3] & mask};
    t->state = VcpuState::Running;
    hv.port().cpu_on(t->cpu);
    return psci::SUCCESS;
}

std::int64_t affinity_info(Hypervisor& hv, Vm& vm, VcpuRegs& regs, bool is64) {
    const std::uint64_t mask = is64 ? ~0ull : 0xffff'ffffull;
    // Only level 0 (a single CPU) is meaningful with one CPU per cluster slot.
    if ((regs.x[2] & mask) != 0) {
        return psci::INVALID_PARAMETERS;
    }
    const Vcpu* t = vcpu_by_affinity(hv, vm, regs.x[1] & mask);
    if (t == nullptr) {
        return psci::INVALID_PARAMETERS;
    }
    return t->state == VcpuState::Running || t->state == VcpuState::Idle ? psci::AFF_ON
                                                                         : psci::AFF_OFF;
}

} // namespace

Vcpu* vcpu_by_affinity(Hypervisor& hv, Vm& vm, std::uint64_t mpidr) {
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        Vcpu* vc = hv.vcpu_mut(vm.vcpu_cpu[n]);
        if (vc != nullptr && ((vc->vmpidr ^ mpidr) & kMpidrAffMask) == 0) {
            return vc;
        }
    }
    return nullptr;
}

TrapAction psci_call(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs) {
    const auto fid = static_cast<std::uint32_t>(regs.x[0]);
    switch (fid) {
    case psci::VERSION:
        regs.x[0] = psci::VERSION_1_1;
        return TrapAction::Resume;
    case psci::FEATURES:
        regs.x[0] = ret(supported(static_cast<std::uint32_t>(regs.x[1])) ? psci::SUCCESS
                                                                         : psci::NOT_SUPPORTED);
        return TrapAction::Resume;
    case psci::CPU_SUSPEND:
    case psci::CPU_SUSPEND64:
        // Standby only: equivalent to WFI; the vCPU resumes on an interrupt.
        regs.x[0] = ret(psci::SUCCESS);
        vcpu.state = VcpuState::Idle;
        hv.port().cpu_idle();
        return TrapAction::Idle;
    case psci::CPU_OFF:
        vcpu.state = VcpuState::Off;
        hv.port().cpu_stop(vcpu.cpu);
        return TrapAction::VcpuOff;
    case psci::CPU_ON:
    case psci::CPU_ON64:
        regs.x[0] = ret(cpu_on(hv, vm, regs, fid == psci::CPU_ON64));
        return TrapAction::Resume;
    case psci::AFFINITY_INFO:
    case psci::AFFINITY_INFO64:
        regs.x[0] = ret(affinity_info(hv, vm, regs, fid == psci::AFFINITY_INFO64));
        return TrapAction::Resume;
    case psci::MIGRATE_INFO_TYPE:
        regs.x[0] = 2; // no trusted OS: migration not required
        return TrapAction::Resume;
    case psci::SYSTEM_OFF: {
        Fmt(vm.exit_reason, kExitReasonLen) << "vm " << vm.id << " (\"" << vm.name() << "\") core "
                                            << vcpu.cpu << ": powered off (PSCI SYSTEM_OFF)";
        hv.stop_vm(vm, ExitKind::PowerOff);
        return TrapAction::VmStopped;
    }
    default:
        regs.x[0] = ret(psci::NOT_SUPPORTED);
        return TrapAction::Resume;
    }
}

} // namespace hv::armv8
