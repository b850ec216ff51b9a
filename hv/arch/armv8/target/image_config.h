// What tools/bao-hv-config generates for the image (image_config.cpp): the
// configuration as constant data and the guest images embedded beside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/core/config.h"

namespace hv::target {

struct GuestBlob {
    const unsigned char* data; // in the image's .guests section
    std::uint64_t size;        // bytes; the VM's image.size
};

extern const Config kConfig;      // validated at build time, with hv's validate()
extern const GuestBlob kGuests[]; // one per kConfig.vms entry
extern const char kConfigName[];  // the TOML file it came from
// hv's run-time state for kConfig (Hypervisor::state_bytes), in .bss.
extern const std::span<std::byte> kHvState;

} // namespace hv::target
