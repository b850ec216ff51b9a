#include "sim/cpu/memory_hook_switch.h"

#include "sim/cpu/unicorn_util.h"

#ifdef BAO_UNICORN_ACCESS_PC
#include "sim/cpu/unicorn_store_path_c.h"
#endif

namespace sim::cpu {

void MemoryHookSwitch::install(uc_struct* uc, void* callback, void* self) {
    uc_ = uc;
    callback_ = callback;
    self_ = self;
    uc::check(
        uc_hook_add(uc_, &hook_, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, callback_, self_, 1, 0),
        "add memory hook");
    on_ = true;
#ifdef BAO_UNICORN_ACCESS_PC
    bao_unicorn_fast_stores(uc_, 1); // unicorn_store_path.c: DC ZVA still reaches the hook
#endif
}

bool MemoryHookSwitch::allow_uncounted(bool on) {
#ifdef BAO_UNICORN_ACCESS_PC
    uncounted_ = on;
    return true;
#else
    return !on; // needs Debian's Unicorn 2.0.1 archive, wrapped (sim/CMakeLists.txt)
#endif
}

bool MemoryHookSwitch::update(bool fast_forward) {
    bool drop_now = drop_next_run_;
    drop_next_run_ = false;
    const bool wanted = !(fast_forward && uncounted_);
    if (wanted == on_)
        return drop_now;
    if (wanted) {
        install(uc_, callback_, self_);
        drop_now = true;
    } else {
        uc::check(uc_hook_del(uc_, hook_), "remove memory hook");
        on_ = false;
        drop_next_run_ = true;
#ifdef BAO_UNICORN_ACCESS_PC
        bao_unicorn_fast_stores(uc_, 0); // no hook for DC ZVA to reach
#endif
    }
    return drop_now;
}

} // namespace sim::cpu
