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
#include "hv/core/validate.h"
#include "sim/config.h"
#include "sim/error.h"
#include "sim/loader.h"
#include "tools/staged_linux.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
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

// One statement per field: c.<path> = <value>;
struct Emitter {
    std::ostringstream out;
    void set(const std::string& path, const std::string& value) {
        out << "    c." << path << " = " << value << ";\n";
    }
    void set(const std::string& path, uint64_t value) { set(path, hex(value)); }
    void set_bool(const std::string& path, bool value) { set(path, value ? "true" : "false"); }
    template <typename V> void count(const std::string& path, const V& vec) {
        out << "    c." << path << ".count = " << vec.size() << ";\n";
    }
    template <typename V> void ints(const std::string& path, const V& vec) {
        for (size_t i = 0; i < vec.size(); ++i)
            set(path + ".items[" + std::to_string(i) + "]", std::to_string(vec[i]) + "u");
        count(path, vec);
    }
};

std::string emit_config(const hv::Config& cfg) {
    Emitter e;
    const hv::PlatformConfig& p = cfg.platform;
    e.set("mode", "hv::Mode::Hv");
    e.set("platform.cpu_num", std::to_string(p.cpu_num) + "u");
    for (size_t i = 0; i < p.ram.size(); ++i) {
        std::string r = "platform.ram.items[" + std::to_string(i) + "]";
        e.set(r + ".base", p.ram[i].base);
        e.set(r + ".size", p.ram[i].size);
    }
    e.count("platform.ram", p.ram);
    e.set("platform.console_pa", p.console_pa);
    e.set("platform.console_irq", std::to_string(p.console_irq) + "u");
    e.set("platform.gic.gicd", p.gic.gicd);
    e.set("platform.gic.gicc", p.gic.gicc);
    e.set("platform.gic.gich", p.gic.gich);
    e.set("platform.gic.gicv", p.gic.gicv);
    if (p.gic.version == hv::GicVersion::V3) {
        e.set("platform.gic.version", "hv::GicVersion::V3");
        e.set("platform.gic.gicr", p.gic.gicr);
        e.set("platform.gic.gicr_stride", p.gic.gicr_stride);
    }
    e.set("platform.l2.size", p.l2.size);
    e.set("platform.l2.ways", std::to_string(p.l2.ways) + "u");
    e.set("platform.l2.line", std::to_string(p.l2.line) + "u");
    e.set("hyp.colors", cfg.hyp.colors);
    e.set("hyp.region.base", cfg.hyp.region.base);
    e.set("hyp.region.size", cfg.hyp.region.size);
    for (size_t i = 0; i < cfg.shmems.size(); ++i) {
        const hv::ShmemConfig& s = cfg.shmems[i];
        std::string w = "shmems.items[" + std::to_string(i) + "]";
        e.set(w + ".size", s.size);
        e.set(w + ".colors", s.colors);
        e.set_bool(w + ".place_phys", s.place_phys);
        e.set(w + ".phys", s.phys);
    }
    e.count("shmems", cfg.shmems);
    for (size_t i = 0; i < cfg.vms.size(); ++i) {
        const hv::VmConfig& vm = cfg.vms[i];
        std::string w = "vms.items[" + std::to_string(i) + "]";
        for (size_t k = 0; k < hv::kNameLen && vm.name[k] != '\0'; ++k)
            e.set(w + ".name[" + std::to_string(k) + "]", "'" + std::string(1, vm.name[k]) + "'");
        e.set(w + ".image.base_ipa", vm.image.base_ipa);
        e.set(w + ".image.size", vm.image.size);
        e.set(w + ".image.entry", vm.image.entry);
        e.set(w + ".image.entry_x0", vm.image.entry_x0);
        e.set_bool(w + ".image.has_load_pa", vm.image.has_load_pa);
        e.set(w + ".image.load_pa", vm.image.load_pa);
        e.set(w + ".cpu_affinity", vm.cpu_affinity);
        e.set(w + ".colors", vm.colors);
        e.set_bool(w + ".measured", vm.measured);
        e.set_bool(w + ".has_marker", vm.has_marker);
        e.set(w + ".marker", vm.marker);
        for (size_t r = 0; r < vm.regions.size(); ++r) {
            std::string x = w + ".regions.items[" + std::to_string(r) + "]";
            e.set(x + ".base", vm.regions[r].base);
            e.set(x + ".size", vm.regions[r].size);
            e.set_bool(x + ".place_phys", vm.regions[r].place_phys);
            e.set(x + ".phys", vm.regions[r].phys);
        }
        e.count(w + ".regions", vm.regions);
        for (size_t d = 0; d < vm.devs.size(); ++d) {
            std::string x = w + ".devs.items[" + std::to_string(d) + "]";
            e.set(x + ".pa", vm.devs[d].pa);
            e.set(x + ".va", vm.devs[d].va);
            e.set(x + ".size", vm.devs[d].size);
            e.ints(x + ".interrupts", vm.devs[d].interrupts);
        }
        e.count(w + ".devs", vm.devs);
        for (size_t d = 0; d < vm.ipcs.size(); ++d) {
            std::string x = w + ".ipcs.items[" + std::to_string(d) + "]";
            e.set(x + ".base", vm.ipcs[d].base);
            e.set(x + ".size", vm.ipcs[d].size);
            e.set(x + ".shmem_id", std::to_string(vm.ipcs[d].shmem_id) + "u");
            e.ints(x + ".interrupts", vm.ipcs[d].interrupts);
        }
        e.count(w + ".ipcs", vm.ipcs);
    }
    e.count("vms", cfg.vms);
    return e.out.str();
}

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
    hv::Config& cfg = rc.hv;
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
        hv::VmConfig& vm = cfg.vms[i];
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
    const hv::Error err = hv::validate(cfg);
    if (!err.ok())
        throw sim::InputError(origin + ": " + err.message);

    std::ostringstream cpp;
    cpp << "// Generated by tools/bao-hv-config from " << config_path.string() << ". Do not edit.\n"
        << "#include \"hv/arch/armv8/target/image_config.h\"\n\n";
    for (size_t i = 0; i < images.size(); ++i)
        if (!images[i].bytes.empty())
            cpp << "extern \"C\" const unsigned char bao_guest_" << i << "[];\n";
    cpp << "\nnamespace hv::target {\nnamespace {\n"
        << "constexpr Config make_config() {\n    Config c{};\n"
        << emit_config(cfg) << "    return c;\n}\n} // namespace\n\n"
        << "constinit const Config kConfig = make_config();\n"
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
