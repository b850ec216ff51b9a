// A hostile VM next to a measured victim (issue 12, docs/design.md#faults): the
// attacker takes UDF, SVC, BRK, HLT, `mrs hcr_el2`, `tlbi alle2`,
// `at s12e1r` and a misaligned LDXR at its own EL1, then ends with a
// stage-1 fault with VBAR_EL1 = 0 or a branch into the UART page, which
// stops its VM only. The victim (qsort-small, measured) prints exactly what
// it prints next to a harmless attacker (but for its measured_ticks figure),
// within 2 % of its cycles, and the run exits 0.
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

struct HostileRun {
    RunOutcome outcome;
    std::string victim_console, attacker_console;
    uint64_t victim_cycles = 0;
    hv::ExitKind attacker_exit = hv::ExitKind::None;
    std::string attacker_reason;
};

// The lines of one VM; the victim's measured_ticks line is a timing
// figure (checked within 2 % through the cycles), not console content.
std::string lines_of(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0 && line.find("measured_ticks=") == std::string::npos)
            out += line + "\n";
    return out;
}

HostileRun run_with(const std::string& attacker) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / ("hostile-" + attacker + "-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"hv\"\n"
                           "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                           "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n"
                           "image = { workload = \"qsort-small\", load_addr = 0x40000000 }\n"
                           "regions = [{ base = 0x40000000, size = 0x8000000 }]\n"
                           "[[vms]]\nname = \"attacker\"\ncpu_affinity = [1]\n"
                           "image = { workload = \"" +
                               attacker +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o;
    o.config = path.string();
    o.workloads_dir = test::workloads_dir();
    std::ostringstream out;
    Simulation s(o, &out);
    HostileRun r;
    r.outcome = s.run();
    r.victim_console = lines_of(out.str(), "[bench] ");
    r.attacker_console = lines_of(out.str(), "[attacker] ");
    r.victim_cycles = s.workload_summary().runtime_cycles;
    const hv::Vm& a = s.hv_host()->hypervisor().vm(1);
    r.attacker_exit = a.exit_kind;
    r.attacker_reason = a.exit_reason;
    return r;
}

void expect_contained(const HostileRun& base, const HostileRun& r, const std::string& reason_part) {
    EXPECT_EQ(r.outcome.code, ExitCode::ok) << r.outcome.detail;
    EXPECT_EQ(r.victim_console, base.victim_console);
    EXPECT_NE(r.victim_console.find("checksum_ok=1"), std::string::npos) << r.victim_console;
    ASSERT_GT(base.victim_cycles, 0u);
    const double ratio =
        static_cast<double>(r.victim_cycles) / static_cast<double>(base.victim_cycles);
    EXPECT_NEAR(ratio, 1.0, 0.02) << r.victim_cycles << " vs " << base.victim_cycles;
    EXPECT_EQ(r.attacker_console, "[attacker] attacker: 8 exceptions taken at EL1\n");
    EXPECT_NE(r.attacker_exit, hv::ExitKind::None);
    EXPECT_NE(r.attacker_exit, hv::ExitKind::PowerOff);
    EXPECT_NE(r.attacker_reason.find("vm 1 (\"attacker\") vcpu 0 on core 1: "), std::string::npos)
        << r.attacker_reason;
    EXPECT_NE(r.attacker_reason.find(reason_part), std::string::npos) << r.attacker_reason;
    EXPECT_NE(r.outcome.detail.find(r.attacker_reason), std::string::npos) << r.outcome.detail;
}

TEST(Hostile, AttackerStopsOnlyItselfAndTheVictimIsUnchanged) {
    const HostileRun base = run_with("attacker-none");
    ASSERT_EQ(base.outcome.code, ExitCode::ok) << base.outcome.detail;
    EXPECT_EQ(base.attacker_console, "[attacker] attacker: harmless\n");
    EXPECT_EQ(base.attacker_exit, hv::ExitKind::None);

    // MMU on, VBAR_EL1 = 0: the vector at 0x200 is Device, execute-never in
    // the attacker's own identity map, so taking the exception faults again.
    expect_contained(
        base, run_with("attacker-vbar0"),
        "vector fault: instruction abort (IFSC 0xd) on data abort (DFSC 0x4, read 8B at "
        "0x100000000)");
    // A branch into the UART page: not memory of the VM (hv emulates it).
    expect_contained(base, run_with("attacker-uart"),
                     "stage-2 fault on instruction fetch at IPA 0x9000000 (pc 0x9000000)");
}

} // namespace
} // namespace sim
