// The string scans the integration tests compare statistics with
// (stats_text.h): they must cut exactly the host's figures, or a test that
// compares two runs would pass on nothing or fail on the host's speed.
#include "stats_text.h"

#include <gtest/gtest.h>

namespace sim::test {
namespace {

TEST(StatsText, CutsEveryHostFigureAndNothingElse) {
    const std::string json = "{\n  \"sim\": {\n    \"cycles\": 12,\n    \"host_seconds\": 0.25,\n"
                             "    \"mips\": 31.5\n  },\n  \"linux\": {\"init_host_seconds\": 2e-3, "
                             "\"init_cycles\": 7},\n  \"text\": \"Host_seconds\": 1\n}";
    EXPECT_EQ(without_host_figures(json),
              "{\n  \"sim\": {\n    \"cycles\": 12,\n    ,\n    \n  },\n  \"linux\": {, "
              "\"init_cycles\": 7},\n  \"text\": \"Host_seconds\": 1\n}");
    EXPECT_EQ(without_host_figures("{\"cycles\": 3}"), "{\"cycles\": 3}");
    EXPECT_EQ(without_host_figures("\"mips\": 9"), "");
}

TEST(StatsText, ReadsTheLatencyMeanOnlyWithTheExpectedSamples) {
    const std::string json =
        "{\"irq_latency_ns\": {\n  \"samples\": 50,\n  \"mean\": 1021.5,\n  \"std\": 3}}";
    EXPECT_EQ(irq_latency_mean(json, 50), 1021.5);
    EXPECT_EQ(irq_latency_mean(json, 1000), std::nullopt);
    EXPECT_EQ(irq_latency_mean("{\"irq_latency_ns\": {\"samples\": 50}, \"mean\": 3}", 50),
              std::nullopt);
    EXPECT_EQ(irq_latency_mean("{}", 50), std::nullopt);
    EXPECT_EQ(number_after("a 12 cycles", "a "), 12.0);
    EXPECT_EQ(number_after("a x", "a "), std::nullopt);
}

} // namespace
} // namespace sim::test
