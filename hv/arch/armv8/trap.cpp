#include "hv/arch/armv8/trap.h"

#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypercall.h"
#include "hv/core/hypervisor.h"

namespace hv::armv8 {
namespace {

constexpr std::uint64_t kInsnBytes = 4;
constexpr std::int64_t kSmcccNotSupported = -1;

Fmt exit_fmt(Vm& vm, const Vcpu& vcpu) {
    Fmt f(vm.exit_reason, kExitReasonLen);
    f << "vm " << vm.id << " (\"" << vm.name() << "\") vcpu " << vcpu.id << " on core " << vcpu.cpu
      << ": ";
    return f;
}

TrapAction smccc(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs, bool from_hvc) {
    const auto fid = static_cast<std::uint32_t>(regs.x[0]);
    if (psci::is_psci(fid)) {
        const std::uint64_t x1 = regs.x[1], x2 = regs.x[2], x3 = regs.x[3];
        const TrapAction action = psci_call(hv, vm, vcpu, regs);
        if (hv.port().wants(EventKind::FirmwareCall)) {
            const bool returns = action == TrapAction::Resume;
            hv.port().event({EventKind::FirmwareCall,
                             vm.id,
                             vcpu.id,
                             {fid, x1, x2, x3, returns ? regs.x[0] : 0},
                             returns ? nullptr : to_string(action)});
        }
        return action;
    }
    if (from_hvc && hc::is_hypercall(fid)) {
        return hypercall(hv, vm, vcpu, regs);
    }
    regs.x[0] = static_cast<std::uint64_t>(kSmcccNotSupported);
    return TrapAction::Resume;
}

// A stage-2 fault on the guest's stage-1 walk (S1PTW) for `what`: its
// translation tables are where its stage 2 maps nothing (or a page hv
// emulates: a walk is no access to replay). Stops the VM.
TrapAction walk_fault(Hypervisor& hv, Vm& vm, Vcpu& vcpu, const TrapSyndrome& syn,
                      const VcpuRegs& regs, const char* what) {
    exit_fmt(vm, vcpu) << "stage-2 fault on the stage-1 table walk of " << what
                       << " at table IPA page " << Hex{syn.fault_ipa() & ~(kPageSize - 1)}
                       << " (virtual address " << Hex{syn.far} << ", pc " << Hex{regs.pc} << ")";
    hv.stop_vm(vm, ExitKind::Stage2Fault);
    return TrapAction::VmStopped;
}

// What a data access whose walk faulted was, from its data abort's ISS.
const char* walk_of(std::uint32_t iss) {
    if (dabt::cm(iss)) {
        return "an address translation or cache maintenance instruction";
    }
    return dabt::write(iss) ? "a write" : "a read";
}

TrapAction data_abort(Hypervisor& hv, Vm& vm, Vcpu& vcpu, const TrapSyndrome& syn, VcpuRegs& regs) {
    const std::uint32_t iss = syn.iss();
    const std::uint64_t ipa = syn.fault_ipa();
    const bool is_write = dabt::write(iss);
    if (dabt::s1ptw(iss)) {
        return walk_fault(hv, vm, vcpu, syn, regs, walk_of(iss));
    }
    for (const EmulRegion& r : vm.emul) {
        if (ipa < r.ipa || ipa - r.ipa >= r.size) {
            continue;
        }
        if (dabt::cm(iss)) {
            // Cache maintenance (or AT) on a device hv emulates: nothing to
            // maintain, the instruction is skipped (as KVM does).
            regs.pc += kInsnBytes;
            return TrapAction::Resume;
        }
        const std::uint32_t size = dabt::access_size(iss);
        const std::uint32_t srt = dabt::srt(iss);
        if (!dabt::isv(iss)) {
            exit_fmt(vm, vcpu) << "undecodable " << (is_write ? "write" : "read")
                               << " (no ISV) to emulated IPA " << Hex{ipa} << " (pc "
                               << Hex{regs.pc} << ")";
            hv.stop_vm(vm, ExitKind::EmulationFault);
            return TrapAction::VmStopped;
        }
        const std::uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
        std::uint64_t value = is_write && srt != 31 ? regs.x[srt] & mask : 0;
        if (!r.handler(hv, vm, ipa - r.ipa, size, is_write, value)) {
            exit_fmt(vm, vcpu) << "cannot emulate " << (is_write ? "write" : "read") << " of "
                               << size << " bytes at IPA " << Hex{ipa} << " (pc " << Hex{regs.pc}
                               << ")";
            hv.stop_vm(vm, ExitKind::EmulationFault);
            return TrapAction::VmStopped;
        }
        if (!is_write && srt != 31) {
            value &= mask;
            if (dabt::sign_extend(iss) && size < 8 && ((value >> (size * 8 - 1)) & 1) != 0) {
                value |= ~mask;
            }
            if (!dabt::sixty_four(iss)) {
                value &= 0xffff'ffffull;
            }
            regs.x[srt] = value;
        }
        regs.pc += kInsnBytes;
        return TrapAction::Resume;
    }
    // Isolation: an access outside the VM's stage-2 mappings stops that VM
    // only; every other VM keeps running (Bao would halt the whole system).
    Fmt f = exit_fmt(vm, vcpu);
    f << "stage-2 fault on "
      << (dabt::cm(iss) ? "a cache maintenance or address translation instruction"
          : is_write    ? "write"
                        : "read");
    if (dabt::isv(iss)) {
        f << " of " << dabt::access_size(iss) << " bytes";
    }
    f << " at IPA " << Hex{ipa} << " (pc " << Hex{regs.pc} << ")";
    hv.stop_vm(vm, ExitKind::Stage2Fault);
    return TrapAction::VmStopped;
}

// DC ISW, DC CSW, DC CISW: SYS with op0 1, op1 0, CRn 7, CRm 6 / 10 / 14, op2 2.
bool is_set_way(std::uint32_t iss) {
    const std::uint32_t op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    const std::uint32_t crn = (iss >> 10) & 0xf, crm = (iss >> 1) & 0xf;
    return op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14) &&
           (iss & 1) == 0;
}

// Cleans and invalidates every page of the VM's own regions by PA, in runs of
// contiguous PAs (a colored VM's pages are scattered). Shared IPC memory is
// left alone: its lines are also the other VM's.
void clean_vm_memory(Hypervisor& hv, const Vm& vm) {
    ArmPort& port = hv.arch_port();
    std::uint64_t run_pa = 0, run_len = 0;
    for (const RegionConfig& r : vm.cfg->regions) {
        for (std::uint64_t ipa = r.base; ipa < r.base + r.size;) {
            const S2Walk w = hv.walk(vm.id, ipa);
            for (unsigned k = 0; k < w.num_desc; ++k) {
                port.account(w.desc_pa[k], sizeof(std::uint64_t), false);
            }
            const std::uint64_t step =
                w.valid ? w.block_size - (ipa & (w.block_size - 1)) : kPageSize;
            const std::uint64_t len = step < r.base + r.size - ipa ? step : r.base + r.size - ipa;
            if (w.valid && run_len != 0 && w.pa == run_pa + run_len) {
                run_len += len;
            } else if (w.valid) {
                if (run_len != 0) {
                    port.cache_clean_invalidate(run_pa, run_len);
                }
                run_pa = w.pa;
                run_len = len;
            }
            ipa += len;
        }
    }
    if (run_len != 0) {
        port.cache_clean_invalidate(run_pa, run_len);
    }
}

// Set/way maintenance is trapped (HCR_EL2.TSW): it names lines of caches that
// other VMs share, so it is never passed on. As KVM does (kvm_set_way_flush),
// hv cleans and invalidates the VM's own memory by address instead. A guest
// cleans a cache with one operation per set and way, thousands in a row: the
// first one after any other trap cleans, the rest of the loop only traps.
// (KVM then traps the guest's cache enable/disable with HCR_EL2.TVM to clean
// again; hv, which does not trap those, cleans at the next loop.)
TrapAction set_way(Hypervisor& hv, const Vm& vm, Vcpu& vcpu, VcpuRegs& regs) {
    if (!vcpu.set_way_cleaned) {
        clean_vm_memory(hv, vm);
        vcpu.set_way_cleaned = true;
    }
    regs.pc += kInsnBytes; // ELR points at the trapped instruction
    return TrapAction::Resume;
}

// GICv3 SGI registers: with HCR_EL2.IMO/FMO set a guest's write of
// ICC_SGI1R_EL1, ICC_ASGI1R_EL1 or ICC_SGI0R_EL1 traps (EC 0x18). Group 1
// SGIs go to the VM's own vCPUs by virtual affinity (vgic_sgi1r); the
// others (Group 0, or the other security state's) have no receiver in a VM:
// ignored, as a write that names no CPU.
bool is_sgi_write(std::uint32_t iss) {
    const std::uint32_t reg = iss & gicv3::icc::kIssSysRegMask;
    return (iss & 1) == 0 && (reg == gicv3::icc::kIssSgi1r || reg == gicv3::icc::kIssAsgi1r ||
                              reg == gicv3::icc::kIssSgi0r);
}

TrapAction sgi_write(Hypervisor& hv, Vm& vm, Vcpu& vcpu, std::uint32_t iss, VcpuRegs& regs) {
    const std::uint32_t rt = (iss >> 5) & 31;
    if ((iss & gicv3::icc::kIssSysRegMask) == gicv3::icc::kIssSgi1r) {
        vgic_sgi1r(hv, vm, vcpu, rt == 31 ? 0 : regs.x[rt]);
    }
    regs.pc += kInsnBytes; // ELR points at the trapped MSR
    return TrapAction::Resume;
}

} // namespace

