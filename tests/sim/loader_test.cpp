#include "sim/error.h"
#include "sim/loader.h"
#include "sim/phys_mem.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>

namespace sim {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

// A minimal ELF64 with one PT_LOAD segment (`code` at paddr) and entry.
std::vector<uint8_t> make_elf(uint16_t machine, uint64_t entry, uint64_t paddr,
                              const std::vector<uint8_t>& code, uint64_t memsz) {
    std::vector<uint8_t> b(64 + 56 + code.size());
    auto put = [&](size_t off, auto v) { std::memcpy(b.data() + off, &v, sizeof v); };
    std::memcpy(b.data(),
                "\x7f"
                "ELF",
                4);
    b[4] = 2, b[5] = 1, b[6] = 1;
    put(16, uint16_t{2});
    put(18, machine);
    put(20, uint32_t{1});
    put(24, entry);
    put(32, uint64_t{64}); // phoff
    put(52, uint16_t{64});
    put(54, uint16_t{56});
    put(56, uint16_t{1});
    size_t ph = 64;
    put(ph, uint32_t{1}); // PT_LOAD
    put(ph + 8, uint64_t{120});
    put(ph + 16, paddr + 0x1000000); // vaddr differs: the loader must use paddr
    put(ph + 24, paddr);
    put(ph + 32, uint64_t(code.size()));
    put(ph + 40, memsz);
    std::memcpy(b.data() + 120, code.data(), code.size());
    return b;
}

std::string write_file(const std::string& name, const std::vector<uint8_t>& bytes) {
    auto path = std::filesystem::temp_directory_path() /
                ("bao-sim-" + name + "-" + std::to_string(getpid()));
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path.string();
}

TEST(Loader, RawImageLoadsAtItsAddressAndEntersThere) {
    auto path = test::write_raw_guest("raw", {0x11111111, 0x22222222});
    GuestImage img = read_guest_image(path, 0x40080000);
    EXPECT_FALSE(img.is_elf);
    EXPECT_EQ(img.entry, 0x40080000u);
    EXPECT_EQ(img.footprint(), 8u);
    PhysicalMemory m(0x40000000, 0x100000);
    place_image(img, m);
    uint32_t w = 0;
    m.read(0x40080004, &w, 4);
    EXPECT_EQ(w, 0x22222222u);
}

TEST(Loader, ElfSegmentsGoToPhysicalAddressesWithBssZeroed) {
    auto path = write_file("ok.elf", make_elf(183, 0x40000010, 0x40000000, {1, 2, 3, 4}, 0x2000));
    GuestImage img = read_guest_image(path, 0);
    EXPECT_TRUE(img.is_elf);
    EXPECT_EQ(img.entry, 0x40000010u);
    EXPECT_EQ(img.lowest(), 0x40000000u);
    EXPECT_EQ(img.highest(), 0x40002000u);
    PhysicalMemory m(0x40000000, 0x100000);
    uint8_t junk = 0xff;
    m.write(0x40001000, &junk, 1);
    place_image(img, m);
    EXPECT_EQ(*m.host(0x40000003), 4);
    EXPECT_EQ(*m.host(0x40001000), 0); // memsz beyond filesz is zero-filled
}

TEST(Loader, MissingImageIsNamed) {
    EXPECT_EQ(error_of([] { read_guest_image("/nonexistent/guest.elf", 0); }),
              "cannot open guest image '/nonexistent/guest.elf': No such file or directory");
}

TEST(Loader, ElfForAnotherArchitectureIsRejected) {
    auto path = write_file("x86.elf", make_elf(62, 0, 0x40000000, {0}, 1));
    EXPECT_NE(error_of([&] {
                  read_guest_image(path, 0);
              }).find("is an ELF for another architecture (e_machine 62, expected AArch64 = 183)"),
              std::string::npos);
}

TEST(Loader, OversizedFileIsRejectedBeforeReading) {
    auto path =
        std::filesystem::temp_directory_path() / ("bao-sim-huge-" + std::to_string(getpid()));
    { std::ofstream(path).put('x'); }
    std::filesystem::resize_file(path, max_image_file_size + 1); // sparse: costs no disk
    EXPECT_NE(error_of([&] { read_guest_image(path.string(), 0); }).find("is too large"),
              std::string::npos);
    std::filesystem::remove(path);
}

TEST(Loader, ImageOutsideRamDoesNotFit) {
    auto path = test::write_raw_guest("far", {0, 0, 0, 0});
    GuestImage img = read_guest_image(path, 0x400ffffc);
    PhysicalMemory m(0x40000000, 0x100000);
    EXPECT_NE(error_of([&] {
                  place_image(img, m);
              }).find("does not fit in RAM: segment at 0x400ffffc of 16 bytes"),
              std::string::npos);
}

TEST(Loader, TruncatedElfIsAnErrorNotACrash) {
    auto bytes = make_elf(183, 0, 0x40000000, {1, 2, 3, 4}, 4);
    bytes.resize(100); // cuts the program header
    auto path = write_file("trunc.elf", bytes);
    EXPECT_NE(error_of([&] { read_guest_image(path, 0); }).find("truncated ELF"),
              std::string::npos);
}

TEST(Loader, ImageSpecAndSizes) {
    EXPECT_EQ(parse_image_spec("g.bin@0x40080000").second.value(), 0x40080000u);
    EXPECT_FALSE(parse_image_spec("g.bin").second.has_value());
    EXPECT_EQ(parse_size("32M", "x"), 32u << 20);
    EXPECT_EQ(parse_size("0x1000", "x"), 0x1000u);
    EXPECT_EQ(error_of([] { parse_size("12Q", "--mem"); }),
              "--mem: '12Q' has an unknown suffix 'Q'");
}

// Numbers are decimal or 0x hex, never signed, octal, padded or wrapped
// (std::stoull(text, &pos, 0) turned "-1" into 2^64-1 and "010" into 8).
TEST(Loader, NumbersAreStrict) {
    EXPECT_EQ(parse_size("0", "x"), 0u);
    EXPECT_EQ(parse_size("10", "x"), 10u);
    EXPECT_EQ(parse_size("0X1f", "x"), 0x1fu);
    EXPECT_EQ(parse_size("4k", "x"), 4096u);
    EXPECT_EQ(parse_size("0x10KiB", "x"), 16u << 10);
    EXPECT_EQ(parse_size("18446744073709551615", "x"), UINT64_MAX);
    EXPECT_EQ(error_of([] { parse_size("-1", "q"); }), "q: '-1' has a sign (numbers are unsigned)");
    EXPECT_EQ(error_of([] { parse_size("+5", "q"); }), "q: '+5' has a sign (numbers are unsigned)");
    EXPECT_EQ(error_of([] { parse_size("010", "q"); }),
              "q: '010' has a leading zero (write decimal or 0x hex; octal is not accepted)");
    EXPECT_EQ(error_of([] { parse_size(" 5", "q"); }), "q: ' 5' is not a number");
    EXPECT_EQ(error_of([] { parse_size("0x", "q"); }), "q: '0x' is not a number");
    EXPECT_EQ(error_of([] { parse_size("5 ", "q"); }), "q: '5 ' has an unknown suffix ' '");
    EXPECT_EQ(error_of([] { parse_size("18446744073709551616", "q"); }),
              "q: '18446744073709551616' does not fit in 64 bits");
    EXPECT_EQ(error_of([] { parse_size("0x10000000000000000", "q"); }),
              "q: '0x10000000000000000' does not fit in 64 bits");
    EXPECT_EQ(error_of([] { parse_size("17179869184G", "q"); }),
              "q: '17179869184G' does not fit in 64 bits");
    EXPECT_EQ(error_of([] { parse_size("", "q"); }), "q: empty number");
}

} // namespace
} // namespace sim
