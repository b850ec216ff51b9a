/*
 * irqlat - interrupt latency probe, as in the Bao papers (docs/workloads.md).
 *
 * Core 0 arms its timer IRQLAT_PERIOD_US microseconds ahead, waits in WFI,
 * and in the interrupt takes the timestamp the runtime's vector read
 * (bao_irq_entry_cntvct(), a few instructions after exception entry):
 * latency = that time - the programmed deadline, in timebase ticks. The
 * handler acknowledges the interrupt, disarms the timer, completes it and
 * reports the sample with bao_sample(). MMU and caches on (identity map).
 * After IRQLAT_SAMPLES samples it prints the summary and returns (SYSTEM_OFF).
 *
 * The timer and the interrupt controller are the architecture's hooks:
 * irqlat_arm64.h (the EL1 virtual timer through the GIC), irqlat_rv64.h (the
 * supervisor timer through SBI). The period is converted to ticks from the
 * timebase at run time.
 */
#if defined(__riscv)
#include "irqlat_rv64.h"
#else
#include "irqlat_arm64.h"
#endif

#ifndef IRQLAT_SAMPLES
#define IRQLAT_SAMPLES 1000
#endif
#ifndef IRQLAT_PERIOD_US
#define IRQLAT_PERIOD_US 10000
#endif

static volatile unsigned taken;       /* timer interrupts handled */
static volatile unsigned unexpected;  /* other INTIDs acknowledged */
static uint64_t lat[IRQLAT_SAMPLES];  /* vector entry - CVAL, ticks */
static uint64_t hlat[IRQLAT_SAMPLES]; /* C handler entry - CVAL, ticks */
static int bad;                       /* a sample before its expiry or absurdly late */
static uint64_t period_ticks;
static uint64_t sane_ticks; /* 100 ms: later than that is a lost interrupt, not latency */

static void vtimer_arm(void) {
    timer_set(read_cntvct() + period_ticks);
}

void irq_handler(void) {
    const uint64_t now = read_cntvct(); /* first thing the C handler does */
    const uint64_t entry = bao_irq_entry_cntvct();
    const irqlat_irq irq = irq_take();
    if (irq_spurious(irq))
        return;
    if (!irq_is_timer(irq)) {
        unexpected = unexpected + 1;
        irq_done(irq);
        return;
    }
    const uint64_t cval = timer_deadline();
    timer_disarm(); /* the level drops; main() arms the next period */
    irq_done(irq);
    const unsigned i = taken;
    if (i < IRQLAT_SAMPLES) {
        const int64_t d = (int64_t)(entry - cval);
        if (d < 0 || (uint64_t)d >= sane_ticks || now < entry)
            bad = 1;
        lat[i] = entry - cval;
        hlat[i] = now - cval;
        bao_sample(entry - cval);
    }
    taken = i + 1;
}

struct stats {
    uint64_t min, max, sum;
    uint64_t sumsq; /* samples are below 100 ms (checked), so this fits */
};

static struct stats summarize(const uint64_t* v, unsigned n) {
    struct stats s = {UINT64_MAX, 0, 0, 0};
    for (unsigned i = 0; i < n; ++i) {
        s.min = v[i] < s.min ? v[i] : s.min;
        s.max = v[i] > s.max ? v[i] : s.max;
        s.sum += v[i];
        s.sumsq += v[i] * v[i];
    }
    return s;
}

static uint64_t isqrt(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = 1ull << 62; bit != 0; bit >>= 2) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

static uint64_t to_ns(uint64_t ticks, uint64_t frq) {
    return (ticks * 1000000000ull + frq / 2) / frq;
}

/* Between interrupts the guest works over a buffer twice the L1 D, as an
 * application would, so that each interrupt finds hv's state evicted from
 * the core's L1 (but possibly still in the L2): idle in WFI the whole time,
 * the L1 would keep hv's lines and interference could never reach them. */
#ifndef IRQLAT_WORK_BYTES
#define IRQLAT_WORK_BYTES (64 * 1024)
#endif
static volatile uint8_t work[IRQLAT_WORK_BYTES] __attribute__((aligned(64)));

static void do_work(uint64_t bytes) {
    for (uint64_t off = 0; off < bytes && off < IRQLAT_WORK_BYTES; off += 64)
        work[off] = (uint8_t)(work[off] + 1);
}

/* The same for the instruction side: an application runs code too, and a
 * probe whose code fits in a few lines would leave hv's vector and IRQ path
 * in the L1 I for ever. The work executes the last `bytes` of a straight-line
 * sled of NOPs (twice the 32 KiB L1 I by default), one pass per period. */
