// `bao-sim reproduce`: plans the evaluation's runs, executes them as separate
// bao-sim processes on a pool of worker threads (or emits them as shell
// command lines, or collects results written elsewhere), and assembles the
// paper's tables, figures and report. See docs/reproduce.md.
#include "sim/reproduce.h"

#include "sim/json.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <set>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace sim {
namespace repro {

// ---------------------------------------------------------------- JSON reader

const JsonValue* JsonValue::get(const std::string& key) const {
    if (kind != Kind::object)
        return nullptr;
    for (const auto& [k, v] : o)
        if (k == key)
            return &v;
    return nullptr;
}

const JsonValue* JsonValue::at(const std::string& dotted) const {
    const JsonValue* cur = this;
    size_t pos = 0;
    while (cur && pos <= dotted.size()) {
        size_t dot = dotted.find('.', pos);
        std::string part =
            dotted.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        cur = cur->get(part);
        if (dot == std::string::npos)
            break;
        pos = dot + 1;
    }
    return cur;
}

std::optional<double> JsonValue::num(const std::string& dotted) const {
    const JsonValue* v = at(dotted);
    if (!v)
        return std::nullopt;
    if (v->kind == Kind::number)
        return v->n;
    if (v->kind == Kind::boolean)
        return v->b ? 1.0 : 0.0;
    return std::nullopt;
}

namespace {

class JsonParser {
  public:
    explicit JsonParser(const std::string& t) : t_(t) {}
    JsonValue parse() {
        JsonValue v = value();
        ws();
        if (i_ != t_.size())
            fail("trailing characters");
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
    }
    void ws() {
        while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_])))
            ++i_;
    }
    bool eat(char c) {
        ws();
        if (i_ < t_.size() && t_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c))
            fail(std::string("expected '") + c + "'");
    }
    std::string str() {
        expect('"');
        std::string s;
        while (i_ < t_.size() && t_[i_] != '"') {
            char c = t_[i_++];
            if (c != '\\') {
                s += c;
                continue;
            }
            if (i_ >= t_.size())
                fail("bad escape");
            char e = t_[i_++];
            switch (e) {
            case 'n':
                s += '\n';
                break;
            case 't':
                s += '\t';
                break;
            case 'r':
                s += '\r';
                break;
            case 'b':
                s += '\b';
                break;
            case 'f':
                s += '\f';
                break;
            case 'u': {
                if (i_ + 4 > t_.size())
                    fail("bad \\u escape");
                unsigned cp = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
                i_ += 4;
                if (cp < 0x80) {
                    s += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    s += static_cast<char>(0xC0 | (cp >> 6));
                    s += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    s += static_cast<char>(0xE0 | (cp >> 12));
                    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    s += static_cast<char>(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                s += e;
                break;
            }
        }
        if (i_ >= t_.size())
            fail("unterminated string");
        ++i_;
        return s;
    }
    JsonValue value() {
        ws();
        if (i_ >= t_.size())
            fail("unexpected end");
        JsonValue v;
        char c = t_[i_];
        if (c == '{') {
            ++i_;
            v.kind = JsonValue::Kind::object;
            if (eat('}'))
                return v;
            do {
                ws();
                std::string k = str();
                expect(':');
                v.o.emplace_back(std::move(k), value());
            } while (eat(','));
            expect('}');
        } else if (c == '[') {
            ++i_;
            v.kind = JsonValue::Kind::array;
            if (eat(']'))
                return v;
            do
                v.a.push_back(value());
            while (eat(','));
            expect(']');
        } else if (c == '"') {
            v.kind = JsonValue::Kind::string;
            v.s = str();
        } else if (t_.compare(i_, 4, "true") == 0) {
            v.kind = JsonValue::Kind::boolean;
            v.b = true;
            i_ += 4;
        } else if (t_.compare(i_, 5, "false") == 0) {
            v.kind = JsonValue::Kind::boolean;
            i_ += 5;
        } else if (t_.compare(i_, 4, "null") == 0) {
            i_ += 4;
        } else {
            size_t end = i_;
            while (end < t_.size() && std::strchr("+-0123456789.eE", t_[end]) && t_[end] != '\0')
                ++end;
            if (end == i_)
                fail("unexpected character");
            v.kind = JsonValue::Kind::number;
            v.n = std::strtod(t_.substr(i_, end - i_).c_str(), nullptr);
            i_ = end;
        }
        return v;
    }

    const std::string& t_;
    size_t i_ = 0;
};

} // namespace

JsonValue parse_json(const std::string& text) {
    return JsonParser(text).parse();
}

unsigned count_sloc(const std::string& text) {
    unsigned n = 0;
    bool in_block = false;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        bool code = false;
        for (size_t i = 0; i < line.size(); ++i) {
            if (in_block) {
                if (line.compare(i, 2, "*/") == 0) {
                    in_block = false;
                    ++i;
                }
                continue;
            }
            if (line.compare(i, 2, "/*") == 0) {
                in_block = true;
                ++i;
                continue;
            }
            if (line.compare(i, 2, "//") == 0)
                break;
            if (!std::isspace(static_cast<unsigned char>(line[i])))
                code = true;
        }
        n += code ? 1 : 0;
    }
    return n;
}

} // namespace repro

namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;
using repro::JsonValue;

// ------------------------------------------------------------------ helpers

std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_text(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary);
    if (!f)
        throw std::runtime_error("cannot write " + p.string());
    f << s;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

// Output of a shell command (stderr discarded); empty if it cannot run.
std::string capture(const std::string& cmd) {
    std::string result;
    FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p)
        return result;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        result.append(buf, n);
    ::pclose(p);
    return result;
}

std::string fixed(double v, int prec) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(prec) << v;
    return s.str();
}

std::string opt_fixed(const std::optional<double>& v, int prec, const std::string& none = "-") {
    return v ? fixed(*v, prec) : none;
}

std::string exit_meaning(int code) {
    switch (code) {
    case 1:
        return "internal error";
    case 2:
        return "bad command line, configuration or image";
    case 3:
        return "guest fault";
    case 4:
        return "instruction limit reached";
    case 5:
        return "all cores idle, nothing pending";
    default:
        return "unexpected exit code";
    }
}

// ------------------------------------------------------------- the runs

const std::vector<std::string> kBenches = {"basicmath",     "bitcount",    "qsort",
                                           "susan-corners", "susan-edges", "susan-smoothing"};
const std::vector<std::string> kPerfScenarios = {"native", "solo", "solo-col", "interf",
                                                 "interf-col"};
const std::vector<std::string> kLatScenarios = {"native", "solo",       "solo-col",
                                                "interf", "interf-col", "interf-col-hypcol"};
const std::vector<std::string> kBootScenarios = {"native", "solo", "solo-col"};

struct BootVm {
    std::string name;      // small | large
    uint64_t image_bytes;  // padded raw image
    uint64_t region_bytes; // the VM's memory
};
const std::vector<BootVm> kBootVms = {{"small", 117 * 1024, 32ull << 20},
                                      {"large", 39ull << 20, 512ull << 20}};

struct Run {
    std::string id;
    std::string group; // perf | lat | boot
    std::string scenario;
    std::string workload; // perf: e.g. qsort-small; boot: small | large
    std::vector<std::string> args;
};

