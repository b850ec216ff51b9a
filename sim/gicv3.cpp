#include "sim/gicv3.h"

#include "sim/cpu/arm64_sysregs.h"
#include "sim/machine.h"

namespace sim {
namespace {

using gic::v3::CpuRegister;

struct RegisterRef {
    CpuRegister reg;
    unsigned index = 0;
};

// The CPU interface's registers by encoding (op0, op1, CRn, CRm, op2).
std::optional<RegisterRef> cpu_register(uint32_t encoding) {
    using R = CpuRegister;
    using cpu::sysreg_encoding;
    if (encoding == sysreg_encoding(3, 0, 4, 6, 0))
        return RegisterRef{R::IccPmrEl1};
    if (encoding == sysreg_encoding(3, 4, 12, 9, 5))
        return RegisterRef{R::IccSreEl2};
    const uint32_t op1 = encoding >> 11 & 7, crm = encoding >> 3 & 0xf, op2 = encoding & 7;
    if (encoding >> 14 != 3 || (encoding >> 7 & 0xf) != 12)
        return std::nullopt;
    if (op1 == 0) {
        static constexpr std::array<std::array<std::optional<R>, 8>, 5> el1 = {{
            {R::IccIar0El1, R::IccEoir0El1, R::IccHppir0El1, R::IccBpr0El1, R::IccAp0r0El1,
             std::nullopt, std::nullopt, std::nullopt}, // CRm 8
            {R::IccAp1r0El1, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
             std::nullopt, std::nullopt}, // CRm 9
            {},                           // CRm 10
            {std::nullopt, R::IccDirEl1, std::nullopt, R::IccRprEl1, std::nullopt, R::IccSgi1rEl1,
             R::IccAsgi1rEl1, R::IccSgi0rEl1}, // CRm 11
            {R::IccIar1El1, R::IccEoir1El1, R::IccHppir1El1, R::IccBpr1El1, R::IccCtlrEl1,
             R::IccSreEl1, R::IccIgrpen0El1, R::IccIgrpen1El1}, // CRm 12
        }};
        if (crm >= 8 && crm <= 12 && el1[crm - 8][op2])
            return RegisterRef{*el1[crm - 8][op2]};
        return std::nullopt;
    }
    if (op1 != 4)
        return std::nullopt;
    if (crm == 8 && op2 == 0)
        return RegisterRef{R::IchAp0r0El2};
    if (crm == 9 && op2 == 0)
        return RegisterRef{R::IchAp1r0El2};
    if (crm == 11) {
        static constexpr std::array<std::optional<R>, 8> ich = {
            R::IchHcrEl2, R::IchVtrEl2,   R::IchMisrEl2, R::IchEisrEl2,
            std::nullopt, R::IchElrsrEl2, std::nullopt,  R::IchVmcrEl2};
        if (ich[op2])
            return RegisterRef{*ich[op2]};
        return std::nullopt;
    }
    if (crm == 12 || crm == 13)
        return RegisterRef{R::IchLrEl2, (crm - 12) * 8 + op2};
    return std::nullopt;
}

} // namespace

// GICD seen through the MMIO interface (accesses carry the core).
class GicV3::DistributorFrame : public MmioDevice {
  public:
    DistributorFrame(Machine& m, gic::v3::Gic& gic) : machine_(m), gic_(gic) {}
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        return gic_.distributor_read(core, static_cast<uint32_t>(offset), size);
    }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        gic_.distributor_write(core, static_cast<uint32_t>(offset), value, size);
    }

  private:
    Machine& machine_;
    gic::v3::Gic& gic_;
};

