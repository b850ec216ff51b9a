// Which architecture this translation unit's hv is built for, and the
// namespace hv's per-architecture part lives in (docs/design.md#architectures).
//
// hv/core is compiled once per architecture, into hv::inline HV_ARCH_NS, so
// one program (the simulator) can hold every architecture's hv without two
// different definitions of hv::Hypervisor, hv::Vm, ... under one name; code
// that includes one architecture's headers still writes hv::Hypervisor.
// What does not depend on the architecture (configuration, validation,
// errors, the page pool, hv::Port) stays in plain hv and is compiled once.
//
// Armv8-A unless the build selects another architecture:
// BAO_HV_ARCH_RISCV64 -> for_riscv64 (RV64 with the H extension).
#pragma once

#if defined(BAO_HV_ARCH_RISCV64)
#define HV_ARCH_NS for_riscv64
#else
#define HV_ARCH_NS for_armv8
#endif

namespace hv::inline HV_ARCH_NS {
class Hypervisor;
struct Vm;
struct Vcpu;
} // namespace hv::inline HV_ARCH_NS
