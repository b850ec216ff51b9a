// A core asked to yield from inside a device access (the GIC's listener when
// an EOI lets a pending interrupt through) must resume after that access,
// never re-run instructions before it. Unicorn 2.0.1 leaves PC where it last
// synchronised it when a stop is requested mid-block; a 2-vCPU Linux under hv
// re-ran `ldr x0, [x0, #48]` after its GICC_EOIR write and oopsed in
// `gic_eoi_irq` (docs/linux.md, "SMP in bao-sim").
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"
#include "sim/mmio.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace sim {
namespace {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;
constexpr uint64_t device_base = 0x09000000, device_size = 0x1000;
constexpr uint64_t pointer_at = ram_base + 0x8000; // holds device_base

// Counts writes; each one asks the writing core to yield, as the GIC does
// when a line changes.
class YieldingDevice final : public MmioDevice {
  public:
    cpu::Core* core = nullptr;
    unsigned writes = 0;
    uint64_t read(unsigned, uint64_t, unsigned) override { return 0; }
    void write(unsigned, uint64_t, unsigned, uint64_t) override {
        ++writes;
        core->request_yield();
    }
};

TEST(CoreYield, DeviceWriteThatYieldsResumesAfterTheAccess) {
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    const uint32_t code[] = {
        0xf9400000, // ldr x0, [x0]      x0 = the device's address
        0xb9000001, // str w1, [x0]      the device asks for a yield
        0x910004a5, // add x5, x5, #1
        0x14000001, // b   next          (the block ends)
        0x910004c6, // next: add x6, x6, #1
        0xd503207f, // wfi
    };
    std::memcpy(ram.p, code, sizeof code);
    std::memcpy(ram.p + (pointer_at - ram_base), &device_base, sizeof device_base);

    NoExits exits;
    YieldingDevice device;
    cpu::Arm64Core core(0, exits);
    device.core = &core;
    core.map_memory(ram_base, ram_size, ram.p);
    core.map_device(device_base, device_size, device);
    core.reset(ram_base, pointer_at);

    cpu::RunResult r = core.run(1'000'000, 0, 1);
    EXPECT_EQ(r.reason, cpu::StopReason::budget) << "the yield ends the run";
    EXPECT_EQ(device.writes, 1u);
    for (int n = 0; n < 4 && r.reason == cpu::StopReason::budget; ++n)
        r = core.run(1'000'000, 0, 1);
    EXPECT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    EXPECT_EQ(device.writes, 1u) << "nothing before the access ran again";
    EXPECT_EQ(core.x(0), device_base);
    EXPECT_EQ(core.x(5), 1u);
    EXPECT_EQ(core.x(6), 1u);
}

} // namespace
} // namespace sim
