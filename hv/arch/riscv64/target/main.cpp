// The RISC-V bao-hv image's C++ entry points, called from start.S:
//   bao_hv_primary    the hart OpenSBI jumped to: build hv from the
//                     compiled-in config, place the guest images, boot,
//                     then run this hart's vCPU (or park it)
//   bao_hv_secondary  a hart started by SBI HSM hart_start: run its vCPU
//   bao_hv_trap       a trap from a guest (scause: ECALL, guest-page fault,
//                     virtual instruction, or an HS interrupt)
//   bao_hv_fault      a trap taken in hv itself: a bug, reported
// Each gets the guest's saved registers (hv::VcpuRegs at the top of the
// hart's stack) and returns to start.S, which restores them and srets.
#include <new> // placement new only: constructs the context in place, no heap

#include "hv/arch/armv8/target/image_config.h"
#include "hv/arch/riscv64/target/cpu.h"
#include "hv/arch/riscv64/target/target_port.h"
#include "hv/arch/riscv64/trap.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypervisor.h"

namespace hv::target {
namespace {

static_assert(__builtin_offsetof(VcpuRegs, x) == 0);
static_assert(__builtin_offsetof(VcpuRegs, sepc) == 256, "start.S FRAME_SEPC");
static_assert(__builtin_offsetof(VcpuRegs, hstatus) == 264, "start.S FRAME_HSTATUS");
static_assert(sizeof(VcpuRegs) <= 272, "start.S FRAME_HART");

// QEMU virt's NS16550A: hv's own console (VMs see a virtual PL011 at the
// platform's console address, which is the same address).
constexpr std::uint64_t kUart = 0x1000'0000;

constinit TargetPort g_port;
alignas(Hypervisor) unsigned char g_hv_storage[sizeof(Hypervisor)];
Hypervisor* g_hv = nullptr;

[[noreturn]] void panic(const char* what) {
    char buf[240];
    Fmt(buf, sizeof buf) << "PANIC on hart " << hart_id() << ": " << what;
    g_port.log(buf);
    g_port.power_off();
}

// Waits until this hart's vCPU is powered on, programs the hypervisor CSRs
// for it, and makes `frame` the vCPU's reset state: pc from hv, a0 its
// virtual hart id, a1 the boot argument (SBI HSM's opaque).
void start_vcpu(VcpuRegs* frame) {
    for (;;) {
        g_port.wait_for_start();
        g_port.lock().lock();
        const Vcpu* v = g_hv->vcpu_on_cpu(hart_id());
        const bool run = v != nullptr && v->state == VcpuState::Running;
        VcpuBoot boot{};
        std::uint64_t vhart = 0;
        if (run) {
            boot = v->boot;
            vhart = v->vmpidr;
            g_hv->cpu_init();
        }
        g_port.lock().unlock();
        if (!run) {
            continue;
        }
        *frame = VcpuRegs{};
        frame->sepc = boot.pc;
        frame->x[riscv64::reg::a0] = vhart;
        frame->x[riscv64::reg::a1] = boot.x0;
        frame->hstatus = riscv64::kHstatusGuest;
        BAO_CSRW(0x280, 0); // vsatp: the guest starts with translation off
        BAO_CSRW(0x204, 0); // vsie
        BAO_CSRW(0x200, 0); // vsstatus
        hfence_vvma_all();
        return;
    }
}

void place_guests() {
    for (std::uint32_t i = 0; i < g_hv->num_vms(); ++i) {
        const ImageStaging& st = g_hv->image_staging(i);
        const GuestBlob& blob = kGuests[i];
        if (blob.data == nullptr || blob.size > st.size) {
            panic("a guest image is missing or larger than its staging area");
        }
        g_port.mem_copy(st.pa, reinterpret_cast<std::uint64_t>(blob.data), blob.size);
        char buf[160];
        Fmt(buf, sizeof buf) << "vm " << i << " (\"" << g_hv->vm(i).name() << "\"): " << blob.size
                             << " bytes at PA " << Hex{st.pa} << ", harts " << Hex{g_hv->vm(i).cpus}
                             << (st.copy ? ", copied into the VM at boot" : "");
        g_port.log(buf);
    }
    fence();
    __asm__ volatile("fence.i" ::: "memory");
}

// A guest waiting for an interrupt: sleep unless one is already pending
// for it (hv's WFI wakes on the HS interrupts, taken once the guest runs).
void idle() {
    if ((g_port.csr_read(riscv64::Csr::hvip) & riscv64::kHidelegGuest) == 0) {
        wfi();
    }
}

bool parked() {
    const Vcpu* v = g_hv->vcpu_on_cpu(hart_id());
    return v == nullptr || v->state == VcpuState::Stopped || v->state == VcpuState::Off;
}

} // namespace
} // namespace hv::target

using namespace hv;
using namespace hv::target;

extern "C" void bao_hv_primary(VcpuRegs* frame) {
    char buf[200];
    g_port.attach(nullptr, kConfig.platform, kUart);
    Fmt(buf, sizeof buf) << "booting on hart " << hart_id() << " from " << kConfigName << ", "
                         << kConfig.vms.size() << " VMs";
    g_port.log(buf);
    g_hv = new (g_hv_storage) Hypervisor(g_port);
    g_port.attach(g_hv, kConfig.platform, kUart);
    const Error e = g_hv->init_validated(kConfig, kHvState); // bao-hv-config validated it
    if (!e.ok()) {
        Fmt(buf, sizeof buf) << "config error: " << e.message;
        panic(buf);
    }
    place_guests();
    g_port.lock().lock();
    const Error b = g_hv->boot(); // cpu_on() for each VM's first hart
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

extern "C" void bao_hv_trap(VcpuRegs* frame) {
    const std::uint64_t scause = BAO_CSRR(scause);
    if ((scause & riscv64::kCauseInterrupt) != 0) {
        const std::uint64_t cause = scause & ~riscv64::kCauseInterrupt;
        if (cause == riscv64::cause::SupervisorSoft) {
            BAO_CSRC(sip, 1u << 1);
        }
        g_port.lock().lock();
        riscv64::handle_irq(*g_hv, cause);
        const bool stop = parked();
        g_port.lock().unlock();
        if (stop) {
            g_port.console_flush();
            start_vcpu(frame);
        }
        return;
    }
    const riscv64::TrapRecord t{scause, BAO_CSRR(stval), BAO_CSRR(0x643), BAO_CSRR(0x64a)};
    g_port.lock().lock();
    const TrapAction a = riscv64::handle_trap(*g_hv, t, *frame);
    g_port.lock().unlock();
    switch (a) {
    case TrapAction::Resume:
        break;
    case TrapAction::Idle:
        idle();
        break;
    case TrapAction::VcpuOff:
    case TrapAction::VmStopped:
    case TrapAction::NoVcpu:
        g_port.console_flush();
        start_vcpu(frame); // park until a later cpu_on
        break;
    }
}

extern "C" [[noreturn]] void bao_hv_fault() {
    char buf[200];
    Fmt(buf, sizeof buf) << "trap in hv itself: scause " << Hex{BAO_CSRR(scause)} << " sepc "
                         << Hex{BAO_CSRR(sepc)} << " stval " << Hex{BAO_CSRR(stval)};
    panic(buf);
}
