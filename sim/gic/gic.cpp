#include "sim/gic/gic.h"

namespace sim::gic {

uint32_t frame_size(Frame frame) {
    switch (frame) {
    case Frame::Distributor:
        return kDistributorFrameSize;
    case Frame::CpuInterface:
        return kCpuInterfaceFrameSize;
    case Frame::VirtualControl:
        return kVirtualControlFrameSize;
    case Frame::VirtualCpuInterface:
        return kVirtualCpuInterfaceFrameSize;
    }
    return 0;
}

std::optional<FrameOffset> decode(const AddressMap& map, uint64_t pa) {
    const std::array<std::pair<Frame, uint64_t>, 4> frames = {{
        {Frame::Distributor, map.gicd},
        {Frame::CpuInterface, map.gicc},
        {Frame::VirtualControl, map.gich},
        {Frame::VirtualCpuInterface, map.gicv},
    }};
    for (const auto& [frame, base] : frames) {
        if (pa >= base && pa - base < frame_size(frame)) {
            return FrameOffset{frame, static_cast<uint32_t>(pa - base)};
        }
    }
    return std::nullopt;
}

Gic::Gic(const GicConfig& config)
    : distributor_(config.distributor),
      timer_(distributor_.config().num_cores, config.timer, &distributor_) {
    // Sized once here; the register access path never allocates.
    cpu_.reserve(num_cores());
    virtual_.reserve(num_cores());
    for (unsigned core = 0; core < num_cores(); ++core) {
        cpu_.emplace_back(core, distributor_);
        virtual_.emplace_back(core, distributor_);
    }
}

uint32_t Gic::mmio_read(Frame frame, unsigned core, uint32_t offset, unsigned size) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return 0;
    }
    uint32_t value = 0;
    switch (frame) {
    case Frame::Distributor:
        value = distributor_.read(core, offset, size);
        break;
    case Frame::CpuInterface:
        value = cpu_[core].read(offset, size);
        break;
    case Frame::VirtualControl:
        value = virtual_[core].read_control(offset, size);
        break;
    case Frame::VirtualCpuInterface:
        value = virtual_[core].read_cpu(offset, size);
        break;
    default:
        ++diag_.bad_accesses;
        return 0;
    }
    refresh(); // reading an IAR acknowledges
    return value;
}

void Gic::mmio_write(Frame frame, unsigned core, uint32_t offset, uint32_t value, unsigned size) {
    if (!valid_core(core)) {
        ++diag_.bad_accesses;
        return;
    }
    switch (frame) {
    case Frame::Distributor:
        distributor_.write(core, offset, value, size);
        break;
    case Frame::CpuInterface:
        cpu_[core].write(offset, value, size);
        break;
    case Frame::VirtualControl:
        virtual_[core].write_control(offset, value, size);
        break;
    case Frame::VirtualCpuInterface:
        virtual_[core].write_cpu(offset, value, size);
        break;
    default:
        ++diag_.bad_accesses;
        return;
    }
    refresh();
}

void Gic::set_level(uint32_t intid, bool level) {
    distributor_.set_level(intid, level);
    refresh();
}

void Gic::set_ppi_level(unsigned core, uint32_t intid, bool level) {
    distributor_.set_ppi_level(core, intid, level);
    refresh();
}

void Gic::raise(uint32_t intid) {
    distributor_.raise(intid);
    refresh();
}

void Gic::raise_ppi(unsigned core, uint32_t intid) {
    distributor_.raise_ppi(core, intid);
    refresh();
}

uint64_t Gic::timer_read(unsigned core, TimerRegister reg, uint64_t now_cycles) {
    // Guests poll the counter: bring the timer to now_cycles first, so the
    // lines are recomputed only when an output moved.
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

// Called every quantum: recompute the lines only when a timer output moved.
void Gic::update_timers(uint64_t now_cycles) {
    if (timer_.update(now_cycles)) {
        refresh();
    }
}

void Gic::update_timers(unsigned core, uint64_t now_cycles) {
    if (timer_.update(core, now_cycles)) {
        refresh();
    }
}

bool Gic::maintenance(unsigned core) const {
    return valid_core(core) && virtual_[core].maintenance();
}

uint32_t Gic::take_changed_cores() {
    const uint32_t changed = changed_;
    changed_ = 0;
    return changed;
}

const CpuInterface& Gic::cpu_interface(unsigned core) const {
    return cpu_[valid_core(core) ? core : 0];
}

const VirtualInterface& Gic::virtual_interface(unsigned core) const {
    return virtual_[valid_core(core) ? core : 0];
}

Diagnostics Gic::diagnostics() const {
    Diagnostics sum = diag_;
    sum += distributor_.diagnostics();
    sum += timer_.diagnostics();
    for (unsigned core = 0; core < num_cores(); ++core) {
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
            distributor_.set_ppi_level(core, kMaintenancePpi, virtual_[core].maintenance());
        }
        for (unsigned core = 0; core < num_cores(); ++core) {
            const CoreLines now{cpu_[core].irq_line(), virtual_[core].virq_line(),
                                virtual_[core].vfiq_line()};
            if (now == lines_[core]) {
                continue;
            }
            lines_[core] = now;
            changed_ |= 1u << core;
            if (listener_) {
                listener_(core, now);
            }
        }
    } while (refresh_again_);
    refreshing_ = false;
}

} // namespace sim::gic