struct Context {
    fs::path out;
    fs::path bin;
    fs::path build_dir;
    fs::path src_dir;
    bool quick = false;
    unsigned jobs = 1;
    bool guest_param = false;
    std::string lat_workload;
    unsigned lat_samples = 0;
    unsigned lat_period_us = 0;
};

struct Outcome {
    bool ok = false;
    std::string reason;
    std::optional<JsonValue> stats;
};

fs::path find_source_dir(const fs::path& build_dir) {
    std::ifstream cache(build_dir / "CMakeCache.txt");
    std::string line;
    const std::string key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    while (std::getline(cache, line))
        if (line.rfind(key, 0) == 0 && fs::exists(fs::path(line.substr(key.size())) / "hv"))
            return line.substr(key.size());
    for (fs::path p = build_dir; !p.empty() && p != p.root_path(); p = p.parent_path())
        if (fs::exists(p / "hv" / "core") && fs::exists(p / "scripts"))
            return p;
    return {};
}

void prepare_boot_inputs(const Context& ctx) {
    fs::create_directories(ctx.out / "configs");
    // A guest that marks its measured region: the mark is the first application
    // instruction. Padded with zeros to the image size of the paper's VMs.
    std::string base = read_text(ctx.build_dir / "workloads" / "bitcount-small.bin");
    for (const auto& vm : kBootVms) {
        std::string img = base;
        if (img.size() < vm.image_bytes)
            img.resize(vm.image_bytes, '\0');
        write_text(ctx.out / "configs" / ("boot-" + vm.name + ".bin"), img);
        for (const auto& sc : kBootScenarios) {
            std::ostringstream t;
            bool hv = sc != "native";
            t << "# generated by bao-sim reproduce: Table 3 boot, " << vm.name << " VM, " << sc
              << "\n";
            t << "mode = \"" << (hv ? "hv" : "native") << "\"\n";
            t << "description = \"reproduce boot: " << vm.name << " VM, " << sc << "\"\n\n";
            t << "[platform]\ncpus = 4\nram = [{ base = 0x40000000, size = 0x80000000 }]\n\n";
            if (hv)
                t << "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n\n";
            t << "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n";
            if (sc == "solo-col")
                t << "colors = [0, 1, 2, 3, 4, 5, 6, 7]\n";
            t << "image = { path = \"boot-" << vm.name << ".bin\", load_addr = 0x40000000 }\n";
            t << "regions = [{ base = 0x40000000, size = 0x" << std::hex << vm.region_bytes
              << std::dec << " }]\n";
            write_text(ctx.out / "configs" / ("boot-" + vm.name + "-" + sc + ".toml"), t.str());
        }
    }
}

std::vector<Run> plan_runs(const Context& ctx) {
    std::vector<Run> runs;
    auto stats_args = [&](const std::string& id) {
        return std::vector<std::string>{"--stats-json",
                                        (ctx.out / "runs" / (id + ".json")).string()};
    };
    std::vector<std::string> sizes =
        ctx.quick ? std::vector<std::string>{"small"} : std::vector<std::string>{"small", "large"};
    for (const auto& b : kBenches)
        for (const auto& size : sizes)
            for (const auto& sc : kPerfScenarios) {
                Run r{"perf-" + b + "-" + size + "-" + sc, "perf", sc, b + "-" + size, {}};
                r.args = {"--config", sc, "--workload", r.workload};
                for (auto& a : stats_args(r.id))
                    r.args.push_back(a);
                runs.push_back(std::move(r));
            }
    for (const auto& sc : kLatScenarios) {
        Run r{"lat-" + sc, "lat", sc, ctx.lat_workload, {}};
        r.args = {"--config", sc, "--workload", ctx.lat_workload, "--raw-samples"};
        if (ctx.guest_param) {
            r.args.push_back("--guest-param");
            r.args.push_back("0=" + std::to_string(ctx.lat_samples));
            r.args.push_back("--guest-param");
            r.args.push_back("1=" + std::to_string(ctx.lat_period_us));
        }
        for (auto& a : stats_args(r.id))
            r.args.push_back(a);
        runs.push_back(std::move(r));
    }
    for (const auto& vm : kBootVms)
        for (const auto& sc : kBootScenarios) {
            Run r{"boot-" + vm.name + "-" + sc, "boot", sc, vm.name, {}};
            r.args = {"--config",
                      (ctx.out / "configs" / ("boot-" + vm.name + "-" + sc + ".toml")).string()};
            for (auto& a : stats_args(r.id))
                r.args.push_back(a);
            runs.push_back(std::move(r));
        }
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.id < b.id; });
    return runs;
}

fs::path log_path(const Context& ctx, const Run& r) {
    return ctx.out / "runs" / (r.id + ".log");
}
fs::path json_path(const Context& ctx, const Run& r) {
    return ctx.out / "runs" / (r.id + ".json");
}

