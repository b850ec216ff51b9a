// Integration: virtual MPIDRs and PSCI by virtual affinity under hv in the
// simulator (docs/hv.md "Virtual affinity"). A 3-vCPU VM on physical CPUs
// 1-3 starts its secondaries as Bao's guests do, by virtual affinity 1, 2, ...
// until refused; a 1-vCPU VM on CPU 0 sees the U bit and has no vCPU 1.
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sim {
namespace {

TEST(VirtualAffinity, SmpGuestStartsItsVcpusByVirtualMpidr) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / ("affinity-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << R"(mode = "hv"
[hyp]
region = { base = 0x40000000, size = 0x400000 }
[[vms]]
name = "smp"
measured = true
cpu_affinity = [1, 2, 3]
image = { workload = "affinity", load_addr = 0x40000000 }
regions = [{ base = 0x40000000, size = 0x1000000 }]
[[vms]]
name = "uni"
measured = true
cpu_affinity = [0]
image = { workload = "affinity", load_addr = 0x40000000 }
regions = [{ base = 0x40000000, size = 0x1000000 }]
)";
    RunOptions o;
    o.config = path.string();
    o.workloads_dir = test::workloads_dir();
    std::ostringstream out;
    Simulation s(o, &out);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    // Each VM's lines in its own order (the VMs' lines may interleave).
    auto lines_of = [&](const std::string& vm) {
        std::istringstream in(out.str());
        std::string line, mine;
        while (std::getline(in, line))
            if (line.rfind("[" + vm + "] ", 0) == 0)
                mine += line.substr(vm.size() + 3) + "\n";
        return mine;
    };
    const std::string smp = lines_of("smp");
    EXPECT_NE(smp.find("vcpu 0 mpidr 0x80000000\n"), std::string::npos) << out.str();
    EXPECT_NE(smp.find("vcpu 1 mpidr 0x80000001\n"), std::string::npos) << out.str();
    EXPECT_NE(smp.find("vcpu 2 mpidr 0x80000002\n"), std::string::npos) << out.str();
    EXPECT_NE(smp.find("started 2; cpu_on(3) = -2; affinity_info 1: 0 2: 0 3: -2\n"),
              std::string::npos)
        << out.str();
    EXPECT_EQ(lines_of("uni"), "vcpu 0 mpidr 0xc0000000\n"
                               "started 0; cpu_on(1) = -2; affinity_info 1: -2\n");
}

} // namespace
} // namespace sim
