// Compiled with BAO_HV_ARCH_RISCV64 (sim/CMakeLists.txt): hv:: here is hv::for_riscv64.
#include "sim/hv_host_riscv64.h"

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

class HvHostRiscv64 final : public rv::RvPort, public HvHostBase {
  public:
    HvHostRiscv64(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images);

    std::vector<HvVmReport> vm_reports() const override;
    uint64_t vm_cpus(uint32_t vm) const override { return hv_->vm(vm).cpus; }

    // Supervisor
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override { return core; }
    void on_irq(unsigned core) override;
    bool guest_sees_virtual_gic() const override { return true; }
    bool on_fault(unsigned core, const cpu::Fault& fault) override;

    // hv::Port
    uint32_t cpu_id() override { return current_cpu_; }
    void mem_read(uint64_t pa, void* dst, size_t len) override { ram_read(pa, dst, len); }
    void mem_write(uint64_t pa, const void* src, size_t len) override { ram_write(pa, src, len); }
    void mem_copy(uint64_t dst_pa, uint64_t src_pa, size_t len) override {
        ram_copy(dst_pa, src_pa, len);
    }
    void mem_zero(uint64_t pa, size_t len) override { ram_zero(pa, len); }
    void account(uint64_t pa, size_t len, bool is_write) override {
        account_access(pa, len, is_write);
    }
    uint64_t dev_read(uint64_t pa, uint32_t size) override;
    void dev_write(uint64_t pa, uint32_t size, uint64_t value) override;
    void send_ipi(uint32_t cpu, uint32_t msg) override { intc_.send_ipi(current_cpu_, cpu, msg); }
    void mark(uint32_t vm, hv::Mark which) override { record_mark(vm, which); }
    void sample(uint32_t vm, uint64_t value) override { record_sample(vm, value); }
    bool param(uint32_t vm, uint64_t index, uint64_t& value) override {
        return guest_param(vm, index, value);
    }
    void console_putc(char c) override { putc(c); }
    void cpu_on(uint32_t cpu) override;
    void cpu_stop(uint32_t cpu) override { machine_.stop_core(cpu); }
    void cpu_idle() override { machine_.set_idle(current_cpu_); }
    void vm_stopped(uint32_t) override { check_end(); }
    void power_off() override { check_end(); }
    VmView vm_view(uint32_t v) const override {
        const hv::Vm& vm = hv_->vm(v);
        return {vm.name(), vm.cpus, vm.state == hv::VmState::Stopped, hv::to_string(vm.exit_kind)};
    }
    void event(const hv::Event& e) override {
        const bool has_vm = e.vm != hv::kNoVm && e.vm < hv_->num_vms();
        log_hv_event(machine_.log(), Isa::riscv64, e,
                     HvEventPlace{machine_.now(current_cpu_), current_cpu_,
                                  has_vm ? hv_->vm(e.vm).name() : nullptr});
    }

    // RvPort
    uint64_t csr_read(rv::Csr csr) override { return csrs_.at(current_cpu_)[index(csr)]; }
    void csr_write(rv::Csr csr, uint64_t value) override;
    void hfence_gvma(uint16_t vmid) override { flush_vm_tlbs(vmid, 1); }
    void hfence_gvma_gpa(uint16_t vmid, uint64_t) override { flush_vm_tlbs(vmid, 2); }
    void hfence_vvma(uint64_t cpus, uint16_t vmid, uint64_t va, uint64_t size) override;
    void fence_i(uint64_t cpus) override;
    void set_timer(uint64_t stime) override;
    bool guest_insn(uint64_t va, uint32_t& insn) override;

  protected:
    uint32_t vm_count() const override { return hv_->num_vms(); }
    VmEnd vm_end(uint32_t vm) const override;

  private:
    static size_t index(rv::Csr csr) { return static_cast<size_t>(csr); }
    VmMemory vm_memory(uint32_t vm) const;
    void walk_second_stage(uint32_t vm, uint64_t gpa, cache::WalkResult& out) override;
    void flush_vm_tlbs(uint16_t vmid, unsigned ops);
    void flush_harts(uint64_t cpus);
    void load_regs(unsigned core, rv::VcpuRegs& regs);
    void store_regs(unsigned core, const rv::VcpuRegs& regs, const rv::VcpuRegs& before);
    hv::TrapAction enter(unsigned core, const rv::TrapRecord& t, rv::VcpuRegs& regs);
    void apply(unsigned core, hv::TrapAction action);
    cpu::TrapAction next_step(unsigned core, hv::TrapAction action) const;
    void stop_vm_of(unsigned core, const std::string& what);
    const Bus::Entry* device_at(uint64_t pa) const;

    std::unique_ptr<hv::Hypervisor> hv_;
    RiscvInterrupts& intc_;
    std::array<std::array<uint64_t, static_cast<size_t>(rv::Csr::Count)>, hv::kMaxCpus> csrs_{};
};

