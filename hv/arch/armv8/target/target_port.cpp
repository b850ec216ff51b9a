#include "hv/arch/armv8/target/target_port.h"

#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypervisor.h"
#include "hv/core/vuart.h"
#include "hv/lib/mmio.h"

extern "C" char bao_hv_secondary_entry[];

namespace hv::target {
namespace {

constexpr std::uint64_t kUartDr = 0x00;
constexpr std::uint64_t kUartFr = 0x18;
constexpr std::uint32_t kUartFrTxff = 1u << 5;
constexpr std::uint64_t kGicdSgir = 0xf00;
constexpr std::int64_t kPsciAlreadyOn = -4;

} // namespace

constinit TargetPort::PerCpu TargetPort::cpus_[kMaxCpus]{};

// Boot and shutdown only (attach, log, cpu_on, vm_stopped, power_off):
// [[gnu::cold]] compiles them for size (docs/real-image.md#section-sizes).
[[gnu::cold]] void TargetPort::attach(Hypervisor* hv, const PlatformConfig& platform) {
    hv_ = hv;
    uart_ = platform.console_pa;
    gicd_ = platform.gic.gicd;
    gic_v3_ = platform.gic.version == GicVersion::V3;
}

// RAM is identity-mapped Normal Write-Back (mmu.h): plain copies.
void TargetPort::mem_read(std::uint64_t pa, void* dst, std::size_t len) {
    __builtin_memcpy(dst, reinterpret_cast<const void*>(pa), len);
}

void TargetPort::mem_write(std::uint64_t pa, const void* src, std::size_t len) {
    __builtin_memcpy(reinterpret_cast<void*>(pa), src, len);
}

void TargetPort::mem_copy(std::uint64_t dst_pa, std::uint64_t src_pa, std::size_t len) {
    if (((dst_pa | src_pa | len) & 7) == 0) {
        auto* d = reinterpret_cast<volatile std::uint64_t*>(dst_pa);
        const auto* s = reinterpret_cast<const volatile std::uint64_t*>(src_pa);
        for (std::size_t i = 0; i < len / 8; ++i) {
            d[i] = s[i];
        }
        return;
    }
    __builtin_memmove(reinterpret_cast<void*>(dst_pa), reinterpret_cast<const void*>(src_pa), len);
}

void TargetPort::mem_zero(std::uint64_t pa, std::size_t len) {
    if (((pa | len) & 7) == 0) {
        auto* d = reinterpret_cast<volatile std::uint64_t*>(pa);
        for (std::size_t i = 0; i < len / 8; ++i) {
            d[i] = 0;
        }
        return;
    }
    __builtin_memset(reinterpret_cast<void*>(pa), 0, len);
}

std::uint64_t TargetPort::dev_read(std::uint64_t pa, std::uint32_t size) {
    return mmio::read_sized(pa, size);
}

void TargetPort::dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) {
    mmio::write_sized(pa, size, value);
}

