#include "sim/phys_mem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace sim {
namespace {

TEST(PhysicalMemory, ContainsIsExactAtTheEdges) {
    PhysicalMemory m(0x40000000, 0x100000);
    EXPECT_TRUE(m.contains(0x40000000, 0x100000));
    EXPECT_TRUE(m.contains(0x400fffff, 1));
    EXPECT_FALSE(m.contains(0x400fffff, 2));
    EXPECT_FALSE(m.contains(0x3fffffff, 1));
    EXPECT_FALSE(m.contains(0x40000000, 0x100001));
    EXPECT_FALSE(m.contains(UINT64_MAX, 2)); // no wrap-around
}

TEST(PhysicalMemory, WriteAndReadAcrossPages) {
    PhysicalMemory m(0x40000000, 0x10000);
    std::vector<uint8_t> data(6000);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7);
    ASSERT_TRUE(m.write(0x40000ff0, data.data(), data.size()));
    std::vector<uint8_t> back(data.size());
    ASSERT_TRUE(m.read(0x40000ff0, back.data(), back.size()));
    EXPECT_EQ(data, back);
    EXPECT_EQ(*m.host(0x40000ff0), data[0]);
    EXPECT_FALSE(m.write(0x4000fff0, data.data(), 32));
    EXPECT_EQ(m.host(0x50000000), nullptr);
}

TEST(PhysicalMemory, RedirectedPageMovesItsBytesOnly) {
    PhysicalMemory m(0x40000000, 0x4000);
    alignas(4096) static uint8_t other[4096];
    std::memset(other, 0, sizeof other);
    m.redirect_page(0x40001000, other);
    uint32_t v = 0xdeadbeef;
    ASSERT_TRUE(m.write(0x40001ffe, &v, 4)); // straddles the redirected page and the next
    EXPECT_EQ(other[0xffe], 0xef);
    EXPECT_EQ(other[0xfff], 0xbe);
    EXPECT_EQ(*m.host(0x40002000), 0xad);
    EXPECT_EQ(m.host_range(0x40000ff0, 0x20), nullptr); // not contiguous on the host any more
    EXPECT_NE(m.host_range(0x40002000, 0x2000), nullptr);
}

// never_touched tells untouched RAM pages (zero, not to be read: a read
// faults them in) from the ones something read or wrote.
TEST(PhysicalMemory, NeverTouchedPagesAreTheOnesNothingReadOrWrote) {
    PhysicalMemory m(0x40000000, 16 * page_size);
    std::vector<uint8_t*> pages;
    for (uint64_t i = 0; i < 16; ++i)
        pages.push_back(m.host(0x40000000 + i * page_size));
    const std::vector<bool> before = never_touched(pages);
    ASSERT_EQ(before.size(), pages.size());
    if (std::none_of(before.begin(), before.end(), [](bool b) { return b; }))
        GTEST_SKIP() << "this host gives no /proc/self/pagemap";
    EXPECT_EQ(std::count(before.begin(), before.end(), true), 16);
    const uint8_t one = 1;
    ASSERT_TRUE(m.write(0x40000000 + 3 * page_size + 100, &one, 1));
    EXPECT_EQ(*static_cast<volatile uint8_t*>(pages[5] + 7), 0); // a read maps the page too
    const std::vector<bool> after = never_touched(pages);
    for (size_t i = 0; i < pages.size(); ++i)
        EXPECT_EQ(after[i], i != 3 && i != 5) << "page " << i;
    // Out of order, repeated, and from another buffer: each answered for itself.
    alignas(4096) static uint8_t other[2 * 4096];
    other[4096] = 1;
    const std::vector<bool> mixed = never_touched({pages[9], other + 4096, pages[3], pages[9]});
    EXPECT_EQ(mixed, (std::vector<bool>{true, false, false, true}));
}

TEST(PhysicalMemory, RejectsUnalignedGeometry) {
    EXPECT_THROW(PhysicalMemory(0x40000100, 0x1000), std::invalid_argument);
    EXPECT_THROW(PhysicalMemory(0x40000000, 0), std::invalid_argument);
}

} // namespace
} // namespace sim
