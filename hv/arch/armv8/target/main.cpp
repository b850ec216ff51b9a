// The bao-hv image's C++ entry points, called from start.S:
//   bao_hv_primary    CPU 0 after reset: build hv from the compiled-in config,
//                     place the guest images, boot, then run this CPU's vCPU
//   bao_hv_secondary  a CPU started by PSCI CPU_ON: run its vCPU
//   bao_hv_sync       a synchronous exception from a guest (HVC, SMC, WFI,
//                     stage-2 abort...): hv's trap entry
//   bao_hv_irq        a physical IRQ while a guest ran (HCR_EL2.IMO): hv's
//                     vGIC acknowledges and injects it
//   bao_hv_el2_fault  an exception taken from EL2 itself: a bug, reported
// Each gets the guest's saved registers (hv::VcpuRegs at the top of the
// CPU's stack) and returns to start.S, which restores them and erets.
#include <new> // placement new only (a freestanding header): constructs the context in place, no heap

#include "hv/arch/armv8/gicv2.h"
#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/target/cpu.h"
#include "hv/arch/armv8/target/image_config.h"
#include "hv/arch/armv8/target/mmu.h"
#include "hv/arch/armv8/target/target_port.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypervisor.h"

namespace hv::target {
namespace {

static_assert(__builtin_offsetof(VcpuRegs, x) == 0);
static_assert(__builtin_offsetof(VcpuRegs, pc) == 248, "start.S FRAME_PC");
static_assert(__builtin_offsetof(VcpuRegs, spsr) == 256);
static_assert(sizeof(VcpuRegs) <= 272, "start.S TRAP_FRAME");

constexpr std::uint64_t kSpsrEl1hMasked = 0x3c5; // EL1h, DAIF masked: how a CPU boots
constexpr std::uint64_t kSctlrEl1Res1 = 0x30d00800;
constexpr std::uint64_t kGicvSize = 0x2000; // GICV: CPU interface registers + GICV_DIR

// The machine's state: one port and one hv context (docs/design.md#hv-context
// is about hv's code; the image has exactly one of each). The context is built at run
// time into static storage: no static constructors in a bare image. (A
// constinit object would do without <new> but lands in .data, adding its
// ~190 KiB to the loaded image; in .bss it costs nothing to load.)
constinit TargetPort g_port;
alignas(Hypervisor) unsigned char g_hv_storage[sizeof(Hypervisor)];
Hypervisor* g_hv = nullptr;

[[noreturn]] void panic(const char* what) {
    char buf[240];
    Fmt(buf, sizeof buf) << "PANIC on cpu " << mpidr_cpu() << ": " << what;
    g_port.log(buf);
    g_port.power_off();
}

// Waits until this CPU's vCPU is powered on, programs the EL2 registers for
// it, and makes `frame` the vCPU's reset state (pc, x0 from hv).
void start_vcpu(VcpuRegs* frame) {
    for (;;) {
        g_port.wait_for_start();
        g_port.lock().lock();
        const Vcpu* v = g_hv->vcpu_on_cpu(mpidr_cpu());
        const bool run = v != nullptr && v->state == VcpuState::Running;
        VcpuBoot boot{};
        if (run) {
            boot = v->boot;
            g_hv->cpu_init();
        }
        g_port.lock().unlock();
        if (!run) {
            continue;
        }
        *frame = VcpuRegs{};
        frame->pc = boot.pc;
        frame->x[0] = boot.x0;
        frame->spsr = kSpsrEl1hMasked;
        BAO_MSR(sctlr_el1, kSctlrEl1Res1);
        __asm__ volatile("tlbi vmalls12e1; dsb nsh; ic iallu; dsb nsh; isb" ::: "memory");
        return;
    }
}

// The guest's GIC CPU interface: hv leaves it to the platform side to map
// the GICV frame at the VM's GICC IPA (the simulator maps its model there),
// so the guest's IAR/EOIR reach the virtual CPU interface without trapping.
[[gnu::cold]] void map_gicv() { // boot only: compiled for size
    const GicAddrs& gic = kConfig.platform.gic;
    if (gic.version == GicVersion::V3) {
        return; // the guest's CPU interface is its ICC_* system registers
    }
    for (std::uint32_t i = 0; i < g_hv->num_vms(); ++i) {
        const armv8::MapStatus st =
            g_hv->vm_mut(i).stage2.map(gic.gicc, gic.gicv, kGicvSize, armv8::kDeviceRw, false);
        if (st != armv8::MapStatus::Ok) {
            panic("cannot map GICV at the GICC IPA of a VM");
        }
    }
}

// WFI completes at once for a guest with a pending virtual interrupt in a
// list register; WFI at EL2 would not see it, so check before sleeping.
bool virq_pending() {
    if (kConfig.platform.gic.version == GicVersion::V3) {
        const std::uint32_t lrs =
            (g_port.sysreg_read(armv8::SysReg::ICH_VTR_EL2) & armv8::gicv3::ich::VTR_LISTREGS) + 1;
        for (std::uint32_t n = 0; n < lrs && n < 16; ++n) {
            if ((g_port.sysreg_read(armv8::ich_lr(n)) & armv8::gicv3::ich::LR_PENDING) != 0) {
                return true;
            }
        }
        return false;
    }
    const std::uint64_t gich = kConfig.platform.gic.gich;
    const std::uint32_t lrs = (g_port.dev_read(gich + armv8::gicv2::gich::VTR, 4) & 0x3f) + 1;
    for (std::uint32_t n = 0; n < lrs; ++n) {
        const auto lr =
            static_cast<std::uint32_t>(g_port.dev_read(gich + armv8::gicv2::gich::LR0 + 4 * n, 4));
        if ((lr & armv8::gicv2::gich::LR_PENDING) != 0) {
            return true;
        }
    }
    return false;
}

// Places each embedded guest image at the PA hv chose for it
// (image_staging), before boot() recolors or starts it. A Linux VM's images
// are not embedded (data == nullptr): QEMU's -device loader already put them
// at the VM's load_pa, which is its staging PA.
[[gnu::cold]] void place_guests() { // boot only: compiled for size
    for (std::uint32_t i = 0; i < g_hv->num_vms(); ++i) {
        const ImageStaging& st = g_hv->image_staging(i);
        const GuestBlob& blob = kGuests[i];
        if (blob.size > st.size) {
            panic("a guest image is larger than its staging area");
        }
        if (blob.data != nullptr) {
            g_port.mem_copy(st.pa, reinterpret_cast<std::uint64_t>(blob.data),
                            (blob.size + 7) & ~7ull);
        }
        char buf[160];
        Fmt(buf, sizeof buf) << "vm " << i << " (\"" << g_hv->vm(i).name()
                             << "\"): " << (blob.data != nullptr ? blob.size : st.size)
                             << " bytes at PA " << Hex{st.pa}
                             << (blob.data != nullptr ? "" : " (placed by the loader)") << ", cpus "
                             << Hex{g_hv->vm(i).cpus}
                             << (st.copy ? ", copied into the VM at boot" : "");
        g_port.log(buf);
    }
    dsb_sy();
}

// A guest starts with its MMU off, so its first fetches and loads bypass the
// caches: what hv wrote into its image (the copy above, the recoloring copy
// in boot()) must reach memory first. Cleaned by the PA of each image page,
// through the VM's stage 2. (Stage-2 tables need only the DSB of the TLBI in
// start_vcpu: VTCR_EL2 makes their walks Write-Back cacheable, coherent with
// hv's cached writes.)
void clean_guest_images() {
    for (std::uint32_t i = 0; i < g_hv->num_vms(); ++i) {
        const ImageConfig& img = g_hv->vm(i).cfg->image;
        for (std::uint64_t off = 0; off < img.size; off += kPageSize) {
            const std::uint64_t ipa = (img.base_ipa + off) & ~(kPageSize - 1);
            const arch::Stage2Walk w = g_hv->walk(i, ipa);
            if (w.valid) {
                g_port.cache_clean_invalidate(w.pa, kPageSize);
            }
        }
    }
}

// Whether hv's tables put a set of hv's pages on hv's colors (the verdict
// first, so that a test can match it), then where they are.
void put_tally(Fmt& f, const El2PageTally& t) {
    if (t.unmapped != 0) {
        f << t.unmapped << " pages NOT MAPPED";
    } else if (kConfig.hyp.colors == 0) {
        f << (t.identity == t.pages ? "identity-mapped (hv uncolored)" : "NOT identity-mapped");
    } else if (t.off_colors == 0) {
        f << "every page in hyp.colors " << Hex{kConfig.hyp.colors};
    } else {
        f << t.off_colors << " pages OUTSIDE hyp.colors " << Hex{kConfig.hyp.colors};
    }
    f << " (" << t.pages << " pages at PA colors " << Hex{t.colors};
}

// hv's own tables, read back by the MMU: where each page of hv's image is
// (the self-coloring check of docs/real-image.md#self-coloring).
void log_el2_map() {
    const El2MapSummary s = summarize_el2_map(kConfig);
    char buf[200];
    Fmt f(buf, sizeof buf);
    f << (s.mmu_and_caches_on ? "EL2 MMU and caches on" : "EL2 MMU or caches OFF")
      << ", hv's image: ";
    put_tally(f, s.image);
    f << ", VA " << Hex{s.va_start} << "-" << Hex{s.va_end} << ")";
    g_port.log(f.c_str());
}

// The same for the data hv allocated from its pool at init: each CPU's vCPU
// context page, the vGIC's global page and each VM's virtual distributor.
void log_pool_map() {
    El2PageTally t;
    for (std::uint32_t c = 0; c < kMaxCpus; ++c) {
        if (const Vcpu* v = g_hv->vcpu_on_cpu(c)) {
            t.add(kConfig, v->ctx_pa);
        }
    }
    t.add(kConfig, g_hv->vgic().pa);
    for (std::uint32_t i = 0; i < g_hv->num_vms(); ++i) {
        t.add(kConfig, g_hv->vm(i).vgicd.pa);
    }
    char buf[200];
    Fmt f(buf, sizeof buf);
    f << "hv's data from its pool (vCPU contexts, vGIC): ";
    put_tally(f, t);
    f << ")";
    g_port.log(f.c_str());
}

} // namespace
} // namespace hv::target

