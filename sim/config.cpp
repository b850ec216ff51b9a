#include "sim/config.h"

#include "sim/error.h"
#include "sim/json.h"
#include "sim/loader.h"
#include "sim/platform.h"
#include "sim/presets.h"
#include "sim/sim_time.h"

#include <toml++/toml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace sim {
namespace {

using Table = toml::table;

// Rejects keys a table does not know, so a typo is an error, not a silent default.
void check_keys(const Table& t, const std::string& where, const std::set<std::string>& known) {
    for (auto& [k, v] : t) {
        (void)v;
        if (!known.count(std::string(k.str()))) {
            std::string list;
            for (auto& n : known)
                list += (list.empty() ? "" : ", ") + n;
            throw InputError(where + ": unknown key '" + std::string(k.str()) +
                             "' (known: " + list + ")");
        }
    }
}

std::string join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
}

// An unsigned number: a TOML integer or a number string ("32M", "0x1000";
// parse_size), never negative. get_uint_in also bounds it to its field's range.
uint64_t get_uint(const Table& t, const std::string& where, const std::string& key, uint64_t dflt,
                  bool required = false) {
    auto node = t.get(key);
    if (!node) {
        if (required)
            throw InputError(join(where, key) + ": missing");
        return dflt;
    }
    if (auto v = node->value<int64_t>(); v && node->is_integer()) {
        if (*v < 0)
            throw InputError(join(where, key) + ": " + std::to_string(*v) +
                             " must not be negative");
        return static_cast<uint64_t>(*v);
    }
    if (auto s = node->value<std::string>())
        return parse_size(*s, join(where, key));
    throw InputError(join(where, key) + ": expected a number");
}

uint64_t get_uint_in(const Table& t, const std::string& where, const std::string& key,
                     uint64_t dflt, uint64_t lo, uint64_t hi) {
    return check_range(get_uint(t, where, key, dflt), join(where, key), lo, hi);
}

// A list of integers each within [lo, hi] (interrupt IDs, run parameters).
std::vector<uint64_t> get_uint_list(const Table& t, const std::string& where,
                                    const std::string& key, uint64_t lo, uint64_t hi) {
    std::vector<uint64_t> out;
    auto node = t.get(key);
    if (!node)
        return out;
    auto* arr = node->as_array();
    if (!arr)
        throw InputError(join(where, key) + ": expected a list of numbers");
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string wi = join(where, key) + "[" + std::to_string(i) + "]";
        auto v = arr->get(i)->value<int64_t>();
        if (!v || !arr->get(i)->is_integer())
            throw InputError(wi + ": expected an integer");
        if (*v < 0 || static_cast<uint64_t>(*v) < lo || static_cast<uint64_t>(*v) > hi)
            throw InputError(wi + ": " + std::to_string(*v) + " is out of range (" +
                             std::to_string(lo) + "-" + std::to_string(hi) + ")");
        out.push_back(static_cast<uint64_t>(*v));
    }
    return out;
}

std::string get_string(const Table& t, const std::string& where, const std::string& key,
                       const std::string& dflt = {}) {
    auto node = t.get(key);
    if (!node)
        return dflt;
    if (auto s = node->value<std::string>())
        return *s;
    throw InputError(join(where, key) + ": expected a string");
}

bool get_bool(const Table& t, const std::string& where, const std::string& key, bool dflt) {
    auto node = t.get(key);
    if (!node)
        return dflt;
    if (auto b = node->value<bool>())
        return *b;
    throw InputError(join(where, key) + ": expected true or false");
}

// Seconds of simulated time (sim_time.h): an integer, a float or a string.
uint64_t get_seconds(const Table& t, const std::string& key) {
    auto node = t.get(key);
    if (!node)
        return 0;
    if (auto i = node->value_exact<int64_t>())
        return parse_seconds(std::to_string(*i), key);
    if (auto s = node->value_exact<std::string>())
        return parse_seconds(*s, key);
    if (auto d = node->value_exact<double>()) {
        char text[64];
        auto [end, ec] = std::to_chars(text, text + sizeof text, *d, std::chars_format::fixed);
        if (ec != std::errc())
            throw InputError(key + ": out of range");
        return parse_seconds(std::string(text, end), key);
    }
    throw InputError(key + ": expected seconds of simulated time (a number or a string)");
}

