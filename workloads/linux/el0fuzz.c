/*
 * el0fuzz - the /init of initramfs-el0fuzz (docs/fuzzing.md, "Random code
 * in a Linux VM"): random AArch64 code run at EL0 under Linux, to show that
 * nothing a Linux process does stops the simulator (decision 31). Each child
 * process maps a page of random words (mixed with the instructions EL0 can
 * reach and the kernel must handle: loads and stores through good, bad,
 * misaligned and device pointers, exclusives, cache maintenance, system
 * registers, SVC, BRK, HVC, SMC, WFI, SP misalignment), calls it with
 * pointers in x0-x7, and dies of a signal, its timer, or exits; half of the
 * children skip each faulting instruction from a signal handler, up to a
 * limit, so the code runs on through sigreturn. The parent counts how each
 * child ended and powers the VM off.
 *
 * Kernel command line:
 *   bao_fuzz_seed=N      first child's seed (default 1); child i uses N + i
 *   bao_fuzz_children=N  children (default 100)
 *   bao_fuzz_mmio=1      also mix in single loads and stores to the emulated
 *                        UART and GIC distributor, mapped through /dev/mem
 *                        (needs iomem=relaxed: their drivers claim them; the
 *                        guest may then silence its own console or timer)
 *   bao_fuzz_uart=PA, bao_fuzz_gicd=PA  where they are (default QEMU virt's;
 *                        the ZCU104's: 0xff000000, 0xf9010000)
 * Console: "bao-fuzz: seed=S children=N mmio=M", then
 *   "bao-fuzz: done children=N exited=E no_mmio=U signals=SIG:COUNT,..."
 * (no_mmio: children that could not map the devices).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_WORDS 1024
#define SKIP_LIMIT 64
#define UART_PA 0x09000000ull /* QEMU virt's, unless the command line says */
#define GICD_PA 0x08000000ull

static uint64_t state;

static uint64_t next(void) { /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

static unsigned below(unsigned n) {
    return (unsigned)(next() % n);
}

static void power_off(void) {
    sync();
    reboot(LINUX_REBOOT_CMD_POWER_OFF);
    for (;;)
        pause();
}

static unsigned long cmdline_value(const char* key, unsigned long fallback) {
    char line[4096] = "";
    FILE* f = fopen("/proc/cmdline", "r");
    if (!f || !fgets(line, sizeof line, f))
        return fallback;
    fclose(f);
    size_t klen = strlen(key);
    for (const char* p = line; (p = strstr(p, key)) != NULL; p += klen)
        if ((p == line || p[-1] == ' ') && p[klen] == '=')
            return strtoul(p + klen + 1, NULL, 0);
    return fallback;
}

/* One instruction: uniform, or one of the classes EL0 reaches the kernel
 * (and the simulator) with. Registers 0-7 hold pointers (below). */
static uint32_t instruction(void) {
    const uint32_t rt = below(31), rn = below(8), rs = 8 + below(8);
    switch (below(16)) {
    case 0: { /* LDR/STR W/X/B (unsigned offset) */
        static const uint32_t ops[] = {0xB9400000, 0xB9000000, 0xF9400000,
                                       0xF9000000, 0x39400000, 0x39000000};
        return ops[below(6)] | below(64) << 10 | rn << 5 | rt;
    }
    case 1: /* LDXR X / STXR W, X */
        return below(2) ? 0xC85F7C00 | rn << 5 | rt : 0xC8007C00 | rs << 16 | rn << 5 | rt;
    case 2: { /* DC ZVA, DC CIVAC, DC CVAC, IC IVAU */
        static const uint32_t ops[] = {0xD50B7420, 0xD50B7E20, 0xD50B7A20, 0xD50B7520};
        return ops[below(4)] | rn;
    }
    case 3: /* MRS Xt, a random system register (op0 2 or 3) */
        return 0xD5300000 | below(2) << 19 | below(1 << 16) << 5 | rt;
    case 4: /* MSR */
        return 0xD5100000 | below(2) << 19 | below(1 << 16) << 5 | rt;
    case 5: { /* SVC, BRK, HVC, SMC, ERET, WFI, WFE, SEV */
        static const uint32_t ops[] = {0xD4000001, 0xD4200000, 0xD4000002, 0xD4000003,
                                       0xD69F03E0, 0xD503207F, 0xD503205F, 0xD503209F};
        return ops[below(8)];
    }
    case 6: /* MOVZ X8, #nr: a syscall number for the next SVC */
        return 0xD2800008 | below(300) << 5;
    case 7: /* ADD SP, SP, #imm (misaligns it), STP X29, X30, [SP, #-16]! */
        return below(2) ? 0x910003FF | below(32) << 10 : 0xA9BF7BFD;
    case 8: /* BR / BLR Xn (a pointer), B within the page */
        return below(3) == 0 ? 0x14000000 | (below(64) - 32u) % (1u << 26)
                             : (below(2) ? 0xD61F0000 : 0xD63F0000) | rn << 5;
    default:
        return (uint32_t)next();
    }
}

/* A single 32-bit load or store at `va` (a device mapped through /dev/mem)
 * through X16, which then is zeroed: hv decodes such an access (ISV set).
 * Pairs, exclusives and writeback forms would stop the VM (no ISV), as
 * under Bao, so device pointers stay out of the other registers. Returns
 * the words written (6). */
static unsigned device_access(uint32_t* out, uint64_t va) {
    for (unsigned hw = 0; hw < 4; hw++) /* MOVZ, then MOVK X16, #part, LSL #16*hw */
        out[hw] =
            (hw ? 0xF2800010 : 0xD2800010) | hw << 21 | (uint32_t)(va >> 16 * hw & 0xffff) << 5;
    out[4] = (below(2) ? 0xB9400200 : 0xB9000200) | below(31); /* LDR/STR Wt, [X16] */
    out[5] = 0xD2800010;                                       /* MOVZ X16, #0 */
    return 6;
}

static volatile int skips;

/* Skip the faulting instruction, up to SKIP_LIMIT times. */
static void skip(int sig, siginfo_t* info, void* context) {
    (void)info;
    ucontext_t* uc = context;
    if (++skips > SKIP_LIMIT) {
        signal(sig, SIG_DFL);
        return;
    }
    uc->uc_mcontext.pc += 4;
}

static void* map_device(uint64_t pa) {
    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    if (fd < 0)
        return NULL;
    void* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)pa);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static void child(uint64_t seed, int mmio, uint64_t uart_pa, uint64_t gicd_pa) {
    state = seed * 0x9E3779B97F4A7C15ull | 1;
    setsid();
    struct itimerval t = {{0, 0}, {0, 20000}}; /* 20 ms: loops end too */
    setitimer(ITIMER_REAL, &t, NULL);
    uint32_t* code =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t* data = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED || data == MAP_FAILED)
        _exit(100);
    void* devices[2] = {NULL, NULL};
    if (mmio) {
        devices[0] = map_device(uart_pa);
        devices[1] = map_device(gicd_pa);
        if (!devices[0] || !devices[1])
            _exit(101); /* counted apart: the kernel refused /dev/mem (iomem=relaxed) */
    }
    for (unsigned i = 0; i < CODE_WORDS - 1;) {
        if (devices[0] && devices[1] && i + 6 < CODE_WORDS - 1 && below(16) == 0)
            i += device_access(code + i, (uint64_t)devices[below(2)] + below(256) * 4);
        else
            code[i++] = instruction();
    }
    code[CODE_WORDS - 1] = 0xD65F03C0; /* RET */
    __builtin___clear_cache((char*)code, (char*)(code + CODE_WORDS));
    uint64_t ptr[8];
    for (int i = 0; i < 8; i++) {
        switch (below(6)) {
        case 0:
            ptr[i] = (uint64_t)data + below(8192);
            break;
        case 1:
            ptr[i] = (uint64_t)data + below(1024) * 8;
            break;
        case 2:
            ptr[i] = (uint64_t)code + below(1024) * 4;
            break;
        case 3:
            ptr[i] = below(2) ? 0 : 0xFFFF000008000000ull + below(4096); /* kernel's half */
            break;
        case 4:
            ptr[i] = (uint64_t)&t - below(4096); /* the stack */
            break;
        case 5:
            ptr[i] = next();
            break;
        default:
            ptr[i] = next();
        }
    }
    if (below(2)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = skip;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        for (int s = 1; s < 32; s++)
            if (s != SIGKILL && s != SIGSTOP && s != SIGALRM)
                sigaction(s, &sa, NULL);
    }
    ((void (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
               uint64_t))code)(ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], ptr[7]);
    _exit(0);
}

