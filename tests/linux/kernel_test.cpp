// Debian's own arm64 kernel (scripts/linux/fetch-kernel.sh) passes the Image
// checks and places in a 512 MiB VM. Label `linux`; skipped when the kernel
// was not fetched.
#include "sim/linux/boot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sim::linux_boot {
namespace {

std::string cache_dir() {
    const char* env = std::getenv("BAO_LINUX_CACHE");
    return env ? env : BAO_LINUX_CACHE_DEFAULT;
}

TEST(DebianKernel, ImageHeaderAndPlacement) {
    std::string path = cache_dir() + "/Image";
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " missing: run scripts/linux/fetch-kernel.sh";
    KernelImage k = load_kernel_image(path);
    EXPECT_FALSE(k.was_gzip);            // Debian ships boot/vmlinuz-* uncompressed
    EXPECT_EQ(k.header.text_offset, 0u); // kernels since 5.8
    EXPECT_EQ((k.header.flags >> 1) & 3, 1u) << "4 KiB pages";
    EXPECT_GE(k.header.image_size, k.bytes.size());
    EXPECT_GT(k.bytes.size(), 8u << 20);
    BootPlacement p = place_boot_images({0x4000'0000, 512u << 20}, k.header, 4u << 20);
    EXPECT_EQ(p.kernel_entry, 0x4000'0000u);
    EXPECT_GE(p.dtb, p.kernel_end);
}

// The whole set the boot wiring will load: Debian's Image, the benchmark
// initramfs and the generated DT, in a 512 MiB VM.
TEST(DebianKernel, PrepareBootWithInitramfs) {
    std::string image = cache_dir() + "/Image";
    std::string initramfs = BAO_LINUX_INITRAMFS;
    if (!std::filesystem::exists(image))
        GTEST_SKIP() << image << " missing: run scripts/linux/fetch-kernel.sh";
    if (initramfs.empty() || !std::filesystem::exists(initramfs))
        GTEST_SKIP() << "no initramfs built (target linux_initramfs)";
    LinuxBootSpec s;
    s.kernel = image;
    s.initrd = initramfs;
    s.bootargs = "console=ttyAMA0 bao_bench=qsort-small";
    s.ram = {0x4000'0000, 512u << 20};
    s.vm.memory = {s.ram};
    s.vm.mpidr = {0};
    LinuxBootImages b = prepare_linux_boot(s);
    EXPECT_EQ(b.entry.pc, 0x4000'0000u);
    EXPECT_EQ(b.entry.x0 % (2u << 20), 0u);
    EXPECT_GE(b.entry.x0, b.placement.kernel_end);
    EXPECT_EQ(b.initrd.size(), std::filesystem::file_size(initramfs));
    EXPECT_EQ(b.initrd[0], 0x1f); // gzip
    EXPECT_LE(b.placement.initrd_end, 0x4000'0000u + (512u << 20));
}

} // namespace
} // namespace sim::linux_boot
