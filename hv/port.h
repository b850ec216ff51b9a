// The hardware port: everything hv asks of the machine it runs on.
//
// hv is compiled into the simulator (sim/hv_host.* implements this class over
// its modelled machine) and into the real AArch64 image (hv/arch/armv8/target
// implements it with system-register instructions and loads/stores); the fuzz
// target and the unit tests have ports of their own (fuzz/fuzz_port.*,
// tests/hv/fake_port.h). Every entry is one more thing each of them must
// implement, so the list is short and named in the hardware's words. What
// only one architecture has (system registers, TLB and cache maintenance) is
// that architecture's extension of this class (Armv8-A:
// hv/arch/armv8/port_armv8.h).
//
// Conventions:
// - "pa" is a physical address. hv never dereferences a PA itself; all access
//   to physical memory (page tables, image recoloring) goes through the port,
//   so the simulator can back it with its page-granular PA-to-host table.
// - Calls are made on the physical CPU returned by cpu_id(): hv's entry points
//   (cpu_init, handle_trap) act on "the current CPU", exactly as on hardware.
// - The class has no virtual destructor on purpose: hv never deletes a port,
//   and a virtual destructor would make the freestanding build reference
//   operator delete.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv {

// The two ends of a guest's measured region (docs/design.md#measured-region).
enum class Mark : std::uint8_t { Start = 0, End = 1 };

// What hv reports to a port that logs (the simulator's loggers,
// docs/observability.md): one record of numbers per event, formatted by the
// port, so hv needs no formatting library and no heap. `a` per kind:
enum class EventKind : std::uint8_t {
    ConfigValid,   // init succeeded: a = {VMs, CPUs, shared memories}
    ConfigRefused, // init failed: a = {ErrorCode}; text = hv's message
    VmBoot,        // a VM's vCPU 0 starts: a = {entry, x0, CPU}; text = the VM's name
    VmStop,        // a VM stopped: a = {ExitKind}; text = its exit reason
    Recolor,       // a VM's image copied to its colors: a = {bytes, from PA, colors}
    Trap, // a trap handled: a = {class (EC / scause), ISS / stval, PC, fault IPA, TrapAction}
    FirmwareCall, // PSCI (Armv8) or SBI (RISC-V, a0 = ext << 32 | fid): a = {function, x1/a0,
                  // x2/a1, x3/a2, result}; text = null if the call returned, else how
                  // the vCPU goes on (the TrapAction's name, e.g. "vm-stopped")
    Hypercall,    // a Bao hypercall: a = {id, arg 1, arg 2, -, result}
    Inject,       // a virtual interrupt for a vCPU: a = {id, source, hw, accepted (1) or dropped}
    Irq,          // a physical IRQ taken by hv: a = {id, outcome (the arch's IrqOutcome)}
};
inline constexpr std::uint32_t kNoVm = ~0u;

// Events exist in hosted builds only (the simulator, the tests): the target's
// images (-ffreestanding) log nothing, so their event code compiles away.
#if __STDC_HOSTED__
inline constexpr bool kEventsReported = true;
#else
inline constexpr bool kEventsReported = false;
#endif

struct Event {
    EventKind kind;
    std::uint32_t vm = kNoVm;
    std::uint32_t vcpu = 0; // the VM's vCPU index
    std::uint64_t a[5] = {};
    const char* text = nullptr; // a string hv holds anyway (name, reason, message), or null
};

class Port {
  public:
    // Physical CPU executing hv right now.
    virtual std::uint32_t cpu_id() = 0;

    // Physical memory by PA. Ranges never cross into unbacked memory: hv only
    // touches pages of the platform's RAM regions (or an image's load area).
    virtual void mem_read(std::uint64_t pa, void* dst, std::size_t len) = 0;
    virtual void mem_write(std::uint64_t pa, const void* src, std::size_t len) = 0;
    virtual void mem_copy(std::uint64_t dst_pa, std::uint64_t src_pa, std::size_t len) = 0;
    virtual void mem_zero(std::uint64_t pa, std::size_t len) = 0;

