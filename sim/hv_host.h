// Hosts hv in the simulator: implements hv's hardware port over the modeled
// machine, and is the machine's supervisor in `hv` mode, turning each core's
// exits into the syndromes hv's trap entry expects (the same entry the real
// target's vectors call).
#pragma once

#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/syndrome.h"
#include "hv/core/hypervisor.h"
#include "hv/port.h"
#include "sim/hv_host_base.h"

#include <array>
#include <memory>
#include <vector>

namespace sim {

class HvHost : public hv::armv8::ArmPort, public HvHostBase {
  public:
    // Validates and initialises hv for `config` (throws InputError with hv's
    // message), maps every VM's memory into its cores, stages the images and
    // boots hv, which powers on each VM's first vCPU.
    HvHost(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images);
    ~HvHost();

    const hv::Hypervisor& hypervisor() const { return *hv_; }
    VmView vm_view(uint32_t v) const override {
        const hv::Vm& vm = hv_->vm(v);
        return {vm.name(), vm.cpus, vm.state == hv::VmState::Stopped, hv::to_string(vm.exit_kind)};
    }
    std::vector<HvVmReport> vm_reports() const override;
    uint64_t vm_cpus(uint32_t vm) const override { return hv_->vm(vm).cpus; }
    // Checkpoints (sim/checkpoint.h): hv's own state (plain data), the EL2
    // registers the port keeps, and the base's marks, samples and boot figures.
    void checkpoint(Archive& a) override;

    // Supervisor
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override;
    void on_irq(unsigned core) override;
    bool guest_sees_virtual_gic() const override { return true; }
    bool on_fault(unsigned core, const cpu::Fault& fault) override;
    // Each VM's cores; VMs that share memory (IPC) make one set.
    std::vector<uint64_t> memory_groups() const override;

    // hv::Port and its Armv8 extension (hv/arch/armv8/port_armv8.h)
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
    uint64_t sysreg_read(hv::armv8::SysReg reg) override;
    void sysreg_write(hv::armv8::SysReg reg, uint64_t value) override;
    void tlb_flush_vm(uint16_t vmid) override;
    void tlb_flush_ipa(uint16_t vmid, uint64_t ipa) override;
    void cache_clean_invalidate(uint64_t pa, uint64_t size) override;
    void send_ipi(uint32_t cpu, uint32_t sgi) override;
    void mark(uint32_t vm, hv::Mark which) override { record_mark(vm, which); }
    void sample(uint32_t vm, uint64_t value) override { record_sample(vm, value); }
    bool param(uint32_t vm, uint64_t index, uint64_t& value) override {
        return guest_param(vm, index, value);
    }
    void console_putc(char c) override { putc(c); }
    void cpu_on(uint32_t cpu) override;
    void cpu_stop(uint32_t cpu) override;
    void cpu_idle() override;
    void vm_stopped(uint32_t vm) override;
    void power_off() override;
    // hv's events to the machine's loggers (sim/hv_events.h).
    void event(const hv::Event& e) override;

  protected:
    uint32_t vm_count() const override { return hv_->num_vms(); }
    VmEnd vm_end(uint32_t vm) const override;

  private:
    // TLB maintenance broadcast to the cores of VM `vmid`, `ops` TLBI + DSB pairs long.
    void flush_vm_tlbs(uint16_t vmid, unsigned ops);
    hv::TrapAction enter(unsigned core, const hv::armv8::TrapSyndrome& s, hv::VcpuRegs& regs);
    void load_regs(unsigned core, hv::VcpuRegs& regs);
    void store_regs(unsigned core, const hv::VcpuRegs& regs, const hv::VcpuRegs& before);
    void apply(unsigned core, hv::TrapAction action);
    // What the core does after hv's `action` (apply() made it so).
    cpu::TrapAction next_step(unsigned core, hv::TrapAction action) const;
    VmMemory vm_memory(uint32_t vm) const;
    void map_core_extras(unsigned core) override;
    void walk_second_stage(uint32_t vm, uint64_t ipa, cache::WalkResult& out) override;
    bool is_measured(uint32_t vm) const;
    // Stops the VM running on `core` for a fault hv has no trap for.
    void stop_vm_of(unsigned core, const std::string& what);

    std::unique_ptr<hv::Hypervisor> hv_;
    std::array<std::array<uint64_t, static_cast<size_t>(hv::armv8::SysReg::Count)>, hv::kMaxCpus>
        sysregs_{};
};

} // namespace sim
