// A planted violation naming only RISC-V's arch code, for the test that
// shows the check (hv/cmake/check_core_neutral.cmake) knows hv::riscv64 too:
// never compiled.
#include "hv/arch/arch.h"
#include "hv/arch/riscv64/vplic.h"

void planted(hv::Hypervisor& hv, hv::Vm& vm) {
    hv::riscv64::vplic_raise(hv, vm, 10);
}