#ifndef IRQLAT_CODE_BYTES
#define IRQLAT_CODE_BYTES (64 * 1024)
#endif
#define IRQLAT_STR2(x) #x
#define IRQLAT_STR(x) IRQLAT_STR2(x)
extern const uint32_t irqlat_sled[], irqlat_sled_end[];
__asm__(".text\n"
        ".balign 64\n"
        "irqlat_sled:\n"
        ".rept " IRQLAT_STR(IRQLAT_CODE_BYTES) " / 4\n"
                                               "nop\n"
                                               ".endr\n"
                                               "irqlat_sled_end:\n"
                                               "ret\n");
static void do_code_work(uint64_t bytes) {
    if (bytes > IRQLAT_CODE_BYTES)
        bytes = IRQLAT_CODE_BYTES;
    void (*entry)(void) = (void (*)(void))(irqlat_sled_end - bytes / 4);
    entry();
}

int main(void) {
    const uint64_t frq = bao_cntfrq();
    /* Run parameters (docs/design.md#timer-frequency): 0 = samples, 1 = period in us, 2 = data
     * bytes of work, 3 = code bytes of work. */
    const unsigned samples = (unsigned)bao_param(0, IRQLAT_SAMPLES);
    const uint64_t period_us = bao_param(1, IRQLAT_PERIOD_US);
    const uint64_t work_bytes = bao_param(2, IRQLAT_WORK_BYTES);
    const uint64_t code_bytes = bao_param(3, IRQLAT_CODE_BYTES);
    if (samples == 0 || samples > IRQLAT_SAMPLES) {
        bao_printf("irqlat: sample count %u out of range (1-%u)\n", samples,
                   (unsigned)IRQLAT_SAMPLES);
        bao_printf("checksum_ok=0\n");
        return 1;
    }
    period_ticks = frq * period_us / 1000000u;
    sane_ticks = frq / 10;
    if (frq == 0 || period_ticks == 0) {
        bao_printf("irqlat: bad " IRQLAT_TIMEBASE " %llu\n", (unsigned long long)frq);
        bao_printf("checksum_ok=0\n");
        return 1;
    }

    bao_mmu_enable_identity(); /* cached, as Bao's guests run; devices stay Device */
    irq_init();
    bao_mark(BAO_MARK_START);
    bao_irq_enable();
    for (unsigned i = 0; i < samples; ++i) {
        do_work(work_bytes);
        do_code_work(code_bytes);
        /* Masked while testing `taken`: WFI still wakes on the pending
         * timer interrupt, which is then taken as soon as I is cleared, so
         * one cannot slip between the test and the WFI. */
        bao_irq_disable();
        vtimer_arm();
        while (taken == i) {
            bao_wfi();
            irq_window();
        }
        bao_irq_enable();
    }
    bao_mark(BAO_MARK_END);
    bao_irq_disable();

    const unsigned n = samples;
    const struct stats s = summarize(lat, n);
    const struct stats h = summarize(hlat, n);
    /* mean and std with two decimals, integer arithmetic only */
    const uint64_t mean100 = (s.sum * 100 + n / 2) / n;
    const unsigned __int128 sum100 = (unsigned __int128)s.sum * 100;
    const uint64_t var10k =
        (uint64_t)(((unsigned __int128)s.sumsq * 10000 - sum100 * sum100 / n) / n);
    const uint64_t std100 = isqrt(var10k);
    const uint64_t hmean100 = (h.sum * 100 + n / 2) / n;

    bao_printf("irqlat: samples=%u mean=%llu.%02llu min=%llu max=%llu (ticks)\n", n,
               (unsigned long long)(mean100 / 100), (unsigned long long)(mean100 % 100),
               (unsigned long long)s.min, (unsigned long long)s.max);
    bao_printf("irqlat: std=%llu.%02llu ticks; cntfrq=%llu period=%llu ticks; "
               "ns: mean=%llu min=%llu max=%llu\n",
               (unsigned long long)(std100 / 100), (unsigned long long)(std100 % 100),
               (unsigned long long)frq, (unsigned long long)period_ticks,
               (unsigned long long)((s.sum * 1000000000ull / frq + n / 2) / n),
               (unsigned long long)to_ns(s.min, frq), (unsigned long long)to_ns(s.max, frq));
    bao_printf("irqlat: to the C handler (after the runtime's register save): mean=%llu.%02llu "
               "min=%llu max=%llu (ticks)\n",
               (unsigned long long)(hmean100 / 100), (unsigned long long)(hmean100 % 100),
               (unsigned long long)h.min, (unsigned long long)h.max);

    const int ok = !bad && taken == n && unexpected == 0;
    if (!ok)
        bao_printf("irqlat: FAILED: taken=%u unexpected=%u bad_sample=%d\n", taken, unexpected,
                   bad);
    bao_printf("checksum_ok=%d\n", ok);
    return 0;
}
