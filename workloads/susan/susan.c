/*
 * susan - MiBench-like SUSAN image processing (automotive set), written from
 * the published description of the SUSAN principle (Smith and Brady, "SUSAN -
 * a new approach to low level image processing", IJCV 23(1), 1997).
 *
 * For each pixel (the nucleus) the USAN ("univalue segment assimilating
 * nucleus") is the part of a circular mask whose brightness is similar to the
 * nucleus'. Similarity comes from a look-up table indexed by the brightness
 * difference, c(d) = 100 exp(-(d / t)^6) with t = 20; the USAN area is
 * n = sum of c over the 37-pixel mask (radius 3.4; n <= 3700).
 *
 * One mode per build (-DSUSAN_CORNERS, -DSUSAN_EDGES, -DSUSAN_SMOOTHING):
 *  corners    response g - n where n < g = n_max / 2; false positives removed
 *             by requiring the USAN centroid to lie more than 0.7 px from the
 *             nucleus and the two pixels from the nucleus towards it to be in
 *             the USAN; non-maximum suppression over 5 x 5. Output: corner list.
 *  edges      response g - n where n < g = 3 n_max / 4; edge normal from the
 *             USAN centroid ("inter-pixel" case: large USAN, centroid further
 *             than 0.9 px) or else from the USAN's second moments (the
 *             "intra-pixel" case: the normal is the minor axis), quantised to
 *             4 directions; non-maximum suppression along the normal.
 *             Output: edge map (0, or 1 + direction).
 *  smoothing  each pixel becomes the average of its 15 x 15 neighbourhood
 *             (centre excluded) weighted by a Gaussian of the distance
 *             (sigma 4) times exp(-(d / t)^2) of the brightness difference, so
 *             edges are preserved; if all weights are 0 the median of the 8
 *             neighbours is used. Output: smoothed image.
 *
 * Input: a grey-scale image generated from a fixed seed: a shaded background,
 * rectangles, triangles and discs of random grey levels (so corners and edges
 * at all angles) plus uniform noise of +-6 grey levels.
 *   small: 76 x 95 (7 KiB), as the original's small input
 *   large: 384 x 288 (108 KiB), as the original's large input
 * plus the response arrays (4 bytes a pixel) and outputs. The kernel is run
 * SUSAN_PASSES times over the same image (like a camera pipeline processing
 * frames) to bring the run to the length of docs/design.md#workload-sizes; each pass recomputes
 * everything.
 *
 * Verification, after the measured region: a separate, straightforward
 * implementation (nested loops over the mask defined by dx^2 + dy^2 <= 11,
 * instead of the unrolled pointer code) computes the same output, which must
 * be identical; corners and edges must also find some features.
 * Linux variant (-DBENCH_LINUX -DSUSAN_PASSES=1, docs/linux.md): reads the
 * image from a PGM file and writes the result as one, with MiBench's
 * arguments; the verification runs only with BAO_VERIFY=1.
 */
#include "bench.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(SUSAN_CORNERS) + defined(SUSAN_EDGES) + defined(SUSAN_SMOOTHING) != 1
#error "define exactly one of SUSAN_CORNERS, SUSAN_EDGES, SUSAN_SMOOTHING"
#endif

#ifdef BENCH_LARGE
#define IMG_W 384
#define IMG_H 288
#else
#define IMG_W 76
#define IMG_H 95
#endif

/* Passes over the image (docs/workloads.md has the resulting instruction counts). */
#ifndef SUSAN_PASSES
#if defined(SUSAN_CORNERS)
#define SUSAN_PASSES_SMALL 21
#define SUSAN_PASSES_LARGE 7
#elif defined(SUSAN_EDGES)
#define SUSAN_PASSES_SMALL 14
#define SUSAN_PASSES_LARGE 5
#else
#define SUSAN_PASSES_SMALL 2
#define SUSAN_PASSES_LARGE 1
#endif
#ifdef BENCH_LARGE
#define SUSAN_PASSES SUSAN_PASSES_LARGE
#else
#define SUSAN_PASSES SUSAN_PASSES_SMALL
#endif
#endif

#if defined(SUSAN_CORNERS)
#define MODE_NAME "corners"
#elif defined(SUSAN_EDGES)
#define MODE_NAME "edges"
#else
#define MODE_NAME "smoothing"
#endif

