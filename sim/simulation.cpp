#include "sim/simulation.h"

#include "sim/checkpoint.h"
#include "sim/hv_code.h"
#include "sim/hv_host_riscv64.h"
#include "sim/json.h"
#include "sim/linux_vm.h"
#include "sim/platform.h"
#include "sim/version.h"

#include <spdlog/logger.h>

#include "hv/core/config.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace sim {

Simulation::Simulation(const RunOptions& options, std::ostream* console_out, const Loggers& log)
    : log_(log), options_(options), config_(load_config(options.config, options.platform)) {
    for (auto& kv : options.sets) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw InputError("--set '" + kv + "': expected key=value");
        set_model_param(config_, kv.substr(0, eq), kv.substr(eq + 1));
        log_.config().debug("--set {} = {}", kv.substr(0, eq), kv.substr(eq + 1));
    }
    sync_l2_geometry(config_);
    sync_gic_version(config_);
    if (options.threads) {
        // --threads selects the parallel scheduler (docs/parallel.md).
        if (config_.machine.scheduler == Scheduler::serial &&
            std::any_of(options.sets.begin(), options.sets.end(),
                        [](const std::string& kv) { return kv.find("scheduler=") != kv.npos; }))
            throw InputError(
                "--threads runs the parallel scheduler: it contradicts scheduler=serial");
        config_.machine.scheduler = Scheduler::parallel;
        config_.machine.threads = options.threads;
    }
    if (options.max_insns)
        config_.machine.max_insns = options.max_insns;
    if (options.max_ns)
        config_.machine.max_ns = *options.max_ns;
    config_.machine.fast_forward = options.fast_forward;
    // The parallel scheduler was built and checked for full-model runs only
    // (docs/parallel.md): fast-forward and checkpoints run serially.
    if (config_.machine.scheduler == Scheduler::parallel &&
        (options.fast_forward.until != FastForward::Until::none ||
         options.checkpoint_at.when != CheckpointAt::When::none || !options.restore.empty() ||
         !options.console_input.bytes.empty()))
        throw InputError("--fast-forward, --checkpoint-at, --restore and --console-input run on "
                         "the serial scheduler only: drop --threads / scheduler=parallel");
    // The trace's own memory hook runs after the core's, which the uncounted
    // fast-forward removes and adds again (arm64_uncounted.cpp).
    if (options.fast_forward.uncounted && options.trace.enabled())
        throw InputError("--fast-forward-uncounted and --trace: the trace needs every access; "
                         "drop one of them");
    // One console text per run: --checkpoint-at and --console-input-at may
    // both wait for it.
    if (options.checkpoint_at.when == CheckpointAt::When::console ||
        options.console_input.at.when == CheckpointAt::When::console) {
        if (options.console_text.empty())
            throw InputError("console:TEXT: the text is empty");
        console_point_ = options.console_text;
    }
    int measured = config_.measured_vm();
    if (measured < 0)
        throw InputError(config_.name + ": no VM is marked 'measured = true'");
    ImageSource& src = config_.images[static_cast<size_t>(measured)];
    if (!options.image.empty()) {
        auto [file, addr] = parse_image_spec(options.image);
        src.workload.clear();
        src.path = file;
        if (addr)
            src.load_addr = addr;
    } else if (!options.workload.empty()) {
        src.workload = options.workload;
        src.path.clear();
    }
    for (auto& kv : options.guest_params) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw InputError("--guest-param '" + kv + "': expected INDEX=VALUE");
        uint64_t index = parse_size(kv.substr(0, eq), "--guest-param index");
        if (index > 15)
            throw InputError("--guest-param '" + kv + "': index must be 0-15");
        if (src.params.size() <= index)
            src.params.resize(index + 1, 0);
        src.params[index] = parse_size(kv.substr(eq + 1), "--guest-param value");
    }
    const bool native = config_.hv.mode == hv::Mode::Native;
    if (options.cores) {
        if (!native)
            throw InputError(
                "--cores applies to native mode only: in hv mode the VMs' cpu_affinity "
                "decides the cores (" +
                config_.name + " is an hv config)");
        config_.machine.cores = *options.cores;
    }
    if (config_.machine.cores == 0 || config_.machine.cores > hv::kMaxCpus)
        throw InputError("--cores: " + std::to_string(config_.machine.cores) +
                         " is out of range (1-" + std::to_string(hv::kMaxCpus) + ")");
    if (config_.hv.platform.ram.size() > 1) // hv would allocate pages nothing backs
        throw InputError("platform.ram[1]: the simulator backs one RAM range (platform.ram[0]); "
                         "merge the ranges or drop this one");
    log_config();
    load_images();
    machine_ = std::make_unique<Machine>(config_.machine, console_out);
    machine_->set_log(log_);
    log_memory_map();
    if (!native) {
        if (platform_isa(config_.machine.platform) == Isa::riscv64)
            hv_host_ = make_hv_host_riscv64(*machine_, config_, images_);
        else
            hv_host_ = std::make_unique<HvHost>(*machine_, config_, images_);
        machine_->set_supervisor(hv_host_.get());
        if (options_.irq_breakdown)
            hv_host_->record_irq_breakdown();
        watch_results(hv_host_->vm_cpus(static_cast<uint32_t>(measured)));
        return;
    }
    // Core 0 runs the measured guest; with model.region_cores = vm the whole
    // machine is its "VM" (vm_cores(): an SMP Linux's /init may run on any core).
    watch_results(config_.machine.region_cores == RegionCores::vm ? vm_cores().front().cores : 1);
    machine_->map_native_platform();
    firmware_ = std::make_unique<NativeFirmware>(*machine_, src.params);
    machine_->set_supervisor(firmware_.get());
    const hv::VmStorage& vm = config_.hv.vms[static_cast<size_t>(measured)];
    if (vm.has_marker) {
        check_native_marker(vm.marker, machine_->memory());
        for (unsigned c = 0; c < machine_->core_count(); ++c)
            machine_->core(c).map_device(vm.marker, 0x1000, firmware_->marker_page());
    }
    const GuestImage& image = images_[static_cast<size_t>(measured)];
    place_image(image, machine_->memory());
    machine_->power_on(0, image.entry, image.entry_context, 0);
}

