// Integration: interrupts end to end in the simulator. The real-image demo
// (configs/real-ipc.toml) runs unchanged: both VMs take virtual-timer
// interrupts through hv's vGIC and pong receives ping's IPC notification.
#include "sim/simulation.h"

#include "guest_files.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sim {
namespace {

RunOptions real_ipc() {
    RunOptions o;
    o.config = "real-ipc";
    o.workloads_dir = test::workloads_dir();
    return o;
}

TEST(Interrupts, TimerAndIpcNotificationReachTheirVms) {
    std::ostringstream out;
    Simulation s(real_ipc(), &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail << "\n" << out.str();
    // The same lines the QEMU boot test expects, in order per VM.
    const std::string text = out.str();
    size_t at = 0;
    for (const char* line : {"[ping] ping: hello\n", "[ping] ping: 3 timer interrupts\n",
                             "[ping] ping: notified pong (0)\n"}) {
        size_t found = text.find(line, at);
        ASSERT_NE(found, std::string::npos) << line << "\n" << text;
        at = found;
    }
    at = 0;
    for (const char* line : {"[pong] pong: hello\n", "[pong] pong: 3 timer interrupts\n",
                             "[pong] pong: IPC notification (irq 52): hello from ping\n"}) {
        size_t found = text.find(line, at);
        ASSERT_NE(found, std::string::npos) << line << "\n" << text;
        at = found;
    }
}

TEST(Interrupts, TwoRunsAreIdentical) {
    std::string a, b;
    for (std::string* dst : {&a, &b}) {
        Simulation s(real_ipc(), nullptr);
        s.run();
        *dst = test::without_host_figures(s.stats_json());
    }
    EXPECT_EQ(a, b);
}

} // namespace
} // namespace sim

namespace sim {
namespace {

struct Latency {
    double mean = 0;
    std::string raw;
};

// 20 of irqlat-quick's 50 samples (decision 36): the same orderings with
// about the same margins. Measured means, 20 against 50 samples (ns):
// native 232 / 230, solo 1164 / 1077, solo-col 1168 / 1078, interf-col
// 2771 / 2570, interf 6672 / 6273, interf-col-hypcol 1727 / 1298 (its cold
// first sample weighs more in 20).
Latency irqlat(const std::string& config) {
    RunOptions o;
    o.config = config;
    o.workload = "irqlat-quick";
    o.guest_params = {"0=20"};
    o.workloads_dir = test::workloads_dir();
    o.raw_samples = true;
    Simulation s(o, nullptr);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    std::string j = s.stats_json();
    Latency l;
    const std::optional<double> mean = test::irq_latency_mean(j, 20);
    EXPECT_TRUE(mean.has_value()) << j;
    l.mean = mean.value_or(l.mean);
    auto raw = j.find("\"raw\"");
    l.raw = raw == std::string::npos ? "" : j.substr(raw, j.find(']', raw) - raw);
    return l;
}

// The hypervisor's trap-and-reinject path adds to the native latency; both are
// calibrated (docs/timing-model.md), so this checks the path is really taken.
TEST(InterruptLatency, SoloExceedsNativeByTheReinjectionPath) {
    Latency native = irqlat("native");
    Latency solo = irqlat("solo");
    EXPECT_GT(native.mean, 150.0);
    EXPECT_LT(native.mean, 300.0);
    EXPECT_GT(solo.mean, native.mean + 400.0);
    EXPECT_FALSE(native.raw.empty());
}

TEST(InterruptLatency, SamplesAreIdenticalAcrossRuns) {
    Latency a = irqlat("solo");
    Latency b = irqlat("solo");
    EXPECT_EQ(a.raw, b.raw);
    EXPECT_EQ(a.mean, b.mean);
}

} // namespace
} // namespace sim

namespace sim {
namespace {

// The ordering of docs/design.md#check-latency-order. Uncolored interference evicts hv's and the
// guest's lines from the L2 between interrupts; with colors only hv's lines in
// the interfering VMs' colors go, and with hv colored too none do.
TEST(InterruptLatency, InterferenceRaisesItAndColoringHvLowersIt) {
    const double native = irqlat("native").mean;
    const double solo = irqlat("solo").mean;
    const double solo_col = irqlat("solo-col").mean;
    const double interf = irqlat("interf").mean;
    const double interf_col = irqlat("interf-col").mean;
    const double hypcol = irqlat("interf-col-hypcol").mean;
    // docs/design.md#check-latency-order: native < solo < interf-col < interf; and coloring hv too
    // brings interf-col back towards solo (published 1001 vs 906 ns).
    EXPECT_LT(native, solo);
    EXPECT_LT(solo, interf_col);
    EXPECT_LT(interf_col, interf);
    EXPECT_LT(hypcol, interf_col);
    // Issue 21's full ordering, as calibrated (published 222 < 906 ~ 905 <
    // 1001 < 2179 < 7322 ns): solo ~ solo-col (within 5 %) < hypcol. In the
    // model hypcol's margin over solo is mostly its first, cold sample (12830 against
    // 3970 ns in the 1000-sample run); after it the two are within a few ns
    // (docs/results.md, calibration).
    EXPECT_NEAR(solo_col, solo, 0.05 * solo);
    EXPECT_LT(solo, hypcol);
    EXPECT_LT(solo_col, hypcol);
}

} // namespace
} // namespace sim
