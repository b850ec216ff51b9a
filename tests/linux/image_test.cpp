// Loading an arm64 Image: header checks, gzip, placement (booting.rst).
#include "sim/linux/image.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

namespace sim::linux_boot {
namespace {

void put_le(std::vector<std::uint8_t>& b, std::size_t off, std::uint64_t v, std::size_t len) {
    for (std::size_t i = 0; i < len; i++)
        b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A synthetic Image: a header like Debian's (text_offset 0, 4 KiB pages,
// placement anywhere) followed by `body` bytes of pattern.
std::vector<std::uint8_t> image(std::uint64_t image_size = 1 << 20, std::uint64_t flags = 0xa,
                                std::size_t body = 4096) {
    std::vector<std::uint8_t> b(kImageHeaderSize + body);
    put_le(b, 0, 0x91005a4d, 4); // "MZ" + add x13, x18, #0x16 (EFI stub's code0)
    put_le(b, 8, 0, 8);
    put_le(b, 16, image_size, 8);
    put_le(b, 24, flags, 8);
    put_le(b, kImageMagicOffset, kImageMagic, 4);
    for (std::size_t i = kImageHeaderSize; i < b.size(); i++)
        b[i] = static_cast<std::uint8_t>(i * 7);
    return b;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& in) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<std::uint8_t> out(deflateBound(&z, in.size()) + 64);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

BootErrorKind kind_of(const std::vector<std::uint8_t>& file) {
    try {
        parse_kernel_image(file, "test");
    } catch (const BootError& e) {
        return e.kind();
    }
    ADD_FAILURE() << "no BootError";
    return BootErrorKind::does_not_fit;
}

TEST(LinuxImage, ReadsHeaderOfPlainImage) {
    auto file = image(3 << 20, 0xa);
    KernelImage k = parse_kernel_image(file, "Image");
    EXPECT_FALSE(k.was_gzip);
    EXPECT_EQ(k.header.text_offset, 0u);
    EXPECT_EQ(k.header.image_size, 3u << 20);
    EXPECT_EQ(k.header.flags, 0xau);
    EXPECT_EQ(k.bytes, file);
}

TEST(LinuxImage, InflatesGzipImage) {
    auto file = image(1 << 20, 0x2, 200000);
    KernelImage k = parse_kernel_image(gzip(file), "Image.gz");
    EXPECT_TRUE(k.was_gzip);
    EXPECT_EQ(k.bytes, file);
    EXPECT_EQ(k.header.image_size, 1u << 20);
}

TEST(LinuxImage, RejectsWhatIsNotAnImage) {
    EXPECT_EQ(kind_of({1, 2, 3}), BootErrorKind::not_arm64_image);
    auto elf = image();
    elf[kImageMagicOffset] = 'X'; // an ELF or raw binary has no magic at 0x38
    EXPECT_EQ(kind_of(elf), BootErrorKind::not_arm64_image);
    // A gzip of something that is not an Image is caught after inflating.
    EXPECT_EQ(kind_of(gzip(elf)), BootErrorKind::not_arm64_image);
}

TEST(LinuxImage, NamesTruncatedAndCorruptGzip) {
    auto gz = gzip(image(1 << 20, 0xa, 100000));
    auto truncated = gz;
    truncated.resize(gz.size() / 2);
    EXPECT_EQ(kind_of(truncated), BootErrorKind::truncated_gzip);
    auto no_trailer = gz; // the CRC and length trailer missing
    no_trailer.resize(gz.size() - 8);
    EXPECT_EQ(kind_of(no_trailer), BootErrorKind::truncated_gzip);
    auto corrupt = gz;
    corrupt[gz.size() - 6] ^= 0xff; // the CRC32 of the data
    EXPECT_EQ(kind_of(corrupt), BootErrorKind::corrupt_gzip);
    auto bad_method = gz;
    bad_method[2] = 7; // compression method must be 8 (deflate)
    EXPECT_EQ(kind_of(bad_method), BootErrorKind::corrupt_gzip);
}

TEST(LinuxImage, GzipBombIsBounded) {
    std::vector<std::uint8_t> zeros(3 << 20, 0);
    EXPECT_THROW(
        {
            try {
                gunzip(gzip(zeros), 1 << 20);
            } catch (const BootError& e) {
                EXPECT_EQ(e.kind(), BootErrorKind::too_large);
                throw;
            }
        },
        BootError);
    EXPECT_EQ(gunzip(gzip(zeros), 3 << 20).size(), 3u << 20);
}

TEST(LinuxImage, RefusesOtherGranulesAndBigEndian) {
    EXPECT_EQ(kind_of(image(1 << 20, 0x4)), BootErrorKind::unsupported_pages); // 16 KiB
    EXPECT_EQ(kind_of(image(1 << 20, 0x6)), BootErrorKind::unsupported_pages); // 64 KiB
    EXPECT_EQ(kind_of(image(1 << 20, 0x1 | 0x2)), BootErrorKind::big_endian);
    // Unspecified page size (old kernels) is taken as 4 KiB.
    EXPECT_NO_THROW(parse_kernel_image(image(1 << 20, 0x0), "old"));
    try {
        parse_kernel_image(image(1 << 20, 0x6), "k64");
    } catch (const BootError& e) {
        EXPECT_NE(std::string(e.what()).find("64 KiB"), std::string::npos) << e.what();
    }
}

TEST(LinuxImage, RefusesInconsistentSizes) {
    EXPECT_EQ(kind_of(image(0)), BootErrorKind::no_image_size);
    EXPECT_EQ(kind_of(image(1000, 0xa, 4096)), BootErrorKind::too_large);
    auto odd_offset = image();
    put_le(odd_offset, 8, 0x80010, 8);
    EXPECT_EQ(kind_of(odd_offset), BootErrorKind::not_arm64_image);
}

TEST(LinuxPlacement, FollowsTheBootProtocol) {
    ImageHeader h{0x80000, 30u << 20, 0xa};
    // RAM not 2 MiB aligned: the kernel goes to the next 2 MiB boundary.
    RamRange ram{0x4010'0000, 256u << 20};
    BootPlacement p = place_boot_images(ram, h, 5u << 20);
    EXPECT_EQ(p.kernel_base, 0x4020'0000u);
    EXPECT_EQ(p.kernel_base % (2u << 20), 0u);
    EXPECT_EQ(p.kernel_entry, p.kernel_base + 0x80000);
    EXPECT_EQ(p.kernel_end, p.kernel_entry + (30u << 20));
    EXPECT_EQ(p.dtb % 8, 0u);
    EXPECT_GE(p.dtb, p.kernel_end);
    EXPECT_EQ(p.dtb % (2u << 20), 0u); // a 2 MiB region of its own
    EXPECT_GE(p.initrd_start, p.dtb + kDtbMaxSize);
    EXPECT_EQ(p.initrd_start % 4096, 0u);
    EXPECT_EQ(p.initrd_end - p.initrd_start, 5u << 20);
    EXPECT_LE(p.initrd_end, ram.base + ram.size);
}

TEST(LinuxPlacement, WithoutInitrd) {
    BootPlacement p = place_boot_images({0x4000'0000, 64u << 20}, {0, 33u << 20, 0xa}, 0);
    EXPECT_EQ(p.kernel_entry, 0x4000'0000u);
    EXPECT_EQ(p.dtb, 0x4000'0000u + (34u << 20));
    EXPECT_EQ(p.initrd_start, 0u);
    EXPECT_EQ(p.initrd_end, 0u);
}

TEST(LinuxPlacement, TooSmallRamIsNamed) {
    ImageHeader h{0, 33u << 20, 0xa};
    try {
        place_boot_images({0x4000'0000, 64u << 20}, h, 40u << 20);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::does_not_fit);
        EXPECT_NE(std::string(e.what()).find("initrd"), std::string::npos) << e.what();
    }
    EXPECT_THROW(place_boot_images({0x4000'0000, 32u << 20}, h, 0), BootError);
    // The initrd must share a 32 GiB window with the kernel.
    EXPECT_THROW(place_boot_images({0x4000'0000, 40ull << 30}, h, 33ull << 30), BootError);
    // Sizes near 2^64 are refused, not wrapped into a plausible placement.
    EXPECT_THROW(place_boot_images({0x4000'0000, 512u << 20}, {0, ~0ull - (1u << 20), 0xa}, 0),
                 BootError);
    EXPECT_THROW(place_boot_images({0x4000'0000, 512u << 20}, h, ~0ull - (4u << 20)), BootError);
    EXPECT_THROW(place_boot_images({~0ull - (64u << 20), 128u << 20}, h, 0), BootError);
    EXPECT_THROW(check_dtb_size(kDtbMaxSize + 1), BootError);
    EXPECT_NO_THROW(check_dtb_size(kDtbMaxSize));
}

TEST(LinuxImage, MissingFileIsAnInputError) {
    EXPECT_THROW(load_kernel_image("/nonexistent/Image"), InputError);
}

} // namespace
} // namespace sim::linux_boot