// Runs one simulation as a child process; returns its exit status (or -signal).
int spawn_run(const Context& ctx, const Run& r) {
    std::vector<std::string> args = {ctx.bin.string()};
    args.insert(args.end(), r.args.begin(), r.args.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = log_path(ctx, r).string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, ctx.bin.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1000 - rc;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -2000;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return -WTERMSIG(status);
}

// Checks a finished run's stats file. exit_status: the process's, if known.
Outcome check_run(const Context& ctx, const Run& r, std::optional<int> exit_status) {
    Outcome o;
    if (exit_status && *exit_status != 0) {
        int c = *exit_status;
        if (c <= -1000)
            o.reason = "could not start " + ctx.bin.string();
        else if (c < 0)
            o.reason = "killed by signal " + std::to_string(-c);
        else
            o.reason = "exit code " + std::to_string(c) + " (" + exit_meaning(c) + ")";
        return o;
    }
    fs::path jp = json_path(ctx, r);
    if (!fs::exists(jp)) {
        o.reason = "no stats JSON (" + jp.string() + ")";
        return o;
    }
    try {
        o.stats = repro::parse_json(read_text(jp));
    } catch (const std::exception& e) {
        o.reason = std::string("unreadable stats JSON: ") + e.what();
        return o;
    }
    auto code = o.stats->num("exit_code");
    if (!code || *code != 0) {
        int c = code ? static_cast<int>(*code) : -1;
        o.reason = "exit code " + std::to_string(c) + " (" + exit_meaning(c) + ")";
        return o;
    }
    if (r.group == "lat") {
        auto n = o.stats->num("irq_latency_ns.samples");
        if (!n || *n <= 0) {
            o.reason = "no interrupt-latency samples";
            return o;
        }
    } else {
        auto ok = o.stats->num("workload.checksum_ok");
        if (!ok || *ok == 0) {
            o.reason = "checksum_ok false";
            return o;
        }
    }
    o.ok = true;
    return o;
}

std::string fmt_duration(double s) {
    long t = std::lround(s);
    std::ostringstream o;
    o << t / 60 << ":" << std::setw(2) << std::setfill('0') << t % 60;
    return o.str();
}

// Rough relative host cost of a run, to start the longest first (shortens
// the tail of the pool; results stay indexed by run, so order is unaffected).
double expected_cost(const Run& r) {
    double c = r.workload.find("large") != std::string::npos ? 8.0 : 1.0;
    if (r.scenario.rfind("interf", 0) == 0)
        c *= 2.5;
    else if (r.scenario == "solo-col")
        c *= 1.5;
    if (r.group == "lat")
        c *= 4.0;
    return c;
}

std::vector<Outcome> execute(const Context& ctx, const std::vector<Run>& runs, std::ostream& out) {
    std::vector<Outcome> results(runs.size());
    std::vector<size_t> order(runs.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return expected_cost(runs[a]) > expected_cost(runs[b]);
    });
    std::atomic<size_t> next{0};
    std::mutex mu;
    size_t done = 0;
    bool tty = (&out == &std::cout) && ::isatty(STDOUT_FILENO);
    auto t0 = std::chrono::steady_clock::now();
    auto worker = [&] {
        for (;;) {
            size_t k = next.fetch_add(1);
            if (k >= runs.size())
                return;
            size_t i = order[k];
            auto t1 = std::chrono::steady_clock::now();
            int status = spawn_run(ctx, runs[i]);
            Outcome o = check_run(ctx, runs[i], status);
            auto now = std::chrono::steady_clock::now();
            std::lock_guard lock(mu);
            ++done;
            double el = std::chrono::duration<double>(now - t0).count();
            double eta = el / static_cast<double>(done) * static_cast<double>(runs.size() - done);
            if (tty) {
                out << "\r\033[K[reproduce] runs " << done << "/" << runs.size() << ", ETA "
                    << fmt_duration(eta);
                if (!o.ok)
                    out << "\n[reproduce] FAILED " << runs[i].id << ": " << o.reason << " (log "
                        << log_path(ctx, runs[i]).string() << ")\n";
                out << std::flush;
            } else {
                double took = std::chrono::duration<double>(now - t1).count();
                out << "[reproduce] " << done << "/" << runs.size() << " "
                    << (o.ok ? "ok     " : "FAILED ") << runs[i].id << " (" << fixed(took, 1)
                    << " s)";
                if (!o.ok)
                    out << ": " << o.reason << " (log " << log_path(ctx, runs[i]).string() << ")";
                out << std::endl;
            }
            results[i] = std::move(o);
        }
    };
    std::vector<std::thread> pool;
    unsigned n = std::max(1u, std::min<unsigned>(ctx.jobs, static_cast<unsigned>(runs.size())));
    for (unsigned t = 0; t < n; ++t)
        pool.emplace_back(worker);
    for (auto& t : pool)
        t.join();
    if (tty)
        out << "\n";
    return results;
}

// ------------------------------------------------------------- the tables

struct SlocRow {
    std::string dir;
    unsigned files = 0;
    unsigned sloc = 0;
};

struct Section {
    std::string name;
    uint64_t bytes;
};

struct Table1 {
    std::vector<SlocRow> sloc;
    unsigned total = 0;
    std::string elf; // empty: not built
    std::vector<Section> sections;
    uint64_t loaded = 0; // .text + .rodata + .data
};

Table1 make_table1(const Context& ctx) {
    Table1 t;
    if (!ctx.src_dir.empty()) {
        std::set<std::string> dirs;
        for (const auto& e : fs::directory_iterator(ctx.src_dir / "hv"))
            if (e.is_directory() && e.path().filename() != "cmake")
                dirs.insert(e.path().filename().string());
        for (const auto& d : dirs) {
            SlocRow row{"hv/" + d, 0, 0};
            for (const auto& e : fs::recursive_directory_iterator(ctx.src_dir / "hv" / d)) {
                auto ext = e.path().extension().string();
                if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".S"))
                    continue;
                ++row.files;
                row.sloc += repro::count_sloc(read_text(e.path()));
            }
            t.total += row.sloc;
            t.sloc.push_back(row);
        }
    }
    fs::path elf = ctx.build_dir / "hv-image" / "build" / "bao-hv.elf";
    if (!fs::exists(elf)) {
        elf.clear();
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(ctx.build_dir, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec)
                break;
            if (it->path().filename() == "bao-hv.elf") {
                elf = it->path();
                break;
            }
        }
    }
    if (!elf.empty()) {
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
    return t;
}

struct PtRow {
    uint64_t mib;
    uint64_t uncolored, colored;
};

