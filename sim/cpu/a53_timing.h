// Every constant of the Cortex-A53 core model (model.core = a53), with its
// source. docs/timing-model.md "The A53 pipeline" repeats this table; change
// both together. Sources:
//  [GCC]   gcc/config/arm/cortex-a53.md, the A53 pipeline description Arm Ltd.
//          contributed to GCC (2013): issue slots, units, latencies, bypasses.
//  [LLVM]  llvm/lib/Target/AArch64/AArch64SchedA53.td: IssueWidth 2,
//          MispredictPenalty 9 "based on Cortex-A53 Software Optimisation
//          Specification - Instruction Timings", unit counts, FP latencies.
//  [TRM]   Arm Cortex-A53 MPCore TRM (DDI 0500F), "Instruction Fetch Unit":
//          a 256-entry BTAC for indirect branches, a single-entry BTIC.
//  [A8TRM] Cortex-A8 TRM (DDI 0344), "Program flow prediction": the nearest
//          in-order dual-issue Arm core whose TRM sizes its predictor (4096
//          two-bit counters indexed with 10 bits of global history, an
//          8-entry return stack). The A53 TRM does not size its conditional
//          predictor or return stack: these two are assumptions.
//  [7cpu]  published microbenchmarks (7-cpu.com, chipsandcheese 2023 "ARM's
//          Cortex A53: Tiny But Important"): L1 D load-to-use 3 cycles.
#pragma once

#include <cstdint>

namespace sim::cpu::a53 {

// Issue.
inline constexpr unsigned kIssueWidth = 2; // [LLVM] IssueWidth, [GCC] slot0/slot1

// Result latencies: cycles from an instruction's issue until a dependent
// instruction may issue (data operand of an ALU instruction).
inline constexpr unsigned kAluLatency = 1;    // [GCC] bypass alu -> alu 1
inline constexpr unsigned kLoadLatency = 2;   // [GCC] bypass load -> alu 2
inline constexpr unsigned kMulLatency = 3;    // [GCC] cortex_a53_mul 3
inline constexpr unsigned kUdivLatency = 8;   // [GCC] cortex_a53_udiv 8 (fixed, see below)
inline constexpr unsigned kSdivLatency = 9;   // [GCC] cortex_a53_sdiv 9
inline constexpr unsigned kDivBusy = 8;       // [GCC] idiv unit held 8 cycles, not pipelined
inline constexpr unsigned kFpAluLatency = 4;  // [GCC] fpalu 4, [LLVM] WriteF 4
inline constexpr unsigned kFpMulLatency = 4;  // [GCC] fpmul 4, [LLVM] WriteFMul 4
inline constexpr unsigned kFpMacLatency = 8;  // [GCC] fpmac 8, [LLVM] A53WriteFMAC 8
inline constexpr unsigned kFdivSLatency = 14; // [GCC] fdivs 14 (fsqrt the same)
inline constexpr unsigned kFdivDLatency = 29; // [GCC] fdivd 29
inline constexpr unsigned kFdivSBusy = 13;    // [GCC] fp_div_sqrt held 13 cycles
inline constexpr unsigned kFdivDBusy = 28;    // [GCC] ... 28 cycles
inline constexpr unsigned kFpLoadLatency = 4; // [LLVM] A53WriteVLD1 4, [GCC] f_loads 4
inline constexpr unsigned kQformBusy = 2; // [LLVM] the ASIMD datapath is 64 bits: Q ops hold it 2

// Operands needed early. A load or store address is needed at issue
// ([GCC] "Load/store addresses are required early in Issue": alu or load ->
// address 3); a store's data late ([GCC] alu -> store data 0, so it may
// issue with its producer); an operand an ALU instruction shifts or extends
// one cycle early ([GCC] alu -> alu_shift 2 with an early shift dependency,
// [LLVM] A53ReadShifted).
inline constexpr unsigned kAddressLatency = 3; // alu or load result -> load/store address
inline constexpr unsigned kShiftedExtra = 1;   // shifted/extended operand: one cycle earlier
inline constexpr unsigned kStoreDataEarly = 1; // store data: may issue one cycle before ready
// The base register a pre/post-indexed access writes back comes from the
// address generator and is forwarded to the next access (assumption: [GCC]
// gives writeback no latency of its own; back-to-back post-indexed loads
// would otherwise be three cycles apart).
inline constexpr unsigned kWritebackLatency = 1;

// Branch prediction (outcomes known when the next block starts).
inline constexpr unsigned kMispredictPenalty = 9; // [LLVM] MispredictPenalty
inline constexpr unsigned kCondEntries = 4096; // [A8TRM] 4096 2-bit counters (assumption for A53)
inline constexpr unsigned kHistoryBits = 10;   // [A8TRM] 10 bits of global history
inline constexpr unsigned kBtacEntries = 256;  // [TRM] 256-entry BTAC (indirect targets)
inline constexpr unsigned kReturnStack = 8;    // [A8TRM] 8-entry return stack (assumption)

// Cross-block carry: registers whose result is still in flight when a block
// ends (a load, multiply or divide near its end).
inline constexpr unsigned kMaxPending = 4;
// Registers a block reads before writing them that the model checks
// against earlier blocks' results: the earliest needed (model limit).
inline constexpr unsigned kMaxNeeds = 16;

} // namespace sim::cpu::a53
