// The virtual PL011 each VM sees at the console's address (decision 6): hv
// owns the physical UART and prints each VM's output prefixed with its name,
// "[name] ", on the target and in the simulator alike. Whatever a guest
// writes, every line it produces starts with its own name: long lines are
// wrapped, and control characters a terminal would act on are escaped.
#pragma once

#include <cstdint>

namespace hv {

class Hypervisor;
struct Vm;

// PL011 register offsets hv emulates.
namespace pl011 {
inline constexpr std::uint64_t DR = 0x000;
inline constexpr std::uint64_t FR = 0x018;
inline constexpr std::uint64_t IBRD = 0x024;
inline constexpr std::uint64_t FBRD = 0x028;
inline constexpr std::uint64_t LCR_H = 0x02c;
inline constexpr std::uint64_t CR = 0x030;
inline constexpr std::uint64_t IMSC = 0x038;
inline constexpr std::uint32_t FR_RXFE = 1u << 4; // receive FIFO empty
inline constexpr std::uint32_t FR_TXFE = 1u << 7; // transmit FIFO empty
} // namespace pl011

// The longest line hv prints for a VM (after its "[name] " prefix): longer
// lines are wrapped and the next piece carries the prefix again. With the
// longest name (kNameLen - 1) the whole line fits the target's per-CPU line
// buffer (target_port.h).
inline constexpr std::uint32_t kVuartLineMax = 120;

// EmulHandler for the virtual UART page.
bool vuart_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value);

} // namespace hv
