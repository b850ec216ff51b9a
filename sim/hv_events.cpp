#include "sim/hv_events.h"

#include "hv/abi/hypercall.h"

#include <spdlog/logger.h>

#include <array>
#include <span>
#include <string>

namespace sim {
namespace {

struct Route {
    LogSource source;
    LogLevel level;
};

// Each kind's logger and level; indexed by hv::EventKind.
constexpr Route kRoutes[] = {
    {LogSource::config, LogLevel::info}, // ConfigValid
    {LogSource::config, LogLevel::info}, // ConfigRefused
    {LogSource::hv, LogLevel::info},     // VmBoot
    {LogSource::hv, LogLevel::info},     // VmStop
    {LogSource::hv, LogLevel::info},     // Recolor
    {LogSource::hv, LogLevel::trace},    // Trap
    {LogSource::hv, LogLevel::debug},    // FirmwareCall
    {LogSource::hv, LogLevel::debug},    // Hypercall
    {LogSource::vgic, LogLevel::debug},  // Inject
    {LogSource::vgic, LogLevel::trace},  // Irq
};
constexpr unsigned kKinds = sizeof kRoutes / sizeof kRoutes[0];
static_assert(kKinds == static_cast<unsigned>(hv::EventKind::Irq) + 1,
              "one route per hv::EventKind");

const Route& route(hv::EventKind k) {
    return kRoutes[static_cast<unsigned>(k)];
}

// hv's enums by value (the same in every architecture's build of hv/core).
const char* trap_action(uint64_t a) {
    constexpr const char* names[] = {"resume", "idle", "vcpu-off", "vm-stopped", "no-vcpu"};
    return a < 5 ? names[a] : "?";
}

const char* exit_kind(uint64_t k) {
    constexpr const char* names[] = {"running", "power-off", "stage2-fault", "unhandled-trap",
                                     "emulation-fault"};
    return k < 5 ? names[k] : "?";
}

// A value's name in one of the tables below.
struct Named {
    uint64_t value;
    const char* name;
};

const char* name_in(std::span<const Named> table, uint64_t v, const char* otherwise) {
    for (const Named& n : table)
        if (n.value == v)
            return n.name;
    return otherwise;
}

// hv/arch/armv8/syndrome.h's Ec; hv/arch/armv8/psci.h's function IDs.
constexpr Named kArmTrapClasses[] = {{0x01, "wfx"},    {0x16, "hvc"},  {0x17, "smc"},
                                     {0x18, "sysreg"}, {0x20, "iabt"}, {0x24, "dabt"}};
constexpr Named kPsciFunctions[] = {{0x8400'0000, "VERSION"},
                                    {0x8400'0001, "CPU_SUSPEND"},
                                    {0xc400'0001, "CPU_SUSPEND"},
                                    {0x8400'0002, "CPU_OFF"},
                                    {0x8400'0003, "CPU_ON"},
                                    {0xc400'0003, "CPU_ON"},
                                    {0x8400'0004, "AFFINITY_INFO"},
                                    {0xc400'0004, "AFFINITY_INFO"},
                                    {0x8400'0006, "MIGRATE_INFO_TYPE"},
                                    {0x8400'0008, "SYSTEM_OFF"},
                                    {0x8400'0009, "SYSTEM_RESET"},
                                    {0x8400'000a, "FEATURES"}};
// scause's exceptions hv takes; hv/arch/riscv64/sbi.h's extension IDs.
constexpr Named kRiscvTrapClasses[] = {{10, "ecall"},
                                       {20, "insn-guest-page-fault"},
                                       {21, "load-guest-page-fault"},
                                       {22, "virtual-insn"},
                                       {23, "store-guest-page-fault"}};
constexpr Named kSbiExtensions[] = {{0x10, "BASE"},     {0x5449'4D45, "TIME"},
                                    {0x73'5049, "IPI"}, {0x5246'4E43, "RFENCE"},
                                    {0x48'534D, "HSM"}, {0x5352'5354, "SRST"}};
constexpr Named kHypercalls[] = {{BAO_HC_ID_IPC, "IPC"},
                                 {BAO_HC_ID_MARK, "MARK"},
                                 {BAO_HC_ID_SAMPLE, "SAMPLE"},
                                 {BAO_HC_ID_PARAM, "PARAM"}};

// What an architecture's events say in its own words: its trap classes, its
// IRQ outcomes (by hv's value), and the firmware interface hv answers for
// it, whose call IDs hold a function ID in their low `fid_bits` (SBI: the
// extension in a7, the function in a6) or none (PSCI).
struct IsaWords {
    std::span<const Named> trap_classes;
    std::array<const char*, 5> irq_outcomes;
    const char* firmware;
    std::span<const Named> calls;
    unsigned fid_bits;
};

constexpr IsaWords kArmv8Words{kArmTrapClasses,
                               {"spurious", "injected", "ipi", "maintenance", "unowned"},
                               "PSCI",
                               kPsciFunctions,
                               0};
constexpr IsaWords kRiscv64Words{kRiscvTrapClasses,
                                 {"spurious", "injected", "ipi", "timer", "unowned"},
                                 "SBI",
                                 kSbiExtensions,
                                 32};

const IsaWords& words(Isa isa) {
    return isa == Isa::riscv64 ? kRiscv64Words : kArmv8Words;
}

const char* irq_outcome(const IsaWords& w, uint64_t o) {
    return o < w.irq_outcomes.size() ? w.irq_outcomes[o] : "?";
}

std::string where_prefix(const hv::Event& e, const HvEventPlace& at) {
    std::string s = "cycle " + std::to_string(at.cycle) + " core " + std::to_string(at.core);
    if (e.vm != hv::kNoVm)
        s += " vm " + std::to_string(e.vm) + " (" + (at.vm_name ? at.vm_name : "?") + ") vcpu " +
             std::to_string(e.vcpu);
    return s;
}

// A firmware call: "PSCI CPU_ON (0xc4000003) (...)", "SBI HSM (0x48534d) fid 0 (...)".
void log_call(spdlog::logger& l, spdlog::level::level_enum level, const IsaWords& w,
              const std::string& at, const hv::Event& e) {
    // A call that did not return (CPU_OFF, SYSTEM_OFF, a suspend): how the vCPU goes on.
    const std::string result =
        e.text ? std::string("-> ") + e.text : "= " + std::to_string(static_cast<int64_t>(e.a[4]));
    const uint64_t id = w.fid_bits ? e.a[0] >> w.fid_bits : e.a[0];
    const std::string fid =
        w.fid_bits ? " fid " + std::to_string(e.a[0] & ((1ull << w.fid_bits) - 1)) : std::string();
    l.log(level, "{}: {} {} ({:#x}){} ({:#x}, {:#x}, {:#x}) {}", at, w.firmware,
          name_in(w.calls, id, "unknown"), id, fid, e.a[1], e.a[2], e.a[3], result);
}

} // namespace

uint32_t hv_events_wanted(const Loggers& log) {
    uint32_t mask = 0;
    for (unsigned k = 0; k < kKinds; ++k)
        if (log.enabled(kRoutes[k].source, kRoutes[k].level))
            mask |= 1u << k;
    return mask;
}

void log_hv_event(const Loggers& log, Isa isa, const hv::Event& e, const HvEventPlace& place) {
    const Route& r = route(e.kind);
    spdlog::logger& l = log.get(r.source);
    if (!log.enabled(r.source, r.level))
        return;
    const auto level = static_cast<spdlog::level::level_enum>(r.level);
    const std::string at = where_prefix(e, place);
    const IsaWords& w = words(isa);
    const char* text = e.text ? e.text : "";
    switch (e.kind) {
    case hv::EventKind::ConfigValid:
        l.log(level, "hv accepted the configuration: {} VMs on {} CPUs, {} shared memories", e.a[0],
              e.a[1], e.a[2]);
        break;
    case hv::EventKind::ConfigRefused:
        l.log(level, "hv refused the configuration (error code {}): {}", e.a[0], text);
        break;
    case hv::EventKind::VmBoot:
        l.log(level, "{}: boots at {:#x} (x0 {:#x}) on core {}", at, e.a[0], e.a[1], e.a[2]);
        break;
    case hv::EventKind::VmStop:
        l.log(level, "{}: stopped ({}): {}", at, exit_kind(e.a[0]), text);
        break;
    case hv::EventKind::Recolor:
        l.log(level, "{}: image copied into place, {} bytes from staging PA {:#x} (colors {:#x})",
              at, e.a[0], e.a[1], e.a[2]);
        break;
    case hv::EventKind::Trap:
        l.log(level,
              "{}: trap {} (class {:#x} syndrome {:#x}) at pc {:#x}, fault address {:#x}: {}", at,
              name_in(w.trap_classes, e.a[0], "other"), e.a[0], e.a[1], e.a[2], e.a[3],
              trap_action(e.a[4]));
        break;
    case hv::EventKind::FirmwareCall:
        log_call(l, level, w, at, e);
        break;
    case hv::EventKind::Hypercall:
        l.log(level, "{}: hypercall {} ({:#x}, {:#x}) = {}", at,
              name_in(kHypercalls, e.a[0], "unknown"), e.a[1], e.a[2],
              static_cast<int64_t>(e.a[4]));
        break;
    case hv::EventKind::Inject:
        l.log(level, "{}: virtual IRQ {}{}{}: {}", at, e.a[0], e.a[2] ? " (hw)" : "",
              e.a[0] < 16 && e.a[1] ? " from vcpu " + std::to_string(e.a[1]) : std::string(),
              e.a[3] ? "pending" : "dropped (pending set full)");
        break;
    case hv::EventKind::Irq:
        l.log(level, "{}: physical IRQ {}: {}", at, e.a[0], irq_outcome(w, e.a[1]));
        break;
    }
}

} // namespace sim
