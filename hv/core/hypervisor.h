// The hypervisor context: all of hv's state in one object (docs/design.md#hv-context), so
// several simulations can share a process. Nothing in hv is a mutable global.
//
// Life cycle, in both worlds:
//   Hypervisor hv(port);          // small: the state below holds what scales with the config
//   hv.init(config, state);       // validate, allocate memory, build stage 2; `state` is
//                                 // state_bytes(config) bytes the caller provides
//   ... write each image at hv.image_staging(vm).pa ...
//   hv.boot();                    // recolor images, power on each VM's vCPU 0
//   hv.cpu_init();                // on each CPU that runs a vCPU: program EL2 registers
//   ... the architecture's trap and IRQ entries (hv/arch/<arch>/), on every
//   trap and physical IRQ, on that CPU
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

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

    // hv's run-time state for `cfg`, in proportion to what it declares: one
    // Vm per VM, one Vcpu per physical CPU, one ShmemState per shared memory
    // and the page pool's bitmap for the platform's RAM. init() builds it in
    // the caller's memory (kStateAlign-aligned): on the target an array the
    // generated configuration sizes with this function, on the host a buffer.
    static constexpr std::size_t kStateAlign = 16;
    static constexpr std::size_t state_bytes(const Config& cfg) { return state_layout(cfg).bytes; }

    // Validates `cfg`, keeps it (its lists stay where they are: `cfg`'s
    // arrays must outlive the hypervisor), builds its run-time state in
    // `state` (at least state_bytes(cfg) bytes), allocates every VM's memory
    // and builds its stage-2 tables. Call once.
    Error init(const Config& cfg, std::span<std::byte> state);
    // The same for a configuration hv's validate() accepted already: the real
    // image's, which tools/bao-hv-config validated at build time with the same
    // code, so the image carries no validator (docs/real-image.md#sizes).
    Error init_validated(const Config& cfg, std::span<std::byte> state);
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
        pool_.checkpoint(a);
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
        for (Vcpu& vcpu : vcpus_) // the state lives in the caller's memory: its contents
            a.value(vcpu);
        a.value(vgic_);
    }

  private:
    enum class Phase : std::uint8_t { Empty, Initialized, Booted };

    // init_validated() without its report (EventKind::ConfigValid / ConfigRefused).
    Error setup(const Config& cfg, std::span<std::byte> state);
    Error report_init(const Error& err);
    // Where each part of the state lies in the caller's memory (offsets).
    struct StateLayout {
        std::size_t vms, vcpus, shmems, pool_bits, bytes;
    };
    static constexpr StateLayout state_layout(const Config& cfg) {
        std::size_t at = 0;
        auto place = [&at](std::size_t align, std::size_t size) {
            at = (at + align - 1) / align * align;
            const std::size_t offset = at;
            at += size;
            return offset;
        };
        StateLayout l{};
        l.vms = place(alignof(Vm), cfg.vms.size() * sizeof(Vm));
        l.vcpus = place(alignof(Vcpu), cfg.platform.cpu_num * sizeof(Vcpu));
        l.shmems = place(alignof(ShmemState), cfg.shmems.size() * sizeof(ShmemState));
        l.pool_bits = place(alignof(std::uint64_t),
                            PagePool::bitmap_words(cfg.platform.ram) * sizeof(std::uint64_t));
        l.bytes = at;
        return l;
    }
    bool build_state(std::span<std::byte> state, Error& err);

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
    // The run-time state, in the caller's memory (state_bytes).
    std::span<Vm> vms_;
    std::uint32_t num_vms_ = 0;
    std::span<Vcpu> vcpus_; // indexed by physical CPU, platform.cpu_num of them
    std::span<ShmemState> shmems_;
    arch::VirqGlobal vgic_{};
};

} // namespace hv::inline HV_ARCH_NS
