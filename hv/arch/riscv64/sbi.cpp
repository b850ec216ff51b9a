#include "hv/arch/riscv64/sbi.h"

#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypercall.h"
#include "hv/core/hypervisor.h"

namespace hv::riscv64 {
namespace {

struct SbiRet {
    std::int64_t error = sbi::SUCCESS;
    std::uint64_t value = 0;
};

std::uint64_t arg(const VcpuRegs& regs, unsigned n) {
    return regs.x[reg::a0 + n];
}

bool is_on(const Vcpu& vc) {
    return vc.state == VcpuState::Running || vc.state == VcpuState::Idle;
}

bool supported_ext(std::uint64_t ext) {
    switch (ext) {
    case sbi::EXT_BASE:
    case sbi::EXT_TIME:
    case sbi::EXT_IPI:
    case sbi::EXT_RFENCE:
    case sbi::EXT_HSM:
    case sbi::EXT_SRST:
    case sbi::EXT_BAO:
        return true;
    default:
        return false;
    }
}

SbiRet base(std::uint64_t fid, const VcpuRegs& regs) {
    switch (fid) {
    case sbi::GET_SPEC_VERSION:
        return {sbi::SUCCESS, sbi::kSpecVersion};
    case sbi::GET_IMPL_ID:
        return {sbi::SUCCESS, sbi::kImplId};
    case sbi::GET_IMPL_VERSION:
        return {sbi::SUCCESS, sbi::kImplVersion};
    case sbi::PROBE_EXTENSION:
        return {sbi::SUCCESS, supported_ext(arg(regs, 0)) ? 1u : 0u};
    case sbi::GET_MVENDORID:
    case sbi::GET_MARCHID:
    case sbi::GET_MIMPID:
        return {sbi::SUCCESS, 0}; // the guest learns nothing of the machine
    default:
        return {sbi::ERR_NOT_SUPPORTED, 0};
    }
}

// The guest's timer: its deadline becomes the hart's supervisor timer, and
// its pending timer interrupt is withdrawn (SBI: set_timer clears it).
SbiRet time(Hypervisor& hv, std::uint64_t fid, const VcpuRegs& regs) {
    if (fid != 0) {
        return {sbi::ERR_NOT_SUPPORTED, 0};
    }
    RvPort& p = hv.arch_port();
    p.csr_write(Csr::hvip, p.csr_read(Csr::hvip) & ~kVstip);
    p.set_timer(arg(regs, 0));
    return {};
}

SbiRet ipi(Hypervisor& hv, Vm& vm, std::uint64_t fid, const VcpuRegs& regs) {
    if (fid != 0) {
        return {sbi::ERR_NOT_SUPPORTED, 0};
    }
    std::uint64_t vharts = 0;
    if (!sbi_hart_mask(vm, arg(regs, 0), arg(regs, 1), vharts)) {
        return {sbi::ERR_INVALID_PARAM, 0};
    }
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        if (bit_test(vharts, n)) {
            send_vssip(hv, *hv.vcpu_mut(vm.vcpu_cpu[n]));
        }
    }
    return {};
}

std::uint64_t phys_harts(const Vm& vm, std::uint64_t vharts) {
    std::uint64_t m = 0;
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        if (bit_test(vharts, n)) {
            m |= 1ull << vm.vcpu_cpu[n];
        }
    }
    return m;
}

// Remote fences on the VM's own harts: a guest's sfence.vma is an
// HFENCE.VVMA of its VMID there (it cannot reach another VM's translations).
SbiRet rfence(Hypervisor& hv, Vm& vm, std::uint64_t fid, const VcpuRegs& regs) {
    if (fid != sbi::REMOTE_FENCE_I && fid != sbi::REMOTE_SFENCE_VMA &&
        fid != sbi::REMOTE_SFENCE_VMA_ASID) {
        return {sbi::ERR_NOT_SUPPORTED, 0}; // the HFENCE calls are for hypervisors
    }
    std::uint64_t vharts = 0;
    if (!sbi_hart_mask(vm, arg(regs, 0), arg(regs, 1), vharts)) {
        return {sbi::ERR_INVALID_PARAM, 0};
    }
    RvPort& p = hv.arch_port();
    const std::uint64_t cpus = phys_harts(vm, vharts);
    if (fid == sbi::REMOTE_FENCE_I) {
        p.fence_i(cpus);
        return {};
    }
    std::uint64_t start = arg(regs, 2), size = arg(regs, 3);
    if ((start == 0 && size == 0) || size == ~0ull) {
        size = ~0ull; // the whole address space
        start = 0;
    } else if (size > ~0ull - start) {
        return {sbi::ERR_INVALID_ADDRESS, 0};
    }
    // An ASID-qualified fence is done for every ASID: more than asked, never less.
    p.hfence_vvma(cpus, vm.vmid, start, size);
    return {};
}

