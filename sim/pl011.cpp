#include "sim/pl011.h"

namespace sim {
namespace {
constexpr uint64_t dr = 0x000, fr = 0x018;
constexpr uint32_t fr_rxfe = 1u << 4, fr_txfe = 1u << 7;
// PrimeCell peripheral and cell identification (PL011 r1p5), offsets 0xFE0-0xFFC.
constexpr uint8_t id_regs[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
} // namespace

uint64_t Pl011::read(unsigned, uint64_t offset, unsigned) {
    if (offset == fr)
        return fr_rxfe | fr_txfe; // transmitter always empty, nothing received
    if (offset >= 0xfe0 && offset < 0x1000 && offset % 4 == 0)
        return id_regs[(offset - 0xfe0) / 4];
    return 0;
}

void Pl011::write(unsigned core, uint64_t offset, unsigned, uint64_t value) {
    if (offset == dr && core < source_of_core_.size())
        console_.putc(source_of_core_[core], static_cast<char>(value & 0xff));
}

} // namespace sim
