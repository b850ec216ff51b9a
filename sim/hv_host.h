// Hosts hv in the simulator: implements hv's hardware port over the modeled
// machine, and is the machine's supervisor in `hv` mode, turning each core's
// exits into the syndromes hv's trap entry expects (the same entry the real
// target's vectors call).
#pragma once

#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/syndrome.h"
#include "hv/core/hypervisor.h"
#include "hv/port.h"
#include "sim/hv_host_arch.h"

#include <array>
#include <vector>

namespace sim {

class HvHost : public HvHostArch {
  public:
    // Validates and initialises hv for `config` (throws InputError with hv's
    // message), maps every VM's memory into its cores, stages the images and
    // boots hv, which powers on each VM's first vCPU.
    HvHost(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images);
    ~HvHost();

    // Checkpoints (sim/checkpoint.h): hv's own state (plain data), the EL2
    // registers the port keeps, and the base's marks, samples and boot figures.
    void checkpoint(Archive& a) override;
    uint32_t console_input(uint32_t vm, const uint8_t* bytes, uint32_t n) override;

    // Supervisor
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override;
    void on_irq(unsigned core) override;
    bool guest_sees_virtual_gic() const override { return true; }
    bool on_fault(unsigned core, const cpu::Fault& fault) override;
    // Each VM's cores; VMs that share memory (IPC) make one set.
    std::vector<uint64_t> memory_groups() const override;

    // hv::Port and its Armv8 extension (hv/arch/armv8/port_armv8.h), beyond
    // what HvHostArch serves
    uint64_t dev_read(uint64_t pa, uint32_t size) override;
    void dev_write(uint64_t pa, uint32_t size, uint64_t value) override;
    uint64_t sysreg_read(hv::armv8::SysReg reg) override;
    void sysreg_write(hv::armv8::SysReg reg, uint64_t value) override;
    void tlb_flush_vm(uint16_t vmid) override;
    void tlb_flush_ipa(uint16_t vmid, uint64_t ipa) override;
    void cache_clean_invalidate(uint64_t pa, uint64_t size) override;
    void send_ipi(uint32_t cpu, uint32_t sgi) override;
    void cpu_on(uint32_t cpu) override;

  private:
    // TLB maintenance broadcast to the cores of VM `vmid`, `ops` TLBI + DSB pairs long.
    void flush_vm_tlbs(uint16_t vmid, unsigned ops);
    hv::TrapAction enter(unsigned core, const hv::armv8::TrapSyndrome& s, hv::VcpuRegs& regs);
    void load_regs(unsigned core, hv::VcpuRegs& regs);
    void store_regs(unsigned core, const hv::VcpuRegs& regs, const hv::VcpuRegs& before);
    void map_core_extras(unsigned core) override;
    void walk_second_stage(uint32_t vm, uint64_t ipa, cache::WalkResult& out) override;

    std::array<std::array<uint64_t, static_cast<size_t>(hv::armv8::SysReg::Count)>, hv::kMaxCpus>
        sysregs_{};
};

} // namespace sim
