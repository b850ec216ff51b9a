// What tools/bao-hv-config generates for the image (image_config.cpp): the
// configuration as constant data and the guest images embedded beside it.
#pragma once

#include <cstdint>

#include "hv/core/config.h"

namespace hv::target {

struct GuestBlob {
    const unsigned char* data; // in the image's .guests section
    std::uint64_t size;        // bytes; the VM's image.size
};

extern const Config kConfig;
extern const GuestBlob kGuests[]; // one per kConfig.vms entry
extern const char kConfigName[];  // the TOML file it came from

} // namespace hv::target
