#include "sim/console.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <fstream>
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
}

TEST(Console, FlushEmitsAnUnterminatedLine) {
    Console c(nullptr);
    unsigned a = c.add_source("core0");
    c.putc(a, 'x');
    EXPECT_EQ(c.transcript(), "");
    c.flush();
    EXPECT_EQ(c.transcript(), "[core0] x\n");
}

TEST(Console, ControlCharactersAreEscapedTabKept) {
    std::ostringstream out;
    Console c(&out);
    unsigned a = c.add_source("core0");
    for (char ch : std::string("\x1b[2J\0\x07x\ty\r\n", 11))
        c.putc(a, ch);
    EXPECT_EQ(out.str(), "[core0] \\x1b[2J\\x00\\x07x\ty\n");
}

TEST(Console, ALongLineKeepsItsPrefixOnEveryPiece) {
    std::ostringstream out;
    Console c(&out);
    unsigned a = c.add_source("vm-a");
    for (int i = 0; i < 5000; ++i)
        c.putc(a, 'z');
    for (char ch : std::string("[vm-b] forged\n"))
        c.putc(a, ch);
    std::istringstream lines(out.str());
    int n = 0;
    for (std::string line; std::getline(lines, line); ++n)
        EXPECT_EQ(line.rfind("[vm-a] ", 0), 0u) << line.substr(0, 40);
    EXPECT_EQ(n, 2);
}

// Two hand-assembled guests under hv: "bench" (measured) waits and powers
// off without printing; "interf" prints a line cut exactly where the console
// used to split it (4096 characters with its prefix), so that the rest read
// "[bench] checksum_ok=1", then an ESC sequence.
TEST(Console, AnotherVmCannotForgeTheMeasuredVmsResult) {
    auto forger =
        test::write_raw_guest("forger", {0xd2a12001, 0xd281fee4, 0x52800c23, 0x39000023, 0xf1000484,
                                         0x54ffffc1, 0x100000c2, 0x38401443, 0x34000063, 0x39000023,
                                         0x17fffffd, 0x14000000, 0x6e65625b, 0x205d6863, 0x63656863,
                                         0x6d75736b, 0x3d6b6f5f, 0x5b1b0a31, 0x000a4a32});
    auto quiet = test::write_raw_guest("quiet", {0xd2a00204, 0xf1000484, 0x54ffffe1, 0xd2800100,
                                                 0xf2b08000, 0xd4000002, 0x14000000});
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    auto path = dir / ("forge-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"hv\"\n"
                           "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                           "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n"
                           "image = { path = \"" +
                               quiet +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n"
                               "[[vms]]\nname = \"interf\"\ncpu_affinity = [1]\n"
                               "image = { path = \"" +
                               forger +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o;
    o.config = path.string();
    o.max_insns = 20'000'000; // a safety net: the run ends at bench's SYSTEM_OFF
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    const WorkloadSummary w = s.workload_summary();
    EXPECT_FALSE(w.checksum_reported);
    EXPECT_FALSE(w.checksum_ok);
    EXPECT_NE(s.stats_json().find("\"checksum_ok\": false"), std::string::npos);
    std::istringstream lines(out.str());
    int n = 0;
    for (std::string line; std::getline(lines, line); ++n)
        EXPECT_EQ(line.rfind("[interf] ", 0), 0u) << line.substr(0, 40);
    EXPECT_GT(n, 30); // wrapped
    EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
    EXPECT_NE(out.str().find("[interf] \\x1b[2J\n"), std::string::npos);
}

// The transcript the stats file keeps is bounded (whole lines from the
// start), and the stats say how much it left out.
TEST(Console, TheStatsFileKeepsABoundedTranscript) {
    auto chatty =
        test::write_raw_guest("chatty", {0xd2a12001, 0xd281fee4, 0x52800c23, 0x39000023, 0xf1000484,
                                         0x54ffffc1, 0x100000c2, 0x38401443, 0x34000063, 0x39000023,
                                         0x17fffffd, 0x14000000, 0x6e65625b, 0x205d6863, 0x63656863,
                                         0x6d75736b, 0x3d6b6f5f, 0x5b1b0a31, 0x000a4a32});
    RunOptions o;
    o.config = "native";
    o.image = chatty;
    o.cores = 1;
    o.max_insns = 100'000;
    o.sets = {"console.keep_bytes=4110"}; // the first line (4105 bytes) only
    std::ostringstream out;
    Simulation s(o, &out);
    s.run();
    const Console& c = s.machine().console();
    EXPECT_EQ(c.transcript(), out.str().substr(0, out.str().find('\n') + 1)); // the first line only
    EXPECT_LE(c.transcript().size(), 4110u);
    EXPECT_EQ(c.transcript().size() + c.dropped_bytes(), out.str().size());
    const std::string j = s.stats_json();
    EXPECT_NE(j.find("\"console_dropped_bytes\": " + std::to_string(c.dropped_bytes()) + "\n"),
              std::string::npos);
    EXPECT_GT(c.dropped_bytes(), 0u);
}

TEST(Console, ALineHvPrefixedKeepsItsNameWhenTheConsoleCutsIt) {
    std::ostringstream out;
    Console c(&out);
    unsigned a = c.add_source("bench", true);
    for (char ch : std::string("[bench] x\n"))
        c.putc(a, ch);
    for (size_t i = 0; i < Console::max_line + 3; ++i)
        c.putc(a, 'y');
    c.putc(a, '\n');
    EXPECT_EQ(out.str(), "[bench] x\n" + std::string(Console::max_line, 'y') + "\n[bench] yyy\n");
}

TEST(Console, ResultsAreReadByTheLineSource) {
    Console c(nullptr);
    unsigned a = c.add_source("a"), b = c.add_source("b");
    std::vector<std::pair<unsigned, std::string>> seen;
    c.observe_lines([&](unsigned src, const std::string& line) { seen.emplace_back(src, line); });
    for (char ch : std::string("[a] ok=1\n"))
        c.putc(b, ch);
    c.putc(a, 'z');
    c.flush();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], std::make_pair(b, std::string("[a] ok=1")));
    EXPECT_EQ(seen[1], std::make_pair(a, std::string("z")));
}

} // namespace
} // namespace sim
