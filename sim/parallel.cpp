#include "sim/parallel.h"

#include "sim/machine.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace sim {

namespace {

constexpr unsigned kPauseMicros = 2;
constexpr unsigned kSpinMicros = 200;
constexpr unsigned kWeavePollPauses = 32;
constexpr unsigned kWeaveIdlePolls = 64;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// Busy-waits for `done` before the caller blocks (futex). On an idle host a
// sleeping thread takes about as long to wake as a quantum's bound part lasts
// (tens of microseconds), and the waits between quanta are that short, so they
// are spun through: a few microseconds of pause, then sched_yield between
// checks, so that on a loaded host the thread being waited for (or another
// process) gets the host core instead of the spinner. A pure spin of 1 ms was
// far worse on a loaded host (docs/parallel.md). Most waits are over before
// they start (always so on one thread): those cost one load, no clock read.
template <typename Pred> bool spin_until(Pred done) {
    if (done())
        return true;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    for (unsigned i = 1;; ++i) {
        if (done())
            return true;
        cpu_relax();
        if (i % 32 == 0 && Clock::now() - start > std::chrono::microseconds(kPauseMicros))
            break;
    }
    const auto until = start + std::chrono::microseconds(kSpinMicros);
    while (Clock::now() < until) {
        if (done())
            return true;
        sched_yield();
    }
    return done();
}

} // namespace

std::vector<std::vector<unsigned>> core_groups(const std::vector<uint64_t>& masks, unsigned cores) {
    std::vector<unsigned> root(cores);
    std::iota(root.begin(), root.end(), 0u);
    auto find = [&](unsigned c) {
        while (root[c] != c)
            c = root[c] = root[root[c]];
        return c;
    };
    auto join = [&](unsigned a, unsigned b) {
        a = find(a);
        b = find(b);
        root[std::max(a, b)] = std::min(a, b);
    };
    if (masks.empty())
        for (unsigned c = 1; c < cores; ++c)
            join(0, c);
    for (uint64_t mask : masks) {
        int first = -1;
        for (unsigned c = 0; c < cores && c < 64; ++c) {
            if (!(mask >> c & 1))
                continue;
            if (first < 0)
                first = static_cast<int>(c);
            else
                join(static_cast<unsigned>(first), c);
        }
    }
    // Roots are each group's lowest core: groups come out ordered by it.
    std::vector<std::vector<unsigned>> groups;
    std::vector<int> index(cores, -1);
    for (unsigned c = 0; c < cores; ++c) {
        const unsigned r = find(c);
        if (index[r] < 0) {
            index[r] = static_cast<int>(groups.size());
            groups.emplace_back();
        }
        groups[static_cast<size_t>(index[r])].push_back(c);
    }
    return groups;
}

double measure_host_round_trip_ns() {
    // 3: the peer has not started; 1: its turn; 0: ours; 2: stop.
    alignas(64) std::atomic<int> line{3};
    std::thread peer([&line] {
        line.store(0, std::memory_order_release);
        for (int v; (v = line.load(std::memory_order_acquire)) != 2;)
            if (v == 1)
                line.store(0, std::memory_order_release);
    });
    while (line.load(std::memory_order_acquire) != 0)
        std::this_thread::yield();
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    unsigned trips = 0;
    while (trips < 2000 &&
           ((trips & 15) != 0 || Clock::now() - start < std::chrono::milliseconds(2))) {
        line.store(1, std::memory_order_release);
        while (line.load(std::memory_order_acquire) != 0) {
        }
        ++trips;
    }
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    line.store(2, std::memory_order_release);
    peer.join();
    return ns / trips;
}