std::uint64_t TargetPort::sysreg_read(armv8::SysReg reg) {
    switch (reg) {
    case armv8::SysReg::VTTBR_EL2:
        return BAO_MRS(vttbr_el2);
    case armv8::SysReg::VTCR_EL2:
        return BAO_MRS(vtcr_el2);
    case armv8::SysReg::HCR_EL2:
        return BAO_MRS(hcr_el2);
    case armv8::SysReg::VMPIDR_EL2:
        return BAO_MRS(vmpidr_el2);
    case armv8::SysReg::VPIDR_EL2:
        return BAO_MRS(vpidr_el2);
    case armv8::SysReg::CNTVOFF_EL2:
        return BAO_MRS(cntvoff_el2);
    case armv8::SysReg::ICH_HCR_EL2:
        return BAO_MRS(ich_hcr_el2);
    case armv8::SysReg::ICH_VTR_EL2:
        return BAO_MRS(ich_vtr_el2);
    case armv8::SysReg::ICH_VMCR_EL2:
        return BAO_MRS(ich_vmcr_el2);
    case armv8::SysReg::ICH_MISR_EL2:
        return BAO_MRS(ich_misr_el2);
    case armv8::SysReg::ICH_EISR_EL2:
        return BAO_MRS(ich_eisr_el2);
    case armv8::SysReg::ICH_ELRSR_EL2:
        return BAO_MRS(ich_elrsr_el2);
    case armv8::SysReg::ICH_LR0_EL2:
        return BAO_MRS(ich_lr0_el2);
    case armv8::SysReg::ICH_LR1_EL2:
        return BAO_MRS(ich_lr1_el2);
    case armv8::SysReg::ICH_LR2_EL2:
        return BAO_MRS(ich_lr2_el2);
    case armv8::SysReg::ICH_LR3_EL2:
        return BAO_MRS(ich_lr3_el2);
    case armv8::SysReg::ICH_LR4_EL2:
        return BAO_MRS(ich_lr4_el2);
    case armv8::SysReg::ICH_LR5_EL2:
        return BAO_MRS(ich_lr5_el2);
    case armv8::SysReg::ICH_LR6_EL2:
        return BAO_MRS(ich_lr6_el2);
    case armv8::SysReg::ICH_LR7_EL2:
        return BAO_MRS(ich_lr7_el2);
    case armv8::SysReg::ICH_LR8_EL2:
        return BAO_MRS(ich_lr8_el2);
    case armv8::SysReg::ICH_LR9_EL2:
        return BAO_MRS(ich_lr9_el2);
    case armv8::SysReg::ICH_LR10_EL2:
        return BAO_MRS(ich_lr10_el2);
    case armv8::SysReg::ICH_LR11_EL2:
        return BAO_MRS(ich_lr11_el2);
    case armv8::SysReg::ICH_LR12_EL2:
        return BAO_MRS(ich_lr12_el2);
    case armv8::SysReg::ICH_LR13_EL2:
        return BAO_MRS(ich_lr13_el2);
    case armv8::SysReg::ICH_LR14_EL2:
        return BAO_MRS(ich_lr14_el2);
    case armv8::SysReg::ICH_LR15_EL2:
        return BAO_MRS(ich_lr15_el2);
    case armv8::SysReg::ICC_SRE_EL2:
        return BAO_MRS(icc_sre_el2);
    case armv8::SysReg::ICC_IAR1_EL1:
        return BAO_MRS(icc_iar1_el1);
    case armv8::SysReg::ICC_PMR_EL1:
        return BAO_MRS(icc_pmr_el1);
    case armv8::SysReg::ICC_BPR1_EL1:
        return BAO_MRS(icc_bpr1_el1);
    case armv8::SysReg::ICC_CTLR_EL1:
        return BAO_MRS(icc_ctlr_el1);
    case armv8::SysReg::ICC_IGRPEN1_EL1:
        return BAO_MRS(icc_igrpen1_el1);
    case armv8::SysReg::ICC_SRE_EL1:
        return BAO_MRS(icc_sre_el1);
    case armv8::SysReg::ICC_EOIR1_EL1:
    case armv8::SysReg::ICC_DIR_EL1:
    case armv8::SysReg::ICC_SGI1R_EL1:
        break; // write-only
    case armv8::SysReg::Count:
        break;
    }
    return 0;
}

