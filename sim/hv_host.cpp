#include "sim/hv_host.h"
#include "sim/checkpoint.h"

#include "hv/arch/armv8/syndrome.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/vuart.h"
#include "sim/error.h"
#include "sim/gicv2.h"
#include "sim/gicv3.h"
#include "sim/hv_events.h"
#include "sim/hv_host_gicv3.h"

#include <cstring>
#include <spdlog/logger.h>

namespace sim {

HvHost::HvHost(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images)
    : HvHostArch(machine, config, Isa::aarch64) {
    start_hv(images);
    boot_hv(images, "stage 2", "IPA");
}

HvHost::~HvHost() = default;

// Besides its memory (HvHostArch::boot_hv), a VM's core sees the virtual GIC
// CPU interface: the guest's GIC CPU interface is the virtual one: GICV at its GICC address
// on a GICv2; on a GICv3 its ICC_* system registers reach ICV_*.
void HvHost::map_core_extras(unsigned core) {
    if (!gicv3_of(machine_))
        machine_.core(core).map_device(config_.hv.platform.gic.gicc,
                                       gic::frame_size(gic::Frame::VirtualCpuInterface),
                                       gicv2_of(machine_).frame(gic::Frame::VirtualCpuInterface));
}

void HvHost::walk_second_stage(uint32_t vm, uint64_t ipa, cache::WalkResult& out) {
    report_walk(hv_->walk(vm, ipa), out);
}

void HvHost::load_regs(unsigned core, hv::VcpuRegs& regs) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 0; n < 31; ++n)
        regs.x[n] = c.x(n);
    regs.pc = c.pc();
}

void HvHost::store_regs(unsigned core, const hv::VcpuRegs& regs, const hv::VcpuRegs& before) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 0; n < 31; ++n)
        if (regs.x[n] != before.x[n])
            c.set_x(n, regs.x[n]);
}

hv::TrapAction HvHost::enter(unsigned core, const hv::armv8::TrapSyndrome& s, hv::VcpuRegs& regs) {
    current_cpu_ = core;
    note_irq(core, IrqPhase::guest_trapped);
    charge_trap(core, Path::sync);
    return hv::armv8::handle_trap(*hv_, s, regs);
}

// hv forwards the characters on the core of the VM's first vCPU, between
// quanta; the vGIC writes the list registers there (or signals the target
// vCPU's core), charged as hv's GIC accesses are.
uint32_t HvHost::console_input(uint32_t vm, const uint8_t* bytes, uint32_t n) {
    hv::Vm& v = hv_->vm_mut(vm);
    current_cpu_ = v.vcpu_cpu[0];
    return hv::vuart_receive(*hv_, v, bytes, n);
}

void HvHost::on_irq(unsigned core) {
    current_cpu_ = core;
    machine_.charge(core, machine_.params().gic_signal_cycles); // the physical IRQ reaching EL2
    note_irq(core, IrqPhase::arrived);
    charge_trap(core, Path::irq);
    hv::armv8::handle_irq(*hv_);
    note_irq(core, IrqPhase::returned);
}

// The model's TLBs hold combined (VA or IPA to PA) entries, untagged; a core
// runs one VM, so flushing the VM's cores drops exactly the VM's entries, as
// TLBI VMALLS12E1IS does on the target.
void HvHost::flush_vm_tlbs(uint16_t vmid, unsigned ops) {
    machine_.charge(current_cpu_, ops * kTlbiBroadcastCycles);
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h)
        return;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        const hv::Vm& vm = hv_->vm(v);
        if (vm.vmid != vmid)
            continue;
        for (unsigned cpu = 0; cpu < machine_.core_count(); ++cpu)
            if ((vm.cpus >> cpu) & 1)
                h->flush_tlbs(cpu);
    }
}

void HvHost::tlb_flush_vm(uint16_t vmid) {
    machine_.log().mem().trace("core {}: TLB flush of VMID {}", current_cpu_, vmid);
    flush_vm_tlbs(vmid, 1);
}

// The target invalidates the IPA's stage-2 entry and then all of the VM's
// stage-1 entries (which may cache it combined): the model flushes the VM.
void HvHost::tlb_flush_ipa(uint16_t vmid, uint64_t ipa) {
    machine_.log().mem().trace("core {}: TLB flush of VMID {} IPA {:#x}", current_cpu_, vmid, ipa);
    flush_vm_tlbs(vmid, 2);
}

