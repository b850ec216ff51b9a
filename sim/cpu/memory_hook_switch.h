// The full-range memory hook a core keeps except while it fast-forwards
// uncounted (--fast-forward-uncounted, docs/checkpoints.md), shared by both
// cores (arm64_uncounted.cpp, rv64_uncounted.cpp). Any memory hook sends
// every load and store through Unicorn's softmmu helpers; without it, the
// wrapped Unicorn archive finds an access's PC (unicorn_access_pc.c). Either
// way the engine's stores to pages without code leave Unicorn's slow path
// (unicorn_store_path.c). Unicorn types stay in the .cpp.
#pragma once

#include <cstddef>

struct uc_struct;

namespace sim::cpu {

class MemoryHookSwitch {
  public:
    // Installs the hook on `uc`: Unicorn calls `callback` with `self`.
    void install(uc_struct* uc, void* callback, void* self);
    // Whether the hook may go while fast-forwarding; false, and nothing
    // changes, where this build cannot run without it.
    bool allow_uncounted(bool on);
    bool on() const { return on_; }
    // At a run's start: removes the hook for a fast-forwarded run, adds it
    // back for a modeled one. True when the core must drop its translations
    // now (a block calls the hook or not as it was when translated; Unicorn
    // 2.0.1 unlinks a deleted hook only when the next uc_emu_start ends, so
    // after a removal that is the run after).
    bool update(bool fast_forward);

  private:
    uc_struct* uc_ = nullptr;
    void* callback_ = nullptr;
    void* self_ = nullptr;
    size_t hook_ = 0; // a uc_hook
    bool on_ = false;
    bool uncounted_ = false;
    bool drop_next_run_ = false;
};

} // namespace sim::cpu
