#include "sim/platform.h"

#include "sim/error.h"
#include "sim/machine.h"

namespace sim {
namespace {

struct PlatformEntry {
    const char* name;
    Isa isa;
    void (*build)(Machine&);
};

constexpr PlatformEntry kPlatforms[] = {
    {kDefaultPlatform, Isa::aarch64, &build_aarch64_virt},
    {kRiscvVirtPlatform, Isa::riscv64, &build_riscv64_virt},
};

const PlatformEntry& find(const std::string& name) {
    for (const PlatformEntry& p : kPlatforms)
        if (name == p.name)
            return p;
    std::string known;
    for (const PlatformEntry& p : kPlatforms)
        known += (known.empty() ? "" : ", ") + std::string(p.name);
    throw InputError("unknown platform '" + name + "' (known: " + known + ")");
}

} // namespace

void build_platform(Machine& machine) {
    find(machine.params().platform).build(machine);
}

std::vector<std::string> platform_names() {
    std::vector<std::string> out;
    for (const PlatformEntry& p : kPlatforms)
        out.emplace_back(p.name);
    return out;
}

Isa platform_isa(const std::string& name) {
    return find(name).isa;
}

} // namespace sim
