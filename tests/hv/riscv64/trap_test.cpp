// RISC-V's trap entry: WFI, emulated accesses decoded from htinst or the
// instruction (compressed included), G-stage faults that stop only their VM,
// unhandled traps, and cpu_init's CSRs.
#include <gtest/gtest.h>

#include "tests/hv/riscv64/rv_fixture.h"

namespace {

using hv::TrapAction;
using hv::riscv64::decode_mmio;
using hvtest::RvHv;
namespace cause = hv::riscv64::cause;

TEST(RvDecode, LoadsAndStoresFullAndCompressed) {
    auto m = decode_mmio(0, 0x0005'2503); // lw a0, 0(a0)
    EXPECT_TRUE(m.ok && !m.store && m.sign);
    EXPECT_EQ(m.size, 4u);
    EXPECT_EQ(m.reg, 10u);
    EXPECT_EQ(m.len, 4u);
    m = decode_mmio(0, 0x0005'4503); // lbu a0, 0(a0)
    EXPECT_TRUE(m.ok && !m.sign);
    EXPECT_EQ(m.size, 1u);
    m = decode_mmio(0, 0x00b5'3023); // sd a1, 0(a0)
    EXPECT_TRUE(m.ok && m.store);
    EXPECT_EQ(m.size, 8u);
    EXPECT_EQ(m.reg, 11u);
    m = decode_mmio(0, 0x4108); // c.lw a0, 0(a0)
    EXPECT_TRUE(m.ok && !m.store && m.sign);
    EXPECT_EQ(m.reg, 10u);
    EXPECT_EQ(m.len, 2u);
    m = decode_mmio(0, 0xc10c); // c.sw a1, 0(a0)
    EXPECT_TRUE(m.ok && m.store);
    EXPECT_EQ(m.reg, 11u);
    EXPECT_EQ(m.size, 4u);
    // A transformed compressed store in htinst: bit 1 clear, length 2.
    m = decode_mmio(0x00b5'2021, 0);
    EXPECT_TRUE(m.ok && m.store);
    EXPECT_EQ(m.len, 2u);
    EXPECT_FALSE(decode_mmio(0, 0x0000'0013).ok); // addi: not an access
    EXPECT_FALSE(decode_mmio(0x3000, 0).ok);      // a pseudoinstruction
}

using RvTrap = RvHv;
TEST_F(RvTrap, CpuInitProgramsTheHypervisorCsrs) {
    using hv::riscv64::Csr;
    EXPECT_EQ(port.csr(2, Csr::hgatp), h->vm(1).stage2_base());
    EXPECT_EQ(port.csr(0, Csr::hgatp) >> 44 & 0x3fff, h->vm(0).vmid);
    EXPECT_EQ(port.csr(0, Csr::hideleg), hv::riscv64::kHidelegGuest);
    EXPECT_EQ(port.csr(0, Csr::hedeleg), hv::riscv64::kHedelegGuest);
    EXPECT_NE(port.csr(0, Csr::hstatus) & hv::riscv64::hstatus::VTW, 0u);
    EXPECT_NE(port.csr(0, Csr::hstatus) & hv::riscv64::hstatus::SPV, 0u);
    EXPECT_EQ(port.csr(0, Csr::hvip), 0u);
}

TEST_F(RvTrap, WfiIdles) {
    hv::riscv64::VcpuRegs r{};
    r.sepc = 0x8000'0010;
    EXPECT_EQ(trap(0, {cause::VirtualInsn, hv::riscv64::kWfi, 0, 0}, r), TrapAction::Idle);
    EXPECT_EQ(r.sepc, 0x8000'0014u);
    EXPECT_EQ(port.mem.idles, 1);
    // Another virtual instruction (a CSR read of hgatp from VS mode) stops the VM.
    EXPECT_EQ(trap(0, {cause::VirtualInsn, 0x6800'2573, 0, 0}, r), TrapAction::VmStopped);
    EXPECT_EQ(h->vm(0).exit_kind, hv::ExitKind::UnhandledTrap);
}

TEST_F(RvTrap, VirtualUartByCompressedStore) {
    hv::riscv64::VcpuRegs r{};
    r.sepc = 0x8000'0020;
    r.x[10] = 0x1000'0000;
    r.x[11] = 'A';
    port.insns[r.sepc] = 0xc10c; // c.sw a1, 0(a0): UARTDR
    EXPECT_EQ(trap(2, {cause::StoreGuestPageFault, 0x1000'0000, 0x1000'0000 >> 2, 0}, r),
              TrapAction::Resume);
    EXPECT_EQ(r.sepc, 0x8000'0022u);
    r.x[11] = '\n';
    r.sepc = 0x8000'0020;
    trap(2, {cause::StoreGuestPageFault, 0x1000'0000, 0x1000'0000 >> 2, 0}, r);
    EXPECT_EQ(port.mem.console, "[interf] A\n");
}

TEST_F(RvTrap, FaultOutsideTheGStageStopsOnlyThatVm) {
    hv::riscv64::VcpuRegs r{};
    r.sepc = 0x8000'0040;
    // A load from unmapped 0x2000_0000 by interf (stval carries the low bits).
    EXPECT_EQ(trap(2, {cause::LoadGuestPageFault, 0x2000'0006, 0x2000'0004 >> 2, 0}, r),
              TrapAction::VmStopped);
    EXPECT_EQ(h->vm(1).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_STREQ(h->vm(1).exit_reason, "vm 1 (\"interf\") vcpu 0 on core 2: G-stage fault on read "
                                       "at GPA 0x20000006 (pc 0x80000040)");
    EXPECT_EQ(h->vm(0).state, hv::VmState::Running);
    EXPECT_FALSE(port.mem.powered_off);
    // bench keeps trapping normally; its fetch fault stops it, and the machine.
    r.sepc = 0x8000'0050;
    EXPECT_EQ(trap(0, {cause::InsnGuestPageFault, 0x3000'0000, 0x3000'0000 >> 2, 0}, r),
              TrapAction::VmStopped);
    EXPECT_TRUE(port.mem.powered_off);
    // A stopped VM's hart has no vCPU to trap into.
    EXPECT_EQ(trap(0, {cause::EcallVS, 0, 0, 0}, r), TrapAction::NoVcpu);
}

TEST_F(RvTrap, UnreadableInstructionAndUnhandledCause) {
    hv::riscv64::VcpuRegs r{};
    r.sepc = 0x8000'0060; // no instruction there, and no htinst
    EXPECT_EQ(trap(0, {cause::LoadGuestPageFault, 0x1000'0000, 0x1000'0000 >> 2, 0}, r),
              TrapAction::VmStopped);
    EXPECT_EQ(h->vm(0).exit_kind, hv::ExitKind::EmulationFault);
    r.sepc = 0x8000'0070;
    EXPECT_EQ(trap(2, {cause::LoadAccessFault, 0x10, 0, 0}, r), TrapAction::VmStopped);
    EXPECT_EQ(h->vm(1).exit_kind, hv::ExitKind::UnhandledTrap);
}

} // namespace
