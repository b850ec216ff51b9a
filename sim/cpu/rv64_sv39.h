// The guest's own Sv39 page tables as the timing model walks them
// (tlb.guest_stage1 on RISC-V): satp, three levels of 8-byte PTEs, 4 KiB
// pages and 2 MiB / 1 GiB superpages. Unicorn performs the translation the
// guest sees (and its page faults); this walk only tells the TLB model what
// a miss costs and which descriptors it reads. No Unicorn types.
#pragma once

#include <array>
#include <cstdint>

namespace sim::cpu::rv64 {

inline constexpr uint64_t satp_mode_sv39 = 8;

constexpr uint64_t satp_mode(uint64_t satp) {
    return satp >> 60;
}
constexpr uint16_t satp_asid(uint64_t satp) {
    return static_cast<uint16_t>((satp >> 44) & 0xffff);
}

struct Sv39Walk {
    bool fault = false; // invalid, misaligned superpage, or a non-canonical address
    uint64_t pa = 0;
    unsigned page_shift = 12; // 12, 21 or 30
    bool global = false;
    unsigned reads = 0;
    std::array<uint64_t, 3> read_pa{}; // the PTEs read, root first
    bool table_unbacked = false;       // the reader found nothing at the last of them
};

// Reads the 8-byte PTE at physical address `pa`; false if it is not memory.
struct PteReader {
    bool (*read)(void* ctx, uint64_t pa, uint64_t& pte);
    void* ctx;
};

Sv39Walk sv39_walk(uint64_t satp, uint64_t va, PteReader reader);

} // namespace sim::cpu::rv64