Simulation::~Simulation() = default;

void Simulation::log_config() const {
    spdlog::logger& l = log_.config();
    if (!log_.enabled(LogSource::config, LogLevel::info))
        return;
    const bool native = config_.hv.mode == hv::Mode::Native;
    l.info("config '{}' ({}): {} mode on {}, {} cores, {} VM(s), hash {}", config_.name,
           config_.description, native ? "native" : "hv", config_.machine.platform,
           config_.machine.cores, config_.hv.vms.size(), hex16(config_.hash));
    for (size_t i = 0; i < config_.hv.vms.size(); ++i) {
        const hv::VmStorage& vm = config_.hv.vms[i];
        const ImageSource& src = config_.images[i];
        l.info("vms[{}] '{}'{}: cpus {:#x}, colors {:#x}, image {}", i, vm.name,
               static_cast<int>(i) == config_.measured_vm() ? " (measured)" : "", vm.cpu_affinity,
               vm.colors,
               !src.linux_boot.kernel.empty() ? "Linux " + src.linux_boot.kernel
               : !src.workload.empty()        ? "workload " + src.workload
                                              : src.path);
    }
}

void Simulation::log_memory_map() const {
    spdlog::logger& l = log_.mem();
    if (!log_.enabled(LogSource::mem, LogLevel::debug))
        return;
    const PhysicalMemory& ram = machine_->memory();
    l.debug("RAM [{:#x}, {:#x})", ram.base(), ram.base() + ram.size());
    for (const Bus::Entry& e : machine_->bus().entries())
        l.debug("device {} [{:#x}, {:#x}){}", e.name, e.base, e.base + e.size,
                e.hypervisor_only ? " (hypervisor only)" : "");
    std::string model;
    if (const cache::Hierarchy* h = machine_->hierarchy())
        for (auto& [key, value] : cache::config_fields(h->config()))
            model += (model.empty() ? "" : " ") + key + "=" + value;
    l.debug("memory model: {}", model.empty() ? "off" : model);
}

std::string Simulation::vm_states() const {
    auto state = [](CoreState s) {
        switch (s) {
        case CoreState::off:
            return "off";
        case CoreState::running:
            return "running";
        case CoreState::idle:
            return "idle";
        case CoreState::stopped:
            return "stopped";
        }
        return "?";
    };
    const Machine& m = *machine_;
    std::string out;
    auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
    if (!hv_host_) {
        for (unsigned c = 0; c < m.core_count(); ++c)
            add("core" + std::to_string(c) + " " + state(m.state(c)));
        return out;
    }
    // A VM runs while any of its cores runs; else it idles while any idles.
    for (uint32_t v = 0; v < hv_host_->num_vms(); ++v) {
        const HvHostBase::VmView vm = hv_host_->vm_view(v);
        std::string s = vm.stopped ? vm.exit_kind : "off";
        for (unsigned c = 0; c < m.core_count() && !vm.stopped; ++c)
            if ((vm.cpus >> c) & 1) {
                if (m.state(c) == CoreState::running)
                    s = "running";
                else if (m.state(c) == CoreState::idle && s != "running")
                    s = "idle";
            }
        add(vm.name + " " + s);
    }
    return out;
}

