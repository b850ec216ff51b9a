/*
 * The C side of the translated-code buffer watch (unicorn_code_buffer.c): what
 * a core installs before uc_emu_start(). Plain C, shared with C++.
 */
#ifndef BAO_SIM_CPU_UNICORN_CODE_BUFFER_C_H
#define BAO_SIM_CPU_UNICORN_CODE_BUFFER_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bao_code_buffer {
    uintptr_t low, high; /* lowest and highest block allocated since the last flush (0: none) */
    uintptr_t limit;     /* high - low past which on_full(ctx) is called, once per flush */
    void (*on_full)(void* ctx);
    void* ctx;
    int reported; /* on_full was called since the last flush */
};

/* This thread's allocations count against `watch` (null: none) until the next call. */
void bao_code_buffer_watch(struct bao_code_buffer* watch);

#ifdef __cplusplus
}
#endif

#endif