#define SUSAN_SEED 0x243f6a8885a308d3ull
#define BT 20                           /* brightness threshold t */
#define NMAX 3700                       /* 37 pixels x 100 */
#define G_CORNERS 1850                  /* n_max / 2 */
#define G_EDGES 2775                    /* 3 n_max / 4 */
#define SMOOTH_R 7                      /* 15 x 15 smoothing mask */
#define SMOOTH_SIGMA 4.0                /* spatial Gaussian */
#define MAX_CORNERS (IMG_W * IMG_H / 8) /* room for far more than are found */

static uint8_t image[IMG_H][IMG_W];
static uint8_t lut_store[512]; /* c(d) for d in -255..255 at lut_store[d + 256] */
#define LUT (lut_store + 256)

/* ---- Input ----------------------------------------------------------------- */

/* The Linux variant reads this image from a file (made by the host build). */
#if !defined(BENCH_LINUX) || defined(BENCH_MAKE_INPUT)
static int64_t edge_fn(int ax, int ay, int bx, int by, int px, int py) {
    return (int64_t)(bx - ax) * (py - ay) - (int64_t)(by - ay) * (px - ax);
}

static void make_image(void) {
    bench_rng g = {SUSAN_SEED};
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x++)
            image[y][x] = (uint8_t)(40 + 60 * x / IMG_W + 40 * y / IMG_H);

    int nshapes = IMG_W * IMG_H / 1500;
    if (nshapes < 5)
        nshapes = 5;
    int span = (IMG_W < IMG_H ? IMG_W : IMG_H) / 3;
    for (int s = 0; s < nshapes; s++) {
        int kind = (int)bench_rng_below(&g, 3);
        uint8_t grey = (uint8_t)bench_rng_below(&g, 256);
        int cx = (int)bench_rng_below(&g, IMG_W), cy = (int)bench_rng_below(&g, IMG_H);
        if (kind == 0) { /* rectangle */
            int w = 5 + (int)bench_rng_below(&g, (uint32_t)span);
            int h = 5 + (int)bench_rng_below(&g, (uint32_t)span);
            for (int y = cy - h / 2; y < cy + h - h / 2; y++)
                for (int x = cx - w / 2; x < cx + w - w / 2; x++)
                    if (x >= 0 && x < IMG_W && y >= 0 && y < IMG_H)
                        image[y][x] = grey;
        } else if (kind == 1) { /* disc */
            int r = 3 + (int)bench_rng_below(&g, (uint32_t)span / 2);
            for (int y = cy - r; y <= cy + r; y++)
                for (int x = cx - r; x <= cx + r; x++)
                    if (x >= 0 && x < IMG_W && y >= 0 && y < IMG_H &&
                        (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
                        image[y][x] = grey;
        } else { /* triangle */
            int px[3], py[3];
            for (int k = 0; k < 3; k++) {
                px[k] = cx + (int)bench_rng_below(&g, (uint32_t)span) - span / 2;
                py[k] = cy + (int)bench_rng_below(&g, (uint32_t)span) - span / 2;
            }
            for (int y = cy - span; y <= cy + span; y++)
                for (int x = cx - span; x <= cx + span; x++) {
                    if (x < 0 || x >= IMG_W || y < 0 || y >= IMG_H)
                        continue;
                    int64_t e0 = edge_fn(px[0], py[0], px[1], py[1], x, y);
                    int64_t e1 = edge_fn(px[1], py[1], px[2], py[2], x, y);
                    int64_t e2 = edge_fn(px[2], py[2], px[0], py[0], x, y);
                    if ((e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0))
                        image[y][x] = grey;
                }
        }
    }
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x++) {
            int v = image[y][x] + (int)bench_rng_below(&g, 13) - 6;
            image[y][x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}
#endif

/* c(d) = 100 exp(-(d/t)^form), truncated, as SUSAN's brightness LUT. */
static void make_lut(int form) {
    for (int d = -255; d <= 255; d++) {
        double v = (double)d / BT;
        v = v * v;
        if (form == 6)
            v = v * v * v;
        LUT[d] = (uint8_t)(100.0 * exp(-v));
    }
}

#if defined(SUSAN_CORNERS) || defined(SUSAN_EDGES)

static int response[IMG_H][IMG_W];

/* The 36 mask offsets around the nucleus, row by row (3, 5, 7, 6, 7, 5, 3). */
#define ROW3(p, dy, F) F(p, dy, -1) F(p, dy, 0) F(p, dy, 1)
#define ROW5(p, dy, F) F(p, dy, -2) ROW3(p, dy, F) F(p, dy, 2)
#define ROW7(p, dy, F) F(p, dy, -3) ROW5(p, dy, F) F(p, dy, 3)
#define ROW0(p, F) F(p, 0, -3) F(p, 0, -2) F(p, 0, -1) F(p, 0, 1) F(p, 0, 2) F(p, 0, 3)
#define MASK36(p, F)                                                                               \
    ROW3(p, -3, F)                                                                                 \
    ROW5(p, -2, F) ROW7(p, -1, F) ROW0(p, F) ROW7(p, 1, F) ROW5(p, 2, F) ROW3(p, 3, F)

#define ADD_N(p, dy, dx) n += cp[-(p)[(dy)*IMG_W + (dx)]];
#define ADD_C(p, dy, dx)                                                                           \
    {                                                                                              \
        int c = cp[-(p)[(dy)*IMG_W + (dx)]];                                                       \
        sx += c * (dx);                                                                            \
        sy += c * (dy);                                                                            \
        ADD_M(dy, dx)                                                                              \
    }
#endif

#ifdef SUSAN_CORNERS
#define ADD_M(dy, dx)
#define BORDER 5

struct corner {
    int16_t x, y;
    int32_t r;
};
static struct corner corners[MAX_CORNERS];
static struct corner ref_corners[MAX_CORNERS];

static int div_round(int a, int b) { /* b > 0, rounds half away from zero */
    return a >= 0 ? (2 * a + b) / (2 * b) : -((-2 * a + b) / (2 * b));
}

/* Centroid and contiguity tests shared by both implementations. */
static int corner_ok(int x, int y, int n, int sx, int sy) {
    int64_t sq = (int64_t)sx * sx + (int64_t)sy * sy;
    if (2 * sq <= (int64_t)n * n) /* centroid within 0.7 px of the nucleus */
        return 0;
    int c0 = image[y][x];
    int ax = abs(sx), ay = abs(sy);
    for (int k = 1; k <= 2; k++) {
        int px, py;
        if (ax >= ay) {
            px = x + (sx > 0 ? k : -k);
            py = y + div_round(k * sy, ax);
        } else {
            py = y + (sy > 0 ? k : -k);
            px = x + div_round(k * sx, ay);
        }
        if (LUT[c0 - image[py][px]] < 50)
            return 0;
    }
    return 1;
}

/* Non-maximum suppression over 5 x 5: strictly above earlier neighbours (in
 * raster order), at least equal to later ones. */
static int nms(int (*r)[IMG_W], struct corner* out) {
    int count = 0;
    for (int y = BORDER; y < IMG_H - BORDER; y++)
        for (int x = BORDER; x < IMG_W - BORDER; x++) {
            int v = r[y][x];
            if (v <= 0)
                continue;
            int keep = 1;
            for (int dy = -2; dy <= 2 && keep; dy++)
                for (int dx = -2; dx <= 2; dx++) {
                    int w = r[y + dy][x + dx];
                    int earlier = dy < 0 || (dy == 0 && dx < 0);
                    if ((dy || dx) && (earlier ? w >= v : w > v)) {
                        keep = 0;
                        break;
                    }
                }
            if (keep && count < MAX_CORNERS)
                out[count++] = (struct corner){(int16_t)x, (int16_t)y, v};
        }
    return count;
}

static int kernel(void) {
    memset(response, 0, sizeof response);
    for (int y = BORDER; y < IMG_H - BORDER; y++) {
        const uint8_t* p = &image[y][BORDER];
        for (int x = BORDER; x < IMG_W - BORDER; x++, p++) {
            const uint8_t* cp = LUT + *p;
            int n = 100;
            MASK36(p, ADD_N)
            if (n >= G_CORNERS)
                continue;
            int sx = 0, sy = 0;
            MASK36(p, ADD_C)
            if (corner_ok(x, y, n, sx, sy))
                response[y][x] = G_CORNERS - n;
        }
    }
    return nms(response, corners);
}

static int ref_response[IMG_H][IMG_W];

static int reference(void) {
    for (int y = BORDER; y < IMG_H - BORDER; y++)
        for (int x = BORDER; x < IMG_W - BORDER; x++) {
            int n = 0, sx = 0, sy = 0;
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++) {
                    if (dx * dx + dy * dy > 11)
                        continue;
                    int c = LUT[image[y][x] - image[y + dy][x + dx]];
                    n += c;
                    sx += c * dx;
                    sy += c * dy;
                }
            ref_response[y][x] = n < G_CORNERS && corner_ok(x, y, n, sx, sy) ? G_CORNERS - n : 0;
        }
    return nms(ref_response, ref_corners);
}

static int count;

static void run_passes(void) {
    for (int i = 0; i < SUSAN_PASSES; i++)
        count = kernel();
}

static int verify(uint64_t* hash, int* features) {
    int ref_count = reference();
    *hash = 0;
    for (int i = 0; i < count; i++)
        *hash =
            bench_mix(*hash, ((uint64_t)(uint16_t)corners[i].x << 48) |
                                 ((uint64_t)(uint16_t)corners[i].y << 32) | (uint32_t)corners[i].r);
    *features = count;
    return count == ref_count && count > 0 && count < MAX_CORNERS &&
           memcmp(corners, ref_corners, (size_t)count * sizeof corners[0]) == 0;
}
#endif /* SUSAN_CORNERS */

#ifdef SUSAN_EDGES
#define ADD_M(dy, dx)                                                                              \
    sxx += c * (dx) * (dx);                                                                        \
    syy += c * (dy) * (dy);                                                                        \
    sxy += c * (dx) * (dy);
#define BORDER 3

static uint8_t direction[IMG_H][IMG_W];
static uint8_t edges[IMG_H][IMG_W], ref_edges[IMG_H][IMG_W];

/* Edge normal class: 0 along x, 1 along y, 2 along (1, 1), 3 along (1, -1). */
static int edge_dir(int n, int sx, int sy, int sxx, int syy, int sxy) {
    int64_t sq = (int64_t)sx * sx + (int64_t)sy * sy;
    if (n > 600 && 100 * sq > 81 * (int64_t)n * n) { /* inter-pixel: normal = centroid */
        int ax = abs(sx), ay = abs(sy);
        if (1000 * ay < 414 * ax)
            return 0;
        if (1000 * ax < 414 * ay)
            return 1;
        return (sx > 0) == (sy > 0) ? 2 : 3;
    }
    /* intra-pixel: the USAN's major axis is the edge, the normal is across it */
    int v0 = 2 * sxx, v90 = 2 * syy, v45 = sxx + syy + 2 * sxy, v135 = sxx + syy - 2 * sxy;
    int best = 1, vb = v0; /* major axis along x: normal along y */
    if (v90 > vb) {
        best = 0;
        vb = v90;
    }
    if (v45 > vb) {
        best = 3;
        vb = v45;
    }
    if (v135 > vb)
        best = 2;
    return best;
}

/* Non-maximum suppression along the normal; returns the number of edge pixels. */
static int thin(int (*r)[IMG_W], uint8_t (*dir)[IMG_W], uint8_t (*out)[IMG_W]) {
    static const int8_t ex[4] = {-1, 0, -1, 1}, ey[4] = {0, -1, -1, -1}; /* earlier neighbour */
    int count = 0;
    memset(out, 0, sizeof(uint8_t[IMG_H][IMG_W]));
    for (int y = BORDER; y < IMG_H - BORDER; y++)
        for (int x = BORDER; x < IMG_W - BORDER; x++) {
            int v = r[y][x];
            if (v <= 0)
                continue;
            int d = dir[y][x];
            if (v > r[y + ey[d]][x + ex[d]] && v >= r[y - ey[d]][x - ex[d]]) {
                out[y][x] = (uint8_t)(1 + d);
                count++;
            }
        }
    return count;
}

static int kernel(void) {
    memset(response, 0, sizeof response);
    for (int y = BORDER; y < IMG_H - BORDER; y++) {
        const uint8_t* p = &image[y][BORDER];
        for (int x = BORDER; x < IMG_W - BORDER; x++, p++) {
            const uint8_t* cp = LUT + *p;
            int n = 100;
            MASK36(p, ADD_N)
            if (n >= G_EDGES)
                continue;
            int sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            MASK36(p, ADD_C)
            response[y][x] = G_EDGES - n;
            direction[y][x] = (uint8_t)edge_dir(n, sx, sy, sxx, syy, sxy);
        }
    }
    return thin(response, direction, edges);
}

static int ref_response[IMG_H][IMG_W];
static uint8_t ref_direction[IMG_H][IMG_W];

static int reference(void) {
    for (int y = BORDER; y < IMG_H - BORDER; y++)
        for (int x = BORDER; x < IMG_W - BORDER; x++) {
            int n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++) {
                    if (dx * dx + dy * dy > 11)
                        continue;
                    int c = LUT[image[y][x] - image[y + dy][x + dx]];
                    n += c;
                    sx += c * dx;
                    sy += c * dy;
                    sxx += c * dx * dx;
                    syy += c * dy * dy;
                    sxy += c * dx * dy;
                }
            ref_response[y][x] = n < G_EDGES ? G_EDGES - n : 0;
            ref_direction[y][x] = (uint8_t)edge_dir(n, sx, sy, sxx, syy, sxy);
        }
    return thin(ref_response, ref_direction, ref_edges);
}

