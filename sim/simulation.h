// One simulation run from a configuration: builds the machine, loads the
// images, runs to an end condition, and reports statistics.
#pragma once

#include "sim/config.h"
#include "sim/firmware.h"
#include "sim/hv_host.h"
#include "sim/json.h"
#include "sim/loader.h"
#include "sim/machine.h"

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sim {

struct RunOptions {
    std::string config = "native";
    std::string workload;                 // replaces the measured VM's image
    std::string image;                    // FILE[@ADDR], replaces the measured VM's image
    std::optional<unsigned> cores;        // native mode only
    uint64_t max_insns = 0;
    std::vector<std::string> sets;        // key=value model overrides
    std::string workloads_dir;            // where <name>.elf guests are
    bool raw_samples = false;             // stats: include every latency sample
    std::vector<std::string> guest_params; // INDEX=VALUE for the measured VM's guest
};

class Simulation {
  public:
    Simulation(const RunOptions& options, std::ostream* console_out);
    ~Simulation();

    RunOutcome run();
    // The stats file's JSON (docs/stats.md); call after run().
    std::string stats_json() const;

    Machine& machine() { return *machine_; }
    const HvHost* hv_host() const { return hv_host_.get(); }
    const RunConfig& config() const { return config_; }

  private:
    void load_images();
    void write_vm_stats(JsonWriter& j) const;
    void write_workload(JsonWriter& j) const;
    void write_latency(JsonWriter& j) const;

    RunOptions options_;
    RunConfig config_;
    std::vector<GuestImage> images_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<NativeFirmware> firmware_; // native mode
    std::unique_ptr<HvHost> hv_host_;          // hv mode
    RunOutcome outcome_;
    double host_seconds_ = 0;
};

} // namespace sim
