// Xilinx's ZCU104 as bao-sim models it (--platform zcu104): Cortex-A53
// cores, the ZynqMP's GIC-400 (a GICv2 with the virtualization extension)
// and generic timers, its two Cadence UARTs (UART0, the console, on SPI 21;
// UART1, for pass-through, on SPI 22), DDR at 0 (the config's
// platform.ram), at the addresses of hv/platform/zcu104/platform.h.
#include "hv/platform/zcu104/platform.h"
#include "sim/cadence_uart.h"
#include "sim/cpu/arm64_core.h"
#include "sim/gicv2.h"
#include "sim/machine.h"
#include "sim/platform.h"

namespace sim {

void build_zcu104(Machine& machine) {
    namespace board = hv::platform;
    for (unsigned i = 0; i < machine.params().cores; ++i)
        machine.add_core(std::make_unique<cpu::Arm64Core>(i, machine));
    auto gic = std::make_unique<GicV2>(machine);
    GicV2& g = *gic;
    machine.set_interrupt_controller(std::move(gic));
    const hv::GicAddrs a = board::zcu104_gic400();
    g.add_frames(machine.bus(), gic::AddressMap{a.gicd, a.gicc, a.gich, a.gicv});
    auto uart0 = std::make_unique<CadenceUart>(machine.console());
    uart0->set_irq_line([&g](bool level) { g.set_level(board::kZcu104Uart0Irq, level); });
    machine.add_device({"UART0 (Cadence)", board::kZcu104Uart0, cadence_uart_size, nullptr, false},
                       std::move(uart0));
    // UART1, printed as "[uart1] ..." (docs/config.md#devs).
    auto uart1 = std::make_unique<CadenceUart>(machine.console(), "uart1");
    uart1->set_irq_line([&g](bool level) { g.set_level(board::kZcu104Uart1Irq, level); });
    machine.add_device({"UART1 (Cadence)", board::kZcu104Uart1, cadence_uart_size, nullptr, false},
                       std::move(uart1));
}

} // namespace sim
