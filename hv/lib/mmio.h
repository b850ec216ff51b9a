// Device accesses by physical address, for the target ports of both
// architectures: on the target hv's devices are identity-mapped (Device
// memory), so an access is one volatile load or store of its width.
#pragma once

#include <cstdint>

namespace hv::mmio {

template <typename T> T read(std::uint64_t pa) {
    return *reinterpret_cast<volatile T*>(pa);
}

template <typename T> void write(std::uint64_t pa, T value) {
    *reinterpret_cast<volatile T*>(pa) = value;
}

// Port::dev_read's and dev_write's widths: 1, 2 or 4 bytes; any other size is
// 8 (the port's contract gives only these).
inline std::uint64_t read_sized(std::uint64_t pa, std::uint32_t size) {
    switch (size) {
    case 1:
        return read<std::uint8_t>(pa);
    case 2:
        return read<std::uint16_t>(pa);
    case 4:
        return read<std::uint32_t>(pa);
    default:
        return read<std::uint64_t>(pa);
    }
}

inline void write_sized(std::uint64_t pa, std::uint32_t size, std::uint64_t value) {
    switch (size) {
    case 1:
        write<std::uint8_t>(pa, static_cast<std::uint8_t>(value));
        break;
    case 2:
        write<std::uint16_t>(pa, static_cast<std::uint16_t>(value));
        break;
    case 4:
        write<std::uint32_t>(pa, static_cast<std::uint32_t>(value));
        break;
    default:
        write<std::uint64_t>(pa, value);
        break;
    }
}

} // namespace hv::mmio
