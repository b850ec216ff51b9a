// Model parameters by name (the --set key=value option) and their validation.
#include "sim/cache/config.hpp"
#include "sim/cache/hierarchy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace sim::cache {
namespace {

std::string error_of(HierarchyConfig& config, const std::string& assignment) {
    try {
        apply_setting(config, assignment);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(Config, DefaultsAreTheZcu104Values) {
    const HierarchyConfig config;
    EXPECT_EQ(config.l1i.size_bytes, 32u * 1024);
    EXPECT_EQ(config.l1i.ways, 2u);
    EXPECT_EQ(config.l1d.size_bytes, 32u * 1024);
    EXPECT_EQ(config.l1d.ways, 4u);
    EXPECT_EQ(config.l2.size_bytes, 1024u * 1024);
    EXPECT_EQ(config.l2.ways, 16u);
    EXPECT_EQ(config.l2.replacement, Replacement::random);
    EXPECT_EQ(config.l2.latency, 13u);
    EXPECT_EQ(config.line_bytes, 64u);
    EXPECT_EQ(config.tlb.l1d_entries, 10u);
    EXPECT_EQ(config.tlb.l2_entries, 512u);
    EXPECT_EQ(config.tlb.l2_ways, 4u);
    EXPECT_NO_THROW(validate(config));
}

TEST(Config, SetsFieldsByName) {
    HierarchyConfig config;
    set_config_field(config, "l2.ways", "8");
    apply_setting(config, "l2.size=512K");
    apply_setting(config, "l2.replacement=lru");
    apply_setting(config, "l1d.replacement=plru");
    apply_setting(config, "l2.allocation=on_fill");
    apply_setting(config, "mem.bandwidth=2.5");
    apply_setting(config, "mem.window=2400");
    apply_setting(config, "tlb.walk_cache.entries=64");
    apply_setting(config, "tlb.ipa_cache.entries=64");
    apply_setting(config, "seed=42");
    EXPECT_EQ(config.l2.ways, 8u);
    EXPECT_EQ(config.l2.size_bytes, 512u * 1024);
    EXPECT_EQ(config.l2.replacement, Replacement::lru);
    EXPECT_EQ(config.l1d.replacement, Replacement::plru);
    EXPECT_EQ(config.l2_allocation, L2Allocation::on_fill);
    EXPECT_DOUBLE_EQ(config.mem.bandwidth, 2.5);
    EXPECT_EQ(config.mem.window, 2400u);
    EXPECT_EQ(config.tlb.walk_cache_entries, 64u);
    EXPECT_EQ(config.tlb.ipa_cache_entries, 64u);
    EXPECT_EQ(config.seed, 42u);
    EXPECT_NO_THROW(validate(config));
}

TEST(Config, ArrivalsSelectTheQueueingFormula) {
    HierarchyConfig config;
    EXPECT_EQ(config.mem.arrivals, Arrivals::poisson);
    EXPECT_EQ(config.l2_arrivals, Arrivals::poisson);
    apply_setting(config, "mem.arrivals=bursts");
    apply_setting(config, "l2.arrivals=bursts");
    EXPECT_EQ(config.mem.arrivals, Arrivals::bursts);
    EXPECT_EQ(config.l2_arrivals, Arrivals::bursts);
    EXPECT_NE(error_of(config, "mem.arrivals=batch").find("'mem.arrivals'"), std::string::npos);
}

// The default since issue 21's calibration: a ZynqMP PS DDR4-2400's tRP + tRCD
// (17 + 17 clocks at 1200 MHz); 0 gives the model before.
TEST(Config, BankConflictCyclesDefaultToTheZynqMpRowConflict) {
    HierarchyConfig config;
    EXPECT_EQ(config.mem.bank_conflict_cycles, 34u);
    apply_setting(config, "mem.bank_conflict_cycles=0");
    EXPECT_EQ(config.mem.bank_conflict_cycles, 0u);
    apply_setting(config, "mem.bank_conflict_cycles=32");
    EXPECT_EQ(config.mem.bank_conflict_cycles, 32u);
    EXPECT_NE(error_of(config, "mem.bank_conflict_cycles=-1").find("'mem.bank_conflict_cycles'"),
              std::string::npos);
}

TEST(Config, UnknownKeyAndBadValuesNameTheKey) {
    HierarchyConfig config;
    EXPECT_NE(error_of(config, "l3.size=1M").find("unknown model parameter 'l3.size'"),
              std::string::npos);
    EXPECT_NE(error_of(config, "l2.ways=sixteen").find("'l2.ways'"), std::string::npos);
    EXPECT_NE(error_of(config, "l2.replacement=fifo").find("'l2.replacement'"), std::string::npos);
    EXPECT_NE(error_of(config, "mem.bandwidth=-1").find("'mem.bandwidth'"), std::string::npos);
    EXPECT_NE(error_of(config, "l2.size=1Q").find("'l2.size'"), std::string::npos);
    EXPECT_NE(error_of(config, "l2.ways").find("key=value"), std::string::npos);
}

TEST(Config, ValidationNamesTheOffendingKey) {
    HierarchyConfig config;
    config.l2.ways = 12; // 1 MiB / (12 x 64) is not a power of two
    try {
        validate(config);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("l2.size"), std::string::npos) << e.what();
    }
    config = HierarchyConfig{};
    config.tlb.ipa_cache_entries = 64;
    config.tlb.ipa_cache_ways = 3; // 64 entries do not divide into 3 ways
    try {
        validate(config);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("tlb.ipa_cache"), std::string::npos) << e.what();
    }
    config = HierarchyConfig{};
    config.cores = 0;
    EXPECT_THROW(Hierarchy{config}, std::invalid_argument);
}

TEST(Config, EveryFieldRoundTripsThroughItsKey) {
    HierarchyConfig original;
    original.l2.replacement = Replacement::lru;
    original.mem.bandwidth = 3.25;
    const auto fields = config_fields(original);
    EXPECT_GE(fields.size(), 25u);
    HierarchyConfig copy;
    for (const auto& [key, value] : fields) {
        set_config_field(copy, key, value);
    }
    EXPECT_EQ(config_fields(copy), fields);
}

} // namespace
} // namespace sim::cache
