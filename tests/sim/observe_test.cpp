// The instruction trace (--trace) and the interval statistics
// (--stats-interval), docs/observability.md: the trace of a hand-written
// guest names the PCs it ran with their disassembly, issue cycles and the
// levels that served its accesses; the filters select what they say; the
// interval series sums to the run's totals; and neither changes a figure.
#include "guest_files.h"
#include "run_cli.h"

#include "sim/simulation.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace sim {
namespace {

// llvm-mc -triple=aarch64: loads and stores 4 lines with a 64-byte stride,
// loads a pair, then PSCI SYSTEM_OFF.
const std::vector<uint32_t> stride_guest = {
    0xd2a80201, // 0x00 mov x1, #0x40100000
    0xd2800002, // 0x04 mov x2, #0
    0xf8626823, // 0x08 ldr x3, [x1, x2]
    0xf8226822, // 0x0c str x2, [x1, x2]
    0x91010042, // 0x10 add x2, x2, #0x40
    0xf104005f, // 0x14 cmp x2, #0x100
    0x54ffff81, // 0x18 b.ne 0x08
    0xa9401424, // 0x1c ldp x4, x5, [x1]
    0x52800100, // 0x20 mov w0, #8
    0x72b08000, // 0x24 movk w0, #0x8400, lsl #16
    0xd4000002, // 0x28 hvc #0 (SYSTEM_OFF)
    0x14000000, // 0x2c b .
};
constexpr uint64_t base = 0x40000000;

struct Line {
    unsigned core = 0;
    std::string vm, el;
    uint64_t index = 0, cycle = 0, pc = 0, pa = 0;
    std::string word, text, accesses;
};

std::vector<Line> read_trace(const std::string& path) {
    std::ifstream f(path);
    std::vector<Line> lines;
    for (std::string s; std::getline(f, s);) {
        if (s.empty() || s[0] == '#')
            continue;
        std::istringstream in(s);
        Line l;
        std::string pc, pa;
        in >> l.core >> l.vm >> l.el >> l.index >> l.cycle >> pc >> pa >> l.word;
        l.pc = std::stoull(pc, nullptr, 16);
        l.pa = std::stoull(pa, nullptr, 16);
        std::string rest;
        std::getline(in, rest);
        const size_t semi = rest.find(" ; ");
        l.text = rest.substr(0, semi);
        l.text.erase(0, l.text.find_first_not_of(' '));
        if (semi != std::string::npos)
            l.accesses = rest.substr(semi + 3);
        lines.push_back(l);
    }
    return lines;
}

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / "bao-sim-tests" /
            (name + "-" + std::to_string(::getpid())))
        .string();
}

