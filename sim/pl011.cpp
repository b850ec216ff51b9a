#include "sim/pl011.h"

#include "sim/checkpoint.h"

namespace sim {

uint64_t Pl011::read(unsigned, uint64_t offset, unsigned size) {
    const uint32_t v = hv::pl011::read(regs_, offset, size);
    update_irq(); // a DR read can drop RXIS
    return v;
}

void Pl011::write(unsigned core, uint64_t offset, unsigned size, uint64_t value) {
    hv::pl011::write(regs_, offset, size, static_cast<uint32_t>(value));
    uint8_t byte = 0;
    while (hv::pl011::tx_pop(regs_, byte))
        out_.put(core, static_cast<char>(byte));
    update_irq();
}

uint32_t Pl011::receive(const uint8_t* bytes, uint32_t n) {
    const uint32_t taken = hv::pl011::rx_receive(regs_, bytes, n);
    update_irq();
    return taken;
}

void Pl011::update_irq() {
    const bool level = hv::pl011::irq_level(regs_);
    if (level == level_)
        return;
    level_ = level;
    if (irq_line_)
        irq_line_(level);
}

// The registers, the line's level and the console source once added (the
// line is driven again by the restored interrupt controller's state).
void Pl011::checkpoint(Archive& a) {
    a.value(regs_);
    a.value(level_);
    out_.checkpoint(a);
}

} // namespace sim
