// Native mode's firmware on RISC-V: the SBI (v1.0) a guest in S-mode calls
// with ECALL (a7 = extension, a6 = function, a0..a5 = arguments; a0 returns
// the error, a1 the value). Implemented: Base, the legacy console putchar
// and shutdown, TIME (set_timer), sPI (send_ipi), HSM (hart_start, stop,
// get_status), SRST (system_reset) and bao-sim's hypercalls as Bao's SBI
// extension (hv/abi/hypercall.h). Anything else: SBI_ERR_NOT_SUPPORTED.
#include "sim/cpu/rv64_syndrome.h"
#include "sim/firmware.h"

namespace sim {
namespace {

namespace ext {
inline constexpr uint64_t legacy_putchar = 0x01;
inline constexpr uint64_t legacy_shutdown = 0x08;
inline constexpr uint64_t base = 0x10;
inline constexpr uint64_t time = 0x54494d45;
inline constexpr uint64_t ipi = 0x735049;
inline constexpr uint64_t hsm = 0x48534d;
inline constexpr uint64_t srst = 0x53525354;
inline constexpr uint64_t bao = BAO_HC_SBI_EXTID;
} // namespace ext

inline constexpr int64_t sbi_success = 0;
inline constexpr int64_t sbi_err_not_supported = -2;
inline constexpr int64_t sbi_err_invalid_param = -3;
inline constexpr int64_t sbi_err_already_available = -6;

inline constexpr uint64_t hsm_started = 0, hsm_stopped = 1;
inline constexpr uint64_t sbi_spec_v1_0 = 1ull << 24;
inline constexpr uint64_t impl_id = 0xba0; // not a registered implementation id: bao-sim's own

bool known_extension(uint64_t id) {
    return id == ext::legacy_putchar || id == ext::legacy_shutdown || id == ext::base ||
           id == ext::time || id == ext::ipi || id == ext::hsm || id == ext::srst || id == ext::bao;
}

} // namespace

cpu::TrapAction NativeFirmware::sbi_call(unsigned core) {
    cpu::Core& c = machine_.core(core);
    const uint64_t eid = c.x(17), fid = c.x(16), a0 = c.x(10), a1 = c.x(11);
    SbiResult r{sbi_err_not_supported, 0};
    switch (eid) {
    case ext::legacy_putchar: // legacy calls return in a0 only
        machine_.console().putc_from_core(core, static_cast<char>(a0));
        c.set_x(10, 0);
        return cpu::TrapAction::resume;
    case ext::legacy_shutdown:
        machine_.finish(ExitCode::ok, "system_off",
                        "hart " + std::to_string(core) + " called SBI legacy shutdown");
        return cpu::TrapAction::stop_core;
    case ext::base:
        switch (fid) {
        case 0:
            r = {sbi_success, sbi_spec_v1_0};
            break;
        case 1:
            r = {sbi_success, impl_id};
            break;
        case 2:
            r = {sbi_success, 1};
            break;
        case 3:
            r = {sbi_success, known_extension(a0) ? 1u : 0u};
            break;
        case 4: // mvendorid, marchid, mimpid
        case 5:
        case 6:
            r = {sbi_success, 0};
            break;
        default:
            break;
        }
        break;
    case ext::time:
        if (fid == 0) {
            machine_.write_sysreg(c, cpu::rv64::csr::stimecmp, a0);
            r = {sbi_success, 0};
        }
        break;
    case ext::ipi:
        if (fid == 0)
            r = sbi_ipi(core, a0, a1);
        break;
    case ext::hsm:
        r = sbi_hsm(core, fid);
        if (fid == 1 && r.error == sbi_success)
            return cpu::TrapAction::stop_core;
        break;
    case ext::srst:
        if (fid == 0 && a0 <= 2) {
            machine_.finish(ExitCode::ok, "system_off",
                            "hart " + std::to_string(core) + " called SBI system_reset (type " +
                                std::to_string(a0) + ")");
            return cpu::TrapAction::stop_core;
        }
        if (fid == 0)
            r = {sbi_err_invalid_param, 0};
        break;
    case ext::bao: {
        const int64_t ret = hypercall(core, static_cast<uint32_t>(fid), a0);
        r = ret < 0 ? SbiResult{ret, 0} : SbiResult{sbi_success, static_cast<uint64_t>(ret)};
        break;
    }
    default:
        break;
    }
    c.set_x(10, static_cast<uint64_t>(r.error));
    c.set_x(11, r.value);
    return cpu::TrapAction::resume;
}

NativeFirmware::SbiResult NativeFirmware::sbi_ipi(unsigned core, uint64_t mask, uint64_t base) {
    const unsigned harts = machine_.core_count();
    if (base != UINT64_MAX && base >= harts)
        return {sbi_err_invalid_param, 0};
    for (unsigned h = 0; h < harts; ++h) {
        const bool hit =
            base == UINT64_MAX || (h >= base && h - base < 64 && ((mask >> (h - base)) & 1));
        if (hit)
            machine_.interrupts().send_ipi(core, h, 1);
    }
    return {sbi_success, 0};
}

NativeFirmware::SbiResult NativeFirmware::sbi_hsm(unsigned core, uint64_t fid) {
    cpu::Core& c = machine_.core(core);
    const uint64_t hart = c.x(10);
    switch (fid) {
    case 0: { // hart_start(hartid, start_addr, opaque)
        if (hart >= machine_.core_count())
            return {sbi_err_invalid_param, 0};
        const auto t = static_cast<unsigned>(hart);
        if (machine_.state(t) != CoreState::off)
            return {sbi_err_already_available, 0};
        machine_.power_on(t, c.x(11), c.x(12), machine_.now(core));
        return {sbi_success, 0};
    }
    case 1: // hart_stop
        machine_.power_off(core);
        return {sbi_success, 0};
    case 2: // hart_get_status(hartid)
        if (hart >= machine_.core_count())
            return {sbi_err_invalid_param, 0};
        return {sbi_success, machine_.state(static_cast<unsigned>(hart)) == CoreState::off
                                 ? hsm_stopped
                                 : hsm_started};
    default:
        return {sbi_err_not_supported, 0};
    }
}

} // namespace sim
