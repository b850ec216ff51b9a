// Unit: the ZCU104's Cadence UART model (sim/cadence_uart.*): what the
// guest runtime and a polling or interrupt-driven driver rely on.
#include "sim/cadence_uart.h"
#include "sim/checkpoint.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace sim {
namespace {

struct CadenceFixture : ::testing::Test {
    std::ostringstream out;
    Console console{&out, 1024};
    CadenceUart uart{console};
    std::vector<bool> levels;
    void SetUp() override {
        console.set_core_sources({console.add_source("core0", false)});
        uart.set_irq_line([this](bool l) { levels.push_back(l); });
    }
};

TEST_F(CadenceFixture, FifoWritesReachTheConsoleAndStatusSaysEmpty) {
    EXPECT_EQ(uart.read(0, CadenceUart::kCr, 4), CadenceUart::kCrReset);
    for (char c : std::string("hi\n"))
        uart.write(0, CadenceUart::kFifo, 4, static_cast<uint8_t>(c));
    console.flush();
    EXPECT_NE(out.str().find("hi"), std::string::npos) << out.str();
    const uint64_t sr = uart.read(0, CadenceUart::kSr, 4);
    EXPECT_EQ(sr & CadenceUart::kSrTxEmpty, CadenceUart::kSrTxEmpty);
    EXPECT_EQ(sr & 0x10, 0u);                                         // TXFULL never
    EXPECT_EQ(sr & CadenceUart::kSrRxEmpty, CadenceUart::kSrRxEmpty); // nothing received
    EXPECT_EQ(uart.read(0, CadenceUart::kFifo, 4), 0u);
    EXPECT_TRUE(levels.empty()); // IMR is 0: no interrupt
}

TEST_F(CadenceFixture, TxEmptyInterruptThroughTheMaskAndTheStickyStatus) {
    uart.write(0, CadenceUart::kIer, 4, CadenceUart::kIntTxEmpty);
    EXPECT_EQ(uart.read(0, CadenceUart::kImr, 4), CadenceUart::kIntTxEmpty);
    EXPECT_TRUE(uart.irq_level());                                 // the transmitter starts empty
    uart.write(0, CadenceUart::kIsr, 4, CadenceUart::kIntTxEmpty); // write 1 to clear
    EXPECT_FALSE(uart.irq_level());
    uart.write(0, CadenceUart::kFifo, 4, 'x'); // sent at once: empty again
    EXPECT_TRUE(uart.irq_level());
    uart.write(0, CadenceUart::kIdr, 4, CadenceUart::kIntTxEmpty);
    EXPECT_EQ(uart.read(0, CadenceUart::kImr, 4), 0u);
    EXPECT_FALSE(uart.irq_level());
    EXPECT_EQ(levels, (std::vector<bool>{true, false, true, false}));
}

TEST_F(CadenceFixture, OtherRegistersHoldWhatIsWrittenAndReadOnlyOnesDoNot) {
    uart.write(0, CadenceUart::kMr, 4, 0x20);
    uart.write(0, 0x18, 4, 0x7c); // baud rate generator
    EXPECT_EQ(uart.read(0, CadenceUart::kMr, 4), 0x20u);
    EXPECT_EQ(uart.read(0, 0x18, 4), 0x7cu);
    uart.write(0, CadenceUart::kCr, 4, 0x17);            // TX/RX enable with both logic resets
    EXPECT_EQ(uart.read(0, CadenceUart::kCr, 4), 0x14u); // the resets self-clear
    uart.write(0, CadenceUart::kSr, 4, 0);
    EXPECT_NE(uart.read(0, CadenceUart::kSr, 4), 0u);
    // No PL011 peripheral ID: the guest runtime tells the two apart by it.
    EXPECT_EQ(uart.read(0, 0xfe0, 4), 0u);
    uart.write(0, 0x800, 4, 1); // past the registers: ignored
    EXPECT_EQ(uart.read(0, 0x800, 4), 0u);
}

// Console input: into the 64-byte FIFO, read from TX_RX_FIFO in order; the
// status follows the count; the trigger at RXWM, full, and the timeout as
// soon as input arrives, through the mask.
TEST_F(CadenceFixture, ReceivedBytesAreReadInOrderWithTheirStatusAndInterrupts) {
    EXPECT_EQ(uart.read(0, CadenceUart::kRxwm, 4), 0x20u); // reset value
    uart.write(0, CadenceUart::kRxwm, 4, 4);
    uart.write(0, CadenceUart::kIer, 4, CadenceUart::kIntRxTrig | CadenceUart::kIntTimeout);
    const uint8_t abc[] = {'a', 'b', 'c'};
    EXPECT_EQ(uart.receive(abc, 3), 3u);
    EXPECT_EQ(uart.read(0, CadenceUart::kSr, 4) & 0x7, 0u); // not empty, not full, below RXWM
    const uint32_t rx_ints =
        CadenceUart::kIntRxTrig | CadenceUart::kIntRxFull | CadenceUart::kIntTimeout;
    EXPECT_EQ(uart.read(0, CadenceUart::kIsr, 4) & rx_ints, CadenceUart::kIntTimeout);
    EXPECT_TRUE(uart.irq_level());
    uart.write(0, CadenceUart::kIsr, 4, CadenceUart::kIntTimeout);
    EXPECT_FALSE(uart.irq_level());
    const uint8_t d = 'd';
    uart.receive(&d, 1);
    EXPECT_NE(uart.read(0, CadenceUart::kIsr, 4) & CadenceUart::kIntRxTrig, 0u);
    EXPECT_NE(uart.read(0, CadenceUart::kSr, 4) & CadenceUart::kSrRxTrig, 0u);
    std::string got;
    while (!(uart.read(0, CadenceUart::kSr, 4) & CadenceUart::kSrRxEmpty))
        got += static_cast<char>(uart.read(0, CadenceUart::kFifo, 4));
    EXPECT_EQ(got, "abcd");
    EXPECT_EQ(uart.read(0, CadenceUart::kFifo, 4), 0u); // empty: reads 0

    std::vector<uint8_t> many(100, 'x');
    EXPECT_EQ(uart.receive(many.data(), 100), CadenceUart::kRxFifoDepth); // what fits
    EXPECT_NE(uart.read(0, CadenceUart::kSr, 4) & CadenceUart::kSrRxFull, 0u);
    EXPECT_NE(uart.read(0, CadenceUart::kIsr, 4) & CadenceUart::kIntRxFull, 0u);
    EXPECT_EQ(uart.receive(many.data(), 1), 0u);
    uart.write(0, CadenceUart::kCr, 4, 0x1); // RXRST empties it
    EXPECT_NE(uart.read(0, CadenceUart::kSr, 4) & CadenceUart::kSrRxEmpty, 0u);
}

TEST(CadenceUart, ANamedUartPrintsAsItsOwnSource) {
    std::ostringstream out;
    Console console{&out, 1024};
    CadenceUart uart(console, "uart1");
    for (char c : std::string("mine\n"))
        uart.write(0, CadenceUart::kFifo, 4, static_cast<uint8_t>(c));
    console.flush();
    EXPECT_NE(out.str().find("[uart1] mine\n"), std::string::npos) << out.str();
}

TEST(CadenceUart, CheckpointRestoresTheRegisters) {
    std::ostringstream out;
    Console console{&out, 1024};
    CadenceUart a(console), b(console);
    a.write(0, CadenceUart::kMr, 4, 0x20);
    a.write(0, CadenceUart::kIer, 4, CadenceUart::kIntTxEmpty);
    const uint8_t in[] = {'q', 'r'};
    a.receive(in, 2);
    (void)a.read(0, CadenceUart::kFifo, 4);
    Archive save = Archive::saving();
    a.checkpoint(save);
    Archive load = Archive::restoring(save.data());
    b.checkpoint(load);
    EXPECT_EQ(b.read(0, CadenceUart::kMr, 4), 0x20u);
    EXPECT_EQ(b.read(0, CadenceUart::kImr, 4), CadenceUart::kIntTxEmpty);
    EXPECT_TRUE(b.irq_level());
    EXPECT_EQ(b.read(0, CadenceUart::kFifo, 4), 'r'); // the FIFO's rest, in place
    EXPECT_NE(b.read(0, CadenceUart::kSr, 4) & CadenceUart::kSrRxEmpty, 0u);
}

} // namespace
} // namespace sim
