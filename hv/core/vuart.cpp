#include "hv/core/vuart.h"

#include "hv/core/hypervisor.h"

namespace hv {

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
