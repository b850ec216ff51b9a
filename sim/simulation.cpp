#include "sim/simulation.h"

#include "sim/checkpoint.h"
#include "sim/hv_host_riscv64.h"
#include "sim/json.h"
#include "sim/linux_vm.h"
#include "sim/platform.h"
#include "sim/version.h"

#include "hv/core/config.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace sim {
namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

// Emits the entries whose key starts with `prefix` (and, for the shared
// part, those not under cores[]) as nested objects: "l2.misses" becomes
// "l2": {"misses": N}. Keys keep the model's documented order.
void write_nested(JsonWriter& j, const std::vector<cache::StatEntry>& entries,
                  const std::string& prefix) {
    std::vector<std::string> open;
    for (auto& e : entries) {
        if (e.key.rfind(prefix, 0) != 0 || (prefix.empty() && e.key.rfind("cores[", 0) == 0))
            continue;
        std::vector<std::string> parts;
        std::stringstream ss(e.key.substr(prefix.size()));
        for (std::string part; std::getline(ss, part, '.');)
            parts.push_back(part);
        size_t common = 0;
        while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common])
            ++common;
        while (open.size() > common) {
            j.end_object();
            open.pop_back();
        }
        for (size_t k = open.size(); k + 1 < parts.size(); ++k) {
            j.begin_object(parts[k]);
            open.push_back(parts[k]);
        }
        j.value(parts.back(), e.value);
    }
    while (!open.empty()) {
        j.end_object();
        open.pop_back();
    }
}

} // namespace

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
         options.checkpoint_at.when != CheckpointAt::When::none || !options.restore.empty()))
        throw InputError("--fast-forward, --checkpoint-at and --restore run on the serial "
                         "scheduler only: drop --threads / scheduler=parallel");
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
        watch_results(hv_host_->vm_cpus(static_cast<uint32_t>(measured)));
        return;
    }
    watch_results(1); // core 0 runs the measured guest
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
    if (!l.should_log(spdlog::level::info))
        return;
    const bool native = config_.hv.mode == hv::Mode::Native;
    l.info("config '{}' ({}): {} mode on {}, {} cores, {} VM(s), hash {}", config_.name,
           config_.description, native ? "native" : "hv", config_.machine.platform,
           config_.machine.cores, config_.hv.vms.size(), hex(config_.hash));
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
    if (!l.should_log(spdlog::level::debug))
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
        const Isa isa = platform_isa(config_.machine.platform);
        if (!src.workload.empty()) {
            // RISC-V guests are built into workloads/riscv64/ (docs/riscv.md).
            std::filesystem::path dir(options_.workloads_dir);
            if (isa == Isa::riscv64)
                dir /= "riscv64";
            std::filesystem::path p = dir / (src.workload + ".elf");
            if (!std::filesystem::exists(p))
                throw InputError(
                    "unknown workload '" + src.workload + "': no " + p.string() +
                    (isa == Isa::riscv64
                         ? " (is gcc-riscv64-unknown-elf installed? see docs/riscv.md)"
                         : " (is the aarch64 cross compiler installed? see --list-workloads)"));
            path = p.string();
        }
        images_.push_back(read_guest_image(path, src.load_addr.value_or(0x40000000), isa));
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
    if (!options_.restore.empty())
        restore_checkpoint(options_.restore);
    if (options_.checkpoint_at.when != CheckpointAt::When::none) {
        if (options_.checkpoint_out.empty())
            throw InputError("--checkpoint-at needs --checkpoint-out FILE");
        machine_->add_quantum_observer([this](uint64_t) {
            if (!saved_at_ && !machine_->finished() && checkpoint_due()) {
                save_checkpoint(options_.checkpoint_out);
                saved_at_ = {machine_->total_instructions(), machine_->global_cycles()};
            }
        });
    }
    start_observers();
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

