#include "sim/parallel.h"

#include "sim/machine.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace sim {

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// Busy-waits up to 10 us for `done` before the caller blocks: waking a
// sleeping thread costs about as much, and a quantum's share of a core lasts
// a few times that. Longer spins cost more than they save on a loaded host.
template <typename Pred> bool spin_until(Pred done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(10);
    for (unsigned i = 1;; ++i) {
        if (done())
            return true;
        cpu_relax();
        if (i % 32 == 0 && std::chrono::steady_clock::now() > until)
            return done();
    }
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
    first_result_.resize(cores);
    was_running_.assign(cores, 0);
    errors_.resize(cores);
    for (unsigned t = 1; t < threads_; ++t)
        workers_.emplace_back([this] { worker(); });
}

ParallelScheduler::~ParallelScheduler() {
    quit_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& w : workers_)
        w.join();
}

void ParallelScheduler::worker() {
    uint64_t seen = 0;
    for (;;) {
        spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
        generation_.wait(seen, std::memory_order_acquire);
        seen = generation_.load(std::memory_order_acquire);
        if (quit_.load())
            return;
        run_thread();
        if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            busy_.notify_all();
    }
}

void ParallelScheduler::run_quantum(uint64_t quantum_end) {
    const unsigned cores = m_.core_count();
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
        next_core_.store(0, std::memory_order_relaxed);
        busy_.store(static_cast<unsigned>(workers_.size()), std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_acq_rel);
        generation_.notify_all();
        run_thread();
        spin_until([&] { return busy_.load(std::memory_order_acquire) == 0; });
        for (unsigned left = busy_.load(std::memory_order_acquire); left != 0;
             left = busy_.load(std::memory_order_acquire))
            busy_.wait(left, std::memory_order_acquire);
        active_ = false;
    }
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
void ParallelScheduler::run_thread() {
    const unsigned cores = m_.core_count();
    for (unsigned i = next_core_.fetch_add(1); i < cores; i = next_core_.fetch_add(1)) {
        if (group_before_[i] >= 0) { // its group's guest memory: after the previous core
            const auto before = static_cast<unsigned>(group_before_[i]);
            spin_until([&] { return turn_seen_.load(std::memory_order_acquire) > before; });
            std::unique_lock lock(turn_mutex_);
            turn_cv_.wait(lock, [&] { return finished_[static_cast<unsigned>(group_before_[i])]; });
        }
        try {
            bound(i);
        } catch (...) {
            errors_[i] = std::current_exception();
        }
        bool now = has_turn_[i];
        if (!now) {
            std::lock_guard lock(turn_mutex_);
            now = turn_ == i;
            ready_[i] = !now;
        }
        if (now)
            tail(i);
    }
    spin_until([&] { return turn_seen_.load(std::memory_order_acquire) >= cores; });
    std::unique_lock lock(turn_mutex_);
    turn_cv_.wait(lock, [&] { return turn_ >= cores; });
}

void ParallelScheduler::bound(unsigned i) {
    if (const uint64_t budget = first_budget_[i]) // only this core's own state, until its turn
        first_result_[i] = m_.cores_[i]->run(budget, m_.clock_[i], m_.params_.cycles_per_insn);
}

void ParallelScheduler::tail(unsigned first) {
    for (std::optional<unsigned> next = first; next; next = pass_turn(*next)) {
        const unsigned i = *next;
        const uint64_t quantum_end = quantum_end_;
        try {
            if (!has_turn_[i])
                take_turn(i, false);
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
        } catch (...) {
            errors_[i] = std::current_exception();
        }
    }
}

void ParallelScheduler::take_turn(unsigned i, bool in_run) {
    spin_until([&] { return turn_seen_.load(std::memory_order_acquire) == i; });
    {
        std::unique_lock lock(turn_mutex_);
        turn_cv_.wait(lock, [&] { return turn_ == i; });
    }
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
        take_turn(core, true);
}

} // namespace sim