const Table* get_table(const Table& t, const std::string& where, const std::string& key) {
    auto node = t.get(key);
    if (!node)
        return nullptr;
    if (auto* tab = node->as_table())
        return tab;
    throw InputError(join(where, key) + ": expected a table");
}

// A list of table entries: `key = [{...}, ...]` or `[[key]]`.
std::vector<const Table*> get_tables(const Table& t, const std::string& where,
                                     const std::string& key) {
    std::vector<const Table*> out;
    auto node = t.get(key);
    if (!node)
        return out;
    auto* arr = node->as_array();
    if (!arr)
        throw InputError(join(where, key) + ": expected a list of tables");
    for (size_t i = 0; i < arr->size(); ++i) {
        auto* tab = arr->get(i)->as_table();
        if (!tab)
            throw InputError(join(where, key) + "[" + std::to_string(i) + "]: expected a table");
        out.push_back(tab);
    }
    return out;
}

// A list of small integers as a bitmask (CPU ids, color indices).
uint64_t get_bitmask(const Table& t, const std::string& where, const std::string& key,
                     unsigned limit) {
    auto node = t.get(key);
    if (!node)
        return 0;
    auto* arr = node->as_array();
    if (!arr)
        throw InputError(join(where, key) + ": expected a list of numbers");
    uint64_t mask = 0;
    for (size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(i)->value<int64_t>();
        if (!v || !arr->get(i)->is_integer())
            throw InputError(join(where, key) + "[" + std::to_string(i) + "]: expected a number");
        if (*v < 0 || *v >= static_cast<int64_t>(limit))
            throw InputError(join(where, key) + ": " + std::to_string(*v) + " is out of range (0-" +
                             std::to_string(limit - 1) + ")");
        mask |= 1ull << *v;
    }
    return mask;
}

template <typename Vec, typename T> void push(Vec& v, const T& item, const std::string& where) {
    if (!v.push(item))
        throw InputError(where + ": too many entries (at most " + std::to_string(Vec::capacity) +
                         ")");
}

// The platform's GICv3 description, for `what` asking for gic.version 3.
hv::GicAddrs platform_gicv3(const std::string& platform, const std::string& what) {
    const PlatformInfo& info = platform_info(platform);
    if (!info.gicv3)
        throw InputError(what + ": platform " + platform + " has no GICv3");
    return info.gicv3();
}

