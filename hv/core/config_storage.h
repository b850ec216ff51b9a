// The host's owning configuration (hv/core/config.h): what the simulator's
// loader, the config generator, the fuzz target and the tests fill by
// assignment and push(), with every list a fixed-capacity array so that it
// copies like plain data. hv reads it through view(), a Config whose spans
// point into this storage. The real image never uses it: there the generator
// emits the Config's arrays at their declared length.
#pragma once

#include "hv/core/config.h"

namespace hv {

struct ConfigStorage : BasicConfig<ConfigOwned> {
    // hv's view of this storage. It points into this object: keep the storage
    // alive and unchanged while anything (a Hypervisor) holds the view, and
    // take a new view after a change. A temporary has no view to give.
    Config view() const&;
    Config view() const&& = delete;

  private:
    // The view's per-VM records, rebuilt by each view(). A copy starts with
    // none of its own: they would point into the original.
    struct Views {
        VmConfig vms[kMaxVms]{};
        DevConfig devs[kMaxVms][kMaxDevs]{};
        IpcConfig ipcs[kMaxVms][kMaxIpcs]{};

        Views() = default;
        Views(const Views&) {}
        Views& operator=(const Views&) { return *this; }
    };
    mutable Views views_;
};

inline Config ConfigStorage::view() const& {
    Config c{};
    c.mode = mode;
    c.platform = platform;
    c.hyp = hyp;
    c.shmems = {shmems.begin(), shmems.size()};
    for (std::size_t i = 0; i < vms.size(); ++i) {
        const VmStorage& s = vms[i];
        VmConfig& v = views_.vms[i];
        for (std::size_t k = 0; k < kNameLen; ++k) {
            v.name[k] = s.name[k];
        }
        v.image = s.image;
        v.cpu_affinity = s.cpu_affinity;
        v.colors = s.colors;
        v.measured = s.measured;
        v.has_marker = s.has_marker;
        v.marker = s.marker;
        v.regions = {s.regions.begin(), s.regions.size()};
        for (std::size_t d = 0; d < s.devs.size(); ++d) {
            const DevStorage& ds = s.devs[d];
            views_.devs[i][d] =
                DevConfig{ds.pa, ds.va, ds.size, {ds.interrupts.begin(), ds.interrupts.size()}};
        }
        v.devs = {views_.devs[i], s.devs.size()};
        for (std::size_t d = 0; d < s.ipcs.size(); ++d) {
            const IpcStorage& is = s.ipcs[d];
            views_.ipcs[i][d] = IpcConfig{
                is.base, is.size, is.shmem_id, {is.interrupts.begin(), is.interrupts.size()}};
        }
        v.ipcs = {views_.ipcs[i], s.ipcs.size()};
    }
    c.vms = {views_.vms, vms.size()};
    return c;
}

} // namespace hv
