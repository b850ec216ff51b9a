// bao-sim's hypercalls answer the same with and without a hypervisor: native
// mode's firmware and hv share their ids and error codes (hv/abi/hypercall.h),
// so a guest's bad argument or unknown id gives the same x0 in both modes.
#include "hv/abi/hypercall.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace sim {
namespace {

constexpr uint32_t movz_x0(uint32_t imm) {
    return 0xd2800000 | (imm << 5);
}
constexpr uint32_t movz_x1(uint32_t imm) {
    return 0xd2800001 | (imm << 5);
}
constexpr uint32_t movk_x0_8600_lsl16 = 0xf2b0c000;
constexpr uint32_t hvc0 = 0xd4000002;
constexpr uint32_t mov_x1_x0 = 0xaa0003e1;

// Calls hypercall `id` with x1 = `arg`, then reports its x0 with the sample call.
void call_and_report(std::vector<uint32_t>& w, uint32_t id, uint32_t arg) {
    w.insert(w.end(), {movz_x0(id), movk_x0_8600_lsl16, movz_x1(arg), hvc0, mov_x1_x0,
                       movz_x0(BAO_HC_ID_SAMPLE), movk_x0_8600_lsl16, hvc0});
}

std::vector<uint32_t> guest() {
    std::vector<uint32_t> w;
    call_and_report(w, BAO_HC_ID_MARK, 0);  // start: success
    call_and_report(w, BAO_HC_ID_MARK, 2);  // neither start nor end
    call_and_report(w, 0x7, 0);             // no such hypercall
    call_and_report(w, BAO_HC_ID_PARAM, 5); // a parameter the run does not give
    call_and_report(w, BAO_HC_ID_MARK, 1);  // end: success
    w.insert(w.end(), {0xd2800100, 0xf2b08000, hvc0, test::insn_branch_self}); // SYSTEM_OFF
    return w;
}

std::string config_file(const std::string& mode) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / ("hypercall-" + mode + "-" + std::to_string(getpid()) + ".toml");
    std::ofstream f(path);
    f << "mode = \"" << mode << "\"\n";
    if (mode == "hv")
        f << "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n";
    f << "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n"
         "image = { workload = \"hello\", load_addr = 0x48000000 }\n"
         "regions = [{ base = 0x48000000, size = 0x1000000 }]\n";
    return path.string();
}

std::vector<uint64_t> answers(const std::string& mode) {
    RunOptions o;
    o.config = config_file(mode);
    o.image = test::write_raw_guest("hypercall-" + mode, guest()) + "@0x48000000";
    o.workloads_dir = test::workloads_dir();
    Simulation s(o, nullptr);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    std::vector<uint64_t> x0;
    if (s.firmware() != nullptr)
        x0 = s.firmware()->samples();
    if (s.hv_host() != nullptr)
        for (const auto& [vm, value] : s.hv_host()->samples())
            x0.push_back(value);
    return x0;
}

uint64_t neg(int64_t code) {
    return static_cast<uint64_t>(-code);
}

const std::vector<uint64_t> kExpected = {0, neg(BAO_HC_E_INVAL_ARGS), neg(BAO_HC_E_INVAL_ID),
                                         neg(BAO_HC_E_INVAL_ARGS), 0};

} // namespace

TEST(Hypercalls, NativeFirmwareAnswersWithHvsCodes) {
    EXPECT_EQ(answers("native"), kExpected);
}

TEST(Hypercalls, HvAnswersWithTheSameCodes) {
    EXPECT_EQ(answers("hv"), kExpected);
}

} // namespace sim