void parse_platform(const Table& t, RunConfig& rc) {
    const std::string w = "platform";
    check_keys(t, w, {"name", "cpus", "ram", "console", "console_irq", "gic", "l2"});
    hv::PlatformConfig& p = rc.hv.platform;
    rc.machine.platform =
        get_string(t, w, "name").empty() ? kDefaultPlatform : get_string(t, w, "name");
    const PlatformInfo* info = nullptr;
    try {
        info = &platform_info(rc.machine.platform);
    } catch (const InputError& e) {
        throw InputError(w + ".name: " + e.what());
    }
    // Every default is the platform's own description (decision 33). On
    // RISC-V, hv's vPLIC traps the PLIC's window; its addresses stand in the
    // interrupt-controller fields (hv/platform/qemu-riscv64-virt/platform.h).
    const hv::PlatformConfig board = info->description();
    p.cpu_num = static_cast<uint32_t>(get_uint_in(t, w, "cpus", 4, 1, hv::kMaxCpus));
    auto rams = get_tables(t, w, "ram");
    if (t.get("ram") && rams.empty())
        throw InputError(w + ".ram: the list is empty (omit the key for the default " +
                         std::to_string(board.ram[0].size >> 30) + " GiB at " +
                         hex_addr(board.ram[0].base) + ")");
    for (size_t i = 0; i < rams.size(); ++i) {
        std::string wi = w + ".ram[" + std::to_string(i) + "]";
        check_keys(*rams[i], wi, {"base", "size"});
        const hv::MemRange r{get_uint(*rams[i], wi, "base", 0, true),
                             get_uint(*rams[i], wi, "size", 0, true)};
        // The simulator backs RAM by 4 KiB pages (decision 10).
        // (TOML integers are signed 64-bit: base + size cannot wrap.)
        if (r.size == 0 || (r.base | r.size) % 0x1000 != 0)
            throw InputError(wi + ": base " + hex_addr(r.base) + " and size " + hex_addr(r.size) +
                             " must be non-zero multiples of 4 KiB");
        push(p.ram, r, w + ".ram");
    }
    if (p.ram.empty())
        push(p.ram, board.ram[0], w + ".ram");
    p.console_pa = get_uint(t, w, "console", board.console_pa);
    p.console_irq = static_cast<uint32_t>(
        get_uint_in(t, w, "console_irq", board.console_irq, 0, hv::kMaxIntId - 1));
    p.gic = board.gic;
    if (auto* g = get_table(t, w, "gic")) {
        check_keys(*g, w + ".gic", {"gicd", "gicc", "gich", "gicv", "version", "gicr"});
        rc.machine.gic_version = get_uint_in(*g, w + ".gic", "version", 2, 2, 3);
        p.gic.gicd = get_uint(*g, w + ".gic", "gicd", p.gic.gicd);
        p.gic.gicc = get_uint(*g, w + ".gic", "gicc", p.gic.gicc);
        p.gic.gich = get_uint(*g, w + ".gic", "gich", p.gic.gich);
        p.gic.gicv = get_uint(*g, w + ".gic", "gicv", p.gic.gicv);
        // GICv3 (QEMU virt's, Bao's qemu-aarch64-virt): redistributors,
        // one 128 KiB frame pair per CPU; no CPU-interface frames.
        if (rc.machine.gic_version == 3) {
            const hv::GicAddrs v3 = platform_gicv3(rc.machine.platform, w + ".gic.version");
            p.gic.version = v3.version;
            p.gic.gicc = p.gic.gich = p.gic.gicv = 0;
            p.gic.gicr = get_uint(*g, w + ".gic", "gicr", v3.gicr);
            p.gic.gicr_stride = v3.gicr_stride;
        }
    }
    if (auto* l2 = get_table(t, w, "l2")) {
        check_keys(*l2, w + ".l2", {"size", "ways", "line"});
        p.l2.size = get_uint(*l2, w + ".l2", "size", p.l2.size);
        p.l2.ways = static_cast<uint32_t>(get_uint_in(*l2, w + ".l2", "ways", p.l2.ways, 1, 1024));
        p.l2.line = static_cast<uint32_t>(get_uint_in(*l2, w + ".l2", "line", p.l2.line, 1, 65536));
    }
    // The modeled L2 starts from the platform's geometry; [model] may override it
    // and sync_l2_geometry() makes hv's colors follow the model.
    rc.machine.hierarchy.l2.size_bytes = p.l2.size;
    rc.machine.hierarchy.l2.ways = p.l2.ways;
    rc.machine.hierarchy.line_bytes = p.l2.line;
}

// `guest_base`: where the platform's guests are linked, the load address
// when the config gives none.
void parse_image(const Table& t, const std::string& w, hv::VmStorage& vm, ImageSource& src,
                 const std::string& base_dir, uint64_t guest_base) {
    check_keys(t, w, {"workload", "path", "load_addr", "entry", "load_pa"});
    src.workload = get_string(t, w, "workload");
    src.path = get_string(t, w, "path");
    if (src.workload.empty() == src.path.empty())
        throw InputError(w + ": give exactly one of 'workload' or 'path'");
    if (!src.path.empty() && std::filesystem::path(src.path).is_relative() && !base_dir.empty())
        src.path = (std::filesystem::path(base_dir) / src.path).string();
    if (t.get("load_addr"))
        src.load_addr = get_uint(t, w, "load_addr", 0);
    vm.image.base_ipa = src.load_addr.value_or(guest_base);
    vm.image.entry = get_uint(t, w, "entry", 0);
    if (t.get("load_pa")) {
        vm.image.has_load_pa = true;
        vm.image.load_pa = get_uint(t, w, "load_pa", 0);
    }
}

