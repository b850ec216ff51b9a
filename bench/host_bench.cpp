// The host itself, for reading parallel figures (docs/parallel.md, "The
// host's two modes"): how long a cache line takes to go from one host CPU to
// another and back, as the parallel scheduler measures it when it starts
// (measure_host_round_trip_ns). On this project's 2-vCPU hosts it is either
// about 110 ns or about 480 ns, changing from minute to minute, and
// `--threads 2` follows it; time parallel runs only with this figure beside
// them.
#include "sim/parallel.h"

#include <benchmark/benchmark.h>

namespace {

// Each iteration is one measurement (up to 2,000 round trips); the counter
// is their mean, the figure to read.
void BM_CacheLineRoundTrip(benchmark::State& state) {
    double sum = 0;
    for (auto _ : state)
        sum += sim::measure_host_round_trip_ns();
    state.counters["round_trip_ns"] =
        benchmark::Counter(sum / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CacheLineRoundTrip)->Iterations(20);

} // namespace
