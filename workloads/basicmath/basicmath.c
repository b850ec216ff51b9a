/*
 * basicmath - MiBench-like basic mathematics (automotive set), written from
 * the published description: solving cubic equations, integer square roots
 * and angle conversions, the kind of arithmetic an engine controller does
 * without dedicated hardware.
 *
 * 1. Cubics a x^3 + b x^2 + c x + d = 0 over a grid of coefficients (as the
 *    original's nested loops), solved by the classic trigonometric / Cardano
 *    method (acos, cos, sqrt, pow from libm): three real roots when
 *    R^2 < Q^3, otherwise one.
 * 2. Integer square roots: floor(sqrt(x) * 2^16) (a 16.16 fixed-point root)
 *    of pseudo-random 32-bit numbers by the binary digit-by-digit method
 *    (two radicand bits per step, no multiply or divide).
 * 3. Angle conversions: degrees to radians and back over a sweep of angles.
 * Verification, after the measured region: every cubic is solved again and
 * each root must make the polynomial vanish (residual below 1e-9 of the sum
 * of the terms' magnitudes); the number of real roots must agree with the
 * sign of the discriminant; every square root r of X = x * 2^32 must satisfy
 * r^2 <= X < (r + 1)^2; every angle must come back within 1e-9 degrees; and
 * the checksums of the verification pass must equal the measured pass's.
 * Linux variant (-DBENCH_LINUX, docs/linux.md): no arguments, as MiBench's
 * `basicmath_small`; results on stdout.
 */
#include "bench.h"

#include <math.h>
#include <stdint.h>

/* Grid of cubic coefficients: a in 1..A, b in B..1, c = 5 + k/2 (k < C),
 * d in -1..-D; numbers of integer square roots and of angles. */
#ifdef BENCH_LARGE
#define GRID_A 12
#define GRID_B 12
#define GRID_C 40
#define GRID_D 15
#define N_ISQRT 330000u
#define N_ANGLE 900000u
#else
#define GRID_A 9
#define GRID_B 10
#define GRID_C 20
#define GRID_D 10
#define N_ISQRT 50000u
#define N_ANGLE 120000u
#endif
#define ISQRT_SEED 0x6a09e667u

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Solves a x^3 + b x^2 + c x + d = 0 (a != 0); returns the number of real
 * roots found (1 or 3) in x[]. */
static __attribute__((noinline)) int solve_cubic(double a, double b, double c, double d,
                                                 double x[3]) {
    double a1 = b / a, a2 = c / a, a3 = d / a;
    double q = (a1 * a1 - 3.0 * a2) / 9.0;
    double r = (2.0 * a1 * a1 * a1 - 9.0 * a1 * a2 + 27.0 * a3) / 54.0;
    double q3 = q * q * q;
    double r2_q3 = r * r - q3;
    if (r2_q3 <= 0.0) {
        double theta = acos(r / sqrt(q3));
        double m = -2.0 * sqrt(q);
        x[0] = m * cos(theta / 3.0) - a1 / 3.0;
        x[1] = m * cos((theta + 2.0 * M_PI) / 3.0) - a1 / 3.0;
        x[2] = m * cos((theta + 4.0 * M_PI) / 3.0) - a1 / 3.0;
        return 3;
    }
    double t = pow(sqrt(r2_q3) + fabs(r), 1.0 / 3.0);
    t += q / t;
    x[0] = (r < 0.0 ? t : -t) - a1 / 3.0;
    return 1;
}

/* floor(sqrt(x) * 65536): binary square root of the 64-bit radicand x << 32. */
static __attribute__((noinline)) uint32_t usqrt_fixed(uint32_t x) {
    uint64_t a = (uint64_t)x << 32, rem = 0, root = 0;
    for (int i = 0; i < 32; i++) {
        rem = (rem << 2) | (a >> 62);
        a <<= 2;
        root <<= 1;
        uint64_t test = (root << 1) | 1u;
        if (rem >= test) {
            rem -= test;
            root |= 1u;
        }
    }
    return (uint32_t)root;
}

static __attribute__((noinline)) double deg2rad(double deg) {
    return deg * (M_PI / 180.0);
}
static __attribute__((noinline)) double rad2deg(double rad) {
    return rad * (180.0 / M_PI);
}