// Native mode has no hv to validate the VM: the same rules (hv::validate) for
// the marker page, against what the native machine maps.
void Simulation::check_native_marker(uint64_t at, const PhysicalMemory& ram) const {
    const std::string where = "vms[" + std::to_string(config_.measured_vm()) + "].marker";
    auto hex = [](uint64_t v) {
        std::ostringstream s;
        s << "0x" << std::hex << v;
        return s.str();
    };
    if (at % 0x1000 != 0)
        throw InputError(where + ": address " + hex(at) + " is not 4 KiB aligned");
    struct Used {
        std::string name;
        uint64_t base, size;
    };
    std::vector<Used> used = {{"RAM", ram.base(), ram.size()}};
    for (const Bus::Entry& e : machine_->bus().entries())
        if (!e.hypervisor_only)
            used.push_back({e.name, e.base, e.size});
    for (const Used& u : used)
        if (at < u.base + u.size && u.base < at + 0x1000)
            throw InputError(where + ": [" + hex(at) + ", " + hex(at + 0x1000) + ") overlaps " +
                             u.name + " [" + hex(u.base) + ", " + hex(u.base + u.size) + ")");
}

// The workload's self-check ("checksum_ok=1") counts only from lines the
// measured guest's own cores printed: the console source says who wrote a
// line, never a name a guest could print.
void Simulation::watch_results(uint64_t cores) {
    machine_->console().observe_lines([this, cores](unsigned source, const std::string& line) {
        log_.console().trace("[{}] {}", machine_->console().source_name(source), line);
        bool measured = false;
        for (unsigned c = 0; c < machine_->core_count(); ++c)
            measured =
                measured || (((cores >> c) & 1) != 0 && machine_->console_source(c) == source);
        if (!measured)
            return;
        console_tail_.push_back(line);
        if (console_tail_.size() > kConsoleTailLines)
            console_tail_.pop_front();
        checksum_ok_seen_ = checksum_ok_seen_ || line.find("checksum_ok=1") != std::string::npos;
        checksum_bad_seen_ = checksum_bad_seen_ || line.find("checksum_ok=0") != std::string::npos;
        watch_linux(line);
        watch_console_point(line);
    });
}

// A measured Linux VM's milestones, read from its own console lines: the
// kernel starting /init, and a panic, which stops the run (the VM can do
// nothing more; docs/design.md#faults: exit code 3 with the panic line).
void Simulation::watch_linux(const std::string& line) {
    if (!linux_init_ && line.find("Run /init as init process") != std::string::npos) {
        LinuxInit i;
        i.instructions = machine_->instructions_now();
        i.cycles = machine_->global_cycles();
        i.host_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start_).count();
        linux_init_ = i;
        if (machine_->params().fast_forward.until == FastForward::Until::linux_init)
            machine_->reach_fast_forward_point();
    }
    const size_t panic = line.find("Kernel panic - not syncing");
    if (panic != std::string::npos)
        machine_->finish(ExitCode::guest_fault, "kernel_panic", line.substr(panic));
}

void Simulation::watch_console_point(const std::string& line) {
    if (!console_point_.empty() && !console_point_seen_ &&
        line.find(console_point_) != std::string::npos)
        console_point_seen_ = true;
}

void Simulation::feed_console_input() {
    const std::string& text = options_.console_input.bytes;
    if (console_fed_ >= text.size() || machine_->finished() || !reached(options_.console_input.at))
        return;
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data()) + console_fed_;
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(text.size() - console_fed_, 4096));
    if (hv_host_) {
        console_fed_ +=
            hv_host_->console_input(static_cast<uint32_t>(config_.measured_vm()), bytes, n);
        return;
    }
    const Bus::Entry* e = machine_->bus().find(config_.hv.platform.console_pa);
    auto* uart = e ? dynamic_cast<ConsoleReceiver*>(e->device) : nullptr;
    if (!uart)
        throw InputError("--console-input: the platform's native console (" +
                         (e ? e->name : std::string("none")) + ") receives nothing");
    console_fed_ += uart->receive(bytes, n);
}

