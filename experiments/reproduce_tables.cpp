// `bao-sim reproduce`: the tables from the runs' stats files (the verdicts on
// the paper's conclusions are reproduce_verdicts.cpp's).
#include "experiments/reproduce_internal.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace repro::detail {

namespace {

std::vector<SlocRow> sloc_rows(const fs::path& hv) {
    std::set<std::string> dirs;
    for (const auto& e : fs::directory_iterator(hv))
        if (e.is_directory() && e.path().filename() != "cmake")
            dirs.insert(e.path().filename().string());
    std::vector<SlocRow> rows;
    for (const auto& d : dirs) {
        SlocRow row{"hv/" + d, 0, 0};
        for (const auto& e : fs::recursive_directory_iterator(hv / d)) {
            auto ext = e.path().extension().string();
            if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".S"))
                continue;
            ++row.files;
            row.sloc += repro::count_sloc(read_text(e.path()));
        }
        rows.push_back(row);
    }
    return rows;
}

// The real image's ELF: where the hv-image build puts it, else the first
// bao-hv.elf under the build directory; empty if none.
fs::path find_hv_elf(const fs::path& build_dir) {
    fs::path elf = build_dir / "hv-image" / "build" / "bao-hv.elf";
    if (fs::exists(elf))
        return elf;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(build_dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        if (it->path().filename() == "bao-hv.elf")
            return it->path();
    }
    return {};
}

void read_sections(const fs::path& elf, Table1& t) {
    std::istringstream in(capture("aarch64-linux-gnu-size -A " + shell_quote(elf.string())));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string name;
        uint64_t size = 0;
        if (!(ls >> name >> size) || name.empty() || name[0] != '.' ||
            name.rfind(".debug", 0) == 0 || name == ".comment")
            continue;
        t.sections.push_back({name, size});
        if (name == ".text" || name == ".rodata" || name == ".data")
            t.loaded += size;
    }
    if (!t.sections.empty())
        t.elf = elf.string();
}

PerfCell perf_cell(const JsonValue& s) {
    PerfCell c;
    c.cycles = s.num("workload.runtime_cycles");
    c.ns = s.num("workload.runtime_ns");
    c.insns = s.num("workload.instructions");
    c.ipc = s.num("workload.ipc");
    c.l2_miss_rate = s.num("workload.l2_miss_rate");
    c.l2_mpki = s.num("workload.l2_mpki");
    c.dtlb_miss_rate = s.num("workload.dtlb_miss_rate");
    c.dtlb_mpki = s.num("workload.dtlb_mpki");
    c.mem_stall_share = s.num("workload.mem_stall_share");
    return c;
}

// A Linux run: the runtime is one process's, the mean over the measured
// runs (as perf stat reports); the counters span the measured region.
PerfCell linux_perf_cell(const JsonValue& s, double core_hz) {
    PerfCell c = perf_cell(s);
    c.cycles = s.num("workload.runs.cycles.mean");
    c.ns = c.cycles ? std::optional<double>(*c.cycles / core_hz * 1e9) : std::nullopt;
    c.insns = s.num("workload.runs.instructions.mean");
    c.runs = s.num("workload.runs.count");
    c.cycles_std = s.num("workload.runs.cycles.std");
    c.cycles_min = s.num("workload.runs.cycles.min");
    c.cycles_max = s.num("workload.runs.cycles.max");
    return c;
}

// Every planned workload in display order (benchmark, then small before
// large), whether or not its runs succeeded.
std::vector<std::string> display_order(const std::vector<Run>& runs, const std::string& group) {
    std::vector<std::string> order;
    for (const auto& b : kBenches)
        for (const auto& size : {"small", "large"}) {
            std::string wl = b + "-" + size;
            if (std::any_of(runs.begin(), runs.end(),
                            [&](const Run& r) { return r.group == group && r.workload == wl; }))
                order.push_back(wl);
        }
    return order;
}

class RunIndex {
  public:
    RunIndex(const std::vector<Run>& runs, const std::vector<Outcome>& res)
        : runs_(runs), res_(res) {}
    // The stats of run `id` if it succeeded.
    const JsonValue* stats(const std::string& id) const {
        for (size_t i = 0; i < runs_.size(); ++i)
            if (runs_[i].id == id)
                return res_[i].ok && res_[i].stats ? &*res_[i].stats : nullptr;
        return nullptr;
    }

  private:
    const std::vector<Run>& runs_;
    const std::vector<Outcome>& res_;
};

std::vector<LatRow> latency_rows(const RunIndex& idx) {
    std::vector<LatRow> rows;
    for (const auto& sc : kLatScenarios) {
        LatRow row{sc, {}, {}, {}, {}, {}};
        if (const JsonValue* s = idx.stats("lat-" + sc)) {
            row.samples = s->num("irq_latency_ns.samples");
            row.mean = s->num("irq_latency_ns.mean");
            row.std = s->num("irq_latency_ns.std");
            row.min = s->num("irq_latency_ns.min");
            row.max = s->num("irq_latency_ns.max");
        }
        rows.push_back(row);
    }
    return rows;
}

std::optional<double> first_vm_recolor_bytes(const JsonValue& s) {
    if (const JsonValue* vms = s.get("vms");
        vms && vms->kind == JsonValue::Kind::array && !vms->a.empty())
        return vms->a[0].num("recolor_bytes");
    return std::nullopt;
}

