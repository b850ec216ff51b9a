#include "hv/core/hypervisor.h"

#include <new> // placement new only (a freestanding header): the state lives in the caller's memory
#include <type_traits>

#include "hv/core/validate.h"

namespace hv::inline HV_ARCH_NS {

const char* to_string(TrapAction a) {
    switch (a) {
    case TrapAction::Resume:
        return "resume";
    case TrapAction::Idle:
        return "idle";
    case TrapAction::VcpuOff:
        return "vcpu-off";
    case TrapAction::VmStopped:
        return "vm-stopped";
    case TrapAction::NoVcpu:
        return "no-vcpu";
    }
    return "?";
}

const char* to_string(ExitKind k) {
    switch (k) {
    case ExitKind::None:
        return "running";
    case ExitKind::PowerOff:
        return "power-off";
    case ExitKind::Stage2Fault:
        return "stage2-fault";
    case ExitKind::UnhandledTrap:
        return "unhandled-trap";
    case ExitKind::EmulationFault:
        return "emulation-fault";
    }
    return "?";
}

namespace {

// Constructs `n` Ts at `at` (offset into `state`). hv never destroys its
// state, so its types must not need it.
template <typename T>
std::span<T> construct(std::span<std::byte> state, std::size_t at, std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    static_assert(alignof(T) <= Hypervisor::kStateAlign);
    T* first = nullptr;
    for (std::size_t i = 0; i < n; ++i) {
        T* t = new (state.data() + at + i * sizeof(T)) T{};
        first = i == 0 ? t : first;
    }
    return {first, n};
}

} // namespace

// The validator is reached only from here: the image calls init_validated
// (bao-hv-config validated its data at build time), so it links no validator.
Error Hypervisor::init(const Config& cfg, std::span<std::byte> state) {
    if (phase_ == Phase::Empty && cfg.mode == Mode::Hv) {
        const Error err = validate(cfg);
        if (!err.ok())
            return report_init(err);
    }
    return init_validated(cfg, state);
}

Error Hypervisor::init_validated(const Config& cfg, std::span<std::byte> state) {
    return report_init(setup(cfg, state));
}

// The configuration's outcome to the port (host builds; the target compiles it away).
Error Hypervisor::report_init(const Error& err) {
    if (err.ok() && port_.wants(EventKind::ConfigValid)) {
        port_.event({EventKind::ConfigValid,
                     kNoVm,
                     0,
                     {num_vms_, cfg_.platform.cpu_num, cfg_.shmems.size()}});
    }
    if (!err.ok() && port_.wants(EventKind::ConfigRefused)) {
        port_.event({EventKind::ConfigRefused,
                     kNoVm,
                     0,
                     {static_cast<std::uint64_t>(err.code)},
                     err.message});
    }
    return err;
}

// Runs once at boot: [[gnu::cold]] compiles it for size (docs/real-image.md#section-sizes).
[[gnu::cold]] bool Hypervisor::build_state(std::span<std::byte> state, Error& err) {
    const StateLayout l = state_layout(cfg_);
    if (state.size() < l.bytes ||
        reinterpret_cast<std::uintptr_t>(state.data()) % kStateAlign != 0) {
        fail(err, ErrorCode::NoMemory)
            << "init: hv's state needs " << l.bytes << " bytes aligned to " << kStateAlign << ", "
            << state.size() << " given";
        return false;
    }
    vms_ = construct<Vm>(state, l.vms, cfg_.vms.size());
    vcpus_ = construct<Vcpu>(state, l.vcpus, cfg_.platform.cpu_num);
    shmems_ = construct<ShmemState>(state, l.shmems, cfg_.shmems.size());
    const std::span<std::uint64_t> bits =
        construct<std::uint64_t>(state, l.pool_bits, PagePool::bitmap_words(cfg_.platform.ram));
    pool_.init({cfg_.platform.ram.begin(), cfg_.platform.ram.size()}, cfg_.platform.l2.num_colors(),
               bits);
    return true;
}

// Runs once at boot: [[gnu::cold]] compiles it for size (docs/real-image.md#section-sizes).
[[gnu::cold]] Error Hypervisor::setup(const Config& cfg, std::span<std::byte> state) {
    Error err;
    if (phase_ != Phase::Empty) {
        fail(err, ErrorCode::State) << "init: the hypervisor is already initialized";
        return err;
    }
    if (cfg.mode != Mode::Hv) {
        fail(err, ErrorCode::Config) << "mode: a native configuration runs without hv";
        return err;
    }
    cfg_ = cfg;
    if (!build_state(state, err) || !reserve_placed(err)) {
        return err;
    }
    // Each CPU's vCPU context lives in one page of hv's memory (its colors),
    // so trap entry and exit can be charged to the right cache sets.
    for (std::uint32_t c = 0; c < cfg_.platform.cpu_num; ++c) {
        vcpus_[c].cpu = c;
        if (!pool_.alloc_high(1, kPageSize, cfg_.hyp.colors, vcpus_[c].ctx_pa)) {
            fail(err, ErrorCode::NoMemory)
                << "hyp.colors: no free page of colors " << Hex{cfg_.hyp.colors} << " for cpu " << c
                << "'s context";
            return err;
        }
    }
    if (!alloc_shmems(err)) {
        return err;
    }
    for (std::uint32_t i = 0; i < cfg_.vms.size(); ++i) {
        if (!create_vm(i, err)) {
            return err;
        }
    }
    if (!arch::init(*this, err)) {
        return err;
    }
    // Staging areas come last so they never take pages a VM needed.
    for (std::uint32_t i = 0; i < num_vms_; ++i) {
        if (!stage_image(vms_[i], err)) {
            return err;
        }
    }
    phase_ = Phase::Initialized;
    return err;
}

// Runs once at boot: [[gnu::cold]] compiles it for size (docs/real-image.md#section-sizes).
[[gnu::cold]] Error Hypervisor::boot() {
    Error err;
    if (phase_ != Phase::Initialized) {
        fail(err, ErrorCode::State) << "boot: call init() successfully first, and boot() once";
        return err;
    }
    for (std::uint32_t i = 0; i < num_vms_; ++i) {
        Vm& vm = vms_[i];
        const ImageStaging& st = vm.staging;
        if (st.copy) {
            // Recoloring (Bao's boot-time cost for colored VMs): page by page,
            // from the contiguous staging area to wherever stage 2 put each
            // page of the image.
            for (std::uint64_t off = 0; off < st.size; off += kPageSize) {
                const arch::Stage2Walk w = walk(i, vm.cfg->image.base_ipa + off);
                port_.mem_copy(w.pa, st.pa + off, kPageSize);
                port_.account(st.pa + off, kPageSize, false);
                port_.account(w.pa, kPageSize, true);
            }
            if (st.release) {
                pool_.release(st.pa, st.size >> kPageShift);
            }
            if (vm.cfg->colors != 0) {
                vm.recolor_bytes = st.size;
            }
            if (port_.wants(EventKind::Recolor)) {
                port_.event({EventKind::Recolor, i, 0, {st.size, st.pa, vm.cfg->colors}});
            }
        }
        vm.state = VmState::Running;
        Vcpu& first = vcpus_[vm.vcpu_cpu[0]];
        first.boot = VcpuBoot{vm.cfg->image.entry, vm.cfg->image.entry_x0};
        first.state = VcpuState::Running;
    }
    phase_ = Phase::Booted;
    for (std::uint32_t i = 0; i < num_vms_; ++i) {
        const Vcpu& first = vcpus_[vms_[i].vcpu_cpu[0]];
        if (port_.wants(EventKind::VmBoot)) {
            port_.event({EventKind::VmBoot,
                         i,
                         0,
                         {first.boot.pc, first.boot.x0, first.cpu},
                         vms_[i].name()});
        }
        port_.cpu_on(first.cpu);
    }
    return err;
}

bool Hypervisor::cpu_init() {
    const Vcpu* v = vcpu_on_cpu(port_.cpu_id());
    if (v == nullptr) {
        return false;
    }
    arch::cpu_init(*this, vcpus_[v->cpu]);
    return true;
}

const Vcpu* Hypervisor::vcpu_on_cpu(std::uint32_t cpu) const {
    return cpu < vcpus_.size() && vcpus_[cpu].present ? &vcpus_[cpu] : nullptr;
}

Vcpu* Hypervisor::vcpu_mut(std::uint32_t cpu) {
    return cpu < vcpus_.size() && vcpus_[cpu].present ? &vcpus_[cpu] : nullptr;
}

void Hypervisor::stop_vm(Vm& vm, ExitKind kind) {
    if (vm.state == VmState::Stopped) {
        return;
    }
    vm.state = VmState::Stopped;
    vm.exit_kind = kind;
    const std::uint32_t current = port_.cpu_id();
    for (std::uint32_t n = 0; n < vm.num_vcpus; ++n) {
        Vcpu& vc = vcpus_[vm.vcpu_cpu[n]];
        const bool was_on = vc.state == VcpuState::Running || vc.state == VcpuState::Idle;
        vc.state = VcpuState::Stopped;
        if (was_on && vc.cpu != current) {
            port_.cpu_stop(vc.cpu);
        }
    }
    if (port_.wants(EventKind::VmStop)) {
        port_.event(
            {EventKind::VmStop, vm.id, 0, {static_cast<std::uint64_t>(kind)}, vm.exit_reason});
    }
    port_.vm_stopped(vm.id);
    for (std::uint32_t i = 0; i < num_vms_; ++i) {
        if (vms_[i].state != VmState::Stopped) {
            return;
        }
    }
    port_.power_off();
}

arch::TablePageSource Hypervisor::table_source() {
    return {&Hypervisor::alloc_table, this};
}

bool Hypervisor::alloc_table(void* ctx, std::uint64_t pages, std::uint64_t align,
                             std::uint64_t& pa) {
    auto* self = static_cast<Hypervisor*>(ctx);
    const std::uint64_t colors = self->cfg_.hyp.colors;
    if (self->pool_.alloc_high(pages, align, colors, pa)) {
        return true;
    }
    // A stage-2 root is two contiguous pages, hence two consecutive colors:
    // with a single hv color it cannot be colored, so take any color.
    return colors != 0 && pages > 1 && self->pool_.alloc_high(pages, align, 0, pa);
}

} // namespace hv::inline HV_ARCH_NS
