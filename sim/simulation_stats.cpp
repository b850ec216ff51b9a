// The run's statistics: the stats file's JSON (docs/stats.md), the measured
// workload's summary, and the end-of-run table and CSV row.
#include "sim/simulation.h"

#include "sim/hv_code.h"
#include "sim/version.h"

#include <cmath>
#include <filesystem>
#include <sstream>

namespace sim {
namespace {

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

// One measured-region mark: who set it (the core natively, the VM under hv),
// which end, and when.
void write_mark(JsonWriter& j, const char* who_key, uint64_t who, bool end, uint64_t cycle) {
    j.begin_object();
    j.value(who_key, who);
    j.value("kind", end ? "end" : "start");
    j.value("cycle", cycle);
    j.end_object();
}

// The bits set in `mask` (cores, colors), as an array of their numbers.
void write_bit_list(JsonWriter& j, const std::string& key, uint64_t mask) {
    j.begin_array(key);
    for (unsigned bit = 0; bit < 64; ++bit)
        if ((mask >> bit) & 1)
            j.value("", bit);
    j.end_array();
}

} // namespace

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
    j.value("config_hash", hex16(config_.hash));
    j.value("mode", config_.hv.mode == hv::Mode::Native ? "native" : "hv");
    j.value("platform", config_.machine.platform);
    j.begin_array("images");
    for (auto& img : images_) {
        j.begin_object();
        j.value("path", std::filesystem::path(img.path).filename().string());
        j.value("hash", hex16(img.hash));
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
    // The layout in effect, when measured (the AArch64 default; absent means spread).
    if (hv_code_layout_in_effect(m.params()) == HvCodeLayoutKind::measured)
        j.value("hv.code_layout", "measured");
    // Likewise: absent means off.
    if (m.params().wfi_through_stage1)
        j.value("wfi_through_stage1", true);
    if (m.params().region_cores == RegionCores::vm)
        j.value("region_cores", "vm");
    // Likewise: absent means serial. Host threads never change a figure.
    if (m.params().scheduler == Scheduler::parallel) {
        j.value("scheduler", "parallel");
        j.value("threads", m.params().threads);
        // The host's cost of moving a cache line between its cores, which
        // the threads' speed depends on (docs/parallel.md).
        if (m.host_round_trip_ns() > 0)
            j.value("host_core_round_trip_ns",
                    static_cast<uint64_t>(std::llround(m.host_round_trip_ns())));
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
        if (m.params().fast_forward.uncounted) // only with it: earlier stats keep their keys
            j.value("uncounted", true);
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
        for (auto& mk : firmware_->marks())
            write_mark(j, "core", mk.core, mk.end, mk.cycle);
    } else {
        for (auto& mk : hv_host_->marks())
            write_mark(j, "vm", mk.vm, mk.end, mk.cycle);
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

// The spread of some samples: counts (cycles, instructions) in whole units
// (JSON doubles keep 6 digits), other figures (nanoseconds) as they are.
enum class Units { whole, exact };
void write_spread(JsonWriter& j, const std::vector<double>& xs, Units units) {
    const Spread s = spread_of(xs);
    const std::pair<const char*, double> figures[] = {
        {"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}};
    for (const auto& [key, v] : figures) {
        if (units == Units::whole)
            j.value(key, static_cast<uint64_t>(std::llround(v)));
        else
            j.value(key, v);
    }
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
    write_spread(j, cycles, Units::whole);
    if (options_.raw_samples) {
        j.begin_array("raw");
        for (const RegionSample& r : w.runs)
            j.value("", r.cycles);
        j.end_array();
    }
    j.end_object();
    j.begin_object("instructions");
    write_spread(j, instructions, Units::whole);
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
    write_spread(j, ns, Units::exact);
    if (options_.raw_samples) {
        j.begin_array("raw");
        for (auto t : ticks)
            j.value("", static_cast<double>(t) * ns_per_tick);
        j.end_array();
    }
    j.end_object();
    if (hv_host_ && hv_host_->irq_breakdown().on())
        hv_host_->irq_breakdown().write(j);
}

void Simulation::write_vm_stats(JsonWriter& j) const {
    j.begin_array("vms");
    if (hv_host_) {
        for (const HvVmReport& vm : hv_host_->vm_reports()) {
            j.begin_object();
            j.value("name", vm.name);
            write_bit_list(j, "cores", vm.cpus);
            write_bit_list(j, "colors", vm.colors);
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
