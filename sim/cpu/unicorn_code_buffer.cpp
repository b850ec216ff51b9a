#include "sim/cpu/unicorn_code_buffer.h"
#include "sim/cpu/unicorn_util.h"

#include <unicorn/unicorn.h>

#include <utility>

#ifndef BAO_UNICORN_CODE_BUFFER_WATCH
// Without the wrappers nothing reports an allocation: the watch stays empty.
extern "C" void bao_code_buffer_watch(bao_code_buffer*) {}
#endif

#ifdef __SANITIZE_ADDRESS__
// Unicorn 2.0.1 never frees a page's self-modifying-code bitmap: uc_close's
// tb_cleanup frees the page descriptors but not their code_bitmap, which
// build_page_bitmap allocates (in tb_invalidate_phys_page_fast) once a page
// holding translated code has been written to ten times, as a guest that
// rewrites its code does. A leak inside Unicorn at exit that bao-sim cannot
// free: LeakSanitizer is told (random guests found it in the sanitizer
// build, docs/fuzzing.md; test sim.UnicornLeak.*).
extern "C" const char* __lsan_default_suppressions() {
    return "leak:tb_invalidate_phys_page_fast\n";
}
#endif

namespace sim::cpu {

bool CodeBufferWatch::active() {
#ifdef BAO_UNICORN_CODE_BUFFER_WATCH
    return true;
#else
    return false;
#endif
}

CodeBufferWatch::CodeBufferWatch(std::function<void()> stop_at_block)
    : stop_at_block_(std::move(stop_at_block)) {
    state_.limit = default_limit;
    state_.on_full = &CodeBufferWatch::on_full;
    state_.ctx = this;
}

void CodeBufferWatch::install() {
    bao_code_buffer_watch(&state_);
}

void CodeBufferWatch::uninstall() {
    bao_code_buffer_watch(nullptr);
}

bool CodeBufferWatch::flush_if_full(uc_struct* engine) {
    if (!full())
        return false;
    uc::check(uc_ctl_flush_tlb(engine), "flush translated code"); // 2.0.1: UC_CTL_TB_FLUSH
    state_.low = state_.high = 0;
    state_.reported = 0;
    ++flushes_;
    return true;
}

void CodeBufferWatch::on_full(void* self) {
    static_cast<CodeBufferWatch*>(self)->stop_at_block_();
}

} // namespace sim::cpu