std::string Simulation::stats_json() const {
    const Machine& m = *machine_;
    JsonWriter j;
    j.begin_object();
    j.value("exit_reason", outcome_.reason);
    j.value("exit_detail", outcome_.detail);
    j.value("exit_code", static_cast<int>(outcome_.code));
    j.begin_object("meta");
    j.value("version", std::string(bao_sim_version));
    j.value("config", config_.name);
    j.value("config_hash", hex(config_.hash));
    j.value("mode", config_.hv.mode == hv::Mode::Native ? "native" : "hv");
    j.begin_array("images");
    for (auto& img : images_) {
        j.begin_object();
        j.value("path", std::filesystem::path(img.path).filename().string());
        j.value("hash", hex(img.hash));
        j.value("size", img.file_size);
        j.end_object();
    }
    j.end_array();
    j.begin_object("model");
    j.value("cores", m.params().cores);
    j.value("ram_base", m.params().ram_base);
    j.value("ram_size", m.params().ram_size);
    j.value("max_insns", m.params().max_insns);
    j.value("max_ns", m.params().max_ns);
    for (const MachineField& f : machine_fields())
        j.value(f.key, m.params().*f.member);
    j.value("memory_model", m.params().memory_model);
    // Written only when not the default, so that the default's stats stay
    // as they were (decision 29); absent means flat.
    if (m.params().core_model == cpu::CoreModel::a53)
        j.value("core", "a53");
    // Likewise: absent means serial. Host threads never change a figure.
    if (m.params().scheduler == Scheduler::parallel) {
        j.value("scheduler", "parallel");
        j.value("threads", m.params().threads);
    }
    // The hierarchy's own `cores` is the machine's, written above: a second
    // key in one object is one that JSON readers (Python's, nlohmann's) drop.
    if (m.params().memory_model)
        for (auto& [key, value] : cache::config_fields(m.hierarchy()->config()))
            if (key != "cores")
                j.value(key, value);
    j.end_object();
    j.end_object();
    uint64_t insns = m.total_instructions();
    j.begin_object("sim");
    j.value("guest_insns", insns);
    j.value("cycles", m.global_cycles());
    j.value("seconds",
            static_cast<double>(m.global_cycles()) / static_cast<double>(m.params().core_hz));
    j.value("host_seconds", host_seconds_);
    j.value("mips", host_seconds_ > 0 ? static_cast<double>(insns) / host_seconds_ / 1e6 : 0.0);
    j.end_object();
    if (m.params().fast_forward.until != FastForward::Until::none) {
        // Only with --fast-forward: the default stats keep their keys (decision 29).
        const Machine::FastForwardRecord& r = m.fast_forward_record();
        j.begin_object("fast_forward");
        j.value("reached", m.phase() != Machine::Phase::fast_forward);
        j.value("switch_instructions", r.switch_instructions);
        j.value("switch_cycle", r.switch_cycle);
        j.value("warmup_insns", m.params().fast_forward.warmup_insns);
        j.value("measure_instructions", r.measure_instructions);
        j.value("measure_cycle", r.measure_cycle);
        j.end_object();
    }
    if (linux_init_) {
        j.begin_object("linux");
        j.value("init_instructions", linux_init_->instructions);
        j.value("init_cycles", linux_init_->cycles);
        j.value("init_host_seconds", linux_init_->host_seconds);
        j.end_object();
    }
    std::vector<cache::StatEntry> memory;
    if (m.hierarchy())
        memory = cache::flatten(m.hierarchy()->stats());
    write_nested(j, memory, "");
    j.begin_array("cores");
    for (unsigned i = 0; i < m.core_count(); ++i) {
        CoreStats s = m.stats(i);
        j.begin_object();
        j.value("instructions", s.instructions);
        j.value("cycles", s.cycles);
        j.value("idle_cycles", s.idle_cycles);
        j.value("stall_cycles", s.stall_cycles);
        j.value("loads", s.loads);
        j.value("stores", s.stores);
        const auto counters = m.core(i).model_counters();
        if (!counters.empty()) {
            std::vector<cache::StatEntry> model;
            for (const auto& [key, value] : counters)
                model.push_back(cache::StatEntry{key, value});
            write_nested(j, model, "");
        }
        write_nested(j, memory, "cores[" + std::to_string(i) + "].");
        j.end_object();
    }
    j.end_array();
    j.begin_array("marks");
    if (firmware_) {
        for (auto& mk : firmware_->marks()) {
            j.begin_object();
            j.value("core", mk.core);
            j.value("kind", mk.end ? "end" : "start");
            j.value("cycle", mk.cycle);
            j.end_object();
        }
    } else {
        for (auto& mk : hv_host_->marks()) {
            j.begin_object();
            j.value("vm", mk.vm);
            j.value("kind", mk.end ? "end" : "start");
            j.value("cycle", mk.cycle);
            j.end_object();
        }
    }
    j.end_array();
    write_workload(j);
    {
        const double ms_per_cycle = 1e3 / static_cast<double>(m.params().core_hz);
        const uint64_t init = hv_host_ ? hv_host_->boot_cycles() : 0;
        const auto& start = m.region_start();
        j.begin_object("boot");
        j.value("hv_init_cycles", init);
        j.value("hv_init_ms", static_cast<double>(init) * ms_per_cycle);
        j.value("first_app_cycle", start ? start->cycle : uint64_t{0});
        j.value("first_app_ms", start ? static_cast<double>(start->cycle) * ms_per_cycle : 0.0);
        j.end_object();
    }
    write_latency(j);
    write_vm_stats(j);
    j.value("console", machine_->console().transcript());
    j.value("console_dropped_bytes", machine_->console().dropped_bytes());
    j.end_object();
    return j.str();
}

