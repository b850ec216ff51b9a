// Loading an arm64 Linux kernel Image (plain or gzip) and placing it, its
// device tree and its initrd in a VM's RAM as the kernel's boot protocol
// (Documentation/arm64/booting.rst) asks. Host side only; docs/linux.md.
#pragma once

#include "sim/error.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sim::linux_boot {

// What was wrong with a kernel, device tree or initrd: tests and callers can
// tell the cases apart without matching message text.
enum class BootErrorKind {
    not_arm64_image,   // no "ARM\x64" magic at 0x38, or shorter than a header
    truncated_gzip,    // the gzip stream ends before its end marker
    corrupt_gzip,      // bad gzip header, data or checksum
    too_large,         // decompressed beyond the limit, or larger than image_size
    big_endian,        // flags bit 0: a big-endian kernel
    unsupported_pages, // flags bits 1-2: a 16 or 64 KiB granule kernel
    no_image_size,     // image_size 0: a kernel older than 3.17, not supported
    does_not_fit,      // kernel, DTB and initrd do not fit in the RAM range
    not_device_tree,   // a user's DTB file that libfdt does not accept
    wrong_gic,         // a kernel without the machine's GIC driver, or a DTB describing another GIC
};

class BootError : public InputError {
  public:
    BootError(BootErrorKind kind, const std::string& what) : InputError(what), kind_(kind) {}
    BootErrorKind kind() const { return kind_; }

  private:
    BootErrorKind kind_;
};

// The 64-byte header at the start of every arm64 Image.
struct ImageHeader {
    std::uint64_t text_offset = 0; // load offset from a 2 MiB-aligned base
    std::uint64_t image_size = 0;  // bytes the kernel occupies, .bss included
    std::uint64_t flags = 0;
};

inline constexpr std::uint32_t kImageMagic = 0x644d5241; // "ARM\x64", little endian
inline constexpr std::size_t kImageMagicOffset = 0x38;
inline constexpr std::size_t kImageHeaderSize = 64;
// Flags bits 1-2: kernel page size (0 unspecified, 1 4 KiB, 2 16 KiB, 3 64 KiB).
inline constexpr std::uint64_t kFlagBigEndian = 1u << 0;
inline constexpr std::uint64_t kFlagPlaceAnywhere = 1u << 3;

struct KernelImage {
    ImageHeader header;
    std::vector<std::uint8_t> bytes; // the Image, decompressed
    bool was_gzip = false;
};

// A gzip'd Image larger than this after inflation is refused (a gzip bomb,
// or not a kernel): Debian's Image is about 32 MiB.
inline constexpr std::size_t kMaxImageBytes = 256u << 20;

// Inflates a gzip stream; BootError truncated_gzip / corrupt_gzip / too_large.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> gz, std::size_t limit);

bool is_gzip(std::span<const std::uint8_t> bytes);

// "0x1f": how the loaders' messages print addresses and sizes.
std::string hex(std::uint64_t v);

// Checks the header of a (possibly gzip'd) Image and returns it decompressed.
// `name` appears in error messages (the file's path).
// The file is taken whole: an Image that is not gzip'd becomes the result
// without a copy.
KernelImage parse_kernel_image(std::vector<std::uint8_t> file, const std::string& name);
KernelImage load_kernel_image(const std::string& path);

// A whole input file (`what`: "kernel", "initrd", ... for the messages):
// InputError when it cannot be opened or read or is empty; BootError
// `too_large_kind` when it is larger than `limit` (`limit_what` says what
// that is, for the message).
std::vector<std::uint8_t> read_whole(const std::string& path, const char* what, std::size_t limit,
                                     const char* limit_what, BootErrorKind too_large_kind);

// One contiguous range of guest RAM (IPA in hv mode, PA in native mode).
struct RamRange {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
};

// Where the boot images go, all inside the RAM range.
struct BootPlacement {
    std::uint64_t kernel_base = 0;  // 2 MiB aligned
    std::uint64_t kernel_entry = 0; // kernel_base + text_offset: Image byte 0, the entry
    std::uint64_t kernel_end = 0;   // kernel_entry + image_size
    std::uint64_t dtb = 0;          // 8-byte aligned (here 2 MiB), a 2 MiB slot of its own
    std::uint64_t initrd_start = 0; // 0 when there is no initrd
    std::uint64_t initrd_end = 0;
};

inline constexpr std::uint64_t kDtbMaxSize = 2u << 20;

// Kernel at the lowest 2 MiB boundary of `ram` plus text_offset; the DTB in
// the next 2 MiB region after the kernel's image_size (its own region: the
// kernel maps it with 2 MiB blocks); the initrd after the DTB's region, all
// within a 1 GiB-aligned 32 GiB window with the kernel. BootError
// does_not_fit when they do not fit.
BootPlacement place_boot_images(const RamRange& ram, const ImageHeader& kernel,
                                std::uint64_t initrd_size);

// A DTB larger than 2 MiB or larger than its slot: BootError does_not_fit.
void check_dtb_size(std::size_t dtb_size);

} // namespace sim::linux_boot
