// hv's events (hv::Event, reported through the port in the host build) as
// log lines: which logger and level each kind goes to, and its words for
// each architecture (docs/observability.md lists them).
#pragma once

#include "hv/port.h"
#include "sim/log.h"
#include "sim/platform.h"

#include <cstdint>

namespace sim {

// Where an event happened, as the hosting port knows it.
struct HvEventPlace {
    uint64_t cycle = 0;            // the core's local time
    unsigned core = 0;             // the physical CPU hv ran on
    const char* vm_name = nullptr; // the event's VM, if it has one
};

// The event kinds whose logger is enabled at their level: the mask a port
// passes to Port::want_events, so hv builds no other event.
uint32_t hv_events_wanted(const Loggers& log);

// Writes `e` to its logger (the caller asked for it through the mask).
void log_hv_event(const Loggers& log, Isa isa, const hv::Event& e, const HvEventPlace& where);

} // namespace sim
