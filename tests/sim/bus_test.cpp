// The bus (devices by physical address) and the virt platform the factory
// registers on it.
#include "sim/bus.h"
#include "sim/gicv2.h"
#include "sim/machine.h"
#include "sim/pl011.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sim {
namespace {

// Remembers the last access and answers reads with offset + core.
struct Probe : MmioDevice {
    uint64_t read(unsigned core, uint64_t offset, unsigned) override { return offset + core; }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        last = {core, offset, size, value};
    }
    struct {
        unsigned core = 0;
        uint64_t offset = 0;
        unsigned size = 0;
        uint64_t value = 0;
    } last;
};

TEST(Bus, FindsDevicesByAddressAndRoutesAccesses) {
    Probe a, b;
    Bus bus;
    bus.add({"b", 0x2000, 0x1000, &b, false});
    bus.add({"a", 0x1000, 0x1000, &a, true});
    ASSERT_EQ(bus.entries().size(), 2u);
    EXPECT_EQ(bus.entries()[0].name, "a"); // kept by base address
    EXPECT_EQ(bus.find(0xfff), nullptr);
    EXPECT_EQ(bus.find(0x1000)->device, &a);
    EXPECT_EQ(bus.find(0x1fff)->device, &a);
    EXPECT_EQ(bus.find(0x2000)->device, &b);
    EXPECT_EQ(bus.find(0x3000), nullptr);
    uint64_t v = 0;
    EXPECT_TRUE(bus.read(3, 0x2010, 4, v));
    EXPECT_EQ(v, 0x10u + 3);
    EXPECT_TRUE(bus.write(1, 0x1008, 2, 0xab));
    EXPECT_EQ(a.last.core, 1u);
    EXPECT_EQ(a.last.offset, 8u);
    EXPECT_EQ(a.last.size, 2u);
    EXPECT_EQ(a.last.value, 0xabu);
    EXPECT_FALSE(bus.read(0, 0x4000, 4, v));
    EXPECT_FALSE(bus.write(0, 0x4000, 4, 0));
}

TEST(Bus, RejectsOverlapsAndEmptyEntries) {
    Probe a;
    Bus bus;
    bus.add({"a", 0x1000, 0x1000, &a, false});
    EXPECT_THROW(bus.add({"b", 0x1800, 0x1000, &a, false}), std::invalid_argument);
    EXPECT_THROW(bus.add({"c", 0x0800, 0x1000, &a, false}), std::invalid_argument);
    EXPECT_THROW(bus.add({"d", 0x3000, 0, &a, false}), std::invalid_argument);
    EXPECT_THROW(bus.add({"e", 0x3000, 0x1000, nullptr, false}), std::invalid_argument);
    EXPECT_EQ(bus.entries().size(), 1u);
}

// QEMU virt as the factory builds it: the two PL011s and the four GIC frames at
// virt's addresses, GICH and GICV a hypervisor's only; the distributor's
// registers reached through the bus are the GICv2 model's.
TEST(VirtPlatform, RegistersVirtsDevicesOnTheBus) {
    MachineParams p;
    p.cores = 2;
    p.ram_size = 1ull << 24;
    p.memory_model = false;
    Machine m(p, nullptr);
    const gic::AddressMap virt;
    struct Want {
        uint64_t base;
        bool hypervisor_only;
    };
    for (Want w : {Want{pl011_base, false}, Want{pl011_1_base, false}, Want{virt.gicd, false},
                   Want{virt.gicc, false}, Want{virt.gich, true}, Want{virt.gicv, true}}) {
        const Bus::Entry* e = m.bus().find(w.base);
        ASSERT_NE(e, nullptr) << std::hex << w.base;
        EXPECT_EQ(e->base, w.base);
        EXPECT_EQ(e->hypervisor_only, w.hypervisor_only) << e->name;
    }
    EXPECT_EQ(m.bus().entries().size(), 6u);
    uint64_t typer = 0;
    ASSERT_TRUE(m.bus().read(0, virt.gicd + 0x004, 4, typer)); // GICD_TYPER
    EXPECT_EQ((typer >> 5) & 7, 1u);                           // CPUNumber: 2 cores
    // Each GIC register access costs the accessing core model.gic.reg_cycles.
    EXPECT_EQ(m.now(1), 0u);
    ASSERT_TRUE(m.bus().read(1, virt.gicd + 0x004, 4, typer));
    EXPECT_EQ(m.now(1), p.gic_reg_cycles);
    EXPECT_NO_THROW(gicv2_of(m));
}

} // namespace
} // namespace sim