void TargetPort::sysreg_write(armv8::SysReg reg, std::uint64_t value) {
    switch (reg) {
    case armv8::SysReg::VTTBR_EL2:
        BAO_MSR(vttbr_el2, value);
        break;
    case armv8::SysReg::VTCR_EL2:
        BAO_MSR(vtcr_el2, value);
        break;
    case armv8::SysReg::HCR_EL2:
        BAO_MSR(hcr_el2, value);
        break;
    case armv8::SysReg::VMPIDR_EL2:
        BAO_MSR(vmpidr_el2, value);
        break;
    case armv8::SysReg::VPIDR_EL2:
        BAO_MSR(vpidr_el2, value);
        break;
    case armv8::SysReg::CNTVOFF_EL2:
        BAO_MSR(cntvoff_el2, value);
        break;
    case armv8::SysReg::ICH_HCR_EL2:
        BAO_MSR(ich_hcr_el2, value);
        break;
    case armv8::SysReg::ICH_VMCR_EL2:
        BAO_MSR(ich_vmcr_el2, value);
        break;
    case armv8::SysReg::ICH_LR0_EL2:
        BAO_MSR(ich_lr0_el2, value);
        break;
    case armv8::SysReg::ICH_LR1_EL2:
        BAO_MSR(ich_lr1_el2, value);
        break;
    case armv8::SysReg::ICH_LR2_EL2:
        BAO_MSR(ich_lr2_el2, value);
        break;
    case armv8::SysReg::ICH_LR3_EL2:
        BAO_MSR(ich_lr3_el2, value);
        break;
    case armv8::SysReg::ICH_LR4_EL2:
        BAO_MSR(ich_lr4_el2, value);
        break;
    case armv8::SysReg::ICH_LR5_EL2:
        BAO_MSR(ich_lr5_el2, value);
        break;
    case armv8::SysReg::ICH_LR6_EL2:
        BAO_MSR(ich_lr6_el2, value);
        break;
    case armv8::SysReg::ICH_LR7_EL2:
        BAO_MSR(ich_lr7_el2, value);
        break;
    case armv8::SysReg::ICH_LR8_EL2:
        BAO_MSR(ich_lr8_el2, value);
        break;
    case armv8::SysReg::ICH_LR9_EL2:
        BAO_MSR(ich_lr9_el2, value);
        break;
    case armv8::SysReg::ICH_LR10_EL2:
        BAO_MSR(ich_lr10_el2, value);
        break;
    case armv8::SysReg::ICH_LR11_EL2:
        BAO_MSR(ich_lr11_el2, value);
        break;
    case armv8::SysReg::ICH_LR12_EL2:
        BAO_MSR(ich_lr12_el2, value);
        break;
    case armv8::SysReg::ICH_LR13_EL2:
        BAO_MSR(ich_lr13_el2, value);
        break;
    case armv8::SysReg::ICH_LR14_EL2:
        BAO_MSR(ich_lr14_el2, value);
        break;
    case armv8::SysReg::ICH_LR15_EL2:
        BAO_MSR(ich_lr15_el2, value);
        break;
    case armv8::SysReg::ICC_SRE_EL2:
        BAO_MSR(icc_sre_el2, value);
        break;
    case armv8::SysReg::ICC_EOIR1_EL1:
        BAO_MSR(icc_eoir1_el1, value);
        break;
    case armv8::SysReg::ICC_DIR_EL1:
        BAO_MSR(icc_dir_el1, value);
        break;
    case armv8::SysReg::ICC_PMR_EL1:
        BAO_MSR(icc_pmr_el1, value);
        break;
    case armv8::SysReg::ICC_BPR1_EL1:
        BAO_MSR(icc_bpr1_el1, value);
        break;
    case armv8::SysReg::ICC_CTLR_EL1:
        BAO_MSR(icc_ctlr_el1, value);
        break;
    case armv8::SysReg::ICC_IGRPEN1_EL1:
        BAO_MSR(icc_igrpen1_el1, value);
        break;
    case armv8::SysReg::ICC_SGI1R_EL1:
        BAO_MSR(icc_sgi1r_el1, value);
        break;
    case armv8::SysReg::ICC_SRE_EL1:
        BAO_MSR(icc_sre_el1, value);
        break;
    case armv8::SysReg::ICH_VTR_EL2:
    case armv8::SysReg::ICH_MISR_EL2:
    case armv8::SysReg::ICH_EISR_EL2:
    case armv8::SysReg::ICH_ELRSR_EL2:
    case armv8::SysReg::ICC_IAR1_EL1:
        break; // read-only
    case armv8::SysReg::Count:
        break;
    }
    isb();
}

// TLBI ...IS acts on the VMID in VTTBR_EL2: borrow it for the operation.
void TargetPort::tlb_flush_vm(std::uint16_t vmid) {
    const std::uint64_t saved = BAO_MRS(vttbr_el2);
    BAO_MSR(vttbr_el2, static_cast<std::uint64_t>(vmid) << 48);
    isb();
    __asm__ volatile("dsb ishst; tlbi vmalls12e1is; dsb ish" ::: "memory");
    BAO_MSR(vttbr_el2, saved);
    isb();
}

void TargetPort::tlb_flush_ipa(std::uint16_t vmid, std::uint64_t ipa) {
    const std::uint64_t saved = BAO_MRS(vttbr_el2);
    BAO_MSR(vttbr_el2, static_cast<std::uint64_t>(vmid) << 48);
    isb();
    __asm__ volatile(
        "dsb ishst; tlbi ipas2e1is, %0; dsb ish; tlbi vmalle1is; dsb ish" ::"r"(ipa >> 12)
        : "memory");
    BAO_MSR(vttbr_el2, saved);
    isb();
}

