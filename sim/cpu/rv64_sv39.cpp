#include "sim/cpu/rv64_sv39.h"

namespace sim::cpu::rv64 {
namespace {

constexpr uint64_t pte_v = 1, pte_r = 2, pte_w = 4, pte_x = 8, pte_g = 32;

} // namespace

// Privileged spec 4.3.2 for Sv39 (levels 2..0, VPN[i] = va[12+9i+8 : 12+9i]).
Sv39Walk sv39_walk(uint64_t satp, uint64_t va, PteReader reader) {
    Sv39Walk w;
    // Bits 63..39 must equal bit 38.
    const auto top = static_cast<int64_t>(va) >> 38;
    if (top != 0 && top != -1) {
        w.fault = true;
        return w;
    }
    uint64_t table = (satp & ((1ull << 44) - 1)) << 12;
    for (int level = 2; level >= 0; --level) {
        const uint64_t vpn = (va >> (12 + 9 * level)) & 0x1ff;
        const uint64_t pte_pa = table + vpn * 8;
        uint64_t pte = 0;
        w.read_pa[w.reads++] = pte_pa;
        if (!reader.read(reader.ctx, pte_pa, pte)) {
            w.fault = w.table_unbacked = true;
            return w;
        }
        if (!(pte & pte_v) || ((pte & pte_w) && !(pte & pte_r))) {
            w.fault = true;
            return w;
        }
        w.global = w.global || (pte & pte_g);
        const uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (pte & (pte_r | pte_x)) { // a leaf
            const unsigned shift = 12 + 9 * static_cast<unsigned>(level);
            const uint64_t low = (1ull << shift) - 1;
            if ((ppn << 12) & low) { // a misaligned superpage
                w.fault = true;
                return w;
            }
            w.pa = (ppn << 12) | (va & low);
            w.page_shift = shift;
            return w;
        }
        table = ppn << 12;
    }
    w.fault = true; // a pointer at level 0
    return w;
}

} // namespace sim::cpu::rv64
