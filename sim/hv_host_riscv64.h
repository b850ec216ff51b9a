// Hosts hv's RISC-V build (hv::for_riscv64, hv/arch/riscv64) in the
// simulator, as HvHost does Armv8-A's: implements hv's RvPort over the
// modeled RV64 machine and is its supervisor in `hv` mode. Each VM's memory
// is mapped into its harts as hv's G-stage says; a hart's exits become the
// trap record hv's entry reads (scause, stval, htval, htinst); the
// physical supervisor interrupts are hv's, and hvip is what the guest takes.
// The class is defined in the .cpp only: RISC-V's hv headers cannot share a
// translation unit with Armv8-A's (hv/arch/ns.h).
#pragma once

#include "sim/hv_host_base.h"

#include <memory>

namespace sim {

// Validates and initialises hv for `config` (throws InputError with hv's
// message), maps every VM's memory into its harts, stages the images and
// boots hv, which starts each VM's first vCPU.
std::unique_ptr<HvHostBase> make_hv_host_riscv64(Machine& machine, const RunConfig& config,
                                                 const std::vector<GuestImage>& images);

// The paper's Table 2 on RISC-V (`bao-sim pagetables --platform
// qemu-riscv64-virt`): G-stage table pages of one VM of `mem_bytes`,
// uncolored and colored (half the L2's colors), from hv's Sv39x4 builder.
struct GStageTableCount {
    uint32_t uncolored = 0, colored = 0;
    bool ok = false; // false if the scratch memory was too small
};
GStageTableCount riscv64_pagetable_count(uint64_t mem_bytes);

} // namespace sim
