#include "sim/loader.h"

#include "sim/cache/number.hpp"
#include "sim/error.h"
#include "sim/json.h"
#include "sim/phys_mem.h"

#include <cstring>
#include <fstream>

namespace sim {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw InputError("cannot open guest image '" + path + "': " + std::strerror(errno));
    std::streamoff size = in.tellg();
    if (size < 0)
        throw InputError("cannot read guest image '" + path + "'");
    if (static_cast<uint64_t>(size) > max_image_file_size)
        throw InputError("guest image '" + path + "' is too large (" + std::to_string(size) +
                         " bytes; the limit is " + std::to_string(max_image_file_size) + ")");
    if (size == 0)
        throw InputError("guest image '" + path + "' is empty");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw InputError("cannot read guest image '" + path + "'");
    return bytes;
}

template <typename T> T get(const std::vector<uint8_t>& b, uint64_t off, const std::string& path) {
    if (off > b.size() || b.size() - off < sizeof(T))
        throw InputError("guest image '" + path + "': truncated ELF (offset " + hex_addr(off) +
                         ")");
    T v;
    std::memcpy(&v, b.data() + off, sizeof(T));
    return v;
}

constexpr uint16_t em_aarch64 = 183;
constexpr uint16_t em_riscv = 243;
constexpr uint32_t ef_riscv_rvc = 0x1; // some object was built with the C extension
constexpr uint32_t pt_load = 1;

// The ELF's machine against the platform's instruction set: a guest for the
// other supported architecture is named as such.
void check_machine(const GuestImage& img, uint16_t machine, uint32_t flags, Isa isa) {
    const std::string& p = img.path;
    const uint16_t want = isa == Isa::riscv64 ? em_riscv : em_aarch64;
    if (machine == want) {
        if (isa == Isa::riscv64 && (flags & ef_riscv_rvc))
            throw InputError("guest image '" + p +
                             "' contains compressed instructions (ELF flag EF_RISCV_RVC): the "
                             "RISC-V platform runs guests built without the C extension "
                             "(-march=rv64imafd)");
        return;
    }
    if (machine == em_riscv)
        throw InputError("guest image '" + p +
                         "' is a RISC-V ELF (e_machine 243); this platform runs AArch64 guests "
                         "(use --platform qemu-riscv64-virt)");
    if (machine == em_aarch64)
        throw InputError("guest image '" + p +
                         "' is an AArch64 ELF (e_machine 183); this platform runs RISC-V guests "
                         "(use --platform qemu-aarch64-virt)");
    throw InputError(
        "guest image '" + p + "' is an ELF for another architecture (e_machine " +
        std::to_string(machine) +
        (isa == Isa::riscv64 ? ", expected RISC-V = 243)" : ", expected AArch64 = 183)"));
}

void parse_elf(GuestImage& img, const std::vector<uint8_t>& b, Isa isa) {
    const std::string& p = img.path;
    if (b.size() < 64)
        throw InputError("guest image '" + p + "': truncated ELF header");
    if (b[4] != 2)
        throw InputError("guest image '" + p + "' is a 32-bit ELF; bao-sim runs AArch64 (ELF64)");
    if (b[5] != 1)
        throw InputError("guest image '" + p +
                         "' is a big-endian ELF; bao-sim runs little-endian AArch64");
    check_machine(img, get<uint16_t>(b, 18, p), get<uint32_t>(b, 48, p), isa);
    img.entry = get<uint64_t>(b, 24, p);
    auto phoff = get<uint64_t>(b, 32, p);
    auto phentsize = get<uint16_t>(b, 54, p);
    auto phnum = get<uint16_t>(b, 56, p);
    if (phentsize < 56)
        throw InputError("guest image '" + p + "': bad program header size");
    for (uint16_t i = 0; i < phnum; ++i) {
        uint64_t ph = phoff + uint64_t(i) * phentsize;
        if (get<uint32_t>(b, ph, p) != pt_load)
            continue;
        auto offset = get<uint64_t>(b, ph + 8, p);
        auto paddr = get<uint64_t>(b, ph + 24, p);
        auto filesz = get<uint64_t>(b, ph + 32, p);
        auto memsz = get<uint64_t>(b, ph + 40, p);
        if (memsz == 0)
            continue;
        if (filesz > memsz || offset > b.size() || b.size() - offset < filesz)
            throw InputError("guest image '" + p + "': segment " + std::to_string(i) +
                             " lies outside the file");
        if (paddr + memsz < paddr)
            throw InputError("guest image '" + p + "': segment " + std::to_string(i) +
                             " wraps the address space");
        ImageSegment seg;
        seg.addr = paddr;
        seg.mem_size = memsz;
        seg.bytes.assign(b.begin() + offset, b.begin() + offset + filesz);
        img.segments.push_back(std::move(seg));
    }
    if (img.segments.empty())
        throw InputError("guest image '" + p + "': ELF has no loadable segment");
}

} // namespace

