#include "sim/linux/image.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace sim::linux_boot {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t k2MiB = 2 * kMiB;
constexpr std::uint64_t kGiB = 1ull << 30;

std::uint64_t le(std::span<const std::uint8_t> b, std::size_t off, std::size_t len) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; i++)
        v |= static_cast<std::uint64_t>(b[off + i]) << (8 * i);
    return v;
}

// Page size field (flags bits 1-2) in KiB, 0 when the kernel leaves it unspecified.
unsigned page_kib(std::uint64_t flags) {
    static constexpr unsigned kib[] = {0, 4, 16, 64};
    return kib[(flags >> 1) & 3];
}

ImageHeader check_header(std::span<const std::uint8_t> img, const std::string& name) {
    if (img.size() < kImageHeaderSize)
        throw BootError(BootErrorKind::not_arm64_image,
                        "'" + name + "' is not an arm64 Linux Image: " +
                            std::to_string(img.size()) + " bytes, shorter than the 64-byte header");
    if (le(img, kImageMagicOffset, 4) != kImageMagic)
        throw BootError(BootErrorKind::not_arm64_image,
                        "'" + name +
                            "' is not an arm64 Linux Image: no \"ARM\\x64\" magic at 0x38");
    ImageHeader h;
    h.text_offset = le(img, 8, 8);
    h.image_size = le(img, 16, 8);
    h.flags = le(img, 24, 8);
    if (h.flags & kFlagBigEndian)
        throw BootError(BootErrorKind::big_endian,
                        "'" + name + "' is a big-endian kernel; bao-sim runs little-endian guests");
    if (unsigned kib = page_kib(h.flags); kib != 0 && kib != 4)
        throw BootError(BootErrorKind::unsupported_pages,
                        "'" + name + "' is built for a " + std::to_string(kib) +
                            " KiB page granule; bao-sim supports 4 KiB pages only");
    if (h.image_size == 0)
        throw BootError(BootErrorKind::no_image_size,
                        "'" + name +
                            "' has image_size 0 (a kernel older than 3.17): its memory "
                            "footprint is unknown, not supported");
    if (h.image_size < img.size())
        throw BootError(BootErrorKind::too_large,
                        "'" + name + "': image_size " + hex(h.image_size) +
                            " is smaller than the Image itself (" + hex(img.size()) + " bytes)");
    if (h.text_offset % 4096 != 0 || h.text_offset >= k2MiB)
        throw BootError(BootErrorKind::not_arm64_image,
                        "'" + name + "': text_offset " + hex(h.text_offset) +
                            " is not a page-aligned offset below 2 MiB");
    return h;
}

} // namespace

std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

bool is_gzip(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> gz, std::size_t limit) {
    if (gz.size() > std::numeric_limits<uInt>::max()) // zlib counts input in uInt
        throw BootError(BootErrorKind::too_large, "gzip data larger than 4 GiB");
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) // 16: gzip wrapper only
        throw std::runtime_error("zlib: inflateInit2 failed");
    std::vector<std::uint8_t> out;
    z.next_in = const_cast<Bytef*>(gz.data());
    z.avail_in = static_cast<uInt>(gz.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out.size() >= limit) {
            inflateEnd(&z);
            throw BootError(BootErrorKind::too_large, "gzip data inflates to more than " +
                                                          std::to_string(limit >> 20) + " MiB");
        }
        std::size_t chunk = std::min<std::size_t>(limit - out.size(), 1u << 20);
        std::size_t old = out.size();
        out.resize(old + chunk);
        z.next_out = out.data() + old;
        z.avail_out = static_cast<uInt>(chunk);
        rc = inflate(&z, Z_NO_FLUSH);
        out.resize(old + (chunk - z.avail_out));
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break; // no progress possible: input exhausted before the end
        if (rc == Z_BUF_ERROR)
            rc = Z_OK; // output was full: go round for more room
    }
    inflateEnd(&z);
    if (rc == Z_STREAM_END)
        return out;
    if (rc == Z_DATA_ERROR)
        throw BootError(BootErrorKind::corrupt_gzip,
                        std::string("corrupt gzip data: ") + (z.msg ? z.msg : "bad stream"));
    if (rc == Z_BUF_ERROR || rc == Z_OK)
        throw BootError(BootErrorKind::truncated_gzip,
                        "truncated gzip data: the stream ends after " + std::to_string(out.size()) +
                            " inflated bytes, before its end marker");
    throw BootError(BootErrorKind::corrupt_gzip,
                    "gzip data cannot be inflated (zlib error " + std::to_string(rc) + ")");
}

