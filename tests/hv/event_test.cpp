// hv's events through the port (docs/observability.md): reported only when
// the port asks for their kind, with the numbers the simulator's loggers print.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "fake_port.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/trap.h"
#include "hv/core/hypercall.h"
#include "hv/core/hypervisor.h"
#include "hv_init.h"
#include "test_config.h"

namespace {

namespace a8 = hv::armv8;
using hv::EventKind;
using hvtest::FakePort;

constexpr std::uint32_t all_kinds = ~0u;

std::uint32_t bit(EventKind k) {
    return 1u << static_cast<unsigned>(k);
}

std::vector<hv::Event> of_kind(const FakePort& port, EventKind k) {
    std::vector<hv::Event> out;
    for (const hv::Event& e : port.events)
        if (e.kind == k)
            out.push_back(e);
    return out;
}

struct Booted {
    FakePort port;
    hv::ConfigStorage cfg = hvtest::two_vms(); // hv reads it through a view: it outlives hv
    std::vector<std::byte> state;              // hv's run-time state, likewise
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);

    explicit Booted(std::uint32_t kinds) {
        port.want(kinds);
        cfg.vms[0].cpu_affinity = 0b0101; // bench: vCPU 0 on cpu 0, vCPU 1 on cpu 2
        EXPECT_TRUE(hvtest::init(*hv, cfg.view(), state).ok());
        EXPECT_TRUE(hv->boot().ok());
    }
    // An HVC on `cpu` with x0..x3; returns x0.
    std::uint64_t hvc(std::uint32_t cpu, std::uint64_t x0, std::uint64_t x1 = 0,
                      std::uint64_t x2 = 0, std::uint64_t x3 = 0) {
        hv::VcpuRegs r{};
        r.x[0] = x0;
        r.x[1] = x1;
        r.x[2] = x2;
        r.x[3] = x3;
        r.pc = 0x4000'0104;
        port.current_cpu = cpu;
        a8::handle_trap(*hv, a8::hvc64(), r);
        return r.x[0];
    }
};

TEST(Events, NoneUnlessThePortWantsThem) {
    Booted m(0);
    m.hvc(0, a8::psci::VERSION);
    m.hvc(0, a8::psci::CPU_ON64, 1, 0x4000'1000, 7);
    m.hvc(0, hv::hc::kBase | hv::hc::MARK, 0);
    EXPECT_TRUE(m.port.events.empty());
}

TEST(Events, OnlyTheKindsWanted) {
    Booted m(bit(EventKind::VmBoot));
    m.hvc(0, a8::psci::VERSION);
    ASSERT_EQ(m.port.events.size(), 2u); // two VMs booted, no trap or call
    for (const hv::Event& e : m.port.events)
        EXPECT_EQ(e.kind, EventKind::VmBoot);
}

TEST(Events, ValidationAndBoot) {
    Booted m(all_kinds);
    const auto valid = of_kind(m.port, EventKind::ConfigValid);
    ASSERT_EQ(valid.size(), 1u);
    EXPECT_EQ(valid[0].a[0], 2u); // VMs
    EXPECT_EQ(valid[0].a[1], 4u); // CPUs
    const auto boots = of_kind(m.port, EventKind::VmBoot);
    ASSERT_EQ(boots.size(), 2u);
    EXPECT_EQ(boots[1].vm, 1u);
    EXPECT_STREQ(boots[1].text, "interf");
    EXPECT_EQ(boots[1].a[0], 0x4000'0000u); // entry
    EXPECT_EQ(boots[1].a[2], 1u);           // on cpu 1
}

TEST(Events, RefusedConfigurationCarriesHvsMessage) {
    FakePort port;
    port.want(all_kinds);
    hv::Hypervisor hv(port);
    hv::ConfigStorage cfg = hvtest::two_vms();
    cfg.vms[1].cpu_affinity = 0b0001; // both VMs on cpu 0
    std::vector<std::byte> state;
    const hv::Error err = hvtest::init(hv, cfg.view(), state);
    ASSERT_FALSE(err.ok());
    ASSERT_EQ(port.events.size(), 1u);
    EXPECT_EQ(port.events[0].kind, EventKind::ConfigRefused);
    EXPECT_EQ(port.events[0].a[0], static_cast<std::uint64_t>(err.code));
    EXPECT_STREQ(port.events[0].text, err.message);
}

TEST(Events, PsciCallWithArgumentsAndResultAndItsTrap) {
    Booted m(bit(EventKind::FirmwareCall) | bit(EventKind::Trap));
    EXPECT_EQ(m.hvc(0, a8::psci::CPU_ON64, 1, 0x4000'1000, 7), 0u);
    ASSERT_EQ(m.port.events.size(), 2u);
    const hv::Event& call = m.port.events[0];
    EXPECT_EQ(call.kind, EventKind::FirmwareCall);
    EXPECT_EQ(call.vm, 0u);
    EXPECT_EQ(call.vcpu, 0u);
    EXPECT_EQ(call.a[0], a8::psci::CPU_ON64);
    EXPECT_EQ(call.a[1], 1u);
    EXPECT_EQ(call.a[2], 0x4000'1000u);
    EXPECT_EQ(call.a[3], 7u);
    EXPECT_EQ(call.a[4], 0u); // SUCCESS
    const hv::Event& trap = m.port.events[1];
    EXPECT_EQ(trap.kind, EventKind::Trap);
    EXPECT_EQ(trap.a[0], 0x16u); // EC: HVC64
    EXPECT_EQ(trap.a[2], 0x4000'0104u);
    EXPECT_EQ(trap.a[4], static_cast<std::uint64_t>(hv::TrapAction::Resume));
    // Again: the vCPU is on now, and the result says so.
    m.port.events.clear();
    m.hvc(0, a8::psci::CPU_ON64, 1, 0x4000'1000, 7);
    EXPECT_EQ(static_cast<std::int64_t>(of_kind(m.port, EventKind::FirmwareCall)[0].a[4]),
              a8::psci::ALREADY_ON);
}

TEST(Events, HypercallAndVmStop) {
    Booted m(bit(EventKind::Hypercall) | bit(EventKind::VmStop));
    m.hvc(1, hv::hc::kBase | hv::hc::MARK, 5); // a bad mark value
    ASSERT_EQ(m.port.events.size(), 1u);
    EXPECT_EQ(m.port.events[0].kind, EventKind::Hypercall);
    EXPECT_EQ(m.port.events[0].vm, 1u);
    EXPECT_EQ(m.port.events[0].a[0], hv::hc::MARK);
    EXPECT_EQ(m.port.events[0].a[1], 5u);
    EXPECT_EQ(static_cast<std::int64_t>(m.port.events[0].a[4]), -hv::hc::E_INVAL_ARGS);
    m.hvc(1, a8::psci::SYSTEM_OFF);
    const auto stops = of_kind(m.port, EventKind::VmStop);
    ASSERT_EQ(stops.size(), 1u);
    EXPECT_EQ(stops[0].vm, 1u);
    EXPECT_EQ(stops[0].a[0], static_cast<std::uint64_t>(hv::ExitKind::PowerOff));
    EXPECT_NE(std::string(stops[0].text).find("SYSTEM_OFF"), std::string::npos);
}

} // namespace
