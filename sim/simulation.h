// One simulation run from a configuration: builds the machine, loads the
// images, runs to an end condition, and reports statistics.
#pragma once

#include "sim/config.h"
#include "sim/firmware.h"
#include "sim/hv_host.h"
#include "sim/interval_stats.h"
#include "sim/json.h"
#include "sim/loader.h"
#include "sim/machine.h"
#include "sim/trace.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sim {

// --checkpoint-at (docs/checkpoints.md): the first quantum boundary after the
// measured VM's first start mark, after N instructions in all, or after the
// measured VM's console printed a line containing RunOptions::console_text.
// --console-input-at takes the same points (none there: from the start).
struct CheckpointAt {
    enum class When { none, mark, insns, console };
    When when = When::none;
    uint64_t insns = 0;
};

// --console-input (docs/linux.md, "One boot, many jobs"): characters typed on
// the measured VM's console (its UART's receiver: the VM's virtual PL011
// under hv, the PL011 natively), offered at each quantum boundary from the
// point `at` on, as many as the receive FIFO takes.
struct ConsoleInput {
    std::string bytes;
    CheckpointAt at;
};

struct RunOptions {
    std::string config = "native";
    std::string platform;          // --platform (empty: the config's, by default qemu-aarch64-virt)
    std::string workload;          // replaces the measured VM's image
    std::string image;             // FILE[@ADDR], replaces the measured VM's image
    std::optional<unsigned> cores; // native mode only
    uint64_t max_insns = 0;
    std::optional<uint64_t> max_ns; // --max-seconds, in ns: replaces the config's max_seconds
    std::vector<std::string> sets;  // key=value model overrides
    std::string workloads_dir;      // where <name>.elf guests are
    bool raw_samples = false;       // stats: include every latency sample
    bool irq_breakdown = false;     // stats: each interrupt's phases (sim/irq_breakdown.h)
    std::vector<std::string> guest_params; // INDEX=VALUE for the measured VM's guest
    FastForward fast_forward;              // --fast-forward, --warmup-insns
    TraceOptions trace;                    // --trace (docs/observability.md)
    IntervalOptions intervals;             // --stats-interval
    CheckpointAt checkpoint_at;            // --checkpoint-at
    std::string checkpoint_out;            // --checkpoint-out FILE
    std::string restore;                   // --restore FILE: continue from a checkpoint
    bool checkpoint_exit = false;          // --checkpoint-exit: end the run once saved
    ConsoleInput console_input;            // --console-input, --console-input-at
    std::string console_text; // the console:TEXT point's text (one per run, for both options)
    unsigned threads =
        0; // --threads: the parallel scheduler on this many host threads (0: not given)
};

// The measured workload's figures over its measured region.
// A measured Linux VM's boot: when the kernel started /init (docs/linux.md).
struct LinuxInit {
    uint64_t instructions = 0; // all cores', from reset
    uint64_t cycles = 0;       // the global clock
    double host_seconds = 0;
};

struct WorkloadSummary {
    struct Counter {
        uint64_t accesses = 0, misses = 0;
        double rate() const {
            return accesses ? static_cast<double>(misses) / static_cast<double>(accesses) : 0.0;
        }
    };
    std::string name, vm, scenario;
    bool region_marked = false;
    uint64_t runtime_cycles = 0;
    double runtime_ns = 0;
    uint64_t instructions = 0;
    Counter l1d, l2, dtlb;
    uint64_t stall_cycles_mem = 0;
    bool checksum_ok = false, checksum_reported = false;
    // One per start/end mark pair: the measured runs inside the region.
    std::vector<RegionSample> runs;

    double ipc() const {
        return runtime_cycles
                   ? static_cast<double>(instructions) / static_cast<double>(runtime_cycles)
                   : 0.0;
    }
    double mpki(const Counter& c) const {
        return instructions
                   ? static_cast<double>(c.misses) * 1000.0 / static_cast<double>(instructions)
                   : 0.0;
    }
    double mem_stall_share() const {
        return runtime_cycles
                   ? static_cast<double>(stall_cycles_mem) / static_cast<double>(runtime_cycles)
                   : 0.0;
    }
};

