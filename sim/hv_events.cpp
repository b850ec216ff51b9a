#include "sim/hv_events.h"

#include "hv/abi/hypercall.h"

#include <string>

namespace sim {
namespace {

struct Route {
    LogSource source;
    LogLevel level;
};

// Each kind's logger and level; indexed by hv::EventKind.
constexpr Route kRoutes[] = {
    {LogSource::config, spdlog::level::info}, // ConfigValid
    {LogSource::config, spdlog::level::info}, // ConfigRefused
    {LogSource::hv, spdlog::level::info},     // VmBoot
    {LogSource::hv, spdlog::level::info},     // VmStop
    {LogSource::hv, spdlog::level::info},     // Recolor
    {LogSource::hv, spdlog::level::trace},    // Trap
    {LogSource::hv, spdlog::level::debug},    // FirmwareCall
    {LogSource::hv, spdlog::level::debug},    // Hypercall
    {LogSource::vgic, spdlog::level::debug},  // Inject
    {LogSource::vgic, spdlog::level::trace},  // Irq
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

const char* irq_outcome(Isa isa, uint64_t o) {
    constexpr const char* armv8[] = {"spurious", "injected", "ipi", "maintenance", "unowned"};
    constexpr const char* riscv64[] = {"spurious", "injected", "ipi", "timer", "unowned"};
    return o < 5 ? (isa == Isa::riscv64 ? riscv64[o] : armv8[o]) : "?";
}

const char* trap_class(Isa isa, uint64_t c) {
    if (isa == Isa::riscv64) {
        switch (c) {
        case 10:
            return "ecall";
        case 20:
            return "insn-guest-page-fault";
        case 21:
            return "load-guest-page-fault";
        case 22:
            return "virtual-insn";
        case 23:
            return "store-guest-page-fault";
        default:
            return "other";
        }
    }
    switch (c) { // hv/arch/armv8/syndrome.h's Ec
    case 0x01:
        return "wfx";
    case 0x16:
        return "hvc";
    case 0x17:
        return "smc";
    case 0x18:
        return "sysreg";
    case 0x20:
        return "iabt";
    case 0x24:
        return "dabt";
    default:
        return "other";
    }
}

const char* psci_name(uint64_t fid) {
    switch (fid) { // hv/arch/armv8/psci.h
    case 0x8400'0000:
        return "VERSION";
    case 0x8400'0001:
    case 0xc400'0001:
        return "CPU_SUSPEND";
    case 0x8400'0002:
        return "CPU_OFF";
    case 0x8400'0003:
    case 0xc400'0003:
        return "CPU_ON";
    case 0x8400'0004:
    case 0xc400'0004:
        return "AFFINITY_INFO";
    case 0x8400'0006:
        return "MIGRATE_INFO_TYPE";
    case 0x8400'0008:
        return "SYSTEM_OFF";
    case 0x8400'0009:
        return "SYSTEM_RESET";
    case 0x8400'000a:
        return "FEATURES";
    default:
        return "unknown";
    }
}

const char* sbi_extension(uint64_t ext) {
    switch (ext) { // hv/arch/riscv64/sbi.h
    case 0x10:
        return "BASE";
    case 0x5449'4D45:
        return "TIME";
    case 0x73'5049:
        return "IPI";
    case 0x5246'4E43:
        return "RFENCE";
    case 0x48'534D:
        return "HSM";
    case 0x5352'5354:
        return "SRST";
    default:
        return "unknown";
    }
}

const char* hypercall_name(uint64_t id) {
    switch (id) {
    case BAO_HC_ID_IPC:
        return "IPC";
    case BAO_HC_ID_MARK:
        return "MARK";
    case BAO_HC_ID_SAMPLE:
        return "SAMPLE";
    case BAO_HC_ID_PARAM:
        return "PARAM";
    default:
        return "unknown";
    }
}

std::string where_prefix(const hv::Event& e, const HvEventPlace& at) {
    std::string s = "cycle " + std::to_string(at.cycle) + " core " + std::to_string(at.core);
    if (e.vm != hv::kNoVm)
        s += " vm " + std::to_string(e.vm) + " (" + (at.vm_name ? at.vm_name : "?") + ") vcpu " +
             std::to_string(e.vcpu);
    return s;
}

void log_call(spdlog::logger& l, LogLevel level, Isa isa, const std::string& at,
              const hv::Event& e) {
    // A call that did not return (CPU_OFF, SYSTEM_OFF, a suspend): how the vCPU goes on.
    const std::string result =
        e.text ? std::string("-> ") + e.text : "= " + std::to_string(static_cast<int64_t>(e.a[4]));
    if (isa == Isa::riscv64) {
        const uint64_t ext = e.a[0] >> 32, fid = e.a[0] & 0xffff'ffff;
        l.log(level, "{}: SBI {} ({:#x}) fid {} ({:#x}, {:#x}, {:#x}) {}", at, sbi_extension(ext),
              ext, fid, e.a[1], e.a[2], e.a[3], result);
        return;
    }
    l.log(level, "{}: PSCI {} ({:#x}) ({:#x}, {:#x}, {:#x}) {}", at, psci_name(e.a[0]), e.a[0],
          e.a[1], e.a[2], e.a[3], result);
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
    if (!l.should_log(r.level))
        return;
    const std::string at = where_prefix(e, place);
    const char* text = e.text ? e.text : "";
    switch (e.kind) {
    case hv::EventKind::ConfigValid:
        l.log(r.level, "hv accepted the configuration: {} VMs on {} CPUs, {} shared memories",
              e.a[0], e.a[1], e.a[2]);
        break;
    case hv::EventKind::ConfigRefused:
        l.log(r.level, "hv refused the configuration (error code {}): {}", e.a[0], text);
        break;
    case hv::EventKind::VmBoot:
        l.log(r.level, "{}: boots at {:#x} (x0 {:#x}) on core {}", at, e.a[0], e.a[1], e.a[2]);
        break;
    case hv::EventKind::VmStop:
        l.log(r.level, "{}: stopped ({}): {}", at, exit_kind(e.a[0]), text);
        break;
    case hv::EventKind::Recolor:
        l.log(r.level, "{}: image copied into place, {} bytes from staging PA {:#x} (colors {:#x})",
              at, e.a[0], e.a[1], e.a[2]);
        break;
    case hv::EventKind::Trap:
        l.log(r.level,
              "{}: trap {} (class {:#x} syndrome {:#x}) at pc {:#x}, fault address {:#x}: {}", at,
              trap_class(isa, e.a[0]), e.a[0], e.a[1], e.a[2], e.a[3], trap_action(e.a[4]));
        break;
    case hv::EventKind::FirmwareCall:
        log_call(l, r.level, isa, at, e);
        break;
    case hv::EventKind::Hypercall:
        l.log(r.level, "{}: hypercall {} ({:#x}, {:#x}) = {}", at, hypercall_name(e.a[0]), e.a[1],
              e.a[2], static_cast<int64_t>(e.a[4]));
        break;
    case hv::EventKind::Inject:
        l.log(r.level, "{}: virtual IRQ {}{}{}: {}", at, e.a[0], e.a[2] ? " (hw)" : "",
              e.a[0] < 16 && e.a[1] ? " from vcpu " + std::to_string(e.a[1]) : std::string(),
              e.a[3] ? "pending" : "dropped (pending set full)");
        break;
    case hv::EventKind::Irq:
        l.log(r.level, "{}: physical IRQ {}: {}", at, e.a[0], irq_outcome(isa, e.a[1]));
        break;
    }
}

} // namespace sim