// SBI HSM: hart_start(hartid, start_addr, opaque): the target starts at
// start_addr with a0 = its hart id and a1 = opaque (VcpuBoot's x0).
SbiRet hart_start(Hypervisor& hv, Vm& vm, const VcpuRegs& regs) {
    const std::uint64_t vh = arg(regs, 0);
    if (vh >= vm.num_vcpus) {
        return {sbi::ERR_INVALID_PARAM, 0};
    }
    Vcpu& t = *hv.vcpu_mut(vm.vcpu_cpu[vh]);
    if (is_on(t)) {
        return {sbi::ERR_ALREADY_AVAILABLE, 0};
    }
    if (t.state == VcpuState::Stopped) {
        return {sbi::ERR_FAILED, 0};
    }
    const std::uint64_t entry = arg(regs, 1);
    if (!hv.walk(vm.id, entry).valid) {
        return {sbi::ERR_INVALID_ADDRESS, 0};
    }
    t.boot = VcpuBoot{entry, arg(regs, 2)};
    t.state = VcpuState::Running;
    hv.port().cpu_on(t.cpu);
    return {};
}

SbiRet hart_status(Hypervisor& hv, Vm& vm, const VcpuRegs& regs) {
    const std::uint64_t vh = arg(regs, 0);
    if (vh >= vm.num_vcpus) {
        return {sbi::ERR_INVALID_PARAM, 0};
    }
    const Vcpu& t = *hv.vcpu_mut(vm.vcpu_cpu[vh]);
    return {sbi::SUCCESS,
            static_cast<std::uint64_t>(is_on(t) ? sbi::HSM_STARTED : sbi::HSM_STOPPED)};
}

// Only the default retentive suspend: as WFI, the hart resumes after the
// ECALL on an interrupt. Reserved types are invalid; the rest (non-retentive,
// platform-specific) are valid types hv does not support.
std::int64_t suspend_error(std::uint64_t type) {
    if (type == sbi::SUSPEND_RETENTIVE) {
        return sbi::SUCCESS;
    }
    const bool reserved = type > 0xffff'ffffull || (type >= 0x1 && type <= 0x0fff'ffff) ||
                          (type >= 0x8000'0001 && type <= 0x8fff'ffff);
    return reserved ? sbi::ERR_INVALID_PARAM : sbi::ERR_NOT_SUPPORTED;
}

TrapAction hsm(Hypervisor& hv, Vm& vm, Vcpu& vcpu, std::uint64_t fid, VcpuRegs& regs, SbiRet& r) {
    switch (fid) {
    case sbi::HART_START:
        r = hart_start(hv, vm, regs);
        return TrapAction::Resume;
    case sbi::HART_STOP:
        vcpu.state = VcpuState::Off;
        hv.port().cpu_stop(vcpu.cpu);
        return TrapAction::VcpuOff;
    case sbi::HART_GET_STATUS:
        r = hart_status(hv, vm, regs);
        return TrapAction::Resume;
    case sbi::HART_SUSPEND:
        r.error = suspend_error(arg(regs, 0));
        if (r.error != sbi::SUCCESS) {
            return TrapAction::Resume;
        }
        vcpu.state = VcpuState::Idle;
        hv.port().cpu_idle();
        return TrapAction::Idle;
    default:
        r.error = sbi::ERR_NOT_SUPPORTED;
        return TrapAction::Resume;
    }
}