TEST(Trace, KnownGuestGivesItsPcsDisassemblyAndLevels) {
    const std::string image = test::write_raw_guest("trace-stride", stride_guest);
    const std::string trace = temp_path("stride.trace");
    const auto r = test::run_cli({"--image", image, "--cores", "1", "--trace", trace});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::vector<Line> lines = read_trace(trace);
    std::vector<uint64_t> expected_pcs = {0x00, 0x04};
    for (int k = 0; k < 4; ++k)
        for (uint64_t pc : {0x08, 0x0c, 0x10, 0x14, 0x18})
            expected_pcs.push_back(pc);
    for (uint64_t pc : {0x1c, 0x20, 0x24, 0x28})
        expected_pcs.push_back(pc);
    ASSERT_EQ(lines.size(), expected_pcs.size());
    for (size_t k = 0; k < lines.size(); ++k) {
        EXPECT_EQ(lines[k].pc, base + expected_pcs[k]) << "line " << k;
        EXPECT_EQ(lines[k].pa, lines[k].pc) << "native: PA = VA";
        EXPECT_EQ(lines[k].index, k);
        EXPECT_EQ(lines[k].core, 0u);
        EXPECT_EQ(lines[k].el, "EL1");
        if (k > 0) {
            EXPECT_GT(lines[k].cycle, lines[k - 1].cycle) << "one instruction per cycle at most";
        }
    }
    // The disassembly is Capstone's (Debian 12's Capstone 4 spells mov as movz).
    const std::map<uint64_t, std::string> text = {{0x00, "movz x1, #0x4010, lsl #16"},
                                                  {0x04, "movz x2, #0"},
                                                  {0x08, "ldr x3, [x1, x2]"},
                                                  {0x0c, "str x2, [x1, x2]"},
                                                  {0x10, "add x2, x2, #0x40"},
                                                  {0x14, "cmp x2, #0x100"},
                                                  {0x18, "b.ne #0x40000008"},
                                                  {0x1c, "ldp x4, x5, [x1]"},
                                                  {0x20, "movz w0, #0x8"},
                                                  {0x24, "movk w0, #0x8400, lsl #16"},
                                                  {0x28, "hvc #0"}};
    for (const Line& l : lines) {
        auto it = text.find(l.pc - base);
        ASSERT_NE(it, text.end());
        EXPECT_EQ(l.text, it->second) << std::hex << l.pc;
        EXPECT_EQ(std::stoul(l.word, nullptr, 16), stride_guest[(l.pc - base) / 4]);
    }
    // The first load of each line goes to memory; the store after it hits
    // the L1; LDP makes two accesses; ALU instructions make none.
    EXPECT_EQ(lines[2].accesses, "R8 0x40100000 mem");
    EXPECT_EQ(lines[3].accesses, "W8 0x40100000 L1");
    EXPECT_EQ(lines[7].accesses, "R8 0x40100040 mem");
    EXPECT_EQ(lines[22].accesses, "R8 0x40100000 L1, R8 0x40100008 L1");
    EXPECT_EQ(lines[4].accesses, "");
    // Flat model: one cycle per instruction plus the stalls of the
    // instructions before it, so the load's miss shows in the next issue.
    EXPECT_EQ(lines[1].cycle, lines[0].cycle + 1);
    EXPECT_GT(lines[3].cycle, lines[2].cycle + 20);
    EXPECT_EQ(lines[4].cycle, lines[3].cycle + 1);
}

TEST(Trace, A53IssueCyclesFollowThePipeline) {
    const std::string image = test::write_raw_guest("trace-a53", stride_guest);
    const std::string trace = temp_path("a53.trace");
    const auto r = test::run_cli({"--image", image, "--cores", "1", "--set", "core=a53", "--set",
                                  "memory_model=0", "--trace", trace});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::vector<Line> lines = read_trace(trace);
    ASSERT_EQ(lines.size(), 26u);
    // Dual issue: the two independent movs at 0x00 and 0x04 issue together,
    // as do the str and the add after it.
    EXPECT_EQ(lines[0].cycle, lines[1].cycle);
    EXPECT_EQ(lines[3].cycle, lines[4].cycle);
    for (size_t k = 1; k < lines.size(); ++k) {
        EXPECT_GE(lines[k].cycle, lines[k - 1].cycle);
    }
    // The loop's branch back is mispredicted at first: the load after it
    // waits the penalty.
    EXPECT_GE(lines[7].cycle, lines[6].cycle + 8);
    EXPECT_EQ(lines[2].accesses, "R8 0x40100000 -") << "no memory model: level unknown";
}