using namespace hv;
using namespace hv::target;

// Boot only: [[gnu::cold]] compiles it for size (docs/real-image.md#section-sizes).
extern "C" [[gnu::cold]] void bao_hv_primary(VcpuRegs* frame) {
    char buf[200];
    Fmt(buf, sizeof buf) << "booting on cpu " << mpidr_cpu() << " from " << kConfigName << ", "
                         << kConfig.vms.size() << " VMs";
    g_port.attach(nullptr, kConfig.platform);
    g_port.log(buf);
    log_el2_map();
    g_hv = new (g_hv_storage) Hypervisor(g_port);
    g_port.attach(g_hv, kConfig.platform);
    const Error e = g_hv->init_validated(kConfig, kHvState); // bao-hv-config validated it
    if (!e.ok()) {
        Fmt(buf, sizeof buf) << "config error: " << e.message;
        panic(buf);
    }
    log_pool_map();
    map_gicv();
    place_guests();
    g_port.lock().lock();
    const Error b = g_hv->boot(); // cpu_on() for each VM's first CPU
    if (b.ok()) {
        clean_guest_images(); // before any CPU enters a guest: they wait for the lock
    }
    g_port.lock().unlock();
    if (!b.ok()) {
        Fmt(buf, sizeof buf) << "boot: " << b.message;
        panic(buf);
    }
    start_vcpu(frame);
}

