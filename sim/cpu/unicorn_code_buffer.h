// A core's watch over its Unicorn engine's translated-code buffer
// (sim/cpu/unicorn_code_buffer.c says why: Unicorn 2.0.1 crashes when the
// buffer fills during a run). The core installs the watch before each
// uc_emu_start(); once the translations since the last flush span `limit`
// bytes the watch asks the core to stop at its next block (the stop a quantum's
// end makes), and the core flushes the engine's translations and resumes
// there. Nothing the guest or the statistics see changes.
//
// Only Unicorn 2.0.1 linked statically with the wrappers reports its
// allocations (BAO_UNICORN_CODE_BUFFER_WATCH); elsewhere the watch never fills.
#pragma once

#include "sim/cpu/unicorn_code_buffer_c.h"

#include <cstdint>
#include <functional>

struct uc_struct;

namespace sim::cpu {

class CodeBufferWatch {
  public:
    // A quarter of 2.0.1's 1 GiB buffer: the core stops at the next block
    // once past it, so the rest is headroom for what one block translates.
    // Guests that do not rewrite their code stay far below it (a Linux boot
    // and a MiBench run in it translate under 48 MiB), so they never flush.
    static constexpr uintptr_t default_limit = uintptr_t{256} << 20;

    // `stop_at_block` is set when the buffer passes the limit.
    explicit CodeBufferWatch(std::function<void()> stop_at_block);
    CodeBufferWatch(const CodeBufferWatch&) = delete;
    CodeBufferWatch& operator=(const CodeBufferWatch&) = delete;

    // This host thread's translations count against this watch until the
    // next install() (of any watch) or uninstall().
    void install();
    static void uninstall();

    bool full() const { return state_.reported != 0; }
    // Between two uc_emu_start calls: if full, flushes `uc`'s translations
    // (and counts afresh); true if it did. The core then resumes its run.
    bool flush_if_full(uc_struct* engine);
    uint64_t flushes() const { return flushes_; }
    // Whether this build reports Unicorn's allocations (2.0.1 linked with
    // the wrappers); if not, the watch never fills.
    static bool active();
    // Tests: a smaller limit, to flush often.
    void set_limit(uintptr_t bytes) { state_.limit = bytes; }

  private:
    static void on_full(void* self);

    bao_code_buffer state_{};
    std::function<void()> stop_at_block_;
    uint64_t flushes_ = 0;
};

} // namespace sim::cpu