void HvHost::cache_clean_invalidate(uint64_t pa, uint64_t size) {
    machine_.log().mem().trace("core {}: clean and invalidate PA [{:#x}, {:#x})", current_cpu_, pa,
                               pa + size);
    if (cache::Hierarchy* h = machine_.hierarchy())
        machine_.charge(current_cpu_,
                        h->clean_invalidate(current_cpu_, pa, size, machine_.now(current_cpu_)));
}

void HvHost::send_ipi(uint32_t cpu, uint32_t sgi) {
    machine_.log().vgic().trace("core {}: hv sends SGI {} to core {}", current_cpu_, sgi, cpu);
    machine_.interrupts().send_ipi(current_cpu_, cpu, sgi);
}

// The one entry from the simulator into hv: a core's exit, turned into the
// syndrome hv's trap entry reads (ESR_EL2, FAR_EL2, HPFAR_EL2 on the
// target) here, once. The guest's registers go in with PC = ELR_EL2; the
// core steps over a handled instruction itself, so hv's PC is not written
// back. An access to an emulated page is completed by the core: a store's
// value reaches hv in Rt, and a load's comes back from Rt.
cpu::TrapAction HvHost::on_exit(unsigned core, cpu::Exit& exit) {
    namespace dabt = hv::armv8::dabt;
    // Set/way maintenance (a SYS, op0 1) reaches hv only if it set HCR_EL2.TSW
    // on this core; a GICv3 SGI register write (an MSR, op0 3) always does.
    const uint64_t hcr = sysregs_.at(core)[static_cast<size_t>(hv::armv8::SysReg::HCR_EL2)];
    const cpu::Syndrome& syn = exit.syndrome;
    const bool set_way = exit.kind == cpu::Exit::Kind::system && (syn.detail >> 20 & 3) == 1;
    if (set_way && !(hcr & hv::armv8::hcr::TSW))
        return cpu::TrapAction::resume;
    const hv::armv8::TrapSyndrome s{
        hv::armv8::make_esr(static_cast<hv::armv8::Ec>(syn.cause), syn.detail), syn.address,
        syn.guest_phys};
    const bool rt_access = exit.in_flight && dabt::isv(s.iss()) && dabt::srt(s.iss()) != 31;
    hv::VcpuRegs regs;
    load_regs(core, regs);
    regs.pc = exit.pc;
    if (rt_access && dabt::write(s.iss()))
        regs.x[dabt::srt(s.iss())] = exit.data;
    const hv::VcpuRegs before = regs;
    const hv::TrapAction a = enter(core, s, regs);
    if (exit.in_flight) // inside the instruction: registers stay the core's
        exit.data = rt_access && !dabt::write(s.iss()) ? regs.x[dabt::srt(s.iss())] : 0;
    else
        store_regs(core, regs, before);
    apply(core, a);
    return next_step(core, a);
}

std::vector<uint64_t> HvHost::memory_groups() const {
    const hv::Config& c = hv_->config();
    std::vector<uint64_t> groups;
    for (size_t v = 0; v < c.vms.size(); ++v)
        groups.push_back(c.vms[v].cpu_affinity);
    // A shared-memory region joins every VM that maps it.
    for (size_t s = 0; s < c.shmems.size(); ++s) {
        uint64_t mask = 0;
        for (size_t v = 0; v < c.vms.size(); ++v)
            for (size_t i = 0; i < c.vms[v].ipcs.size(); ++i)
                if (c.vms[v].ipcs[i].shmem_id == s)
                    mask |= c.vms[v].cpu_affinity;
        groups.push_back(mask);
    }
    return groups;
}

// A fault no exit describes (an exception the core could not deliver to the
// guest's own EL1): hv has no trap for it, and it stops that VM, never the
// machine (docs/design.md#faults). Aborts outside the VM's memory are exits.
bool HvHost::on_fault(unsigned core, const cpu::Fault& fault) {
    stop_vm_of(core, fault.description);
    return true;
}

uint64_t HvHost::mpidr(unsigned core) {
    return sysregs_.at(core)[static_cast<size_t>(hv::armv8::SysReg::VMPIDR_EL2)];
}

namespace {
gic::AddressMap gic_addresses(const hv::PlatformConfig& p) {
    return gic::AddressMap{p.gic.gicd, p.gic.gicc, p.gic.gich, p.gic.gicv};
}

// A GICv3 frame hv addresses: the distributor, or redistributor `frame`.
struct Gicv3Frame {
    bool distributor;
    unsigned frame;
    uint32_t offset;
};

std::optional<Gicv3Frame> decode_gicv3(const hv::GicAddrs& g, unsigned cores, uint64_t pa) {
    if (pa >= g.gicd && pa - g.gicd < gic::v3::kDistributorFrameSize)
        return Gicv3Frame{true, 0, static_cast<uint32_t>(pa - g.gicd)};
    const uint64_t stride = g.gicr_stride ? g.gicr_stride : gic::v3::kRedistributorStride;
    if (pa >= g.gicr && pa - g.gicr < stride * cores)
        return Gicv3Frame{false, static_cast<unsigned>((pa - g.gicr) / stride),
                          static_cast<uint32_t>((pa - g.gicr) % stride)};
    return std::nullopt;
}
} // namespace

