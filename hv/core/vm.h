// A VM: the static partition built from one VmConfig. Created once at init,
// never resized; it only changes state (running, stopped).
#pragma once

#include <cstdint>

#include "hv/arch/arch.h"
#include "hv/core/config.h"
#include "hv/core/pl011.h"
#include "hv/core/vcpu.h"
#include "hv/lib/fixed_vec.h"

namespace hv::inline HV_ARCH_NS {

class Hypervisor;
struct Vm;

enum class VmState : std::uint8_t { Created, Running, Stopped };

enum class ExitKind : std::uint8_t {
    None,           // still running
    PowerOff,       // PSCI SYSTEM_OFF
    Stage2Fault,    // access outside its stage-2 mappings
    UnhandledTrap,  // a trap hv does not emulate
    EmulationFault, // an emulated device access hv could not decode
};
const char* to_string(ExitKind k);

// An IPA range hv emulates (the virtual UART page, the virtual distributor).
// The handler gets the offset in the range; for reads it fills `value`.
// Returns false if the access cannot be emulated (the VM is then stopped).
using EmulHandler = bool (*)(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size,
                             bool is_write, std::uint64_t& value);
struct EmulRegion {
    std::uint64_t ipa = 0;
    std::uint64_t size = 0;
    EmulHandler handler = nullptr;
};
inline constexpr std::size_t kMaxEmulRegions = 4;

// Where the VM's image must be written before Hypervisor::boot().
struct ImageStaging {
    std::uint64_t pa = 0;   // contiguous physical staging area
    std::uint64_t size = 0; // image size rounded up to whole pages
    bool copy = false;      // hv copies (recolors) it into the VM's pages at boot
    bool release = false;   // the staging pages return to the pool after the copy
};

// State of the virtual PL011 each VM sees (docs/design.md#console).
struct VUart {
    // Output is assembled into lines per physical CPU (the target's line
    // buffers, the simulator's console), so each CPU's line has its own state.
    std::uint64_t mid_line = 0;       // bit n: CPU n's line has its prefix already
    std::uint32_t column[kMaxCpus]{}; // characters after the prefix, per CPU
    // The registers; CR = UARTEN | TXE | RXE, as after reset by firmware.
    pl011::State regs = [] {
        pl011::State r;
        r.cr = 0x301;
        return r;
    }();
    bool irq_level = false;   // the interrupt line as last signalled
    std::uint64_t raised = 0; // virtual interrupts raised (rising line, or still high at EOI)
};

inline constexpr std::size_t kExitReasonLen = 256;

struct Vm {
    std::uint32_t id = 0;
    const VmConfig* cfg = nullptr; // into the hypervisor's copy of the Config
    VmState state = VmState::Created;
    std::uint16_t vmid = 0;
    arch::Stage2 stage2;
    std::uint64_t cpus = 0; // physical CPU mask
    std::uint32_t num_vcpus = 0;
    std::uint32_t vcpu_cpu[kMaxCpus]{}; // virtual CPU id -> physical CPU
    ImageStaging staging;
    std::uint64_t recolor_bytes = 0; // bytes copied into colored pages at boot
    FixedVec<EmulRegion, kMaxEmulRegions> emul;
    VUart vuart;
    ExitKind exit_kind = ExitKind::None;
    char exit_reason[kExitReasonLen]{};
    // Virtual interrupts ever raised by peers' IPC notifications (sticky; the
    // vGIC injects each one when it is raised).
    std::uint64_t virq_pending[(kMaxIntId + 63) / 64]{};
    std::uint64_t ipc_notifications = 0; // notifications received
    std::uint64_t marker_ignored = 0;    // marker-page accesses that were not a mark
    arch::VirqDistributor vgicd;         // its virtual distributor (hv/arch/arch.h)

    const char* name() const { return cfg->name; }
    std::uint32_t stage2_table_pages() const { return stage2.table_pages(); }
    std::uint64_t stage2_base() const { return arch::stage2_base(stage2.root(), vmid); }
    bool virq_is_pending(std::uint32_t irq) const {
        return irq < kMaxIntId && ((virq_pending[irq / 64] >> (irq % 64)) & 1u) != 0;
    }
};

} // namespace hv::inline HV_ARCH_NS
