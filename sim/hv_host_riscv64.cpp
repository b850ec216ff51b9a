// Compiled with BAO_HV_ARCH_RISCV64 (sim/CMakeLists.txt): hv:: here is hv::for_riscv64.
#include "sim/hv_host_riscv64.h"
#include "sim/checkpoint.h"
#include "sim/hv_host_arch.h"

#include "hv/arch/riscv64/csr.h"
#include "hv/arch/riscv64/port_riscv64.h"
#include "hv/arch/riscv64/trap.h"
#include "hv/arch/riscv64/vplic.h"
#include "hv/core/hypervisor.h"
#include "hv/core/pagetable_report.h"
#include "sim/cpu/rv64_syndrome.h"
#include "sim/error.h"
#include "sim/hv_events.h"
#include "sim/riscv_intc.h"

#include <array>
#include <optional>

namespace sim {
namespace {

namespace rv = hv::riscv64;
namespace rvc = cpu::rv64;

// hvip's VS bits as the guest's sip bits (VSxIP is SxIP shifted left by one).
uint64_t guest_sip_of(uint64_t hvip) {
    return ((hvip & rv::kVssip) ? rvc::ssip : 0) | ((hvip & rv::kVstip) ? rvc::stip : 0) |
           ((hvip & rv::kVseip) ? rvc::seip : 0);
}

RiscvInterrupts& riscv_interrupts_of(Machine& machine) {
    auto* intc = dynamic_cast<RiscvInterrupts*>(&machine.interrupts());
    if (!intc)
        throw std::logic_error("hv for RISC-V needs the RISC-V platform's PLIC and ACLINT");
    return *intc;
}

class HvHostRiscv64 final : public HvHostArch {
  public:
    HvHostRiscv64(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images);

    // Supervisor
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override { return core; }
    void on_irq(unsigned core) override;
    bool guest_sees_virtual_gic() const override { return true; }
    bool on_fault(unsigned core, const cpu::Fault& fault) override;
    void checkpoint(Archive& a) override;

    // hv::Port, beyond what HvHostArch serves
    uint64_t dev_read(uint64_t pa, uint32_t size) override;
    void dev_write(uint64_t pa, uint32_t size, uint64_t value) override;
    void send_ipi(uint32_t cpu, uint32_t msg) override { intc_.send_ipi(current_cpu_, cpu, msg); }
    void cpu_on(uint32_t cpu) override;

    // RvPort
    uint64_t csr_read(rv::Csr csr) override { return csrs_.at(current_cpu_)[index(csr)]; }
    void csr_write(rv::Csr csr, uint64_t value) override;
    void hfence_gvma(uint16_t vmid) override { flush_vm_tlbs(vmid, 1); }
    void hfence_gvma_gpa(uint16_t vmid, uint64_t) override { flush_vm_tlbs(vmid, 2); }
    void hfence_vvma(uint64_t cpus, uint16_t vmid, uint64_t va, uint64_t size) override;
    void fence_i(uint64_t cpus) override;
    void set_timer(uint64_t stime) override;
    bool guest_insn(uint64_t va, uint32_t& insn) override;

  private:
    static size_t index(rv::Csr csr) { return static_cast<size_t>(csr); }
    void walk_second_stage(uint32_t vm, uint64_t gpa, cache::WalkResult& out) override;
    void flush_vm_tlbs(uint16_t vmid, unsigned ops);
    void flush_harts(uint64_t cpus);
    void load_regs(unsigned core, rv::VcpuRegs& regs);
    void store_regs(unsigned core, const rv::VcpuRegs& regs, const rv::VcpuRegs& before);
    hv::TrapAction enter(unsigned core, const rv::TrapRecord& t, rv::VcpuRegs& regs);
    const Bus::Entry* device_at(uint64_t pa) const;