ParallelScheduler::ParallelScheduler(Machine& machine, const std::vector<uint64_t>& memory_groups)
    : m_(machine) {
    const unsigned cores = m_.core_count();
    const std::vector<std::vector<unsigned>> groups = core_groups(memory_groups, cores);
    threads_ =
        std::max(1u, std::min<unsigned>(m_.params().threads, static_cast<unsigned>(groups.size())));
    group_before_.assign(cores, -1);
    for (const auto& group : groups)
        for (size_t k = 1; k < group.size(); ++k)
            group_before_[group[k]] = static_cast<int>(group[k - 1]);
    ready_.assign(cores, 0);
    finished_.assign(cores, 0);
    has_turn_.assign(cores, 0);
    pending_.resize(cores);
    first_budget_.assign(cores, 0);
    may_power_on_.assign(cores, memory_groups.empty() ? 1 : 0);
    for (uint64_t mask : memory_groups)
        for (unsigned c = 0; c < cores && c < 64; ++c)
            may_power_on_[c] |= static_cast<uint8_t>(mask >> c & 1);
    first_result_.resize(cores);
    was_running_.assign(cores, 0);
    errors_.resize(cores);
    thread_of_.assign(cores, 0);
    if (threads_ > 1)
        round_trip_ns_ = measure_host_round_trip_ns();
    profile_.set_up(threads_, group_before_);
    profile_.thread_started(0);
    for (unsigned t = 1; t < threads_; ++t)
        workers_.emplace_back([this, t] { worker(t); });
}

ParallelScheduler::~ParallelScheduler() {
    quit_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& w : workers_)
        w.join();
    profile_.thread_stopped(0);
}

void ParallelScheduler::worker(unsigned thread) {
    profile_.thread_started(thread);
    uint32_t seen = 0;
    for (;;) {
        const auto from =
            profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
        const bool spun =
            spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
        if (!spun) // a waiter on the atomic costs its notifier a system call
            generation_.wait(seen, std::memory_order_acquire);
        seen = generation_.load(std::memory_order_acquire);
        if (quit_.load()) {
            profile_.thread_stopped(thread);
            return;
        }
        if (profile_.on())
            profile_.waited(thread, ParallelProfile::Wait::start, from, ParallelProfile::now(),
                            !spun);
        // Until no core of this quantum is left to take (none, if the worker
        // woke late); the tails left run on the thread that passes the turn.
        run_thread(thread, seen);
        weave_while_running(thread, seen);
    }
}

// Every core's first slice starts at its clock after the prologue; the weave
// may then take the prologue's accesses and follow the cores' watermarks. A
// core without a first slice (off, stopped, idle) runs nothing more in this
// quantum on its own: its tail only moves its clock to the quantum's end, so
// that is its floor (else a core without a VM would hold the weave back to the
// quantum's start until its tail, the last). But an off core that another core
// powers on in this quantum starts at the caller's time, before the quantum's
// end, and hv logs its accesses there (linux-solo-smp's secondary vCPU): such a
// core keeps its clock as its floor.
void ParallelScheduler::open_weave() {
    if (!m_.hierarchy_ || !m_.hierarchy_->in_bound())
        return;
    for (unsigned i = 0; i < m_.core_count(); ++i) {
        const bool may_start =
            first_budget_[i] || (m_.state_[i] == CoreState::off && may_power_on_[i]);
        m_.hierarchy_->set_floor(i,
                                 may_start ? m_.clock_[i] : std::max(m_.clock_[i], quantum_end_));
    }
    if (threads_ > 1)
        m_.hierarchy_->open_weave();
}

// A worker with no core left to take weaves behind the cores still running
// (the concurrent weave, docs/parallel.md) until the quantum's last tail.
// Thread 0 weaves what is left at the quantum's end; who wove what changes
// nothing but the host time.
void ParallelScheduler::weave_while_running(unsigned thread, uint32_t generation) {
    if (!m_.hierarchy_)
        return;
    const unsigned cores = m_.core_count();
    const auto from = profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
    uint64_t polls = 0, woven = 0;
    unsigned idle = 0; // polls in a row that found nothing
    while (generation_.load(std::memory_order_acquire) == generation &&
           turn_seen_.load(std::memory_order_acquire) < cores && !quit_.load()) {
        ++polls;
        if (const size_t n = m_.hierarchy_->weave_some()) {
            woven += n;
            idle = 0;
            continue;
        }
        // Nothing ready: the running cores log a shared access every microsecond
        // or so; polling their lines less often leaves them in their host
        // core's cache. After a few empty polls the worker yields between
        // polls: on a host core shared with thread 0 a spinning worker would
        // take its time (measured: --threads 2 slower than 1 at load 3).
        if (++idle > kWeaveIdlePolls) {
            sched_yield();
            continue;
        }
        for (unsigned k = 0; k < kWeavePollPauses; ++k)
            cpu_relax();
    }
    if (profile_.on())
        profile_.wove(thread, from, ParallelProfile::now(), polls, woven);
}

