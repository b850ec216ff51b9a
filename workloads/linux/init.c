/*
 * init - the benchmark VM's /init (docs/linux.md): runs one MiBench workload
 * the way the published figures were measured (bao-reference.md): each run a
 * whole process (fork, exec, input read from the file system, output written
 * to a file, exit, wait), W warm-up runs and then R measured runs, and powers
 * the VM off.
 *
 * Kernel command line (read from /proc/cmdline; no dots, so Linux leaves them
 * alone):
 *   bao_bench=NAME   the workload (table below); absent: a busybox shell
 *   bao_job=console  (the init built with BAO_INIT_JOBS, /init of
 *                    initramfs-all) no workload at boot: print "bao-init:
 *                    waiting for a job" and read one line from the console
 *                    (/dev/console, echo off) with the keys below, e.g.
 *                    "bao_bench=qsort-small bao_warmup=0 bao_runs=2"; its
 *                    values replace the command line's. One booted machine
 *                    then runs whichever job it is given: the simulator
 *                    checkpoints it while it waits and restores it per
 *                    workload (docs/linux.md, "One boot, many jobs"; bao-sim
 *                    --console-input). Without BAO_INIT_JOBS the binary is
 *                    the per-workload archives' init, unchanged.
 *   bao_warmup=W     warm-up runs (default 1; the paper: 10)
 *   bao_runs=R       measured runs (default 1; the paper: 35)
 *   bao_verify=0|1   first one run with BAO_VERIFY=1 that must print
 *                    checksum_ok=1 (default 1); it is neither warm-up nor measured
 *   bao_mark=ADDR    physical address of the VM's marker page (hex). Each
 *                    measured run is bracketed by a 32-bit store of 0 (start,
 *                    just before fork) and 1 (end, just after wait) to it,
 *                    mapped through /dev/mem. User space cannot issue the
 *                    bao-sim mark hypercall (HVC traps to the kernel as an
 *                    undefined instruction at EL0), so the VM's config maps
 *                    a trapped page for this, which hv turns into the same
 *                    `mark` call (docs/design.md#measured-region). Absent: no marks (plain QEMU,
 *                    where the address would fault).
 * Console output, one line each:
 *   bao-init: bench=NAME warmup=W runs=R mark=ADDR|none
 *   <the verification run's output: result line, checksum_ok=1>
 *   bao-init: run I ns=N            (each measured run, CLOCK_MONOTONIC)
 *   bao-init: done bench=NAME runs=R failed=F min_ns= mean_ns= max_ns=
 * then reboot(POWER_OFF), which Linux turns into PSCI SYSTEM_OFF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef BAO_INIT_JOBS
#include <termios.h>
#endif
#include <time.h>
#include <unistd.h>

#define BENCH_DIR "/bench"
#define OUT_DIR "/out"
#define MAX_ARGS 4

/* One MiBench runme line: the program, its arguments, where stdout goes. */
struct workload {
    const char* name;
    const char* argv[MAX_ARGS + 1];
    const char* stdout_file;
};

/* Arguments as MiBench's runme_small.sh / runme_large.sh (docs/design.md#workload-sizes). */
static const struct workload workloads[] = {
    {"qsort-small", {"qsort-small", BENCH_DIR "/input_small.dat"}, "output_small.txt"},
    {"qsort-large", {"qsort-large", BENCH_DIR "/input_large.dat"}, "output_large.txt"},
    {"bitcount-small", {"bitcount-small", "75000"}, "output_small.txt"},
    {"bitcount-large", {"bitcount-large", "1125000"}, "output_large.txt"},
    {"basicmath-small", {"basicmath-small"}, "output_small.txt"},
    {"basicmath-large", {"basicmath-large"}, "output_large.txt"},
    {"susan-smoothing-small",
     {"susan-smoothing-small", BENCH_DIR "/input_small.pgm", "output_small.smoothing.pgm", "-s"},
     "stdout.txt"},
    {"susan-edges-small",
     {"susan-edges-small", BENCH_DIR "/input_small.pgm", "output_small.edges.pgm", "-e"},
     "stdout.txt"},
    {"susan-corners-small",
     {"susan-corners-small", BENCH_DIR "/input_small.pgm", "output_small.corners.pgm", "-c"},
     "stdout.txt"},
    {"susan-smoothing-large",
     {"susan-smoothing-large", BENCH_DIR "/input_large.pgm", "output_large.smoothing.pgm", "-s"},
     "stdout.txt"},
    {"susan-edges-large",
     {"susan-edges-large", BENCH_DIR "/input_large.pgm", "output_large.edges.pgm", "-e"},
     "stdout.txt"},
    {"susan-corners-large",
     {"susan-corners-large", BENCH_DIR "/input_large.pgm", "output_large.corners.pgm", "-c"},
     "stdout.txt"},
};