WorkloadSummary Simulation::workload_summary() const {
    WorkloadSummary w;
    const int measured = config_.measured_vm();
    const ImageSource& src = config_.images[static_cast<size_t>(measured)];
    w.name =
        src.workload.empty() ? std::filesystem::path(src.path).filename().string() : src.workload;
    w.vm = measured >= 0 ? std::string(config_.hv.vms[static_cast<size_t>(measured)].name)
                         : std::string();
    w.scenario = config_.name;
    const auto& a = machine_->region_start();
    const auto& b = machine_->region_end();
    w.region_marked = a && b && b->cycle >= a->cycle;
    const RegionSnapshot none;
    const RegionSnapshot& s0 = w.region_marked ? *a : none;
    const RegionSnapshot& s1 = w.region_marked ? *b : none;
    w.runtime_cycles = s1.cycle - s0.cycle;
    w.runtime_ns = static_cast<double>(w.runtime_cycles) * 1e9 /
                   static_cast<double>(machine_->params().core_hz);
    w.instructions = s1.instructions - s0.instructions;
    auto counters = [](const cache::CacheCounters& x, const cache::CacheCounters& y) {
        return WorkloadSummary::Counter{y.accesses - x.accesses, y.misses - x.misses};
    };
    w.l1d = counters(s0.memory.l1d, s1.memory.l1d);
    w.l2 = counters(s0.memory.l2, s1.memory.l2);
    w.dtlb = counters(s0.memory.dtlb, s1.memory.dtlb);
    w.stall_cycles_mem = s1.memory.stall_cycles_mem - s0.memory.stall_cycles_mem;
    w.checksum_ok = checksum_ok_seen_ && !checksum_bad_seen_;
    w.checksum_reported = checksum_ok_seen_ || checksum_bad_seen_;
    w.runs = machine_->region_samples();
    return w;
}

namespace {

struct Spread {
    double mean = 0, std = 0, min = 0, max = 0; // all 0 without samples
};

// mean, std (population's), min and max of some samples.
Spread spread_of(const std::vector<double>& xs) {
    Spread r;
    double sum = 0, sq = 0;
    for (size_t k = 0; k < xs.size(); ++k) {
        sum += xs[k];
        sq += xs[k] * xs[k];
        r.min = k == 0 ? xs[k] : std::min(r.min, xs[k]);
        r.max = k == 0 ? xs[k] : std::max(r.max, xs[k]);
    }
    const double n = static_cast<double>(xs.size());
    r.mean = xs.empty() ? 0 : sum / n;
    r.std = xs.empty() ? 0 : std::sqrt(std::max(0.0, sq / n - r.mean * r.mean));
    return r;
}

// Counts (cycles, instructions) in whole units: JSON doubles keep 6 digits.
void write_count_spread(JsonWriter& j, const std::vector<double>& xs) {
    const Spread s = spread_of(xs);
    j.value("mean", static_cast<uint64_t>(std::llround(s.mean)));
    j.value("std", static_cast<uint64_t>(std::llround(s.std)));
    j.value("min", static_cast<uint64_t>(std::llround(s.min)));
    j.value("max", static_cast<uint64_t>(std::llround(s.max)));
}

} // namespace