uint64_t ParallelScheduler::slice_cycles(const cpu::RunResult& r) const {
    return (r.core_cycles ? *r.core_cycles : r.instructions * m_.params_.cycles_per_insn) +
           r.stall_cycles;
}

void ParallelScheduler::run_quantum(uint64_t quantum_end) {
    const unsigned cores = m_.core_count();
    if (profile_.on())
        profile_.quantum_begin(ParallelProfile::now());
    if (m_.hierarchy_)
        m_.hierarchy_->begin_bound();
    for (unsigned i = 0; i < cores; ++i) {
        first_budget_[i] = 0;
        was_running_[i] = 0;
        has_turn_[i] = 0;
        ready_[i] = 0;
        finished_[i] = 0;
        if (!m_.outcome_)
            prologue(i, quantum_end);
    }
    if (!m_.outcome_) {
        turn_ = 0;
        turn_seen_.store(0, std::memory_order_relaxed);
        active_ = true;
        quantum_end_ = quantum_end;
        open_weave();
        const uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
        next_core_.store(uint64_t{generation} << 32, std::memory_order_release);
        if (profile_.on())
            profile_.prologue_done(ParallelProfile::now());
        generation_.store(generation, std::memory_order_release);
        generation_.notify_all();
        run_thread(0, generation);
        wait_for_quantum_end();
        active_ = false;
    }
    if (std::none_of(errors_.begin(), errors_.end(), [](const auto& e) { return bool(e); }))
        weave();
    if (profile_.on())
        profile_.quantum_done(ParallelProfile::now());
    m_.in_run_ = false;
    for (auto& e : errors_)
        if (e) {
            std::exception_ptr first = e;
            std::fill(errors_.begin(), errors_.end(), nullptr);
            std::rethrow_exception(first);
        }
}

// As the serial scheduler's step for core i, up to its first run.
void ParallelScheduler::prologue(unsigned i, uint64_t quantum_end) {
    if (m_.state_[i] == CoreState::idle)
        m_.idle_until(i, quantum_end);
    if (m_.state_[i] != CoreState::running)
        return;
    was_running_[i] = 1;
    m_.running_core_ = i;
    if (auto budget = m_.next_slice(i, quantum_end))
        first_budget_[i] = *budget;
}

// Deadlock-free for any number of threads: cores are taken in ascending
// order, so the lowest unfinished core is always taken, waits for nothing,
// and its tail runs at once or is run by the thread that passes it the turn.
std::optional<unsigned> ParallelScheduler::take_core(uint32_t generation) {
    const unsigned cores = m_.core_count();
    uint64_t next = next_core_.load(std::memory_order_acquire);
    for (;;) {
        if (next >> 32 != generation || static_cast<uint32_t>(next) >= cores)
            return std::nullopt;
        if (next_core_.compare_exchange_weak(next, next + 1, std::memory_order_acq_rel,
                                             std::memory_order_acquire))
            return static_cast<unsigned>(next);
    }
}

void ParallelScheduler::run_thread(unsigned thread, uint32_t generation) {
    const bool profile = profile_.on();
    for (std::optional<unsigned> next = take_core(generation); next; next = take_core(generation)) {
        const unsigned i = *next;
        thread_of_[i] = thread;
        if (group_before_[i] >= 0) { // its group's guest memory: after the previous core
            const auto before = static_cast<unsigned>(group_before_[i]);
            const auto from =
                profile ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
            const bool spun =
                spin_until([&] { return turn_seen_.load(std::memory_order_acquire) > before; });
            if (!spun) {
                std::unique_lock lock(turn_mutex_);
                turn_cv_.wait(lock, [&] { return finished_[before]; });
            }
            if (profile)
                profile_.waited(thread, ParallelProfile::Wait::group, from, ParallelProfile::now(),
                                !spun);
        }
        const auto from = profile ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
        try {
            bound(i);
        } catch (...) {
            errors_[i] = std::current_exception();
        }
        if (profile)
            profile_.bound(i, from, ParallelProfile::now());
        if (first_budget_[i] && !errors_[i] && m_.hierarchy_ && m_.hierarchy_->in_bound())
            m_.hierarchy_->set_floor(i, m_.clock_[i] + slice_cycles(first_result_[i]));
        bool now = has_turn_[i];
        if (!now) {
            std::lock_guard lock(turn_mutex_);
            now = turn_ == i;
            ready_[i] = !now;
        }
        if (now)
            tail(i, thread);
    }
}

