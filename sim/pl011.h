// PL011 UART model: enough for a polled transmitter (DR, FR, and the ID
// registers a driver may probe). Transmission is instantaneous; receive is empty.
#pragma once

#include "sim/console.h"
#include "sim/mmio.h"

namespace sim {

inline constexpr uint64_t pl011_base = 0x09000000;
inline constexpr uint64_t pl011_size = 0x1000;

class Pl011 : public MmioDevice {
  public:
    Pl011(Console& console, std::vector<unsigned> source_of_core)
        : console_(console), source_of_core_(std::move(source_of_core)) {}
    // Which console source each core's output goes to.
    void set_sources(std::vector<unsigned> source_of_core) { source_of_core_ = std::move(source_of_core); }
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override;
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override;

  private:
    Console& console_;
    std::vector<unsigned> source_of_core_;
};

} // namespace sim
