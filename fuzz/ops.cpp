#include "fuzz/ops.h"

#include <vector>

#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypercall.h"

namespace hvfuzz {

namespace {

namespace a8 = hv::armv8;

enum Op : std::uint32_t {
    PsciCall,    // HVC or SMC with a PSCI function id and plausible arguments
    Hvc,         // HVC, every register raw
    Smc,         // SMC, every register raw
    Hypercall,   // HVC with a Bao hypercall id and small arguments
    Wfi,         //
    Wfe,         //
    GicdAccess,  // a decodable load/store to the distributor page, any offset and size
    DabtRaw,     // a data abort with raw ISS, FAR and HPFAR
    DabtNear,    // a data abort with raw ISS near an interesting IPA
    IabtRaw,     // an instruction abort at any IPA
    SyndromeRaw, // any ESR, FAR, HPFAR
    Irq,         // a physical IRQ with a chosen INTID
    Ipis,        // deliver hv's SGIs sent to this CPU
    GuestLr,     // the guest acknowledges / EOIs / deactivates a list register at GICV
    PowerCycle,  // PSCI CPU_OFF on this CPU, CPU_ON of it from another vCPU of its VM
    CpuInit,     // hv re-initialises this CPU
    VuartAccess, // a load/store to the virtual UART page
    IpcNotify,   // hypercall IPC with small object and event numbers
    CpuOnAll,    // PSCI CPU_ON of every virtual CPU id 0-7
    SystemOff,   // PSCI SYSTEM_OFF
    GicrAccess,  // GICv3: a load/store to any vCPU's redistributor frames, any offset and size
    IccSysReg,   // GICv3: a trapped ICC_SGI1R/ASGI1R/SGI0R_EL1 access (or any EC 0x18 one)
    kNumKinds
};

const char* const kNames[kNumKinds] = {
    "psci",        "hvc",        "smc",         "hypercall", "wfi",          "wfe",
    "gicd-access", "dabt-raw",   "dabt-near",   "iabt-raw",  "syndrome-raw", "irq",
    "ipis",        "guest-lr",   "power-cycle", "cpu-init",  "vuart-access", "ipc-notify",
    "cpu-on-all",  "system-off", "gicr-access", "icc-sysreg"};

constexpr std::uint32_t kPsciIds[] = {hv::armv8::psci::VERSION,
                                      hv::armv8::psci::CPU_SUSPEND,
                                      hv::armv8::psci::CPU_SUSPEND64,
                                      hv::armv8::psci::CPU_OFF,
                                      hv::armv8::psci::CPU_ON,
                                      hv::armv8::psci::CPU_ON64,
                                      hv::armv8::psci::AFFINITY_INFO,
                                      hv::armv8::psci::AFFINITY_INFO64,
                                      hv::armv8::psci::MIGRATE_INFO_TYPE,
                                      hv::armv8::psci::SYSTEM_OFF,
                                      hv::armv8::psci::SYSTEM_RESET,
                                      hv::armv8::psci::FEATURES,
                                      0x8400'0005,
                                      0x8400'00ff};

hv::TrapAction trap(Machine& m, std::uint32_t cpu, const a8::TrapSyndrome& s) {
    m.port.current_cpu = cpu;
    return a8::handle_trap(m.hv, s, m.regs[cpu]);
}

// The image entry of the VM on `cpu` (a valid CPU_ON address), or 0.
std::uint64_t entry_of(Machine& m, std::uint32_t cpu) {
    const hv::Vcpu* v = m.hv.vcpu_on_cpu(cpu);
    return v != nullptr ? m.hv.vm(v->vm).cfg->image.entry : 0;
}

std::uint64_t some_ipa(Machine& m, std::uint32_t cpu, Input& in) {
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
        base = c.platform.gic.gicc;
        break;
    case 3:
        base = vm != nullptr ? vm->regions[0].base + vm->regions[0].size : 0;
        break;
    case 4:
        base = vm != nullptr && !vm->ipcs.empty() ? vm->ipcs[0].base : c.hyp.region.base;
        break;
    default:
        base = vm != nullptr && !vm->devs.empty() ? vm->devs[0].va : c.platform.gic.gich;
        break;
    }
    return base + in.u16() - 0x100;
}

a8::TrapSyndrome load_store(Input& in, std::uint64_t ipa, std::uint32_t& srt) {
    const std::uint8_t b = in.u8();
    srt = in.u8() & 31;
    return a8::data_abort(ipa, ipa, (b & 1) != 0, 1u << ((b >> 1) & 3), srt, (b & 8) != 0,
                          (b & 16) == 0);
}

// The guest's side of a list register (GICV or the ICV_ system registers);
// states as the LRs hold them: pending 1, active 2.
void guest_lr(Machine& m, std::uint32_t cpu, Input& in) {
    FakeGic& gic = m.port.gic;
    const std::uint32_t n = in.pick(a8::gicv2::kNumLrs);
    const std::uint32_t state = gic.lr_state(cpu, n);
    switch (in.pick(4)) {
    case 0: // acknowledge: pending -> active
        if (state == 1) {
            gic.set_lr_state(cpu, n, 2);
        }
        break;
    case 1: // EOI: active -> inactive (a hardware-linked one deactivates the physical)
        gic.set_lr_state(cpu, n, state & 1);
        break;
    case 2: // acknowledge and EOI at once
        gic.set_lr_state(cpu, n, 0);
        break;
    default: // anything the hardware might hold (a stale, corrupt or foreign state)
        gic.set_lr_state(cpu, n, in.u8() & 3u);
        break;
    }
}

// GICv3: a load or store anywhere in the redistributor region, vCPU frames
// past the caller's last one included (on a GICv2 the address is near 0).
void gicr_access(Machine& m, std::uint32_t cpu, Input& in) {
    const hv::GicAddrs& g = m.hv.config().platform.gic;
    const std::uint64_t frame =
        in.pick(static_cast<std::uint32_t>(hv::kMaxCpus) + 1) * g.gicr_stride;
    const std::uint64_t off = (in.flag() ? hv::kGicrFrameSize : 0) + in.u16();
    std::uint32_t srt = 0;
    const a8::TrapSyndrome s = load_store(in, g.gicr + frame + off, srt);
    m.regs[cpu].x[srt % 31] = in.u64();
    trap(m, cpu, s);
}

// GICv3: a trapped MSR/MRS naming an SGI register (or any op), its value a
// plausible ICC_SGI1R_EL1 (an SGI to some affinities, or to all but self) or
// raw.
void icc_sysreg(Machine& m, std::uint32_t cpu, Input& in) {
    namespace icc = a8::gicv3::icc;
    const std::uint32_t which = in.pick(4);
    const std::uint32_t rt = in.u8() & 31;
    const bool is_read = (in.u8() & 7) == 0;
    // SGI1R, ASGI1R, SGI0R: op0 3, op1 0, CRn 12, CRm 11, op2 5-7.
    std::uint32_t op[5] = {3, 0, 12, 11, 5 + which};
    if (which == 3) {
        for (std::uint32_t& f : op) {
            f = in.u8();
        }
    }
    const a8::TrapSyndrome s = a8::sys_insn(op[0], op[1], op[2], op[3], op[4], rt, is_read);
    std::uint64_t v = in.u64();
    if (in.flag()) {
        const std::uint32_t intid = in.u8();
        const std::uint32_t aff0 = in.u8() % 20;
        const bool irm = in.flag();
        v = icc::sgi1r(intid, aff0) | (irm ? icc::SGI1R_IRM : 0) |
            (static_cast<std::uint64_t>(in.pick(3)) << icc::SGI1R_AFF1_SHIFT);
    }
    m.regs[cpu].x[rt % 31] = v;
    trap(m, cpu, s);
}

void power_cycle(Machine& m, std::uint32_t cpu) {
    const hv::Vcpu* v = m.hv.vcpu_on_cpu(cpu);
    if (v == nullptr) {
        return;
    }
    hv::VcpuRegs& r = m.regs[cpu];
    r.x[0] = hv::armv8::psci::CPU_OFF;
    trap(m, cpu, a8::hvc64());
    const hv::Vm& vm = m.hv.vm(v->vm);
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        const std::uint32_t other = vm.vcpu_cpu[n];
        if (other == cpu) {
            continue;
        }
        hv::VcpuRegs& o = m.regs[other];
        o.x[0] = hv::armv8::psci::CPU_ON64;
        o.x[1] = v->id;
        o.x[2] = entry_of(m, cpu);
        o.x[3] = 0x1234;
        trap(m, other, a8::hvc64());
        return;
    }
}

} // namespace

