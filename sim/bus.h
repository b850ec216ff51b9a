// The machine's physical address map of devices, as Spike's bus and device
// registry: each device registered by base and size, found by address. The
// platform factory registers them; native mode maps every device a native
// kernel uses into each core, and the hypervisor host reaches them by PA.
#pragma once

#include "sim/mmio.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

class Bus {
  public:
    struct Entry {
        std::string name; // for reports: "the PL011"
        uint64_t base = 0;
        uint64_t size = 0;
        MmioDevice* device = nullptr;
        bool hypervisor_only = false; // a virtualization frame: native mode does not map it
    };

    // Registers a device; throws std::invalid_argument if it is empty, has
    // no device, or overlaps one already registered (a platform's error).
    void add(Entry entry);
    // The device covering `pa`, or null.
    const Entry* find(uint64_t pa) const;
    // Every device, by base address.
    const std::vector<Entry>& entries() const { return entries_; }

    // A register access at `pa`; false (and no access) if no device is there.
    bool read(unsigned core, uint64_t pa, unsigned size, uint64_t& value) const;
    bool write(unsigned core, uint64_t pa, unsigned size, uint64_t value) const;

  private:
    std::vector<Entry> entries_;
};

} // namespace sim
