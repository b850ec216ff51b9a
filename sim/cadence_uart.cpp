#include "sim/cadence_uart.h"

#include "sim/checkpoint.h"

namespace sim {

uint64_t CadenceUart::read(unsigned, uint64_t offset, unsigned) {
    switch (offset) {
    case kIer:
    case kIdr:
        return 0; // write-only
    case kFifo:
        return take_received();
    case kImr:
        return imr_;
    case kIsr:
        return isr_;
    case kSr:
        return kSrTxEmpty | (rx_count_ == 0 ? kSrRxEmpty : 0) |
               (rx_count_ >= kRxFifoDepth ? kSrRxFull : 0) |
               (rx_count_ >= rx_trigger_level() ? kSrRxTrig : 0);
    default:
        return offset % 4 == 0 && offset < sizeof regs_ ? regs_[offset / 4] : 0;
    }
}

void CadenceUart::write(unsigned core, uint64_t offset, unsigned, uint64_t value) {
    const auto v = static_cast<uint32_t>(value);
    switch (offset) {
    case kFifo:
        out_.put(core, static_cast<char>(v));
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
        if (v & 1)                 // RXRST
            rx_count_ = 0;
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

uint32_t CadenceUart::rx_trigger_level() const {
    const uint32_t level = regs_[kRxwm / 4] & 0x3f;
    return level == 0 ? kRxFifoDepth + 1 : level; // 0 disables the trigger
}

uint8_t CadenceUart::take_received() {
    if (rx_count_ == 0)
        return 0;
    const uint8_t byte = rx_[rx_head_];
    rx_head_ = (rx_head_ + 1) % kRxFifoDepth;
    --rx_count_;
    return byte;
}

uint32_t CadenceUart::receive(const uint8_t* bytes, uint32_t n) {
    uint32_t taken = 0;
    for (; taken < n && rx_count_ < kRxFifoDepth; ++taken)
        rx_[(rx_head_ + rx_count_++) % kRxFifoDepth] = bytes[taken];
    if (rx_count_ >= rx_trigger_level())
        isr_ |= kIntRxTrig;
    if (rx_count_ >= kRxFifoDepth)
        isr_ |= kIntRxFull;
    if (rx_count_ != 0)
        isr_ |= kIntTimeout; // the line goes idle at once: no more is coming now
    update_irq();
    return taken;
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
    a.value(rx_);
    a.value(rx_head_);
    a.value(rx_count_);
    out_.checkpoint(a);
}

} // namespace sim