struct params {
    char bench[64];
    unsigned warmup, runs;
    int verify;
    uint64_t mark_pa; /* 0: no marks */
};

static void power_off(void) {
    sync();
    reboot(LINUX_REBOOT_CMD_POWER_OFF);
    for (;;)
        pause(); /* pid 1 must not exit */
}

static void fail(const char* what) {
    printf("bao-init: error: %s (%s)\n", what, strerror(errno));
    fflush(stdout);
    power_off();
}

/* The value of `key=` in the command line, or NULL. */
static const char* arg(const char* cmdline, const char* key, char* buf, size_t size) {
    size_t klen = strlen(key);
    for (const char* p = cmdline; (p = strstr(p, key)) != NULL; p += klen) {
        if ((p != cmdline && p[-1] != ' ') || p[klen] != '=')
            continue;
        size_t n = strcspn(p + klen + 1, " \n");
        if (n >= size)
            n = size - 1;
        memcpy(buf, p + klen + 1, n);
        buf[n] = '\0';
        return buf;
    }
    return NULL;
}

static struct params read_params(void) {
    struct params p = {"", 1, 1, 1, 0};
    char cmdline[4096] = "", v[64];
    FILE* f = fopen("/proc/cmdline", "r");
    if (!f || !fgets(cmdline, sizeof cmdline, f))
        fail("cannot read /proc/cmdline");
    fclose(f);
    if (arg(cmdline, "bao_bench", v, sizeof v))
        snprintf(p.bench, sizeof p.bench, "%s", v);
    if (arg(cmdline, "bao_warmup", v, sizeof v))
        p.warmup = (unsigned)strtoul(v, NULL, 10);
    if (arg(cmdline, "bao_runs", v, sizeof v))
        p.runs = (unsigned)strtoul(v, NULL, 10);
    if (arg(cmdline, "bao_verify", v, sizeof v))
        p.verify = v[0] == '1';
    if (arg(cmdline, "bao_mark", v, sizeof v))
        p.mark_pa = strtoull(v, NULL, 16);
    return p;
}

#ifdef BAO_INIT_JOBS
/* bao_job=console on the command line. */
static int job_from_console(void) {
    char cmdline[4096] = "", v[64];
    FILE* f = fopen("/proc/cmdline", "r");
    if (!f || !fgets(cmdline, sizeof cmdline, f))
        fail("cannot read /proc/cmdline");
    fclose(f);
    return arg(cmdline, "bao_job", v, sizeof v) && strcmp(v, "console") == 0;
}

/* One line from the console with echo off (what is typed is not printed
 * back: the console shows the same lines whoever typed), its keys replacing
 * the command line's. */
static void read_job(struct params* p) {
    struct termios t;
    if (tcgetattr(0, &t) == 0) {
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        tcsetattr(0, TCSANOW, &t);
    }
    printf("bao-init: waiting for a job\n");
    char line[512], v[64];
    if (!fgets(line, sizeof line, stdin))
        fail("no job line on the console");
    line[strcspn(line, "\r\n")] = '\0';
    printf("bao-init: job: %s\n", line);
    if (arg(line, "bao_bench", v, sizeof v))
        snprintf(p->bench, sizeof p->bench, "%s", v);
    if (arg(line, "bao_warmup", v, sizeof v))
        p->warmup = (unsigned)strtoul(v, NULL, 10);
    if (arg(line, "bao_runs", v, sizeof v))
        p->runs = (unsigned)strtoul(v, NULL, 10);
    if (arg(line, "bao_verify", v, sizeof v))
        p->verify = v[0] == '1';
}
#endif