TEST(Trace, FiltersSelectWhatTheySay) {
    const std::string image = test::write_raw_guest("trace-filter", stride_guest);
    const std::string trace = temp_path("filter.trace");
    auto r = test::run_cli({"--image", image, "--cores", "1", "--trace", trace, "--trace-pc",
                            "0x40000008-0x4000000c", "--trace-insns", "5-100"});
    ASSERT_EQ(r.code, 0) << r.err;
    std::vector<Line> lines = read_trace(trace);
    // str/ldr of iterations 2-4 (numbers 7, 8, 12, 13, 17, 18); 2 and 3 are before FROM.
    ASSERT_EQ(lines.size(), 6u);
    for (const Line& l : lines) {
        EXPECT_TRUE(l.pc == base + 8 || l.pc == base + 0xc);
        EXPECT_GE(l.index, 5u);
    }
    // Block mode: one line per block, its instruction count.
    r = test::run_cli(
        {"--image", image, "--cores", "1", "--trace", trace, "--trace-mode", "block"});
    ASSERT_EQ(r.code, 0) << r.err;
    std::ifstream f(trace);
    std::vector<std::pair<uint64_t, unsigned>> blocks;
    for (std::string s; std::getline(f, s);) {
        if (s[0] == '#')
            continue;
        std::istringstream in(s);
        std::string core, vm, el, index, cycle, pc, pa;
        unsigned insns = 0;
        in >> core >> vm >> el >> index >> cycle >> pc >> pa >> insns;
        blocks.emplace_back(std::stoull(pc, nullptr, 16) - base, insns);
    }
    ASSERT_GE(blocks.size(), 3u);
    EXPECT_EQ(blocks.front().first, 0u);
    unsigned total = 0;
    for (auto& [pc, n] : blocks)
        total += n;
    EXPECT_EQ(total, 26u);
}

