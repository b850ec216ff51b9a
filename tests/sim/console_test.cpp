#include "sim/console.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sim {
namespace {

TEST(Console, InterleavedCharactersFromTwoSourcesStayOnTheirLines) {
    std::ostringstream out;
    Console c(&out);
    unsigned a = c.add_source("vm-a"), b = c.add_source("vm-b");
    for (char ch : std::string("hi\n"))
        c.putc(a, ch), c.putc(b, static_cast<char>(ch == '\n' ? '\n' : ch + 1));
    EXPECT_EQ(out.str(), "[vm-a] hi\n[vm-b] ij\n");
    EXPECT_EQ(c.transcript(), out.str());
    EXPECT_EQ(c.text_of(b), "ij\n");
}

TEST(Console, FlushEmitsAnUnterminatedLine) {
    Console c(nullptr);
    unsigned a = c.add_source("core0");
    c.putc(a, 'x');
    EXPECT_EQ(c.transcript(), "");
    c.flush();
    EXPECT_EQ(c.transcript(), "[core0] x\n");
}

} // namespace
} // namespace sim
