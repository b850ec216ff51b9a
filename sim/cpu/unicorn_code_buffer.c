/*
 * Unicorn 2.0.1's translated-code buffer, watched (docs/design.md#unicorn-code-buffer).
 *
 * Each engine translates guest code into a 1 GiB buffer. When it is full,
 * tb_gen_code() flushes every translation in the middle of uc_emu_start(),
 * and 2.0.1 then crashes the process (SIGSEGV in tb_set_jmp_target() or in
 * the self-modifying-code path of store_helper(): measured on AArch64 and
 * RISC-V, with Debian's shared library as with this archive). A guest that
 * writes into the block it runs makes every pass translate that block again
 * and fills the buffer in about 12 M instructions; a flush between two
 * uc_emu_start() calls (uc_ctl_flush_tlb) is safe.
 *
 * So every allocation of a translation block (tcg_tb_alloc(), tcg.c, called
 * from translate-all.c: `-Wl,--wrap` sends it here) reports its address to
 * the watch its thread's core installed before uc_emu_start()
 * (sim/cpu/unicorn_code_buffer.h). Blocks are allocated upwards through the
 * buffer, so the span of the addresses seen since the last flush is what the
 * buffer holds; past the watch's limit the core stops at its next block,
 * flushes, and goes on: the guest sees nothing.
 */
#include <stdint.h>

#include "sim/cpu/unicorn_code_buffer_c.h"

struct TCGContext;
struct TranslationBlock;

static _Thread_local struct bao_code_buffer* bao_watch;

void bao_code_buffer_watch(struct bao_code_buffer* watch) {
    bao_watch = watch;
}

static void bao_note(const void* tb) {
    struct bao_code_buffer* w = bao_watch;
    if (tb == 0 || w == 0)
        return;
    const uintptr_t at = (uintptr_t)tb;
    if (w->low == 0 || at < w->low)
        w->low = at;
    if (at > w->high)
        w->high = at;
    if (w->high - w->low >= w->limit && !w->reported) {
        w->reported = 1;
        w->on_full(w->ctx);
    }
}

#define BAO_WATCH_TB_ALLOC(arch)                                                                   \
    struct TranslationBlock* __real_tcg_tb_alloc_##arch(struct TCGContext* s);                     \
    struct TranslationBlock* __wrap_tcg_tb_alloc_##arch(struct TCGContext* s);                     \
    struct TranslationBlock* __wrap_tcg_tb_alloc_##arch(struct TCGContext* s) {                    \
        struct TranslationBlock* tb = __real_tcg_tb_alloc_##arch(s);                               \
        bao_note(tb);                                                                              \
        return tb;                                                                                 \
    }

BAO_WATCH_TB_ALLOC(aarch64)
BAO_WATCH_TB_ALLOC(riscv64)
