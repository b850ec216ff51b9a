// The target side of hv's port: hv::Port implemented with real instructions
// on QEMU's virt machine (and, by its addresses, on any GICv2 + PL011 board).
//
//  - memory by PA: plain pointers (hv's EL2 tables map RAM at PA = VA, mmu.h)
//  - devices: volatile loads/stores of the given size
//  - (Armv8's extension, port_armv8.h) system registers: MSR/MRS; TLB
//    maintenance: TLBI; cleaning by PA: DC CIVAC
//  - IPIs: GICD_SGIR of the physical distributor
//  - console: the physical PL011, one line at a time per CPU (see console_putc)
//  - cpu_on: PSCI CPU_ON to the firmware the first time, a wake-up after that
//  - power_off: PSCI SYSTEM_OFF to the firmware (docs/design.md#end-of-run)
//  - mark, account: nothing (docs/design.md#measured-region and docs/design.md#hv-cost)
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/target/cpu.h"
#include "hv/arch/ns.h"
#include "hv/core/config.h"
#include "hv/port.h"

namespace hv::target {

class TargetPort final : public armv8::ArmPort {
  public:
    constexpr TargetPort() = default;

    // Set once at boot, before any other call.
    void attach(Hypervisor* hv, const PlatformConfig& platform);

    std::uint32_t cpu_id() override { return mpidr_cpu(); }
    void mem_read(std::uint64_t pa, void* dst, std::size_t len) override;
    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override;
    void mem_copy(std::uint64_t dst_pa, std::uint64_t src_pa, std::size_t len) override;
    void mem_zero(std::uint64_t pa, std::size_t len) override;
    void account(std::uint64_t, std::size_t, bool) override {}
    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override;
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) override;
    std::uint64_t sysreg_read(armv8::SysReg reg) override;
    void sysreg_write(armv8::SysReg reg, std::uint64_t value) override;
    void tlb_flush_vm(std::uint16_t vmid) override;
    void tlb_flush_ipa(std::uint16_t vmid, std::uint64_t ipa) override;
    void cache_clean_invalidate(std::uint64_t pa, std::uint64_t size) override;
    void send_ipi(std::uint32_t cpu, std::uint32_t sgi) override;
    void mark(std::uint32_t, Mark) override {}
    void console_putc(char c) override;
    void cpu_on(std::uint32_t cpu) override;
    void cpu_stop(std::uint32_t cpu) override;
    void cpu_idle() override {}
    void vm_stopped(std::uint32_t vm) override;
    [[noreturn]] void power_off() override;

    // hv's own messages (boot, panics): a whole line, prefixed "bao-hv: ".
    void log(const char* line);
    // Flushes this CPU's partial console line.
    void console_flush();

    // The current CPU waits (WFE) until cpu_on() was called for it, then
    // consumes that request.
    void wait_for_start();

    SpinLock& lock() { return lock_; }

  private:
    struct PerCpu {
        std::uint32_t start = 0; // cpu_on() was called and not consumed yet
        bool powered = false;    // started in hardware (PSCI CPU_ON done)
        std::uint32_t len = 0;   // characters in `line`
        char line[160]{};        // console output not printed yet
    };
    void uart_putc(char c);
    void uart_write(const char* s, std::size_t n);

    Hypervisor* hv_ = nullptr;
    std::uint64_t uart_ = 0x0900'0000;
    std::uint64_t gicd_ = 0x0800'0000;
    bool gic_v3_ = false; // hv's SGIs by ICC_SGI1R_EL1, not GICD_SGIR
    // Static: the image has one port, and its zeroed line buffers then sit in
    // .bss instead of the loaded .data that the constinit port needs for its
    // vtable pointer (docs/real-image.md#section-sizes).
    static PerCpu cpus_[kMaxCpus];
    SpinLock lock_;         // hv's state
    SpinLock console_lock_; // the physical UART
};

} // namespace hv::target