// The workload: its measured region (docs/design.md#measured-region, from the first start mark to
// the last end mark of the measured VM or, natively, of core 0), its counters
// over that region, and its self-check as printed ("checksum_ok=1").
void Simulation::write_workload(JsonWriter& j) const {
    const WorkloadSummary w = workload_summary();
    j.begin_object("workload");
    j.value("name", w.name);
    j.value("vm", w.vm);
    j.value("region_marked", w.region_marked);
    j.value("runtime_cycles", w.runtime_cycles);
    j.value("runtime_ns", w.runtime_ns);
    j.value("instructions", w.instructions);
    j.value("ipc", w.ipc());
    j.value("l1d_accesses", w.l1d.accesses);
    j.value("l1d_misses", w.l1d.misses);
    j.value("l1d_miss_rate", w.l1d.rate());
    j.value("l2_accesses", w.l2.accesses);
    j.value("l2_misses", w.l2.misses);
    j.value("l2_miss_rate", w.l2.rate());
    j.value("l2_mpki", w.mpki(w.l2));
    j.value("dtlb_accesses", w.dtlb.accesses);
    j.value("dtlb_misses", w.dtlb.misses);
    j.value("dtlb_miss_rate", w.dtlb.rate());
    j.value("dtlb_mpki", w.mpki(w.dtlb));
    j.value("stall_cycles_mem", w.stall_cycles_mem);
    j.value("mem_stall_share", w.mem_stall_share());
    j.value("checksum_ok", w.checksum_ok);
    j.value("checksum_reported", w.checksum_reported);
    // Each measured run (a start mark and the end mark after it) as one sample.
    std::vector<double> cycles, instructions;
    for (const RegionSample& r : w.runs) {
        cycles.push_back(static_cast<double>(r.cycles));
        instructions.push_back(static_cast<double>(r.instructions));
    }
    j.begin_object("runs");
    j.value("count", static_cast<uint64_t>(w.runs.size()));
    j.begin_object("cycles");
    write_count_spread(j, cycles);
    if (options_.raw_samples) {
        j.begin_array("raw");
        for (const RegionSample& r : w.runs)
            j.value("", r.cycles);
        j.end_array();
    }
    j.end_object();
    j.begin_object("instructions");
    write_count_spread(j, instructions);
    j.end_object();
    j.end_object();
    j.end_object();
}

// irqlat's samples (timer ticks) as nanoseconds.
void Simulation::write_latency(JsonWriter& j) const {
    std::vector<uint64_t> ticks;
    if (firmware_)
        ticks = firmware_->samples();
    else
        for (auto& [vm, v] : hv_host_->samples())
            ticks.push_back(v);
    j.begin_object("irq_latency_ns");
    j.value("samples", static_cast<uint64_t>(ticks.size()));
    const double ns_per_tick = 1e9 / static_cast<double>(machine_->params().cntfrq);
    std::vector<double> ns;
    for (auto t : ticks)
        ns.push_back(static_cast<double>(t) * ns_per_tick);
    const Spread s = spread_of(ns);
    j.value("mean", s.mean);
    j.value("std", s.std);
    j.value("min", s.min);
    j.value("max", s.max);
    if (options_.raw_samples) {
        j.begin_array("raw");
        for (auto t : ticks)
            j.value("", static_cast<double>(t) * ns_per_tick);
        j.end_array();
    }
    j.end_object();
}