bool Simulation::measured_is_linux() const {
    const int measured = config_.measured_vm();
    return measured >= 0 &&
           !config_.images[static_cast<size_t>(measured)].linux_boot.kernel.empty();
}

void Simulation::load_images() {
    for (size_t i = 0; i < config_.images.size(); ++i) {
        ImageSource& src = config_.images[i];
        if (!src.linux_boot.kernel.empty()) {
            LinuxSource l = src.linux_boot;
            for (std::string* p : {&l.kernel, &l.initrd, &l.dtb})
                *p = resolve_linux_path(*p, options_.workloads_dir);
            images_.push_back(linux_guest_image(l, linux_vm_description(config_, i)));
            continue;
        }
        std::string path = src.path;
        const PlatformInfo& platform = platform_info(config_.machine.platform);
        const Isa isa = platform.isa;
        if (!src.workload.empty()) {
            // Each platform's guests have a directory of their own
            // (workloads/riscv64/, workloads/zcu104/: docs/riscv.md, docs/zcu104.md).
            const std::filesystem::path dir =
                std::filesystem::path(options_.workloads_dir) / platform.workload_dir;
            std::filesystem::path p = dir / (src.workload + ".elf");
            if (!std::filesystem::exists(p))
                throw InputError(
                    "unknown workload '" + src.workload + "': no " + p.string() +
                    (isa == Isa::riscv64
                         ? " (is gcc-riscv64-unknown-elf installed? see docs/riscv.md)"
                         : " (is the aarch64 cross compiler installed? see --list-workloads)"));
            path = p.string();
        }
        images_.push_back(read_guest_image(path, src.load_addr.value_or(platform.guest_base), isa));
        log_.config().info("vms[{}] image '{}': entry {:#x}, {} bytes from {:#x}", i,
                           images_.back().path, images_.back().entry, images_.back().footprint(),
                           images_.back().lowest());
    }
}

std::vector<VmCores> Simulation::vm_cores() const {
    std::vector<VmCores> vms;
    if (hv_host_) {
        for (uint32_t v = 0; v < hv_host_->num_vms(); ++v) {
            const HvHostBase::VmView vm = hv_host_->vm_view(v);
            vms.push_back({vm.name, vm.cpus});
        }
        return vms;
    }
    const unsigned n = machine_->core_count();
    const int measured = config_.measured_vm();
    vms.push_back({std::string(config_.hv.vms[static_cast<size_t>(measured)].name),
                   n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1});
    return vms;
}

// The trace and the interval statistics attach to the machine just before
// it runs; without them nothing is attached.
void Simulation::start_observers() {
    if (options_.trace.enabled() && !trace_)
        trace_ = start_trace(*machine_, options_.trace, vm_cores());
    if (options_.intervals.enabled() && !intervals_)
        intervals_ = std::make_unique<IntervalStats>(*machine_, hv_host_.get(), vm_cores(),
                                                     options_.intervals);
}

RunOutcome Simulation::run() {
    if (options_.checkpoint_exit && options_.checkpoint_at.when == CheckpointAt::When::none)
        throw InputError("--checkpoint-exit needs --checkpoint-at");
    if (!options_.restore.empty())
        restore_checkpoint(options_.restore);
    if (options_.checkpoint_at.when != CheckpointAt::When::none) {
        if (options_.checkpoint_out.empty())
            throw InputError("--checkpoint-at needs --checkpoint-out FILE");
        machine_->add_quantum_observer([this](uint64_t) {
            if (!saved_at_ && !machine_->finished() && checkpoint_due()) {
                save_checkpoint(options_.checkpoint_out);
                saved_at_ = {machine_->total_instructions(), machine_->global_cycles()};
                if (options_.checkpoint_exit)
                    machine_->finish(ExitCode::ok, "checkpoint",
                                     "saved to " + options_.checkpoint_out);
            }
        });
    }
    // Console input goes in after a checkpoint at the same boundary is saved,
    // and a restored run offers it at once (the boundary it was saved at), so
    // the two see the same characters at the same cycle.
    if (!options_.console_input.bytes.empty()) {
        machine_->add_quantum_observer([this](uint64_t) { feed_console_input(); });
        feed_console_input();
    }
    start_observers();
    // Natively the one "VM" is the whole machine.
    const std::vector<VmCores> vms = vm_cores();
    const int measured = config_.measured_vm();
    const size_t vm = hv_host_ ? static_cast<size_t>(std::max(measured, 0)) : 0;
    if (vm < vms.size())
        machine_->set_measured_cores(vms[vm].cores);
    run_start_ = std::chrono::steady_clock::now();
    outcome_ = machine_->run();
    host_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start_).count();
    if (intervals_)
        intervals_->finish();
    if (trace_)
        trace_->flush();
    return outcome_;
}

