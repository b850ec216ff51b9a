// The PL011 register model (hv/core/pl011.h) that hv's virtual UART and the
// simulator's physical one share.
#include "hv/core/pl011.h"

#include <gtest/gtest.h>

namespace pl = hv::pl011;

namespace {

pl::State with_fifo(std::uint32_t ifls = pl::kResetIfls) {
    pl::State s;
    pl::write(s, pl::LCR_H, 4, pl::LCR_H_FEN | 0x60); // 8 bits, FIFOs on
    pl::write(s, pl::IFLS, 4, ifls);
    return s;
}

std::uint32_t fr(pl::State& s) {
    return pl::read(s, pl::FR, 4);
}

} // namespace

TEST(Pl011Model, ResetState) {
    pl::State s;
    EXPECT_EQ(fr(s), pl::FR_TXFE | pl::FR_RXFE);
    EXPECT_EQ(pl::read(s, pl::CR, 4), 0x300u);
    EXPECT_EQ(pl::read(s, pl::IFLS, 4), 0x12u);
    EXPECT_EQ(pl::read(s, pl::RIS, 4), 0u);
    EXPECT_FALSE(pl::irq_level(s));
    // Enabling the TX interrupt before anything was written raises nothing (TRM).
    pl::write(s, pl::IMSC, 4, pl::INT_TX);
    EXPECT_FALSE(pl::irq_level(s));
}

TEST(Pl011Model, PeripheralAndCellIds) {
    pl::State s;
    std::uint32_t periph = 0, cell = 0;
    for (std::uint32_t i = 0; i < 4; ++i) {
        periph |= pl::read(s, pl::PERIPH_ID0 + 4 * i, 4) << (8 * i);
        cell |= pl::read(s, pl::PERIPH_ID0 + 0x10 + 4 * i, 4) << (8 * i);
    }
    EXPECT_EQ(periph & 0x000fffffu, 0x00041011u); // what amba-pl011 matches
    EXPECT_EQ((periph >> 20) & 0xf, 1u);          // revision 1: 16-entry FIFOs
    EXPECT_EQ(cell, 0xb105f00du);
    pl::write(s, pl::PERIPH_ID0, 4, 0); // read-only
    EXPECT_EQ(pl::read(s, pl::PERIPH_ID0, 4), 0x11u);
}

TEST(Pl011Model, FlagsFollowTheTransmitFifo) {
    pl::State s = with_fifo();
    for (std::uint32_t n = 1; n <= pl::kFifoDepth; ++n) {
        pl::write(s, pl::DR, 4, 'a' + n);
        EXPECT_EQ(fr(s) & (pl::FR_TXFE | pl::FR_BUSY), pl::FR_BUSY) << n;
        EXPECT_EQ((fr(s) & pl::FR_TXFF) != 0, n == pl::kFifoDepth) << n;
    }
    pl::write(s, pl::DR, 4, 'X'); // full: lost
    std::uint8_t b = 0;
    std::uint32_t sent = 0;
    while (pl::tx_pop(s, b)) {
        EXPECT_EQ(b, 'a' + ++sent);
        EXPECT_EQ(fr(s) & pl::FR_TXFF, 0u);
    }
    EXPECT_EQ(sent, pl::kFifoDepth);
    EXPECT_EQ(fr(s), pl::FR_TXFE | pl::FR_RXFE);
}

TEST(Pl011Model, WithoutFifoTheHoldingRegisterIsOneDeep) {
    pl::State s; // LCR_H.FEN = 0
    pl::write(s, pl::IMSC, 4, pl::INT_TX);
    pl::write(s, pl::DR, 4, 'a');
    EXPECT_NE(fr(s) & pl::FR_TXFF, 0u);
    std::uint8_t b = 0;
    ASSERT_TRUE(pl::tx_pop(s, b));
    EXPECT_TRUE(pl::irq_level(s)); // empty again: TXIS
    pl::write(s, pl::DR, 4, 'b');  // one write clears it
    EXPECT_FALSE(pl::irq_level(s));
}