TEST(Trace, VmAndCoreFiltersPickCores) {
    const std::string trace = temp_path("vm.trace");
    // interf: the benchmark VM on core 0, two interference VMs after it.
    auto r = test::run_cli({"--config", "interf", "--workload", "hello", "--trace", trace,
                            "--trace-mode", "block", "--trace-vm", "1"});
    ASSERT_EQ(r.code, 0) << r.err;
    std::set<std::string> vms, cores;
    std::ifstream f(trace);
    for (std::string s; std::getline(f, s);) {
        if (s[0] == '#')
            continue;
        std::istringstream in(s);
        std::string core, vm;
        in >> core >> vm;
        cores.insert(core);
        vms.insert(vm);
    }
    EXPECT_EQ(vms.size(), 1u);
    EXPECT_EQ(vms.count("bench"), 0u) << "VM 1 is an interference VM";
    EXPECT_EQ(cores.count("0"), 0u);
    r = test::run_cli(
        {"--config", "interf", "--workload", "hello", "--trace", trace, "--trace-vm", "nosuchvm"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--trace-vm: no VM 'nosuchvm'"), std::string::npos) << r.err;
    // RISC-V: raw words (Debian's Capstone has no RISC-V), S-mode.
    r = test::run_cli({"--platform", "qemu-riscv64-virt", "--workload", "hello", "--trace", trace,
                       "--trace-core", "0", "--trace-insns", "0-9"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::vector<Line> rv = read_trace(trace);
    ASSERT_EQ(rv.size(), 10u);
    for (size_t k = 0; k < rv.size(); ++k) {
        EXPECT_EQ(rv[k].el, "S");
        EXPECT_EQ(rv[k].index, k);
        EXPECT_EQ(rv[k].text, "");
        EXPECT_EQ(std::stoul(rv[k].word, nullptr, 16) & 3, 3u) << "a 32-bit RISC-V encoding";
    }
    r = test::run_cli({"--image", "x", "--trace-core", "0"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("give --trace FILE"), std::string::npos) << r.err;
    r = test::run_cli(
        {"--cores", "2", "--workload", "hello", "--trace", trace, "--trace-core", "5"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("core 5 does not exist"), std::string::npos) << r.err;
}

// Statistics without the volatile host figures.
std::string stable_stats(const Simulation& s) {
    return test::without_host_figures(s.stats_json());
}

RunOptions interf_run(const std::string& workload) {
    RunOptions o;
    o.config = "interf";
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    o.max_insns = 1'000'000;
    return o;
}

TEST(Observe, TracingAndIntervalsChangeNoFigure) {
    RunOptions plain = interf_run("qsort-small");
    Simulation a(plain, nullptr);
    a.run();
    // Every instruction of the benchmark VM, every block of the others.
    RunOptions observed = plain;
    observed.trace.path = temp_path("same.trace");
    observed.trace.vms = {"bench"};
    observed.intervals.cycles = 200'000;
    observed.intervals.csv_path = temp_path("same.csv");
    observed.intervals.jsonl_path = temp_path("same.jsonl");
    Simulation b(observed, nullptr);
    b.run();
    EXPECT_GT(b.trace_records(), 100'000u);
    EXPECT_EQ(stable_stats(a), stable_stats(b));
    observed.trace.vms = {"interf1", "interf2"};
    observed.trace.blocks = true;
    Simulation c(observed, nullptr);
    c.run();
    EXPECT_GT(c.trace_records(), 10'000u);
    EXPECT_EQ(stable_stats(a), stable_stats(c));
    std::filesystem::remove(observed.trace.path);
}

// The statistics without the one object `key` (balanced braces).
std::string without_object(std::string j, const std::string& key) {
    const size_t key_at = j.find("\"" + key + "\"");
    if (key_at == std::string::npos)
        return j;
    const size_t at = j.rfind(',', key_at); // with the separator before it
    size_t k = j.find('{', key_at);
    for (int depth = 0; k < j.size(); ++k) {
        depth += j[k] == '{' ? 1 : j[k] == '}' ? -1 : 0;
        if (depth == 0)
            break;
    }
    return j.erase(at, k + 1 - at);
}

// --irq-breakdown: every interrupt of irqlat is split into hv's code, hv's
// data and GIC accesses, and the guest up to its sample hypercall; hv's part
// fits in the latency the guest measured, and the option changes no figure.
TEST(Observe, IrqBreakdownSplitsEachInterruptAndChangesNoFigure) {
    RunOptions plain = interf_run("irqlat");
    plain.max_insns = 0;
    plain.guest_params = {"0=5", "1=200"};
    Simulation a(plain, nullptr);
    ASSERT_EQ(a.run().code, ExitCode::ok);
    RunOptions observed = plain;
    observed.irq_breakdown = true;
    Simulation b(observed, nullptr);
    ASSERT_EQ(b.run().code, ExitCode::ok);
    const std::string with = stable_stats(b);
    EXPECT_NE(with.find("\"irq_breakdown\""), std::string::npos);
    EXPECT_EQ(stable_stats(a), without_object(with, "irq_breakdown"));
    const IrqBreakdownLog& log = b.hv_host_base()->irq_breakdown();
    const auto& samples = b.hv_host_base()->samples();
    ASSERT_EQ(samples.size(), 5u);
    ASSERT_EQ(log.records().size(), 5u);
    const MachineParams& m = b.machine().params();
    const uint64_t cycles_per_tick = m.core_hz / m.cntfrq; // 12 cycles a tick
    for (size_t k = 0; k < 5; ++k) {
        const IrqBreakdown& r = log.records()[k];
        EXPECT_EQ(r.sample, k);
        EXPECT_EQ(r.extra_irqs, 0u);
        // The probe evicts hv's code from the L1 I between interrupts.
        EXPECT_GT(r.after_code.l1i_misses, r.at_irq.l1i_misses);
        // hv's instructions and code, then its data: in that order, before the guest.
        EXPECT_GE(r.after_code.cycle - r.at_irq.cycle, m.hv_irq_insns);
        EXPECT_GE(r.at_eret.cycle, r.after_code.cycle);
        EXPECT_GT(r.at_guest_trap.cycle, r.at_eret.cycle);
        // The signal and hv's path are part of what the guest measured.
        const uint64_t hv_cycles = m.gic_signal_cycles + (r.at_eret.cycle - r.at_irq.cycle);
        EXPECT_LE(hv_cycles, samples[k].second * cycles_per_tick + cycles_per_tick);
    }
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
    std::ifstream f(path);
    std::string header;
    std::getline(f, header);
    std::vector<std::string> names;
    std::stringstream h(header);
    for (std::string n; std::getline(h, n, ',');)
        names.push_back(n);
    std::vector<std::map<std::string, std::string>> rows;
    for (std::string line; std::getline(f, line);) {
        std::stringstream l(line);
        std::map<std::string, std::string> row;
        size_t k = 0;
        for (std::string v; std::getline(l, v, ',') && k < names.size(); ++k)
            row[names[k]] = v;
        rows.push_back(row);
    }
    return rows;
}

TEST(Intervals, SeriesSumsToTheRunsTotals) {
    // irqlat: the benchmark VM takes 5 timer interrupts through hv, 200 us apart.
    RunOptions o = interf_run("irqlat");
    o.max_insns = 0;
    o.guest_params = {"0=5", "1=200"};
    o.intervals.cycles = 100'000;
    o.intervals.csv_path = temp_path("sum.csv");
    o.intervals.jsonl_path = temp_path("sum.jsonl");
    Simulation s(o, nullptr);
    ASSERT_EQ(s.run().code, ExitCode::ok);
    const auto rows = read_csv(o.intervals.csv_path);
    const Machine& m = s.machine();
    std::map<unsigned, std::map<std::string, uint64_t>> sum;
    std::map<std::string, std::map<std::string, uint64_t>> vm_sum;
    std::map<uint64_t, std::pair<uint64_t, uint64_t>> spans; // interval -> start, end
    for (const auto& row : rows) {
        if (row.at("scope") == "core") {
            auto& c = sum[static_cast<unsigned>(std::stoul(row.at("name")))];
            for (const char* k :
                 {"instructions", "cycles", "idle_cycles", "stall_cycles", "l1d_misses",
                  "l2_misses", "dtlb_misses", "mem_queue_cycles", "interrupts", "hv_traps",
                  "hv_irqs", "walks", "walk_reads", "walk_cycles", "stall_cycles_mem",
                  "charged_cycles", "hv_memory_cycles"})
                c[k] += std::stoull(row.at(k));
        } else {
            vm_sum[row.at("name")]["instructions"] += std::stoull(row.at("instructions"));
        }
        const std::pair<uint64_t, uint64_t> span{std::stoull(row.at("start_cycle")),
                                                 std::stoull(row.at("end_cycle"))};
        auto [it, fresh] = spans.emplace(std::stoull(row.at("interval")), span);
        EXPECT_EQ(it->second, span) << "one span per interval";
    }
    const uint64_t intervals = spans.size();
    uint64_t last_end = 0;
    for (const auto& [index, span] : spans) {
        EXPECT_EQ(span.first, last_end) << "intervals are contiguous: " << index;
        EXPECT_GT(span.second, span.first);
        // Intervals end on quantum boundaries (all but the run's end).
        if (index + 1 < intervals) {
            EXPECT_EQ(span.second % m.params().quantum_cycles, 0u);
            EXPECT_GE(span.second - span.first, o.intervals.cycles);
        }
        last_end = span.second;
    }
    EXPECT_GT(intervals, 10u);
    EXPECT_EQ(last_end, m.global_cycles());
    uint64_t interrupts = 0, traps = 0, irqs = 0;
    for (unsigned c = 0; c < m.core_count(); ++c) {
        const CoreStats cs = m.stats(c);
        const cache::CoreMemoryStats ms = m.hierarchy()->stats().cores[c];
        EXPECT_EQ(sum[c]["instructions"], cs.instructions) << "core " << c;
        EXPECT_EQ(sum[c]["cycles"], cs.cycles) << "core " << c;
        EXPECT_EQ(sum[c]["idle_cycles"], cs.idle_cycles) << "core " << c;
        EXPECT_EQ(sum[c]["stall_cycles"], cs.stall_cycles) << "core " << c;
        EXPECT_EQ(sum[c]["l1d_misses"], ms.l1d.misses) << "core " << c;
        EXPECT_EQ(sum[c]["l2_misses"], ms.l2.misses) << "core " << c;
        EXPECT_EQ(sum[c]["dtlb_misses"], ms.dtlb.misses) << "core " << c;
        EXPECT_EQ(sum[c]["mem_queue_cycles"], ms.mem_queue_cycles) << "core " << c;
        EXPECT_EQ(sum[c]["hv_traps"], s.hv_host()->sync_traps(c)) << "core " << c;
        EXPECT_EQ(sum[c]["hv_irqs"], s.hv_host()->irq_entries(c)) << "core " << c;
        EXPECT_EQ(sum[c]["walks"], ms.walks) << "core " << c;
        EXPECT_EQ(sum[c]["walk_reads"], ms.walk_reads) << "core " << c;
        EXPECT_EQ(sum[c]["walk_cycles"], ms.walk_cycles) << "core " << c;
        EXPECT_EQ(sum[c]["stall_cycles_mem"], ms.stall_cycles_mem) << "core " << c;
        EXPECT_EQ(sum[c]["charged_cycles"], m.charged_cycles(c)) << "core " << c;
        EXPECT_EQ(sum[c]["hv_memory_cycles"], s.hv_host()->memory_cycles(c)) << "core " << c;
        // hv's own memory stalls are part of what it charged, and of the
        // hierarchy's stalls; what hv charged is part of the core's stalls.
        EXPECT_LE(sum[c]["hv_memory_cycles"], sum[c]["charged_cycles"]) << "core " << c;
        EXPECT_LE(sum[c]["hv_memory_cycles"], sum[c]["stall_cycles_mem"]) << "core " << c;
        EXPECT_LE(sum[c]["charged_cycles"], sum[c]["stall_cycles"]) << "core " << c;
        interrupts += sum[c]["interrupts"];
        traps += sum[c]["hv_traps"];
        irqs += sum[c]["hv_irqs"];
    }
    EXPECT_GT(traps, 0u);
    EXPECT_GT(sum[0]["charged_cycles"], sum[0]["hv_memory_cycles"]) << "hv's paths cost core 0";
    EXPECT_GT(sum[0]["walks"], 0u) << "stage 2 is walked";
    EXPECT_GT(sum[1]["mem_queue_cycles"] + sum[2]["mem_queue_cycles"], 0u)
        << "the streaming cores queue at the memory controller";
    EXPECT_EQ(irqs, 5u) << "hv takes the timer's interrupts";
    EXPECT_EQ(interrupts, 5u) << "and raises the guest's line for each";
    // Each VM's row is the sum of its cores'.
    for (const VmCores& vm : s.vm_cores()) {
        uint64_t insns = 0;
        for (unsigned c = 0; c < m.core_count(); ++c)
            if ((vm.cores >> c) & 1)
                insns += m.stats(c).instructions;
        EXPECT_EQ(vm_sum[vm.name]["instructions"], insns) << vm.name;
    }
    // One JSON line per interval, with every core and VM.
    std::ifstream jl(o.intervals.jsonl_path);
    uint64_t json_lines = 0;
    for (std::string line; std::getline(jl, line); ++json_lines) {
        EXPECT_EQ(line.rfind("{\"interval\": " + std::to_string(json_lines) + ",", 0), 0u)
            << line.substr(0, 80);
        EXPECT_NE(line.find("\"vms\": [{\"name\": \"bench\""), std::string::npos);
    }
    EXPECT_EQ(json_lines, intervals);
}

TEST(Intervals, FileNamesComeFromAnOptionOrTheStatsFile) {
    const std::string image = test::write_raw_guest("intervals-names", stride_guest);
    const std::string stats = temp_path("named") + ".json";
    auto r = test::run_cli(
        {"--image", image, "--cores", "1", "--stats-interval", "1000", "--stats-json", stats});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string base = stats.substr(0, stats.size() - 5) + ".intervals";
    EXPECT_TRUE(std::filesystem::exists(base + ".csv"));
    EXPECT_TRUE(std::filesystem::exists(base + ".jsonl"));
    const std::string out = temp_path("explicit");
    r = test::run_cli({"--image", image, "--cores", "1", "--stats-interval", "1000",
                       "--stats-interval-out", out});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto rows = read_csv(out + ".csv");
    ASSERT_EQ(rows.size(), 2u) << "one interval: one core row and one VM row";
    EXPECT_EQ(rows[0].at("instructions"), "26");
    r = test::run_cli({"--image", image, "--stats-interval", "1000"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("say where the series goes"), std::string::npos) << r.err;
    r = test::run_cli({"--image", image, "--stats-interval", "0", "--stats-interval-out", out});
    EXPECT_EQ(r.code, 2);
}

} // namespace
} // namespace sim