HvHostRiscv64::HvHostRiscv64(Machine& machine, const RunConfig& config,
                             const std::vector<GuestImage>& images)
    : HvHostBase(machine, config), hv_(std::make_unique<hv::Hypervisor>(*this)),
      intc_(riscv_interrupts_of(machine)) {
    want_events(hv_events_wanted(machine_.log()));
    fill_images(images);
    hv::Error err = init_hv(*hv_);
    if (!err.ok())
        throw InputError(err.message);
    lay_out_code();
    std::vector<std::string> names(machine_.core_count());
    for (unsigned c = 0; c < machine_.core_count(); ++c)
        if (const hv::Vcpu* v = hv_->vcpu_on_cpu(c))
            names[c] = hv_->vm(v->vm).name();
    machine_.set_console_sources(names, true);
    // hv's IPIs are level until its entry clears sip.SSIP.
    intc_.hold_ipis(true);
    for (uint32_t v = 0; v < hv_->num_vms(); ++v)
        map_vm(v, vm_memory(v));
    for (uint32_t v = 0; v < hv_->num_vms(); ++v)
        stage_image(images[v], hv_->image_staging(v).pa);
    err = hv_->boot();
    if (!err.ok())
        throw InputError(err.message);
    finish_boot();
}

// A VM's harts see its RAM and IPC memory where its G-stage maps them, its
// pass-through devices, and a trapping page wherever hv emulates (the
// virtual UART, the vPLIC's 64 MiB, a marker page).
HvHostBase::VmMemory HvHostRiscv64::vm_memory(uint32_t v) const {
    const hv::Vm& vm = hv_->vm(v);
    VmMemory m{vm.cpus, vm.cfg, {}, "the G-stage", "GPA"};
    for (const hv::EmulRegion& e : vm.emul)
        m.emulated.push_back({e.ipa, e.size});
    return m;
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

void HvHostRiscv64::apply(unsigned core, hv::TrapAction action) {
    switch (action) {
    case hv::TrapAction::Resume:
        break;
    case hv::TrapAction::Idle:
        machine_.set_idle(core);
        machine_.core(core).request_halt();
        break;
    case hv::TrapAction::VcpuOff:
        machine_.power_off(core);
        machine_.core(core).request_halt();
        break;
    case hv::TrapAction::VmStopped:
    case hv::TrapAction::NoVcpu:
        machine_.stop_core(core);
        break;
    }
}

cpu::TrapAction HvHostRiscv64::next_step(unsigned core, hv::TrapAction action) const {
    if (action == hv::TrapAction::Idle)
        return cpu::TrapAction::idle;
    return machine_.state(core) == CoreState::running ? cpu::TrapAction::resume
                                                      : cpu::TrapAction::stop_core;
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

void HvHostRiscv64::stop_vm_of(unsigned core, const std::string& what) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(core);
    if (!v)
        throw std::logic_error("a fault on hart " + std::to_string(core) + ", which no VM owns");
    hv::Vm& vm = hv_->vm_mut(v->vm);
    const std::string cause =
        what.substr(what.find(": ") == std::string::npos ? 0 : what.find(": ") + 2);
    std::snprintf(vm.exit_reason, sizeof vm.exit_reason, "vm %u (\"%s\") vcpu %u on core %u: %s",
                  vm.id, vm.name(), v->id, core, cause.c_str());
    current_cpu_ = core;
    hv_->stop_vm(vm, hv::ExitKind::UnhandledTrap);
    apply(core, hv::TrapAction::VmStopped);
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

HvHostBase::VmEnd HvHostRiscv64::vm_end(uint32_t v) const {
    const hv::Vm& vm = hv_->vm(v);
    const hv::ExitKind k = vm.exit_kind;
    return VmEnd{vm.cfg->measured || hv_->num_vms() == 1, vm.state == hv::VmState::Stopped,
                 k != hv::ExitKind::None && k != hv::ExitKind::PowerOff, vm.exit_reason};
}

std::vector<HvVmReport> HvHostRiscv64::vm_reports() const {
    std::vector<HvVmReport> out;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        const hv::Vm& vm = hv_->vm(v);
        HvVmReport r;
        r.name = vm.name();
        r.cpus = vm.cpus;
        r.colors = vm.cfg->colors;
        r.exit_reason = vm.exit_kind == hv::ExitKind::None ? std::string("running")
                                                           : std::string(vm.exit_reason);
        r.exit_kind = hv::to_string(vm.exit_kind);
        r.stage2_table_pages = vm.stage2_table_pages();
        r.recolor_bytes = vm.recolor_bytes;
        r.irqs_injected = vm.vgicd.injected; // the vPLIC's counters
        r.distributor_traps = vm.vgicd.traps;
        r.distributor_ignored = vm.vgicd.ignored;
        out.push_back(r);
    }
    return out;
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

} // namespace sim