static int count;

static void run_passes(void) {
    for (int i = 0; i < SUSAN_PASSES; i++)
        count = kernel();
}

static int verify(uint64_t* hash, int* features) {
    int ref_count = reference();
    *hash = 0;
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x++)
            if (edges[y][x])
                *hash = bench_mix(*hash, ((uint64_t)y << 32) | ((uint64_t)x << 8) | edges[y][x]);
    *features = count;
    return count == ref_count && count > 0 && memcmp(edges, ref_edges, sizeof edges) == 0;
}
#endif /* SUSAN_EDGES */

#ifdef SUSAN_SMOOTHING
#define MW (2 * SMOOTH_R + 1)
static uint8_t spatial[MW][MW]; /* 100 exp(-r^2 / (2 sigma^2)), centre 0 */
static uint8_t smoothed[IMG_H][IMG_W], ref_smoothed[IMG_H][IMG_W];

static uint8_t median8(const uint8_t* p) {
    uint8_t v[8] = {p[-IMG_W - 1], p[-IMG_W],    p[-IMG_W + 1], p[-1],
                    p[1],          p[IMG_W - 1], p[IMG_W],      p[IMG_W + 1]};
    for (int i = 1; i < 8; i++) /* insertion sort */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint8_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return (uint8_t)((v[3] + v[4] + 1) / 2);
}

