// `bao-sim reproduce`: the pool that runs each simulation as its own bao-sim
// process, longest first, and reports progress as runs finish.
#include "experiments/reproduce_internal.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fcntl.h>
#include <iomanip>
#include <iostream>
#include <map>
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
    if (r.group.rfind("linux", 0) == 0 && r.after.empty())
        c *= 15.0; // a kernel boot before the workload (a restore has none)
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
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < runs.size(); ++i)
        index[runs[i].id] = i;
    // Each run: waiting, started, done. A worker takes the costliest waiting
    // run whose `after` is done, and waits while none is.
    enum class State { waiting, started, done };
    std::vector<State> state(runs.size(), State::waiting);
    std::mutex mu;
    std::condition_variable changed;
    size_t started = 0;
    auto ready = [&](size_t i) {
        auto dep = index.find(runs[i].after);
        return runs[i].after.empty() || dep == index.end() || state[dep->second] == State::done;
    };
    Progress progress(ctx, runs.size(), out);
    auto worker = [&] {
        std::unique_lock lock(mu);
        while (started < runs.size()) {
            auto k = std::find_if(order.begin(), order.end(),
                                  [&](size_t i) { return state[i] == State::waiting && ready(i); });
            if (k == order.end()) {
                changed.wait(lock);
                continue;
            }
            const size_t i = *k;
            state[i] = State::started;
            ++started;
            auto dep = index.find(runs[i].after);
            const Outcome* needed =
                runs[i].after.empty() || dep == index.end() ? nullptr : &results[dep->second];
            lock.unlock();
            auto t1 = std::chrono::steady_clock::now();
            Outcome o;
            if (needed && !needed->ok)
                o.reason = "needs " + runs[i].after + ", which failed";
            else
                o = check_run(ctx, runs[i], spawn_run(ctx, runs[i]));
            double took =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
            o.host_seconds = took;
            progress.finished(runs[i], o, took);
            lock.lock();
            results[i] = std::move(o);
            state[i] = State::done;
            changed.notify_all();
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

std::string time_by_group(const std::vector<Run>& runs, const std::vector<Outcome>& res) {
    std::map<std::string, std::pair<size_t, double>> by; // group -> runs, seconds
    for (size_t i = 0; i < runs.size() && i < res.size(); ++i) {
        by[runs[i].group].first++;
        by[runs[i].group].second += res[i].host_seconds;
    }
    std::string s;
    for (const auto& [group, n] : by)
        s += (s.empty() ? "" : ", ") + group + " " + std::to_string(n.first) + " run(s) " +
             fixed(n.second, 0) + " s";
    return s;
}

std::string job_lines(const Context& ctx, const std::vector<Run>& runs) {
    auto line = [&](const Run& r) {
        std::ostringstream f;
        f << shell_quote(ctx.bin.string());
        for (const auto& a : r.args)
            f << " " << shell_quote(a);
        f << " > " << shell_quote(log_path(ctx, r).string()) << " 2>&1";
        return f.str();
    };
    std::ostringstream f;
    for (const auto& r : runs) {
        if (!r.after.empty())
            continue; // on the line of the run it needs
        f << line(r);
        std::string then;
        for (const auto& d : runs)
            if (d.after == r.id)
                then += (then.empty() ? "" : "; ") + line(d);
        if (!then.empty())
            f << " && { " << then << "; }";
        f << "\n";
    }
    return f.str();
}

} // namespace repro::detail
