// The host itself, for reading parallel figures (docs/parallel.md, "The
// host's two modes"): how long a cache line takes to go from one host CPU to
// another and back. On this project's 2-vCPU hosts it is either about 110 ns
// or about 480 ns, changing from minute to minute, and `--threads 2` follows
// it; time parallel runs only with this figure beside them.
#include <benchmark/benchmark.h>

#include <atomic>
#include <pthread.h>
#include <sched.h>
#include <thread>

namespace {

// Pins the calling thread to host CPU `cpu`; false if it cannot.
bool pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// One round trip: this thread hands the line to a thread on CPU 1, which
// hands it back.
void BM_CacheLineRoundTrip(benchmark::State& state) {
    if (std::thread::hardware_concurrency() < 2 || !pin(0)) {
        state.SkipWithError("needs two host CPUs");
        return;
    }
    alignas(64) std::atomic<int> line{0};
    std::atomic<bool> done{false};
    std::thread peer([&] {
        pin(1);
        while (!done.load(std::memory_order_relaxed))
            if (line.load(std::memory_order_acquire) == 1)
                line.store(0, std::memory_order_release);
    });
    for (auto _ : state) {
        line.store(1, std::memory_order_release);
        while (line.load(std::memory_order_acquire) != 0) {
        }
    }
    done = true;
    peer.join();
}
BENCHMARK(BM_CacheLineRoundTrip);

} // namespace