    RiscvInterrupts& intc_;
    std::array<std::array<uint64_t, static_cast<size_t>(rv::Csr::Count)>, hv::kMaxCpus> csrs_{};
};

HvHostRiscv64::HvHostRiscv64(Machine& machine, const RunConfig& config,
                             const std::vector<GuestImage>& images)
    : HvHostArch(machine, config, Isa::riscv64), intc_(riscv_interrupts_of(machine)) {
    start_hv(images);
    // hv's IPIs are level until its entry clears sip.SSIP.
    intc_.hold_ipis(true);
    // hv emulates the virtual UART, the vPLIC's 64 MiB and a marker page:
    // those trap.
    boot_hv(images, "the G-stage", "GPA");
}

// The TLB model's G-stage walk: hv's own tables, PTE reads included.
void HvHostRiscv64::walk_second_stage(uint32_t vm, uint64_t gpa, cache::WalkResult& out) {
    report_walk(hv_->walk(vm, gpa), out);
}

void HvHostRiscv64::csr_write(rv::Csr csr, uint64_t value) {
    const unsigned cpu = current_cpu_;
    csrs_.at(cpu)[index(csr)] = value;
    if (csr != rv::Csr::hvip)
        return;
    intc_.set_virtual_pending(cpu, guest_sip_of(value));
    if (value & rv::kVssip) {
        // The hart latches VSSIP until it takes it; the guest's handler
        // clears sip.SSIP (hvip.VSSIP on hardware), so hv's copy drops it
        // here and the next IPI is a new edge.
        csrs_[cpu][index(csr)] = value & ~rv::kVssip;
        intc_.set_virtual_pending(cpu, guest_sip_of(value & ~rv::kVssip));
    }
}

// One fence broadcast and the wait for it, as HvHost charges a TLBI + DSB.
void HvHostRiscv64::flush_vm_tlbs(uint16_t vmid, unsigned ops) {
    machine_.charge(current_cpu_, ops * kTlbiBroadcastCycles);
    for (uint32_t v = 0; v < hv_->num_vms(); ++v)
        if (hv_->vm(v).vmid == vmid)
            flush_harts(hv_->vm(v).cpus);
}

void HvHostRiscv64::flush_harts(uint64_t cpus) {
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h)
        return;
    for (unsigned cpu = 0; cpu < machine_.core_count(); ++cpu)
        if ((cpus >> cpu) & 1)
            h->flush_tlbs(cpu);
}

// The model's TLB entries are untagged and whole-VM: a ranged HFENCE.VVMA
// drops them all on the harts it reaches.
void HvHostRiscv64::hfence_vvma(uint64_t cpus, uint16_t, uint64_t, uint64_t) {
    machine_.charge(current_cpu_, kTlbiBroadcastCycles);
    flush_harts(cpus);
}

// Unicorn retranslates code the guest rewrote by itself; the fence costs its broadcast.
void HvHostRiscv64::fence_i(uint64_t) {
    machine_.charge(current_cpu_, kTlbiBroadcastCycles);
}

void HvHostRiscv64::set_timer(uint64_t stime) {
    const unsigned cpu = current_cpu_;
    intc_.write_timer(cpu, rvc::csr::stimecmp, stime, machine_.now(cpu));
    machine_.core(cpu).request_yield(); // the deadline may fall inside the running slice
}

// Guests run bare or with an identity Sv39 (docs/riscv.md): their virtual
// address is the guest-physical one, read through the G-stage.
bool HvHostRiscv64::guest_insn(uint64_t va, uint32_t& insn) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(current_cpu_);
    if (!v)
        return false;
    const rv::GWalk w = hv_->walk(v->vm, va);
    if (!w.valid || !machine_.memory().contains(w.pa, sizeof insn))
        return false;
    ram_read(w.pa, &insn, sizeof insn);
    return true;
}

const Bus::Entry* HvHostRiscv64::device_at(uint64_t pa) const {
    for (const Bus::Entry& e : machine_.bus().entries())
        if (pa >= e.base && pa - e.base < e.size)
            return &e;
    return nullptr;
}

// hv's physical PLIC accesses: the bus device, charged as any register access.
uint64_t HvHostRiscv64::dev_read(uint64_t pa, uint32_t size) {
    if (const Bus::Entry* e = device_at(pa))
        return e->device->read(current_cpu_, pa - e->base, size);
    return 0;
}

void HvHostRiscv64::dev_write(uint64_t pa, uint32_t size, uint64_t value) {
    if (const Bus::Entry* e = device_at(pa))
        e->device->write(current_cpu_, pa - e->base, size, value);
}

void HvHostRiscv64::load_regs(unsigned core, rv::VcpuRegs& regs) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 1; n < 32; ++n)
        regs.x[n] = c.x(n);
    regs.sepc = c.pc();
    regs.hstatus = csrs_.at(core)[index(rv::Csr::hstatus)];
}

void HvHostRiscv64::store_regs(unsigned core, const rv::VcpuRegs& regs,
                               const rv::VcpuRegs& before) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 1; n < 32; ++n)
        if (regs.x[n] != before.x[n])
            c.set_x(n, regs.x[n]);
}

hv::TrapAction HvHostRiscv64::enter(unsigned core, const rv::TrapRecord& t, rv::VcpuRegs& regs) {
    current_cpu_ = core;
    charge_trap(core, Path::sync);
    return rv::handle_trap(*hv_, t, regs);
}