bool Simulation::checkpoint_due() const {
    return reached(options_.checkpoint_at);
}

bool Simulation::reached(const CheckpointAt& at) const {
    if (at.when == CheckpointAt::When::none)
        return true;
    if (at.when == CheckpointAt::When::console)
        return console_point_seen_;
    if (at.when == CheckpointAt::When::insns)
        return machine_->total_instructions() >= at.insns;
    if (firmware_)
        return std::any_of(firmware_->marks().begin(), firmware_->marks().end(),
                           [](const MarkRecord& m) { return !m.end; });
    const auto measured = static_cast<uint32_t>(config_.measured_vm());
    return std::any_of(hv_host_->marks().begin(), hv_host_->marks().end(),
                       [measured](const HvMark& m) { return !m.end && m.vm == measured; });
}

uint64_t Simulation::checkpoint_identity() const {
    std::ostringstream s;
    s << "config " << config_.name << " " << hex16(config_.hash) << "\n";
    for (const GuestImage& img : images_)
        s << "image " << hex16(img.hash) << " " << img.file_size << "\n";
    const MachineParams& p = machine_->params();
    s << "platform " << p.platform << " cores " << p.cores << " ram " << p.ram_base << "+"
      << p.ram_size << " memory_model " << p.memory_model << " core "
      << static_cast<int>(p.core_model) << "\n";
    // Only when measured: older checkpoints (spread) stay valid.
    if (hv_code_layout_in_effect(p) == HvCodeLayoutKind::measured)
        s << "hv.code_layout measured\n";
    if (p.wfi_through_stage1) // likewise: only when on
        s << "wfi_through_stage1\n";
    if (p.region_cores == RegionCores::vm)
        s << "region_cores vm\n";
    for (const MachineField& f : machine_fields())
        s << f.key << "=" << p.*f.member << "\n";
    if (machine_->hierarchy())
        for (const auto& [key, value] : cache::config_fields(machine_->hierarchy()->config()))
            s << key << "=" << value << "\n";
    const ImageSource& src = config_.images[static_cast<size_t>(config_.measured_vm())];
    for (uint64_t v : src.params)
        s << "param " << v << "\n";
    const FastForward& ff = p.fast_forward;
    s << "fast_forward " << static_cast<int>(ff.until) << " " << ff.insns << " " << ff.warmup_insns
      << (ff.uncounted ? " uncounted" : "") << "\n";
    const std::string text = s.str();
    return fnv1a64(text.data(), text.size());
}

// The simulation's own view of the run: the measured guest's console lines
// it has read and Linux's /init milestone.
void Simulation::checkpoint(Archive& a) {
    machine_->checkpoint(a);
    if (firmware_)
        firmware_->checkpoint(a);
    if (hv_host_)
        hv_host_->checkpoint(a);
    a.tag("simulation");
    a.value(linux_init_);
    a.value(checksum_ok_seen_);
    a.value(checksum_bad_seen_);
    uint64_t lines = console_tail_.size();
    a.value(lines);
    if (!a.is_saving()) {
        if (lines > kConsoleTailLines)
            throw CheckpointError("corrupt: " + std::to_string(lines) + " console tail lines");
        console_tail_.assign(lines, std::string());
    }
    for (std::string& line : console_tail_)
        a.text(line);
    a.tag("console input");
    std::string point = console_point_;
    a.text(point);
    a.value(console_point_seen_);
    a.value(console_fed_);
    if (!a.is_saving() && point != console_point_ && !console_point_.empty())
        throw CheckpointError("saved waiting for the console text '" + point +
                              "', this run waits for '" + console_point_ + "'");
    a.tag("end");
}

void Simulation::save_checkpoint(const std::string& path) {
    Archive a = Archive::saving();
    checkpoint(a);
    write_checkpoint_file(path, checkpoint_identity(), a.data());
}

void Simulation::restore_checkpoint(const std::string& path) {
    const std::string payload = read_checkpoint_file(path, checkpoint_identity());
    Archive a = Archive::restoring(payload);
    checkpoint(a);
    a.finish();
}

} // namespace sim
