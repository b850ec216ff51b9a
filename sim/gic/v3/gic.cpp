#include "sim/gic/v3/gic.h"

namespace sim::gic::v3 {

namespace {

DistributorConfig with_affinity_routing(DistributorConfig c) {
    c.affinity_routing = true;
    return c;
}

} // namespace

Gic::Gic(const GicConfig& config)
    : common_(with_affinity_routing(config.distributor)), distributor_(common_),
      timer_(common_.config().num_cores, config.timer, &common_) {
    // Sized once here (the CPU interfaces hold their redistributor by
    // reference); the register access path never allocates.
    redistributors_.reserve(num_cores());
    cpu_.reserve(num_cores());
    virtual_.reserve(num_cores());
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

void Gic::set_level(uint32_t intid, bool level) {
    common_.set_level(intid, level);
    refresh();
}

void Gic::set_ppi_level(unsigned core, uint32_t intid, bool level) {
    common_.set_ppi_level(core, intid, level);
    refresh();
}

uint64_t Gic::timer_read(unsigned core, TimerRegister reg, uint64_t now_cycles) {
    const bool changed = valid_core(core) && timer_.update(core, now_cycles);
    const uint64_t value = timer_.read(core, reg, now_cycles);
    if (changed) {
        refresh();
    }
    return value;
}

void Gic::timer_write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles) {
    timer_.write(core, reg, value, now_cycles);
    refresh();
}

void Gic::update_timers(unsigned core, uint64_t now_cycles) {
    if (timer_.update(core, now_cycles)) {
        refresh();
    }
}

bool Gic::maintenance(unsigned core) const {
    return valid_core(core) && virtual_[core].maintenance();
}

const Redistributor& Gic::redistributor(unsigned core) const {
    return *redistributors_[valid_core(core) ? core : 0];
}

const CpuInterface& Gic::cpu_interface(unsigned core) const {
    return cpu_[valid_core(core) ? core : 0];
}

const VirtualInterface& Gic::virtual_interface(unsigned core) const {
    return virtual_[valid_core(core) ? core : 0];
}

Diagnostics Gic::diagnostics() const {
    Diagnostics sum = diag_;
    sum += common_.diagnostics();
    sum += distributor_.diagnostics();
    sum += timer_.diagnostics();
    for (unsigned core = 0; core < num_cores(); ++core) {
        sum += redistributors_[core]->diagnostics();
        sum += cpu_[core].diagnostics();
        sum += virtual_[core].diagnostics();
    }
    return sum;
}

void Gic::refresh() {
    // A listener may call back into the GIC; the outer call then loops instead
    // of recursing.
    if (refreshing_) {
        refresh_again_ = true;
        return;
    }
    refreshing_ = true;
    do {
        refresh_again_ = false;
        // Maintenance first: it is an input to the physical IRQ line.
        for (unsigned core = 0; core < num_cores(); ++core) {
            common_.set_ppi_level(core, kMaintenancePpi, virtual_[core].maintenance());
        }
        for (unsigned core = 0; core < num_cores(); ++core) {
            const CoreLines now{cpu_[core].irq_line(), virtual_[core].virq_line(), false};
            if (now == lines_[core]) {
                continue;
            }
            lines_[core] = now;
            if (listener_) {
                listener_(core, now);
            }
        }
    } while (refresh_again_);
    refreshing_ = false;
}

} // namespace sim::gic::v3