// A core's exit as the trap CSRs the H extension sets on a trap from VS mode
// into HS mode. The core steps over a handled instruction itself (it is past
// an ECALL or WFI already), so hv's sepc is not written back; an access to an
// emulated page is completed by the core: a load's value comes back in `data`.
cpu::TrapAction HvHostRiscv64::on_exit(unsigned core, cpu::Exit& exit) {
    rv::TrapRecord t;
    const cpu::Syndrome& syn = exit.syndrome;
    switch (exit.kind) {
    case cpu::Exit::Kind::call:
        t.scause = rv::cause::EcallVS;
        break;
    case cpu::Exit::Kind::wait:
        t.scause = rv::cause::VirtualInsn;
        t.stval = syn.detail; // the WFI
        break;
    default:
        t.scause = syn.cause;
        t.stval = syn.address;
        t.htval = syn.guest_phys;
        break;
    }
    rv::VcpuRegs regs;
    load_regs(core, regs);
    regs.sepc = exit.pc;
    const rv::VcpuRegs before = regs;
    const hv::TrapAction a = enter(core, t, regs);
    if (exit.in_flight) {
        // The loaded register is hv's answer (decoded as hv decoded it).
        uint32_t insn = 0;
        const rv::MmioInsn m =
            guest_insn(exit.pc, insn) ? rv::decode_mmio(0, insn) : rv::MmioInsn{};
        exit.data = m.ok && !m.store ? regs.x[m.reg] : 0;
    } else {
        store_regs(core, regs, before);
    }
    apply(core, a);
    return next_step(core, a);
}

// The physical supervisor interrupts are hv's: its entry takes the highest
// (external, software, timer), clearing sip.SSIP for a software one.
void HvHostRiscv64::on_irq(unsigned core) {
    const std::optional<uint64_t> code = rvc::highest_interrupt(intc_.lines(core).sip);
    if (!code)
        return;
    current_cpu_ = core;
    machine_.charge(core, machine_.params().gic_signal_cycles); // the interrupt reaching HS mode
    charge_trap(core, Path::irq);
    if (*code == rvc::irq::s_software)
        intc_.clear_ipi(core);
    rv::handle_irq(*hv_, *code);
}

// An access outside the guest's mappings is a guest-page fault for hv,
// which stops that VM only; anything else the core cannot deliver stops it too.
bool HvHostRiscv64::on_fault(unsigned core, const cpu::Fault& fault) {
    using K = cpu::Fault::Kind;
    if (fault.kind != K::unmapped_read && fault.kind != K::unmapped_write &&
        fault.kind != K::unmapped_fetch) {
        stop_vm_of(core, fault.description);
        return true;
    }
    rv::TrapRecord t;
    t.scause = fault.kind == K::unmapped_fetch   ? rv::cause::InsnGuestPageFault
               : fault.kind == K::unmapped_write ? rv::cause::StoreGuestPageFault
                                                 : rv::cause::LoadGuestPageFault;
    t.stval = fault.va;
    t.htval = fault.address >> 2;
    rv::VcpuRegs regs;
    load_regs(core, regs);
    regs.sepc = fault.pc;
    const hv::TrapAction a = enter(core, t, regs);
    if (a == hv::TrapAction::Resume) // an emulated region is never unmapped: not expected
        stop_vm_of(core, fault.description);
    else
        apply(core, a);
    return true;
}

// The hart starts at the vCPU's entry with a0 = its virtual hart id and
// a1 = the opaque argument (SBI HSM's convention), then hv programs it.
void HvHostRiscv64::cpu_on(uint32_t cpu) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(cpu);
    const uint64_t at = booting_ ? 0 : machine_.now(current_cpu_);
    machine_.power_on(cpu, v->boot.pc, v->boot.x0, at);
    machine_.core(cpu).set_x(10, rv::vhartid(v->id));
    if (machine_.stats(cpu).instructions > 0) {
        const hv::ImageConfig& img = hv_->vm(v->vm).cfg->image;
        machine_.core(cpu).invalidate_code(img.base_ipa, img.size);
    }
    const uint32_t saved = current_cpu_;
    current_cpu_ = cpu;
    hv_->cpu_init();
    current_cpu_ = saved;
}

} // namespace

GStageTableCount riscv64_pagetable_count(uint64_t mem_bytes) {
    std::vector<std::byte> scratch(hv::pagetable_scratch_bytes(mem_bytes));
    const hv::PageTableCount c = hv::pagetable_report(mem_bytes, hv::L2Geometry{}, scratch);
    return {c.uncolored, c.colored, c.ok};
}

std::unique_ptr<HvHostBase> make_hv_host_riscv64(Machine& machine, const RunConfig& config,
                                                 const std::vector<GuestImage>& images) {
    return std::make_unique<HvHostRiscv64>(machine, config, images);
}

// hv's state (its vCPUs' CSRs and vPLICs among it), the CSRs the host
// keeps for hv (hvip, hgatp, ...) and the base's marks and counters.
void HvHostRiscv64::checkpoint(Archive& a) {
    a.tag("hv");
    hv_->checkpoint(a);
    a.value(current_cpu_);
    a.value(csrs_);
    checkpoint_common(a);
}

} // namespace sim
