// The physical PL011 of native mode: hv's register model (hv/core/pl011.h)
// behind the MMIO interface. Transmission is instantaneous (each character
// goes to the console as it is written, so the FIFO drains at once and TXIS
// follows as on QEMU); the receiver gets only the host's console input
// (receive(), --console-input). Its interrupt line drives SPI pl011_irq of
// the GIC model.
#pragma once

#include "hv/core/pl011.h"
#include "sim/console.h"
#include "sim/mmio.h"

#include <functional>
#include <optional>
#include <string>

namespace sim {

inline constexpr uint64_t pl011_base = 0x09000000;
inline constexpr uint64_t pl011_size = 0x1000;
inline constexpr uint32_t pl011_irq = 33; // SPI 1, as on QEMU virt

// A second PL011 for pass-through (a VM's `devs` entry): where QEMU virt puts
// its second UART (VIRT_SECURE_UART, SPI 8, free with secure=off). Nobody
// uses it unless a configuration gives it to a VM (docs/config.md#devs).
inline constexpr uint64_t pl011_1_base = 0x09040000;
inline constexpr uint32_t pl011_1_irq = 40; // SPI 8

class Pl011 : public MmioDevice, public ConsoleReceiver {
  public:
    using IrqLine = std::function<void(bool level)>;

    // Each core's output goes to its console source (Console::set_core_sources).
    explicit Pl011(Console& console) : out_(console) {}
    // A UART with a console source of its own, printed as "[name] line"
    // whichever core writes (a pass-through device is not hv's console, so
    // no VM name prefixes it). The source is added at the first character,
    // so an unused UART leaves the console as it was.
    Pl011(Console& console, std::string name) : out_(console, std::move(name)) {}
    // Called with the new level whenever UARTINTR changes.
    void set_irq_line(IrqLine line) { irq_line_ = std::move(line); }
    void checkpoint(Archive& a) override;
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override;
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;
    const hv::pl011::State& registers() const { return regs_; }
    // Characters arriving on the line (hv::pl011::rx_receive): as many as the
    // receive FIFO holds; returns how many were taken.
    uint32_t receive(const uint8_t* bytes, uint32_t n) override;

  private:
    void update_irq();

    UartOutput out_;
    hv::pl011::State regs_;
    IrqLine irq_line_;
    bool level_ = false;
};

} // namespace sim
