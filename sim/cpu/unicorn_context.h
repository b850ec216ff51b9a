// A Unicorn CPU context in a checkpoint (sim/checkpoint.h), for both cores.
// Unicorn 2.0.1's uc_context_save copies QEMU's CPU state up to a field
// that each target picks so that no pointer is included (AArch64: up to the
// breakpoint pointers; RISC-V: up to the rdtime callback). The bytes are
// saved whole and copied back into a context of the fresh core.
#pragma once

#include <unicorn/unicorn.h>

namespace sim {
class Archive;
}

namespace sim::cpu {

// Saves `uc`'s CPU context into `a`, or restores it from `a`. Refuses
// (CheckpointError) a context of another size or architecture than `arch`.
void checkpoint_cpu_context(uc_engine* uc, uc_arch arch, Archive& a);

} // namespace sim::cpu
