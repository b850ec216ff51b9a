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

Gic::Gic(const GicConfig& config) : GicCommon(config) {
    for (unsigned core = 0; core < num_cores(); ++core) {
        cpu_.emplace_back(core, common_);
        virtual_.emplace_back(core, common_);
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
        value = common_.read(core, offset, size);
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
        common_.write(core, offset, value, size);
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

void Gic::raise(uint32_t intid) {
    common_.raise(intid);
    refresh();
}

void Gic::raise_ppi(unsigned core, uint32_t intid) {
    common_.raise_ppi(core, intid);
    refresh();
}

} // namespace sim::gic
