// hv's events as log lines (sim/hv_events.h, docs/observability.md): each
// architecture's trap classes, firmware calls (PSCI, SBI) and IRQ outcomes in
// its own words, the shared kinds alike on both.
#include "sim/hv_events.h"

#include "hv/abi/hypercall.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace sim {
namespace {

// The line `e` gives on `isa` at cycle 7 on core 1, in VM 0 ("bench") vCPU 2.
std::string line_of(Isa isa, const hv::Event& e) {
    LogLevels levels;
    levels.all = LogLevel::trace;
    std::ostringstream out;
    const Loggers log(levels, out);
    log_hv_event(log, isa, e, HvEventPlace{7, 1, "bench"});
    return out.str();
}

hv::Event event(hv::EventKind kind, std::initializer_list<uint64_t> a, const char* text = nullptr) {
    hv::Event e{kind, 0, 2, {}, text};
    std::copy(a.begin(), a.end(), e.a);
    return e;
}

constexpr const char* kAt = "cycle 7 core 1 vm 0 (bench) vcpu 2: ";

TEST(HvEvents, PsciCallsByFunctionId) {
    const uint64_t refused = static_cast<uint64_t>(-2);
    EXPECT_EQ(line_of(Isa::aarch64, event(hv::EventKind::FirmwareCall,
                                          {0xc400'0003, 1, 0x4000'0000, 1, refused})),
              std::string("[hv:debug] ") + kAt +
                  "PSCI CPU_ON (0xc4000003) (0x1, 0x40000000, 0x1) = -2\n");
    EXPECT_EQ(
        line_of(Isa::aarch64, event(hv::EventKind::FirmwareCall, {0x8400'0008}, "vm-stopped")),
        std::string("[hv:debug] ") + kAt +
            "PSCI SYSTEM_OFF (0x84000008) (0x0, 0x0, 0x0) -> vm-stopped\n");
    EXPECT_EQ(line_of(Isa::aarch64, event(hv::EventKind::FirmwareCall, {0x8400'00ff})),
              std::string("[hv:debug] ") + kAt + "PSCI unknown (0x840000ff) (0x0, 0x0, 0x0) = 0\n");
}

TEST(HvEvents, SbiCallsByExtensionAndFunction) {
    EXPECT_EQ(
        line_of(Isa::riscv64,
                event(hv::EventKind::FirmwareCall, {0x48'534Dull << 32, 1, 0x8020'0000, 3, 0})),
        std::string("[hv:debug] ") + kAt + "SBI HSM (0x48534d) fid 0 (0x1, 0x80200000, 0x3) = 0\n");
    EXPECT_EQ(line_of(Isa::riscv64,
                      event(hv::EventKind::FirmwareCall, {0x1234ull << 32 | 7}, "vcpu-off")),
              std::string("[hv:debug] ") + kAt +
                  "SBI unknown (0x1234) fid 7 (0x0, 0x0, 0x0) -> vcpu-off\n");
}

TEST(HvEvents, TrapClassesInEachArchitecturesWords) {
    const std::string tail = " at pc 0x40001000, fault address 0x9000000: resume\n";
    EXPECT_EQ(line_of(Isa::aarch64,
                      event(hv::EventKind::Trap, {0x24, 0x9380'0046, 0x4000'1000, 0x900'0000, 0})),
              std::string("[hv:trace] ") + kAt + "trap dabt (class 0x24 syndrome 0x93800046)" +
                  tail);
    EXPECT_EQ(
        line_of(Isa::riscv64, event(hv::EventKind::Trap, {23, 0, 0x4000'1000, 0x900'0000, 0})),
        std::string("[hv:trace] ") + kAt + "trap store-guest-page-fault (class 0x17 syndrome 0x0)" +
            tail);
    // The same value is another class on the other architecture, or none.
    EXPECT_NE(line_of(Isa::aarch64, event(hv::EventKind::Trap, {0x16})).find("trap hvc ("),
              std::string::npos);
    EXPECT_NE(line_of(Isa::riscv64, event(hv::EventKind::Trap, {0x16})).find("trap virtual-insn ("),
              std::string::npos);
    EXPECT_NE(line_of(Isa::riscv64, event(hv::EventKind::Trap, {0x24})).find("trap other ("),
              std::string::npos);
}

TEST(HvEvents, IrqOutcomesAndHypercalls) {
    EXPECT_EQ(line_of(Isa::aarch64, event(hv::EventKind::Irq, {25, 3})),
              std::string("[vgic:trace] ") + kAt + "physical IRQ 25: maintenance\n");
    EXPECT_EQ(line_of(Isa::riscv64, event(hv::EventKind::Irq, {5, 3})),
              std::string("[vgic:trace] ") + kAt + "physical IRQ 5: timer\n");
    EXPECT_EQ(line_of(Isa::riscv64, event(hv::EventKind::Irq, {5, 9})),
              std::string("[vgic:trace] ") + kAt + "physical IRQ 5: ?\n");
    for (Isa isa : {Isa::aarch64, Isa::riscv64}) {
        EXPECT_EQ(line_of(isa, event(hv::EventKind::Hypercall, {BAO_HC_ID_MARK, 1, 0, 0, 0})),
                  std::string("[hv:debug] ") + kAt + "hypercall MARK (0x1, 0x0) = 0\n");
        EXPECT_EQ(line_of(isa, event(hv::EventKind::Hypercall, {0x99})),
                  std::string("[hv:debug] ") + kAt + "hypercall unknown (0x0, 0x0) = 0\n");
    }
}

} // namespace
} // namespace sim
