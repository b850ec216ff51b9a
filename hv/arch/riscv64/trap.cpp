#include "hv/arch/riscv64/trap.h"

#include "hv/arch/riscv64/sbi.h"
#include "hv/core/hypervisor.h"

namespace hv::riscv64 {
namespace {

Fmt exit_fmt(Vm& vm, const Vcpu& vcpu) {
    Fmt f(vm.exit_reason, kExitReasonLen);
    f << "vm " << vm.id << " (\"" << vm.name() << "\") vcpu " << vcpu.id << " on core " << vcpu.cpu
      << ": ";
    return f;
}

MmioInsn decode32(std::uint32_t insn) {
    MmioInsn m;
    const std::uint32_t opcode = insn & 0x7f, funct3 = (insn >> 12) & 7;
    if (opcode == 0x03 && funct3 != 7) { // LB LH LW LD LBU LHU LWU
        m.size = 1u << (funct3 & 3);
        m.sign = funct3 < 4 && funct3 != 3;
        m.reg = (insn >> 7) & 31;
    } else if (opcode == 0x23 && funct3 < 4) { // SB SH SW SD
        m.store = true;
        m.size = 1u << funct3;
        m.reg = (insn >> 20) & 31;
    } else {
        return m;
    }
    m.ok = true;
    m.len = 4;
    return m;
}

MmioInsn decode16(std::uint32_t insn) {
    MmioInsn m;
    const std::uint32_t op = insn & 3, funct3 = (insn >> 13) & 7;
    const std::uint32_t rprime = 8 + ((insn >> 2) & 7);
    if (op == 0 && (funct3 == 2 || funct3 == 3 || funct3 == 6 || funct3 == 7)) {
        m.reg = rprime; // C.LW C.LD C.SW C.SD: rd' / rs2' in bits 4:2
    } else if (op == 2 && (funct3 == 2 || funct3 == 3)) {
        m.reg = (insn >> 7) & 31; // C.LWSP C.LDSP
    } else if (op == 2 && (funct3 == 6 || funct3 == 7)) {
        m.reg = (insn >> 2) & 31; // C.SWSP C.SDSP
    } else {
        return m;
    }
    m.store = funct3 >= 6;
    m.size = (funct3 & 1) != 0 ? 8 : 4;
    m.sign = !m.store && m.size == 4;
    m.ok = true;
    m.len = 2;
    return m;
}

TrapAction stop(Hypervisor& hv, Vm& vm, ExitKind kind) {
    hv.stop_vm(vm, kind);
    return TrapAction::VmStopped;
}

TrapAction guest_page_fault(Hypervisor& hv, Vm& vm, Vcpu& vcpu, const TrapRecord& t,
                            VcpuRegs& regs) {
    const std::uint64_t gpa = t.gpa();
    const bool is_write = t.scause == cause::StoreGuestPageFault;
    for (const EmulRegion& r : vm.emul) {
        if (gpa < r.ipa || gpa - r.ipa >= r.size) {
            continue;
        }
        std::uint32_t insn = 0;
        if (t.htinst == 0 && !hv.arch_port().guest_insn(regs.sepc, insn)) {
            exit_fmt(vm, vcpu) << "cannot read the instruction at pc " << Hex{regs.sepc}
                               << " accessing emulated GPA " << Hex{gpa};
            return stop(hv, vm, ExitKind::EmulationFault);
        }
        const MmioInsn m = decode_mmio(t.htinst, insn);
        if (!m.ok || m.store != is_write) {
            exit_fmt(vm, vcpu) << "undecodable " << (is_write ? "write" : "read")
                               << " to emulated GPA " << Hex{gpa} << " (pc " << Hex{regs.sepc}
                               << ")";
            return stop(hv, vm, ExitKind::EmulationFault);
        }
        const std::uint64_t mask = m.size == 8 ? ~0ull : (1ull << (m.size * 8)) - 1;
        std::uint64_t value = is_write ? regs.x[m.reg] & mask : 0;
        if (!r.handler(hv, vm, gpa - r.ipa, m.size, is_write, value)) {
            exit_fmt(vm, vcpu) << "cannot emulate " << (is_write ? "write" : "read") << " of "
                               << m.size << " bytes at GPA " << Hex{gpa} << " (pc "
                               << Hex{regs.sepc} << ")";
            return stop(hv, vm, ExitKind::EmulationFault);
        }
        if (!is_write && m.reg != 0) {
            value &= mask;
            if (m.sign && m.size < 8 && ((value >> (m.size * 8 - 1)) & 1) != 0) {
                value |= ~mask;
            }
            regs.x[m.reg] = value;
        }
        regs.sepc += m.len;
        return TrapAction::Resume;
    }
    // Isolation: an access outside the VM's G-stage stops that VM only;
    // every other VM keeps running.
    exit_fmt(vm, vcpu) << "G-stage fault on "
                       << (t.scause == cause::InsnGuestPageFault ? "instruction fetch"
                           : is_write                            ? "write"
                                                                 : "read")
                       << " at GPA " << Hex{gpa} << " (pc " << Hex{regs.sepc} << ")";
    return stop(hv, vm, ExitKind::Stage2Fault);
}

TrapAction virtual_insn(Hypervisor& hv, Vm& vm, Vcpu& vcpu, const TrapRecord& t, VcpuRegs& regs) {
    std::uint32_t insn = static_cast<std::uint32_t>(t.stval);
    if (insn == 0) {
        (void)hv.arch_port().guest_insn(regs.sepc, insn);
    }
    if (insn == kWfi) {
        regs.sepc += 4;
        vcpu.state = VcpuState::Idle;
        hv.port().cpu_idle();
        return TrapAction::Idle;
    }
    exit_fmt(vm, vcpu) << "unhandled virtual instruction " << Hex{insn} << " (pc " << Hex{regs.sepc}
                       << ")";
    return stop(hv, vm, ExitKind::UnhandledTrap);
}

} // namespace

MmioInsn decode_mmio(std::uint64_t htinst, std::uint32_t insn) {
    if (htinst != 0) {
        if ((htinst & 1) == 0) {
            return {}; // a pseudoinstruction (an implicit access of a VS-stage walk)
        }
        const bool compressed = (htinst & 2) == 0;
        MmioInsn m = decode32(static_cast<std::uint32_t>(htinst) | 2u);
        if (compressed) {
            m.len = 2;
        }
        return m;
    }
    return (insn & 3) == 3 ? decode32(insn) : decode16(insn & 0xffff);
}

TrapAction handle_trap(Hypervisor& hv, const TrapRecord& t, VcpuRegs& regs) {
    Port& port = hv.port();
    Vcpu* vcpu = hv.vcpu_mut(port.cpu_id());
    if (vcpu == nullptr || vcpu->state == VcpuState::Off || vcpu->state == VcpuState::Stopped) {
        return TrapAction::NoVcpu;
    }
    vcpu->state = VcpuState::Running; // a trap proves the vCPU runs
    Vm& vm = hv.vm_mut(vcpu->vm);
    const std::uint64_t trap_pc = regs.sepc; // before hv steps over the instruction
    port.account(vcpu->ctx_pa, sizeof(VcpuRegs), true);
    TrapAction action = TrapAction::Resume;
    switch (t.scause) {
    case cause::EcallVS:
        regs.sepc += 4; // sepc points at the ECALL
        action = sbi_call(hv, vm, *vcpu, regs);
        break;
    case cause::VirtualInsn:
        action = virtual_insn(hv, vm, *vcpu, t, regs);
        break;
    case cause::InsnGuestPageFault:
    case cause::LoadGuestPageFault:
    case cause::StoreGuestPageFault:
        action = guest_page_fault(hv, vm, *vcpu, t, regs);
        break;
    default:
        exit_fmt(vm, *vcpu) << "unhandled trap, scause " << Hex{t.scause} << " stval "
                            << Hex{t.stval} << " (pc " << Hex{regs.sepc} << ")";
        action = stop(hv, vm, ExitKind::UnhandledTrap);
        break;
    }
    regs.x[0] = 0;
    if (action == TrapAction::Resume || action == TrapAction::Idle) {
        port.account(vcpu->ctx_pa, sizeof(VcpuRegs), false);
    }
    if (port.wants(EventKind::Trap)) {
        port.event({EventKind::Trap,
                    vm.id,
                    vcpu->id,
                    {t.scause, t.stval, trap_pc, t.scause == cause::EcallVS ? 0 : t.gpa(),
                     static_cast<std::uint64_t>(action)}});
    }
    return action;
}

} // namespace hv::riscv64