// Every core's redistributor frame pair, one after another.
class GicV3::RedistributorFrames : public MmioDevice {
  public:
    RedistributorFrames(Machine& m, gic::v3::Gic& gic) : machine_(m), gic_(gic) {}
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        return gic_.redistributor_read(frame(offset), within(offset), size);
    }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        gic_.redistributor_write(frame(offset), within(offset), value, size);
    }

  private:
    static unsigned frame(uint64_t offset) {
        return static_cast<unsigned>(offset / gic::v3::kRedistributorStride);
    }
    static uint32_t within(uint64_t offset) {
        return static_cast<uint32_t>(offset % gic::v3::kRedistributorStride);
    }
    Machine& machine_;
    gic::v3::Gic& gic_;
};

GicV3::GicV3(Machine& machine)
    : GicController(gic_config(machine.params(), true)), machine_(machine),
      gicd_(std::make_unique<DistributorFrame>(machine, gic_)),
      gicr_(std::make_unique<RedistributorFrames>(machine, gic_)) {}

GicV3::~GicV3() = default;

MmioDevice& GicV3::distributor_frame() {
    return *gicd_;
}

MmioDevice& GicV3::redistributor_frames() {
    return *gicr_;
}

void GicV3::add_frames(Bus& bus, const gic::v3::AddressMap& at) {
    bus.add({"the GICv3 distributor", at.gicd, gic::v3::kDistributorFrameSize, gicd_.get(), false});
    bus.add({"the GICv3 redistributors", at.gicr,
             uint64_t{gic::v3::kRedistributorStride} * gic_.num_cores(), gicr_.get(), false});
}

// As ICC_SGI1R_EL1 naming `to` (Aff0 = to: RS selects its group of 16), written by `from`.
void GicV3::send_ipi(unsigned from, unsigned to, uint32_t id) {
    const uint64_t sgi1r = (uint64_t{1} << (to % 16)) |
                           uint64_t{id & 0xf} << gic::v3::icc::kSgiIntIdShift |
                           uint64_t{to / 16} << gic::v3::icc::kSgiRsShift;
    gic_.write_register(from, CpuRegister::IccSgi1rEl1, sgi1r, 0, false);
}

std::optional<uint64_t> GicV3::read_sysreg(unsigned core, uint32_t encoding, uint64_t now_cycles,
                                           bool hypervisor_owns_irq) {
    if (auto value = read_timer(core, encoding, now_cycles))
        return value;
    if (!cpu::gic_cpu_interface_register(encoding))
        return std::nullopt;
    machine_.charge(core, machine_.params().gic_reg_cycles);
    const auto ref = cpu_register(encoding);
    if (!ref)
        return 0; // an unimplemented one (AP0R1-3, ICC_*_EL3): RAZ
    return gic_.read_register(core, ref->reg, ref->index, hypervisor_owns_irq);
}

InterruptController::TimerWrite GicV3::write_sysreg(unsigned core, uint32_t encoding,
                                                    uint64_t value, uint64_t now_cycles,
                                                    bool hypervisor_owns_irq) {
    const TimerWrite timer = write_timer(core, encoding, value, now_cycles);
    if (timer != TimerWrite::not_a_timer)
        return timer;
    if (!cpu::gic_cpu_interface_register(encoding))
        return TimerWrite::not_a_timer;
    machine_.charge(core, machine_.params().gic_reg_cycles);
    if (const auto ref = cpu_register(encoding))
        gic_.write_register(core, ref->reg, value, ref->index, hypervisor_owns_irq);
    return TimerWrite::handled;
}

std::optional<uint64_t> GicV3::read_cpu_register(unsigned core, uint32_t encoding) {
    const auto ref = cpu_register(encoding);
    if (!ref)
        return std::nullopt;
    return gic_.read_register(core, ref->reg, ref->index, false);
}

bool GicV3::write_cpu_register(unsigned core, uint32_t encoding, uint64_t value) {
    const auto ref = cpu_register(encoding);
    if (!ref)
        return false;
    gic_.write_register(core, ref->reg, value, ref->index, false);
    return true;
}

GicV3* gicv3_of(Machine& machine) {
    return dynamic_cast<GicV3*>(&machine.interrupts());
}

} // namespace sim