void Simulation::write_vm_stats(JsonWriter& j) const {
    j.begin_array("vms");
    if (hv_host_) {
        for (const HvVmReport& vm : hv_host_->vm_reports()) {
            j.begin_object();
            j.value("name", vm.name);
            j.begin_array("cores");
            for (unsigned c = 0; c < 64; ++c)
                if ((vm.cpus >> c) & 1)
                    j.value("", c);
            j.end_array();
            j.begin_array("colors");
            for (unsigned c = 0; c < 64; ++c)
                if ((vm.colors >> c) & 1)
                    j.value("", c);
            j.end_array();
            j.value("exit_reason", vm.exit_reason);
            j.value("exit_kind", vm.exit_kind);
            j.value("stage2_table_pages", vm.stage2_table_pages);
            j.value("recolor_bytes", vm.recolor_bytes);
            j.value("irqs_injected", vm.irqs_injected);
            j.value("distributor_traps", vm.distributor_traps);
            j.value("distributor_ignored", vm.distributor_ignored);
            j.end_object();
        }
    }
    j.end_array();
}

} // namespace sim

namespace sim {

std::string summary_table(const WorkloadSummary& w) {
    std::ostringstream s;
    char line[160];
    std::snprintf(line, sizeof line, "%-22s %-18s %14s %12s %14s %6s %8s %8s %8s %7s\n", "workload",
                  "scenario", "runtime_cyc", "runtime_ms", "instructions", "IPC", "L1D_miss",
                  "L2_miss", "DTLB_miss", "stall");
    s << line;
    std::snprintf(line, sizeof line,
                  "%-22s %-18s %14llu %12.3f %14llu %6.3f %7.2f%% %7.2f%% %8.4f%% %6.1f%%\n",
                  w.name.c_str(), w.scenario.c_str(),
                  static_cast<unsigned long long>(w.runtime_cycles), w.runtime_ns / 1e6,
                  static_cast<unsigned long long>(w.instructions), w.ipc(), 100 * w.l1d.rate(),
                  100 * w.l2.rate(), 100 * w.dtlb.rate(), 100 * w.mem_stall_share());
    s << line;
    if (!w.region_marked)
        s << "(the guest marked no measured region: figures are empty)\n";
    else if (!w.checksum_reported)
        s << "(the workload reported no checksum)\n";
    else
        s << "checksum_ok=" << (w.checksum_ok ? 1 : 0) << "\n";
    return s.str();
}

std::string summary_csv_header() {
    return "workload,scenario,runtime_cycles,runtime_ns,instructions,ipc,l1d_miss_rate,l2_miss_"
           "rate,"
           "l2_mpki,dtlb_miss_rate,mem_stall_share,checksum_ok\n";
}

std::string summary_csv_row(const WorkloadSummary& w) {
    char row[400];
    std::snprintf(
        row, sizeof row, "%s,%s,%llu,%.1f,%llu,%.6f,%.6f,%.6f,%.4f,%.8f,%.6f,%d\n", w.name.c_str(),
        w.scenario.c_str(), static_cast<unsigned long long>(w.runtime_cycles), w.runtime_ns,
        static_cast<unsigned long long>(w.instructions), w.ipc(), w.l1d.rate(), w.l2.rate(),
        w.mpki(w.l2), w.dtlb.rate(), w.mem_stall_share(), w.checksum_ok ? 1 : 0);
    return row;
}

} // namespace sim

namespace sim {

bool Simulation::checkpoint_due() const {
    const CheckpointAt& at = options_.checkpoint_at;
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
    s << "config " << config_.name << " " << hex(config_.hash) << "\n";
    for (const GuestImage& img : images_)
        s << "image " << hex(img.hash) << " " << img.file_size << "\n";
    const MachineParams& p = machine_->params();
    s << "platform " << p.platform << " cores " << p.cores << " ram " << p.ram_base << "+"
      << p.ram_size << " memory_model " << p.memory_model << " core "
      << static_cast<int>(p.core_model) << "\n";
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
      << "\n";
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
