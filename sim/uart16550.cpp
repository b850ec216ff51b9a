#include "sim/uart16550.h"
#include "sim/checkpoint.h"

namespace sim {

uint64_t Uart16550::read(unsigned, uint64_t offset, unsigned) {
    switch (offset) {
    case 0:
        return dlab() ? dll_ : 0; // RBR: nothing received
    case 1:
        return dlab() ? dlm_ : ier_;
    case 2: {
        const uint8_t fifo = (fcr_ & 1) ? kIirFifo : 0;
        if (thre_pending_ && (ier_ & kIerEtbei)) {
            thre_pending_ = false; // reading IIR clears the THR-empty interrupt
            update_irq();
            return fifo | kIirThre;
        }
        return fifo | kIirNone;
    }
    case 3:
        return lcr_;
    case 4:
        return mcr_;
    case 5:
        return kLsrThre | kLsrTemt;
    case 6:
        return 0xb0; // MSR: DCD, DSR, CTS
    case 7:
        return scr_;
    default:
        return 0;
    }
}

void Uart16550::write(unsigned core, uint64_t offset, unsigned, uint64_t value) {
    const auto v = static_cast<uint8_t>(value);
    switch (offset) {
    case 0:
        if (dlab()) {
            dll_ = v;
        } else {
            console_.putc_from_core(core, static_cast<char>(v));
            thre_pending_ = true; // sent at once: THR is empty again
        }
        break;
    case 1:
        if (dlab()) {
            dlm_ = v;
        } else {
            // Enabling ETBEI with THR empty raises the interrupt, as on QEMU.
            if ((v & kIerEtbei) && !(ier_ & kIerEtbei))
                thre_pending_ = true;
            ier_ = v & 0x0f;
        }
        break;
    case 2:
        fcr_ = v;
        break;
    case 3:
        lcr_ = v;
        break;
    case 4:
        mcr_ = v;
        break;
    case 7:
        scr_ = v;
        break;
    default:
        break;
    }
    update_irq();
}

void Uart16550::update_irq() {
    const bool level = thre_pending_ && (ier_ & kIerEtbei);
    if (level == level_)
        return;
    level_ = level;
    if (irq_line_)
        irq_line_(level);
}

void Uart16550::checkpoint(Archive& a) {
    a.tag("16550");
    a.value(ier_);
    a.value(lcr_);
    a.value(mcr_);
    a.value(scr_);
    a.value(fcr_);
    a.value(dll_);
    a.value(dlm_);
    a.value(thre_pending_);
    a.value(level_);
}

} // namespace sim