extern "C" void bao_hv_secondary(VcpuRegs* frame) {
    start_vcpu(frame);
}

extern "C" void bao_hv_sync(VcpuRegs* frame) {
    const armv8::TrapSyndrome syn{BAO_MRS(esr_el2), BAO_MRS(far_el2), BAO_MRS(hpfar_el2)};
    g_port.lock().lock();
    const TrapAction a = armv8::handle_trap(*g_hv, syn, *frame);
    g_port.lock().unlock();
    switch (a) {
    case TrapAction::Resume:
        break;
    case TrapAction::Idle:
        // Until an interrupt is pending (masked at EL2, so it wakes WFI and
        // is taken as soon as the guest runs again).
        if (!virq_pending()) {
            wfi();
        }
        break;
    case TrapAction::VcpuOff:
    case TrapAction::VmStopped:
        g_port.console_flush();
        start_vcpu(frame); // park until a later cpu_on
        break;
    case TrapAction::NoVcpu:
        // Its VM was stopped from another CPU (cpu_stop) while this one ran.
        if (g_hv->vcpu_on_cpu(mpidr_cpu()) == nullptr) {
            panic("trap from a guest on a CPU that no VM owns");
        }
        g_port.console_flush();
        start_vcpu(frame);
        break;
    }
}

// One interrupt per entry (hv reads GICC_IAR once); if the line stays
// asserted the CPU comes straight back after the eret.
extern "C" void bao_hv_irq(VcpuRegs* frame) {
    g_port.lock().lock();
    armv8::handle_irq(*g_hv);
    const Vcpu* v = g_hv->vcpu_on_cpu(mpidr_cpu());
    const bool parked =
        v == nullptr || v->state == VcpuState::Stopped || v->state == VcpuState::Off;
    g_port.lock().unlock();
    if (parked) {
        // Its VM was stopped from another CPU (cpu_stop sent hv's SGI).
        g_port.console_flush();
        start_vcpu(frame);
    }
}

extern "C" [[noreturn]] void bao_hv_el2_fault(std::uint64_t slot) {
    char buf[200];
    Fmt(buf, sizeof buf) << "exception in hv itself (vector slot " << slot << "): ESR_EL2 "
                         << Hex{BAO_MRS(esr_el2)} << " ELR_EL2 " << Hex{BAO_MRS(elr_el2)}
                         << " FAR_EL2 " << Hex{BAO_MRS(far_el2)};
    panic(buf);
}