uint64_t fnv1a64(const void* data, size_t len, uint64_t h) {
    auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < len; ++i)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

uint64_t GuestImage::lowest() const {
    uint64_t lo = UINT64_MAX;
    for (auto& s : segments)
        lo = std::min(lo, s.addr);
    return lo;
}

uint64_t GuestImage::highest() const {
    uint64_t hi = 0;
    for (auto& s : segments)
        hi = std::max(hi, s.addr + s.mem_size);
    return hi;
}

GuestImage read_guest_image(const std::string& path, uint64_t raw_addr, Isa isa) {
    GuestImage img;
    img.path = path;
    std::vector<uint8_t> bytes = read_file(path);
    img.file_size = bytes.size();
    img.hash = fnv1a64(bytes.data(), bytes.size());
    if (bytes.size() >= 4 && std::memcmp(bytes.data(),
                                         "\x7f"
                                         "ELF",
                                         4) == 0) {
        img.is_elf = true;
        parse_elf(img, bytes, isa);
    } else {
        img.entry = raw_addr;
        ImageSegment seg;
        seg.addr = raw_addr;
        seg.mem_size = bytes.size();
        seg.bytes = std::move(bytes);
        img.segments.push_back(std::move(seg));
    }
    return img;
}

uint64_t parse_size(const std::string& text, const std::string& what) {
    if (text.empty())
        throw InputError(what + ": empty number");
    const cache::ParsedNumber n = cache::parse_number_text(text);
    if (!n.error.empty())
        throw InputError(what + ": '" + text + "' " + n.error);
    return n.value;
}

uint64_t parse_size_in(const std::string& text, const std::string& what, uint64_t lo, uint64_t hi) {
    return check_range(parse_size(text, what), what, lo, hi);
}

uint64_t check_range(uint64_t value, const std::string& what, uint64_t lo, uint64_t hi) {
    if (value < lo || value > hi)
        throw InputError(what + ": " + std::to_string(value) + " is out of range (" +
                         std::to_string(lo) + "-" + std::to_string(hi) + ")");
    return value;
}

std::pair<std::string, std::optional<uint64_t>> parse_image_spec(const std::string& spec) {
    auto at = spec.rfind('@');
    if (at == std::string::npos)
        return {spec, std::nullopt};
    std::string file = spec.substr(0, at);
    if (file.empty())
        throw InputError("--image '" + spec + "': missing file name before '@'");
    return {file, parse_size(spec.substr(at + 1), "--image address")};
}

void place_image(const GuestImage& image, PhysicalMemory& memory) {
    for (auto& s : image.segments) {
        if (!memory.contains(s.addr, s.mem_size))
            throw InputError("guest image '" + image.path + "' does not fit in RAM: segment at " +
                             hex_addr(s.addr) + " of " + std::to_string(s.mem_size) +
                             " bytes, RAM is " + hex_addr(memory.base()) + "-" +
                             hex_addr(memory.base() + memory.size()));
    }
    for (auto& s : image.segments) {
        memory.write(s.addr, s.bytes.data(), s.bytes.size());
        std::vector<uint8_t> zeros(s.mem_size - s.bytes.size());
        memory.write(s.addr + s.bytes.size(), zeros.data(), zeros.size());
    }
}

} // namespace sim
