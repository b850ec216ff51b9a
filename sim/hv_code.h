// Where hv's code lies, as the I-side model fetches it on each trap path.
//
// hv runs as host code in bao-sim, so its instruction fetches are modeled, not
// executed: each path (a synchronous trap, a physical IRQ) fetches the shared
// entry code (vector slots, register restore) and then its own code, as runs
// of straight-line code spread over hv's text the way a linker spreads the
// functions of a path. Sizes come from the real image (docs/timing-model.md).
#pragma once

#include "sim/machine.h"

#include <cstdint>
#include <vector>

namespace sim {

struct CodeRun {
    uint64_t offset; // bytes into hv's text (a multiple of 64)
    uint64_t bytes;
};

struct HvCodeLayout {
    CodeRun entry;
    std::vector<CodeRun> sync; // runs of the synchronous-trap path
    std::vector<CodeRun> irq;  // runs of the IRQ path
};

// Lays the paths out over hv.text_bytes: the entry code first, then the two
// paths' runs interleaved in equal slots across the rest of the text, so that
// the runs never overlap. Throws InputError naming the model parameters if
// they do not fit. With hv.code_layout = measured, the real image's lines
// instead: `entry` is empty and each path's runs hold the shared lines too,
// in address order (hv.*_code_bytes and hv.code_run_bytes play no part).
// Lays out the layout in effect (hv_code_layout_in_effect).
HvCodeLayout layout_hv_code(const MachineParams& params);

// spread or measured: hv.code_layout if set; else spread if hv.*_code_bytes
// or hv.code_run_bytes were set (they size the spread layout); else the
// platform's: measured on AArch64 (the line set is the AArch64 image's),
// spread on RISC-V (its image's trap paths were never measured).
HvCodeLayoutKind hv_code_layout_in_effect(const MachineParams& params);

// The bytes of hv's own data each CPU has (hv.sync_data_bytes and
// hv.irq_data_bytes overlap: both paths use the CPU's stack and vCPU state),
// in whole lines.
uint64_t hv_data_slot_bytes(const MachineParams& params);

} // namespace sim
