// The instruction trace (--trace FILE, docs/observability.md): one line per
// instruction a selected core issued (or per basic block with --trace-mode
// block), written by a TraceWriter the selected cores report to. Cores that
// no filter selects get no trace hooks at all.
#pragma once

#include "sim/cpu/trace_port.h"
#include "sim/machine.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace sim {

// Which cores a VM runs on (native mode: the one guest on every core).
struct VmCores {
    std::string name;
    uint64_t cores = 0; // bit i: core i
};

struct TraceOptions {
    std::string path;                           // --trace FILE; empty: no trace
    bool blocks = false;                        // --trace-mode block
    std::vector<std::string> vms;               // --trace-vm: names or indices (empty: every VM)
    std::vector<unsigned> cores;                // --trace-core (empty: every core)
    uint64_t pc_lo = 0, pc_hi = UINT64_MAX;     // --trace-pc LO-HI (inclusive)
    uint64_t insn_lo = 0, insn_hi = UINT64_MAX; // --trace-insns FROM-TO (inclusive)
    bool enabled() const { return !path.empty(); }
};

// "LO-HI" (either end may be left out: "LO-" or "-HI"), numbers as
// parse_size reads them. Throws InputError naming `option`.
std::pair<uint64_t, uint64_t> parse_trace_range(const std::string& text, const std::string& option);
// "0,2,3" or "bench,interf1". Throws InputError on an empty item.
std::vector<std::string> split_list(const std::string& text, const std::string& option);

class TraceWriter final : public cpu::TraceSink {
  public:
    // `vm_of_core[i]`: the name printed for core i. `riscv`: privilege
    // levels print as U and S instead of EL0 and EL1.
    TraceWriter(const std::string& path, bool blocks, std::vector<std::string> vm_of_core,
                bool riscv = false);
    void on_insn(unsigned core, const cpu::TracedInsn& insn) override;
    void on_block(unsigned core, const cpu::TracedBlock& block) override;
    uint64_t records() const { return records_; }
    void flush() { out_.flush(); }

  private:
    std::string level(uint8_t el) const;

    std::ofstream out_;
    std::vector<std::string> vm_of_core_;
    bool riscv_ = false;
    uint64_t records_ = 0;
};

// Attaches a TraceWriter to every core the options select. Throws
// InputError for a VM or core that does not exist, a filter that selects no
// core, or a core model that cannot trace.
std::unique_ptr<TraceWriter> start_trace(Machine& machine, const TraceOptions& options,
                                         const std::vector<VmCores>& vms);

} // namespace sim
