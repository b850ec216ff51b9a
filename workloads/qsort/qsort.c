/*
 * qsort - MiBench-like sorting (automotive set), written from the published
 * description: an array of records keyed by a string (a word) is sorted with
 * the C library's qsort (picolibc's, a Bentley-McIlroy quicksort) and a
 * comparison function calling strcmp.
 *
 * A record is a NUL-terminated key of 3..31 lowercase letters in a fixed-size
 * field and a 32-bit id (the record's index before sorting, which breaks
 * ties between equal keys so the sorted order is unique) plus a 32-bit
 * payload. Each key is a function of (seed, id) only, so it can be generated
 * again for verification.
 *   small: 10 000 records of 128 bytes (the original qsort_small's
 *          char qstring[128]) = 1.22 MiB, a little more than the 1 MiB L2
 *   large: 90 000 records of 40 bytes = 3.4 MiB, several times the L2
 * Verification, after the measured region: every adjacent pair is in strictly
 * increasing order (own byte-wise comparison, not strcmp), every id appears
 * exactly once (bitmap), and every record's key and payload equal the ones
 * regenerated from its id: sorted and a permutation of the input.
 * Linux variant (-DBENCH_LINUX, docs/linux.md): reads the keys from the file
 * named by its argument, sorts them the same way and writes them to stdout,
 * one a line, as MiBench's qsort does; then the same summary line.
 */
#include "bench.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_LARGE
#define QSORT_N 90000u
#define KEY_MAX 32
#else
#define QSORT_N 10000u
#define KEY_MAX 120
#endif
#define QSORT_SEED 0x5851f42d4c957f2dull

struct record {
    char key[KEY_MAX];
    uint32_t id;
    uint32_t payload;
};
_Static_assert(sizeof(struct record) == KEY_MAX + 8, "record layout");

static struct record records[QSORT_N];
static uint8_t seen[(QSORT_N + 7) / 8];

/* The key and payload of record `id`: a word of 3..31 letters. */
static void make_record(struct record* r, uint32_t id) {
    bench_rng g = {QSORT_SEED ^ ((uint64_t)id * 0xd1342543de82ef95ull)};
    uint64_t bits = bench_rng_next(&g);
    unsigned len = 3 + (unsigned)(bits % 29u);
    for (unsigned i = 0; i < len; i++) {
        if (i % 8 == 0)
            bits = bench_rng_next(&g);
        r->key[i] = (char)('a' + (bits & 0xffu) % 26u);
        bits >>= 8;
    }
    for (unsigned i = len; i < KEY_MAX; i++)
        r->key[i] = 0;
    r->id = id;
    r->payload = (uint32_t)bench_rng_next(&g);
}

static int compare(const void* pa, const void* pb) {
    const struct record* a = pa;
    const struct record* b = pb;
    int c = strcmp(a->key, b->key);
    if (c != 0)
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

/* Independent of strcmp: <0, 0, >0 as a is before, equal to, after b. */
static int check_order(const struct record* a, const struct record* b) {
    for (unsigned i = 0; i < KEY_MAX; i++) {
        unsigned char ca = (unsigned char)a->key[i], cb = (unsigned char)b->key[i];
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == 0)
            break;
    }
    return (a->id > b->id) - (a->id < b->id);
}

#ifdef BENCH_LINUX
/* MiBench's `qsort_small input_small.dat > output_small.txt`: the input file
 * holds one key a line, record i's on line i (written by the host build with
 * -DBENCH_MAKE_INPUT from make_record, so both variants sort the same keys).
 * Returns the number of records read. */
static uint32_t read_input(const char* path) {
    FILE* f = fopen(path, "r");
    if (!f)
        bench_fail("qsort: cannot open input", path);
    char line[KEY_MAX + 2];
    uint32_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        if (n == QSORT_N || len == 0 || len >= KEY_MAX || line[len] != '\n')
            bench_fail("qsort: input has too many records or a key of bad length", path);
        memset(records[n].key, 0, KEY_MAX);
        memcpy(records[n].key, line, len);
        records[n].id = n;
        records[n].payload = 0;
        n++;
    }
    fclose(f);
    if (n != QSORT_N) /* the file this build's size wrote */
        bench_fail("qsort: input has the wrong number of records", path);
    return n;
}

static void write_keys(uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        puts(records[i].key);
}
#endif

#ifdef BENCH_MAKE_INPUT
/* Host tool: writes the input file the Linux variant reads. */
int main(int argc, char** argv) {
    if (argc != 2)
        bench_fail("usage: qsort-make-input", "OUTPUT");
    FILE* f = fopen(argv[1], "w");
    if (!f)
        bench_fail("qsort-make-input: cannot create", argv[1]);
    for (uint32_t i = 0; i < QSORT_N; i++) {
        struct record r;
        make_record(&r, i);
        fprintf(f, "%s\n", r.key);
    }
    return fclose(f) == 0 ? 0 : 1;
}
#else
BENCH_MAIN {
    bench_setup();
    uint32_t n = QSORT_N;
#ifdef BENCH_LINUX
    if (argc != 2)
        bench_fail("usage: qsort", "INPUT_FILE");
    n = read_input(argv[1]);
#else
    for (uint32_t i = 0; i < QSORT_N; i++)
        make_record(&records[i], i);
#endif

    bench_begin();
    qsort(records, n, sizeof records[0], compare);
    bench_end();

#ifdef BENCH_LINUX
    write_keys(n);
#endif
    unsigned unsorted = 0, dup = 0, corrupt = 0;
    uint64_t hash = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct record* r = &records[i];
        if (!bench_verify()) { /* Linux's measured runs: the result line only */
            hash = bench_mix(hash, ((uint64_t)i << 32) | r->id);
            continue;
        }
        if (i > 0 && check_order(&records[i - 1], r) >= 0)
            unsorted++;
        if (r->id >= n) {
            corrupt++;
            continue;
        }
        if (seen[r->id / 8] & (1u << (r->id % 8)))
            dup++;
        seen[r->id / 8] |= (uint8_t)(1u << (r->id % 8));
        struct record ref;
        make_record(&ref, r->id);
#ifdef BENCH_LINUX
        ref.payload = 0; /* the input file carries keys only */
#endif
        if (memcmp(&ref, r, sizeof ref) != 0)
            corrupt++;
        hash = bench_mix(hash, ((uint64_t)i << 32) | r->id);
    }
    int ok = unsorted == 0 && dup == 0 && corrupt == 0;
    if (!ok)
        bao_printf("qsort: %u pairs out of order, %u duplicate ids, %u corrupt records\n", unsorted,
                   dup, corrupt);
    bao_printf("qsort-%s: records=%u record_bytes=%u first=%s last=%s order_hash=%016llx\n",
               BENCH_SIZE_NAME, n, (unsigned)sizeof records[0], records[0].key, records[n - 1].key,
               (unsigned long long)hash);
    bench_report(ok);
    return 0;
}
#endif /* BENCH_MAKE_INPUT */
