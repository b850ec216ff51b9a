/*
 * bitcount - MiBench-like bit counting (automotive set), written from the
 * published description: several ways of counting the set bits of a word,
 * each applied to the same sequence of pseudo-random 32-bit numbers.
 *
 * Methods (called through a table of function pointers, as in the original):
 *   0 iterated        test the low bit and shift, until the word is zero
 *   1 kernighan       x &= x - 1 clears the lowest set bit
 *   2 swar            parallel (SWAR) sums of 2-, 4-, 8-, 16-bit fields
 *   3 nibble_table    16-entry table, one nibble at a time
 *   4 nibble_rec      16-entry table, recursive on the upper bits
 *   5 byte_table      256-entry table indexed by each byte (shifts)
 *   6 byte_table_ptr  256-entry table indexed through a byte pointer
 *   7 shift_count     shift through all 32 bit positions
 * Sequence: x(i+1) = 1664525 x(i) + 1013904223 (mod 2^32) from a fixed seed,
 * generated on the fly (no array: the original is memory-light too).
 * Verification: every method's total must equal the reference total, counted
 * after the measured region with the hardware CNT instruction
 * (__builtin_popcount) over the regenerated sequence.
 * Linux variant (-DBENCH_LINUX, docs/linux.md): `bitcount N` counts N numbers,
 * as MiBench's `bitcnts 75000` (small) and `bitcnts 1125000` (large).
 */
#include "bench.h"

#include <stdint.h>

#ifdef BENCH_LARGE
#define BITCOUNT_N 280000u
#else
#define BITCOUNT_N 40000u
#endif
#define BITCOUNT_SEED 0x2545f491u
#define NMETHODS 8

/* Keeps GCC from recognising the loops below as a popcount idiom. */
#define OPAQUE(v) __asm__("" : "+r"(v))

static unsigned char nibble_bits[16];
static unsigned char byte_bits[256];

static __attribute__((noipa)) int count_iterated(uint32_t x) {
    int n = 0;
    while (x) {
        n += (int)(x & 1u);
        x >>= 1;
        OPAQUE(x);
    }
    return n;
}

static __attribute__((noipa)) int count_kernighan(uint32_t x) {
    int n = 0;
    while (x) {
        x &= x - 1;
        OPAQUE(x);
        n++;
    }
    return n;
}

static __attribute__((noipa)) int count_swar(uint32_t x) {
    x = (x & 0x55555555u) + ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x & 0x0f0f0f0fu) + ((x >> 4) & 0x0f0f0f0fu);
    x = (x & 0x00ff00ffu) + ((x >> 8) & 0x00ff00ffu);
    x = (x & 0x0000ffffu) + (x >> 16);
    return (int)x;
}

static __attribute__((noipa)) int count_nibble_table(uint32_t x) {
    int n = 0;
    for (int i = 0; i < 8; i++) {
        n += nibble_bits[x & 15u];
        x >>= 4;
        OPAQUE(x);
    }
    return n;
}

static __attribute__((noipa)) int count_nibble_rec(uint32_t x) {
    int n = nibble_bits[x & 15u];
    if ((x >>= 4) != 0)
        n += count_nibble_rec(x);
    return n;
}

static __attribute__((noipa)) int count_byte_table(uint32_t x) {
    return byte_bits[x & 0xffu] + byte_bits[(x >> 8) & 0xffu] + byte_bits[(x >> 16) & 0xffu] +
           byte_bits[x >> 24];
}

static __attribute__((noipa)) int count_byte_table_ptr(uint32_t x) {
    const unsigned char* p = (const unsigned char*)&x;
    OPAQUE(p);
    return byte_bits[p[0]] + byte_bits[p[1]] + byte_bits[p[2]] + byte_bits[p[3]];
}

static __attribute__((noipa)) int count_shift(uint32_t x) {
    int n = 0;
    for (int i = 0; i < 32; i++) {
        n += (int)((x >> i) & 1u);
        OPAQUE(n);
    }
    return n;
}

typedef int (*count_fn)(uint32_t);
static count_fn const methods[NMETHODS] = {
    count_iterated,   count_kernighan,  count_swar,           count_nibble_table,
    count_nibble_rec, count_byte_table, count_byte_table_ptr, count_shift,
};
static const char* const method_names[NMETHODS] = {
    "iterated",   "kernighan",  "swar",           "nibble_table",
    "nibble_rec", "byte_table", "byte_table_ptr", "shift_count",
};

static inline uint32_t next(uint32_t x) {
    return x * 1664525u + 1013904223u;
}

BENCH_MAIN {
    bench_setup();
    /* Tables built from their definition (bit i of the index) at start-up. */
    for (unsigned i = 0; i < 256; i++) {
        unsigned n = 0;
        for (unsigned b = 0; b < 8; b++)
            n += (i >> b) & 1u;
        byte_bits[i] = (unsigned char)n;
        if (i < 16)
            nibble_bits[i] = (unsigned char)n;
    }

    uint32_t n = BITCOUNT_N;
#ifdef BENCH_LINUX
    char* end = NULL;
    unsigned long arg = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || arg == 0 || arg > 100000000ul)
        bench_fail("usage: bitcount N (1..100000000 numbers)", argc == 2 ? argv[1] : NULL);
    n = (uint32_t)arg;
#endif
    uint64_t totals[NMETHODS];
    bench_begin();
    for (int m = 0; m < NMETHODS; m++) {
        count_fn f = methods[m];
        uint64_t total = 0;
        uint32_t x = BITCOUNT_SEED;
        for (uint32_t i = 0; i < n; i++) {
            total += (uint64_t)f(x);
            x = next(x);
        }
        totals[m] = total;
    }
    bench_end();

    uint64_t ref = 0;
    uint32_t x = BITCOUNT_SEED;
    for (uint32_t i = 0; i < n; i++) {
        ref += (uint64_t)__builtin_popcount(x);
        x = next(x);
    }
    int ok = 1;
    for (int m = 0; m < NMETHODS; m++) {
        if (totals[m] != ref) {
            bao_printf("bitcount: method %s counted %llu bits, expected %llu\n", method_names[m],
                       (unsigned long long)totals[m], (unsigned long long)ref);
            ok = 0;
        }
    }
    bao_printf("bitcount-%s: numbers=%u methods=%d bits=%llu\n", BENCH_SIZE_NAME, n, NMETHODS,
               (unsigned long long)ref);
    bench_report(ok);
    return 0;
}
