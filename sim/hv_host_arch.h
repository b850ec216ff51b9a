// What the Armv8-A and the RISC-V host (sim/hv_host.*, sim/hv_host_riscv64.*)
// share that names hv's per-architecture types (hv::Hypervisor, hv::Vm,
// hv::TrapAction, the architecture's port): hv's start and boot, the port
// entries HvHostBase serves, the VMs as the reports see them, what a core
// does after hv handled its trap, and stopping a VM for a fault hv has no
// trap for. Like hv/core, it is compiled once per architecture, into
// sim::inline HV_ARCH_NS (hv/arch/ns.h): each host's translation unit sees
// its own architecture's hv, under a name of its own.
#pragma once

#include "hv/arch/arch.h"
#include "hv/core/hypervisor.h"
#include "hv/lib/fmt.h"
#include "sim/error.h"
#include "sim/hv_events.h"
#include "sim/hv_host_base.h"

#include <memory>
#include <string>
#include <vector>

namespace sim::inline HV_ARCH_NS {

class HvHostArch : public hv::arch::ArchPort, public HvHostBase {
  public:
    const hv::Hypervisor& hypervisor() const { return *hv_; }

    VmView vm_view(uint32_t v) const override {
        const hv::Vm& vm = hv_->vm(v);
        return {vm.name(), vm.cpus, vm.state == hv::VmState::Stopped, hv::to_string(vm.exit_kind)};
    }
    uint64_t vm_cpus(uint32_t vm) const override { return hv_->vm(vm).cpus; }
    std::vector<HvVmReport> vm_reports() const override {
        std::vector<HvVmReport> out;
        for (uint32_t v = 0; v < hv_->num_vms(); ++v)
            out.push_back(vm_report(hv_->vm(v)));
        return out;
    }

    // hv::Port's architecture-neutral entries, served by the base.
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
    void mark(uint32_t vm, hv::Mark which) override { record_mark(vm, which); }
    void sample(uint32_t vm, uint64_t value) override { record_sample(vm, value); }
    bool param(uint32_t vm, uint64_t index, uint64_t& value) override {
        return guest_param(vm, index, value);
    }
    void console_putc(char c) override { putc(c); }
    void cpu_stop(uint32_t cpu) override { machine_.stop_core(cpu); }
    void cpu_idle() override { machine_.set_idle(current_cpu_); }
    void vm_stopped(uint32_t) override { check_end(); }
    void power_off() override { check_end(); }
    // hv's events to the machine's loggers (sim/hv_events.h).
    void event(const hv::Event& e) override {
        const bool has_vm = e.vm != hv::kNoVm && e.vm < hv_->num_vms();
        log_hv_event(machine_.log(), isa_, e,
                     HvEventPlace{machine_.now(current_cpu_), current_cpu_,
                                  has_vm ? hv_->vm(e.vm).name() : nullptr});
    }

  protected:
    HvHostArch(Machine& machine, const RunConfig& config, Isa isa)
        : HvHostBase(machine, config), hv_(std::make_unique<hv::Hypervisor>(*this)), isa_(isa) {}

    // Validates and initialises hv for the run's config (throws InputError
    // with hv's message) and lays out its code. A core's output is its VM's:
    // hv prefixes each line with the VM's name, the console continues a line
    // it must cut with the same name.
    void start_hv(const std::vector<GuestImage>& images) {
        want_events(hv_events_wanted(machine_.log()));
        fill_images(images);
        if (hv::Error err = init_hv(*hv_); !err.ok())
            throw InputError(err.message);
        lay_out_code();
        std::vector<std::string> names(machine_.core_count());
        for (unsigned c = 0; c < machine_.core_count(); ++c)
            if (const hv::Vcpu* v = hv_->vcpu_on_cpu(c))
                names[c] = hv_->vm(v->vm).name();
        machine_.set_console_sources(names, true);
    }