static void kernel(void) {
    memcpy(smoothed, image, sizeof image); /* the border keeps its input value */
    for (int y = SMOOTH_R; y < IMG_H - SMOOTH_R; y++) {
        for (int x = SMOOTH_R; x < IMG_W - SMOOTH_R; x++) {
            const uint8_t* centre = &image[y][x];
            const uint8_t* cp = LUT + *centre;
            uint32_t total = 0, sum = 0;
            const uint8_t* row = centre - SMOOTH_R * IMG_W - SMOOTH_R;
            for (int dy = 0; dy < MW; dy++, row += IMG_W) {
                const uint8_t* w = spatial[dy];
                for (int dx = 0; dx < MW; dx++) {
                    uint32_t v = row[dx];
                    uint32_t k = (uint32_t)w[dx] * cp[-(int)v];
                    total += k;
                    sum += k * v;
                }
            }
            smoothed[y][x] = total ? (uint8_t)((sum + total / 2) / total) : median8(centre);
        }
    }
}

static void reference(void) {
    memcpy(ref_smoothed, image, sizeof image);
    for (int y = SMOOTH_R; y < IMG_H - SMOOTH_R; y++)
        for (int x = SMOOTH_R; x < IMG_W - SMOOTH_R; x++) {
            uint64_t total = 0, sum = 0;
            for (int dy = -SMOOTH_R; dy <= SMOOTH_R; dy++)
                for (int dx = -SMOOTH_R; dx <= SMOOTH_R; dx++) {
                    if (dx == 0 && dy == 0)
                        continue;
                    int v = image[y + dy][x + dx];
                    uint64_t k =
                        (uint64_t)spatial[dy + SMOOTH_R][dx + SMOOTH_R] * LUT[image[y][x] - v];
                    total += k;
                    sum += k * (uint64_t)v;
                }
            ref_smoothed[y][x] =
                total ? (uint8_t)((sum + total / 2) / total) : median8(&image[y][x]);
        }
}

