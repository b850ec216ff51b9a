// bao-hv-config: the build-time step of the real image (docs/design.md#target-build).
//
// Reads a bao-sim TOML configuration with the simulator's own loader
// (sim::parse_config), validates it with hv's own code (hv::validate), reads
// each VM's guest image, and writes into OUT_DIR:
//   image_config.cpp  the hv::Config as constant data, and the guest table
//   guests.S          each guest image embedded with .incbin
//   guestN.bin        the flat image of VM N (from its ELF's PT_LOAD segments)
//   qemu-loaders.txt  QEMU's -device loader arguments for Linux VMs, whose
//                     kernel, DTB and initrd are placed at their load_pa by
//                     QEMU, not embedded (tools/staged_linux.h)
//   layout.ld         HYP_BASE / HYP_END for the linker script (hyp.region)
// Any error (bad config, missing image, an image that does not fit its VM)
// is printed naming the config and the VM, and the step fails.
//
// Usage: bao-hv-config CONFIG.toml WORKLOADS_DIR OUT_DIR [DEPFILE TARGET]
#include "hv/core/config_storage.h"
#include "hv/core/validate.h"
#include "sim/config.h"
#include "sim/error.h"
#include "sim/loader.h"
#include "tools/staged_linux.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llxull", static_cast<unsigned long long>(v));
    return buf;
}

std::string hex_ld(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Writes only when the content changed, so the image is not relinked for nothing.
void write_file(const fs::path& p, const std::string& content) {
    if (fs::exists(p)) {
        try {
            if (read_file(p) == content)
                return;
        } catch (const std::exception&) {
        }
    }
    std::ofstream out(p, std::ios::binary);
    out << content;
    if (!out)
        throw std::runtime_error("cannot write " + p.string());
}

std::string c_string(const std::string& s) {
    std::string r = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            r += '\\';
        r += c;
    }
    return r + "\"";
}

// The Config as C++ constant data: each list an array of exactly its
// declared length, named after its place (kVm0Devs, kVm0Dev1Irqs), that the
// structure above it refers to by span (hv/core/config.h). Nothing of the
// host's fixed capacities reaches the image.
class Emitter {
  public:
    std::string emit(const hv::Config& cfg) {
        const hv::PlatformConfig& p = cfg.platform;
        std::ostringstream c;
        c << "constexpr Config kConfigData{\n"
          << "    .mode = hv::Mode::Hv,\n"
          << "    .platform = {.cpu_num = " << p.cpu_num << "u, .ram = {.items = {";
        for (const hv::MemRange& r : p.ram)
            c << "{" << hex(r.base) << ", " << hex(r.size) << "}, ";
        c << "}, .count = " << p.ram.size() << "u},\n"
          << "                 .console_pa = " << hex(p.console_pa)
          << ", .console_irq = " << p.console_irq << "u,\n"
          << "                 .gic = {" << hex(p.gic.gicd) << ", " << hex(p.gic.gicc) << ", "
          << hex(p.gic.gich) << ", " << hex(p.gic.gicv)
          << ", hv::GicVersion::" << (p.gic.version == hv::GicVersion::V3 ? "V3" : "V2") << ", "
          << hex(p.gic.gicr) << ", " << hex(p.gic.gicr_stride) << "},\n"
          << "                 .l2 = {" << hex(p.l2.size) << ", " << p.l2.ways << "u, " << p.l2.line
          << "u}},\n"
          << "    .hyp = {" << hex(cfg.hyp.colors) << ", {" << hex(cfg.hyp.region.base) << ", "
          << hex(cfg.hyp.region.size) << "}},\n";
        std::ostringstream vms;
        for (size_t i = 0; i < cfg.vms.size(); ++i)
            vms << vm(cfg.vms[i], "kVm" + std::to_string(i));
        c << "    .vms = " << list("kVms", "VmConfig", vms.str(), cfg.vms.size()) << ",\n";
        std::ostringstream sh;
        for (const hv::ShmemConfig& m : cfg.shmems)
            sh << "    {" << hex(m.size) << ", " << hex(m.colors) << ", "
               << (m.place_phys ? "true" : "false") << ", " << hex(m.phys) << "},\n";
        c << "    .shmems = " << list("kShmems", "ShmemConfig", sh.str(), cfg.shmems.size())
          << ",\n};\n";
        return arrays_.str() + c.str();
    }

  private:
    std::ostringstream arrays_; // every list's array, before what refers to it

    // Defines `name` with `items` (one initializer per line) and returns the
    // span's initializer; an empty list has no array.
    std::string list(const std::string& name, const std::string& type, const std::string& items,
                     size_t count) {
        if (count == 0)
            return "{}";
        arrays_ << "constexpr " << type << " " << name << "[] = {\n" << items << "};\n";
        return name;
    }

    std::string irqs(const std::string& name, std::span<const uint32_t> ids) {
        std::ostringstream items;
        for (uint32_t id : ids)
            items << "    " << id << "u,\n";
        return list(name, "std::uint32_t", items.str(), ids.size());
    }

