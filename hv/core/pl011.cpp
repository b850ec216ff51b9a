#include "hv/core/pl011.h"

namespace hv::pl011 {

namespace {

// IFLS selects 1/8, 1/4, 1/2, 3/4 or 7/8 of the FIFO (reserved values: 1/2).
std::uint32_t eighths(std::uint32_t sel) {
    constexpr std::uint32_t table[5] = {1, 2, 4, 6, 7};
    return sel < 5 ? table[sel] : 4;
}

std::uint32_t flags(const State& s) {
    const std::uint32_t depth = fifo_depth(s);
    std::uint32_t fr = 0;
    fr |= s.tx_count == 0 ? FR_TXFE : FR_BUSY;
    fr |= s.tx_count >= depth ? FR_TXFF : 0;
    fr |= s.rx_count == 0 ? FR_RXFE : 0;
    fr |= s.rx_count >= depth ? FR_RXFF : 0;
    return fr;
}

std::uint32_t rx_take(State& s) {
    if (s.rx_count == 0) {
        return 0;
    }
    const std::uint16_t v = s.rx[s.rx_head];
    s.rx_head = static_cast<std::uint8_t>((s.rx_head + 1) % kFifoDepth);
    --s.rx_count;
    s.rsr = (v >> 8) & 0xf;
    if (s.rx_count < rx_level(s)) {
        s.ris &= ~INT_RX; // drained below the level
    }
    if (s.rx_count == 0) {
        s.ris &= ~INT_RT; // the timeout clears once the FIFO is empty
    }
    return v;
}

void tx_put(State& s, std::uint8_t byte) {
    if (s.tx_count >= fifo_depth(s)) {
        return; // a full transmit FIFO loses the character (no flag for it)
    }
    s.tx[(s.tx_head + s.tx_count) % kFifoDepth] = byte;
    ++s.tx_count;
    if (s.tx_count > tx_level(s)) {
        s.ris &= ~INT_TX; // filled above the level
    }
}

std::uint32_t reg(State& s, std::uint64_t off) {
    switch (off) {
    case DR:
        return rx_take(s);
    case RSR:
        return s.rsr;
    case FR:
        return flags(s);
    case ILPR:
        return s.ilpr;
    case IBRD:
        return s.ibrd;
    case FBRD:
        return s.fbrd;
    case LCR_H:
        return s.lcr_h;
    case CR:
        return s.cr;
    case IFLS:
        return s.ifls;
    case IMSC:
        return s.imsc;
    case RIS:
        return s.ris;
    case MIS:
        return mis(s);
    case DMACR:
        return s.dmacr;
    default:
        break;
    }
    if (off >= PERIPH_ID0 && off < kPageBytes) {
        return kIdBytes[(off - PERIPH_ID0) / 4];
    }
    return 0; // ICR (write-only), reserved offsets
}

} // namespace

std::uint32_t fifo_depth(const State& s) {
    return (s.lcr_h & LCR_H_FEN) != 0 ? kFifoDepth : 1;
}

std::uint32_t tx_level(const State& s) {
    if ((s.lcr_h & LCR_H_FEN) == 0) {
        return 0; // the holding register: asserted once it is empty
    }
    return kFifoDepth * eighths(s.ifls & 7) / 8;
}

std::uint32_t rx_level(const State& s) {
    if ((s.lcr_h & LCR_H_FEN) == 0) {
        return 1; // the holding register: asserted once it is full
    }
    return kFifoDepth * eighths((s.ifls >> 3) & 7) / 8;
}

std::uint32_t read(State& s, std::uint64_t offset, std::uint32_t size) {
    const std::uint32_t shift = static_cast<std::uint32_t>(offset & 3) * 8;
    std::uint32_t v = reg(s, offset & ~std::uint64_t{3}) >> shift;
    if (size < 4) {
        v &= (1u << (8 * size)) - 1;
    }
    return v;
}

void write(State& s, std::uint64_t offset, std::uint32_t size, std::uint32_t value) {
    (void)size;
    if ((offset & 3) != 0) {
        return;
    }
    switch (offset) {
    case DR:
        tx_put(s, static_cast<std::uint8_t>(value & 0xff));
        break;
    case RSR:
        s.rsr = 0; // ECR: any write clears the error flags
        break;
    case ILPR:
        s.ilpr = value & 0xff;
        break;
    case IBRD:
        s.ibrd = value & 0xffff;
        break;
    case FBRD:
        s.fbrd = value & 0x3f;
        break;
    case LCR_H:
        s.lcr_h = value & 0xff;
        break;
    case CR:
        s.cr = value & 0xff87;
        break;
    case IFLS:
        s.ifls = value & 0x3f;
        break;
    case IMSC:
        s.imsc = value & INT_ALL;
        break;
    case ICR:
        s.ris &= ~(value & INT_ALL);
        break;
    case DMACR:
        s.dmacr = value & 7;
        break;
    default:
        break; // FR, RIS, MIS, the ID registers: read-only
    }
}

bool tx_pop(State& s, std::uint8_t& byte) {
    if (s.tx_count == 0) {
        return false;
    }
    byte = s.tx[s.tx_head];
    s.tx_head = static_cast<std::uint8_t>((s.tx_head + 1) % kFifoDepth);
    --s.tx_count;
    // TRM: the transmit interrupt is set as written data leaves the FIFO and
    // the level is at or below the trigger, not while the FIFO merely sits
    // empty (enabling TXIM before writing raises nothing).
    if (s.tx_count <= tx_level(s)) {
        s.ris |= INT_TX;
    }
    return true;
}

bool rx_push(State& s, std::uint8_t byte, std::uint32_t errors) {
    if (s.rx_count >= fifo_depth(s)) {
        s.rsr |= DR_OE >> 8;
        s.ris |= INT_OE;
        return false;
    }
    s.rx[(s.rx_head + s.rx_count) % kFifoDepth] =
        static_cast<std::uint16_t>(byte | ((errors & 0x7) << 8));
    ++s.rx_count;
    s.ris |= (errors & 0x7) << 7; // framing, parity, break
    if (s.rx_count >= rx_level(s)) {
        s.ris |= INT_RX;
    }
    return true;
}

void rx_timeout(State& s) {
    if (s.rx_count != 0) {
        s.ris |= INT_RT;
    }
}

std::uint32_t rx_receive(State& s, const std::uint8_t* bytes, std::uint32_t n) {
    std::uint32_t taken = 0;
    while (taken < n && s.rx_count < fifo_depth(s)) {
        rx_push(s, bytes[taken]);
        ++taken;
    }
    rx_timeout(s);
    return taken;
}

} // namespace hv::pl011
