// Validation of a configuration before anything runs: both worlds (the
// simulator's loader and the target's config generator) reject the same
// mistakes with the same words. The first error found is returned; its
// message names the field path and the offending value, e.g.
//   vms[1].regions[0]: base 0x40001000 is not 4 KiB aligned
//   vms[2].cpu_affinity: cpu 3 is already assigned to vms[0] ("bench")
#pragma once

#include "hv/core/config.h"
#include "hv/core/error.h"

namespace hv {

Error validate(const Config& cfg);

// The largest RAM hv's page pool can manage (its bitmap is a fixed array).
inline constexpr std::uint64_t kMaxRamBytes = 4ull << 30;

} // namespace hv