TEST(Pl011Model, TxInterruptWhenDrainedToTheLevel) {
    pl::State s = with_fifo(0x02); // TX level 1/2: 8 of 16
    ASSERT_EQ(pl::tx_level(s), 8u);
    pl::write(s, pl::IMSC, 4, pl::INT_TX);
    for (int n = 0; n < 12; ++n) {
        pl::write(s, pl::DR, 4, 'x');
    }
    std::uint8_t b = 0;
    for (int left = 11; left >= 8; --left) {
        ASSERT_TRUE(pl::tx_pop(s, b));
        EXPECT_EQ(pl::irq_level(s), left <= 8) << left;
    }
    EXPECT_EQ(pl::read(s, pl::RIS, 4) & pl::INT_TX, pl::INT_TX);
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_TX);
    // Writing until the FIFO is above the level clears it...
    pl::write(s, pl::DR, 4, 'y');
    EXPECT_FALSE(pl::irq_level(s));
    ASSERT_TRUE(pl::tx_pop(s, b)); // ...and draining back raises it again
    EXPECT_TRUE(pl::irq_level(s));
    // ICR clears it; masking hides it from MIS but not from RIS.
    pl::write(s, pl::ICR, 4, pl::INT_TX);
    EXPECT_EQ(pl::read(s, pl::RIS, 4), 0u);
    ASSERT_TRUE(pl::tx_pop(s, b));
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_TX);
    pl::write(s, pl::IMSC, 4, 0);
    EXPECT_EQ(pl::read(s, pl::MIS, 4), 0u);
    EXPECT_EQ(pl::read(s, pl::RIS, 4), pl::INT_TX);
    EXPECT_FALSE(pl::irq_level(s));
}

TEST(Pl011Model, TxLevelsFromIfls) {
    const std::uint32_t want[5] = {2, 4, 8, 12, 14};
    for (std::uint32_t sel = 0; sel < 5; ++sel) {
        pl::State s = with_fifo(sel | (sel << 3));
        EXPECT_EQ(pl::tx_level(s), want[sel]);
        EXPECT_EQ(pl::rx_level(s), want[sel]);
    }
}

TEST(Pl011Model, ReceiveFifoFlagsAndInterrupts) {
    pl::State s = with_fifo(0x08); // RX level 1/4: 4 of 16
    pl::write(s, pl::IMSC, 4, pl::INT_RX | pl::INT_RT);
    for (std::uint8_t n = 0; n < 3; ++n) {
        ASSERT_TRUE(pl::rx_push(s, 'a' + n));
    }
    EXPECT_EQ(fr(s) & pl::FR_RXFE, 0u);
    EXPECT_FALSE(pl::irq_level(s)); // below the level
    pl::rx_timeout(s);
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_RT);
    ASSERT_TRUE(pl::rx_push(s, 'd'));
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_RT | pl::INT_RX);
    EXPECT_EQ(pl::read(s, pl::DR, 4), 'a'); // below the level again: RXIS drops
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_RT);
    EXPECT_EQ(pl::read(s, pl::DR, 4), 'b');
    EXPECT_EQ(pl::read(s, pl::DR, 4), 'c');
    EXPECT_EQ(pl::read(s, pl::DR, 4), 'd'); // empty: the timeout clears too
    EXPECT_EQ(fr(s) & pl::FR_RXFE, pl::FR_RXFE);
    EXPECT_FALSE(pl::irq_level(s));
    EXPECT_EQ(pl::read(s, pl::DR, 4), 0u); // nothing to read
}

