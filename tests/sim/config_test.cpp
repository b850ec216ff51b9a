#include "sim/config.h"
#include "sim/error.h"

#include <gtest/gtest.h>

namespace sim {
namespace {

std::string error_of(const std::string& toml) {
    try {
        parse_config(toml, "test.toml", "");
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

const char* minimal = R"(
mode = "native"
[[vms]]
name = "bench"
measured = true
image = { workload = "hello" }
)";

TEST(Config, MinimalNativeConfigGetsPlatformDefaults) {
    RunConfig rc = parse_config(minimal, "test.toml", "");
    EXPECT_EQ(rc.hv.mode, hv::Mode::Native);
    EXPECT_EQ(rc.machine.cores, 4u);
    EXPECT_EQ(rc.machine.ram_base, 0x40000000u);
    EXPECT_EQ(rc.hv.platform.gic.gicd, 0x08000000u);
    EXPECT_EQ(rc.hv.platform.l2.num_colors(), 16u);
    EXPECT_EQ(rc.measured_vm(), 0);
    EXPECT_EQ(rc.images[0].workload, "hello");
}

TEST(Config, UnknownKeyIsNamedWithTheKnownOnes) {
    std::string e = error_of(std::string(minimal) + "colour = [1]\n");
    EXPECT_EQ(e, "vms[0]: unknown key 'colour' (known: colors, cpu_affinity, devs, image, ipcs, "
                 "measured, name, params, regions)");
}

TEST(Config, BadModeAndMissingImage) {
    EXPECT_EQ(error_of("mode = \"bare\"\n[[vms]]\nimage={workload=\"x\"}\n"),
              "mode: 'bare' is not one of native, hv");
    EXPECT_EQ(error_of("mode = \"native\"\n[[vms]]\nname=\"a\"\n"), "vms[0].image: missing");
    EXPECT_EQ(error_of("mode = \"native\"\n"), "test.toml: no [[vms]] entry: a configuration needs at least one VM");
}

TEST(Config, SyntaxErrorNamesLine) {
    EXPECT_NE(error_of("mode = \n").find("test.toml:1:"), std::string::npos);
}

TEST(Config, ColorsAndCpusBecomeBitmasks) {
    RunConfig rc = parse_config(std::string(minimal) + "cpu_affinity = [1, 2]\ncolors = [0, 3]\n", "t", "");
    EXPECT_EQ(rc.hv.vms[0].cpu_affinity, 0b110u);
    EXPECT_EQ(rc.hv.vms[0].colors, 0b1001u);
    EXPECT_EQ(error_of(std::string(minimal) + "colors = [64]\n"), "vms[0].colors: 64 is out of range (0-63)");
}

TEST(Config, ModelParametersAreSetByNameAndChecked) {
    RunConfig rc = parse_config(std::string(minimal) + "[model]\nquantum_cycles = 600\n", "t", "");
    EXPECT_EQ(rc.machine.quantum_cycles, 600u);
    EXPECT_THROW(set_model_param(rc, "l9.size", "1"), InputError);
    EXPECT_THROW(set_model_param(rc, "quantum_cycles", "0"), InputError);
}

TEST(Config, NativePresetIsEmbedded) {
    RunConfig rc = load_config("native");
    EXPECT_EQ(rc.hv.mode, hv::Mode::Native);
    EXPECT_FALSE(rc.description.empty());
}

TEST(Config, UnknownPresetListsTheKnownOnes) {
    try {
        load_config("natve");
        FAIL();
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("unknown config 'natve': not a preset ("), std::string::npos) << what;
        for (const char* p : {"native", "solo", "solo-col", "interf", "interf-col"})
            EXPECT_NE(what.find(p), std::string::npos) << p;
    }
}

} // namespace
} // namespace sim