static volatile uint32_t* map_marker(uint64_t pa) {
    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    if (fd < 0)
        fail("cannot open /dev/mem for the marker page");
    void* page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(pa & ~0xfffull));
    if (page == MAP_FAILED)
        fail("cannot map the marker page");
    close(fd);
    return (volatile uint32_t*)((char*)page + (pa & 0xfff));
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* One run: fork, exec with stdout to the output file, wait. Returns 0 when
 * the program exited with status 0. */
static int run_once(const struct workload* w, int verify) {
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        int out = open(w->stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || dup2(out, 1) < 0)
            _exit(126);
        close(out);
        char path[128];
        snprintf(path, sizeof path, BENCH_DIR "/%s", w->argv[0]);
        char* envp[] = {verify ? "BAO_VERIFY=1" : "BAO_VERIFY=0", NULL};
        execve(path, (char* const*)w->argv, envp);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The verification run: its output must say checksum_ok=1; shown on the console. */
static int verify_run(const struct workload* w) {
    if (run_once(w, 1) != 0)
        return -1;
    FILE* f = fopen(w->stdout_file, "r");
    if (!f)
        return -1;
    char line[256];
    int ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, w->name, strlen(w->name)) == 0 || strncmp(line, "checksum_ok=", 12) == 0)
            fputs(line, stdout);
        ok |= strcmp(line, "checksum_ok=1\n") == 0;
    }
    fclose(f);
    return ok ? 0 : -1;
}

static void mount_filesystems(void) {
    mkdir("/proc", 0555);
    mkdir("/dev", 0755);
    mkdir(OUT_DIR, 0755);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0 && errno != EBUSY)
        fail("mount /proc");
    /* /dev/mem (marker page) and /dev/null; the initramfs has /dev/console only. */
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
        fail("mount /dev");
}

static void run_bench(const struct workload* w, const struct params* p) {
    volatile uint32_t* mark = p->mark_pa ? map_marker(p->mark_pa) : NULL;
    if (chdir(OUT_DIR) != 0)
        fail("chdir " OUT_DIR);
    unsigned failed = 0;
    if (p->verify && verify_run(w) != 0) {
        printf("bao-init: verification run of %s failed\n", w->name);
        failed++;
    }
    for (unsigned i = 0; i < p->warmup; i++)
        failed += run_once(w, 0) != 0;
    uint64_t min = UINT64_MAX, max = 0, sum = 0;
    for (unsigned i = 0; i < p->runs; i++) {
        uint64_t t0 = now_ns();
        if (mark)
            *mark = 0;
        int rc = run_once(w, 0);
        if (mark)
            *mark = 1;
        uint64_t ns = now_ns() - t0;
        failed += rc != 0;
        min = ns < min ? ns : min;
        max = ns > max ? ns : max;
        sum += ns;
        printf("bao-init: run %u ns=%llu\n", i, (unsigned long long)ns);
    }
    printf("bao-init: done bench=%s runs=%u failed=%u min_ns=%llu mean_ns=%llu max_ns=%llu\n",
           w->name, p->runs, failed, (unsigned long long)(p->runs ? min : 0),
           (unsigned long long)(p->runs ? sum / p->runs : 0), (unsigned long long)max);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    mount_filesystems();
    struct params p = read_params();
#ifdef BAO_INIT_JOBS
    if (job_from_console())
        read_job(&p);
#endif
    if (p.bench[0] == '\0') {
        printf("bao-init: no bao_bench= on the command line: starting a shell\n");
        execl("/bin/sh", "sh", NULL);
        fail("no /bin/sh");
    }
    char mark[32] = "none";
    if (p.mark_pa)
        snprintf(mark, sizeof mark, "0x%llx", (unsigned long long)p.mark_pa);
    printf("bao-init: bench=%s warmup=%u runs=%u mark=%s\n", p.bench, p.warmup, p.runs, mark);
    const struct workload* w = NULL;
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(workloads[i].name, p.bench) == 0)
            w = &workloads[i];
    if (!w)
        printf("bao-init: error: unknown workload '%s'\n", p.bench);
    else
        run_bench(w, &p);
    power_off();
}