    // Cost accounting (docs/design.md#hv-cost): hv reports the physical bytes
    // its hot paths touch (vcpu context, vGIC and distributor state, page-table
    // writes, the recoloring copy). The simulator feeds them to its memory
    // model; the target does nothing.
    virtual void account(std::uint64_t pa, std::size_t len, bool is_write) = 0;

    // Device registers at a PA (today only the GIC's frames; the console goes
    // through console_putc); size is 1, 2, 4 or 8.
    virtual std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) = 0;
    virtual void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) = 0;

    // The two ends of a guest's measured region (docs/design.md#measured-region).
    // Software-generated interrupt to another physical CPU (GIC SGI).
    virtual void send_ipi(std::uint32_t cpu, std::uint32_t sgi) = 0;

    // A guest marked the start or end of its measured region
    // (docs/design.md#measured-region). The simulator records it; the target
    // ignores it (the guest still gets success).
    virtual void mark(std::uint32_t vm, Mark which) = 0;

    // A guest reported one measurement (sample hypercall 0x11), e.g. irqlat's
    // interrupt latency in generic-timer ticks. The simulator records them;
    // the default, which the target keeps, ignores them.
    virtual void sample(std::uint32_t vm, std::uint64_t value) {
        (void)vm;
        (void)value;
    }

    // A run parameter for `vm`'s guest (param hypercall 0x12), e.g. how many
    // samples irqlat takes. The simulator answers from the run's options; the
    // default, which the target keeps, has none.
    virtual bool param(std::uint32_t vm, std::uint64_t index, std::uint64_t& value) {
        (void)vm;
        (void)index;
        (void)value;
        return false;
    }

    // hv's events (docs/observability.md). hv tests wants(kind) before it
    // builds an event, so a port that wants none (the fakes, the simulator
    // with its hv loggers off) costs one bit test per event, and in the
    // target's freestanding build none at all. The default drops them; the
    // simulator formats them into its loggers.
    bool wants(EventKind kind) const {
        return kEventsReported && ((wanted_events_ >> static_cast<unsigned>(kind)) & 1u) != 0;
    }
    virtual void event(const Event& e) { (void)e; }

    // One character to the physical console (hv owns the PL011, docs/design.md#console).
    virtual void console_putc(char c) = 0;

    // vCPU life cycle. The vCPU pinned to `cpu` was powered on (boot of a
    // VM's first vCPU, or PSCI CPU_ON): its registers come from
    // Hypervisor::vcpu_on_cpu(cpu)->boot. On the target the first one is a
    // PSCI CPU_ON to the firmware; later ones wake the parked CPU.
    virtual void cpu_on(std::uint32_t cpu) = 0;
    // The vCPU on `cpu` must stop running (PSCI CPU_OFF, or its VM stopped).
    // `cpu` may be another CPU than the current one.
    virtual void cpu_stop(std::uint32_t cpu) = 0;
    // The current CPU has nothing to do until an interrupt (guest WFI or PSCI
    // CPU_SUSPEND). The target does nothing here: its trap exit waits in WFI.
    virtual void cpu_idle() = 0;
    // A VM stopped; its exit reason is in Hypervisor::vm(vm).exit_reason.
    virtual void vm_stopped(std::uint32_t vm) = 0;
    // Every VM has stopped: end the machine (PSCI SYSTEM_OFF on the target).
    virtual void power_off() = 0;

  protected:
    // The kinds of event() this port logs, one bit per EventKind.
    void want_events(std::uint32_t kinds) { wanted_events_ = kinds; }

    Port() = default;
    ~Port() = default;
    Port(const Port&) = default;
    Port& operator=(const Port&) = default;

  private:
    std::uint32_t wanted_events_ = 0;
};

} // namespace hv
