// The target side of RISC-V's port: hv::riscv64::RvPort implemented with
// real instructions on QEMU's RISC-V virt machine, under OpenSBI.
//
//  - memory by PA: plain pointers (hv runs in HS mode with satp bare: PA = VA)
//  - devices: volatile loads/stores of the given size
//  - (RISC-V's extension, port_riscv64.h) CSRs: csrr/csrw; HFENCE.GVMA
//    locally; the guest's remote fences, hv's IPIs and the supervisor timer:
//    SBI RFENCE, IPI and TIME calls to OpenSBI; guest instructions: HLVX.HU
//  - console: the physical NS16550A, one line at a time per hart
//  - cpu_on: SBI HSM hart_start the first time, a wake-up after that
//  - power_off: SBI SRST shutdown to OpenSBI (docs/design.md#end-of-run)
//  - mark, account: nothing
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/arch/ns.h"
#include "hv/arch/riscv64/port_riscv64.h"
#include "hv/arch/riscv64/target/cpu.h"
#include "hv/core/config.h"

namespace hv::target {

class TargetPort final : public riscv64::RvPort {
  public:
    constexpr TargetPort() = default;

    // Set once at boot, before any other call.
    void attach(Hypervisor* hv, const PlatformConfig& platform, std::uint64_t uart);

    std::uint32_t cpu_id() override { return hart_id(); }
    void mem_read(std::uint64_t pa, void* dst, std::size_t len) override;
    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override;
    void mem_copy(std::uint64_t dst_pa, std::uint64_t src_pa, std::size_t len) override;
    void mem_zero(std::uint64_t pa, std::size_t len) override;
    void account(std::uint64_t, std::size_t, bool) override {}
    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override;
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) override;
    void send_ipi(std::uint32_t cpu, std::uint32_t msg) override;
    void mark(std::uint32_t, Mark) override {}
    void console_putc(char c) override;
    void cpu_on(std::uint32_t cpu) override;
    void cpu_stop(std::uint32_t cpu) override;
    void cpu_idle() override {}
    void vm_stopped(std::uint32_t vm) override;
    [[noreturn]] void power_off() override;

    std::uint64_t csr_read(riscv64::Csr csr) override;
    void csr_write(riscv64::Csr csr, std::uint64_t value) override;
    void hfence_gvma(std::uint16_t vmid) override;
    void hfence_gvma_gpa(std::uint16_t vmid, std::uint64_t gpa) override;
    void hfence_vvma(std::uint64_t cpus, std::uint16_t vmid, std::uint64_t va,
                     std::uint64_t size) override;
    void fence_i(std::uint64_t cpus) override;
    void set_timer(std::uint64_t stime) override;
    bool guest_insn(std::uint64_t va, std::uint32_t& insn) override;

    // hv's own messages (boot, panics): a whole line, prefixed "bao-hv: ".
    void log(const char* line);
    // Flushes this hart's partial console line.
    void console_flush();
    // The current hart waits (WFI) until cpu_on() was called for it, then
    // consumes that request.
    void wait_for_start();

    SpinLock& lock() { return lock_; }

  private:
    struct PerCpu {
        std::uint32_t start = 0;   // cpu_on() was called and not consumed yet
        std::uint32_t powered = 0; // started in hardware (SBI hart_start done)
        std::uint32_t len = 0;     // characters in `line`
        char line[160]{};          // console output not printed yet
    };
    void uart_write(const char* s, std::size_t n);

    Hypervisor* hv_ = nullptr;
    std::uint64_t uart_ = 0x1000'0000;
    PerCpu cpus_[kMaxCpus]{};
    SpinLock lock_;         // hv's state
    SpinLock console_lock_; // the physical UART
};

} // namespace hv::target
