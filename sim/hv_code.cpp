#include "hv_code.h"

#include "sim/error.h"

#include <algorithm>
#include <string>

namespace sim {
namespace {

uint64_t runs_of(uint64_t bytes, uint64_t run) {
    return (bytes + run - 1) / run;
}

} // namespace

HvCodeLayout layout_hv_code(const MachineParams& m) {
    HvCodeLayout layout;
    layout.entry = {0, m.hv_entry_code_bytes};
    const uint64_t run = m.hv_code_run_bytes;
    const uint64_t n_sync = runs_of(m.hv_sync_code_bytes, run);
    const uint64_t n_irq = runs_of(m.hv_irq_code_bytes, run);
    if (n_sync + n_irq == 0)
        return layout;
    const uint64_t base = (m.hv_entry_code_bytes + 63) & ~uint64_t{63};
    const uint64_t slot =
        m.hv_text_bytes > base ? ((m.hv_text_bytes - base) / (n_sync + n_irq)) & ~uint64_t{63} : 0;
    if (slot < run)
        throw InputError(
            "model.hv.text_bytes (" + std::to_string(m.hv_text_bytes) +
            ") cannot hold hv.entry_code_bytes + hv.sync_code_bytes + hv.irq_code_bytes in runs of "
            "hv.code_run_bytes (" +
            std::to_string(run) + ")");
    // Interleave the two paths in proportion, as their functions interleave in a linked image.
    uint64_t left_sync = m.hv_sync_code_bytes, left_irq = m.hv_irq_code_bytes;
    for (uint64_t k = 0; k < n_sync + n_irq; ++k) {
        const uint64_t done_sync = layout.sync.size(), done_irq = layout.irq.size();
        const bool irq =
            done_sync == n_sync || (done_irq < n_irq && done_irq * n_sync <= done_sync * n_irq);
        uint64_t& left = irq ? left_irq : left_sync;
        const uint64_t bytes = left < run ? left : run;
        left -= bytes;
        (irq ? layout.irq : layout.sync).push_back({base + k * slot, bytes});
    }
    return layout;
}

uint64_t hv_data_slot_bytes(const MachineParams& m) {
    const uint64_t bytes = std::max(m.hv_sync_data_bytes, m.hv_irq_data_bytes);
    return (bytes + 63) & ~uint64_t{63};
}

} // namespace sim