// SRST: a shutdown is this VM's power-off (PSCI SYSTEM_OFF's twin); the
// machine ends when the last VM stops (Port::power_off, on the target an SBI
// shutdown to the firmware). Reboots are valid requests hv does not do.
TrapAction srst(Hypervisor& hv, Vm& vm, Vcpu& vcpu, std::uint64_t fid, const VcpuRegs& regs,
                SbiRet& r) {
    const std::uint64_t type = arg(regs, 0), reason = arg(regs, 1);
    if (fid != sbi::SYSTEM_RESET) {
        r.error = sbi::ERR_NOT_SUPPORTED;
        return TrapAction::Resume;
    }
    const bool type_ok =
        type <= sbi::RESET_WARM_REBOOT || (type >= 0xf000'0000 && type <= 0xffff'ffff);
    const bool reason_ok =
        reason <= sbi::REASON_SYSTEM_FAILURE || (reason >= 0xe000'0000 && reason <= 0xffff'ffff);
    if (!type_ok || !reason_ok) {
        r.error = sbi::ERR_INVALID_PARAM;
        return TrapAction::Resume;
    }
    if (type != sbi::RESET_SHUTDOWN) {
        r.error = sbi::ERR_NOT_SUPPORTED;
        return TrapAction::Resume;
    }
    Fmt(vm.exit_reason, kExitReasonLen)
        << "vm " << vm.id << " (\"" << vm.name() << "\") core " << vcpu.cpu
        << ": powered off (SBI SRST shutdown"
        << (reason == sbi::REASON_SYSTEM_FAILURE ? ", system failure)" : ")");
    hv.stop_vm(vm, ExitKind::PowerOff);
    return TrapAction::VmStopped;
}

} // namespace

bool sbi_hart_mask(const Vm& vm, std::uint64_t hart_mask, std::uint64_t base,
                   std::uint64_t& vharts) {
    const std::uint64_t all = vm.num_vcpus >= 64 ? ~0ull : (1ull << vm.num_vcpus) - 1;
    if (base == sbi::kAllHarts) {
        vharts = all;
        return true;
    }
    vharts = 0;
    for (std::uint32_t i = 0; i < 64; ++i) {
        if (!bit_test(hart_mask, i)) {
            continue;
        }
        if (base >= vm.num_vcpus || i >= vm.num_vcpus - base) {
            return false;
        }
        vharts |= 1ull << (base + i);
    }
    return true;
}

TrapAction sbi_call(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs) {
    const std::uint64_t ext = regs.x[reg::a7];
    const std::uint64_t fid = regs.x[reg::a6];
    const std::uint64_t a0 = regs.x[reg::a0], a1 = regs.x[reg::a1], a2 = regs.x[reg::a1 + 1];
    SbiRet r;
    TrapAction action = TrapAction::Resume;
    switch (ext) {
    case sbi::EXT_BASE:
        r = base(fid, regs);
        break;
    case sbi::EXT_TIME:
        r = time(hv, fid, regs);
        break;
    case sbi::EXT_IPI:
        r = ipi(hv, vm, fid, regs);
        break;
    case sbi::EXT_RFENCE:
        r = rfence(hv, vm, fid, regs);
        break;
    case sbi::EXT_HSM:
        action = hsm(hv, vm, vcpu, fid, regs, r);
        break;
    case sbi::EXT_SRST:
        action = srst(hv, vm, vcpu, fid, regs, r);
        break;
    case sbi::EXT_BAO:
        return hypercall(hv, vm, vcpu, regs); // writes a0 and a1 itself
    default:
        r.error = sbi::ERR_NOT_SUPPORTED; // legacy extensions included
        break;
    }
    if (action == TrapAction::Resume || action == TrapAction::Idle) {
        regs.x[reg::a0] = static_cast<std::uint64_t>(r.error);
        regs.x[reg::a1] = r.value;
    }
    if (hv.port().wants(EventKind::FirmwareCall)) {
        hv.port().event(
            {EventKind::FirmwareCall,
             vm.id,
             vcpu.id,
             {ext << 32 | (fid & 0xffff'ffffull), a0, a1, a2, static_cast<std::uint64_t>(r.error)},
             action == TrapAction::Resume ? nullptr : to_string(action)});
    }
    return action;
}

} // namespace hv::riscv64
