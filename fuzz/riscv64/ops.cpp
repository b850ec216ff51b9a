#include "fuzz/riscv64/ops.h"

#include <vector>

#include "hv/arch/riscv64/csr.h"
#include "hv/arch/riscv64/sbi.h"
#include "hv/arch/riscv64/trap.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypercall.h"

namespace hvfuzz::rv {

namespace {

namespace r5 = hv::riscv64;
namespace sbi = hv::riscv64::sbi;
namespace plic = hv::riscv64::plic;

enum Op : std::uint32_t {
    SbiCall,     // ECALL with a known extension, small function ids, plausible arguments
    EcallRaw,    // ECALL, a0-a7 raw
    Hypercall,   // Bao's extension with small ids and arguments
    IpcNotify,   // Bao's IPC notify with small object and event numbers
    PlicAccess,  // a load/store to the vPLIC at a register the guest would use, or anywhere
    VuartAccess, // a load/store to the virtual UART page
    GpfNear,     // a guest-page fault (fetch, load, store) near an interesting GPA
    TrapRaw,     // any scause, stval, htval, htinst
    VirtualInsn, // a virtual-instruction trap: WFI or any bits
    ExtIrq,      // a supervisor external interrupt, the claim returning a chosen source
    TimerIrq,    // the supervisor timer fired
    Ipis,        // hv's IPIs sent to this hart, each a supervisor software interrupt
    IrqRaw,      // handle_irq with any cause
    PowerCycle,  // HSM HART_STOP on this hart, HART_START of it from another of its VM
    CpuInit,     // hv re-initialises this hart
    StartAll,    // HSM HART_START of every virtual hart 0-7
    Shutdown,    // SRST system reset (shutdown or a reboot)
    Suspend,     // HSM HART_SUSPEND, then an interrupt
    kNumKinds
};

const char* const kNames[kNumKinds] = {
    "sbi",      "ecall-raw",   "hypercall", "ipc-notify", "plic-access", "vuart-access",
    "gpf-near", "trap-raw",    "virt-insn", "ext-irq",    "timer-irq",   "ipis",
    "irq-raw",  "power-cycle", "cpu-init",  "start-all",  "shutdown",    "suspend"};

constexpr std::uint64_t kExts[] = {sbi::EXT_BASE, sbi::EXT_TIME,
                                   sbi::EXT_IPI,  sbi::EXT_RFENCE,
                                   sbi::EXT_HSM,  sbi::EXT_SRST,
                                   sbi::EXT_BAO,  0x4442'434E,
                                   0x0,           0x8};

hv::TrapAction trap(Machine& m, std::uint32_t cpu, const r5::TrapRecord& t) {
    m.port.current_cpu = cpu;
    return r5::handle_trap(m.hv, t, m.regs[cpu]);
}

hv::TrapAction ecall(Machine& m, std::uint32_t cpu, std::uint64_t ext, std::uint64_t fid) {
    m.regs[cpu].x[r5::reg::a7] = ext;
    m.regs[cpu].x[r5::reg::a6] = fid;
    return trap(m, cpu, {r5::cause::EcallVS, 0, 0, 0});
}

// The image entry of the VM on `cpu` (a valid HART_START address), or 0.
std::uint64_t entry_of(Machine& m, std::uint32_t cpu) {
    const hv::Vcpu* v = m.hv.vcpu_on_cpu(cpu);
    return v != nullptr ? m.hv.vm(v->vm).cfg->image.entry : 0;
}

// A plausible hart mask and base (SBI's hart_mask, hart_mask_base), or raw.
void hart_mask(Input& in, std::uint64_t& mask, std::uint64_t& base) {
    switch (in.pick(4)) {
    case 0:
        mask = in.u8();
        base = 0;
        break;
    case 1:
        mask = 0;
        base = sbi::kAllHarts;
        break;
    case 2:
        mask = in.u8();
        base = in.u8() % 10;
        break;
    default:
        mask = in.u64();
        base = in.u64();
        break;
    }
}

// An offset into the vPLIC a guest would use: a source's priority, a
// pending word, an S or M context's enable word or threshold/claim (of
// its own harts or beyond), or anywhere in the 64 MiB.
std::uint64_t plic_offset(Input& in) {
    const std::uint32_t context = in.u8() % 20;
    switch (in.pick(5)) {
    case 0:
        return plic::kPriority + 4 * (in.u16() % plic::kMaxSources);
    case 1:
        return plic::kPending + 4 * (in.u8() % plic::kWords);
    case 2:
        return plic::kEnable + plic::kEnableStride * context + 4 * (in.u8() % plic::kWords);
    case 3:
        return plic::kContext + plic::kContextStride * context + (in.flag() ? plic::kClaim : 0);
    default:
        return in.u32() % plic::kSize;
    }
}

// A transformed instruction (htinst) for a load or store of `size` bytes
// through register `reg`, or 0 (hv then reads the instruction: the port
// returns the input's bits), or raw.
std::uint64_t access_insn(Machine& m, Input& in, bool store, std::uint32_t size,
                          std::uint32_t reg) {
    const std::uint32_t width = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
    const std::uint32_t sign = !store && in.flag() ? 0 : 4; // LW/LH/LB or LWU/LHU/LBU
    const std::uint32_t insn =
        store ? (0x23u | (width << 12) | (reg << 20))
              : (0x03u | ((width | (width == 3 ? 0 : sign)) << 12) | (reg << 7));
    switch (in.pick(4)) {
    case 0:
        return insn; // transformed: bit 1 set for a 32-bit original
    case 1:
        return insn & ~2u; // transformed from a compressed original
    case 2:
        m.port.insn = in.flag() ? insn : in.u32();
        m.port.insn_readable = (in.u8() & 7) != 0;
        return 0;
    default:
        return in.u64();
    }
}

void load_store(Machine& m, std::uint32_t cpu, Input& in, std::uint64_t gpa) {
    const bool store = in.flag();
    const std::uint32_t size = 1u << in.pick(4);
    const std::uint32_t reg = in.u8() & 31;
    const std::uint64_t htinst = access_insn(m, in, store, size, reg);
    m.regs[cpu].x[reg] = in.flag() ? in.u8() : in.u64();
    const std::uint64_t scause =
        store ? r5::cause::StoreGuestPageFault : r5::cause::LoadGuestPageFault;
    trap(m, cpu, {scause, gpa, gpa >> 2, htinst});
}

std::uint64_t some_gpa(Machine& m, std::uint32_t cpu, Input& in) {
    const hv::Config& c = m.hv.config();
    const hv::Vcpu* v = m.hv.vcpu_on_cpu(cpu);
    const hv::VmConfig* vm = v != nullptr ? m.hv.vm(v->vm).cfg : nullptr;
    std::uint64_t base = 0;
    switch (in.pick(6)) {
    case 0:
        base = c.platform.gic.gicd;
        break;
    case 1:
        base = c.platform.console_pa;
        break;
    case 2:
        base = c.hyp.region.base;
        break;
    case 3:
        base = vm != nullptr ? vm->regions[0].base + vm->regions[0].size : 0;
        break;
    case 4:
        base = vm != nullptr && !vm->ipcs.empty() ? vm->ipcs[0].base : 0;
        break;
    default:
        base =
            vm != nullptr && !vm->devs.empty() ? vm->devs[0].va : c.platform.gic.gicd + plic::kSize;
        break;
    }
    return base + in.u16() - 0x100;
}

void sbi_call(Machine& m, std::uint32_t cpu, Input& in) {
    r5::VcpuRegs& r = m.regs[cpu];
    const std::uint64_t ext = kExts[in.pick(sizeof kExts / sizeof kExts[0])];
    const std::uint64_t fid = in.flag() ? in.u8() % 8 : in.u64();
    hart_mask(in, r.x[10], r.x[11]);
    if (ext == sbi::EXT_HSM) {
        r.x[10] = in.flag() ? in.u8() % 9 : in.u64();                         // hartid / type
        r.x[11] = in.flag() ? entry_of(m, cpu) + (in.u8() & 0xfc) : in.u64(); // start address
    }
    r.x[12] = in.flag() ? in.u16() : in.u64();
    r.x[13] = in.flag() ? in.u16() : in.u64();
    r.x[14] = in.u64();
    r.x[15] = in.u64();
    ecall(m, cpu, ext, fid);
}

void power_cycle(Machine& m, std::uint32_t cpu) {
    const hv::Vcpu* v = m.hv.vcpu_on_cpu(cpu);
    if (v == nullptr) {
        return;
    }
    ecall(m, cpu, sbi::EXT_HSM, sbi::HART_STOP);
    const hv::Vm& vm = m.hv.vm(v->vm);
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        const std::uint32_t other = vm.vcpu_cpu[n];
        if (other != cpu) {
            m.regs[other].x[10] = v->id;
            m.regs[other].x[11] = entry_of(m, cpu);
            m.regs[other].x[12] = 0x1234;
            ecall(m, other, sbi::EXT_HSM, sbi::HART_START);
            return;
        }
    }
}

// hv's IPIs sent to this hart: each is one supervisor software interrupt.
void take_ipis(Machine& m, std::uint32_t cpu) {
    std::uint32_t n = 0;
    std::erase_if(m.port.ipis, [&](const std::pair<std::uint32_t, std::uint32_t>& ipi) {
        return ipi.first == cpu && ++n != 0;
    });
    for (; n > 0; --n) {
        r5::handle_irq(m.hv, r5::cause::SupervisorSoft);
    }
}

void run(Machine& m, Op op, std::uint32_t cpu, Input& in) {
    r5::VcpuRegs& r = m.regs[cpu];
    switch (op) {
    case SbiCall:
        sbi_call(m, cpu, in);
        break;
    case EcallRaw:
        for (std::uint32_t k = 10; k < 18; ++k) {
            r.x[k] = in.u64();
        }
        trap(m, cpu, {r5::cause::EcallVS, 0, 0, 0});
        break;
    case Hypercall:
        r.x[10] = in.u8();
        r.x[11] = in.u8();
        r.x[12] = in.u8();
        ecall(m, cpu, sbi::EXT_BAO, in.flag() ? in.u8() : (hv::hc::kBase | in.u8()));
        break;
    case IpcNotify:
        r.x[10] = in.u8() % 4;
        r.x[11] = in.u8() % 4;
        ecall(m, cpu, sbi::EXT_BAO, hv::hc::IPC);
        break;
    case PlicAccess:
        load_store(m, cpu, in, m.hv.config().platform.gic.gicd + plic_offset(in));
        break;
    case VuartAccess:
        load_store(m, cpu, in, m.hv.config().platform.console_pa + (in.u16() & 0xfff));
        break;
    case GpfNear: {
        const std::uint64_t gpa = some_gpa(m, cpu, in);
        if (in.pick(4) == 0) {
            trap(m, cpu, {r5::cause::InsnGuestPageFault, gpa, gpa >> 2, 0});
        } else {
            load_store(m, cpu, in, gpa);
        }
        break;
    }
    case TrapRaw: {
        const std::uint64_t scause = in.flag() ? in.u8() % 24 : in.u64();
        trap(m, cpu, {scause, in.u64(), in.u64(), in.u64()});
        break;
    }
    case VirtualInsn:
        trap(m, cpu, {r5::cause::VirtualInsn, in.flag() ? r5::kWfi : in.u32(), 0, 0});
        break;
    case ExtIrq:
        m.port.claim[cpu] = in.flag() ? in.u16() : in.u8() % 64;
        r5::handle_irq(m.hv, r5::cause::SupervisorExternal);
        break;
    case TimerIrq:
        r5::handle_irq(m.hv, r5::cause::SupervisorTimer);
        break;
    case Ipis:
        take_ipis(m, cpu);
        break;
    case IrqRaw:
        m.port.claim[cpu] = in.u16();
        r5::handle_irq(m.hv, in.flag() ? in.u8() % 16 : in.u64());
        break;
    case PowerCycle:
        power_cycle(m, cpu);
        break;
    case CpuInit:
        m.hv.cpu_init();
        break;
    case StartAll:
        for (std::uint32_t id = 0; id < hv::kMaxCpus; ++id) {
            r.x[10] = id;
            r.x[11] = entry_of(m, cpu);
            r.x[12] = id;
            ecall(m, cpu, sbi::EXT_HSM, sbi::HART_START);
        }
        break;
    case Shutdown:
        r.x[10] = in.pick(3); // shutdown, cold reboot, warm reboot
        r.x[11] = in.pick(2);
        ecall(m, cpu, sbi::EXT_SRST, sbi::SYSTEM_RESET);
        break;
    case Suspend:
        r.x[10] = sbi::SUSPEND_RETENTIVE;
        ecall(m, cpu, sbi::EXT_HSM, sbi::HART_SUSPEND);
        r5::handle_irq(m.hv, in.flag() ? r5::cause::SupervisorTimer : r5::cause::SupervisorSoft);
        break;
    case kNumKinds:
        break;
    }
}

} // namespace

Machine::Machine(hv::Hypervisor& h, FuzzRvPort& p) : hv(h), port(p) {
    for (std::uint32_t c = 0; c < hv::kMaxCpus; ++c) {
        if (const hv::Vcpu* v = h.vcpu_on_cpu(c)) {
            regs[c].sepc = v->boot.pc;
        }
    }
}

const char* op_name(std::uint32_t kind) {
    return kNames[kind % kNumKinds];
}

void run_op(Machine& m, std::uint32_t kind, std::uint32_t cpu, Input& in) {
    m.port.current_cpu = cpu;
    run(m, static_cast<Op>(kind % kNumKinds), cpu, in);
    m.port.current_cpu = cpu;
}

} // namespace hvfuzz::rv
