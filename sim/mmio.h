// A memory-mapped device as the cores see it. Offsets are from the device's base.
#pragma once

#include <cstdint>

namespace sim {

class MmioDevice {
  public:
    virtual ~MmioDevice() = default;
    virtual uint64_t read(unsigned core, uint64_t offset, unsigned size) = 0;
    virtual void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) = 0;
};

} // namespace sim
