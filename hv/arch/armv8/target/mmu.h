// hv's own EL2 stage-1 translation on the target (docs/real-image.md#el2-mmu).
//
// CPU 0 builds the tables once, with the MMU still off (start.S calls
// bao_hv_mmu_build), and every CPU then enables the MMU and caches with them
// (start.S's mmu_enable) before it runs any C++ code:
//  - hv's image (code, data, .bss, the tables themselves, the per-CPU stacks)
//    at its link address: identity-mapped, or, with hyp.colors set, on pages
//    of hv's colors taken from hyp.region after the loaded image, into which
//    CPU 0 copies the image first (self-coloring); code read-only, the rest
//    execute-never;
//  - all of the platform's RAM outside hyp.region, identity-mapped Normal
//    Write-Back: hv's port addresses memory by PA (page pool, stage-2 tables,
//    vCPU contexts, the guests' images it copies);
//  - the devices hv touches (GIC distributor and CPU/virtual-interface
//    control frames or redistributors, the console PL011) as Device-nGnRnE.
#pragma once

#include <cstdint>

#include "hv/core/config.h"

// Written by bao_hv_mmu_build on CPU 0 before the image is copied, so that
// the secondary CPUs (MMU off, reading the loaded image) find it too.
extern "C" std::uint64_t bao_hv_el2_ttbr;

// CPU 0 with the MMU off: builds hv's EL2 tables and, when colored, hv's
// copy of itself; returns only when the tables are ready (otherwise it prints
// why on the console and powers the machine off).
extern "C" void bao_hv_mmu_build();

namespace hv::target {

// What hv's own tables say about pages of hv's, read back through the MMU
// (AT S1E2R): the self-coloring check (docs/real-image.md#self-coloring).
struct El2PageTally {
    std::uint64_t pages = 0;
    std::uint64_t identity = 0;   // pages at PA == VA
    std::uint64_t colors = 0;     // bit n: some page has color n
    std::uint64_t off_colors = 0; // pages whose color is not in hyp.colors
    std::uint64_t unmapped = 0;   // pages the MMU does not translate

    void add(const Config& cfg, std::uint64_t va);
};

struct El2MapSummary {
    std::uint64_t va_start = 0; // hv's image, [va_start, va_end)
    std::uint64_t va_end = 0;
    El2PageTally image;
    bool mmu_and_caches_on = false; // SCTLR_EL2.M, C and I
};

El2MapSummary summarize_el2_map(const Config& cfg);

} // namespace hv::target
