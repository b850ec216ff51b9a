// The virtual PLIC through the guest's own loads and stores (trapped
// guest-page faults on the PLIC region): each VM sees, enables and claims
// only its own sources; hardware sources are claimed and completed on the
// physical PLIC by hv.
#include <gtest/gtest.h>

#include <string>

#include "tests/hv/riscv64/rv_fixture.h"

namespace {

using hv::TrapAction;
using hvtest::RvHv;
namespace plic = hv::riscv64::plic;

constexpr std::uint64_t kPlic = 0x0C00'0000;
constexpr std::uint32_t kLw = 0x0005'2503; // lw a0, 0(a0)
constexpr std::uint32_t kSw = 0x00b5'2023; // sw a1, 0(a0)

class Vplic : public RvHv {
  protected:
    // The guest on `cpu` reads or writes the 32-bit PLIC register at `off`.
    std::uint64_t load(std::uint32_t cpu, std::uint64_t off) {
        hv::riscv64::VcpuRegs r{};
        r.sepc = 0x8000'0100;
        r.x[10] = kPlic + off;
        port.insns[r.sepc] = kLw;
        const std::uint64_t gpa = kPlic + off;
        EXPECT_EQ(trap(cpu, {hv::riscv64::cause::LoadGuestPageFault, gpa, gpa >> 2, 0}, r),
                  TrapAction::Resume);
        EXPECT_EQ(r.sepc, 0x8000'0104u);
        return r.x[10];
    }
    void store(std::uint32_t cpu, std::uint64_t off, std::uint32_t v) {
        hv::riscv64::VcpuRegs r{};
        r.sepc = 0x8000'0200;
        r.x[10] = kPlic + off;
        r.x[11] = v;
        // A transformed instruction in htinst: no instruction read needed.
        const std::uint64_t gpa = kPlic + off;
        EXPECT_EQ(trap(cpu, {hv::riscv64::cause::StoreGuestPageFault, gpa, gpa >> 2, kSw}, r),
                  TrapAction::Resume);
        EXPECT_EQ(r.sepc, 0x8000'0204u);
    }
    static std::uint64_t enable(std::uint32_t ctx, std::uint32_t id) {
        return plic::kEnable + plic::kEnableStride * ctx + 4 * (id / 32);
    }
    static std::uint64_t claim(std::uint32_t ctx) {
        return plic::kContext + plic::kContextStride * ctx + plic::kClaim;
    }
    static std::uint64_t threshold(std::uint32_t ctx) {
        return plic::kContext + plic::kContextStride * ctx + plic::kThreshold;
    }
};

TEST_F(Vplic, ClaimCompleteOfAVirtualSource) {
    // interf (cpu 2, its virtual hart 0: S context 1) sets up source 52.
    store(2, 4 * 52, 3);
    EXPECT_EQ(load(2, 4 * 52), 3u);
    store(2, enable(1, 52), 1u << (52 % 32));
    h->vm_mut(1).vgicd.pending[52 / 32] |= 1u << (52 % 32);
    hv::riscv64::vplic_raise(*h, h->vm_mut(1), 52);
    EXPECT_NE(hvip(2) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(load(2, plic::kPending + 4), 1u << (52 % 32));
    // A threshold at the priority masks it; below, it is claimable.
    store(2, threshold(1), 3);
    EXPECT_EQ(hvip(2) & hv::riscv64::kVseip, 0u);
    store(2, threshold(1), 0);
    EXPECT_NE(hvip(2) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(load(2, claim(1)), 52u);
    EXPECT_EQ(hvip(2) & hv::riscv64::kVseip, 0u); // claimed: the line drops
    EXPECT_EQ(load(2, claim(1)), 0u);             // nothing else
    hv::riscv64::vplic_raise(*h, h->vm_mut(1), 52);
    EXPECT_EQ(load(2, claim(1)), 0u); // still active: not delivered twice
    store(2, claim(1), 52);           // complete
    EXPECT_NE(hvip(2) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(load(2, claim(1)), 52u);
}

TEST_F(Vplic, AVmNeitherSeesNorClaimsAnothersSources) {
    // Source 52 belongs to both VMs (each its own IPC interrupt); give bench
    // a pass-through source too by a second config.
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    hv::DevStorage d{};
    d.pa = 0x1000'1000;
    d.va = 0x1000'1000;
    d.size = 0x1000;
    d.interrupts.push(40);
    cfg.vms[0].devs.push(d);
    boot(cfg);
    // interf writes source 40's priority and enable, and reads its pending bit.
    store(2, 4 * 40, 5);
    EXPECT_EQ(load(2, 4 * 40), 0u);
    store(2, enable(1, 40), 0xffff'ffffu);
    EXPECT_EQ(load(2, enable(1, 40)) & (1u << 8), 0u);
    EXPECT_EQ(h->vm(1).vgicd.enabled[0][1] & (1u << 8), 0u);
    // The physical source 40 fires on cpu 0 (its owner's hart 0): bench's.
    port.dev[kPlic + plic::kContext + plic::kContextStride * 1 + plic::kClaim] = 40;
    store(0, 4 * 40, 1);
    store(0, enable(1, 40), 1u << 8);
    port.current_cpu = 0;
    EXPECT_EQ(hv::riscv64::handle_irq(*h, hv::riscv64::cause::SupervisorExternal),
              hv::riscv64::IrqOutcome::Injected);
    EXPECT_NE(hvip(0) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(load(2, plic::kPending + 4) & (1u << 8), 0u); // interf sees nothing
    EXPECT_EQ(load(2, claim(1)), 0u);                       // nor claims it
    EXPECT_EQ(load(0, claim(1)), 40u);                      // bench does
    // bench's completion goes to the physical PLIC's context of cpu 0.
    port.dev_writes.clear();
    store(0, claim(1), 40);
    ASSERT_FALSE(port.dev_writes.empty());
    EXPECT_EQ(
        port.dev_writes.back(),
        std::make_pair(kPlic + plic::kContext + plic::kContextStride * 1 + plic::kClaim, 40u));
    // interf's completion of 40 is ignored: no physical write.
    port.dev_writes.clear();
    store(2, claim(1), 40);
    EXPECT_TRUE(port.dev_writes.empty());
    EXPECT_GT(h->vm(1).vgicd.ignored, 0u);
}

TEST_F(Vplic, PhysicalSetUpAndUnownedSources) {
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    hv::DevStorage d{};
    d.pa = 0x1000'1000;
    d.va = 0x1000'1000;
    d.size = 0x1000;
    d.interrupts.push(33);
    cfg.vms[1].devs.push(d);
    boot(cfg);
    // Source 33 has priority 1 and is enabled in cpu 2's S context (context 5).
    EXPECT_EQ(port.dev[kPlic + 4 * 33], 1u);
    EXPECT_EQ(port.dev[kPlic + plic::kEnable + plic::kEnableStride * 5 + 4], 1u << 1);
    EXPECT_EQ(port.dev[kPlic + plic::kEnable + plic::kEnableStride * 1 + 4], 0u);
    // A source nobody owns: completed and disabled on the claiming hart.
    port.dev[kPlic + plic::kContext + plic::kContextStride * 3 + plic::kClaim] = 7;
    port.dev[kPlic + plic::kEnable + plic::kEnableStride * 3] = 1u << 7;
    port.current_cpu = 1;
    EXPECT_EQ(hv::riscv64::handle_irq(*h, hv::riscv64::cause::SupervisorExternal),
              hv::riscv64::IrqOutcome::Unowned);
    EXPECT_EQ(port.dev[kPlic + plic::kEnable + plic::kEnableStride * 3], 0u);
    EXPECT_EQ(h->vgic().unowned, 1u);
    port.dev[kPlic + plic::kContext + plic::kContextStride * 3 + plic::kClaim] = 0;
    EXPECT_EQ(hv::riscv64::handle_irq(*h, hv::riscv64::cause::SupervisorExternal),
              hv::riscv64::IrqOutcome::Spurious);
}

TEST_F(Vplic, MContextsAndAbsentHartsAreIgnored) {
    store(2, enable(0, 52), 1u << 20); // M context of hart 0
    store(2, enable(3, 52), 1u << 20); // S context of hart 1: interf has one hart
    EXPECT_EQ(h->vm(1).vgicd.enabled[0][1], 0u);
    EXPECT_EQ(load(2, claim(3)), 0u);
    EXPECT_GE(h->vm(1).vgicd.ignored, 3u);
    // Two harts of bench: hart 1's context is 3, and a source enabled there
    // raises VSEIP on cpu 1 through hv's IPI once that hart runs.
    store(0, 4 * 52, 2);
    store(0, enable(3, 52), 1u << 20);
    port.ipis.clear();
    hv::riscv64::vplic_raise(*h, h->vm_mut(0), 52);
    EXPECT_TRUE(port.ipis.empty()); // hart 1 is off: nobody to tell
    start_bench_hart1();            // its cpu_init syncs its line
    EXPECT_NE(hvip(1) & hv::riscv64::kVseip, 0u);
    port.csrs[{1, hv::riscv64::Csr::hvip}] = 0;
    port.current_cpu = 0; // raised from hart 0's side (e.g. a peer's notify)
    hv::riscv64::vplic_raise(*h, h->vm_mut(0), 52);
    ASSERT_FALSE(port.ipis.empty());
    EXPECT_EQ(port.ipis.back().first, 1u);
    EXPECT_EQ(hvip(0) & hv::riscv64::kVseip, 0u); // not enabled in hart 0's context
    take_ipi(1);
    EXPECT_NE(hvip(1) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(hv::riscv64::vplic_best(h->vm(0), 1), 52u);
}

TEST_F(Vplic, PriorityOrderAndTies) {
    hv::Vm& vm = h->vm_mut(0);
    for (std::uint32_t id : {60u, 61u, 62u}) {
        vm.vgicd.owned[id / 32] |= 1u << (id % 32);
        vm.vgicd.enabled[0][id / 32] |= 1u << (id % 32);
        vm.vgicd.pending[id / 32] |= 1u << (id % 32);
    }
    vm.vgicd.prio[60] = 2;
    vm.vgicd.prio[61] = 5;
    vm.vgicd.prio[62] = 5;
    EXPECT_EQ(hv::riscv64::vplic_best(vm, 0), 61u); // highest, lowest ID on a tie
    vm.vgicd.prio[61] = 0;                          // priority 0 never interrupts
    EXPECT_EQ(hv::riscv64::vplic_best(vm, 0), 62u);
}

} // namespace

namespace {

// What Hypervisor::init says of `cfg`.
hv::Error init_config(const hv::ConfigStorage& cfg) {
    hvtest::FakeRvPort port;
    std::vector<std::byte> state;
    auto h = std::make_unique<hv::Hypervisor>(port);
    return hvtest::init(*h, cfg.view(), state);
}

// The PLIC spans 64 MiB, more than the frames the common validation knows:
// hv on RISC-V refuses a pass-through of any part of it, and VM mappings
// where the virtual PLIC must trap.
TEST(VplicConfig, NoVmMapsAnyPartOfThePlic) {
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    hv::DevStorage d{};
    d.pa = 0x0C10'0000; // the PLIC's enable window, beyond the protected frames
    d.va = 0x2000'0000;
    d.size = 0x1000;
    cfg.vms[1].devs.push(d);
    hv::Error e = init_config(cfg);
    EXPECT_FALSE(e.ok());
    EXPECT_STREQ(e.message, "vms[1].devs[0]: [0xc100000, 0xc101000) overlaps the physical PLIC at "
                            "[0xc000000, 0x10000000)");
    cfg = hvtest::rv_two_vms();
    cfg.vms[0].ipcs[0].base = 0x0E00'0000; // inside the virtual PLIC
    e = init_config(cfg);
    EXPECT_FALSE(e.ok());
    EXPECT_NE(std::string(e.message).find("overlaps the virtual PLIC"), std::string::npos);
    EXPECT_TRUE(init_config(hvtest::rv_two_vms()).ok());
}

// Every PLIC source is global: the common validation lets every VM list an
// interrupt below 32 (an Arm GIC's banked SGIs and PPIs), but on RISC-V a
// pass-through source has one owner, as in Bao. Two VMs listing source 5
// were accepted, and the first one's device interrupts silently went to the
// second.
TEST(VplicConfig, APassThroughSourceHasOneOwner) {
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    for (std::uint32_t i = 0; i < 2; ++i) {
        hv::DevStorage d{};
        d.pa = 0x1000'1000 + 0x1000 * i;
        d.va = d.pa;
        d.size = 0x1000;
        d.interrupts.push(i == 0 ? 5 : 7);
        d.interrupts.push(5);
        cfg.vms[i].devs.push(d);
    }
    hv::Error e = init_config(cfg);
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(e.code, hv::ErrorCode::Config);
    EXPECT_STREQ(e.message, "vms[1].devs[0].interrupts[1]: PLIC source 5 is already owned by "
                            "vms[0] (\"bench\")");
    cfg.vms[1].devs[0].interrupts[1] = 8;
    EXPECT_TRUE(init_config(cfg).ok());
    // A VM may list its own source twice (two of its devices share a line).
    cfg.vms[0].devs[0].interrupts[1] = 5;
    EXPECT_TRUE(init_config(cfg).ok());
}

} // namespace
