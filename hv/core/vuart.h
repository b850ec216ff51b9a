// The virtual PL011 each VM sees at the console's address (docs/design.md#console): hv
// owns the physical UART and prints each VM's output prefixed with its name,
// "[name] ", on the target and in the simulator alike. Whatever a guest
// writes, every line it produces starts with its own name: long lines are
// wrapped, and control characters a terminal would act on are escaped.
// The registers are the PL011 model (pl011.h) Linux's amba-pl011 drives: the
// transmit FIFO drains as each character is written (output is never
// back-pressured), the receive FIFO is filled only by vuart_receive (the
// simulator's console input; the real image never calls it), and the UART's interrupt
// (platform.console_irq) is a virtual SPI of the VM's own vGIC.
#pragma once

#include <cstdint>

#include "hv/arch/arch.h"
#include "hv/core/pl011.h"

namespace hv::inline HV_ARCH_NS {

class Hypervisor;
struct Vm;

// The longest line hv prints for a VM (after its "[name] " prefix): longer
// lines are wrapped and the next piece carries the prefix again. With the
// longest name (kNameLen - 1) the whole line fits the target's per-CPU line
// buffer (target_port.h).
inline constexpr std::uint32_t kVuartLineMax = 120;

// The guest EOIed the UART's interrupt: raise it again if the line is still
// high (the vGIC's level resampling).
void vuart_resample(Hypervisor& hv, Vm& vm);

// Characters arriving on the VM's console line (pl011::rx_receive): as many
// as its receive FIFO holds, with the receive timeout, and the VM's UART
// interrupt raised as the line requires. Returns how many were taken. The
// caller runs it as hv on the core of the vCPU the interrupt targets.
std::uint32_t vuart_receive(Hypervisor& hv, Vm& vm, const std::uint8_t* bytes, std::uint32_t n);

// EmulHandler for the virtual UART page.
bool vuart_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value);

} // namespace hv::inline HV_ARCH_NS