static void run_passes(void) {
    for (int i = 0; i < SUSAN_PASSES; i++)
        kernel();
}

static int verify(uint64_t* hash, int* features) {
    reference();
    *hash = 0;
    int changed = 0;
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x += 8) {
            uint64_t w = 0;
            for (int k = 0; k < 8 && x + k < IMG_W; k++) {
                w |= (uint64_t)smoothed[y][x + k] << (8 * k);
                changed += smoothed[y][x + k] != image[y][x + k];
            }
            *hash = bench_mix(*hash, w);
        }
    *features = changed;
    return memcmp(smoothed, ref_smoothed, sizeof smoothed) == 0 && changed > 0;
}
#endif /* SUSAN_SMOOTHING */

#ifdef BENCH_LINUX
/* MiBench's `susan input_small.pgm output_small.smoothing.pgm -s` (-e edges,
 * -c corners): binary PGM in and out. This build does one mode, so the flag
 * must name it; the input is the image make_image draws (written by the host
 * build with -DBENCH_MAKE_INPUT), of this build's size. */
#if defined(SUSAN_CORNERS)
#define MODE_FLAG "-c"
#elif defined(SUSAN_EDGES)
#define MODE_FLAG "-e"
#else
#define MODE_FLAG "-s"
#endif

static void read_pgm(const char* path) {
    FILE* f = fopen(path, "rb");
    if (!f)
        bench_fail("susan: cannot open input", path);
    int w = 0, h = 0, maxval = 0;
    if (fscanf(f, "P5 %d %d %d", &w, &h, &maxval) != 3 || fgetc(f) == EOF || w != IMG_W ||
        h != IMG_H || maxval != 255 || fread(image, 1, sizeof image, f) != sizeof image)
        bench_fail("susan: input is not a " BENCH_SIZE_NAME " 8-bit binary PGM", path);
    fclose(f);
}

