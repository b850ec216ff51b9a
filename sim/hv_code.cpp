#include "hv_code.h"

#include "sim/error.h"
#include "sim/platform.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace sim {
namespace {

uint64_t runs_of(uint64_t bytes, uint64_t run) {
    return (bytes + run - 1) / run;
}

// The real 48 KiB image's trap paths (hv.code_layout = measured): the code
// lines of the median traps, as offsets into .text, from
// `tools/hv-paths/paths.py bao-hv.elf exec.log --lines` on the image of
// tools/hv-paths/solo-irqlat.toml (QEMU 7.2, GCC 12.2; .text 44940 bytes;
// sync: 777 traps, median 309 instructions, 36 lines; irq: 50 traps, median
// 616 instructions, 62 lines; docs/timing-model.md). Entry: the 7 lines both
// median traps touch (vector slots, context save and restore).
constexpr uint32_t kEntryLines[] = {0x7c0, 0x840, 0x880, 0x1f40, 0x1f80, 0xa700, 0xa740};
constexpr uint32_t kSyncLines[] = {0x400,  0x780,  0x11c0, 0x1200, 0x1280, 0x12c0, 0x1380, 0x13c0,
                                   0x37c0, 0x3800, 0x3980, 0x39c0, 0x3a80, 0x45c0, 0x4600, 0x4640,
                                   0x4680, 0x46c0, 0x4700, 0x4800, 0x4840, 0x48c0, 0x4ac0, 0x4b00,
                                   0x4b40, 0x9cc0, 0x9d00, 0x9d40, 0x9dc0};
constexpr uint32_t kIrqLines[] = {
    0x480,  0x800,  0x1f00, 0x4dc0, 0x4e00, 0x4e40, 0x4e80, 0x4ec0, 0x4f00, 0x4f40, 0x4f80,
    0x4fc0, 0x5680, 0x56c0, 0x5700, 0x5740, 0x5780, 0x57c0, 0x5800, 0x5840, 0x5880, 0x58c0,
    0x5980, 0x5a00, 0x5a40, 0x5a80, 0x5ac0, 0x5b00, 0x5b40, 0x5bc0, 0x5c00, 0x5c40, 0x5c80,
    0x5cc0, 0x5d00, 0x5d40, 0x5f00, 0x5f40, 0x6080, 0x60c0, 0x6100, 0x6140, 0x6240, 0x62c0,
    0x6300, 0x63c0, 0x6400, 0x6440, 0x6600, 0x9e40, 0x9e80, 0x9ec0, 0x9f00, 0xa780, 0xa7c0};

// A path's lines (its own and the entry's) in address order, as runs of
// consecutive lines: 16 runs for the IRQ path, as paths.py counts them.
template <size_t N> std::vector<CodeRun> path_runs(const uint32_t (&own)[N]) {
    std::vector<uint32_t> lines(std::begin(kEntryLines), std::end(kEntryLines));
    lines.insert(lines.end(), std::begin(own), std::end(own));
    std::sort(lines.begin(), lines.end());
    std::vector<CodeRun> runs;
    for (uint32_t off : lines) {
        if (!runs.empty() && runs.back().offset + runs.back().bytes == off)
            runs.back().bytes += 64;
        else
            runs.push_back({off, 64});
    }
    return runs;
}

HvCodeLayout measured_layout(const MachineParams& m) {
    HvCodeLayout layout;
    // The entry's lines lie between the paths' own (the vector table, the
    // restore code): each path fetches them within its runs, in address order.
    layout.entry = {0, 0};
    layout.sync = path_runs(kSyncLines);
    layout.irq = path_runs(kIrqLines);
    const uint64_t end = std::max({uint64_t{kEntryLines[std::size(kEntryLines) - 1]},
                                   uint64_t{kSyncLines[std::size(kSyncLines) - 1]},
                                   uint64_t{kIrqLines[std::size(kIrqLines) - 1]}}) +
                         64;
    if (m.hv_text_bytes < end)
        throw InputError("model.hv.text_bytes (" + std::to_string(m.hv_text_bytes) +
                         ") is shorter than the measured code layout's last line (ends at " +
                         std::to_string(end) + "; model.hv.code_layout = measured)");
    return layout;
}

} // namespace

HvCodeLayoutKind hv_code_layout_in_effect(const MachineParams& m) {
    if (m.hv_code_layout != HvCodeLayoutKind::platform_default)
        return m.hv_code_layout;
    if (m.hv_code_bytes_set || platform_isa(m.platform) != Isa::aarch64)
        return HvCodeLayoutKind::spread;
    return HvCodeLayoutKind::measured;
}

HvCodeLayout layout_hv_code(const MachineParams& m) {
    if (hv_code_layout_in_effect(m) == HvCodeLayoutKind::measured)
        return measured_layout(m);
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