uint64_t HvHost::dev_read(uint64_t pa, uint32_t size) {
    machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
    if (pa == config_.hv.platform.console_pa + 0x18)
        return 0x90; // PL011 FR: transmitter empty
    if (GicV3* v3 = gicv3_of(machine_)) {
        const auto f = decode_gicv3(config_.hv.platform.gic, machine_.core_count(), pa);
        if (!f)
            return 0;
        return f->distributor ? v3->gic().distributor_read(current_cpu_, f->offset, size)
                              : v3->gic().redistributor_read(f->frame, f->offset, size);
    }
    if (auto f = gic::decode(gic_addresses(config_.hv.platform), pa))
        return gicv2_of(machine_).gic().mmio_read(f->frame, current_cpu_, f->offset, size);
    return 0;
}

void HvHost::dev_write(uint64_t pa, uint32_t size, uint64_t value) {
    machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
    if (pa == config_.hv.platform.console_pa) {
        console_putc(static_cast<char>(value & 0xff));
        return;
    }
    if (GicV3* v3 = gicv3_of(machine_)) {
        const auto f = decode_gicv3(config_.hv.platform.gic, machine_.core_count(), pa);
        if (f && f->distributor)
            v3->gic().distributor_write(current_cpu_, f->offset, value, size);
        else if (f)
            v3->gic().redistributor_write(f->frame, f->offset, value, size);
        return;
    }
    if (auto f = gic::decode(gic_addresses(config_.hv.platform), pa))
        gicv2_of(machine_).gic().mmio_write(f->frame, current_cpu_, f->offset,
                                            static_cast<uint32_t>(value), size);
}

// The GICv3 CPU interface's registers are the model's (charged as a GIC
// register access); the others are this host's copy of hv's EL2 state.
uint64_t HvHost::sysreg_read(hv::armv8::SysReg reg) {
    if (GicV3* v3 = gicv3_of(machine_)) {
        if (const auto encoding = gicv3_sysreg_encoding(reg)) {
            machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
            return v3->read_cpu_register(current_cpu_, *encoding).value_or(0);
        }
    }
    return sysregs_.at(current_cpu_)[static_cast<size_t>(reg)];
}

void HvHost::sysreg_write(hv::armv8::SysReg reg, uint64_t value) {
    if (GicV3* v3 = gicv3_of(machine_)) {
        if (const auto encoding = gicv3_sysreg_encoding(reg)) {
            machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
            v3->write_cpu_register(current_cpu_, *encoding, value);
            return;
        }
    }
    sysregs_.at(current_cpu_)[static_cast<size_t>(reg)] = value;
    if (reg != hv::armv8::SysReg::CNTVOFF_EL2)
        return;
    if (GicV3* v3 = gicv3_of(machine_))
        v3->gic().timer_write(current_cpu_, gic::TimerRegister::CntvoffEl2, value,
                              machine_.now(current_cpu_));
    else
        gicv2_of(machine_).gic().timer_write(current_cpu_, gic::TimerRegister::CntvoffEl2, value,
                                             machine_.now(current_cpu_));
}

void HvHost::cpu_on(uint32_t cpu) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(cpu);
    uint64_t at = booting_ ? 0 : machine_.now(current_cpu_);
    machine_.power_on(cpu, v->boot.pc, v->boot.x0, at);
    // A core that ran before may hold translated code of an older image.
    // (Not flushing everything: in Unicorn 2.0.1 a full flush clears its
    // whole 1 GiB code buffer.)
    if (machine_.stats(cpu).instructions > 0) {
        const hv::ImageConfig& img = hv_->vm(v->vm).cfg->image;
        machine_.core(cpu).invalidate_code(img.base_ipa, img.size);
    }
    uint32_t saved = current_cpu_;
    current_cpu_ = cpu;
    hv_->cpu_init();
    current_cpu_ = saved;
}

void HvHost::checkpoint(Archive& a) {
    a.tag("hv");
    hv_->checkpoint(a);
    a.value(current_cpu_);
    a.value(sysregs_);
    checkpoint_common(a);
}

} // namespace sim
