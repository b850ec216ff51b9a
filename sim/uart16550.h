// The NS16550A UART of QEMU's riscv virt board (byte registers, no shift):
// THR output to the console (instantaneous, so LSR always says THR empty),
// the divisor latch, IER/IIR/LCR/MCR/SCR as registers, and its interrupt:
// THR empty (IER.ETBEI) until IIR reports it, as on QEMU. Nothing is ever
// received (LSR.DR stays 0), as on the PL011 of the Arm platform.
#pragma once

#include "sim/console.h"
#include "sim/mmio.h"

#include <functional>

namespace sim {

inline constexpr uint64_t uart16550_base = 0x10000000;
inline constexpr uint64_t uart16550_size = 0x100;
inline constexpr uint32_t uart16550_irq = 10; // PLIC source, as on QEMU virt

class Uart16550 : public MmioDevice {
  public:
    using IrqLine = std::function<void(bool level)>;
    static constexpr uint8_t kLsrThre = 0x20, kLsrTemt = 0x40, kIerEtbei = 0x02;
    static constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirFifo = 0xc0;

    explicit Uart16550(Console& console) : console_(console) {}
    void set_irq_line(IrqLine line) { irq_line_ = std::move(line); }
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override;
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;
    bool irq_level() const { return level_; }
    void checkpoint(Archive& a) override;

  private:
    bool dlab() const { return lcr_ & 0x80; }
    void update_irq();

    Console& console_;
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0, dll_ = 0, dlm_ = 0;
    bool thre_pending_ = false; // the THR-empty interrupt, until IIR reports it
    IrqLine irq_line_;
    bool level_ = false;
};

} // namespace sim