Machine::Machine(hv::Hypervisor& h, FuzzPort& p) : hv(h), port(p) {
    for (std::uint32_t c = 0; c < hv::kMaxCpus; ++c) {
        if (const hv::Vcpu* v = h.vcpu_on_cpu(c)) {
            regs[c].pc = v->boot.pc;
        }
    }
}

const char* op_name(std::uint32_t kind) {
    return kNames[kind % kNumKinds];
}

void run_op(Machine& m, std::uint32_t kind, std::uint32_t cpu, Input& in) {
    hv::VcpuRegs& r = m.regs[cpu];
    m.port.current_cpu = cpu;
    switch (static_cast<Op>(kind % kNumKinds)) {
    case PsciCall: {
        const bool smc = in.flag();
        r.x[0] = kPsciIds[in.pick(sizeof kPsciIds / sizeof kPsciIds[0])];
        r.x[1] = in.flag() ? in.u8() % 9 : in.u64();
        r.x[2] = in.flag() ? entry_of(m, cpu) + (in.u8() & 0xf0) : in.u64();
        r.x[3] = in.u64();
        trap(m, cpu, smc ? a8::smc64() : a8::hvc64());
        break;
    }
    case Hvc:
    case Smc:
        for (std::uint32_t k = 0; k < 4; ++k) {
            r.x[k] = k == 0 ? in.u32() : in.u64();
        }
        trap(m, cpu, kind == Hvc ? a8::hvc64(in.u16()) : a8::smc64(in.u16()));
        break;
    case Hypercall:
        r.x[0] = hv::hc::kBase | in.u8();
        r.x[1] = in.u8();
        r.x[2] = in.u8();
        trap(m, cpu, a8::hvc64());
        break;
    case Wfi:
        trap(m, cpu, a8::wfi());
        break;
    case Wfe:
        trap(m, cpu, a8::wfe());
        break;
    case GicdAccess: { // a GICv3 distributor has 64 KiB (IROUTER, identification)
        std::uint32_t srt = 0;
        const std::uint32_t off = in.u16() & (m.port.gic.v3 ? 0xffffu : 0xfffu);
        const a8::TrapSyndrome s = load_store(in, m.hv.config().platform.gic.gicd + off, srt);
        r.x[srt % 31] = in.u64();
        trap(m, cpu, s);
        break;
    }
    case DabtRaw: {
        const std::uint32_t iss = in.u32() & 0x1ffffff;
        r.x[((iss >> 16) & 31) % 31] = in.u64();
        trap(m, cpu, {a8::make_esr(a8::Ec::DataAbortLower, iss), in.u64(), in.u64()});
        break;
    }
    case DabtNear: {
        const std::uint64_t ipa = some_ipa(m, cpu, in);
        const std::uint32_t iss = in.u32() & 0x1ffffff;
        trap(m, cpu, {a8::make_esr(a8::Ec::DataAbortLower, iss), ipa, (ipa >> 12) << 4});
        break;
    }
    case IabtRaw:
        trap(m, cpu, a8::inst_abort(in.u64(), in.u64()));
        break;
    case SyndromeRaw:
        trap(m, cpu, {in.u32(), in.u64(), in.u64()});
        break;
    case Irq:
        m.port.gic.cpu[cpu].iar = in.flag() ? in.u16() : in.u8() % 64 + 16;
        a8::handle_irq(m.hv);
        break;
    case Ipis: { // those sent to this CPU: each is one IRQ taken here
        std::uint32_t n = 0;
        std::erase_if(m.port.ipis, [&](std::uint32_t c) { return c == cpu && ++n != 0; });
        for (; n > 0; --n) {
            m.port.gic.cpu[cpu].iar = a8::kHvIpiSgi;
            a8::handle_irq(m.hv);
        }
        break;
    }
    case GuestLr:
        guest_lr(m, cpu, in);
        break;
    case PowerCycle:
        power_cycle(m, cpu);
        break;
    case CpuInit:
        m.hv.cpu_init();
        break;
    case VuartAccess: {
        std::uint32_t srt = 0;
        const a8::TrapSyndrome s =
            load_store(in, m.hv.config().platform.console_pa + (in.u16() & 0xfff), srt);
        r.x[srt % 31] = in.u64();
        trap(m, cpu, s);
        break;
    }
    case IpcNotify:
        r.x[0] = hv::hc::kBase | hv::hc::IPC;
        r.x[1] = in.u8() % 4;
        r.x[2] = in.u8() % 4;
        trap(m, cpu, a8::hvc64());
        break;
    case CpuOnAll:
        for (std::uint32_t id = 0; id < hv::kMaxCpus; ++id) {
            r.x[0] = hv::armv8::psci::CPU_ON;
            r.x[1] = id;
            r.x[2] = entry_of(m, cpu);
            r.x[3] = id;
            trap(m, cpu, a8::hvc64());
        }
        break;
    case SystemOff:
        r.x[0] = hv::armv8::psci::SYSTEM_OFF;
        trap(m, cpu, a8::hvc64());
        break;
    case GicrAccess:
        gicr_access(m, cpu, in);
        break;
    case IccSysReg:
        icc_sysreg(m, cpu, in);
        break;
    case kNumKinds:
        break;
    }
    m.port.current_cpu = cpu;
}

} // namespace hvfuzz
