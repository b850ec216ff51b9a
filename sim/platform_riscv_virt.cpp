// QEMU's riscv virt board as bao-sim models it (--platform qemu-riscv64-virt):
// RV64 harts in S-mode over Unicorn, the PLIC at 0x0c00_0000, the ACLINT
// (CLINT layout) at 0x0200_0000 and an NS16550A at 0x1000_0000 on PLIC
// source 10, RAM at 0x8000_0000 (the config's platform.ram), at virt's
// addresses. The L2 geometry for colors comes from the config as on Arm.
#include "sim/cpu/rv64_core.h"
#include "sim/machine.h"
#include "sim/platform.h"
#include "sim/riscv_intc.h"
#include "sim/uart16550.h"

namespace sim {

void build_riscv64_virt(Machine& machine) {
    for (unsigned i = 0; i < machine.params().cores; ++i)
        machine.add_core(std::make_unique<cpu::Rv64Core>(i, machine));
    auto intc = std::make_unique<RiscvInterrupts>(machine);
    RiscvInterrupts& ic = *intc;
    machine.set_interrupt_controller(std::move(intc));
    ic.add_devices(machine.bus());
    auto uart = std::make_unique<Uart16550>(machine.console());
    uart->set_irq_line([&ic](bool level) { ic.set_level(uart16550_irq, level); });
    machine.add_device({"the 16550 UART", uart16550_base, uart16550_size, nullptr, false},
                       std::move(uart));
}

} // namespace sim
