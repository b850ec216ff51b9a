// hv's error record: a coarse code plus a message naming the field and the
// value, formatted without libc so the target reports the same words as the
// simulator.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hv/lib/fmt.h"

namespace hv {

enum class ErrorCode : std::uint8_t {
    Ok,
    Config,   // the configuration is invalid (validation)
    NoMemory, // the page pool cannot satisfy an allocation
    Mapping,  // a stage-2 mapping conflicts or is out of range
    State,    // an operation was called in the wrong phase
};

inline constexpr std::size_t kErrorLen = 192;

struct Error {
    ErrorCode code = ErrorCode::Ok;
    char message[kErrorLen]{};

    constexpr bool ok() const { return code == ErrorCode::Ok; }
};

// Marks `e` as failed with `code` and returns a formatter over its message.
inline Fmt fail(Error& e, ErrorCode code) {
    e.code = code;
    return Fmt(e.message, kErrorLen);
}

} // namespace hv