// Relative to the config file, except "cache:" and "build:" paths, which the
// simulation resolves (sim/linux_vm.h).
std::string resolve(const std::string& path, const std::string& base_dir) {
    if (path.rfind("cache:", 0) == 0 || path.rfind("build:", 0) == 0)
        return path;
    if (!path.empty() && std::filesystem::path(path).is_relative() && !base_dir.empty())
        return (std::filesystem::path(base_dir) / path).string();
    return path;
}

// A Linux VM: `kernel` (required), `initrd`, `bootargs`, `dtb`; no `image`.
void parse_linux(const Table& t, const std::string& w, bool has_image, LinuxSource& l,
                 const std::string& base_dir) {
    if (has_image)
        throw InputError(w + ": give either 'image' or 'kernel' (a Linux VM), not both");
    l.kernel = resolve(get_string(t, w, "kernel"), base_dir);
    if (l.kernel.empty())
        throw InputError(w + ".kernel: empty path");
    l.initrd = resolve(get_string(t, w, "initrd"), base_dir);
    l.dtb = resolve(get_string(t, w, "dtb"), base_dir);
    l.bootargs = get_string(t, w, "bootargs");
}

void parse_vm(const Table& t, size_t index, RunConfig& rc, const std::string& base_dir) {
    const std::string w = "vms[" + std::to_string(index) + "]";
    check_keys(t, w,
               {"name", "measured", "image", "cpu_affinity", "colors", "regions", "devs", "ipcs",
                "params", "marker", "kernel", "initrd", "bootargs", "dtb", "load_pa"});
    hv::VmStorage vm;
    std::string name = get_string(t, w, "name", "vm" + std::to_string(index));
    // hv keeps kNameLen - 1 characters and prints the name before each line.
    if (name.size() >= hv::kNameLen)
        throw InputError(w + ".name: \"" + name + "\" is longer than " +
                         std::to_string(hv::kNameLen - 1) + " characters");
    for (char c : name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw InputError(w + ".name: contains a control character");
    hv::set_vm_name(vm, name.c_str());
    vm.measured = get_bool(t, w, "measured", false);
    if (t.get("marker")) {
        vm.has_marker = true;
        vm.marker = get_uint(t, w, "marker", 0);
    }
    vm.cpu_affinity = get_bitmask(t, w, "cpu_affinity", hv::kMaxCpus);
    vm.colors = get_bitmask(t, w, "colors", hv::kMaxColors);
    ImageSource src;
    auto* image = get_table(t, w, "image");
    if (t.get("kernel"))
        parse_linux(t, w, image != nullptr, src.linux_boot, base_dir);
    else if (!image)
        throw InputError(w + ".image: missing (or give 'kernel' for a Linux VM)");
    else
        parse_image(*image, w + ".image", vm, src, base_dir,
                    platform_info(rc.machine.platform).guest_base);
    // A Linux VM's boot images as a boot loader placed them (the real image:
    // QEMU's -device loader), for hv to copy into the VM (tools/staged_linux.h).
    if (t.get("load_pa")) {
        if (src.linux_boot.kernel.empty())
            throw InputError(w + ".load_pa: only for a Linux VM ('kernel'); an image takes "
                                 "image.load_pa");
        vm.image.has_load_pa = true;
        vm.image.load_pa = get_uint(t, w, "load_pa", 0);
    }
    if (auto node = t.get("params")) {
        auto* arr = node->as_array();
        if (!arr)
            throw InputError(w + ".params: expected a list of numbers");
        for (size_t k = 0; k < arr->size(); ++k) {
            auto v = arr->get(k)->value<int64_t>();
            if (!v || !arr->get(k)->is_integer() || *v < 0)
                throw InputError(w + ".params[" + std::to_string(k) +
                                 "]: expected a non-negative integer");
            src.params.push_back(static_cast<uint64_t>(*v));
        }
    }
    auto regions = get_tables(t, w, "regions");
    for (size_t i = 0; i < regions.size(); ++i) {
        std::string wi = w + ".regions[" + std::to_string(i) + "]";
        check_keys(*regions[i], wi, {"base", "size", "phys"});
        hv::RegionConfig r;
        r.base = get_uint(*regions[i], wi, "base", 0, true);
        r.size = get_uint(*regions[i], wi, "size", 0, true);
        if (regions[i]->get("phys")) {
            r.place_phys = true;
            r.phys = get_uint(*regions[i], wi, "phys", 0);
        }
        push(vm.regions, r, w + ".regions");
    }
    auto devs = get_tables(t, w, "devs");
    for (size_t i = 0; i < devs.size(); ++i) {
        std::string wi = w + ".devs[" + std::to_string(i) + "]";
        check_keys(*devs[i], wi, {"pa", "va", "size", "interrupts"});
        hv::DevStorage d;
        // Without registers (no pa, no size) an entry lists interrupts only,
        // as Bao's entry for the timer's PPI 27 does.
        const bool regs = devs[i]->get("pa") || devs[i]->get("size");
        d.pa = get_uint(*devs[i], wi, "pa", 0, regs);
        d.va = get_uint(*devs[i], wi, "va", d.pa);
        d.size = get_uint(*devs[i], wi, "size", 0, regs);
        for (uint64_t id : get_uint_list(*devs[i], wi, "interrupts", 0, hv::kMaxIntId - 1))
            push(d.interrupts, static_cast<uint32_t>(id), wi + ".interrupts");
        push(vm.devs, d, w + ".devs");
    }
    auto ipcs = get_tables(t, w, "ipcs");
    for (size_t i = 0; i < ipcs.size(); ++i) {
        std::string wi = w + ".ipcs[" + std::to_string(i) + "]";
        check_keys(*ipcs[i], wi, {"base", "size", "shmem_id", "interrupts"});
        hv::IpcStorage c;
        c.base = get_uint(*ipcs[i], wi, "base", 0, true);
        c.size = get_uint(*ipcs[i], wi, "size", 0, true);
        c.shmem_id = static_cast<uint32_t>(get_uint_in(*ipcs[i], wi, "shmem_id", 0, 0, UINT32_MAX));
        for (uint64_t id : get_uint_list(*ipcs[i], wi, "interrupts", 0, hv::kMaxIntId - 1))
            push(c.interrupts, static_cast<uint32_t>(id), wi + ".interrupts");
        push(vm.ipcs, c, w + ".ipcs");
    }
    push(rc.hv.vms, vm, "vms");
    rc.images.push_back(src);
}

} // namespace

