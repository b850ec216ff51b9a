// Initialises a test's hypervisor for `cfg` with its run-time state in
// `state`, sized as hv asks (Hypervisor::state_bytes). The test keeps both
// alive as long as the hypervisor: hv's Config points into the storage it
// came from, and hv's state lives in `state`.
#pragma once

#include <cstddef>
#include <vector>

#include "hv/core/config.h"
#include "hv/core/error.h"

namespace hvtest {

template <typename Hypervisor>
hv::Error init(Hypervisor& hv, const hv::Config& cfg, std::vector<std::byte>& state) {
    state.assign(Hypervisor::state_bytes(cfg), std::byte{0});
    return hv.init(cfg, state);
}

} // namespace hvtest