    std::string vm(const hv::VmConfig& vm, const std::string& w) {
        std::ostringstream regions;
        for (const hv::RegionConfig& r : vm.regions)
            regions << "    {" << hex(r.base) << ", " << hex(r.size) << ", "
                    << (r.place_phys ? "true" : "false") << ", " << hex(r.phys) << "},\n";
        std::ostringstream devs;
        for (size_t d = 0; d < vm.devs.size(); ++d) {
            const hv::DevConfig& x = vm.devs[d];
            devs << "    {" << hex(x.pa) << ", " << hex(x.va) << ", " << hex(x.size) << ", "
                 << irqs(w + "Dev" + std::to_string(d) + "Irqs", x.interrupts) << "},\n";
        }
        std::ostringstream ipcs;
        for (size_t d = 0; d < vm.ipcs.size(); ++d) {
            const hv::IpcConfig& x = vm.ipcs[d];
            ipcs << "    {" << hex(x.base) << ", " << hex(x.size) << ", " << x.shmem_id << "u, "
                 << irqs(w + "Ipc" + std::to_string(d) + "Irqs", x.interrupts) << "},\n";
        }
        const hv::ImageConfig& img = vm.image;
        std::ostringstream o;
        o << "    {.name = " << c_string(vm.name) << ",\n"
          << "     .image = {" << hex(img.base_ipa) << ", " << hex(img.size) << ", "
          << hex(img.entry) << ", " << hex(img.entry_x0) << ", "
          << (img.has_load_pa ? "true" : "false") << ", " << hex(img.load_pa) << "},\n"
          << "     .cpu_affinity = " << hex(vm.cpu_affinity) << ", .colors = " << hex(vm.colors)
          << ", .measured = " << (vm.measured ? "true" : "false")
          << ", .has_marker = " << (vm.has_marker ? "true" : "false")
          << ", .marker = " << hex(vm.marker) << ",\n"
          << "     .regions = "
          << list(w + "Regions", "RegionConfig", regions.str(), vm.regions.size())
          << ", .devs = " << list(w + "Devs", "DevConfig", devs.str(), vm.devs.size())
          << ", .ipcs = " << list(w + "Ipcs", "IpcConfig", ipcs.str(), vm.ipcs.size()) << "},\n";
        return o.str();
    }
};

struct Flat {
    uint64_t base = 0;
    std::vector<uint8_t> bytes;
};

// The image as one contiguous blob from its lowest load address to the end
// of its last file-backed byte (.bss is the guest's to clear, as on bao-sim).
Flat flatten(const sim::GuestImage& img) {
    Flat f;
    f.base = img.lowest();
    uint64_t end = f.base;
    for (auto& s : img.segments)
        end = std::max(end, s.addr + s.bytes.size());
    f.bytes.assign(end - f.base, 0);
    for (auto& s : img.segments)
        std::copy(s.bytes.begin(), s.bytes.end(), f.bytes.begin() + (s.addr - f.base));
    return f;
}

