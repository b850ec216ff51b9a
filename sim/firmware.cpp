#include "sim/firmware.h"
#include "sim/checkpoint.h"

#include "sim/cpu/rv64_syndrome.h"

namespace sim {

cpu::TrapAction NativeFirmware::on_exit(unsigned core, cpu::Exit& exit) {
    switch (exit.kind) {
    case cpu::Exit::Kind::call:
        if (exit.syndrome.cause == cpu::rv64::cause::ecall_s)
            return sbi_call(core);
        return call(core);
    case cpu::Exit::Kind::wait:
        return cpu::TrapAction::idle;
    case cpu::Exit::Kind::system:
        return cpu::TrapAction::resume;
    case cpu::Exit::Kind::data_abort:
    case cpu::Exit::Kind::inst_abort:
        break;
    }
    return cpu::TrapAction::unhandled;
}

cpu::TrapAction NativeFirmware::call(unsigned core) {
    cpu::Core& c = machine_.core(core);
    const uint64_t fid = c.x(0);
    int64_t ret = psci::NOT_SUPPORTED;
    switch (fid) {
    case psci::VERSION:
        ret = 0x10001; // PSCI 1.1
        break;
    case psci::FEATURES: {
        uint64_t q = c.x(1);
        bool known = q == psci::VERSION || q == psci::CPU_OFF || q == psci::CPU_ON ||
                     q == psci::CPU_ON64 || q == psci::AFFINITY_INFO ||
                     q == psci::AFFINITY_INFO64 || q == psci::SYSTEM_OFF || q == psci::FEATURES;
        ret = known ? psci::SUCCESS : psci::NOT_SUPPORTED;
        break;
    }
    case psci::CPU_ON:
    case psci::CPU_ON64:
        ret = cpu_on(core, c.x(1), c.x(2), c.x(3));
        break;
    case psci::AFFINITY_INFO:
    case psci::AFFINITY_INFO64: {
        uint64_t target = c.x(1);
        if (target >= machine_.core_count())
            ret = psci::INVALID_PARAMETERS;
        else
            ret = machine_.state(static_cast<unsigned>(target)) == CoreState::off ? 1 : 0;
        break;
    }
    case psci::CPU_OFF:
        machine_.power_off(core);
        return cpu::TrapAction::stop_core;
    case psci::SYSTEM_OFF:
        machine_.finish(ExitCode::ok, "system_off",
                        "core " + std::to_string(core) + " called PSCI SYSTEM_OFF");
        return cpu::TrapAction::stop_core;
    default:
        if (const auto w0 = static_cast<uint32_t>(fid); hv::hc::is_hypercall(w0))
            ret = hypercall(core, hv::hc::id_of(w0), c.x(1));
    }
    c.set_x(0, static_cast<uint64_t>(ret));
    return cpu::TrapAction::resume;
}

// As hv answers them (hv/core/hypercall.cpp); IPC notify has no peer VM here,
// so natively it is an unknown id.
int64_t NativeFirmware::hypercall(unsigned core, uint32_t id, uint64_t x1) {
    switch (id) {
    case hv::hc::MARK:
        return mark(core, x1) ? hv::hc::E_SUCCESS : -hv::hc::E_INVAL_ARGS;
    case hv::hc::SAMPLE:
        samples_.push_back(x1);
        return hv::hc::E_SUCCESS;
    case hv::hc::PARAM:
        if (x1 < params_.size() && params_[x1] != 0 && params_[x1] <= INT64_MAX)
            return static_cast<int64_t>(params_[x1]);
        return -hv::hc::E_INVAL_ARGS;
    default:
        return -hv::hc::E_INVAL_ID;
    }
}

bool NativeFirmware::mark(unsigned core, uint64_t value) {
    if (value > 1)
        return false;
    marks_.push_back(MarkRecord{core, value == 1, machine_.now(core)});
    // Core 0's marks, or any core's with model.region_cores = vm (natively
    // the measured "VM" is the machine).
    if (core == 0 || machine_.params().region_cores == RegionCores::vm)
        machine_.snapshot_region(core, value == 1);
    return true;
}

void MarkerPage::write(unsigned core, uint64_t offset, unsigned size, uint64_t value) {
    if (offset != 0 || size != 4 || !firmware_.mark(core, value))
        ++ignored_;
}

int64_t NativeFirmware::cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context) {
    // QEMU's PSCI takes the affinity fields only: Aff0 is the core index here.
    if (target >= machine_.core_count())
        return psci::INVALID_PARAMETERS;
    auto t = static_cast<unsigned>(target);
    if (machine_.state(t) != CoreState::off)
        return psci::ALREADY_ON;
    machine_.power_on(t, entry, context, machine_.now(caller));
    return psci::SUCCESS;
}

void MarkerPage::checkpoint(Archive& a) {
    a.value(ignored_);
}

void NativeFirmware::checkpoint(Archive& a) {
    a.tag("firmware");
    a.values(marks_);
    a.values(samples_);
    marker_page_.checkpoint(a);
}

} // namespace sim