void fill_boot_row(const JsonValue& s, BootRow& row, bool& boot_keys) {
    row.hv_init_cycles = s.num("boot.hv_init_cycles");
    if (row.hv_init_cycles)
        boot_keys = true;
    row.first_app_cycles = s.num("boot.first_app_cycle");
    row.first_app_source = "boot.first_app_cycle";
    if (!row.first_app_cycles) {
        if (const JsonValue* marks = s.get("marks");
            marks && marks->kind == JsonValue::Kind::array && !marks->a.empty()) {
            row.first_app_cycles = marks->a[0].num("cycle");
            row.first_app_source = "marks[0].cycle";
        }
    }
    if (row.scenario == "native" && !row.hv_init_cycles)
        row.hv_init_cycles = 0.0; // no hypervisor
    row.recolor_bytes = first_vm_recolor_bytes(s);
    if (row.scenario == "native")
        row.recolor_bytes = 0.0;
}

std::vector<BootRow> boot_rows(const RunIndex& idx, bool& boot_keys) {
    std::vector<BootRow> rows;
    for (const auto& vm : kBootVms)
        for (const auto& sc : kBootScenarios) {
            BootRow row;
            row.vm = vm.name;
            row.scenario = sc;
            row.image_bytes = vm.image_bytes;
            row.region_bytes = vm.region_bytes;
            if (const JsonValue* s = idx.stats("boot-" + vm.name + "-" + sc))
                fill_boot_row(*s, row, boot_keys);
            rows.push_back(row);
        }
    return rows;
}

std::vector<LinuxBootRow> linux_boot_rows(const std::vector<Run>& runs, const RunIndex& idx) {
    std::vector<LinuxBootRow> rows;
    for (const auto& r : runs) {
        if (r.group != "linux-boot")
            continue;
        LinuxBootRow row;
        row.scenario = r.scenario;
        row.region_bytes = kLinuxLargeVmBytes;
        if (const JsonValue* s = idx.stats(r.id)) {
            row.hv_init_cycles = s->num("boot.hv_init_cycles");
            if (r.scenario == "native" && !row.hv_init_cycles)
                row.hv_init_cycles = 0.0;
            row.init_cycles = s->num("linux.init_cycles");
            row.init_insns = s->num("linux.init_instructions");
            row.recolor_bytes = r.scenario == "native" ? 0.0 : first_vm_recolor_bytes(*s);
        }
        rows.push_back(row);
    }
    // kBootScenarios' order (runs are sorted by id).
    std::vector<LinuxBootRow> ordered;
    for (const auto& sc : kBootScenarios)
        for (const auto& row : rows)
            if (row.scenario == sc)
                ordered.push_back(row);
    return ordered;
}

void read_meta(const JsonValue& s, Results& R) {
    if (auto hz = s.num("meta.model.core_hz"))
        R.core_hz = *hz;
    if (R.version.empty())
        if (auto v = s.at("meta.version"); v && v->kind == JsonValue::Kind::string)
            R.version = v->s;
}

} // namespace

Table1 make_table1(const Context& ctx) {
    Table1 t;
    if (!ctx.src_dir.empty()) {
        t.sloc = sloc_rows(ctx.src_dir / "hv");
        for (const auto& r : t.sloc)
            t.total += r.sloc;
    }
    if (fs::path elf = find_hv_elf(ctx.build_dir); !elf.empty())
        read_sections(elf, t);
    return t;
}

std::vector<PtRow> make_table2(const Context& ctx, std::string& error) {
    std::vector<PtRow> rows;
    std::string text =
        capture(shell_quote(ctx.bin.string()) + " pagetables --mem 32M,64M,128M,256M,512M,1G" +
                (ctx.platform.empty() ? "" : " --platform " + shell_quote(ctx.platform)));
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        uint64_t mib, u, c;
        std::string unit;
        if (ls >> mib >> unit >> u >> c && unit == "MiB")
            rows.push_back({mib, u, c});
    }
    if (rows.empty())
        error = "`bao-sim pagetables` printed no table";
    return rows;
}

std::optional<double> slowdown(const PerfSet& p, const std::string& wl, const std::string& sc) {
    auto it = p.cells.find(wl);
    if (it == p.cells.end())
        return std::nullopt;
    auto n = it->second.find("native");
    auto s = it->second.find(sc);
    if (n == it->second.end() || s == it->second.end() || !n->second.cycles || !s->second.cycles ||
        *n->second.cycles <= 0)
        return std::nullopt;
    return (*s->second.cycles / *n->second.cycles - 1.0) * 100.0;
}

void assemble(const Context& ctx, const std::vector<Run>& runs, const std::vector<Outcome>& res,
              Results& R) {
    R.t1 = make_table1(ctx);
    R.t2 = make_table2(ctx, R.t2_error);
    for (size_t i = 0; i < runs.size(); ++i)
        if (res[i].ok && res[i].stats)
            read_meta(*res[i].stats, R);
    for (size_t i = 0; i < runs.size(); ++i) {
        if (!res[i].ok || !res[i].stats)
            continue;
        const Run& run = runs[i];
        if (run.group == "perf")
            R.perf.cells[run.workload][run.scenario] = perf_cell(*res[i].stats);
        else if (run.group == "linux-perf")
            R.linux_perf.cells[run.workload][run.scenario] =
                linux_perf_cell(*res[i].stats, R.core_hz);
    }
    R.perf.workloads = display_order(runs, "perf");
    R.linux_perf.workloads = display_order(runs, "linux-perf");
    RunIndex idx(runs, res);
    R.t5 = latency_rows(idx);
    R.t3 = boot_rows(idx, R.boot_keys);
    R.linux_t3 = linux_boot_rows(runs, idx);
}

} // namespace repro::detail
