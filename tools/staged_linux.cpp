#include "tools/staged_linux.h"

#include "sim/error.h"
#include "sim/linux_vm.h"
#include "sim/loader.h"

#include <cstdio>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace tools {
namespace {

std::string hex(std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes only when the content changed, so the image is not relinked for nothing.
void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
    if (fs::exists(p) && read_bytes(p) == bytes)
        return;
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + p.string());
}

} // namespace

StagedLinux stage_linux_vm(sim::RunConfig& rc, std::size_t index, const fs::path& workloads,
                           const fs::path& out, const std::string& origin) {
    hv::VmStorage& vm = rc.hv.vms[index];
    const std::string who = origin + ": vms[" + std::to_string(index) + "] (\"" + vm.name + "\")";
    if (!vm.image.has_load_pa)
        throw sim::InputError(who + ": a Linux VM in the hv image needs load_pa, the staging PA "
                                    "where QEMU's -device loader places its kernel, DTB and "
                                    "initrd (outside every VM's memory and hyp.region)");
    sim::LinuxSource l = rc.images[index].linux_boot;
    StagedLinux staged;
    for (std::string* p : {&l.kernel, &l.initrd, &l.dtb}) {
        *p = sim::resolve_linux_path(*p, workloads.string());
        if (p->empty())
            continue;
        if (!fs::exists(*p))
            throw sim::InputError(who + ": " + *p + " does not exist" +
                                  (p == &l.kernel ? " (scripts/linux/fetch-kernel.sh)" : ""));
        staged.deps.push_back(fs::absolute(*p).string());
    }
    const sim::GuestImage img = sim::linux_guest_image(l, sim::linux_vm_description(rc, index));
    vm.image.base_ipa = img.lowest();
    vm.image.size = img.footprint();
    vm.image.entry = img.entry;
    vm.image.entry_x0 = img.entry_context;

    // Segments: the kernel, the DTB, then the initrd (linux_guest_image).
    const std::string tag = "linux-vm" + std::to_string(index);
    for (std::size_t s = 0; s < img.segments.size(); ++s) {
        const sim::ImageSegment& seg = img.segments[s];
        fs::path file;
        if (s == 0 && read_bytes(l.kernel) == seg.bytes) {
            file = l.kernel; // a plain Image: QEMU loads the file itself
        } else if (s == 2) {
            file = l.initrd;
        } else {
            file = out / (tag + (s == 0 ? "-Image" : ".dtb"));
            write_bytes(file, seg.bytes);
        }
        staged.loaders.push_back(
            {fs::absolute(file).string(), vm.image.load_pa + (seg.addr - img.lowest())});
    }
    return staged;
}

std::string qemu_loader_args(const std::vector<LoaderFile>& loaders) {
    std::string s;
    for (const LoaderFile& f : loaders)
        if (f.file.find(',') != std::string::npos)
            throw sim::InputError(f.file +
                                  ": QEMU's -device loader cannot take a path with a comma");
    for (const LoaderFile& f : loaders)
        s += "-device\nloader,file=" + f.file + ",addr=" + hex(f.addr) + ",force-raw=on\n";
    return s;
}

} // namespace tools
