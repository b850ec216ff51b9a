#include "sim/cadence_uart.h"

#include "sim/checkpoint.h"

namespace sim {

uint64_t CadenceUart::read(unsigned, uint64_t offset, unsigned) {
    switch (offset) {
    case kIer:
    case kIdr:
    case kFifo:
        return 0; // write-only, or nothing received
    case kImr:
        return imr_;
    case kIsr:
        return isr_;
    case kSr:
        return kSrRxEmpty | kSrTxEmpty;
    default:
        return offset % 4 == 0 && offset < sizeof regs_ ? regs_[offset / 4] : 0;
    }
}

void CadenceUart::write(unsigned core, uint64_t offset, unsigned, uint64_t value) {
    const auto v = static_cast<uint32_t>(value);
    switch (offset) {
    case kFifo:
        transmit(core, static_cast<char>(v));
        isr_ |= kIntTxEmpty; // sent at once: the FIFO is empty again
        break;
    case kIer:
        imr_ |= v & kIntMask;
        break;
    case kIdr:
        imr_ &= ~v;
        break;
    case kIsr:
        isr_ &= ~v;
        break;
    case kCr:
        regs_[0] = v & ~kCrResets; // the logic resets complete at once
        break;
    case kImr:
    case kSr:
        break; // read-only
    default:
        if (offset % 4 == 0 && offset < sizeof regs_)
            regs_[offset / 4] = v;
        break;
    }
    update_irq();
}

void CadenceUart::transmit(unsigned core, char c) {
    if (name_.empty()) {
        console_.putc_from_core(core, c);
        return;
    }
    if (!source_)
        source_ = console_.add_source(name_);
    console_.putc(*source_, c);
}

void CadenceUart::update_irq() {
    const bool level = (isr_ & imr_) != 0;
    if (level == level_)
        return;
    level_ = level;
    if (irq_line_)
        irq_line_(level);
}

// The registers, the line's level and the console source once added, as
// the PL011's (the line is driven again by the restored GIC's state).
void CadenceUart::checkpoint(Archive& a) {
    a.tag("cadence-uart");
    for (uint32_t& r : regs_)
        a.value(r);
    a.value(imr_);
    a.value(isr_);
    a.value(level_);
    bool has_source = source_.has_value();
    unsigned source = source_.value_or(0);
    a.value(has_source);
    a.value(source);
    source_ = has_source ? std::optional<unsigned>(source) : std::nullopt;
}

} // namespace sim