TrapAction handle_trap(Hypervisor& hv, const TrapSyndrome& syn, VcpuRegs& regs) {
    Port& port = hv.port();
    Vcpu* vcpu = hv.vcpu_mut(port.cpu_id());
    if (vcpu == nullptr || vcpu->state == VcpuState::Off || vcpu->state == VcpuState::Stopped) {
        return TrapAction::NoVcpu;
    }
    // A trap proves the vCPU runs (it may have been woken from WFI).
    vcpu->state = VcpuState::Running;
    Vm& vm = hv.vm_mut(vcpu->vm);
    const std::uint64_t trap_pc = regs.pc; // ELR_EL2, before hv steps over the instruction
    // The entry saves the guest's registers into the vCPU context.
    port.account(vcpu->ctx_pa, sizeof(VcpuRegs), true);

    if (syn.ec() != Ec::SysReg64) {
        vcpu->set_way_cleaned = false; // a set/way loop, if any, is over
    }
    TrapAction action = TrapAction::Resume;
    switch (syn.ec()) {
    case Ec::Hvc64:
        action = smccc(hv, vm, *vcpu, regs, true);
        break;
    case Ec::Smc64:
        regs.pc += kInsnBytes; // ELR points at the trapped SMC
        action = smccc(hv, vm, *vcpu, regs, false);
        break;
    case Ec::WfxTrap:
        regs.pc += kInsnBytes;
        if ((syn.iss() & 1) == 0) { // WFI
            vcpu->state = VcpuState::Idle;
            port.cpu_idle();
            action = TrapAction::Idle;
        }
        break;
    case Ec::DataAbortLower:
        action = data_abort(hv, vm, *vcpu, syn, regs);
        break;
    case Ec::InstAbortLower:
        if (dabt::s1ptw(syn.iss())) { // the same bit in an instruction abort's ISS
            action = walk_fault(hv, vm, *vcpu, syn, regs, "an instruction fetch");
            break;
        }
        exit_fmt(vm, *vcpu) << "stage-2 fault on instruction fetch at IPA " << Hex{syn.fault_ipa()}
                            << " (pc " << Hex{regs.pc} << ")";
        hv.stop_vm(vm, ExitKind::Stage2Fault);
        action = TrapAction::VmStopped;
        break;
    case Ec::SysReg64:
        if (is_set_way(syn.iss())) {
            action = set_way(hv, vm, *vcpu, regs);
            break;
        }
        if (is_sgi_write(syn.iss())) {
            action = sgi_write(hv, vm, *vcpu, syn.iss(), regs);
            break;
        }
        [[fallthrough]]; // no other system register or instruction is trapped
    default:
        exit_fmt(vm, *vcpu) << "unhandled trap, EC " << Hex{static_cast<std::uint32_t>(syn.ec())}
                            << " ISS " << Hex{syn.iss()} << " (pc " << Hex{regs.pc} << ")";
        hv.stop_vm(vm, ExitKind::UnhandledTrap);
        action = TrapAction::VmStopped;
        break;
    }
    if (action == TrapAction::Resume || action == TrapAction::Idle) {
        // The exit restores them.
        port.account(vcpu->ctx_pa, sizeof(VcpuRegs), false);
    }
    if (port.wants(EventKind::Trap)) {
        const bool abort = syn.ec() == Ec::DataAbortLower || syn.ec() == Ec::InstAbortLower;
        port.event({EventKind::Trap,
                    vm.id,
                    vcpu->id,
                    {static_cast<std::uint32_t>(syn.ec()), syn.iss(), trap_pc,
                     abort ? syn.fault_ipa() : 0, static_cast<std::uint64_t>(action)}});
    }
    return action;
}

} // namespace hv::armv8
