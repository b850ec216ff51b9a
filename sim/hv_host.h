// Hosts hv in the simulator: implements hv's hardware port over the modeled
// machine, and is the machine's supervisor in `hv` mode, turning each core's
// exits into the syndromes hv's trap entry expects (the same entry the real
// target's vectors call).
#pragma once

#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/syndrome.h"
#include "hv/core/hypervisor.h"
#include "hv/port.h"
#include "sim/config.h"
#include "sim/hv_code.h"
#include "sim/loader.h"
#include "sim/machine.h"

#include <array>
#include <memory>
#include <vector>

namespace sim {

struct HvMark {
    uint32_t vm;
    bool end;
    uint64_t cycle;
};

class HvHost : public hv::armv8::ArmPort, public Supervisor {
  public:
    // Validates and initialises hv for `config` (throws InputError with hv's
    // message), maps every VM's memory into its cores, stages the images and
    // boots hv, which powers on each VM's first vCPU.
    HvHost(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images);
    ~HvHost();

    const hv::Hypervisor& hypervisor() const { return *hv_; }
    // Where hv's own data lies (hv.*_data_bytes; empty when both are 0).
    const std::vector<uint64_t>& data_pages() const { return data_pages_; }
    // Cycles from hv's first instruction to the first guest instruction
    // (initialisation, stage-2 tables, recoloring), as charged on CPU 0.
    uint64_t boot_cycles() const { return boot_cycles_; }
    const std::vector<HvMark>& marks() const { return marks_; }
    // Values reported by guests' sample hypercall, with the reporting VM.
    const std::vector<std::pair<uint32_t, uint64_t>>& samples() const { return samples_; }
    // A VM stopped for a reason other than powering off.
    bool any_vm_faulted() const;

    // Supervisor
    cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) override;
    uint64_t mpidr(unsigned core) override;
    void on_irq(unsigned core) override;
    bool guest_sees_virtual_gic() const override { return true; }
    bool on_fault(unsigned core, const cpu::Fault& fault) override;

    // hv::Port and its Armv8 extension (hv/arch/armv8/port_armv8.h)
    uint32_t cpu_id() override { return current_cpu_; }
    void mem_read(uint64_t pa, void* dst, size_t len) override;
    void mem_write(uint64_t pa, const void* src, size_t len) override;
    void mem_copy(uint64_t dst_pa, uint64_t src_pa, size_t len) override;
    void mem_zero(uint64_t pa, size_t len) override;
    void account(uint64_t pa, size_t len, bool is_write) override;
    uint64_t dev_read(uint64_t pa, uint32_t size) override;
    void dev_write(uint64_t pa, uint32_t size, uint64_t value) override;
    uint64_t sysreg_read(hv::armv8::SysReg reg) override;
    void sysreg_write(hv::armv8::SysReg reg, uint64_t value) override;
    void tlb_flush_vm(uint16_t vmid) override;
    void tlb_flush_ipa(uint16_t vmid, uint64_t ipa) override;
    void cache_clean_invalidate(uint64_t pa, uint64_t size) override;
    void send_ipi(uint32_t cpu, uint32_t sgi) override;
    void mark(uint32_t vm, hv::Mark which) override;
    void sample(uint32_t vm, uint64_t value) override { samples_.push_back({vm, value}); }
    bool param(uint32_t vm, uint64_t index, uint64_t& value) override;
    void console_putc(char c) override;
    void cpu_on(uint32_t cpu) override;
    void cpu_stop(uint32_t cpu) override;
    void cpu_idle() override;
    void vm_stopped(uint32_t vm) override;
    void power_off() override;

  private:
    enum class Path { sync, irq };
    void charge_trap(unsigned core, Path path);
    // TLB maintenance broadcast to the cores of VM `vmid`, `ops` TLBI + DSB pairs long.
    void flush_vm_tlbs(uint16_t vmid, unsigned ops);
    void fetch_code(unsigned core, const CodeRun& run);
    void load_own_data(unsigned core, uint64_t bytes);
    hv::TrapAction enter(unsigned core, const hv::armv8::TrapSyndrome& s, hv::VcpuRegs& regs);
    void load_regs(unsigned core, hv::VcpuRegs& regs);
    void store_regs(unsigned core, const hv::VcpuRegs& regs, const hv::VcpuRegs& before);
    void apply(unsigned core, hv::TrapAction action);
    // What the core does after hv's `action` (apply() made it so).
    cpu::TrapAction next_step(unsigned core, hv::TrapAction action) const;
    uint8_t* host_for_ipa_range(uint32_t vm, uint64_t ipa, uint64_t size);
    void map_vm(uint32_t vm);
    struct DevMapping {
        uint64_t ipa, size;
        MmioDevice* device;
    };
    std::vector<DevMapping> dev_mappings(const hv::VmConfig& cfg) const;
    void check_end();
    bool is_measured(uint32_t vm) const;
    // Stops the VM running on `core` for a fault hv has no trap for.
    void stop_vm_of(unsigned core, const std::string& what);

    Machine& machine_;
    const RunConfig& config_;
    std::unique_ptr<hv::Hypervisor> hv_;
    uint32_t current_cpu_ = 0;
    std::array<std::array<uint64_t, static_cast<size_t>(hv::armv8::SysReg::Count)>, hv::kMaxCpus>
        sysregs_{};
    std::vector<unsigned> console_source_;
    std::vector<std::unique_ptr<uint8_t[], void (*)(uint8_t*)>> buffers_;
    std::vector<HvMark> marks_;
    std::vector<uint64_t> code_pages_; // PAs of hv's text pages (in hv's colors when colored)
    HvCodeLayout code_;                // where each trap path's code lies in that text
    // hv's own data (hv.*_data_bytes): the pages after its text (in its
    // colors), one slot of data_slot_ bytes per CPU.
    std::vector<uint64_t> data_pages_;
    uint64_t data_slot_ = 0;
    std::vector<std::pair<uint32_t, uint64_t>> samples_;
    // Per-core stage-2 walkers for the TLB model: hv's own table walk.
    struct Stage2Walker {
        HvHost* host;
        uint32_t vm;
    };
    static void walk_stage2(void* ctx, uint64_t ipa, cache::AccessKind kind,
                            cache::WalkResult& out);
    std::array<Stage2Walker, hv::kMaxCpus> walkers_{};
    std::array<std::optional<cache::WalkerRef>, hv::kMaxCpus> walker_refs_{};
    bool booting_ = true;
    uint64_t boot_cycles_ = 0;
};

} // namespace sim
