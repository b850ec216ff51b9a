// A memory-mapped device as the cores see it. Offsets are from the device's base.
#pragma once

#include <cstdint>

namespace sim {

class Archive;

class MmioDevice {
  public:
    virtual ~MmioDevice() = default;
    virtual uint64_t read(unsigned core, uint64_t offset, unsigned size) = 0;
    virtual void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) = 0;
    // Checkpoints (sim/checkpoint.h): a device that holds state visits it.
    virtual void checkpoint(Archive&) {}
};

} // namespace sim
