// Opt-in timing of the parallel scheduler (docs/parallel.md, "Measuring it"):
// with BAO_SIM_PARALLEL_PROFILE=1 in the environment, each quantum's phases
// (the serial prologue, each core's bound part and tail, the weave, the work
// between quanta: settling, observers) and each host thread's waits are
// timed, and at the run's end a summary goes to stderr. From the phases of
// each quantum it also estimates the critical path on 2 and 4 host threads
// with free synchronization, the same list scheduling the scheduler does, so
// a 1-thread run on a loaded host gives the speedup an idle one could reach.
// Host timing only: it changes no statistic.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace sim {

class ParallelProfile {
  public:
    using Clock = std::chrono::steady_clock;
    // group: a core's bound part for the previous core of its group; turn: a
    // core for its turn; end (thread 0): for the quantum's last tail; start
    // (workers): for the next quantum.
    enum class Wait : unsigned { group, turn, end, start, count };

    ParallelProfile(); // on if the environment says so
    // `group_before`: the previous core of each core's group, or -1.
    void set_up(unsigned threads, std::vector<int> group_before);
    ParallelProfile(const ParallelProfile&) = delete;
    ParallelProfile& operator=(const ParallelProfile&) = delete;
    ~ParallelProfile(); // prints the summary

    bool on() const { return on_; }
    static Clock::time_point now() { return Clock::now(); }

    // Main thread, at the quantum's entry, after the prologue, at its return.
    void quantum_begin(Clock::time_point t);
    void prologue_done(Clock::time_point t);
    // Main thread: the weave, after every core's quantum.
    void weave(Clock::time_point from, Clock::time_point to, uint64_t accesses) {
        q_weave_ = ns(from, to);
        weave_accesses_ += accesses;
    }
    void quantum_done(Clock::time_point t);
    // Any thread, for its own core or its own thread slot.
    void bound(unsigned core, Clock::time_point from, Clock::time_point to) {
        q_bound_[core] += ns(from, to);
    }
    void tail(unsigned core, Clock::time_point from, Clock::time_point to) {
        q_tail_[core] += ns(from, to);
    }
    void waited(unsigned thread, Wait kind, Clock::time_point from, Clock::time_point to,
                bool slept) {
        Thread& t = threads_[thread];
        t.wait_ns[static_cast<unsigned>(kind)] += ns(from, to);
        t.waits[static_cast<unsigned>(kind)] += 1;
        t.sleeps[static_cast<unsigned>(kind)] += slept;
    }
    // A worker's concurrent weave in a quantum: from its last core to the
    // quantum's last tail, `polls` calls of Hierarchy::weave_some().
    void wove(unsigned thread, Clock::time_point from, Clock::time_point to, uint64_t polls,
              uint64_t accesses) {
        Thread& t = threads_[thread];
        t.weave_ns += ns(from, to);
        t.weave_polls += polls;
        t.weave_accesses += accesses;
    }
    // A host thread's CPU time from its first to its last call (RUSAGE_THREAD).
    void thread_started(unsigned thread);
    void thread_stopped(unsigned thread);

  private:
    static uint64_t ns(Clock::time_point a, Clock::time_point b) {
        return static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
    }
    // The quantum's critical path on `threads` host threads with free
    // synchronization: cores taken in ascending order by the first free
    // thread, a group's core after the previous one, tails in core order.
    // `concurrent`: the weave runs on the first thread free of bound parts,
    // ending no earlier than the last tail (the concurrent weave's bound).
    uint64_t critical_path(unsigned threads, bool concurrent) const;
    void report() const;

    struct Thread {
        std::array<uint64_t, static_cast<unsigned>(Wait::count)> wait_ns{};
        std::array<uint64_t, static_cast<unsigned>(Wait::count)> waits{};
        std::array<uint64_t, static_cast<unsigned>(Wait::count)> sleeps{};
        uint64_t weave_ns = 0; // a worker's concurrent weave, polls included
        uint64_t weave_polls = 0;
        uint64_t weave_accesses = 0;
        uint64_t cpu_start_ns = 0;
        uint64_t cpu_ns = 0;
        // Keeps threads' counters on separate cache lines.
        alignas(64) char pad = 0;
    };
    static constexpr uint64_t kPreempted = 1'000'000; // ns: a quantum this long was descheduled

    bool on_ = false;
    unsigned cores_ = 0;
    std::vector<int> group_before_;
    std::vector<Thread> threads_;
    // This quantum's phases.
    Clock::time_point q_begin_{}, q_prologue_{}, last_done_{};
    uint64_t q_between_ = 0; // before this quantum: since the last one returned
    uint64_t q_weave_ = 0;
    std::vector<uint64_t> q_bound_, q_tail_;
    // Totals over the kept quanta (none longer than kPreempted).
    uint64_t quanta_ = 0, dropped_ = 0;
    uint64_t prologue_ns_ = 0, weave_ns_ = 0, between_ns_ = 0, wall_ns_ = 0;
    uint64_t weave_accesses_ = 0; // woven by thread 0 after the quanta (every quantum)
    std::vector<uint64_t> bound_ns_, tail_ns_;
    std::array<uint64_t, 3> critical_ns_{};   // on 1, 2 and 4 threads
    std::array<uint64_t, 3> concurrent_ns_{}; // the same with the concurrent weave
};

} // namespace sim
