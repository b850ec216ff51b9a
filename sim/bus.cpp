#include "sim/bus.h"

#include <algorithm>
#include <stdexcept>

namespace sim {

void Bus::add(Entry entry) {
    if (entry.size == 0 || !entry.device || entry.base + entry.size < entry.base)
        throw std::invalid_argument("bus: " + entry.name + " has no device or no size");
    for (const Entry& e : entries_)
        if (entry.base < e.base + e.size && e.base < entry.base + entry.size)
            throw std::invalid_argument("bus: " + entry.name + " overlaps " + e.name);
    auto at = std::upper_bound(entries_.begin(), entries_.end(), entry.base,
                               [](uint64_t base, const Entry& e) { return base < e.base; });
    entries_.insert(at, std::move(entry));
}

const Bus::Entry* Bus::find(uint64_t pa) const {
    auto after = std::upper_bound(entries_.begin(), entries_.end(), pa,
                                  [](uint64_t a, const Entry& e) { return a < e.base; });
    if (after == entries_.begin())
        return nullptr;
    const Entry& e = *std::prev(after);
    return pa - e.base < e.size ? &e : nullptr;
}

bool Bus::read(unsigned core, uint64_t pa, unsigned size, uint64_t& value) const {
    const Entry* e = find(pa);
    if (!e)
        return false;
    value = e->device->read(core, pa - e->base, size);
    return true;
}

bool Bus::write(unsigned core, uint64_t pa, unsigned size, uint64_t value) const {
    const Entry* e = find(pa);
    if (!e)
        return false;
    e->device->write(core, pa - e->base, size, value);
    return true;
}

} // namespace sim
