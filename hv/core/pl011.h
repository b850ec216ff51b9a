// A PL011 UART's programmer's view as a pure model (ARM PrimeCell UART PL011
// TRM): registers, FIFOs, flags and interrupt state, with no clock and no I/O.
// Its owner moves the bytes (tx_pop when the transmitter sends one, rx_push
// when one arrives, rx_timeout when the line went idle) and drives the
// interrupt line from irq_level(). hv's virtual UART (vuart.cpp) and the
// simulator's physical one (sim/pl011.cpp) share it, so a native guest and a
// VM see the same device. It identifies as QEMU virt's PL011 does (revision 1,
// 16-entry FIFOs): Linux's amba-pl011 sizes its FIFO from that revision.
#pragma once

#include <cstdint>

namespace hv::pl011 {

// Register offsets.
inline constexpr std::uint64_t DR = 0x000;
inline constexpr std::uint64_t RSR = 0x004; // read: receive status; write: ECR (clear)
inline constexpr std::uint64_t FR = 0x018;
inline constexpr std::uint64_t ILPR = 0x020;
inline constexpr std::uint64_t IBRD = 0x024;
inline constexpr std::uint64_t FBRD = 0x028;
inline constexpr std::uint64_t LCR_H = 0x02c;
inline constexpr std::uint64_t CR = 0x030;
inline constexpr std::uint64_t IFLS = 0x034;
inline constexpr std::uint64_t IMSC = 0x038;
inline constexpr std::uint64_t RIS = 0x03c;
inline constexpr std::uint64_t MIS = 0x040;
inline constexpr std::uint64_t ICR = 0x044;
inline constexpr std::uint64_t DMACR = 0x048;
inline constexpr std::uint64_t PERIPH_ID0 = 0xfe0; // PeriphID0-3, then PCellID0-3 at 0xff0
inline constexpr std::uint64_t kPageBytes = 0x1000;

// FR bits.
inline constexpr std::uint32_t FR_BUSY = 1u << 3; // transmitting (TX FIFO not empty)
inline constexpr std::uint32_t FR_RXFE = 1u << 4; // receive FIFO empty
inline constexpr std::uint32_t FR_TXFF = 1u << 5; // transmit FIFO full
inline constexpr std::uint32_t FR_RXFF = 1u << 6; // receive FIFO full
inline constexpr std::uint32_t FR_TXFE = 1u << 7; // transmit FIFO empty

// Interrupt bits of IMSC, RIS, MIS and ICR.
inline constexpr std::uint32_t INT_RX = 1u << 4;  // receive FIFO at or above its level
inline constexpr std::uint32_t INT_TX = 1u << 5;  // transmit FIFO at or below its level
inline constexpr std::uint32_t INT_RT = 1u << 6;  // receive timeout
inline constexpr std::uint32_t INT_OE = 1u << 10; // overrun
inline constexpr std::uint32_t INT_ALL = 0x7ff;

inline constexpr std::uint32_t LCR_H_FEN = 1u << 4; // FIFOs enabled
inline constexpr std::uint32_t DR_OE = 1u << 11;    // the character after an overrun
inline constexpr std::uint32_t kResetCr = 0x300;    // TXE | RXE
inline constexpr std::uint32_t kResetIfls = 0x12;   // both levels at 1/2
inline constexpr std::uint32_t kFifoDepth = 16;

// PrimeCell identification: periph id 0x00141011 (part 0x011, ARM, revision 1;
// Linux matches 0x00041011 under mask 0x000fffff), cell id 0xb105f00d.
inline constexpr std::uint8_t kIdBytes[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct State {
    std::uint8_t tx[kFifoDepth]{};
    std::uint16_t rx[kFifoDepth]{}; // data | error bits 8-11, as DR reads it
    std::uint8_t tx_head = 0, tx_count = 0;
    std::uint8_t rx_head = 0, rx_count = 0;
    std::uint32_t rsr = 0; // error flags of the last character read (OE also on overrun)
    std::uint32_t ilpr = 0, ibrd = 0, fbrd = 0, lcr_h = 0;
    std::uint32_t cr = kResetCr;
    std::uint32_t ifls = kResetIfls;
    std::uint32_t imsc = 0;
    std::uint32_t ris = 0;
    std::uint32_t dmacr = 0; // stored; DMA is not modelled
};

// The FIFOs' depth: kFifoDepth with LCR_H.FEN, else a one-character holding
// register.
std::uint32_t fifo_depth(const State& s);
// TXIS is set while the transmit FIFO holds at most this many characters (after
// a character left); RXIS while the receive FIFO holds at least rx_level.
std::uint32_t tx_level(const State& s);
std::uint32_t rx_level(const State& s);

// A register access of `size` bytes (1, 2 or 4) at `offset` in the page. Reads
// of DR take a character from the receive FIFO. A write to DR queues a
// character for the transmitter (dropped when the FIFO is full, as the
// hardware does). Writes to read-only or unknown offsets, and writes not at a
// register's first byte, are ignored; unknown offsets read as zero.
std::uint32_t read(State& s, std::uint64_t offset, std::uint32_t size);
void write(State& s, std::uint64_t offset, std::uint32_t size, std::uint32_t value);

// The transmitter sends the oldest queued character; false when none is queued.
bool tx_pop(State& s, std::uint8_t& byte);
// A character arrived with error bits `errors` (DR bits 8-10); false when the
// receive FIFO was full (overrun: the character is lost, OE is raised).
bool rx_push(State& s, std::uint8_t byte, std::uint32_t errors = 0);
// The line stayed idle for the timeout with characters in the receive FIFO.
void rx_timeout(State& s);
// Characters typed on the line (a host's console input): as many of `bytes`
// as the receive FIFO has room for (never an overrun), then the line idles
// (rx_timeout), so a driver that waits for RXIS or RTIS drains them. Returns
// how many were taken; the caller offers the rest once the FIFO drained.
std::uint32_t rx_receive(State& s, const std::uint8_t* bytes, std::uint32_t n);

inline std::uint32_t mis(const State& s) {
    return s.ris & s.imsc;
}
// UARTINTR: the combined interrupt line.
inline bool irq_level(const State& s) {
    return mis(s) != 0;
}

} // namespace hv::pl011