// The end-of-run table (stdout) and the one-row CSV (--stats-csv).
std::string summary_table(const WorkloadSummary& w);
std::string summary_csv_header();
std::string summary_csv_row(const WorkloadSummary& w);

class Simulation {
  public:
    // `log`: the run's loggers (sim/log.h; by default all off).
    Simulation(const RunOptions& options, std::ostream* console_out, const Loggers& log = {});
    ~Simulation();

    // Runs to an end condition; with options.restore, from that checkpoint on.
    RunOutcome run();
    // What a checkpoint must match to be restored here: the config, the
    // images, the model parameters and the fast-forward options.
    uint64_t checkpoint_identity() const;
    // The whole machine now (between quanta) into `path`, or back from it.
    void save_checkpoint(const std::string& path);
    void restore_checkpoint(const std::string& path);
    // Where --checkpoint-at saved (instructions, cycle), once it did.
    std::optional<std::pair<uint64_t, uint64_t>> checkpoint_taken() const { return saved_at_; }
    // The stats file's JSON (docs/stats.md); call after run().
    std::string stats_json() const;
    WorkloadSummary workload_summary() const;
    const std::optional<LinuxInit>& linux_init() const { return linux_init_; }
    // The measured guest's last console lines (at most kConsoleTailLines),
    // for the report of a run that ended without powering off.
    const std::deque<std::string>& console_tail() const { return console_tail_; }
    static constexpr size_t kConsoleTailLines = 12;
    // The measured VM boots a Linux kernel (config `kernel`).
    bool measured_is_linux() const;

    Machine& machine() { return *machine_; }
    // hv mode: the Armv8-A host (nullptr on another architecture), and any architecture's.
    const HvHost* hv_host() const { return dynamic_cast<const HvHost*>(hv_host_.get()); }
    const HvHostBase* hv_host_base() const { return hv_host_.get(); }
    const NativeFirmware* firmware() const { return firmware_.get(); } // native mode
    const RunConfig& config() const { return config_; }
    // Each VM's (native: each core's) name and state now, e.g. "bench running,
    // interf0 idle" (the progress line, sim/progress.h).
    std::string vm_states() const;
    // Each VM's name and cores (native mode: the measured guest on every core).
    std::vector<VmCores> vm_cores() const;
    // Trace records written (0 without --trace).
    uint64_t trace_records() const { return trace_ ? trace_->records() : 0; }

  private:
    void load_images();
    void watch_results(uint64_t cores);
    void watch_linux(const std::string& line);
    void write_vm_stats(JsonWriter& j) const;
    void write_workload(JsonWriter& j) const;
    void write_latency(JsonWriter& j) const;
    void check_native_marker(uint64_t at, const PhysicalMemory& ram) const;
    void log_config() const;
    void log_memory_map() const;
    void start_observers();
    void checkpoint(Archive& a);
    bool checkpoint_due() const;
    bool reached(const CheckpointAt& point) const;
    void watch_console_point(const std::string& line);
    // Offers what is left of --console-input to the measured VM's UART once
    // its point is reached (between quanta).
    void feed_console_input();

    Loggers log_; // first: loading the config logs
    RunOptions options_;
    RunConfig config_;
    std::vector<GuestImage> images_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<NativeFirmware> firmware_; // native mode
    std::unique_ptr<HvHostBase> hv_host_;      // hv mode
    std::unique_ptr<TraceWriter> trace_;       // --trace
    std::unique_ptr<IntervalStats> intervals_; // --stats-interval
    RunOutcome outcome_;
    double host_seconds_ = 0;
    std::chrono::steady_clock::time_point run_start_;
    std::optional<LinuxInit> linux_init_; // a measured Linux VM reached /init
    std::deque<std::string> console_tail_;
    bool checksum_ok_seen_ = false;  // the measured guest printed checksum_ok=1
    bool checksum_bad_seen_ = false; // ... or checksum_ok=0
    std::optional<std::pair<uint64_t, uint64_t>> saved_at_;
    // The console text a point waits for (one per run), once printed; and
    // how much of --console-input the UART has taken. Both are checkpointed.
    std::string console_point_;
    bool console_point_seen_ = false;
    uint64_t console_fed_ = 0;
};

} // namespace sim