static void write_pgm(const char* path, const uint8_t (*pixels)[IMG_W]) {
    FILE* f = fopen(path, "wb");
    if (!f)
        bench_fail("susan: cannot create output", path);
    fprintf(f, "P5\n%d %d\n255\n", IMG_W, IMG_H);
    fwrite(pixels, 1, (size_t)IMG_W * IMG_H, f);
    if (fclose(f) != 0)
        bench_fail("susan: cannot write output", path);
}

/* The result as an image: smoothing's output itself; edges and corners
 * drawn on the input (edge pixels white, corners black), as MiBench's do. */
static uint8_t result[IMG_H][IMG_W];
static void make_result(void) {
#if defined(SUSAN_SMOOTHING)
    memcpy(result, smoothed, sizeof result);
#elif defined(SUSAN_EDGES)
    for (int y = 0; y < IMG_H; y++)
        for (int x = 0; x < IMG_W; x++)
            result[y][x] = edges[y][x] ? 255 : image[y][x];
#else
    memcpy(result, image, sizeof result);
    for (int i = 0; i < count; i++)
        result[corners[i].y][corners[i].x] = 0;
#endif
}
#endif /* BENCH_LINUX */

#ifdef BENCH_MAKE_INPUT
/* Host tool: writes the input image the Linux variant reads. */
int main(int argc, char** argv) {
    if (argc != 2)
        bench_fail("usage: susan-make-input", "OUTPUT.pgm");
    make_image();
    write_pgm(argv[1], (const uint8_t(*)[IMG_W])image);
    return 0;
}
#else
BENCH_MAIN {
    bench_setup();
#ifdef BENCH_LINUX
    if (argc != 4 || strcmp(argv[3], MODE_FLAG) != 0)
        bench_fail("usage: susan-" MODE_NAME " INPUT.pgm OUTPUT.pgm", MODE_FLAG);
    read_pgm(argv[1]);
#else
    make_image();
#endif
#ifdef SUSAN_SMOOTHING
    make_lut(2);
    for (int dy = -SMOOTH_R; dy <= SMOOTH_R; dy++)
        for (int dx = -SMOOTH_R; dx <= SMOOTH_R; dx++)
            spatial[dy + SMOOTH_R][dx + SMOOTH_R] =
                (dx || dy) ? (uint8_t)(100.0 * exp(-(double)(dx * dx + dy * dy) /
                                                   (2.0 * SMOOTH_SIGMA * SMOOTH_SIGMA)))
                           : 0;
#else
    make_lut(6);
#endif

    bench_begin();
    run_passes();
    bench_end();

#ifdef BENCH_LINUX
    make_result();
    write_pgm(argv[2], (const uint8_t(*)[IMG_W])result);
    if (!bench_verify())
        return 0;
#endif
    uint64_t hash;
    int features;
    int ok = verify(&hash, &features);
    bao_printf("susan-%s-%s: image=%dx%d passes=%d %s=%d hash=%016llx\n", MODE_NAME,
               BENCH_SIZE_NAME, IMG_W, IMG_H, SUSAN_PASSES,
#if defined(SUSAN_CORNERS)
               "corners",
#elif defined(SUSAN_EDGES)
               "edge_pixels",
#else
               "changed_pixels",
#endif
               features, (unsigned long long)hash);
    bench_report(ok);
    return 0;
}
#endif /* BENCH_MAKE_INPUT */
