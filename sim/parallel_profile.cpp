#include "sim/parallel_profile.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sim {

namespace {

uint64_t thread_cpu_ns() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    auto ns = [](const timeval& t) {
        return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u +
               static_cast<uint64_t>(t.tv_usec) * 1000u;
    };
    return ns(u.ru_utime) + ns(u.ru_stime);
}

double ms(uint64_t ns) {
    return static_cast<double>(ns) / 1e6;
}

} // namespace

ParallelProfile::ParallelProfile() {
    const char* env = std::getenv("BAO_SIM_PARALLEL_PROFILE");
    on_ = env && *env && std::strcmp(env, "0") != 0;
}

void ParallelProfile::set_up(unsigned threads, std::vector<int> group_before) {
    cores_ = static_cast<unsigned>(group_before.size());
    group_before_ = std::move(group_before);
    threads_.resize(threads);
    q_bound_.assign(cores_, 0);
    q_tail_.assign(cores_, 0);
    bound_ns_.assign(cores_, 0);
    tail_ns_.assign(cores_, 0);
}

ParallelProfile::~ParallelProfile() {
    if (on_)
        report();
}

void ParallelProfile::thread_started(unsigned thread) {
    if (on_)
        threads_[thread].cpu_start_ns = thread_cpu_ns();
}

void ParallelProfile::thread_stopped(unsigned thread) {
    if (on_)
        threads_[thread].cpu_ns = thread_cpu_ns() - threads_[thread].cpu_start_ns;
}

void ParallelProfile::quantum_begin(Clock::time_point t) {
    q_begin_ = t;
    q_weave_ = 0;
    q_between_ = last_done_ == Clock::time_point{} ? 0 : ns(last_done_, t);
    std::fill(q_bound_.begin(), q_bound_.end(), 0);
    std::fill(q_tail_.begin(), q_tail_.end(), 0);
}

void ParallelProfile::prologue_done(Clock::time_point t) {
    q_prologue_ = t;
}

void ParallelProfile::quantum_done(Clock::time_point t) {
    last_done_ = t;
    const uint64_t wall = ns(q_begin_, t) + q_between_;
    if (wall > kPreempted) { // descheduled: its phases say nothing about the model's cost
        ++dropped_;
        return;
    }
    ++quanta_;
    wall_ns_ += wall;
    prologue_ns_ += ns(q_begin_, q_prologue_);
    weave_ns_ += q_weave_;
    between_ns_ += q_between_;
    for (unsigned i = 0; i < cores_; ++i) {
        bound_ns_[i] += q_bound_[i];
        tail_ns_[i] += q_tail_[i];
    }
    const std::array<unsigned, 3> threads{1, 2, 4};
    for (size_t k = 0; k < threads.size(); ++k) {
        critical_ns_[k] += critical_path(threads[k], false);
        concurrent_ns_[k] += critical_path(threads[k], true);
    }
}

uint64_t ParallelProfile::critical_path(unsigned threads, bool concurrent) const {
    std::vector<uint64_t> free(threads, 0), finished(cores_, 0);
    uint64_t turn_at = 0;     // when the previous core's quantum finished
    unsigned turn_holder = 0; // the thread that finished it
    for (unsigned i = 0; i < cores_; ++i) {
        const auto t =
            static_cast<unsigned>(std::min_element(free.begin(), free.end()) - free.begin());
        uint64_t start = free[t];
        if (group_before_[i] >= 0)
            start = std::max(start, finished[static_cast<unsigned>(group_before_[i])]);
        const uint64_t bound_end = start + q_bound_[i];
        const unsigned runs_tail = bound_end >= turn_at ? t : turn_holder;
        const uint64_t tail_end = std::max(bound_end, turn_at) + q_tail_[i];
        free[t] = bound_end;
        free[runs_tail] = std::max(free[runs_tail], tail_end);
        finished[i] = turn_at = tail_end;
        turn_holder = runs_tail;
    }
    const uint64_t prologue = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(q_prologue_ - q_begin_).count());
    if (concurrent && threads > 1) {
        const uint64_t weaver = *std::min_element(free.begin(), free.end());
        return q_between_ + prologue + std::max(turn_at, weaver + q_weave_);
    }
    return q_between_ + prologue + turn_at + q_weave_;
}

void ParallelProfile::report() const {
    std::fprintf(stderr, "parallel profile: %llu quanta kept, %llu dropped (longer than %.1f ms)\n",
                 static_cast<unsigned long long>(quanta_),
                 static_cast<unsigned long long>(dropped_), ms(kPreempted));
    std::fprintf(stderr,
                 "  wall of kept quanta %.1f ms: prologue %.1f, weave %.1f (%llu accesses after "
                 "the quanta), between quanta %.1f\n",
                 ms(wall_ns_), ms(prologue_ns_), ms(weave_ns_),
                 static_cast<unsigned long long>(weave_accesses_), ms(between_ns_));
    uint64_t work = prologue_ns_ + weave_ns_ + between_ns_;
    for (unsigned i = 0; i < cores_; ++i) {
        std::fprintf(stderr, "  core %u: bound %.1f ms, tail %.1f ms\n", i, ms(bound_ns_[i]),
                     ms(tail_ns_[i]));
        work += bound_ns_[i] + tail_ns_[i];
    }
    std::fprintf(stderr,
                 "  work %.1f ms; critical path with free synchronization: 1 thread %.1f, "
                 "2 threads %.1f (%.2fx), 4 threads %.1f (%.2fx)\n",
                 ms(work), ms(critical_ns_[0]), ms(critical_ns_[1]),
                 static_cast<double>(critical_ns_[0]) / static_cast<double>(critical_ns_[1] | 1),
                 ms(critical_ns_[2]),
                 static_cast<double>(critical_ns_[0]) / static_cast<double>(critical_ns_[2] | 1));
    std::fprintf(stderr,
                 "  the same with the weave concurrent (on the first thread free): 2 threads "
                 "%.1f (%.2fx), 4 threads %.1f (%.2fx)\n",
                 ms(concurrent_ns_[1]),
                 static_cast<double>(critical_ns_[0]) / static_cast<double>(concurrent_ns_[1] | 1),
                 ms(concurrent_ns_[2]),
                 static_cast<double>(critical_ns_[0]) / static_cast<double>(concurrent_ns_[2] | 1));
    static const char* const names[] = {"group", "turn", "end", "start"};
    for (size_t t = 0; t < threads_.size(); ++t) {
        const Thread& th = threads_[t];
        std::fprintf(stderr, "  thread %zu: cpu %.1f ms;", t, ms(th.cpu_ns));
        for (unsigned k = 0; k < static_cast<unsigned>(Wait::count); ++k)
            std::fprintf(stderr, " %s wait %.1f ms (%llu, %llu slept)", names[k], ms(th.wait_ns[k]),
                         static_cast<unsigned long long>(th.waits[k]),
                         static_cast<unsigned long long>(th.sleeps[k]));
        if (th.weave_polls != 0)
            std::fprintf(stderr, " concurrent weave %.1f ms (%llu polls, %llu accesses)",
                         ms(th.weave_ns), static_cast<unsigned long long>(th.weave_polls),
                         static_cast<unsigned long long>(th.weave_accesses));
        std::fprintf(stderr, "\n");
    }
}

} // namespace sim
