#include "hv/core/vuart.h"

#include "hv/arch/arch.h"
#include "hv/core/hypervisor.h"

namespace hv::inline HV_ARCH_NS {

namespace {

// A guest byte as printed: itself, or "\xNN" for a control character other
// than TAB, LF and CR (ESC sequences, NUL, BEL, DEL never reach a terminal).
std::uint32_t printable(char c, char (&out)[4]) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 0x20 && b != 0x7f) || c == '\t' || c == '\n' || c == '\r') {
        out[0] = c;
        return 1;
    }
    const char* digits = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = digits[b >> 4];
    out[3] = digits[b & 0xf];
    return 4;
}

void put(Hypervisor& hv, Vm& vm, char c) {
    Port& port = hv.port();
    VUart& u = vm.vuart;
    const std::uint32_t cpu = port.cpu_id() % kMaxCpus;
    const std::uint64_t bit = 1ull << cpu;
    char text[4];
    const std::uint32_t n = printable(c, text);
    if ((u.mid_line & bit) != 0 && c != '\n' && u.column[cpu] + n > kVuartLineMax) {
        port.console_putc('\n');
        u.mid_line &= ~bit;
    }
    if ((u.mid_line & bit) == 0) {
        port.console_putc('[');
        for (const char* p = vm.name(); *p != '\0'; ++p) {
            port.console_putc(*p);
        }
        port.console_putc(']');
        port.console_putc(' ');
        u.mid_line |= bit;
        u.column[cpu] = 0;
    }
    for (std::uint32_t k = 0; k < n; ++k) {
        port.console_putc(text[k]);
    }
    u.column[cpu] += n;
    if (c == '\n') {
        u.mid_line &= ~bit;
    }
}

// The VM's virtual SPI follows UARTINTR as a level: rising raises it,
// falling withdraws it where it is not yet taken, and a line still high at
// the guest's EOI raises it again (vuart_resample, from the vGIC).
void update_irq(Hypervisor& hv, Vm& vm, bool was_high) {
    VUart& u = vm.vuart;
    const std::uint32_t irq = hv.config().platform.console_irq;
    u.irq_level = pl011::irq_level(u.regs);
    if (irq == 0 || u.irq_level == was_high) {
        return;
    }
    if (u.irq_level) {
        ++u.raised;
        arch::virq_raise(hv, vm, irq);
    } else {
        arch::virq_lower(hv, vm, irq);
    }
}

} // namespace

void vuart_resample(Hypervisor& hv, Vm& vm) {
    const std::uint32_t irq = hv.config().platform.console_irq;
    if (irq != 0 && pl011::irq_level(vm.vuart.regs)) {
        ++vm.vuart.raised;
        arch::virq_raise(hv, vm, irq);
    }
}

std::uint32_t vuart_receive(Hypervisor& hv, Vm& vm, const std::uint8_t* bytes, std::uint32_t n) {
    const bool was_high = pl011::irq_level(vm.vuart.regs);
    const std::uint32_t taken = pl011::rx_receive(vm.vuart.regs, bytes, n);
    update_irq(hv, vm, was_high);
    return taken;
}

bool vuart_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value) {
    VUart& u = vm.vuart;
    const bool was_high = pl011::irq_level(u.regs);
    if (is_write) {
        pl011::write(u.regs, offset, size, static_cast<std::uint32_t>(value));
        // The line is infinitely fast: what was written leaves at once.
        std::uint8_t c = 0;
        while (pl011::tx_pop(u.regs, c)) {
            put(hv, vm, static_cast<char>(c));
        }
    } else {
        value = pl011::read(u.regs, offset, size);
    }
    update_irq(hv, vm, was_high);
    return true;
}

} // namespace hv::inline HV_ARCH_NS
