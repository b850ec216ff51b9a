/*
 * qsort-vertices - MiBench's qsort_large (automotive set), written from its
 * published description and the shape of its input: an array of 3-D vertices
 * (three ints and their distance from the origin, a double) is sorted by
 * distance with the C library's qsort (glibc's in the Linux variant, picolibc's
 * on bare metal) and a comparison of two doubles.
 *
 * A record is MiBench's `struct my3DVertexStruct { int x, y, z; double
 * distance; }`, 24 bytes: the four bytes of padding before the double hold the
 * vertex's index before sorting (id), which breaks ties between equal distances
 * so the sorted order is unique (MiBench's comparison returns 0 there; equal
 * distances are rare among these coordinates, so the extra compare almost never
 * runs). Coordinates are uniform in [0, 2^31), as in MiBench's input_large.dat
 * (C library rand() values), each a function of (seed, id) only, so a vertex
 * can be generated again for verification. The distance is MiBench's
 * sqrt(pow(x, 2) + pow(y, 2) + pow(z, 2)) (GCC turns pow(v, 2) into v * v).
 *   50 000 vertices: the lines of MiBench's input_large.dat (below MAXARRAY,
 *   60 000, the most its loop reads) = 1.14 MiB, a little more than the L2.
 * Verification, after the measured region: every adjacent pair in strictly
 * increasing (distance, id) order (own loop, not the comparison function),
 * every id exactly once (bitmap), every record equal to the one regenerated
 * from its id: sorted and a permutation of the input.
 * Linux variant (-DBENCH_LINUX, docs/linux.md, the default qsort-large there):
 * `qsort-large input_large.dat > output_large.txt` as MiBench's runme_large.sh:
 * reads the vertices with fscanf("%d") as MiBench does, computing each distance
 * while reading, sorts them, writes MiBench's header line and "x y z" a line to
 * stdout; then the summary line. -DBENCH_MAKE_INPUT builds the host tool that
 * writes that input file ("x<TAB>y<TAB>z<CR><LF>" a line, as MiBench's:
 * 1 622 573 bytes against its 1 622 431).
 * Bare metal (guest qsort-vertices-large, not part of the figures' set): the
 * vertices are generated in memory and only the sort is measured.
 */
#include "bench.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef BENCH_LARGE
#error "qsort-vertices has MiBench's large input only (-DBENCH_LARGE)"
#endif
#define VERT_N 50000u   /* MiBench's input_large.dat: 50 000 lines */
#define VERT_MAX 60000u /* MiBench's MAXARRAY: the most its loop reads */
#define VERT_SEED 0x2545f4914f6cdd1dull

struct vertex {
    int32_t x, y, z;
    uint32_t id; /* MiBench's padding */
    double distance;
};
_Static_assert(sizeof(struct vertex) == 24, "MiBench's my3DVertexStruct layout");

static struct vertex vertices[VERT_MAX];
static uint8_t seen[(VERT_MAX + 7) / 8];

static double distance_of(int x, int y, int z) {
    return sqrt(pow(x, 2) + pow(y, 2) + pow(z, 2));
}

/* Vertex `id`: three coordinates uniform in [0, 2^31). */
static void make_vertex(struct vertex* v, uint32_t id) {
    bench_rng g = {VERT_SEED ^ ((uint64_t)id * 0xd1342543de82ef95ull)};
    uint64_t a = bench_rng_next(&g), b = bench_rng_next(&g);
    v->x = (int32_t)(a & 0x7fffffffu);
    v->y = (int32_t)(a >> 33);
    v->z = (int32_t)(b & 0x7fffffffu);
    v->id = id;
    v->distance = distance_of(v->x, v->y, v->z);
}

