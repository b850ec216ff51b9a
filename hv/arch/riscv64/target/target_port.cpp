#include "hv/arch/riscv64/target/target_port.h"

#include "hv/arch/riscv64/sbi.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypervisor.h"
#include "hv/core/vuart.h"
#include "hv/lib/mmio.h"

extern "C" char bao_hv_secondary_entry[];

namespace hv::target {
namespace {

namespace sbi = riscv64::sbi;

// NS16550A: transmit holding register, line status (THR empty).
constexpr std::uint64_t kUartThr = 0x0;
constexpr std::uint64_t kUartLsr = 0x5;
constexpr std::uint8_t kUartLsrThre = 1u << 5;
constexpr std::uint64_t kSbiExtRfence = sbi::EXT_RFENCE;
constexpr std::uint64_t kRfenceHfenceVvma = 5; // SBI remote_hfence_vvma

} // namespace

void TargetPort::attach(Hypervisor* hv, const PlatformConfig&, std::uint64_t uart) {
    hv_ = hv;
    uart_ = uart;
}

void TargetPort::mem_read(std::uint64_t pa, void* dst, std::size_t len) {
    __builtin_memcpy(dst, reinterpret_cast<const void*>(pa), len);
}

void TargetPort::mem_write(std::uint64_t pa, const void* src, std::size_t len) {
    __builtin_memcpy(reinterpret_cast<void*>(pa), src, len);
}

void TargetPort::mem_copy(std::uint64_t dst_pa, std::uint64_t src_pa, std::size_t len) {
    __builtin_memmove(reinterpret_cast<void*>(dst_pa), reinterpret_cast<const void*>(src_pa), len);
}

void TargetPort::mem_zero(std::uint64_t pa, std::size_t len) {
    __builtin_memset(reinterpret_cast<void*>(pa), 0, len);
}

std::uint64_t TargetPort::dev_read(std::uint64_t pa, std::uint32_t size) {
    return mmio::read_sized(pa, size);
}

void TargetPort::dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) {
    mmio::write_sized(pa, size, value);
}

std::uint64_t TargetPort::csr_read(riscv64::Csr csr) {
    switch (csr) {
    case riscv64::Csr::hgatp:
        return BAO_CSRR(0x680);
    case riscv64::Csr::hstatus:
        return BAO_CSRR(0x600);
    case riscv64::Csr::hedeleg:
        return BAO_CSRR(0x602);
    case riscv64::Csr::hideleg:
        return BAO_CSRR(0x603);
    case riscv64::Csr::hvip:
        return BAO_CSRR(0x645);
    case riscv64::Csr::hcounteren:
        return BAO_CSRR(0x606);
    case riscv64::Csr::htimedelta:
        return BAO_CSRR(0x605);
    case riscv64::Csr::Count:
        break;
    }
    return 0;
}

void TargetPort::csr_write(riscv64::Csr csr, std::uint64_t value) {
    switch (csr) {
    case riscv64::Csr::hgatp:
        BAO_CSRW(0x680, value);
        hfence_gvma_all();
        break;
    case riscv64::Csr::hstatus:
        BAO_CSRW(0x600, value);
        break;
    case riscv64::Csr::hedeleg:
        BAO_CSRW(0x602, value);
        break;
    case riscv64::Csr::hideleg:
        BAO_CSRW(0x603, value);
        break;
    case riscv64::Csr::hvip:
        BAO_CSRW(0x645, value);
        break;
    case riscv64::Csr::hcounteren:
        BAO_CSRW(0x606, value);
        break;
    case riscv64::Csr::htimedelta:
        BAO_CSRW(0x605, value);
        break;
    case riscv64::Csr::Count:
        break;
    }
}

// Each hart runs one VM and never changes its hgatp, and hv only adds
// mappings after boot: a local HFENCE.GVMA of every VMID is enough.
void TargetPort::hfence_gvma(std::uint16_t) {
    hfence_gvma_all();
}
void TargetPort::hfence_gvma_gpa(std::uint16_t, std::uint64_t) {
    hfence_gvma_all();
}

// OpenSBI's remote HFENCE.VVMA acts on each target hart's current VMID,
// which is the VM's own (its harts run nothing else).
void TargetPort::hfence_vvma(std::uint64_t cpus, std::uint16_t, std::uint64_t va,
                             std::uint64_t size) {
    sbi_call(kSbiExtRfence, kRfenceHfenceVvma, cpus, 0, va, size);
}

void TargetPort::fence_i(std::uint64_t cpus) {
    sbi_call(kSbiExtRfence, sbi::REMOTE_FENCE_I, cpus, 0);
}