// Every core's quantum done: the last tail passed the turn past the last core.
// Workers still in run_thread find no core to take, whenever they get there.
void ParallelScheduler::wait_for_quantum_end() {
    const unsigned cores = m_.core_count();
    const auto from = profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
    const bool spun =
        spin_until([&] { return turn_seen_.load(std::memory_order_acquire) >= cores; });
    if (!spun) {
        std::unique_lock lock(turn_mutex_);
        turn_cv_.wait(lock, [&] { return turn_ >= cores; });
    }
    if (profile_.on())
        profile_.waited(0, ParallelProfile::Wait::end, from, ParallelProfile::now(), !spun);
}

// What Machine::settle_quantum would do first: here, to be timed apart.
void ParallelScheduler::weave() {
    if (!m_.hierarchy_ || !m_.hierarchy_->in_bound() || m_.phase_ == Machine::Phase::fast_forward)
        return;
    const auto from = profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
    const size_t woven = m_.hierarchy_->weave();
    if (profile_.on())
        profile_.weave(from, ParallelProfile::now(), woven);
}

void ParallelScheduler::bound(unsigned i) {
    if (const uint64_t budget = first_budget_[i]) // only this core's own state, until its turn
        first_result_[i] = m_.cores_[i]->run(budget, m_.clock_[i], m_.params_.cycles_per_insn);
}

void ParallelScheduler::tail(unsigned first, unsigned thread) {
    for (std::optional<unsigned> next = first; next; next = pass_turn(*next)) {
        const unsigned i = *next;
        const uint64_t quantum_end = quantum_end_;
        thread_of_[i] = thread;
        const auto from =
            profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
        try {
            if (!has_turn_[i]) // never waits: tails start at their turn
                take_turn(i, false, thread);
            m_.in_run_ = false;
            if (const uint64_t budget = first_budget_[i]; budget && !errors_[i])
                if (m_.end_slice(i, first_result_[i], budget, quantum_end))
                    m_.run_core(i, quantum_end);
            if (was_running_[i])
                m_.note_overrun(i, quantum_end);
            if (m_.clock_[i] < quantum_end && !m_.outcome_) {
                if (m_.state_[i] == CoreState::idle)
                    m_.stats_[i].idle_cycles += quantum_end - m_.clock_[i];
                if (m_.state_[i] != CoreState::running)
                    m_.clock_[i] = quantum_end;
            }
            if (m_.hierarchy_ && m_.hierarchy_->in_bound())
                m_.hierarchy_->set_floor(i, m_.clock_[i]); // its quantum is over
        } catch (...) {
            errors_[i] = std::current_exception();
        }
        if (profile_.on())
            profile_.tail(i, from, ParallelProfile::now());
    }
}

void ParallelScheduler::take_turn(unsigned i, bool in_run, unsigned thread) {
    const auto from = profile_.on() ? ParallelProfile::now() : ParallelProfile::Clock::time_point{};
    const bool spun = spin_until([&] { return turn_seen_.load(std::memory_order_acquire) == i; });
    if (!spun) {
        std::unique_lock lock(turn_mutex_);
        turn_cv_.wait(lock, [&] { return turn_ == i; });
    }
    if (profile_.on())
        profile_.waited(thread, ParallelProfile::Wait::turn, from, ParallelProfile::now(), !spun);
    has_turn_[i] = 1;
    m_.running_core_ = i;
    m_.in_run_ = in_run;
    // What lower cores did to this one, in the order they did it.
    std::vector<std::function<void()>> actions;
    actions.swap(pending_[i]);
    for (auto& action : actions)
        action();
}

std::optional<unsigned> ParallelScheduler::pass_turn(unsigned i) {
    m_.in_run_ = false;
    std::optional<unsigned> next;
    {
        std::lock_guard lock(turn_mutex_);
        turn_ = i + 1;
        turn_seen_.store(turn_, std::memory_order_release);
        finished_[i] = 1;
        if (turn_ < ready_.size() && ready_[turn_]) {
            ready_[turn_] = 0;
            next = turn_;
        }
    }
    turn_cv_.notify_all();
    return next;
}

void ParallelScheduler::enter_shared(unsigned core) {
    if (active_ && !has_turn_[core])
        take_turn(core, true, thread_of_[core]);
}

} // namespace sim
