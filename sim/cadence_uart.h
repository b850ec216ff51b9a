// The Cadence UART of the ZynqMP (Zynq UltraScale+ TRM UG1085, "UART";
// Linux's xilinx_uartps driver), as the zcu104 platform's console and
// pass-through UART: transmission is instantaneous (each byte written to
// TX_RX_FIFO goes to the console at once, so Channel_sts always says the
// transmit FIFO is empty); the receiver gets only the host's console input
// (receive(), --console-input) into its 64-byte FIFO, read from TX_RX_FIFO;
// the other registers hold what is written. Interrupts (through IER/IDR/IMR
// and the sticky ISR, write 1 to clear): TX empty (TEMPTY), the receive
// trigger (RTRIG: the FIFO holds RXWM bytes or more), receive full (RFUL) and
// the receive timeout (TOUT), raised as soon as input arrives, as the PL011
// model's is. The TX and RX logic resets (CR bits 1 and 0) complete at once,
// as Linux's driver waits for; RXRST empties the receive FIFO. Not
// modelled: baud rates, FIFO levels, modem lines, loopback,
// the receiver's timeout and errors.
#pragma once

#include "sim/console.h"
#include "sim/mmio.h"

#include <functional>
#include <optional>
#include <string>

namespace sim {

inline constexpr uint64_t cadence_uart_size = 0x1000;

class CadenceUart : public MmioDevice, public ConsoleReceiver {
  public:
    using IrqLine = std::function<void(bool level)>;
    // Register offsets and the bits the model gives meaning to.
    static constexpr uint64_t kCr = 0x00, kMr = 0x04, kIer = 0x08, kIdr = 0x0c, kImr = 0x10,
                              kIsr = 0x14, kSr = 0x2c, kFifo = 0x30;
    static constexpr uint32_t kCrReset = 0x128; // TX and RX disabled, stop break
    static constexpr uint32_t kCrResets = 0x3;  // TXRST, RXRST: self-clearing
    static constexpr uint64_t kRxwm = 0x20;
    static constexpr uint32_t kSrRxTrig = 1u << 0, kSrRxEmpty = 1u << 1, kSrRxFull = 1u << 2,
                              kSrTxEmpty = 1u << 3;
    static constexpr uint32_t kIntRxTrig = 1u << 0, kIntRxFull = 1u << 2, kIntTxEmpty = 1u << 3,
                              kIntTimeout = 1u << 8, kIntMask = 0x1fff;
    static constexpr uint32_t kRxFifoDepth = 64;

    // Each core's output goes to its console source (Console::set_core_sources).
    explicit CadenceUart(Console& console) : out_(console) {}
    // A UART with a console source of its own, printed as "[name] line"
    // (a pass-through UART, as the virt board's second PL011).
    CadenceUart(Console& console, std::string name) : out_(console, std::move(name)) {}
    void set_irq_line(IrqLine line) { irq_line_ = std::move(line); }
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override;
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;
    bool irq_level() const { return level_; }
    void checkpoint(Archive& a) override;
    // Characters arriving on the line: as many as the receive FIFO holds;
    // returns how many were taken.
    uint32_t receive(const uint8_t* bytes, uint32_t n) override;

  private:
    uint8_t take_received();
    uint32_t rx_trigger_level() const;
    void update_irq();

    UartOutput out_;
    // Registers by word offset 0x00-0x48 (Channel_sts, the FIFO and the
    // interrupt registers are computed, not read from here).
    uint32_t regs_[0x4c / 4] = {kCrReset, 0, 0, 0, 0, 0, 0, 0, 0x20}; // RXWM resets to 32
    uint32_t imr_ = 0;
    uint32_t isr_ = kIntTxEmpty; // the transmitter starts empty
    uint8_t rx_[kRxFifoDepth] = {};
    uint32_t rx_head_ = 0, rx_count_ = 0;
    bool level_ = false;
    IrqLine irq_line_;
};

} // namespace sim