static int compare(const void* pa, const void* pb) {
    const struct vertex* a = pa;
    const struct vertex* b = pb;
    if (a->distance > b->distance)
        return 1;
    if (a->distance < b->distance)
        return -1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Independent of compare(): is a strictly before b? */
static int in_order(const struct vertex* a, const struct vertex* b) {
    return a->distance < b->distance || (a->distance == b->distance && a->id < b->id);
}

#ifdef BENCH_LINUX
/* MiBench's reading loop: three fscanf("%d") a vertex, the distance computed
 * as each is read, at most MAXARRAY. Anything but whole vertices up to the end
 * of the file, or another count than this build's input has, is an error. */
static uint32_t read_input(const char* path) {
    FILE* f = fopen(path, "r");
    if (!f)
        bench_fail("qsort: cannot open input", path);
    uint32_t n = 0;
    int x, y, z;
    while (fscanf(f, "%d", &x) == 1 && fscanf(f, "%d", &y) == 1 && fscanf(f, "%d", &z) == 1 &&
           n < VERT_MAX) {
        struct vertex* v = &vertices[n];
        v->x = x;
        v->y = y;
        v->z = z;
        v->id = n;
        v->distance = distance_of(x, y, z);
        n++;
    }
    int at_end = feof(f);
    fclose(f);
    if (!at_end)
        bench_fail("qsort: input is not three integers a vertex", path);
    if (n != VERT_N)
        bench_fail("qsort: input has the wrong number of vertices", path);
    return n;
}

/* MiBench's output: a header, then the sorted vertices. */
static void write_vertices(uint32_t n) {
    printf("\nSorting %d vectors based on distance from the origin.\n\n", (int)n);
    for (uint32_t i = 0; i < n; i++)
        printf("%d %d %d\n", vertices[i].x, vertices[i].y, vertices[i].z);
}
#endif

/* Sorted and a permutation of the input; the order's hash in *hash. */
static int verify(uint32_t n, uint64_t* hash) {
    unsigned unsorted = 0, dup = 0, corrupt = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct vertex* v = &vertices[i];
        *hash = bench_mix(*hash, ((uint64_t)i << 32) | v->id);
        if (!bench_verify()) /* Linux's measured runs: the result line only */
            continue;
        if (i > 0 && !in_order(&vertices[i - 1], v))
            unsorted++;
        if (v->id >= n) {
            corrupt++;
            continue;
        }
        if (seen[v->id / 8] & (1u << (v->id % 8)))
            dup++;
        seen[v->id / 8] |= (uint8_t)(1u << (v->id % 8));
        struct vertex ref;
        make_vertex(&ref, v->id);
        if (ref.x != v->x || ref.y != v->y || ref.z != v->z || ref.distance != v->distance)
            corrupt++;
    }
    if (unsorted || dup || corrupt)
        bao_printf("qsort: %u pairs out of order, %u duplicate ids, %u corrupt vertices\n",
                   unsorted, dup, corrupt);
    return unsorted == 0 && dup == 0 && corrupt == 0;
}

#ifdef BENCH_MAKE_INPUT
/* Host tool: writes the input file the Linux variant reads. */
int main(int argc, char** argv) {
    if (argc != 2)
        bench_fail("usage: qsort-vertices-make-input", "OUTPUT");
    FILE* f = fopen(argv[1], "w");
    if (!f)
        bench_fail("qsort-vertices-make-input: cannot create", argv[1]);
    for (uint32_t i = 0; i < VERT_N; i++) {
        struct vertex v;
        make_vertex(&v, i);
        fprintf(f, "%d\t%d\t%d\r\n", v.x, v.y, v.z); /* MiBench's file has DOS line ends */
    }
    return fclose(f) == 0 ? 0 : 1;
}
#else
BENCH_MAIN {
    bench_setup();
    uint32_t n = VERT_N;
#ifdef BENCH_LINUX
    if (argc != 2)
        bench_fail("usage: qsort", "INPUT_FILE");
    n = read_input(argv[1]);
#else
    for (uint32_t i = 0; i < VERT_N; i++)
        make_vertex(&vertices[i], i);
#endif

    bench_begin();
    qsort(vertices, n, sizeof vertices[0], compare);
    bench_end();

#ifdef BENCH_LINUX
    write_vertices(n);
#endif
    uint64_t hash = 0;
    int ok = verify(n, &hash);
    const struct vertex* first = &vertices[0];
    const struct vertex* last = &vertices[n - 1];
    bao_printf("qsort-%s: vertices=%u record_bytes=%u nearest=%d,%d,%d farthest=%d,%d,%d "
               "order_hash=%016llx\n",
               BENCH_SIZE_NAME, n, (unsigned)sizeof vertices[0], first->x, first->y, first->z,
               last->x, last->y, last->z, (unsigned long long)hash);
    bench_report(ok);
    return 0;
}
#endif /* BENCH_MAKE_INPUT */
