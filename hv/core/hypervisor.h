// The hypervisor context: all of hv's state in one object (docs/design.md#hv-context), so
// several simulations can share a process. Nothing in hv is a mutable global.
//
// Life cycle, in both worlds:
//   Hypervisor hv(port);          // large (page-pool bitmap): allocate it statically or on the
//   heap hv.init(config);              // validate, allocate memory, build stage 2
//   ... write each image at hv.image_staging(vm).pa ...
//   hv.boot();                    // recolor images, power on each VM's vCPU 0
//   hv.cpu_init();                // on each CPU that runs a vCPU: program EL2 registers
//   ... the architecture's trap and IRQ entries (hv/arch/<arch>/), on every
//   trap and physical IRQ, on that CPU
#pragma once

#include <cstdint>

#include "hv/arch/arch.h"
#include "hv/core/config.h"
#include "hv/core/error.h"
#include "hv/core/page_pool.h"
#include "hv/core/vcpu.h"
#include "hv/core/vm.h"
#include "hv/port.h"

namespace hv::inline HV_ARCH_NS {

// Shared memory as allocated at init: contiguous, or (colored) described by
// a private stage-2 table from offset to PA that each VM's mapping copies.
struct ShmemState {
    bool allocated = false;
    bool colored = false;
    std::uint64_t pa = 0; // contiguous case
    arch::Stage2 pages;   // colored case: offset -> PA
};

class Hypervisor {
  public:
    explicit Hypervisor(arch::ArchPort& port) : port_(port) {}
    Hypervisor(const Hypervisor&) = delete;
    Hypervisor& operator=(const Hypervisor&) = delete;

    // Validates `cfg`, copies it, allocates every VM's memory and builds its
    // stage-2 tables. Call once.
    Error init(const Config& cfg);
    // After the images are staged: recolors them, starts each VM's vCPU 0
    // (Port::cpu_on). Call once, after init.
    Error boot();
    // Programs the current CPU for its vCPU (arch::cpu_init: stage-2 base,
    // trap controls, processor id, interrupt controller). Returns false if no
    // VM owns this CPU.
    bool cpu_init();

    // Queries for the simulator, reports and tests.
    const Config& config() const { return cfg_; }
    std::uint32_t num_vms() const { return num_vms_; }
    const Vm& vm(std::uint32_t i) const { return vms_[i]; }
    // The vCPU pinned to physical CPU `cpu`, or nullptr.
    const Vcpu* vcpu_on_cpu(std::uint32_t cpu) const;
    const ImageStaging& image_staging(std::uint32_t vm) const { return vms_[vm].staging; }
    arch::Stage2Walk walk(std::uint32_t vm, std::uint64_t ipa) {
        return arch::stage2_walk(port_, vms_[vm].stage2.root(), ipa);
    }
    const PagePool& page_pool() const { return pool_; }
    bool booted() const { return phase_ == Phase::Booted; }

    // For hv's own modules (trap dispatch, PSCI, hypercalls, emulation).
    Port& port() { return port_; }
    // The same port with the architecture's extension, for arch code.
    arch::ArchPort& arch_port() { return port_; }
    Vm& vm_mut(std::uint32_t i) { return vms_[i]; }
    Vcpu* vcpu_mut(std::uint32_t cpu);
    // Stops `vm` with `kind`; the reason, written by the caller into
    // vm.exit_reason beforehand, names VM, core and cause. Stops its other
    // vCPUs (Port::cpu_stop), reports it (Port::vm_stopped) and powers the
    // machine off when it was the last VM running.
    void stop_vm(Vm& vm, ExitKind kind);
    // The vGIC's global state (which VM owns each physical SPI), and one page
    // of hv's own memory (hv's colors) for vGIC records that need a PA.
    arch::VirqGlobal& vgic() { return vgic_; }
    const arch::VirqGlobal& vgic() const { return vgic_; }
    bool alloc_hv_page(std::uint64_t& pa) {
        return pool_.alloc_high(1, kPageSize, cfg_.hyp.colors, pa);
    }

    // Checkpoints (the host build's sim/checkpoint.h): hv's state is plain
    // data. What points into this process or is set once at init (the
    // config's copy and each VM's pointer into it, the stage-2 tables and
    // their page source, the emulation handlers, shared memory) stays as
    // the fresh hypervisor built it from the same config.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(phase_);
        a.value(pool_);
        a.value(num_vms_);
        for (Vm& vm : vms_) {
            const VmConfig* cfg = vm.cfg;
            const arch::Stage2 stage2 = vm.stage2;
            const FixedVec<EmulRegion, kMaxEmulRegions> emul = vm.emul;
            a.value(vm);
            vm.cfg = cfg;
            vm.stage2 = stage2;
            vm.emul = emul;
        }
        a.value(vcpus_);
        a.value(vgic_);
    }

  private:
    enum class Phase : std::uint8_t { Empty, Initialized, Booted };

    // init() without its report (EventKind::ConfigValid / ConfigRefused).
    Error setup(const Config& cfg);

    bool reserve_placed(Error& err);
    bool alloc_shmems(Error& err);
    bool create_vm(std::uint32_t id, Error& err);
    bool map_regions(Vm& vm, Error& err);
    bool map_devs(Vm& vm, Error& err);
    bool map_ipcs(Vm& vm, Error& err);
    bool stage_image(Vm& vm, Error& err);
    bool map_fail(Error& err, const Vm& vm, const char* what, std::uint32_t index,
                  arch::MapStatus s);
    arch::TablePageSource table_source();
    static bool alloc_table(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa);

    arch::ArchPort& port_;
    Phase phase_ = Phase::Empty;
    Config cfg_{};
    PagePool pool_;
    Vm vms_[kMaxVms]{};
    std::uint32_t num_vms_ = 0;
    Vcpu vcpus_[kMaxCpus]{};
    ShmemState shmems_[kMaxShmems]{};
    arch::VirqGlobal vgic_{};
};

} // namespace hv::inline HV_ARCH_NS