static inline uint32_t next(uint32_t x) {
    return x * 1664525u + 1013904223u;
}

static inline uint64_t dbits(double v) {
    union {
        double d;
        uint64_t u;
    } c = {v};
    return c.u;
}

struct sums {
    uint64_t roots_hash, isqrt_sum, angle_hash;
    unsigned nroots, ncubics;
    double roots_sum;
};

/* Runs the three kernels. With `check`, also verifies every result and counts
 * failures in *bad (the verification pass). */
static void run(struct sums* s, int check, unsigned* bad) {
    double x[3];
    s->roots_hash = s->isqrt_sum = s->angle_hash = 0;
    s->nroots = s->ncubics = 0;
    s->roots_sum = 0.0;

    for (int ia = 1; ia <= GRID_A; ia++)
        for (int ib = GRID_B; ib >= 1; ib--)
            for (int ic = 0; ic < GRID_C; ic++)
                for (int id = 1; id <= GRID_D; id++) {
                    double a = ia, b = ib, c = 5.0 + 0.5 * ic, d = -id;
                    int n = solve_cubic(a, b, c, d, x);
                    s->ncubics++;
                    s->nroots += (unsigned)n;
                    for (int k = 0; k < n; k++) {
                        s->roots_sum += x[k];
                        s->roots_hash = bench_mix(s->roots_hash, dbits(x[k]));
                    }
                    if (!check)
                        continue;
                    for (int k = 0; k < n; k++) {
                        double v = x[k], ax = fabs(v);
                        double p = ((a * v + b) * v + c) * v + d;
                        double scale = ((fabs(a) * ax + fabs(b)) * ax + fabs(c)) * ax + fabs(d);
                        if (!(fabs(p) <= 1e-9 * scale))
                            (*bad)++;
                    }
                    double disc = 18 * a * b * c * d - 4 * b * b * b * d + b * b * c * c -
                                  4 * a * c * c * c - 27 * a * a * d * d;
                    double dscale = fabs(18 * a * b * c * d) + fabs(4 * b * b * b * d) +
                                    b * b * c * c + fabs(4 * a * c * c * c) + 27 * a * a * d * d;
                    if (fabs(disc) > 1e-9 * dscale && (disc > 0) != (n == 3))
                        (*bad)++;
                }

    uint32_t v = ISQRT_SEED;
    for (uint32_t i = 0; i < N_ISQRT; i++) {
        uint32_t r = usqrt_fixed(v);
        s->isqrt_sum += r;
        if (check) {
            unsigned __int128 big = (unsigned __int128)v << 32, rr = r;
            if (!(rr * rr <= big && (rr + 1) * (rr + 1) > big))
                (*bad)++;
        }
        v = next(v);
    }

    for (uint32_t i = 0; i < N_ANGLE; i++) {
        double deg = (double)i * (360.0 / N_ANGLE);
        double rad = deg2rad(deg);
        double back = rad2deg(rad);
        s->angle_hash = bench_mix(s->angle_hash, dbits(rad) ^ dbits(back));
        if (check && !(fabs(back - deg) <= 1e-9))
            (*bad)++;
    }
}

BENCH_MAIN {
    bench_setup();
    struct sums m, v;
    unsigned bad = 0;

    bench_begin();
    run(&m, 0, &bad);
    bench_end();

    int ok = 1;
    if (bench_verify()) {
        run(&v, 1, &bad);
        ok = bad == 0 && m.roots_hash == v.roots_hash && m.isqrt_sum == v.isqrt_sum &&
             m.angle_hash == v.angle_hash && m.nroots == v.nroots;
    }
    if (bad)
        bao_printf("basicmath: %u results failed verification\n", bad);
    bao_printf("basicmath-%s: cubics=%u roots=%u roots_sum_milli=%lld isqrt=%u isqrt_sum=%llu "
               "angles=%u hash=%016llx\n",
               BENCH_SIZE_NAME, m.ncubics, m.nroots, (long long)llround(m.roots_sum * 1000.0),
               N_ISQRT, (unsigned long long)m.isqrt_sum, N_ANGLE,
               (unsigned long long)(m.roots_hash ^ m.angle_hash));
    bench_report(ok);
    return 0;
}
