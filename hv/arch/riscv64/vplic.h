// hv's virtual PLIC and the VS-level interrupt lines, as Bao's RISC-V port
// does it (src/arch/riscv/irqc/plic/vplic.c): the guest's PLIC region is left
// out of its G-stage, so every access traps and is emulated against the VM's
// Vplic, which holds only the sources the VM owns (its pass-through devices'
// interrupts, its IPC objects' and its virtual UART's); a VM never sees,
// enables or claims another's. A virtual hart's external interrupt line is
// hvip.VSEIP, raised while its S-mode context has an enabled pending source
// above its threshold.
//
// Physical side: hv owns every hart's S-mode PLIC context. A hardware source
// is enabled (priority 1) in the S context of its VM's vCPU 0; hv claims it
// at the supervisor external interrupt, marks it pending in the owner's
// vPLIC, and completes it physically when the guest completes it.
//
// The other two VS lines: VSTIP follows the guest's SBI set_timer (hv
// programs the hart's supervisor timer and turns its interrupt into VSTIP),
// VSSIP is an SBI IPI (hv's IPI to the target hart, which raises it).
#pragma once

#include <cstdint>

#include "hv/arch/ns.h"
#include "hv/arch/riscv64/vplic_state.h"
#include "hv/core/error.h"

namespace hv::riscv64 {

// The message number of hv's IPI (Port::send_ipi): "look at your vCPU's
// VplicCpu requests".
inline constexpr std::uint32_t kHvIpiMsg = 0;

enum class IrqOutcome : std::uint8_t {
    Spurious, // a claim returned 0: nothing done
    Injected, // a VM's source went to its vPLIC
    Ipi,      // hv's IPI: this hart's requests done
    Timer,    // the supervisor timer: VSTIP raised
    Unowned,  // no running VM owns the source: completed and disabled, counted
};
const char* to_string(IrqOutcome o);

// The interrupt entry: what the target's trap vector and the simulator call
// for an HS-mode interrupt on the current hart (scause with its interrupt bit
// cleared: supervisor software, timer or external). The entry has cleared
// sip.SSIP for a software interrupt. The guest's registers are not touched.
IrqOutcome handle_irq(Hypervisor& hv, std::uint64_t cause);

// At Hypervisor::init: ownership, state PAs in hv's memory, the vPLIC's
// EmulRegion at the platform's PLIC address (platform.gic.gicd).
bool vplic_init(Hypervisor& hv, Error& err);
// At Hypervisor::cpu_init, on the hart being initialised: its S context's
// physical threshold, and (the first time) the physical sources' set-up.
void vplic_cpu_init(Hypervisor& hv, Vcpu& vcpu);

// EmulHandler of the vPLIC region.
bool vplic_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value);

// Raises virtual source `id` of `vm` (an IPC notification, the virtual
// UART): pending, and every hart whose context now has work gets VSEIP.
void vplic_raise(Hypervisor& hv, Vm& vm, std::uint32_t id);
// Withdraws it while not yet claimed (a level line that dropped).
void vplic_lower(Hypervisor& hv, Vm& vm, std::uint32_t id);

// The source the S context of `vm`'s virtual hart `vhart` would be given by
// a claim now (0: none), as the PLIC decides: the highest priority above the
// threshold among enabled, pending, unclaimed sources, lowest ID on ties.
std::uint32_t vplic_best(const Vm& vm, std::uint32_t vhart);

// Recomputes hvip.VSEIP of `vcpu` (on the current hart) from its context.
void vplic_sync_line(Hypervisor& hv, Vcpu& vcpu);

// Raises VSSIP on `vcpu`: at once on the current hart, else by hv's IPI.
void send_vssip(Hypervisor& hv, Vcpu& vcpu);

} // namespace hv::riscv64