int run(int argc, char** argv) {
    if (argc != 4 && argc != 6) {
        std::cerr << "usage: bao-hv-config CONFIG.toml WORKLOADS_DIR OUT_DIR [DEPFILE TARGET]\n";
        return 2;
    }
    const fs::path config_path = fs::absolute(argv[1]);
    const fs::path workloads = fs::absolute(argv[2]);
    const fs::path out = fs::absolute(argv[3]);
    const std::string origin = config_path.filename().string();
    std::vector<std::string> deps{config_path.string()};

    sim::RunConfig rc = sim::parse_config(read_file(config_path), config_path.string(),
                                          config_path.parent_path().string());
    hv::ConfigStorage& cfg = rc.hv;
    if (cfg.mode != hv::Mode::Hv)
        throw sim::InputError(origin + ": mode must be \"hv\" for the hv image");

    if (cfg.hyp.region.size == 0)
        throw sim::InputError(origin + ": hyp.region: the hv image needs a region of its own "
                                       "(where -kernel loads it), e.g. { base = 0x40000000, "
                                       "size = 0x1000000 }");
    fs::create_directories(out);
    std::vector<Flat> images; // empty for a staged Linux VM
    std::vector<tools::LoaderFile> loaders;
    for (size_t i = 0; i < cfg.vms.size(); ++i) {
        hv::VmStorage& vm = cfg.vms[i];
        const sim::ImageSource& src = rc.images[i];
        const std::string who = "vms[" + std::to_string(i) + "] (\"" + vm.name + "\")";
        if (!src.linux_boot.kernel.empty()) {
            tools::StagedLinux l = tools::stage_linux_vm(rc, i, workloads, out, origin);
            loaders.insert(loaders.end(), l.loaders.begin(), l.loaders.end());
            deps.insert(deps.end(), l.deps.begin(), l.deps.end());
            images.emplace_back();
            continue;
        }
        fs::path path = src.path;
        if (!src.workload.empty())
            path = workloads / (src.workload + ".elf");
        if (!fs::exists(path))
            throw sim::InputError(
                origin + ": " + who + ": image " + path.string() + " does not exist" +
                (src.workload.empty() ? ""
                                      : " (unknown or unbuilt workload '" + src.workload + "')"));
        deps.push_back(fs::absolute(path).string());
        sim::GuestImage img =
            sim::read_guest_image(path.string(), src.load_addr.value_or(0x40000000));
        Flat flat = flatten(img);
        vm.image.base_ipa = flat.base;
        vm.image.size = flat.bytes.size();
        if (vm.image.entry == 0)
            vm.image.entry = img.entry;
        // The whole footprint (with .bss and stacks) must fit the region too.
        const uint32_t r = hv::image_region(vm);
        if (r < vm.regions.size()) {
            const hv::RegionConfig& reg = vm.regions[r];
            if (img.highest() > reg.base + reg.size)
                throw sim::InputError(origin + ": " + who + ": image " + path.string() +
                                      " needs IPA " + hex(img.lowest()) + ".." +
                                      hex(img.highest()) + " but its region ends at " +
                                      hex(reg.base + reg.size));
        }
        images.push_back(std::move(flat));
    }
    const hv::Config view = cfg.view();
    const hv::Error err = hv::validate(view);
    if (!err.ok())
        throw sim::InputError(origin + ": " + err.message);

    std::ostringstream cpp;
    cpp << "// Generated by tools/bao-hv-config from " << config_path.string() << ". Do not edit.\n"
        << "#include \"hv/arch/armv8/target/image_config.h\"\n"
        << "#include \"hv/core/hypervisor.h\"\n\n";
    for (size_t i = 0; i < images.size(); ++i)
        if (!images[i].bytes.empty())
            cpp << "extern \"C\" const unsigned char bao_guest_" << i << "[];\n";
    cpp << "\nnamespace hv::target {\nnamespace {\n\n"
        << Emitter().emit(view) << "\n"
        << "// hv's run-time state: what kConfigData declares, no more (in .bss).\n"
        << "alignas(Hypervisor::kStateAlign) std::byte "
           "g_hv_state[Hypervisor::state_bytes(kConfigData)];\n"
        << "\n} // namespace\n\n"
        << "constinit const Config kConfig = kConfigData;\n"
        << "constinit const std::span<std::byte> kHvState{g_hv_state};\n"
        << "const GuestBlob kGuests[] = {\n";
    for (size_t i = 0; i < images.size(); ++i)
        if (images[i].bytes.empty())
            cpp << "    {nullptr, 0u}, // placed by QEMU's -device loader (qemu-loaders.txt)\n";
        else
            cpp << "    {bao_guest_" << i << ", " << images[i].bytes.size() << "u},\n";
    cpp << "};\nconst char kConfigName[] = " << c_string(origin) << ";\n\n"
        << "} // namespace hv::target\n";
    write_file(out / "image_config.cpp", cpp.str());

    std::ostringstream s;
    s << "/* Generated by tools/bao-hv-config. Do not edit. */\n";
    for (size_t i = 0; i < images.size(); ++i) {
        if (images[i].bytes.empty())
            continue;
        const fs::path bin = out / ("guest" + std::to_string(i) + ".bin");
        write_file(bin, std::string(images[i].bytes.begin(), images[i].bytes.end()));
        // The hash makes this file change with the image, so the assembler reruns.
        s << "/* guest" << i << ".bin: " << images[i].bytes.size() << " bytes, fnv1a64 "
          << hex_ld(sim::fnv1a64(images[i].bytes.data(), images[i].bytes.size())) << " */\n";
        s << "    .section .guests, \"a\"\n    .balign 4096\n    .global bao_guest_" << i
          << "\nbao_guest_" << i << ":\n    .incbin \"" << bin.string() << "\"\n";
    }
    write_file(out / "guests.S", s.str());
    write_file(out / "qemu-loaders.txt", tools::qemu_loader_args(loaders));

    std::ostringstream ld;
    ld << "/* Generated by tools/bao-hv-config from hyp.region. */\n"
       << "HYP_BASE = " << hex_ld(cfg.hyp.region.base) << ";\n"
       << "HYP_END = " << hex_ld(cfg.hyp.region.base + cfg.hyp.region.size) << ";\n";
    write_file(out / "layout.ld", ld.str());

    if (argc == 6) {
        std::ostringstream d;
        d << argv[5] << ":";
        for (auto& dep : deps)
            d << " " << dep;
        d << "\n";
        write_file(argv[4], d.str());
    }
    std::cout << "bao-hv-config: " << origin << ": " << cfg.vms.size() << " VMs, hyp.region "
              << hex(cfg.hyp.region.base) << " + " << hex(cfg.hyp.region.size) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bao-hv-config: error: " << e.what() << "\n";
        return 1;
    }
}
