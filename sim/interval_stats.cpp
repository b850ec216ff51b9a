#include "sim/interval_stats.h"

#include "sim/error.h"
#include "sim/hv_host.h"
#include "sim/json.h"

#include <cstdio>

namespace sim {

namespace {

// Every counter, in the files' column order.
constexpr uint64_t IntervalCounters::*kFields[] = {
    &IntervalCounters::instructions,      &IntervalCounters::cycles,
    &IntervalCounters::idle_cycles,       &IntervalCounters::stall_cycles,
    &IntervalCounters::l1i_misses,        &IntervalCounters::l1d_accesses,
    &IntervalCounters::l1d_misses,        &IntervalCounters::l2_accesses,
    &IntervalCounters::l2_misses,         &IntervalCounters::dtlb_accesses,
    &IntervalCounters::dtlb_misses,       &IntervalCounters::mem_queue_cycles,
    &IntervalCounters::l2_queue_cycles,   &IntervalCounters::interrupts,
    &IntervalCounters::hv_traps,          &IntervalCounters::hv_irqs,
    &IntervalCounters::itlb_misses,       &IntervalCounters::walks,
    &IntervalCounters::walk_reads,        &IntervalCounters::walk_cache_hits,
    &IntervalCounters::walk_cycles,       &IntervalCounters::mem_reads,
    &IntervalCounters::mshr_stall_cycles, &IntervalCounters::stall_cycles_mem,
    &IntervalCounters::charged_cycles,    &IntervalCounters::hv_memory_cycles,
};
constexpr const char* kNames[] = {
    "instructions",      "cycles",
    "idle_cycles",       "stall_cycles",
    "l1i_misses",        "l1d_accesses",
    "l1d_misses",        "l2_accesses",
    "l2_misses",         "dtlb_accesses",
    "dtlb_misses",       "mem_queue_cycles",
    "l2_queue_cycles",   "interrupts",
    "hv_traps",          "hv_irqs",
    "itlb_misses",       "walks",
    "walk_reads",        "walk_cache_hits",
    "walk_cycles",       "mem_reads",
    "mshr_stall_cycles", "stall_cycles_mem",
    "charged_cycles",    "hv_memory_cycles",
};
static_assert(std::size(kFields) == std::size(kNames));

double ratio(uint64_t a, uint64_t b) {
    return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

// JsonWriter's layout on one line: its only raw newlines are layout (strings
// escape theirs), each followed by indentation.
std::string compact_line(const std::string& json) {
    std::string out;
    for (size_t k = 0; k < json.size(); ++k) {
        if (json[k] != '\n') {
            out += json[k];
            continue;
        }
        while (k + 1 < json.size() && json[k + 1] == ' ')
            ++k;
    }
    return out;
}

struct Derived {
    double ipc, l2_miss_rate, l2_mpki;
};

Derived derive(const IntervalCounters& c) {
    return {ratio(c.instructions, c.cycles), ratio(c.l2_misses, c.l2_accesses),
            1000.0 * ratio(c.l2_misses, c.instructions)};
}

} // namespace

IntervalCounters& IntervalCounters::operator+=(const IntervalCounters& o) {
    for (auto f : kFields)
        this->*f += o.*f;
    return *this;
}

IntervalCounters IntervalCounters::operator-(const IntervalCounters& o) const {
    IntervalCounters d;
    for (auto f : kFields)
        d.*f = this->*f - o.*f;
    return d;
}

IntervalStats::IntervalStats(Machine& machine, const HvHostBase* hv, std::vector<VmCores> vms,
                             const IntervalOptions& options)
    : machine_(machine), hv_(hv), vms_(std::move(vms)), length_(options.cycles),
      csv_(options.csv_path), jsonl_(options.jsonl_path), last_(machine.core_count()) {
    if (!csv_)
        throw InputError("--stats-interval: cannot write '" + options.csv_path + "'");
    if (!jsonl_)
        throw InputError("--stats-interval: cannot write '" + options.jsonl_path + "'");
    csv_ << "interval,start_cycle,end_cycle,end_ms,scope,name";
    for (const char* n : kNames)
        csv_ << ',' << n;
    csv_ << ",ipc,l2_miss_rate,l2_mpki\n";
    machine_.add_quantum_observer([this](uint64_t end) { on_quantum(end); });
}

IntervalCounters IntervalStats::read(unsigned core) const {
    const CoreStats s = machine_.stats(core);
    IntervalCounters c;
    c.instructions = s.instructions;
    c.cycles = s.cycles;
    c.idle_cycles = s.idle_cycles;
    c.stall_cycles = s.stall_cycles;
    c.interrupts = s.interrupts;
    if (const cache::Hierarchy* h = machine_.hierarchy()) {
        // With the memory controller's and the L2 port's queueing per core
        // (core_stats alone leaves those two at 0).
        const cache::CoreMemoryStats m = h->core_memory_stats(core);
        c.l1i_misses = m.l1i.misses;
        c.l1d_accesses = m.l1d.accesses;
        c.l1d_misses = m.l1d.misses;
        c.l2_accesses = m.l2.accesses;
        c.l2_misses = m.l2.misses;
        c.dtlb_accesses = m.dtlb.accesses;
        c.dtlb_misses = m.dtlb.misses;
        c.mem_queue_cycles = m.mem_queue_cycles;
        c.l2_queue_cycles = m.l2_queue_cycles;
        c.itlb_misses = m.itlb.misses;
        c.walks = m.walks;
        c.walk_reads = m.walk_reads;
        c.walk_cache_hits = m.walk_cache_hits;
        c.walk_cycles = m.walk_cycles;
        c.mem_reads = m.mem_reads;
        c.mshr_stall_cycles = m.mshr_stall_cycles;
        c.stall_cycles_mem = m.stall_cycles_mem;
    }
    c.charged_cycles = machine_.charged_cycles(core);
    if (hv_) {
        c.hv_traps = hv_->sync_traps(core);
        c.hv_irqs = hv_->irq_entries(core);
        c.hv_memory_cycles = hv_->memory_cycles(core);
    }
    return c;
}

void IntervalStats::on_quantum(uint64_t quantum_end) {
    if (quantum_end - last_end_ >= length_)
        close(quantum_end);
}

void IntervalStats::finish() {
    if (finished_)
        return;
    finished_ = true;
    // The last quantum closed an interval unless the run ended inside one.
    const uint64_t end = std::max(last_end_, machine_.global_cycles());
    bool moved = end > last_end_ || index_ == 0;
    for (unsigned c = 0; c < machine_.core_count() && !moved; ++c) {
        const IntervalCounters d = read(c) - last_[c];
        for (auto f : kFields)
            moved = moved || d.*f != 0;
    }
    if (moved)
        close(end);
    csv_.flush();
    jsonl_.flush();
}

namespace {

void csv_row(std::ostream& out, const IntervalCounters& c) {
    for (auto f : kFields)
        out << ',' << c.*f;
    const Derived d = derive(c);
    char buf[96];
    std::snprintf(buf, sizeof buf, ",%.6f,%.6f,%.4f\n", d.ipc, d.l2_miss_rate, d.l2_mpki);
    out << buf;
}

void json_counters(JsonWriter& j, const IntervalCounters& c) {
    for (size_t k = 0; k < std::size(kFields); ++k)
        j.value(kNames[k], c.*kFields[k]);
    const Derived d = derive(c);
    j.value("ipc", d.ipc);
    j.value("l2_miss_rate", d.l2_miss_rate);
    j.value("l2_mpki", d.l2_mpki);
}

} // namespace

void IntervalStats::close(uint64_t end) {
    const unsigned n = machine_.core_count();
    std::vector<IntervalCounters> delta(n);
    for (unsigned c = 0; c < n; ++c) {
        const IntervalCounters now = read(c);
        delta[c] = now - last_[c];
        last_[c] = now;
    }
    char head[128];
    const double end_ms =
        static_cast<double>(end) * 1e3 / static_cast<double>(machine_.params().core_hz);
    std::snprintf(
        head, sizeof head, "%llu,%llu,%llu,%.6f,", static_cast<unsigned long long>(index_),
        static_cast<unsigned long long>(last_end_), static_cast<unsigned long long>(end), end_ms);
    JsonWriter j;
    j.begin_object();
    j.value("interval", index_);
    j.value("start_cycle", last_end_);
    j.value("end_cycle", end);
    j.value("end_ms", end_ms);
    j.begin_array("cores");
    for (unsigned c = 0; c < n; ++c) {
        csv_ << head << "core," << c;
        csv_row(csv_, delta[c]);
        j.begin_object();
        j.value("core", c);
        json_counters(j, delta[c]);
        j.end_object();
    }
    j.end_array();
    j.begin_array("vms");
    for (const VmCores& vm : vms_) {
        IntervalCounters sum;
        for (unsigned c = 0; c < n; ++c)
            if ((vm.cores >> c) & 1)
                sum += delta[c];
        csv_ << head << "vm," << vm.name;
        csv_row(csv_, sum);
        j.begin_object();
        j.value("name", vm.name);
        json_counters(j, sum);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    jsonl_ << compact_line(j.str()) << '\n';
    last_end_ = end;
    ++index_;
}

} // namespace sim