void TargetPort::set_timer(std::uint64_t stime) {
    sbi_call(sbi::EXT_TIME, 0, stime);
}

// HLVX.HU: a guest load with execute permission, through its VS-stage and
// the G-stage, as the guest's fetch would; two halves for a 32-bit one.
bool TargetPort::guest_insn(std::uint64_t va, std::uint32_t& insn) {
    auto half = [](std::uint64_t a) {
        std::uint64_t v;
        __asm__ volatile("mv t0, %1; .word 0x6432c2f3; mv %0, t0" // hlvx.hu t0, (t0)
                         : "=r"(v)
                         : "r"(a)
                         : "t0", "memory");
        return static_cast<std::uint32_t>(v & 0xffff);
    };
    insn = half(va);
    if ((insn & 3) == 3) {
        insn |= half(va + 2) << 16;
    }
    return true;
}

// hv's IPI: a supervisor software interrupt on the target hart (SBI IPI).
void TargetPort::send_ipi(std::uint32_t cpu, std::uint32_t) {
    fence();
    sbi_call(sbi::EXT_IPI, 0, 1ull << cpu, 0);
}

void TargetPort::uart_write(const char* s, std::size_t n) {
    console_lock_.lock();
    for (std::size_t i = 0; i < n; ++i) {
        while ((mmio::read<std::uint8_t>(uart_ + kUartLsr) & kUartLsrThre) == 0) {
        }
        mmio::write<std::uint8_t>(uart_ + kUartThr, static_cast<std::uint8_t>(s[i]));
    }
    console_lock_.unlock();
}

// QEMU runs the harts in parallel: each collects a line and prints it whole.
void TargetPort::console_putc(char c) {
    static_assert(sizeof(PerCpu::line) >= (kNameLen - 1) + 3 + kVuartLineMax + 1);
    PerCpu& p = cpus_[cpu_id() % kMaxCpus];
    p.line[p.len++] = c;
    if (c == '\n' || p.len == sizeof p.line) {
        console_flush();
    }
}

void TargetPort::console_flush() {
    PerCpu& p = cpus_[cpu_id() % kMaxCpus];
    uart_write(p.line, p.len);
    p.len = 0;
}

void TargetPort::log(const char* line) {
    console_flush();
    char buf[200];
    Fmt f(buf, sizeof buf);
    f << "bao-hv: " << line << '\n';
    uart_write(f.c_str(), f.size());
}

void TargetPort::cpu_on(std::uint32_t cpu) {
    if (cpu >= kMaxCpus) {
        return;
    }
    PerCpu& p = cpus_[cpu];
    __atomic_store_n(&p.start, 1u, __ATOMIC_RELEASE);
    if (p.powered != 0 || cpu == cpu_id()) {
        p.powered = 1;
        send_ipi(cpu, riscv64::kHvIpiMsg); // it waits in wait_for_start()
        return;
    }
    p.powered = 1;
    const SbiRet r = sbi_call(sbi::EXT_HSM, sbi::HART_START, cpu,
                              reinterpret_cast<std::uint64_t>(bao_hv_secondary_entry), 0);
    if (r.error != sbi::SUCCESS && r.error != sbi::ERR_ALREADY_AVAILABLE) {
        char buf[96];
        Fmt(buf, sizeof buf) << "SBI hart_start of hart " << cpu << " failed (" << r.error << ")";
        log(buf);
    }
}

// hv's IPI takes `cpu` out of its guest into bao_hv_trap, which sees its
// vCPU stopped and parks it.
void TargetPort::cpu_stop(std::uint32_t cpu) {
    if (cpu < kMaxCpus && cpu != cpu_id()) {
        send_ipi(cpu, riscv64::kHvIpiMsg);
    }
}

void TargetPort::wait_for_start() {
    PerCpu& p = cpus_[cpu_id() % kMaxCpus];
    while (__atomic_exchange_n(&p.start, 0u, __ATOMIC_ACQUIRE) == 0) {
        wfi();
        BAO_CSRC(sip, 1u << 1); // the IPI that woke it: consumed here
    }
}

void TargetPort::vm_stopped(std::uint32_t vm) {
    log(hv_->vm(vm).exit_reason);
}

void TargetPort::power_off() {
    log("every VM has stopped: SBI SRST shutdown");
    sbi_call(sbi::EXT_SRST, sbi::SYSTEM_RESET, sbi::RESET_SHUTDOWN, sbi::REASON_NONE);
    for (;;) {
        wfi();
    }
}

} // namespace hv::target
