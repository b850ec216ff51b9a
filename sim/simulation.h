// One simulation run from a configuration: builds the machine, loads the
// images, runs to an end condition, and reports statistics.
#pragma once

#include "sim/config.h"
#include "sim/firmware.h"
#include "sim/hv_host.h"
#include "sim/json.h"
#include "sim/loader.h"
#include "sim/machine.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sim {

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
    std::vector<std::string> guest_params; // INDEX=VALUE for the measured VM's guest
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
    Simulation(const RunOptions& options, std::ostream* console_out);
    ~Simulation();

    RunOutcome run();
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
    const HvHost* hv_host() const { return hv_host_.get(); }
    const NativeFirmware* firmware() const { return firmware_.get(); } // native mode
    const RunConfig& config() const { return config_; }

  private:
    void load_images();
    void watch_results(uint64_t cores);
    void watch_linux(const std::string& line);
    void write_vm_stats(JsonWriter& j) const;
    void write_workload(JsonWriter& j) const;
    void write_latency(JsonWriter& j) const;
    void check_native_marker(uint64_t at, const PhysicalMemory& ram) const;

    RunOptions options_;
    RunConfig config_;
    std::vector<GuestImage> images_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<NativeFirmware> firmware_; // native mode
    std::unique_ptr<HvHost> hv_host_;          // hv mode
    RunOutcome outcome_;
    double host_seconds_ = 0;
    std::chrono::steady_clock::time_point run_start_;
    std::optional<LinuxInit> linux_init_; // a measured Linux VM reached /init
    std::deque<std::string> console_tail_;
    bool checksum_ok_seen_ = false;  // the measured guest printed checksum_ok=1
    bool checksum_bad_seen_ = false; // ... or checksum_ok=0
};

} // namespace sim
