// `bao-sim reproduce`: the pool that runs each simulation as its own bao-sim
// process, longest first, and reports progress as runs finish.
#include "experiments/reproduce_internal.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <fcntl.h>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace repro::detail {
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

std::string fmt_duration(double s) {
    long t = std::lround(s);
    std::ostringstream o;
    o << t / 60 << ":" << std::setw(2) << std::setfill('0') << t % 60;
    return o.str();
}

double expected_cost(const Run& r) {
    double c = r.workload.find("large") != std::string::npos ? 8.0 : 1.0;
    if (r.scenario.rfind("interf", 0) == 0)
        c *= 2.5;
    else if (r.scenario == "solo-col")
        c *= 1.5;
    if (r.group == "lat")
        c *= 4.0;
    if (r.group.rfind("linux", 0) == 0)
        c *= 15.0; // a kernel boot before the workload
    return c;
}

namespace {

// Progress lines as runs finish: one updating line on a terminal, else one
// line per run with its host time.
class Progress {
  public:
    Progress(const Context& ctx, size_t total, std::ostream& out)
        : ctx_(ctx), total_(total), out_(out),
          tty_((&out == &std::cout) && ::isatty(STDOUT_FILENO)),
          t0_(std::chrono::steady_clock::now()) {}

    void finished(const Run& r, const Outcome& o, double took) {
        std::lock_guard lock(mu_);
        ++done_;
        if (tty_)
            terminal_line(r, o);
        else
            log_line(r, o, took);
    }

    void close() {
        if (tty_)
            out_ << "\n";
    }

  private:
    void terminal_line(const Run& r, const Outcome& o) {
        double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        double eta = el / static_cast<double>(done_) * static_cast<double>(total_ - done_);
        out_ << "\r\033[K[reproduce] runs " << done_ << "/" << total_ << ", ETA "
             << fmt_duration(eta);
        if (!o.ok)
            out_ << "\n[reproduce] FAILED " << r.id << ": " << o.reason << " (log "
                 << log_path(ctx_, r).string() << ")\n";
        out_ << std::flush;
    }

    void log_line(const Run& r, const Outcome& o, double took) {
        out_ << "[reproduce] " << done_ << "/" << total_ << " " << (o.ok ? "ok     " : "FAILED ")
             << r.id << " (" << fixed(took, 1) << " s)";
        if (!o.ok)
            out_ << ": " << o.reason << " (log " << log_path(ctx_, r).string() << ")";
        out_ << std::endl;
    }

    const Context& ctx_;
    size_t total_;
    std::ostream& out_;
    bool tty_;
    std::chrono::steady_clock::time_point t0_;
    std::mutex mu_;
    size_t done_ = 0;
};

} // namespace

std::vector<Outcome> execute(const Context& ctx, const std::vector<Run>& runs, std::ostream& out) {
    std::vector<Outcome> results(runs.size());
    std::vector<size_t> order(runs.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return expected_cost(runs[a]) > expected_cost(runs[b]);
    });
    std::atomic<size_t> next{0};
    Progress progress(ctx, runs.size(), out);
    auto worker = [&] {
        for (size_t k; (k = next.fetch_add(1)) < runs.size();) {
            size_t i = order[k];
            auto t1 = std::chrono::steady_clock::now();
            Outcome o = check_run(ctx, runs[i], spawn_run(ctx, runs[i]));
            double took =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
            progress.finished(runs[i], o, took);
            results[i] = std::move(o);
        }
    };
    std::vector<std::thread> pool;
    unsigned n = std::max(1u, std::min<unsigned>(ctx.jobs, static_cast<unsigned>(runs.size())));
    for (unsigned t = 0; t < n; ++t)
        pool.emplace_back(worker);
    for (auto& t : pool)
        t.join();
    progress.close();
    return results;
}

} // namespace repro::detail
