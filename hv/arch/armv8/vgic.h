// hv's virtual GIC (GICv2 with the virtualization extension, or GICv3), as
// Bao does it:
// every physical interrupt traps to hv, which acknowledges it at the physical
// CPU interface and injects it into the owning vCPU through a list register,
// hardware-linked for pass-through interrupts so that the guest's EOI
// deactivates the physical one. Guest accesses to its distributor page (the
// platform's GICD IPA, left unmapped in stage 2) trap and are emulated against
// the VM's virtual distributor, with ownership checks. The guest's CPU
// interface is the GICV frame, which the platform maps at the VM's GICC IPA;
// on GICv3 it is the ICC_* system registers, which the hardware turns into
// the virtual interface (ICV_*) while HCR_EL2.IMO is set, except
// ICC_SGI1R_EL1, which traps to hv. A GICv3 VM's redistributors (one per
// vCPU, at its virtual affinity) trap and are emulated too (vgicr.cpp).
//
// The logic here (vgic.cpp: IRQ entry, injection, the pending set and
// list-register allocation; vgicd.cpp: the virtual distributor) is common to
// GIC versions; it drives the physical GIC through an interface
// (vgic_internal.h's Gic): GICv2's is vgic_v2.h, GICv3's vgic_v3.h.
//
// Physical set-up (GICC_CTLR.EOImode = 1: hv drops the priority with EOIR,
// the guest's EOI of a hardware-linked list register deactivates):
//   cpu_init      GICC enabled with EOImode, PMR = 0xFF, GICH_HCR.En, list
//                 registers cleared, hv's SGI and the maintenance PPI enabled;
//                 the first cpu_init enables GICD and routes each VM's
//                 pass-through SPIs to the CPU of its vCPU 0 (disabled until
//                 the guest enables them in its virtual distributor).
#pragma once

#include <cstdint>

#include "hv/arch/armv8/vgic_state.h"
#include "hv/arch/ns.h"
#include "hv/core/error.h"

namespace hv::armv8 {

// The physical SGI hv sends between CPUs (Port::send_ipi): "flush your vCPU's
// pending set into your list registers".
inline constexpr std::uint32_t kHvIpiSgi = 0;
// Priority of hv's own physical interrupts (its SGI, the maintenance PPI).
inline constexpr std::uint8_t kHvIrqPriority = 0x00;

enum class IrqOutcome : std::uint8_t {
    Spurious,    // IAR read 1023 (or another special ID): nothing done
    Injected,    // a VM's interrupt went to its vCPU (list register or pending set)
    Ipi,         // hv's SGI: this CPU's vCPU pending set flushed
    Maintenance, // list registers refilled
    Unowned,     // no running VM owns it: EOIR + DIR, disabled, counted
};
const char* to_string(IrqOutcome o);

// The IRQ entry: what the target's EL2 IRQ vector and the simulator call when
// the physical CPU interface of the current CPU (Port::cpu_id()) signals IRQ.
// Handles one interrupt (read GICC_IAR once); the caller re-enters while the
// IRQ line stays asserted. The guest's registers are not touched.
IrqOutcome handle_irq(Hypervisor& hv);

// At Hypervisor::init, after the VMs exist: ownership, default priorities and
// targets, state PAs in hv's memory, the distributor's EmulRegion.
bool vgic_init(Hypervisor& hv, Error& err);
// At Hypervisor::cpu_init, on the CPU being initialised.
void vgic_cpu_init(Hypervisor& hv, Vcpu& vcpu);

// EmulHandler of the virtual distributor page.
bool vgicd_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value);

// GICv3: EmulHandler of the VM's redistributor region (vgicr.cpp), and a
// guest's write of ICC_SGI1R_EL1 (trapped, EC 0x18): SGIs to the VM's own
// vCPUs by virtual affinity; targets outside the VM are ignored (counted).
bool vgicr_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value);
void vgic_sgi1r(Hypervisor& hv, Vm& vm, Vcpu& vcpu, std::uint64_t value);

// Raises virtual interrupt `id` in `vm` (an IPC notification): an SPI goes to
// its virtual target (vCPU 0 by default), a private one to vCPU 0. A vCPU on
// another physical CPU gets it through hv's SGI.
void vgic_raise(Hypervisor& hv, Vm& vm, std::uint32_t id);

// Withdraws virtual interrupt `id` of `vm` not yet taken (a level device
// interrupt that dropped, e.g. the virtual UART's): out of every vCPU's
// pending set and of the current CPU's list registers where it is only
// pending (as a write to GICD_ICPENDR would).
void vgic_lower(Hypervisor& hv, Vm& vm, std::uint32_t id);

// Queues `id` for `vcpu` and delivers it: into a list register at once when
// `vcpu` runs on the current CPU, else through hv's SGI to its CPU.
void vgic_inject(Hypervisor& hv, Vcpu& vcpu, std::uint32_t id, std::uint32_t src, bool hw);

} // namespace hv::armv8
