// bao-linux-dtb: writes the device tree bao-sim generates for a Linux VM, so
// it can be inspected (dtc -I dtb) or booted elsewhere (QEMU's -dtb, the
// `linux`/`qemu` test). docs/linux.md.
//
//   bao-linux-dtb -o OUT.dtb --memory BASE:SIZE [--memory ...] [--cpus N]
//                 [--bootargs TEXT] [--initrd START:END]
// Numbers are decimal or 0x-hex; SIZE takes a K/M/G suffix.
#include "sim/linux/device_tree.h"
#include "sim/loader.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <tuple>

namespace {

using sim::linux_boot::RamRange;

std::pair<std::uint64_t, std::uint64_t> pair_arg(const std::string& text, const char* what) {
    auto colon = text.find(':');
    if (colon == std::string::npos)
        throw sim::InputError(std::string(what) + " wants A:B, got '" + text + "'");
    return {sim::parse_size(text.substr(0, colon), what),
            sim::parse_size(text.substr(colon + 1), what)};
}

int run(int argc, char** argv) {
    sim::linux_boot::VmDeviceTreeSpec spec;
    std::string out;
    unsigned cpus = 1;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (i + 1 >= argc)
            throw sim::InputError("option " + a + " needs a value");
        std::string v = argv[++i];
        if (a == "-o")
            out = v;
        else if (a == "--memory") {
            auto [base, size] = pair_arg(v, "--memory");
            spec.memory.push_back(RamRange{base, size});
        } else if (a == "--cpus")
            cpus = static_cast<unsigned>(sim::parse_size(v, "--cpus"));
        else if (a == "--bootargs")
            spec.bootargs = v;
        else if (a == "--initrd")
            std::tie(spec.initrd_start, spec.initrd_end) = pair_arg(v, "--initrd");
        else
            throw sim::InputError("unknown option " + a);
    }
    if (out.empty())
        throw sim::InputError("no output file (-o)");
    for (unsigned c = 0; c < cpus; c++)
        spec.mpidr.push_back(c); // Aff0 = vCPU index, as hv numbers them
    std::vector<std::uint8_t> blob = sim::linux_boot::build_device_tree(spec);
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
    if (!f)
        throw sim::InputError("cannot write '" + out + "'");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const sim::InputError& e) {
        std::cerr << "bao-linux-dtb: " << e.what() << "\n";
        return 2;
    }
}