KernelImage parse_kernel_image(std::vector<std::uint8_t> file, const std::string& name) {
    KernelImage k;
    if (is_gzip(file)) {
        try {
            k.bytes = gunzip(file, kMaxImageBytes);
        } catch (const BootError& e) {
            throw BootError(e.kind(), "kernel '" + name + "': " + e.what());
        }
        k.was_gzip = true;
    } else {
        k.bytes = std::move(file);
    }
    k.header = check_header(k.bytes, name);
    return k;
}

std::vector<std::uint8_t> read_whole(const std::string& path, const char* what, std::size_t limit,
                                     const char* limit_what, BootErrorKind too_large_kind) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw InputError(std::string("cannot open ") + what + " '" + path +
                         "': " + std::strerror(errno));
    std::streamoff size = in.tellg();
    if (size <= 0)
        throw InputError(std::string(what) + " '" + path + "' is empty");
    if (static_cast<std::uint64_t>(size) > limit)
        throw BootError(too_large_kind, std::string(what) + " '" + path + "' is " +
                                            std::to_string(size) + " bytes, larger than " +
                                            limit_what + " (" + std::to_string(limit) + " bytes)");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw InputError(std::string("cannot read ") + what + " '" + path + "'");
    return bytes;
}

// Read whole, not through a stream iterator: a byte at a time, that was
// 460 M host instructions for Debian's 33 MiB Image at every Linux run.
KernelImage load_kernel_image(const std::string& path) {
    return parse_kernel_image(read_whole(path, "kernel", kMaxImageBytes,
                                         "the largest Image bao-sim reads",
                                         BootErrorKind::too_large),
                              path);
}

BootPlacement place_boot_images(const RamRange& ram, const ImageHeader& kernel,
                                std::uint64_t initrd_size) {
    // In 128 bits: a header's image_size (or a RAM range) near 2^64 must be
    // refused, not wrap round into a placement that looks valid.
    using u128 = unsigned __int128;
    const u128 ram_end = u128{ram.base} + ram.size;
    const u128 kernel_base = (u128{ram.base} + k2MiB - 1) & ~u128{k2MiB - 1};
    const u128 kernel_end = kernel_base + kernel.text_offset + kernel.image_size;
    const u128 dtb = (kernel_end + k2MiB - 1) & ~u128{k2MiB - 1};
    const u128 initrd_start = dtb + kDtbMaxSize;
    const u128 end = initrd_start + initrd_size;
    if (end > ram_end || ram_end > (u128{1} << 64))
        throw BootError(
            BootErrorKind::does_not_fit,
            "kernel (" + std::to_string(kernel.image_size >> 10) + " KiB), DTB (2 MiB slot)" +
                (initrd_size ? " and initrd (" + std::to_string(initrd_size >> 10) + " KiB)"
                             : std::string()) +
                " do not fit in the VM's RAM " + hex(ram.base) + " + " + hex(ram.size));
    BootPlacement p;
    p.kernel_base = static_cast<std::uint64_t>(kernel_base);
    p.kernel_entry = p.kernel_base + kernel.text_offset;
    p.kernel_end = static_cast<std::uint64_t>(kernel_end);
    p.dtb = static_cast<std::uint64_t>(dtb);
    if (initrd_size > 0) {
        p.initrd_start = static_cast<std::uint64_t>(initrd_start);
        p.initrd_end = static_cast<std::uint64_t>(end);
    }
    // booting.rst: the initrd lies in a 1 GiB-aligned window of at most 32 GiB
    // that also covers the kernel Image.
    if (initrd_size > 0 && p.initrd_end - (p.kernel_base & ~(kGiB - 1)) > 32 * kGiB)
        throw BootError(BootErrorKind::does_not_fit,
                        "initrd ends at " + hex(p.initrd_end) +
                            ", outside the 32 GiB window the kernel requires");
    return p;
}

void check_dtb_size(std::size_t dtb_size) {
    if (dtb_size > kDtbMaxSize)
        throw BootError(BootErrorKind::does_not_fit,
                        "device tree is " + std::to_string(dtb_size) +
                            " bytes; the boot protocol allows at most 2 MiB");
}

} // namespace sim::linux_boot
