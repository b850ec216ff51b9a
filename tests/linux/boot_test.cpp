// prepare_linux_boot: files in, placed blobs and the entry state out.
#include "sim/linux/boot.h"

#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include <cstring>
#include <fstream>

namespace sim::linux_boot {
namespace {

std::string write_file(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    // CTest runs each test in its own process, in parallel: the test's name
    // keeps their files apart.
    const char* test = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string path = testing::TempDir() + "/bao_linux_boot_" + test + "_" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

// A synthetic Image of 64 KiB with image_size 3 MiB (Debian's flags), with
// the GIC drivers' compatibles somewhere in it, as every arm64 kernel with
// CONFIG_ARM_GIC and CONFIG_ARM_GIC_V3 (Debian's included) has.
std::vector<std::uint8_t> image(bool gicv2_driver = true, bool gicv3_driver = true) {
    std::vector<std::uint8_t> b(64 << 10, 0x5a);
    if (gicv2_driver) {
        static const char compatible[] = "arm,cortex-a15-gic";
        std::memcpy(&b[40000], compatible, sizeof compatible);
    }
    if (gicv3_driver) {
        static const char compatible[] = "arm,gic-v3";
        std::memcpy(&b[50000], compatible, sizeof compatible);
    }
    auto put = [&](std::size_t off, std::uint64_t v, int len) {
        for (int i = 0; i < len; i++)
            b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    put(8, 0, 8);
    put(16, 3u << 20, 8);
    put(24, 0xa, 8);
    put(kImageMagicOffset, kImageMagic, 4);
    return b;
}

LinuxBootSpec spec() {
    LinuxBootSpec s;
    s.kernel = write_file("Image", image());
    s.initrd = write_file("initrd", std::vector<std::uint8_t>(300000, 7));
    s.bootargs = "console=ttyAMA0 bao_bench=qsort-small";
    s.ram = {0x4000'0000, 64u << 20};
    s.vm.memory = {s.ram};
    s.vm.mpidr = {0};
    return s;
}

std::string chosen_str(const std::vector<std::uint8_t>& dtb, const char* prop) {
    int chosen = fdt_path_offset(dtb.data(), "/chosen");
    auto* p = static_cast<const char*>(fdt_getprop(dtb.data(), chosen, prop, nullptr));
    return p ? p : "<missing>";
}

std::uint64_t chosen_u64(const std::vector<std::uint8_t>& dtb, const char* prop) {
    int chosen = fdt_path_offset(dtb.data(), "/chosen");
    int len = 0;
    const void* p = fdt_getprop(dtb.data(), chosen, prop, &len);
    if (!p || len != 8)
        return 0;
    fdt64_t v; // properties are only 4-byte aligned
    std::memcpy(&v, p, sizeof v);
    return fdt64_to_cpu(v);
}

TEST(LinuxBoot, GeneratedDtbDescribesThePlacement) {
    LinuxBootImages b = prepare_linux_boot(spec());
    EXPECT_EQ(b.entry.pc, 0x4000'0000u);
    EXPECT_EQ(b.entry.pc, b.placement.kernel_entry);
    EXPECT_EQ(b.entry.x0, b.placement.dtb);
    EXPECT_EQ(b.kernel.bytes.size(), 64u << 10);
    EXPECT_EQ(b.initrd.size(), 300000u);
    EXPECT_EQ(chosen_str(b.dtb, "bootargs"), "console=ttyAMA0 bao_bench=qsort-small");
    EXPECT_EQ(chosen_u64(b.dtb, "linux,initrd-start"), b.placement.initrd_start);
    EXPECT_EQ(chosen_u64(b.dtb, "linux,initrd-end"), b.placement.initrd_start + 300000);
    EXPECT_LE(b.placement.dtb + b.dtb.size(), b.placement.initrd_start);
}

TEST(LinuxBoot, NoInitrd) {
    LinuxBootSpec s = spec();
    s.initrd.clear();
    LinuxBootImages b = prepare_linux_boot(s);
    EXPECT_TRUE(b.initrd.empty());
    EXPECT_EQ(chosen_u64(b.dtb, "linux,initrd-start"), 0u);
}

TEST(LinuxBoot, MissingOrEmptyFilesAreNamed) {
    LinuxBootSpec s = spec();
    s.initrd = "/nonexistent/initrd.gz";
    try {
        prepare_linux_boot(s);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open initrd"), std::string::npos) << e.what();
    }
    s = spec();
    s.initrd = write_file("empty", {});
    EXPECT_THROW(prepare_linux_boot(s), InputError);
    s = spec();
    s.kernel = "/nonexistent/Image";
    EXPECT_THROW(prepare_linux_boot(s), InputError);
    s = spec();
    s.initrd = write_file("big", std::vector<std::uint8_t>(62u << 20, 1)); // RAM is 64 MiB
    EXPECT_THROW(prepare_linux_boot(s), BootError);
}

TEST(LinuxBoot, UserDtbGetsChosenReplaced) {
    // The user's DT: ours with other bootargs and a stale initrd range.
    VmDeviceTreeSpec dt;
    dt.memory = {{0x4000'0000, 64u << 20}};
    dt.mpidr = {0, 1};
    dt.bootargs = "stale";
    dt.initrd_start = 0x1000;
    dt.initrd_end = 0x2000;
    LinuxBootSpec s = spec();
    s.dtb = write_file("user.dtb", build_device_tree(dt));
    LinuxBootImages b = prepare_linux_boot(s);
    EXPECT_EQ(chosen_str(b.dtb, "bootargs"), s.bootargs);
    EXPECT_EQ(chosen_u64(b.dtb, "linux,initrd-start"), b.placement.initrd_start);
    EXPECT_GE(fdt_path_offset(b.dtb.data(), "/cpus/cpu@1"), 0); // the user's nodes kept
    s.initrd.clear();
    b = prepare_linux_boot(s);
    EXPECT_EQ(chosen_u64(b.dtb, "linux,initrd-start"), 0u) << "stale initrd range removed";
}

TEST(LinuxBoot, UserDtbWithoutChosenGetsOne) {
    std::vector<std::uint8_t> blob(4096);
    ASSERT_EQ(fdt_create_empty_tree(blob.data(), static_cast<int>(blob.size())), 0);
    std::vector<std::uint8_t> done = complete_user_dtb(blob, "quiet", 0x5000, 0x6000, false);
    EXPECT_EQ(chosen_str(done, "bootargs"), "quiet");
    EXPECT_EQ(chosen_u64(done, "linux,initrd-end"), 0x6000u);
}

TEST(LinuxBoot, NotADtbIsNamed) {
    LinuxBootSpec s = spec();
    s.dtb = write_file("junk.dtb", std::vector<std::uint8_t>(100, 0xd0));
    try {
        prepare_linux_boot(s);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::not_device_tree);
    }
    EXPECT_THROW(complete_user_dtb({1, 2, 3}, "", 0, 0, false), BootError);
}

// A user DTB is untrusted input: libfdt's read-write functions assume a
// well-formed blob. Mutating one found a header whose memory reservation map
// lay inside the structure block; complete_user_dtb then corrupted the heap
// (glibc aborted: munmap_chunk(): invalid pointer).
std::vector<std::uint8_t> user_blob() {
    VmDeviceTreeSpec dt;
    dt.memory = {{0x4000'0000, 64u << 20}};
    dt.mpidr = {0};
    return build_device_tree(dt);
}
void set_header_word(std::vector<std::uint8_t>& blob, unsigned word, std::uint32_t value) {
    const std::uint32_t be = cpu_to_fdt32(value);
    std::memcpy(blob.data() + 4 * word, &be, 4);
}
std::uint32_t header_word(const std::vector<std::uint8_t>& blob, unsigned word) {
    std::uint32_t be = 0;
    std::memcpy(&be, blob.data() + 4 * word, 4);
    return fdt32_to_cpu(be);
}

TEST(LinuxBoot, UserDtbWithOverlappingBlocksIsRefused) {
    // The crash's own damage (off_mem_rsvmap inside the structure block):
    // libfdt's full check refuses it.
    std::vector<std::uint8_t> blob = user_blob();
    const std::uint32_t dt_struct = fdt_off_dt_struct(blob.data());
    set_header_word(blob, 4, dt_struct + 240);
    EXPECT_THROW(complete_user_dtb(blob, "quiet", 0x5000, 0x6000, false), BootError);
    // One libfdt's check passes: a map of no entries read 15 bytes before
    // the structure block, ending inside it.
    blob = user_blob();
    set_header_word(blob, 4, dt_struct - 15);
    try {
        complete_user_dtb(blob, "quiet", 0x5000, 0x6000, false);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::not_device_tree);
        EXPECT_STREQ(e.what(), "not a valid flattened device tree blob: its memory reservation "
                               "map [0x29, 0x39) overlaps its structure block [0x38, 0x480)")
            << e.what();
    }
}

// Every header field damaged in several ways: a named error or a blob libfdt
// fully accepts, never memory damage (the ASan pass runs this test).
TEST(LinuxBoot, DamagedUserDtbHeadersAreRefusedOrRepaired) {
    const std::vector<std::uint8_t> good = user_blob();
    for (unsigned word = 1; word < 10; ++word) {
        const std::uint32_t v = header_word(good, word);
        for (const std::uint32_t bad : {0u, ~0u, v + 4, v - 4, v + 0x100, v / 2, v + 1}) {
            std::vector<std::uint8_t> blob = good;
            set_header_word(blob, word, bad);
            try {
                const std::vector<std::uint8_t> out = complete_user_dtb(blob, "quiet", 0, 0, false);
                EXPECT_EQ(fdt_check_full(out.data(), out.size()), 0) << word << " = " << bad;
            } catch (const BootError&) {
            }
        }
    }
}

// A kernel that could not drive the machine's GIC is refused before the
// boot rather than hanging in it: a GICv3-only kernel on a GICv2 machine and
// a GICv2-only one on a GICv3 machine.
TEST(LinuxBoot, KernelWithoutTheMachinesGicDriverIsNamed) {
    for (const bool gic_v3 : {false, true}) {
        LinuxBootSpec s = spec();
        s.vm.gic_v3 = gic_v3;
        s.kernel = write_file("Image-other-gic-only", image(gic_v3, !gic_v3));
        try {
            prepare_linux_boot(s);
            FAIL() << "no error";
        } catch (const BootError& e) {
            EXPECT_EQ(e.kind(), BootErrorKind::wrong_gic);
            const std::string expected = gic_v3 ? "has no GICv3 driver" : "has no GICv2 driver";
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
        s.kernel = write_file("Image-both", image(true, true));
        EXPECT_NO_THROW(prepare_linux_boot(s)) << "gic_v3 " << gic_v3;
    }
    // "arm,cortex-a15-gic" must be a whole string, not a prefix of another.
    LinuxBootSpec s = spec();
    auto b = image(false, true);
    static const char longer[] = "arm,cortex-a15-gicx";
    std::memcpy(&b[1000], longer, sizeof longer);
    s.kernel = write_file("Image-prefix", b);
    EXPECT_THROW(prepare_linux_boot(s), BootError);
}

std::vector<std::uint8_t> dtb_with_gic(const char* compatible) {
    std::vector<std::uint8_t> blob(4096);
    EXPECT_EQ(fdt_create_empty_tree(blob.data(), static_cast<int>(blob.size())), 0);
    const int intc = fdt_add_subnode(blob.data(), 0, "intc@8000000");
    EXPECT_GE(intc, 0);
    EXPECT_EQ(fdt_setprop_string(blob.data(), intc, "compatible", compatible), 0);
    fdt_pack(blob.data());
    blob.resize(fdt_totalsize(blob.data()));
    return blob;
}

// A user's DTB must describe the machine's GIC: a GICv3 on a GICv2 machine,
// or a GICv2 (GIC-400 here) on a GICv3 machine, is named; the right one boots.
TEST(LinuxBoot, UserDtbDescribingTheOtherGicIsNamed) {
    for (const bool gic_v3 : {false, true}) {
        LinuxBootSpec s = spec();
        s.vm.gic_v3 = gic_v3;
        s.dtb = write_file("other.dtb", dtb_with_gic(gic_v3 ? "arm,gic-400" : "arm,gic-v3"));
        try {
            prepare_linux_boot(s);
            FAIL() << "no error";
        } catch (const BootError& e) {
            EXPECT_EQ(e.kind(), BootErrorKind::wrong_gic);
            const std::string expected =
                gic_v3 ? "/intc@8000000 is a GICv2: the VM's interrupt controller is the "
                         "machine's GICv3"
                       : "/intc@8000000 is a GICv3: the VM's interrupt controller is the "
                         "machine's GICv2";
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
        s.dtb = write_file("same.dtb", dtb_with_gic(gic_v3 ? "arm,gic-v3" : "arm,gic-400"));
        EXPECT_NO_THROW(prepare_linux_boot(s)) << "gic_v3 " << gic_v3;
        // Our own DT passes the same check.
        s.dtb.clear();
        EXPECT_NO_THROW(check_dtb_gic(prepare_linux_boot(s).dtb, gic_v3));
        EXPECT_THROW(check_dtb_gic(prepare_linux_boot(s).dtb, !gic_v3), BootError);
    }
}

// The boot protocol allows a DTB of at most 2 MiB: a user's file beyond it,
// or one that bootargs push beyond it, is does_not_fit.
TEST(LinuxBoot, UserDtbThatDoesNotFitIsNamed) {
    std::vector<std::uint8_t> big((2u << 20) + 4096);
    ASSERT_EQ(fdt_create_empty_tree(big.data(), static_cast<int>(big.size())), 0);
    void* padding = nullptr;
    ASSERT_EQ(fdt_setprop_placeholder(big.data(), 0, "padding", (2u << 20) + 1024, &padding), 0);
    std::memset(padding, 0, (2u << 20) + 1024);
    big.resize(fdt_totalsize(big.data()));
    LinuxBootSpec s = spec();
    s.dtb = write_file("big.dtb", big);
    try {
        prepare_linux_boot(s);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::does_not_fit);
        EXPECT_NE(std::string(e.what()).find("larger than the 2 MiB"), std::string::npos)
            << e.what();
    }
    std::vector<std::uint8_t> small(4096);
    ASSERT_EQ(fdt_create_empty_tree(small.data(), static_cast<int>(small.size())), 0);
    try {
        complete_user_dtb(small, std::string(2u << 20, 'x'), 0, 0, false);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::does_not_fit) << e.what();
    }
}

} // namespace
} // namespace sim::linux_boot
