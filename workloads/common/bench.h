/*
 * bench.h - shared helpers of the MiBench-like benchmark guests (docs/workloads.md).
 *
 * Every benchmark follows the same shape:
 *   bench_setup();            MMU + caches on (identity map), as on hardware
 *   ... generate the input from a fixed seed ...
 *   bench_begin();            bao_mark(0): start of the measured region
 *   ... the benchmark kernel ...
 *   bench_end();              bao_mark(1): end of the measured region
 *   ... verify independently, then bench_report(name, ok) ...
 * and main returns 0 (PSCI SYSTEM_OFF). Output, one line each:
 *   <name>: <result fields>          (printed by the benchmark)
 *   checksum_ok=1                    (or 0)
 *   measured_ticks=<N> cntfrq=<Hz>   (CNTVCT ticks between the two marks)
 * A run of QEMU with `-icount shift=0` (1 ns per instruction) turns
 * measured_ticks into an instruction count: insns = ticks * 1e9 / cntfrq.
 *
 * The same sources also build as static Linux programs (-DBENCH_LINUX,
 * docs/linux.md), the way MiBench itself runs: main(argc, argv), input read
 * from a file named on the command line, output on stdout (redirected to a
 * file by the benchmark init). There the whole process is the measured unit
 * (as `perf stat` measured the published figures), so bench_begin/bench_end
 * do nothing and bench_setup has no MMU to set up; the costly verification
 * runs only when bench_verify() says so (BAO_VERIFY=1 in the environment),
 * in a run of its own outside the measured ones.
 */
#ifndef BAO_BENCH_H
#define BAO_BENCH_H

#include <stdint.h>
#ifdef BENCH_LINUX
#include <stdio.h>
#include <stdlib.h>
#else
#include "bao_guest.h"
#endif

#if defined(BENCH_LARGE) == defined(BENCH_SMALL)
#error "define exactly one of BENCH_SMALL and BENCH_LARGE"
#endif

#ifdef BENCH_LARGE
#define BENCH_SIZE_NAME "large"
#else
#define BENCH_SIZE_NAME "small"
#endif

/* splitmix64: small, fast, good enough to generate benchmark inputs. */
typedef struct {
    uint64_t s;
} bench_rng;

static inline uint64_t bench_rng_next(bench_rng* r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (multiply-shift, bias negligible for small n). */
static inline uint32_t bench_rng_below(bench_rng* r, uint32_t n) {
    return (uint32_t)(((bench_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* FNV-1a style 64-bit mixing of a word into a running checksum. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ull;
    return h ^ (h >> 29);
}

#ifdef BENCH_LINUX

#define BENCH_MAIN int main(__attribute__((unused)) int argc, __attribute__((unused)) char** argv)
#define bao_printf printf

static inline void bench_setup(void) {}
static inline void bench_begin(void) {}
static inline void bench_end(void) {}

static inline int bench_verify(void) {
    const char* v = getenv("BAO_VERIFY");
    return v && v[0] == '1';
}

static inline void bench_report(int ok) {
    if (bench_verify())
        printf("checksum_ok=%d\n", ok ? 1 : 0);
}

/* A usage or input error: message on stderr, exit status 2. */
__attribute__((noreturn)) static inline void bench_fail(const char* what, const char* arg) {
    fprintf(stderr, "%s: %s\n", what, arg ? arg : "");
    exit(2);
}

#else /* bare metal */

#define BENCH_MAIN int main(void)

static uint64_t bench_t0, bench_t1;

static inline void bench_setup(void) {
    bao_mmu_enable_identity();
}

static inline void bench_begin(void) {
    bao_mark(0);
    bench_t0 = bao_cntvct();
}

static inline void bench_end(void) {
    bench_t1 = bao_cntvct();
    bao_mark(1);
}

static inline int bench_verify(void) {
    return 1;
}

static inline void bench_report(int ok) {
    bao_printf("checksum_ok=%d\n", ok ? 1 : 0);
    bao_printf("measured_ticks=%llu cntfrq=%llu\n", (unsigned long long)(bench_t1 - bench_t0),
               (unsigned long long)bao_cntfrq());
}

#endif /* BENCH_LINUX */

#endif /* BAO_BENCH_H */