static void on_watchdog(int sig) {
    (void)sig;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    const unsigned long seed = cmdline_value("bao_fuzz_seed", 1);
    const unsigned long children = cmdline_value("bao_fuzz_children", 100);
    const int mmio = cmdline_value("bao_fuzz_mmio", 0) != 0;
    const uint64_t uart_pa = cmdline_value("bao_fuzz_uart", UART_PA);
    const uint64_t gicd_pa = cmdline_value("bao_fuzz_gicd", GICD_PA);
    printf("bao-fuzz: seed=%lu children=%lu mmio=%d\n", seed, children, mmio);
    struct sigaction wake;
    memset(&wake, 0, sizeof wake);
    wake.sa_handler = on_watchdog; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGALRM, &wake, NULL);
    unsigned long exited = 0, unmapped = 0, by_signal[65] = {0};
    for (unsigned long i = 0; i < children; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("bao-fuzz: fork failed\n");
            break;
        }
        if (pid == 0)
            child(seed + i, mmio, uart_pa, gicd_pa);
        /* A child that blocked its timer's signal or cancelled it is
         * killed after 100 ms (the parent's timer interrupts the wait). */
        struct itimerval watchdog = {{0, 0}, {0, 100000}}, off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &watchdog, NULL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
            kill(pid, SIGKILL);
        setitimer(ITIMER_REAL, &off, NULL);
        if (WIFSIGNALED(status) && WTERMSIG(status) < 65)
            by_signal[WTERMSIG(status)]++;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 101)
            unmapped++;
        else
            exited++;
    }
    printf("bao-fuzz: done children=%lu exited=%lu no_mmio=%lu signals=", children, exited,
           unmapped);
    const char* sep = "";
    for (int s = 1; s < 65; s++)
        if (by_signal[s]) {
            printf("%s%s:%lu", sep, sigabbrev_np(s) ? sigabbrev_np(s) : "?", by_signal[s]);
            sep = ",";
        }
    printf("\n");
    power_off();
}
