// Integration: guests on the GICv3 platform (gic.version = 3). hello and
// irqlat run natively (the guest's ICC_* system registers reach the model's
// CPU interface) and under hv (its vGICv3 over ICH_LR; the guest's ICC_*
// reach ICV_*); the Bao-style test guest (workloads/baoguest: redistributor
// wake-up, timer PPI 27, an SGI ring by trapped ICC_SGI1R_EL1) runs in a
// 4-vCPU VM with each vCPU's lines in the order the QEMU test expects, and
// two runs give identical statistics.
#include "sim/simulation.h"

#include "guest_files.h"
#include "stats_text.h"

#include <algorithm>
#include <cctype>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <vector>

namespace sim {
namespace {

RunOptions on_gicv3(const std::string& config, const std::string& workload) {
    RunOptions o;
    o.config = config;
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    o.sets = {"gic.version=3"};
    return o;
}

TEST(GicV3Runs, HelloNativelyAndUnderHv) {
    for (const char* config : {"native", "solo"}) {
        std::ostringstream out;
        Simulation s(on_gicv3(config, "hello"), &out);
        const RunOutcome r = s.run();
        EXPECT_EQ(r.code, ExitCode::ok) << config << ": " << r.detail << "\n" << out.str();
        EXPECT_NE(out.str().find("hello from core 0\n"), std::string::npos) << out.str();
    }
    // Natively every core greets: PSCI CPU_ON and the SGIs the runtime waits on.
    std::ostringstream out;
    Simulation s(on_gicv3("native", "hello"), &out);
    s.run();
    for (const char* line : {"hello from core 1\n", "hello from core 2\n", "hello from core 3\n"})
        EXPECT_NE(out.str().find(line), std::string::npos) << line << out.str();
}

double irqlat_mean(const std::string& config) {
    Simulation s(on_gicv3(config, "irqlat-quick"), nullptr);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << config << ": " << r.detail;
    const std::string j = s.stats_json();
    const std::optional<double> mean = test::irq_latency_mean(j, 50);
    EXPECT_TRUE(mean.has_value()) << j;
    return mean.value_or(0.0);
}

// The same bounds as the GICv2 platform's (interrupts_test.cpp): the timer
// interrupt reaches the guest directly natively, and through hv's
// list registers under hv.
TEST(GicV3Runs, IrqlatNativelyAndUnderHv) {
    const double native = irqlat_mean("native");
    const double solo = irqlat_mean("solo");
    EXPECT_GT(native, 150.0);
    EXPECT_LT(native, 300.0);
    EXPECT_GT(solo, native + 400.0);
}

RunOptions baoguest() {
    RunOptions o;
    o.config =
        std::string(BAO_SOURCE_DIR) + "/hv/arch/armv8/target/configs/real-baoguest-gicv3.toml";
    o.workloads_dir = test::workloads_dir();
    return o;
}

// Each vCPU's lines, in order, keyed by "cpuN" (as the QEMU test compares them).
std::map<std::string, std::vector<std::string>> lines_by_cpu(const std::string& text) {
    std::map<std::string, std::vector<std::string>> by_cpu;
    // "[bao] cpuN: text", anywhere in a line
    for (size_t at = 0; (at = text.find("[bao] cpu", at)) != std::string::npos;) {
        const size_t name = at + 6, digits = at + 9;
        size_t colon = digits;
        while (colon < text.size() && std::isdigit(static_cast<unsigned char>(text[colon])))
            ++colon;
        at = digits;
        if (colon == digits || text.compare(colon, 2, ": ") != 0)
            continue;
        const size_t end = std::min(text.find('\n', colon), text.size());
        by_cpu[text.substr(name, colon - name)].push_back(text.substr(colon + 2, end - colon - 2));
        at = end;
    }
    return by_cpu;
}

TEST(GicV3Runs, BaoStyleGuestInAFourVcpuVm) {
    std::ostringstream out;
    Simulation s(baoguest(), &out);
    const RunOutcome r = s.run();
    ASSERT_EQ(r.code, ExitCode::ok) << r.detail << "\n" << out.str();
    const auto by_cpu = lines_by_cpu(out.str());
    ASSERT_EQ(by_cpu.size(), 4u) << out.str();
    for (unsigned c = 0; c < 4; ++c) {
        std::vector<std::string> expect;
        if (c == 0)
            expect = {"Bao-style test guest, GICv3", "4 cpus"};
        for (const char* l : {"up", "timer tick 1", "timer tick 2", "timer tick 3", "ipi round 1",
                              "ipi round 2", "done"})
            expect.push_back(l);
        if (c == 0)
            expect.push_back("all 4 cpus done");
        EXPECT_EQ(by_cpu.at("cpu" + std::to_string(c)), expect) << "cpu" << c << "\n" << out.str();
    }
}

TEST(GicV3Runs, BaoStyleGuestRunsAreIdentical) {
    std::string a, b;
    for (std::string* dst : {&a, &b}) {
        Simulation s(baoguest(), nullptr);
        s.run();
        *dst = test::without_host_figures(s.stats_json());
    }
    EXPECT_EQ(a, b);
}

} // namespace
} // namespace sim
