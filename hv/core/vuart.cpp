#include "hv/core/vuart.h"

#include "hv/core/hypervisor.h"

namespace hv {

namespace {

void put(Hypervisor& hv, Vm& vm, char c) {
    Port& port = hv.port();
    if (vm.vuart.line_start) {
        port.console_putc('[');
        for (const char* p = vm.name(); *p != '\0'; ++p) {
            port.console_putc(*p);
        }
        port.console_putc(']');
        port.console_putc(' ');
        vm.vuart.line_start = false;
    }
    port.console_putc(c);
    if (c == '\n') {
        vm.vuart.line_start = true;
    }
}

} // namespace

bool vuart_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                  std::uint64_t& value) {
    (void)size;
    VUart& u = vm.vuart;
    if (is_write) {
        const auto v = static_cast<std::uint32_t>(value);
        switch (offset) {
        case pl011::DR:
            put(hv, vm, static_cast<char>(v & 0xff));
            break;
        case pl011::IBRD:
            u.ibrd = v;
            break;
        case pl011::FBRD:
            u.fbrd = v;
            break;
        case pl011::LCR_H:
            u.lcr_h = v;
            break;
        case pl011::CR:
            u.cr = v;
            break;
        case pl011::IMSC:
            u.imsc = v;
            break;
        default:
            break; // interrupt clears, DMA control: nothing to model
        }
        return true;
    }
    switch (offset) {
    case pl011::FR:
        // Output is never back-pressured and there is no input.
        value = pl011::FR_TXFE | pl011::FR_RXFE;
        break;
    case pl011::IBRD:
        value = u.ibrd;
        break;
    case pl011::FBRD:
        value = u.fbrd;
        break;
    case pl011::LCR_H:
        value = u.lcr_h;
        break;
    case pl011::CR:
        value = u.cr;
        break;
    case pl011::IMSC:
        value = u.imsc;
        break;
    default:
        value = 0; // DR reads: no input
        break;
    }
    return true;
}

} // namespace hv
