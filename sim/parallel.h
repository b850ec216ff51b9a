// The parallel scheduler (model.scheduler = parallel, docs/parallel.md): a
// deterministic bound-weave. Each quantum:
//  1. prologue, serial in core order: idle cores skip to their events, each
//     running core's interrupts are serviced and its first slice sized;
//  2. bound, on host threads: each core runs its first slice touching only its
//     own state (its Unicorn instance, its L1s and TLBs, its group's guest
//     memory); its L2 and memory accesses are predicted and recorded
//     (cache::Hierarchy::begin_bound). Anything shared (an exit to hv or the
//     firmware, a device, a system register the machine emulates) waits for
//     the core's turn: turns go in core order, a core's turn comes once every
//     lower core finished its quantum, and from its turn to its quantum's end
//     the core runs as in the serial scheduler. An action on a higher core
//     (an interrupt line, a stop, a charge) waits for that core's turn;
//  3. weave, serial: the recorded accesses reach the L2 and the memory
//     controller in timestamp order; each core's clock takes the difference.
// Cores that share writable guest memory (a group: an SMP VM's cores, VMs
// joined by shared memory) run one after another on one host thread.
// Nothing here depends on how many host threads there are or on their timing.
#pragma once

#include "sim/cpu/core.h"
#include "sim/parallel_profile.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sim {

class Machine;

// Sets of cores that run on one host thread: `masks` (cores sharing writable
// memory) merged where they overlap, each remaining core alone; empty masks
// mean one set of every core. Sorted by their lowest core.
std::vector<std::vector<unsigned>> core_groups(const std::vector<uint64_t>& masks, unsigned cores);

// A cache line's round trip between the calling thread and a new host
// thread, in ns: what moving the model's state between host cores costs on
// this host, which the parallel scheduler's speed follows (docs/parallel.md,
// "The host's two modes"). At most 2000 trips and about 2 ms, so that two
// threads sharing one host CPU end it soon (with a large figure).
double measure_host_round_trip_ns();

class ParallelScheduler {
  public:
    ParallelScheduler(Machine& machine, const std::vector<uint64_t>& memory_groups);
    ~ParallelScheduler();
    ParallelScheduler(const ParallelScheduler&) = delete;
    ParallelScheduler& operator=(const ParallelScheduler&) = delete;

    void run_quantum(uint64_t quantum_end);
    // A core is about to touch something shared: it waits for its turn.
    void enter_shared(unsigned core);
    // An action on `core` must wait for that core's turn; queue() keeps it.
    bool must_defer(unsigned core) const { return active_ && core > turn_; }
    void queue(unsigned core, std::function<void()> action) {
        pending_[core].push_back(std::move(action));
    }
    unsigned host_threads() const { return threads_; }
    // With more than one host thread: a cache line's round trip between two
    // of them, measured when the scheduler starts (ns; 0 on one thread). A
    // fact of the host, written beside the threads in meta.
    double host_round_trip_ns() const { return round_trip_ns_; }

  private:
    void prologue(unsigned i, uint64_t quantum_end);
    // A host thread's share of a quantum: it takes the next core (ascending)
    // and runs its bound part; the rest of that core's quantum (its tail)
    // runs on whichever thread finds it ready when its turn comes.
    void run_thread(unsigned thread, uint32_t generation);
    // The next core of quantum `generation` to take, or none.
    std::optional<unsigned> take_core(uint32_t generation);
    void wait_for_quantum_end(); // host thread 0
    void bound(unsigned i);
    void weave();
    void tail(unsigned i, unsigned thread);
    void take_turn(unsigned i, bool in_run, unsigned thread);
    // Ends core i's turn; returns the next core if its tail was ready (the
    // caller runs it), else none.
    std::optional<unsigned> pass_turn(unsigned i);
    void worker(unsigned thread);
    void open_weave();
    void weave_while_running(unsigned thread, uint32_t generation);
    // The cycles a slice took, as Machine::end_slice books them.
    uint64_t slice_cycles(const cpu::RunResult& r) const;

    Machine& m_;
    unsigned threads_ = 1;
    std::vector<int> group_before_; // the previous core of each core's group, or -1
    std::mutex turn_mutex_;
    std::condition_variable turn_cv_;
    // The lowest core whose quantum is not finished: the one that may touch
    // shared state. Guarded by turn_mutex_, as are ready_ and finished_.
    unsigned turn_ = 0;
    std::atomic<unsigned> turn_seen_{0}; // turn_, for spinning without the lock
    std::vector<uint8_t> ready_;         // bound part done, tail waits for the turn
    std::vector<uint8_t> finished_;      // quantum done
    bool active_ = false;                // inside the bound part of a quantum
    // The quantum's number (high 32 bits) and the next core to take: a worker
    // that wakes late for a quantum finds a newer number and takes nothing, so
    // no thread ever waits for a worker to leave a quantum.
    std::atomic<uint64_t> next_core_{0};
    std::vector<uint8_t> has_turn_;
    std::vector<std::vector<std::function<void()>>> pending_;
    std::vector<uint64_t> first_budget_; // 0: no first slice
    // 1: an off core that another core may power on within a quantum (it is in
    // a memory group: a VM's core, or any core with no hv)
    std::vector<uint8_t> may_power_on_;
    std::vector<cpu::RunResult> first_result_;
    std::vector<uint8_t> was_running_;
    std::vector<std::exception_ptr> errors_; // per core
    std::vector<unsigned> thread_of_;        // the host thread running each core (profile)
    // The worker threads (host thread 0 is the caller's).
    std::vector<std::thread> workers_;
    std::atomic<uint32_t> generation_{0}; // the quantum's number, for the workers

    std::atomic<bool> quit_{false};
    uint64_t quantum_end_ = 0;
    double round_trip_ns_ = 0;
    ParallelProfile profile_;
};

} // namespace sim