void sync_l2_geometry(RunConfig& rc) {
    rc.hv.platform.l2.size = rc.machine.hierarchy.l2.size_bytes;
    rc.hv.platform.l2.ways = rc.machine.hierarchy.l2.ways;
    rc.hv.platform.l2.line = rc.machine.hierarchy.line_bytes;
}

void sync_gic_version(RunConfig& rc) {
    // Only the AArch64 platforms have a GIC: RISC-V's PLIC, in the same
    // fields, has no versions.
    if (platform_isa(rc.machine.platform) != Isa::aarch64)
        return;
    hv::GicAddrs& g = rc.hv.platform.gic;
    const bool v3 = rc.machine.gic_version == 3;
    if (v3 == (g.version == hv::GicVersion::V3))
        return;
    // The platform description's GIC of that version (decision 33), at the
    // config's distributor.
    const uint64_t gicd = g.gicd;
    g = v3 ? platform_gicv3(rc.machine.platform, "gic.version")
           : platform_info(rc.machine.platform).description().gic;
    g.gicd = gicd;
}

int RunConfig::measured_vm() const {
    for (size_t i = 0; i < hv.vms.size(); ++i)
        if (hv.vms[i].measured)
            return static_cast<int>(i);
    return hv.vms.size() == 1 ? 0 : -1;
}

