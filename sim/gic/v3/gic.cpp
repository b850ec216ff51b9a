#include "sim/gic/v3/gic.h"

namespace sim::gic::v3 {

namespace {

GicConfig with_affinity_routing(GicConfig c) {
    c.distributor.affinity_routing = true;
    return c;
}

} // namespace

Gic::Gic(const GicConfig& config)
    : GicCommon(with_affinity_routing(config)), distributor_(common_) {
    // The CPU interfaces hold their redistributor by reference: each is
    // allocated once, here.
    redistributors_.reserve(num_cores());
    for (unsigned core = 0; core < num_cores(); ++core) {
        redistributors_.push_back(std::make_unique<Redistributor>(core, common_));
        cpu_.emplace_back(core, common_, *redistributors_.back());
        virtual_.emplace_back(core, common_);
    }
}

uint64_t Gic::distributor_read(unsigned core, uint32_t offset, unsigned size) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return 0;
    }
    return distributor_.read(core, offset, size); // no read has side effects
}

void Gic::distributor_write(unsigned core, uint32_t offset, uint64_t value, unsigned size) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return;
    }
    distributor_.write(core, offset, value, size);
    refresh();
}

uint64_t Gic::redistributor_read(unsigned frame, uint32_t offset, unsigned size) {
    if (!valid_core(frame)) {
        ++diag_.bad_accesses;
        return 0;
    }
    return redistributors_[frame]->read(offset, size);
}

void Gic::redistributor_write(unsigned frame, uint32_t offset, uint64_t value, unsigned size) {
    if (!valid_core(frame)) {
        ++diag_.bad_accesses;
        return;
    }
    redistributors_[frame]->write(offset, value, size);
    refresh();
}

uint64_t Gic::read_register(unsigned core, CpuRegister reg, unsigned index, bool virtual_view) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return 0;
    }
    uint64_t value = 0;
    if (is_control(reg)) {
        value = virtual_[core].read_control(reg, index);
    } else if (virtual_view && reg != CpuRegister::IccSreEl2) {
        value = virtual_[core].read_cpu(reg);
    } else {
        value = cpu_[core].read(reg);
    }
    refresh(); // reading an IAR acknowledges
    return value;
}

void Gic::write_register(unsigned core, CpuRegister reg, uint64_t value, unsigned index,
                         bool virtual_view) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return;
    }
    if (is_control(reg)) {
        virtual_[core].write_control(reg, value, index);
    } else if (virtual_view && reg != CpuRegister::IccSreEl2) {
        virtual_[core].write_cpu(reg, value);
    } else {
        cpu_[core].write(reg, value);
    }
    refresh();
}

const Redistributor& Gic::redistributor(unsigned core) const {
    return *redistributors_[valid_core(core) ? core : 0];
}

Diagnostics Gic::diagnostics() const {
    Diagnostics sum = common_diagnostics();
    sum += distributor_.diagnostics();
    for (const auto& redistributor : redistributors_) {
        sum += redistributor->diagnostics();
    }
    return sum;
}

} // namespace sim::gic::v3