    // Maps every VM's memory into its cores (`stage` and `address` are the
    // architecture's words for its second stage and what it translates),
    // stages the images and boots hv, which powers on each VM's first vCPU.
    void boot_hv(const std::vector<GuestImage>& images, const char* stage, const char* address) {
        for (uint32_t v = 0; v < hv_->num_vms(); ++v)
            map_vm(v, vm_memory(v, stage, address));
        for (uint32_t v = 0; v < hv_->num_vms(); ++v)
            stage_image(images[v], hv_->image_staging(v).pa);
        if (hv::Error err = hv_->boot(); !err.ok())
            throw InputError(err.message);
        finish_boot();
    }

    uint32_t vm_count() const override { return hv_->num_vms(); }
    VmEnd vm_end(uint32_t v) const override {
        const hv::Vm& vm = hv_->vm(v);
        const hv::ExitKind k = vm.exit_kind;
        return VmEnd{vm.cfg->measured || hv_->num_vms() == 1, vm.state == hv::VmState::Stopped,
                     k != hv::ExitKind::None && k != hv::ExitKind::PowerOff, vm.exit_reason};
    }

    // The core as hv's `action` leaves it.
    void apply(unsigned core, hv::TrapAction action) {
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
    // What the core does after hv's `action` (apply() made it so).
    cpu::TrapAction next_step(unsigned core, hv::TrapAction action) const {
        if (action == hv::TrapAction::Idle)
            return cpu::TrapAction::idle;
        return machine_.state(core) == CoreState::running ? cpu::TrapAction::resume
                                                          : cpu::TrapAction::stop_core;
    }

    // Stops the VM running on `core` for a fault hv has no trap for
    // (docs/design.md#faults): `what` is the core's description of it.
    void stop_vm_of(unsigned core, const std::string& what) {
        const hv::Vcpu* v = hv_->vcpu_on_cpu(core);
        if (!v)
            throw std::logic_error("a fault on core " + std::to_string(core) +
                                   ", which no VM owns");
        hv::Vm& vm = hv_->vm_mut(v->vm);
        // The core's description starts with "core N: "; the VM's reason
        // names VM and vCPU first.
        const size_t colon = what.find(": ");
        const std::string cause = what.substr(colon == std::string::npos ? 0 : colon + 2);
        // hv's formatter: a reason too long for the VM's record ends in "...".
        hv::Fmt(vm.exit_reason, sizeof vm.exit_reason)
            << "vm " << vm.id << " (\"" << vm.name() << "\") vcpu " << v->id << " on core " << core
            << ": " << cause.c_str();
        current_cpu_ = core;
        hv_->stop_vm(vm, hv::ExitKind::UnhandledTrap);
        apply(core, hv::TrapAction::VmStopped);
    }

    std::unique_ptr<hv::Hypervisor> hv_;

  private:
    // A VM's cores see its RAM and IPC memory where its second stage maps
    // them, its pass-through devices, and a trapping page wherever hv
    // emulates (every access is a trap for hv).
    VmMemory vm_memory(uint32_t v, const char* stage, const char* address) const {
        const hv::Vm& vm = hv_->vm(v);
        VmMemory m{vm.cpus, vm.cfg, {}, stage, address};
        for (const hv::EmulRegion& e : vm.emul)
            m.emulated.push_back({e.ipa, e.size});
        return m;
    }
    // The counters of the virtual interrupt controller (Armv8-A's vGIC
    // distributor, RISC-V's vPLIC) are hv's per VM already.
    static HvVmReport vm_report(const hv::Vm& vm) {
        HvVmReport r;
        r.name = vm.name();
        r.cpus = vm.cpus;
        r.colors = vm.cfg->colors;
        r.exit_reason = vm.exit_kind == hv::ExitKind::None ? std::string("running")
                                                           : std::string(vm.exit_reason);
        r.exit_kind = hv::to_string(vm.exit_kind);
        r.stage2_table_pages = vm.stage2_table_pages();
        r.recolor_bytes = vm.recolor_bytes;
        r.irqs_injected = vm.vgicd.injected;
        r.distributor_traps = vm.vgicd.traps;
        r.distributor_ignored = vm.vgicd.ignored;
        return r;
    }

    const Isa isa_;
};

} // namespace sim::inline HV_ARCH_NS