// RAM is mapped at PA = VA: clean and invalidate by address, in the data cache's
// smallest line (CTR_EL0.DminLine, in words).
void TargetPort::cache_clean_invalidate(std::uint64_t pa, std::uint64_t size) {
    const std::uint64_t line = 4ull << ((BAO_MRS(ctr_el0) >> 16) & 0xf);
    for (std::uint64_t a = pa & ~(line - 1); a < pa + size; a += line) {
        __asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
    }
    __asm__ volatile("dsb sy" ::: "memory");
}

// GICv2 GICD_SGIR: TargetListFilter 0, CPU target list bit `cpu` (QEMU's
// GIC CPU interface numbers follow the CPU index). GICv3 ICC_SGI1R_EL1:
// Aff3.Aff2.Aff1 = 0, target list bit Aff0 = cpu (QEMU virt's affinities).
void TargetPort::send_ipi(std::uint32_t cpu, std::uint32_t sgi) {
    dsb_ish();
    if (gic_v3_) {
        BAO_MSR(icc_sgi1r_el1, armv8::gicv3::icc::sgi1r(sgi, cpu));
        isb();
        return;
    }
    mmio::write<std::uint32_t>(gicd_ + kGicdSgir, (1u << (16 + cpu)) | (sgi & 0xf));
}

void TargetPort::uart_putc(char c) {
    while ((mmio::read<std::uint32_t>(uart_ + kUartFr) & kUartFrTxff) != 0) {
    }
    mmio::write<std::uint32_t>(uart_ + kUartDr, static_cast<std::uint8_t>(c));
}

void TargetPort::uart_write(const char* s, std::size_t n) {
    console_lock_.lock();
    for (std::size_t i = 0; i < n; ++i) {
        uart_putc(s[i]);
    }
    console_lock_.unlock();
}

// QEMU runs the CPUs in parallel: characters of two VMs' lines would
// interleave on the one physical UART, so each CPU collects a line and
// prints it whole.
void TargetPort::console_putc(char c) {
    // A VM's line as hv wraps it ("[name] ", text, newline; vuart.h) fits one
    // buffer whole, so no piece reaches the UART without its prefix.
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

[[gnu::cold]] void TargetPort::log(const char* line) {
    console_flush();
    char buf[200];
    Fmt f(buf, sizeof buf);
    f << "bao-hv: " << line << '\n';
    uart_write(f.c_str(), f.size());
}

[[gnu::cold]] void TargetPort::cpu_on(std::uint32_t cpu) {
    if (cpu >= kMaxCpus) {
        return;
    }
    PerCpu& p = cpus_[cpu];
    __atomic_store_n(&p.start, 1u, __ATOMIC_RELEASE);
    if (p.powered || cpu == cpu_id()) {
        p.powered = true;
        sev(); // it waits in wait_for_start()
        return;
    }
    p.powered = true;
    // PSCI CPU_ON takes the MPIDR affinity fields only (bit 31 is RES1 in
    // MPIDR_EL1 but QEMU rejects it as an unknown CPU).
    const std::int64_t r = smc(armv8::psci::CPU_ON64, cpu,
                               reinterpret_cast<std::uint64_t>(bao_hv_secondary_entry), cpu);
    if (r != 0 && r != kPsciAlreadyOn) {
        char buf[96];
        Fmt(buf, sizeof buf) << "PSCI CPU_ON of cpu " << cpu << " failed (" << r << ")";
        log(buf);
    }
}

// hv's SGI takes `cpu` out of its guest into bao_hv_irq, which sees its
// vCPU stopped and parks it (bao_hv_sync does the same on a trap).
void TargetPort::cpu_stop(std::uint32_t cpu) {
    if (cpu >= kMaxCpus) {
        return;
    }
    if (cpu != cpu_id()) {
        send_ipi(cpu, armv8::kHvIpiSgi);
    }
}

void TargetPort::wait_for_start() {
    PerCpu& p = cpus_[cpu_id() % kMaxCpus];
    while (__atomic_exchange_n(&p.start, 0u, __ATOMIC_ACQUIRE) == 0) {
        wfe();
    }
}

[[gnu::cold]] void TargetPort::vm_stopped(std::uint32_t vm) {
    log(hv_->vm(vm).exit_reason);
}

[[gnu::cold]] void TargetPort::power_off() {
    log("every VM has stopped: PSCI SYSTEM_OFF");
    smc(armv8::psci::SYSTEM_OFF, 0, 0, 0);
    for (;;) {
        wfi();
    }
}

} // namespace hv::target
