#include "sim/platform.h"

#include "hv/platform/qemu-aarch64-virt/platform.h"
#include "hv/platform/qemu-riscv64-virt/platform.h"
#include "hv/platform/zcu104/platform.h"
#include "sim/error.h"
#include "sim/machine.h"

namespace sim {
namespace {

hv::PlatformConfig virt_description() {
    return hv::platform::qemu_aarch64_virt();
}
hv::GicAddrs virt_gicv3() {
    return hv::platform::qemu_aarch64_virt_gicv3();
}
hv::PlatformConfig riscv_virt_description() {
    return hv::platform::qemu_riscv64_virt();
}
hv::PlatformConfig zcu104_description() {
    return hv::platform::zcu104();
}

constexpr PlatformInfo kPlatforms[] = {
    {kDefaultPlatform, Isa::aarch64, &build_aarch64_virt, &virt_description, &virt_gicv3, "",
     0x4000'0000},
    {kRiscvVirtPlatform, Isa::riscv64, &build_riscv64_virt, &riscv_virt_description, nullptr,
     "riscv64", 0x8000'0000},
    {kZcu104Platform, Isa::aarch64, &build_zcu104, &zcu104_description, nullptr, "zcu104",
     0x4000'0000},
};

} // namespace

const PlatformInfo& platform_info(const std::string& name) {
    for (const PlatformInfo& p : kPlatforms)
        if (name == p.name)
            return p;
    std::string known;
    for (const PlatformInfo& p : kPlatforms)
        known += (known.empty() ? "" : ", ") + std::string(p.name);
    throw InputError("unknown platform '" + name + "' (known: " + known + ")");
}

void build_platform(Machine& machine) {
    platform_info(machine.params().platform).build(machine);
}

std::vector<std::string> platform_names() {
    std::vector<std::string> out;
    for (const PlatformInfo& p : kPlatforms)
        out.emplace_back(p.name);
    return out;
}

Isa platform_isa(const std::string& name) {
    return platform_info(name).isa;
}

} // namespace sim
