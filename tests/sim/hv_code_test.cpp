// Where hv's trap paths fetch their code from (sim/hv_code.h).
#include "sim/error.h"
#include "sim/hv_code.h"
#include "sim/platform.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sim {
namespace {

uint64_t total(const std::vector<CodeRun>& runs) {
    uint64_t bytes = 0;
    for (const CodeRun& r : runs)
        bytes += r.bytes;
    return bytes;
}

MachineParams spread_params() {
    MachineParams m;
    m.hv_code_layout = HvCodeLayoutKind::spread;
    return m;
}

TEST(HvCode, PathsAreDisjointRunsSpreadOverTheText) {
    const MachineParams m = spread_params();
    const HvCodeLayout l = layout_hv_code(m);
    EXPECT_EQ(l.entry.offset, 0u);
    EXPECT_EQ(l.entry.bytes, m.hv_entry_code_bytes);
    EXPECT_EQ(total(l.sync), m.hv_sync_code_bytes);
    EXPECT_EQ(total(l.irq), m.hv_irq_code_bytes);
    // No line belongs to two places; every run is line-aligned inside the text.
    std::set<uint64_t> lines;
    size_t expected = (l.entry.bytes + 63) / 64;
    for (uint64_t off = 0; off < l.entry.bytes; off += 64)
        lines.insert(off / 64);
    std::set<uint64_t> pages;
    for (const auto* path : {&l.sync, &l.irq})
        for (const CodeRun& r : *path) {
            EXPECT_EQ(r.offset % 64, 0u);
            EXPECT_LE(r.offset + r.bytes, m.hv_text_bytes);
            EXPECT_LE(r.bytes, m.hv_code_run_bytes);
            for (uint64_t off = r.offset; off < r.offset + r.bytes; off += 64) {
                lines.insert(off / 64);
                ++expected;
            }
            pages.insert(r.offset / 4096);
        }
    EXPECT_EQ(lines.size(), expected);
    // The IRQ path reaches across the text, hence across page colors.
    EXPECT_GE(pages.size(), 10u);
}

TEST(HvCode, TooSmallATextIsAnErrorNamingTheParameters) {
    MachineParams m = spread_params();
    m.hv_text_bytes = 2048;
    try {
        layout_hv_code(m);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("hv.text_bytes"), std::string::npos) << e.what();
    }
}

// Lines per 4 KiB text page of a path's runs (the entry's included).
std::map<uint64_t, unsigned> lines_per_page(const CodeRun& entry,
                                            const std::vector<CodeRun>& runs) {
    std::map<uint64_t, unsigned> pages;
    auto count = [&pages](const CodeRun& r) {
        for (uint64_t off = r.offset; off < r.offset + r.bytes; off += 64)
            ++pages[off / 4096];
    };
    count(entry);
    for (const CodeRun& r : runs)
        count(r);
    return pages;
}

// hv.code_layout = measured: the real image's IRQ path, 62 lines on 7 of its
// text pages, most of them on pages 4-6 (paths.py --lines on the 48 KiB
// image); the spread layout puts them on every page.
TEST(HvCode, MeasuredLayoutHoldsTheRealImagesLines) {
    MachineParams m;
    m.hv_code_layout = HvCodeLayoutKind::measured;
    const HvCodeLayout l = layout_hv_code(m);
    const std::map<uint64_t, unsigned> irq = {{0, 5},  {1, 3}, {4, 9}, {5, 26},
                                              {6, 11}, {9, 4}, {10, 4}};
    EXPECT_EQ(lines_per_page(l.entry, l.irq), irq);
    const std::map<uint64_t, unsigned> sync = {{0, 5}, {1, 8}, {3, 5}, {4, 12}, {9, 4}, {10, 2}};
    EXPECT_EQ(lines_per_page(l.entry, l.sync), sync);
    // The shared lines sit inside each path's runs: the IRQ path's 62 lines
    // in 16 runs, as paths.py counted them.
    EXPECT_EQ(l.entry.bytes, 0u);
    EXPECT_EQ(l.irq.size(), 16u);
    // The spread layout differs (the option is what changes it).
    const HvCodeLayout spread = layout_hv_code(spread_params());
    EXPECT_NE(lines_per_page(spread.entry, spread.irq), irq);
    m.hv_text_bytes = 40000;
    EXPECT_THROW(layout_hv_code(m), InputError);
}

// The measured line set is the AArch64 image's: the default on AArch64 only.
// RISC-V's hv keeps the spread layout (its image's trap paths were never
// measured), and sizes given for the spread layout select it on AArch64 too.
TEST(HvCode, DefaultLayoutIsMeasuredOnAArch64AndSpreadOnRiscv) {
    MachineParams arm;
    EXPECT_EQ(arm.hv_code_layout, HvCodeLayoutKind::platform_default);
    EXPECT_EQ(hv_code_layout_in_effect(arm), HvCodeLayoutKind::measured);
    EXPECT_EQ(layout_hv_code(arm).irq.size(), 16u); // the real image's 16 runs
    MachineParams rv;
    rv.platform = kRiscvVirtPlatform;
    EXPECT_EQ(hv_code_layout_in_effect(rv), HvCodeLayoutKind::spread);
    const HvCodeLayout l = layout_hv_code(rv);
    EXPECT_EQ(l.entry.bytes, rv.hv_entry_code_bytes);
    EXPECT_EQ(total(l.irq), rv.hv_irq_code_bytes);
    // Set explicitly, either layout holds on either platform.
    rv.hv_code_layout = HvCodeLayoutKind::measured;
    EXPECT_EQ(hv_code_layout_in_effect(rv), HvCodeLayoutKind::measured);
    arm.hv_code_layout = HvCodeLayoutKind::spread;
    EXPECT_EQ(hv_code_layout_in_effect(arm), HvCodeLayoutKind::spread);
    MachineParams sized;
    sized.hv_code_bytes_set = true;
    EXPECT_EQ(hv_code_layout_in_effect(sized), HvCodeLayoutKind::spread);
}

// Both paths use the start of one slot per CPU (stack, vCPU state): the
// larger of the two, in whole lines; none without the options.
TEST(HvCode, DataSlotHoldsTheLargerPathInWholeLines) {
    MachineParams m;
    EXPECT_EQ(hv_data_slot_bytes(m), 0u);
    m.hv_sync_data_bytes = 1216;
    m.hv_irq_data_bytes = 1090;
    EXPECT_EQ(hv_data_slot_bytes(m), 1216u);
    m.hv_irq_data_bytes = 1220;
    EXPECT_EQ(hv_data_slot_bytes(m), 1280u);
}

} // namespace
} // namespace sim