std::vector<PtRow> make_table2(const Context& ctx, std::string& error) {
    std::vector<PtRow> rows;
    std::string text =
        capture(shell_quote(ctx.bin.string()) + " pagetables --mem 32M,64M,128M,256M,512M,1G");
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

struct BootRow {
    std::string vm, scenario;
    uint64_t image_bytes = 0, region_bytes = 0;
    std::optional<double> hv_init_cycles, first_app_cycles, recolor_bytes;
    std::string first_app_source; // boot.first_app_cycle | marks[0].cycle
};

struct PerfCell {
    std::optional<double> cycles, ns, insns, ipc, l2_miss_rate, l2_mpki, dtlb_miss_rate, dtlb_mpki,
        mem_stall_share;
};

struct LatRow {
    std::string scenario;
    std::optional<double> samples, mean, std, min, max;
};

struct Verdict {
    std::string id, claim, verdict, evidence;
};

struct Results {
    Table1 t1;
    std::vector<PtRow> t2;
    std::string t2_error;
    std::vector<BootRow> t3;
    bool boot_keys = false;                                      // stats carry boot.*
    std::map<std::string, std::map<std::string, PerfCell>> perf; // workload -> scenario
    std::vector<std::string> workloads;                          // in display order
    std::vector<LatRow> t5;
    std::vector<Verdict> verdicts;
    double core_hz = 1.2e9;
    std::string version;
};

// Published reference figures (../shared/docs/bao-reference.md).
struct RefLat {
    double mean, std, min, max;
};
const std::map<std::string, RefLat> kRefLat = {
    {"native", {222, 8, 190, 250}},          {"solo", {906, 13, 840, 930}},
    {"solo-col", {905, 12, 850, 930}},       {"interf", {7322, 616, 6010, 9420}},
    {"interf-col", {2179, 384, 1400, 3660}}, {"interf-col-hypcol", {1001, 194, 890, 2100}}};
// slowdown % solo / solo-col / interf / interf-col
const std::map<std::string, std::array<double, 4>> kRefSlow = {
    {"qsort-small", {0.07, 15.7, 85.9, 58.4}},
    {"qsort-large", {0.07, 1.15, 10.3, 5.33}},
    {"susan-corners-small", {0.56, 24.1, 109.1, 78.3}},
    {"susan-corners-large", {0.15, 6.45, 37.6, 26.7}}};
const std::vector<std::string> kHvScenarios = {"solo", "solo-col", "interf", "interf-col"};

std::optional<double> slowdown(const Results& r, const std::string& wl, const std::string& sc) {
    auto it = r.perf.find(wl);
    if (it == r.perf.end())
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
    for (size_t i = 0; i < runs.size(); ++i) {
        const Run& run = runs[i];
        const Outcome& o = res[i];
        if (!o.ok || !o.stats)
            continue;
        const JsonValue& s = *o.stats;
        if (auto hz = s.num("meta.model.core_hz"))
            R.core_hz = *hz;
        if (R.version.empty())
            if (auto v = s.at("meta.version"); v && v->kind == JsonValue::Kind::string)
                R.version = v->s;
        if (run.group == "perf") {
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
            R.perf[run.workload][run.scenario] = c;
        } else if (run.group == "lat") {
            // filled below in scenario order
        }
    }
    for (const auto& b : kBenches)
        for (const auto& size : {"small", "large"})
            if (R.perf.count(b + "-" + size) || std::any_of(runs.begin(), runs.end(), [&](auto& r) {
                    return r.workload == b + "-" + size;
                }))
                R.workloads.push_back(b + "-" + size);
    auto find = [&](const std::string& id) -> const Outcome* {
        for (size_t i = 0; i < runs.size(); ++i)
            if (runs[i].id == id)
                return res[i].ok ? &res[i] : nullptr;
        return nullptr;
    };
    for (const auto& sc : kLatScenarios) {
        LatRow row{sc, {}, {}, {}, {}, {}};
        if (const Outcome* o = find("lat-" + sc)) {
            row.samples = o->stats->num("irq_latency_ns.samples");
            row.mean = o->stats->num("irq_latency_ns.mean");
            row.std = o->stats->num("irq_latency_ns.std");
            row.min = o->stats->num("irq_latency_ns.min");
            row.max = o->stats->num("irq_latency_ns.max");
        }
        R.t5.push_back(row);
    }
    for (const auto& vm : kBootVms)
        for (const auto& sc : kBootScenarios) {
            BootRow row;
            row.vm = vm.name;
            row.scenario = sc;
            row.image_bytes = vm.image_bytes;
            row.region_bytes = vm.region_bytes;
            if (const Outcome* o = find("boot-" + vm.name + "-" + sc)) {
                const JsonValue& s = *o->stats;
                row.hv_init_cycles = s.num("boot.hv_init_cycles");
                if (row.hv_init_cycles)
                    R.boot_keys = true;
                row.first_app_cycles = s.num("boot.first_app_cycle");
                row.first_app_source = "boot.first_app_cycle";
                if (!row.first_app_cycles) {
                    if (const JsonValue* marks = s.get("marks");
                        marks && marks->kind == JsonValue::Kind::array && !marks->a.empty()) {
                        row.first_app_cycles = marks->a[0].num("cycle");
                        row.first_app_source = "marks[0].cycle";
                    }
                }
                if (sc == "native" && !row.hv_init_cycles)
                    row.hv_init_cycles = 0.0; // no hypervisor
                if (const JsonValue* vms = s.get("vms");
                    vms && vms->kind == JsonValue::Kind::array && !vms->a.empty())
                    row.recolor_bytes = vms->a[0].num("recolor_bytes");
                if (sc == "native")
                    row.recolor_bytes = 0.0;
            }
            R.t3.push_back(row);
        }
}

// ------------------------------------------------------------- conclusions

void judge(const Context& ctx, Results& R) {
    auto mean_of = [&](const std::vector<std::string>& wls, const std::string& sc) {
        double sum = 0;
        int n = 0;
        for (const auto& w : wls)
            if (auto v = slowdown(R, w, sc)) {
                sum += *v;
                ++n;
            }
        return n ? std::optional<double>(sum / n) : std::nullopt;
    };
    std::vector<std::string> heavy, light, all;
    for (const auto& w : R.workloads) {
        all.push_back(w);
        (w.rfind("basicmath", 0) == 0 || w.rfind("bitcount", 0) == 0 ? light : heavy).push_back(w);
    }
    auto pct = [](std::optional<double> v) { return v ? fixed(*v, 2) + " %" : "n/a"; };

    // 1. hosting costs almost nothing
    {
        double worst = 0;
        std::string worst_w;
        bool any = false;
        for (const auto& w : all)
            if (auto v = slowdown(R, w, "solo")) {
                any = true;
                if (std::fabs(*v) >= std::fabs(worst)) {
                    worst = *v;
                    worst_w = w;
                }
            }
        R.verdicts.push_back({"hosting",
                              "Hosting alone costs almost nothing (solo within 2 % of native)",
                              !any ? "n/a" : (std::fabs(worst) < 2.0 ? "yes" : "no"),
                              any ? "largest solo slowdown " + fixed(worst, 2) + " % (" + worst_w +
                                        "); paper at most 0.56 %"
                                  : "no data"});
    }
    // 2. coloring costs some
    {
        auto s = mean_of(heavy, "solo"), c = mean_of(heavy, "solo-col");
        int above = 0, n = 0;
        for (const auto& w : heavy) {
            auto a = slowdown(R, w, "solo"), b = slowdown(R, w, "solo-col");
            if (a && b) {
                ++n;
                above += *b > *a ? 1 : 0;
            }
        }
        std::string v = !s || !c                        ? "n/a"
                        : (*c > *s + 0.5 && above == n) ? "yes"
                        : (*c > *s)                     ? "partly"
                                                        : "no";
        R.verdicts.push_back({"coloring", "Coloring costs some (solo-col above solo)", v,
                              "memory-heavy mean slowdown solo " + pct(s) + ", solo-col " + pct(c) +
                                  "; solo-col > solo in " + std::to_string(above) + "/" +
                                  std::to_string(n) + " memory-heavy workloads"});
    }
    // 3. interference costs much more
    {
        auto c = mean_of(heavy, "solo-col"), i = mean_of(heavy, "interf"),
             ic = mean_of(heavy, "interf-col");
        int highest = 0, n = 0;
        for (const auto& w : heavy) {
            auto vi = slowdown(R, w, "interf");
            if (!vi)
                continue;
            ++n;
            bool top = true;
            for (const auto& sc : {"solo", "solo-col", "interf-col"})
                if (auto o = slowdown(R, w, sc); o && *o >= *vi)
                    top = false;
            highest += top ? 1 : 0;
        }
        std::string v = !c || !i                                       ? "n/a"
                        : (*i > 2 * std::max(*c, 0.5) && highest == n) ? "yes"
                        : (*i > *c)                                    ? "partly"
                                                                       : "no";
        R.verdicts.push_back({"interference",
                              "Interference costs much more (interf the highest, well above "
                              "solo-col)",
                              v,
                              "memory-heavy mean slowdown solo-col " + pct(c) + ", interf " +
                                  pct(i) + ", interf-col " + pct(ic) + "; interf highest in " +
                                  std::to_string(highest) + "/" + std::to_string(n) +
                                  " memory-heavy workloads"});
    }
    // 4. coloring restores the L2 miss rate but not all of the slowdown (qsort small)
    {
        const auto& q = R.perf["qsort-small"];
        auto get = [&](const char* sc) -> std::optional<double> {
            auto it = q.find(sc);
            return it == q.end() ? std::nullopt : it->second.l2_mpki;
        };
        auto m_sc = get("solo-col"), m_ic = get("interf-col"), m_i = get("interf");
        auto s_sc = slowdown(R, "qsort-small", "solo-col"),
             s_ic = slowdown(R, "qsort-small", "interf-col");
        std::string v = "n/a";
        std::string ev = "no data";
        if (m_sc && m_ic && s_sc && s_ic) {
            bool restored = *m_sc > 0 ? std::fabs(*m_ic - *m_sc) <= 0.10 * *m_sc : *m_ic < 0.01;
            bool residual = *s_ic > *s_sc + 1.0;
            v = restored && residual ? "yes" : (restored || residual) ? "partly" : "no";
            ev = "qsort-small L2 MPKI solo-col " + fixed(*m_sc, 2) + ", interf " +
                 (m_i ? fixed(*m_i, 2) : "n/a") + ", interf-col " + fixed(*m_ic, 2) +
                 " (restored: within 10 % of solo-col: " + (restored ? "yes" : "no") +
                 "); slowdown solo-col " + fixed(*s_sc, 2) + " %, interf-col " + fixed(*s_ic, 2) +
                 " % (residual contention: " + (residual ? "yes" : "no") +
                 "); paper 7.84 -> 7.15 MPKI, 15.7 % -> 58.4 %";
        }
        R.verdicts.push_back({"l2-restored",
                              "Coloring brings the L2 miss rate back to the solo-col level, but "
                              "not all of the slowdown",
                              v, ev});
    }
    // 5. memory-light benchmarks barely notice
    {
        double worst = 0;
        std::string worst_w;
        bool any = false;
        for (const auto& w : light)
            for (const auto& sc : kHvScenarios)
                if (auto v = slowdown(R, w, sc)) {
                    any = true;
                    if (*v >= worst) {
                        worst = *v;
                        worst_w = w + " " + sc;
                    }
                }
        auto hi = mean_of(heavy, "interf");
        std::string v = !any                      ? "n/a"
                        : worst < 5.0             ? "yes"
                        : (hi && worst < *hi / 2) ? "partly"
                                                  : "no";
        R.verdicts.push_back({"memory-light",
                              "Memory-light benchmarks (basicmath, bitcount) barely notice "
                              "(< 5 % in every scenario)",
                              v,
                              any ? "largest slowdown " + fixed(worst, 2) + " % (" + worst_w +
                                        "); memory-heavy interf mean " + pct(hi)
                                  : "no data"});
    }
    // 6. small inputs suffer more than large
    {
        int more = 0, n = 0;
        std::string ev;
        for (const auto& b : kBenches) {
            if (b == "basicmath" || b == "bitcount")
                continue;
            for (const auto& sc : {"interf", "interf-col"}) {
                auto s = slowdown(R, b + "-small", sc), l = slowdown(R, b + "-large", sc);
                if (!s || !l)
                    continue;
                ++n;
                more += *s > *l ? 1 : 0;
            }
        }
        std::string v = ctx.quick || n == 0 ? "n/a"
                        : more == n         ? "yes"
                        : more * 2 > n      ? "partly"
                                            : "no";
        ev = ctx.quick || n == 0
                 ? "needs large inputs (not run with --quick)"
                 : "small slowdown > large in " + std::to_string(more) + "/" + std::to_string(n) +
                       " (memory-heavy benchmark, interf / interf-col) pairs";
        R.verdicts.push_back({"small-vs-large", "Small inputs suffer more than large ones", v, ev});
    }
    // 7. latency under interference dominated by hv's own memory accesses
    {
        std::map<std::string, double> m;
        for (const auto& r : R.t5)
            if (r.mean)
                m[r.scenario] = *r.mean;
        std::string v = "n/a", ev = "no data";
        if (m.size() == kLatScenarios.size()) {
            bool base = m["native"] < m["solo"];
            bool order = m["solo"] < m["interf-col"] && m["interf-col"] < m["interf"];
            bool hypcol = m["interf-col-hypcol"] < m["interf-col"];
            bool much = m["interf"] > 2.0 * m["solo"];
            v = base && order && hypcol && much ? "yes" : (base && order) ? "partly" : "no";
            ev = "mean ns native " + fixed(m["native"], 0) + ", solo " + fixed(m["solo"], 0) +
                 ", solo-col " + fixed(m["solo-col"], 0) + ", interf " + fixed(m["interf"], 0) +
                 ", interf-col " + fixed(m["interf-col"], 0) + ", interf-col-hypcol " +
                 fixed(m["interf-col-hypcol"], 0) + "; native < solo: " + (base ? "yes" : "no") +
                 ", solo < interf-col < interf: " + (order ? "yes" : "no") +
                 ", coloring hv lowers it further: " + (hypcol ? "yes" : "no") +
                 ", interf > 2x solo: " + (much ? "yes" : "no") +
                 " (paper 222 / 906 / 905 / 7322 / 2179 / 1001)";
        }
        R.verdicts.push_back({"latency",
                              "Interrupt latency under interference is dominated by the "
                              "hypervisor's own memory accesses (coloring hv fixes it)",
                              v, ev});
    }
}

// ------------------------------------------------------------- outputs

std::string csv_opt(const std::optional<double>& v, int prec = 6) {
    if (!v)
        return "";
    std::ostringstream s;
    s << std::setprecision(prec) << *v;
    return s.str();
}

void opt_value(JsonWriter& w, const std::string& key, const std::optional<double>& v,
               bool integer = false) {
    if (!v)
        return; // failed run: the key is left out (see "failures")
    if (integer)
        w.value(key, static_cast<uint64_t>(std::llround(*v)));
    else
        w.value(key, *v);
}

void write_outputs(const Context& ctx, const std::vector<Run>& runs,
                   const std::vector<Outcome>& res, const Results& R) {
    auto ms = [&](const std::optional<double>& cycles) -> std::optional<double> {
        if (!cycles)
            return std::nullopt;
        return *cycles / R.core_hz * 1e3;
    };
    // ---- CSVs
    {
        std::ostringstream c;
        c << "kind,name,files,value\n";
        for (const auto& r : R.t1.sloc)
            c << "sloc," << r.dir << "," << r.files << "," << r.sloc << "\n";
        c << "sloc,total,," << R.t1.total << "\n";
        for (const auto& s : R.t1.sections)
            c << "section," << s.name << ",," << s.bytes << "\n";
        if (!R.t1.elf.empty())
            c << "section,loaded(.text+.rodata+.data),," << R.t1.loaded << "\n";
        write_text(ctx.out / "table1_size.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "memory_mib,uncolored_pages,colored_pages\n";
        for (const auto& r : R.t2)
            c << r.mib << "," << r.uncolored << "," << r.colored << "\n";
        write_text(ctx.out / "table2_pagetables.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "vm,image_bytes,region_bytes,scenario,hv_init_cycles,hv_init_ms,first_app_cycles,"
             "first_app_ms,recolor_bytes\n";
        for (const auto& r : R.t3)
            c << r.vm << "," << r.image_bytes << "," << r.region_bytes << "," << r.scenario << ","
              << csv_opt(r.hv_init_cycles, 12) << "," << csv_opt(ms(r.hv_init_cycles)) << ","
              << csv_opt(r.first_app_cycles, 12) << "," << csv_opt(ms(r.first_app_cycles)) << ","
              << csv_opt(r.recolor_bytes, 12) << "\n";
        write_text(ctx.out / "table3_boot.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "workload,native_cycles,native_ms";
        for (const auto& sc : kHvScenarios)
            c << "," << sc << "_normalised";
        c << "\n";
        for (const auto& w : R.workloads) {
            auto it = R.perf.find(w);
            std::optional<double> nc;
            if (it != R.perf.end() && it->second.count("native"))
                nc = it->second.at("native").cycles;
            c << w << "," << csv_opt(nc, 12) << "," << csv_opt(ms(nc));
            for (const auto& sc : kHvScenarios) {
                auto s = slowdown(R, w, sc);
                c << "," << (s ? csv_opt(1.0 + *s / 100.0) : "");
            }
            c << "\n";
        }
        write_text(ctx.out / "figure2_normalised.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "workload,scenario,l2_miss_rate,l2_mpki,dtlb_miss_rate,dtlb_mpki,mem_stall_share\n";
        for (const auto& w : {"qsort-small", "qsort-large"}) {
            auto it = R.perf.find(w);
            if (it == R.perf.end())
                continue;
            for (const auto& sc : kPerfScenarios) {
                auto j = it->second.find(sc);
                if (j == it->second.end())
                    continue;
                const auto& p = j->second;
                c << w << "," << sc << "," << csv_opt(p.l2_miss_rate) << "," << csv_opt(p.l2_mpki)
                  << "," << csv_opt(p.dtlb_miss_rate) << "," << csv_opt(p.dtlb_mpki) << ","
                  << csv_opt(p.mem_stall_share) << "\n";
            }
        }
        write_text(ctx.out / "table4_qsort.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "scenario,samples,mean_ns,std_ns,min_ns,max_ns\n";
        for (const auto& r : R.t5)
            c << r.scenario << "," << csv_opt(r.samples) << "," << csv_opt(r.mean) << ","
              << csv_opt(r.std) << "," << csv_opt(r.min) << "," << csv_opt(r.max) << "\n";
        write_text(ctx.out / "table5_latency.csv", c.str());
    }

    // ---- results.json
    JsonWriter w;
    w.begin_object();
    w.begin_object("meta")
        .value("quick", ctx.quick)
        .value("version", R.version)
        .value("core_hz", static_cast<uint64_t>(R.core_hz))
        .value("runs", static_cast<uint64_t>(runs.size()))
        .begin_object("latency")
        .value("workload", ctx.lat_workload)
        .value("guest_param", ctx.guest_param);
    if (ctx.guest_param)
        w.value("samples", ctx.lat_samples).value("period_us", ctx.lat_period_us);
    w.end_object().end_object();
    w.begin_array("failures");
    for (size_t i = 0; i < runs.size(); ++i)
        if (!res[i].ok)
            w.begin_object()
                .value("id", runs[i].id)
                .value("reason", res[i].reason)
                .value("log", log_path(ctx, runs[i]).string())
                .end_object();
    w.end_array();
    w.begin_object("table1").begin_array("sloc");
    for (const auto& r : R.t1.sloc)
        w.begin_object()
            .value("dir", r.dir)
            .value("files", r.files)
            .value("sloc", r.sloc)
            .end_object();
    w.end_array()
        .value("sloc_total", R.t1.total)
        .begin_object("image")
        .value("built", !R.t1.elf.empty());
    if (!R.t1.elf.empty()) {
        w.value("elf", R.t1.elf).value("loaded_bytes", R.t1.loaded).begin_object("sections");
        for (const auto& s : R.t1.sections)
            w.value(s.name, s.bytes);
        w.end_object();
    }
    w.end_object().end_object();
    w.begin_array("table2");
    for (const auto& r : R.t2)
        w.begin_object()
            .value("memory_mib", r.mib)
            .value("uncolored_pages", r.uncolored)
            .value("colored_pages", r.colored)
            .end_object();
    w.end_array();
    w.begin_array("table3");
    for (const auto& r : R.t3) {
        w.begin_object()
            .value("vm", r.vm)
            .value("scenario", r.scenario)
            .value("image_bytes", r.image_bytes)
            .value("region_bytes", r.region_bytes);
        opt_value(w, "hv_init_cycles", r.hv_init_cycles, true);
        opt_value(w, "hv_init_ms", ms(r.hv_init_cycles));
        opt_value(w, "first_app_cycles", r.first_app_cycles, true);
        opt_value(w, "first_app_ms", ms(r.first_app_cycles));
        opt_value(w, "recolor_bytes", r.recolor_bytes, true);
        if (r.first_app_cycles)
            w.value("first_app_source", r.first_app_source);
        w.end_object();
    }
    w.end_array();
    w.begin_array("figure2");
    for (const auto& wl : R.workloads) {
        w.begin_object().value("workload", wl);
        auto it = R.perf.find(wl);
        if (it != R.perf.end() && it->second.count("native")) {
            opt_value(w, "native_cycles", it->second.at("native").cycles, true);
            opt_value(w, "native_ms", ms(it->second.at("native").cycles));
        }
        w.begin_object("normalised");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(R, wl, sc))
                w.value(sc, 1.0 + *s / 100.0);
        w.end_object().begin_object("slowdown_pct");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(R, wl, sc))
                w.value(sc, *s);
        w.end_object();
        if (auto ref = kRefSlow.find(wl); ref != kRefSlow.end()) {
            w.begin_object("paper_slowdown_pct");
            for (size_t k = 0; k < kHvScenarios.size(); ++k)
                w.value(kHvScenarios[k], ref->second[k]);
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
    w.begin_array("table4");
    for (const auto& wl : {"qsort-small", "qsort-large"}) {
        auto it = R.perf.find(wl);
        if (it == R.perf.end())
            continue;
        for (const auto& sc : kPerfScenarios) {
            auto j = it->second.find(sc);
            if (j == it->second.end())
                continue;
            const auto& p = j->second;
            w.begin_object().value("workload", wl).value("scenario", sc);
            opt_value(w, "l2_miss_rate", p.l2_miss_rate);
            opt_value(w, "l2_mpki", p.l2_mpki);
            opt_value(w, "dtlb_miss_rate", p.dtlb_miss_rate);
            opt_value(w, "dtlb_mpki", p.dtlb_mpki);
            opt_value(w, "mem_stall_share", p.mem_stall_share);
            opt_value(w, "ipc", p.ipc);
            w.end_object();
        }
    }
    w.end_array();
    w.begin_array("table5");
    for (const auto& r : R.t5) {
        w.begin_object().value("scenario", r.scenario);
        opt_value(w, "samples", r.samples, true);
        opt_value(w, "mean_ns", r.mean);
        opt_value(w, "std_ns", r.std);
        opt_value(w, "min_ns", r.min);
        opt_value(w, "max_ns", r.max);
        if (auto ref = kRefLat.find(r.scenario); ref != kRefLat.end())
            w.begin_object("paper_ns")
                .value("mean", ref->second.mean)
                .value("std", ref->second.std)
                .value("min", ref->second.min)
                .value("max", ref->second.max)
                .end_object();
        w.end_object();
    }
    w.end_array();
    w.begin_array("conclusions");
    for (const auto& v : R.verdicts)
        w.begin_object()
            .value("id", v.id)
            .value("claim", v.claim)
            .value("reproduced", v.verdict)
            .value("evidence", v.evidence)
            .end_object();
    w.end_array();
    w.end_object();
    write_text(ctx.out / "results.json", w.str() + "\n");
}

void write_report(const Context& ctx, const std::vector<Run>& runs, const std::vector<Outcome>& res,
                  const Results& R, const std::string& timing, const std::string& plots) {
    auto ms = [&](const std::optional<double>& c) -> std::optional<double> {
        return c ? std::optional<double>(*c / R.core_hz * 1e3) : std::nullopt;
    };
    std::ostringstream m;
    m << "# bao-sim reproduction of the Bao evaluation\n\n";
    m << "Generated by `bao-sim reproduce" << (ctx.quick ? " --quick" : "") << "` (bao-sim "
      << (R.version.empty() ? "unknown" : R.version) << "). " << runs.size()
      << " simulations, each its own bao-sim process; every number below is computed from their "
         "stats files (`runs/*.json`). Paper figures: ZCU104 (Cortex-A53, 1.2 GHz), from "
         "bao-reference.md. "
      << timing << "\n\n";
    size_t failed = 0;
    for (const auto& o : res)
        failed += o.ok ? 0 : 1;
    if (failed) {
        m << "**" << failed << " run(s) failed**; their cells are empty:\n\n";
        for (size_t i = 0; i < runs.size(); ++i)
            if (!res[i].ok)
                m << "- `" << runs[i].id << "`: " << res[i].reason << " (log `"
                  << log_path(ctx, runs[i]).string() << "`)\n";
        m << "\n";
    }

    m << "## The paper's conclusions\n\n| conclusion | reproduced | evidence |\n|---|---|---|\n";
    for (const auto& v : R.verdicts)
        m << "| " << v.claim << " | **" << v.verdict << "** | " << v.evidence << " |\n";
    m << "\n";

    m << "## Table 1: size\n\nSource lines (non-blank lines that are not only a comment, in "
         "`.h`, `.cpp` and `.S` files) per hv/ directory:\n\n| directory | files | SLoC "
         "|\n|---|---|---|\n";
    for (const auto& r : R.t1.sloc)
        m << "| " << r.dir << " | " << r.files << " | " << r.sloc << " |\n";
    m << "| **total** | | **" << R.t1.total << "** (paper: ~5.6 K) |\n\n";
    if (R.t1.elf.empty()) {
        m << "Image sections: not built (no bao-hv.elf under the build directory, or "
             "aarch64-linux-gnu-size missing).\n\n";
    } else {
        m << "Sections of the real AArch64 image (`" << R.t1.elf
          << "`, `aarch64-linux-gnu-size -A`):\n\n| section | bytes |\n|---|---|\n";
        for (const auto& s : R.t1.sections)
            m << "| " << s.name << " | " << s.bytes << " |\n";
        m << "| .text + .rodata + .data | " << R.t1.loaded << " (" << fixed(R.t1.loaded / 1024.0, 1)
          << " KiB; paper: ~43 KiB loaded image) |\n\n";
    }

    m << "## Table 2: stage-2 page-table pages\n\n";
    if (!R.t2_error.empty())
        m << R.t2_error << "\n\n";
    m << "| VM memory | uncolored | colored |\n|---|---|---|\n";
    for (const auto& r : R.t2)
        m << "| " << r.mib << " MiB | " << r.uncolored << " | " << r.colored << " |\n";
    m << "\nColoring maps every 4 KiB page, so it needs about one level-3 table per 2 MiB, as in "
         "the paper.\n\n";

    m << "## Table 3: boot\n\nSmall VM: " << kBootVms[0].image_bytes / 1024
      << " KiB image, 32 MiB; large VM: 39 MiB synthetic image (bitcount-small padded with "
         "zeros), 512 MiB. hv init = first hv instruction to first guest instruction; first app "
         "= cycle of the guest's first measured-region mark (its first application "
         "instruction), counted from reset.\n\n";
    if (!R.boot_keys)
        m << "The stats files carry no `boot.*` keys (this bao-sim build predates them): hv init "
             "is not available and the time to the first application instruction is the start "
             "mark's cycle (`marks[0].cycle`).\n\n";
    m << "| VM | scenario | hv init (cycles) | hv init (ms) | first app (cycles) | first app (ms) "
         "| recolored bytes |\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : R.t3)
        m << "| " << r.vm << " | " << r.scenario << " | " << opt_fixed(r.hv_init_cycles, 0) << " | "
          << opt_fixed(ms(r.hv_init_cycles), 3) << " | " << opt_fixed(r.first_app_cycles, 0)
          << " | " << opt_fixed(ms(r.first_app_cycles), 3) << " | " << opt_fixed(r.recolor_bytes, 0)
          << " |\n";
    m << "\nPaper: recoloring dominates the colored large case. In bao-sim the images are "
         "placed in memory before reset (the bootloader's copy is not timed), so only "
         "recoloring, which hv does and accounts, depends on the image size.\n\n";

    m << "## Figure 2: MiBench runtime normalised to native\n\n";
    if (!plots.empty())
        m << plots << "\n\n";
    m << "Slowdown versus native, % (solo / solo-col / interf / interf-col); paper figures where "
         "published.\n\n| workload | native (ms) | solo | solo-col | interf | interf-col | paper "
         "|\n|---|---|---|---|---|---|---|\n";
    for (const auto& wl : R.workloads) {
        auto it = R.perf.find(wl);
        std::optional<double> nc;
        if (it != R.perf.end() && it->second.count("native"))
            nc = it->second.at("native").cycles;
        m << "| " << wl << " | " << opt_fixed(ms(nc), 2);
        for (const auto& sc : kHvScenarios)
            m << " | " << opt_fixed(slowdown(R, wl, sc), 2);
        m << " | ";
        if (auto ref = kRefSlow.find(wl); ref != kRefSlow.end())
            m << fixed(ref->second[0], 2) << " / " << fixed(ref->second[1], 2) << " / "
              << fixed(ref->second[2], 1) << " / " << fixed(ref->second[3], 1);
        m << " |\n";
    }
    m << "\nPaper: qsort small native about 21.4 ms, qsort large about 218 ms.\n\n";

    m << "## Table 4: qsort, memory-system counters\n\n| workload | scenario | L2 miss rate | L2 "
         "MPKI | DTLB miss rate | DTLB MPKI | memory-stall share "
         "|\n|---|---|---|---|---|---|---|\n";
    for (const auto& wl : {"qsort-small", "qsort-large"}) {
        auto it = R.perf.find(wl);
        if (it == R.perf.end())
            continue;
        for (const auto& sc : kPerfScenarios) {
            auto j = it->second.find(sc);
            if (j == it->second.end())
                continue;
            const auto& p = j->second;
            m << "| " << wl << " | " << sc << " | " << opt_fixed(p.l2_miss_rate, 4) << " | "
              << opt_fixed(p.l2_mpki, 2) << " | " << opt_fixed(p.dtlb_miss_rate, 5) << " | "
              << opt_fixed(p.dtlb_mpki, 3) << " | " << opt_fixed(p.mem_stall_share, 3) << " |\n";
        }
    }
    m << "\nPaper (qsort small): L2 refills 7.84 per 1000 instructions in solo-col, 7.15 in "
         "interf-col.\n\n";

    m << "## Table 5: interrupt latency (ns)\n\n";
    m << "Workload `" << ctx.lat_workload << "`";
    if (ctx.guest_param)
        m << " with `--guest-param 0=" << ctx.lat_samples
          << " --guest-param 1=" << ctx.lat_period_us << "` (" << ctx.lat_samples
          << " samples, period " << ctx.lat_period_us
          << " us; the paper's 10 ms period would cost 10 s of simulated time with two streaming "
             "cores per interference run)";
    m << ".\n\n| scenario | samples | mean | std | min | max | paper mean / std / min / max "
         "|\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : R.t5) {
        m << "| " << r.scenario << " | " << opt_fixed(r.samples, 0) << " | " << opt_fixed(r.mean, 0)
          << " | " << opt_fixed(r.std, 0) << " | " << opt_fixed(r.min, 0) << " | "
          << opt_fixed(r.max, 0) << " | ";
        if (auto ref = kRefLat.find(r.scenario); ref != kRefLat.end())
            m << ref->second.mean << " / " << ref->second.std << " / " << ref->second.min << " / "
              << ref->second.max;
        m << " |\n";
    }
    m << "\n";
    write_text(ctx.out / "report.md", m.str());
}

std::string make_plots(const Context& ctx, std::ostream& out) {
    fs::path script = ctx.src_dir / "scripts" / "plot_results.py";
    if (ctx.src_dir.empty() || !fs::exists(script)) {
        out << "[reproduce] plots skipped: scripts/plot_results.py not found\n";
        return "Plots: not made (scripts/plot_results.py not found).";
    }
    std::string python;
    for (const char* cand : {"/usr/bin/python3", "python3"})
        if (std::system((std::string(cand) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) ==
            0) {
            python = cand;
            break;
        }
    if (python.empty()) {
        out << "[reproduce] plots skipped: python3 with matplotlib not found (Debian: "
               "python3-matplotlib)\n";
        return "Plots: not made (python3 with matplotlib not found).";
    }
    std::string cmd = python + " " + shell_quote(script.string()) + " " +
                      shell_quote((ctx.out / "results.json").string()) + " " +
                      shell_quote(ctx.out.string()) + " > " +
                      shell_quote((ctx.out / "plots.log").string()) + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        out << "[reproduce] plotting failed; see " << (ctx.out / "plots.log").string() << "\n";
        return "Plots: plotting failed (see plots.log).";
    }
    return "![Figure 2](figure2.png) ![Interrupt latency](latency.png)";
}

} // namespace

int reproduce_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    po::options_description desc(
        "bao-sim reproduce: run the Bao paper's evaluation and write its tables, figures and a "
        "report\n(docs/reproduce.md)\n\nOptions");
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    // clang-format off
    desc.add_options()
        ("help,h", "print this help and exit")
        ("out,o", po::value<std::string>(), "output directory (created)")
        ("quick", "small inputs only, few latency samples (CI)")
        ("jobs,j", po::value<unsigned>()->default_value(hw), "simulations run at once")
        ("emit-jobs", po::value<std::string>(),
         "write one shell command line per run to this file and exit")
        ("collect", po::value<std::string>(),
         "do not run: assemble the results found in DIR/runs/*.json (written by --emit-jobs)")
        ("binary", po::value<std::string>(), "bao-sim binary to run (default: this one)");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "bao-sim reproduce: error: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        out << desc << "\n";
        return 0;
    }
    try {
        Context ctx;
        if (vm.count("collect"))
            ctx.out = vm["collect"].as<std::string>();
        else if (vm.count("out"))
            ctx.out = vm["out"].as<std::string>();
        else {
            err << "bao-sim reproduce: error: give --out DIR (or --collect DIR)\n";
            return 2;
        }
        ctx.out = fs::absolute(ctx.out).lexically_normal();
        ctx.quick = vm.count("quick") > 0;
        ctx.jobs = std::max(1u, vm["jobs"].as<unsigned>());
        ctx.bin = vm.count("binary") ? fs::absolute(vm["binary"].as<std::string>())
                                     : fs::read_symlink("/proc/self/exe");
        ctx.build_dir = ctx.bin.parent_path();
        ctx.src_dir = find_source_dir(ctx.build_dir);
        ctx.guest_param =
            capture(shell_quote(ctx.bin.string()) + " --help").find("--guest-param") !=
            std::string::npos;
        if (ctx.guest_param) {
            ctx.lat_workload = "irqlat";
            ctx.lat_samples = ctx.quick ? 50 : 1000;
            ctx.lat_period_us = 1000;
        } else {
            ctx.lat_workload = ctx.quick ? "irqlat-quick" : "irqlat";
        }
        fs::create_directories(ctx.out / "runs");
        std::vector<Run> runs;
        std::vector<Outcome> res;
        auto t0 = std::chrono::steady_clock::now();
        std::string timing;
        if (vm.count("collect")) {
            runs = plan_runs(ctx);
            for (const auto& r : runs)
                res.push_back(check_run(ctx, r, std::nullopt));
            timing = "Results collected from runs made elsewhere (`--collect`).";
        } else {
            prepare_boot_inputs(ctx);
            runs = plan_runs(ctx);
            if (vm.count("emit-jobs")) {
                std::ostringstream f;
                for (const auto& r : runs) {
                    f << shell_quote(ctx.bin.string());
                    for (const auto& a : r.args)
                        f << " " << shell_quote(a);
                    f << " > " << shell_quote(log_path(ctx, r).string()) << " 2>&1\n";
                }
                write_text(vm["emit-jobs"].as<std::string>(), f.str());
                out << "[reproduce] wrote " << runs.size() << " command lines to "
                    << vm["emit-jobs"].as<std::string>() << "; then run: bao-sim reproduce "
                    << (ctx.quick ? "--quick " : "") << "--collect " << ctx.out.string() << "\n";
                return 0;
            }
            out << "[reproduce] " << runs.size() << " simulations, " << ctx.jobs
                << " at a time, into " << ctx.out.string() << "\n"
                << std::flush;
            res = execute(ctx, runs, out);
            double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::ostringstream t;
            t << "Wall-clock time of the runs: " << fixed(secs, 0) << " s with --jobs " << ctx.jobs
              << " on " << hw << " host core(s).";
            timing = t.str();
        }
        Results R;
        assemble(ctx, runs, res, R);
        judge(ctx, R);
        write_outputs(ctx, runs, res, R);
        std::string plots = make_plots(ctx, out);
        write_report(ctx, runs, res, R, timing, plots);
        size_t failed = 0;
        for (size_t i = 0; i < runs.size(); ++i)
            if (!res[i].ok) {
                if (failed++ == 0)
                    out << "[reproduce] failed runs:\n";
                out << "  " << runs[i].id << ": " << res[i].reason << " (log "
                    << log_path(ctx, runs[i]).string() << ")\n";
            }
        out << "[reproduce] " << (runs.size() - failed) << "/" << runs.size() << " runs ok; "
            << timing << "\n[reproduce] wrote " << (ctx.out / "report.md").string() << ", "
            << (ctx.out / "results.json").string() << " and the CSVs\n";
        for (const auto& v : R.verdicts)
            out << "  " << std::left << std::setw(16) << v.id << " " << v.verdict << "\n";
        return failed ? 1 : 0;
    } catch (const std::exception& e) {
        err << "bao-sim reproduce: error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace sim
