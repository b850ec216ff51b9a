// A booted two-VM hv on RISC-V (test_config_riscv64.h's rv_two_vms) and
// helpers that trap into it as a guest would.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "hv/arch/riscv64/sbi.h"
#include "hv/arch/riscv64/trap.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/riscv64/fake_port_riscv64.h"
#include "tests/hv/riscv64/test_config_riscv64.h"

namespace hvtest {

struct Ecall {
    hv::TrapAction action;
    std::int64_t error;
    std::uint64_t value;
};

class RvHv : public ::testing::Test {
  protected:
    FakeRvPort port;
    hv::ConfigStorage cfg_;       // what hv's Config points into
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> h;

    void boot(const hv::ConfigStorage& cfg) {
        h = std::make_unique<hv::Hypervisor>(port);
        cfg_ = cfg;
        const hv::Error err = hvtest::init(*h, cfg_.view(), state);
        ASSERT_TRUE(err.ok()) << err.message;
        ASSERT_TRUE(h->boot().ok());
        for (std::uint32_t c = 0; c < cfg.platform.cpu_num; ++c) {
            port.current_cpu = c;
            h->cpu_init();
        }
    }
    void SetUp() override { boot(rv_two_vms()); }

    hv::TrapAction trap(std::uint32_t cpu, const hv::riscv64::TrapRecord& t,
                        hv::riscv64::VcpuRegs& regs) {
        port.current_cpu = cpu;
        return hv::riscv64::handle_trap(*h, t, regs);
    }
    Ecall ecall(std::uint32_t cpu, std::uint64_t ext, std::uint64_t fid, std::uint64_t a0 = 0,
                std::uint64_t a1 = 0, std::uint64_t a2 = 0, std::uint64_t a3 = 0,
                std::uint64_t a4 = 0) {
        hv::riscv64::VcpuRegs r{};
        r.sepc = 0x8000'1000;
        r.x[17] = ext;
        r.x[16] = fid;
        r.x[10] = a0;
        r.x[11] = a1;
        r.x[12] = a2;
        r.x[13] = a3;
        r.x[14] = a4;
        const hv::TrapAction a = trap(cpu, {hv::riscv64::cause::EcallVS, 0, 0, 0}, r);
        EXPECT_EQ(r.sepc, 0x8000'1004u) << "sepc must move past the ECALL";
        return {a, static_cast<std::int64_t>(r.x[10]), r.x[11]};
    }
    // bench's hart 1 (cpu 1) started by its hart 0, and its hart initialised.
    void start_bench_hart1() {
        ASSERT_EQ(
            ecall(0, hv::riscv64::sbi::EXT_HSM, hv::riscv64::sbi::HART_START, 1, 0x8000'0000).error,
            hv::riscv64::sbi::SUCCESS);
        port.current_cpu = 1;
        h->cpu_init();
    }
    std::uint64_t hvip(std::uint32_t cpu) { return port.csr(cpu, hv::riscv64::Csr::hvip); }
    // hv's IPI arriving on `cpu`.
    void take_ipi(std::uint32_t cpu) {
        port.current_cpu = cpu;
        EXPECT_EQ(hv::riscv64::handle_irq(*h, hv::riscv64::cause::SupervisorSoft),
                  hv::riscv64::IrqOutcome::Ipi);
    }
    const hv::Vcpu& vcpu(std::uint32_t cpu) { return *h->vcpu_on_cpu(cpu); }
};

} // namespace hvtest
