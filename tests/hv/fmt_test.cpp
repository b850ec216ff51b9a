#include <gtest/gtest.h>

#include "hv/lib/fmt.h"

TEST(Fmt, FormatsDecimalHexAndStrings) {
    char buf[64];
    hv::Fmt f(buf, sizeof buf);
    f << "a " << 0u << " " << 1234567890123ull << " " << -42 << " " << hv::Hex{0x40001000} << " "
      << hv::Hex{0} << " " << 'z';
    EXPECT_STREQ(buf, "a 0 1234567890123 -42 0x40001000 0x0 z");
}

TEST(Fmt, TruncatesAndTerminates) {
    char buf[8];
    hv::Fmt f(buf, sizeof buf);
    f << "0123456789";
    EXPECT_STREQ(buf, "0123...") << "what was cut is marked, not silently dropped";
    EXPECT_EQ(f.size(), 7u);
    char exact[8];
    hv::Fmt(exact, sizeof exact) << "0123456"; // fits: nothing cut
    EXPECT_STREQ(exact, "0123456");
}

TEST(Fmt, HandlesInt64Min) {
    char buf[32];
    hv::Fmt(buf, sizeof buf) << static_cast<std::int64_t>(INT64_MIN);
    EXPECT_STREQ(buf, "-9223372036854775808");
}
