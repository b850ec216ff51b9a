// Integration: the `hello` guest boots on 1 and 4 simulated cores, and the
// same run twice gives identical statistics.
#include "sim/cli.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <vector>

namespace sim {
namespace {

RunOptions hello(unsigned cores) {
    RunOptions o;
    o.config = "native";
    o.workload = "hello";
    o.cores = cores;
    o.workloads_dir = test::workloads_dir();
    return o;
}

class HelloBoot : public ::testing::TestWithParam<unsigned> {};

TEST_P(HelloBoot, EveryCoreGreetsAndCoreZeroPowersOff) {
    unsigned n = GetParam();
    std::ostringstream out;
    Simulation s(hello(n), &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok);
    EXPECT_EQ(r.reason, "system_off");
    EXPECT_EQ(test::missing_hello_lines(out.str(), n), "") << out.str();
    EXPECT_EQ(out.str().find("hello from core " + std::to_string(n)), std::string::npos);
    for (unsigned i = 0; i < n; ++i)
        EXPECT_GT(s.machine().stats(i).instructions, 100u) << "core " << i;
}

INSTANTIATE_TEST_SUITE_P(Cores, HelloBoot, ::testing::Values(1u, 4u));

using test::without_host_figures;

TEST(Determinism, SameRunTwiceGivesIdenticalStats) {
    std::string a, b;
    for (std::string* dst : {&a, &b}) {
        Simulation s(hello(4), nullptr);
        s.run();
        *dst = without_host_figures(s.stats_json());
    }
    EXPECT_EQ(a, b);
    EXPECT_NE(a.find("\"exit_reason\": \"system_off\""), std::string::npos);
}

TEST(Stats, JsonHasTheDocumentedKeys) {
    Simulation s(hello(2), nullptr);
    s.run();
    std::string j = s.stats_json();
    for (const char* key :
         {"\"exit_reason\"", "\"guest_insns\"", "\"host_seconds\"", "\"mips\"", "\"instructions\"",
          "\"cycles\"", "\"console\"", "\"config_hash\"", "\"version\""})
        EXPECT_NE(j.find(key), std::string::npos) << key;
    EXPECT_NE(j.find("[core1] hello from core 1\\n"), std::string::npos);
}

// One key per object (the writer does not check it): the file's lines are one
// key each, indented by nesting, so a key seen twice in the same open object
// is a duplicate.
TEST(Stats, JsonObjectsHaveNoDuplicateKeys) {
    RunOptions o = hello(2);
    o.config = "interf-col"; // hv mode, the memory model, several VMs and images
    o.cores.reset();
    Simulation s(o, nullptr);
    s.run();
    std::istringstream lines(s.stats_json());
    struct Open {
        bool object;
        std::set<std::string> keys;
    };
    std::vector<Open> open; // the containers open at this line
    for (std::string line; std::getline(lines, line);) {
        const size_t first = line.find_first_not_of(' ');
        if (first == std::string::npos)
            continue;
        if (line[first] == '}' || line[first] == ']') {
            ASSERT_FALSE(open.empty());
            open.pop_back();
            continue;
        }
        if (line[first] == '"') {
            const size_t end = line.find("\": ", first);
            if (end != std::string::npos && !open.empty() && open.back().object) {
                EXPECT_TRUE(open.back().keys.insert(line.substr(first, end - first + 1)).second)
                    << "duplicate key " << line;
            }
        }
        const char last = line.back() == ',' ? line[line.size() - 2] : line.back();
        if (last == '{' || last == '[')
            open.push_back({last == '{', {}});
    }
}

} // namespace
} // namespace sim