// Ranges keep every figure far from wrapping in the cycle arithmetic that
// uses it (a quantum of 2^64-1 cycles ran forever) while allowing any
// plausible machine.
const std::vector<MachineField>& machine_fields() {
    constexpr uint64_t million = 1'000'000, gib = 1ull << 30;
    static const std::vector<MachineField> fields = {
        {"quantum_cycles", &MachineParams::quantum_cycles, 1, kMaxQuantumCycles},
        {"core_hz", &MachineParams::core_hz, 1, 100'000 * million},
        {"cntfrq", &MachineParams::cntfrq, 1, UINT32_MAX}, // CNTFRQ_EL0 holds 32 bits
        {"cycles_per_insn", &MachineParams::cycles_per_insn, 1, 1000},
        {"gic.signal_cycles", &MachineParams::gic_signal_cycles, 0, million},
        {"gic.reg_cycles", &MachineParams::gic_reg_cycles, 0, million},
        {"gic.virtual_signal_cycles", &MachineParams::gic_virtual_signal_cycles, 0, million},
        {"gic.version", &MachineParams::gic_version, 2, 3},
        {"hv.exception_cycles", &MachineParams::hv_exception_cycles, 0, million},
        {"hv.sync_insns", &MachineParams::hv_sync_insns, 0, million},
        {"hv.irq_insns", &MachineParams::hv_irq_insns, 0, million},
        {"hv.text_bytes", &MachineParams::hv_text_bytes, 1, gib},
        {"hv.entry_code_bytes", &MachineParams::hv_entry_code_bytes, 0, gib},
        {"hv.sync_code_bytes", &MachineParams::hv_sync_code_bytes, 0, gib},
        {"hv.irq_code_bytes", &MachineParams::hv_irq_code_bytes, 0, gib},
        {"hv.code_run_bytes", &MachineParams::hv_code_run_bytes, 1, gib},
        {"hv.sync_cycles", &MachineParams::hv_sync_cycles, 0, million},
        {"hv.irq_cycles", &MachineParams::hv_irq_cycles, 0, million},
        {"hv.sync_data_bytes", &MachineParams::hv_sync_data_bytes, 0, 1 << 20},
        {"hv.irq_data_bytes", &MachineParams::hv_irq_data_bytes, 0, 1 << 20},
        {"console.keep_bytes", &MachineParams::console_keep_bytes, 0, gib},
        {"vm_start_stagger_cycles", &MachineParams::vm_start_stagger_cycles, 0, 1000 * million},
    };
    return fields;
}

namespace {

// The keys that size the spread layout's paths (sim/hv_code.h).
bool is_hv_code_size_key(const std::string& key) {
    return key == "hv.entry_code_bytes" || key == "hv.sync_code_bytes" ||
           key == "hv.irq_code_bytes" || key == "hv.code_run_bytes";
}

// Names both settings: `size` the code-size key (or keys) given.
std::string hv_code_conflict(const std::string& size) {
    return size +
           " sizes the spread layout's paths and contradicts model.hv.code_layout = measured "
           "(the real image's lines, which have no sizes to set): drop one of them, or set "
           "hv.code_layout = spread";
}

// A size given selects the spread layout, in either order of the settings; a
// size with an explicit `measured` is an error naming both.
void note_hv_code_size(MachineParams& m, const std::string& size_key) {
    if (m.hv_code_layout == HvCodeLayoutKind::measured)
        throw InputError(hv_code_conflict(size_key));
    m.hv_code_bytes_set = true;
}

bool parse_flag(const std::string& value, const std::string& w) {
    if (value != "0" && value != "1" && value != "true" && value != "false")
        throw InputError(w + ": '" + value + "' is not one of true, false, 1, 0");
    return value == "1" || value == "true";
}

void set_hv_code_layout(MachineParams& m, const std::string& w, const std::string& value) {
    if (value != "spread" && value != "measured")
        throw InputError(w + ": '" + value + "' is not one of spread, measured");
    if (value == "measured" && m.hv_code_bytes_set)
        throw InputError(hv_code_conflict("a setting of hv.*_code_bytes or hv.code_run_bytes"));
    m.hv_code_layout = value == "measured" ? HvCodeLayoutKind::measured : HvCodeLayoutKind::spread;
}

} // namespace

void set_model_param(RunConfig& rc, const std::string& full_key, const std::string& value) {
    // `--set model.core=a53` and `--set core=a53` name the same key.
    const std::string key =
        full_key.rfind("model.", 0) == 0 ? full_key.substr(sizeof "model." - 1) : full_key;
    MachineParams& m = rc.machine;
    const std::string w = "model." + key;
    for (const MachineField& f : machine_fields()) {
        if (key != f.key)
            continue;
        m.*f.member = parse_size_in(value, w, f.min, f.max);
        if (is_hv_code_size_key(key))
            note_hv_code_size(m, w);
        return;
    }
    if (key == "hv.code_layout") {
        set_hv_code_layout(m, w, value);
        return;
    }
    if (key == "core") {
        if (value != "flat" && value != "a53")
            throw InputError(w + ": '" + value + "' is not one of flat, a53");
        m.core_model = value == "a53" ? cpu::CoreModel::a53 : cpu::CoreModel::flat;
        return;
    }
    if (key == "scheduler") {
        if (value != "serial" && value != "parallel")
            throw InputError(w + ": '" + value + "' is not one of serial, parallel");
        m.scheduler = value == "parallel" ? Scheduler::parallel : Scheduler::serial;
        return;
    }
    if (key == "memory_model") {
        m.memory_model = parse_flag(value, w);
        return;
    }
    if (key == "region_cores") {
        if (value != "mark" && value != "vm")
            throw InputError(w + ": '" + value + "' is not one of mark, vm");
        m.region_cores = value == "vm" ? RegionCores::vm : RegionCores::mark;
        return;
    }
    if (key == "wfi_through_stage1") {
        m.wfi_through_stage1 = parse_flag(value, w);
        return;
    }
    try {
        cache::set_config_field(m.hierarchy, key, value);
    } catch (const std::invalid_argument& e) {
        std::string known;
        for (const MachineField& f : machine_fields())
            known += std::string(f.key) + ", ";
        throw InputError("model: " + std::string(e.what()) + " (machine parameters: " + known +
                         "memory_model, wfi_through_stage1, region_cores; memory-model keys "
                         "in docs/timing-model.md)");
    }
}

RunConfig parse_config(const std::string& text, const std::string& origin,
                       const std::string& base_dir) {
    RunConfig rc;
    rc.name = origin;
    rc.hash = fnv1a64(text.data(), text.size());
    toml::table root;
    try {
        root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream s;
        s << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
          << e.description();
        throw InputError(s.str());
    }
    check_keys(root, origin,
               {"mode", "description", "platform", "hyp", "vms", "shmem", "model",
                "fail_on_any_vm_fault", "max_seconds"});
    std::string mode = get_string(root, "", "mode", "hv");
    if (mode == "native")
        rc.hv.mode = hv::Mode::Native;
    else if (mode == "hv")
        rc.hv.mode = hv::Mode::Hv;
    else
        throw InputError("mode: '" + mode + "' is not one of native, hv");
    rc.description = get_string(root, "", "description");
    rc.fail_on_any_vm_fault = get_bool(root, "", "fail_on_any_vm_fault", false);
    rc.machine.max_ns = get_seconds(root, "max_seconds");
    Table empty;
    parse_platform(get_table(root, "", "platform") ? *get_table(root, "", "platform") : empty, rc);
    if (auto* hyp = get_table(root, "", "hyp")) {
        check_keys(*hyp, "hyp", {"colors", "region"});
        rc.hv.hyp.colors = get_bitmask(*hyp, "hyp", "colors", hv::kMaxColors);
        if (auto* r = get_table(*hyp, "hyp", "region")) {
            check_keys(*r, "hyp.region", {"base", "size"});
            rc.hv.hyp.region = hv::MemRange{get_uint(*r, "hyp.region", "base", 0, true),
                                            get_uint(*r, "hyp.region", "size", 0, true)};
        }
    }
    auto shmems = get_tables(root, "", "shmem");
    for (size_t i = 0; i < shmems.size(); ++i) {
        std::string wi = "shmem[" + std::to_string(i) + "]";
        check_keys(*shmems[i], wi, {"size", "colors", "phys"});
        hv::ShmemConfig s;
        s.size = get_uint(*shmems[i], wi, "size", 0, true);
        s.colors = get_bitmask(*shmems[i], wi, "colors", hv::kMaxColors);
        if (shmems[i]->get("phys")) {
            s.place_phys = true;
            s.phys = get_uint(*shmems[i], wi, "phys", 0);
        }
        push(rc.hv.shmems, s, "shmem");
    }
    auto vms = get_tables(root, "", "vms");
    if (vms.empty())
        throw InputError(origin + ": no [[vms]] entry: a configuration needs at least one VM");
    for (size_t i = 0; i < vms.size(); ++i)
        parse_vm(*vms[i], i, rc, base_dir);
    rc.machine.cores = rc.hv.platform.cpu_num;
    rc.machine.ram_base = rc.hv.platform.ram[0].base;
    rc.machine.ram_size = rc.hv.platform.ram[0].size;
    if (auto* model = get_table(root, "", "model")) {
        for (auto& [k, v] : *model) {
            std::string value;
            if (auto i = v.value<int64_t>())
                value = std::to_string(*i);
            else if (auto s = v.value<std::string>())
                value = *s;
            else
                throw InputError("model." + std::string(k.str()) + ": expected a number or string");
            set_model_param(rc, std::string(k.str()), value);
        }
    }
    return rc;
}

// A preset for another platform than the default is configs/<platform>/<name>.toml.
RunConfig load_config(const std::string& name_or_path, const std::string& platform) {
    if (!platform.empty() && platform != kDefaultPlatform) {
        (void)platform_isa(platform); // an unknown name is refused here
        const std::string scoped = platform + "/" + name_or_path;
        if (auto text = preset_text(scoped))
            return parse_config(*text, scoped, "");
        if (preset_text(name_or_path)) {
            std::string names;
            for (auto& info : list_presets())
                if (info.name.rfind(platform + "/", 0) == 0)
                    names += (names.empty() ? "" : ", ") + info.name.substr(platform.size() + 1);
            throw InputError("preset '" + name_or_path + "' does not exist for platform " +
                             platform + " (its presets: " + names + ")");
        }
    }
    RunConfig rc = load_config(name_or_path);
    if (!platform.empty() && rc.machine.platform != platform)
        throw InputError("config '" + name_or_path + "' describes platform " + rc.machine.platform +
                         ", not " + platform);
    return rc;
}

RunConfig load_config(const std::string& name_or_path) {
    if (auto text = preset_text(name_or_path))
        return parse_config(*text, name_or_path, "");
    std::filesystem::path p(name_or_path);
    if (p.extension() != ".toml" && !std::filesystem::exists(p)) {
        std::string names;
        for (auto& info : list_presets())
            names += (names.empty() ? "" : ", ") + info.name;
        throw InputError("unknown config '" + name_or_path + "': not a preset (" + names +
                         ") nor a .toml file");
    }
    std::ifstream in(p);
    if (!in)
        throw InputError("cannot read config file '" + name_or_path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), name_or_path, p.parent_path().string());
}

std::vector<PresetInfo> list_presets() {
    std::vector<PresetInfo> out;
    for (auto& name : preset_names()) {
        RunConfig rc = parse_config(*preset_text(name), name, "");
        out.push_back(PresetInfo{name, rc.description});
    }
    return out;
}

} // namespace sim
