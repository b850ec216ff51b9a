// Counters of accesses the model ignored. Bad input never crashes the model;
// it is counted here so the simulator's stats can report it.
#pragma once

#include <cstdint>

namespace sim::gic {

struct Diagnostics {
    uint64_t reserved_reads = 0;  // offset with no register: read as zero
    uint64_t reserved_writes = 0; // offset with no register, or a read-only one
    uint64_t bad_accesses = 0;    // unsupported size or alignment, unknown core or frame
    uint64_t bad_inputs = 0;      // interrupt lines or timer registers out of range
    uint64_t unmatched_eois = 0;  // EOIR/DIR with nothing to drop or deactivate

    Diagnostics& operator+=(const Diagnostics& other) {
        reserved_reads += other.reserved_reads;
        reserved_writes += other.reserved_writes;
        bad_accesses += other.bad_accesses;
        bad_inputs += other.bad_inputs;
        unmatched_eois += other.unmatched_eois;
        return *this;
    }
};

} // namespace sim::gic
