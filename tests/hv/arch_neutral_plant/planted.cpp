// A planted violation of hv/core's architecture neutrality, for the test
// that shows the check (hv/cmake/check_core_neutral.cmake) can fail: never
// compiled.
#include "hv/arch/arch.h"
#include "hv/arch/armv8/vgic.h"

void planted(hv::Hypervisor& hv, hv::Vm& vm) {
    hv::armv8::vgic_raise(hv, vm, 32);
}