TEST(Pl011Model, ReceiveOverrunAndErrors) {
    pl::State s = with_fifo();
    for (std::uint32_t n = 0; n < pl::kFifoDepth; ++n) {
        ASSERT_TRUE(pl::rx_push(s, 'a', n == 0 ? 1 : 0)); // first one with a framing error
    }
    EXPECT_NE(fr(s) & pl::FR_RXFF, 0u);
    EXPECT_FALSE(pl::rx_push(s, 'z'));
    EXPECT_NE(pl::read(s, pl::RIS, 4) & pl::INT_OE, 0u);
    EXPECT_EQ(pl::read(s, pl::DR, 4), 0x100u | 'a'); // FE in bit 8
    EXPECT_EQ(pl::read(s, pl::RSR, 4), 1u);
    pl::write(s, pl::RSR, 4, 0); // ECR
    EXPECT_EQ(pl::read(s, pl::RSR, 4), 0u);
    pl::write(s, pl::ICR, 4, pl::INT_ALL);
    EXPECT_EQ(pl::read(s, pl::RIS, 4) & ~pl::INT_RX, 0u);
}

TEST(Pl011Model, ConfigurationRegistersReadBack) {
    pl::State s;
    pl::write(s, pl::IBRD, 4, 13);
    pl::write(s, pl::FBRD, 4, 1);
    pl::write(s, pl::LCR_H, 4, 0x70);
    pl::write(s, pl::CR, 4, 0x301);
    pl::write(s, pl::IFLS, 4, 0x24);
    pl::write(s, pl::DMACR, 4, 0x3);
    pl::write(s, pl::IMSC, 4, 0xffffffff);
    EXPECT_EQ(pl::read(s, pl::IBRD, 4), 13u);
    EXPECT_EQ(pl::read(s, pl::FBRD, 4), 1u);
    EXPECT_EQ(pl::read(s, pl::LCR_H, 4), 0x70u);
    EXPECT_EQ(pl::read(s, pl::CR, 4), 0x301u);
    EXPECT_EQ(pl::read(s, pl::IFLS, 4), 0x24u);
    EXPECT_EQ(pl::read(s, pl::DMACR, 4), 0x3u);
    EXPECT_EQ(pl::read(s, pl::IMSC, 4), pl::INT_ALL);
    EXPECT_EQ(pl::read(s, pl::ICR, 4), 0u); // write-only
    // Byte reads see the register's bytes; a write off a register's start is ignored.
    EXPECT_EQ(pl::read(s, pl::CR + 1, 1), 0x3u);
    pl::write(s, pl::CR + 1, 1, 0);
    EXPECT_EQ(pl::read(s, pl::CR, 4), 0x301u);
    EXPECT_EQ(pl::read(s, 0x100, 4), 0u); // reserved
}

// Console input (rx_receive): what fits the FIFO is taken, never an overrun,
// and the line idles (receive timeout) so a driver waiting for RTIS drains
// even fewer characters than the RX level.
TEST(Pl011Model, ReceiveTakesWhatFitsAndIdlesTheLine) {
    pl::State s = with_fifo(); // RX level 1/2: 8 of 16
    pl::write(s, pl::IMSC, 4, pl::INT_RX | pl::INT_RT);
    const std::uint8_t text[20] = {'a', 'b', 'c'};
    EXPECT_EQ(pl::rx_receive(s, text, 3), 3u);
    EXPECT_EQ(pl::read(s, pl::MIS, 4), pl::INT_RT); // below the level, but idle
    EXPECT_EQ(pl::read(s, pl::DR, 4), 'a');
    EXPECT_EQ(pl::rx_receive(s, text, 20), 14u); // 2 were still there
    EXPECT_NE(fr(s) & pl::FR_RXFF, 0u);
    EXPECT_EQ(pl::read(s, pl::RIS, 4) & pl::INT_OE, 0u); // nothing lost
    EXPECT_EQ(pl::rx_receive(s, text, 20), 0u);
    EXPECT_EQ(pl::read(s, pl::RIS, 4) & pl::INT_OE, 0u);
    for (std::uint32_t n = 0; n < pl::kFifoDepth; ++n)
        pl::read(s, pl::DR, 4);
    EXPECT_FALSE(pl::irq_level(s)); // drained: RX and RT clear
    EXPECT_EQ(pl::rx_receive(s, text, 0), 0u);
    EXPECT_FALSE(pl::irq_level(s)); // an empty line raises nothing
}
