#include "hv/core/config.h"

#include "hv/lib/fmt.h"

namespace hv {

void set_vm_name(VmConfig& vm, const char* name) {
    str_copy(vm.name, kNameLen, name);
}

std::uint32_t image_region(const VmConfig& vm) {
    std::uint32_t k = 0;
    while (k < vm.regions.size() &&
           !range_contains(vm.regions[k].base, vm.regions[k].size, vm.image.base_ipa, 1)) {
        ++k;
    }
    return k;
}

bool image_in_place(const VmConfig& vm) {
    const std::uint32_t k = image_region(vm);
    if (!vm.image.has_load_pa || vm.colors != 0 || k == vm.regions.size()) {
        return false;
    }
    const RegionConfig& r = vm.regions[k];
    return r.place_phys && vm.image.load_pa == r.phys + (vm.image.base_ipa - r.base);
}

} // namespace hv
