// The Cadence UART of the ZynqMP (Zynq UltraScale+ TRM UG1085, "UART";
// Linux's xilinx_uartps driver), as the zcu104 platform's console and
// pass-through UART: transmission is instantaneous (each byte written to
// TX_RX_FIFO goes to the console at once, so Channel_sts always says the
// transmit FIFO is empty), nothing is ever received (RXEMPTY stays set), the
// other registers hold what is written. The interrupt is the TX-empty
// condition (TEMPTY) through the mask (IER/IDR/IMR) and the sticky status
// (ISR, write 1 to clear), enough for a driver that waits for TX empty by
// interrupt; the TX and RX logic resets (CR bits 1 and 0) complete at once,
// as Linux's driver waits for. Not modelled: baud rates, FIFO levels, modem lines, loopback,
// the receiver's timeout and errors.
#pragma once

#include "sim/console.h"
#include "sim/mmio.h"

#include <functional>
#include <optional>
#include <string>

namespace sim {

inline constexpr uint64_t cadence_uart_size = 0x1000;

class CadenceUart : public MmioDevice {
  public:
    using IrqLine = std::function<void(bool level)>;
    // Register offsets and the bits the model gives meaning to.
    static constexpr uint64_t kCr = 0x00, kMr = 0x04, kIer = 0x08, kIdr = 0x0c, kImr = 0x10,
                              kIsr = 0x14, kSr = 0x2c, kFifo = 0x30;
    static constexpr uint32_t kCrReset = 0x128; // TX and RX disabled, stop break
    static constexpr uint32_t kCrResets = 0x3;  // TXRST, RXRST: self-clearing
    static constexpr uint32_t kSrRxEmpty = 1u << 1, kSrTxEmpty = 1u << 3;
    static constexpr uint32_t kIntTxEmpty = 1u << 3, kIntMask = 0x1fff;

    // Each core's output goes to its console source (Console::set_core_sources).
    explicit CadenceUart(Console& console) : console_(console) {}
    // A UART with a console source of its own, printed as "[name] line"
    // (a pass-through UART, as the virt board's second PL011).
    CadenceUart(Console& console, std::string name) : console_(console), name_(std::move(name)) {}
    void set_irq_line(IrqLine line) { irq_line_ = std::move(line); }
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override;
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;
    bool irq_level() const { return level_; }
    void checkpoint(Archive& a) override;

  private:
    void transmit(unsigned core, char c);
    void update_irq();

    Console& console_;
    std::string name_;
    std::optional<unsigned> source_;
    // Registers by word offset 0x00-0x48 (Channel_sts, the FIFO and the
    // interrupt registers are computed, not read from here).
    uint32_t regs_[0x4c / 4] = {kCrReset};
    uint32_t imr_ = 0;
    uint32_t isr_ = kIntTxEmpty; // the transmitter starts empty
    bool level_ = false;
    IrqLine irq_line_;
};

} // namespace sim
