#include "sim/hv_host_base.h"

#include "sim/checkpoint.h"
#include "sim/error.h"
#include "sim/json.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <spdlog/logger.h>
#include <sys/mman.h>

namespace sim {
namespace {

uint8_t* map_zeroed(uint64_t size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
}

} // namespace

HvHostBase::~HvHostBase() = default;

void HvHostBase::fill_images(const std::vector<GuestImage>& images) {
    for (size_t i = 0; i < hv_config_.vms.size(); ++i) {
        hv::VmStorage& vm = hv_config_.vms[i];
        const GuestImage& img = images[i];
        if (!config_.images[i].linux_boot.kernel.empty()) {
            // A Linux VM: the boot images start with the kernel (docs/linux.md).
            vm.image.base_ipa = img.lowest();
            vm.image.entry_x0 = img.entry_context;
        }
        if (img.lowest() != vm.image.base_ipa)
            throw InputError("vms[" + std::to_string(i) + "].image: '" + img.path + "' loads at " +
                             hex_addr(img.lowest()) + ", not at load_addr " +
                             hex_addr(vm.image.base_ipa));
        vm.image.size = img.footprint();
        if (vm.image.entry == 0)
            vm.image.entry = img.entry;
    }
}

void HvHostBase::lay_out_code() {
    const hv::ConfigStorage& cfg = hv_config_;
    // hv's text: the first pages of its region (of its colors, when colored).
    // Its own data (hv.*_data_bytes, 0 by default) on the pages after it.
    code_ = layout_hv_code(machine_.params());
    data_slot_ = hv_data_slot_bytes(machine_.params());
    const uint64_t text_pages = (machine_.params().hv_text_bytes + page_size - 1) / page_size;
    const uint64_t data_pages = (data_slot_ * machine_.core_count() + page_size - 1) / page_size;
    const hv::MemRange& hyp = cfg.hyp.region;
    const uint32_t colors = cfg.platform.l2.num_colors();
    for (uint64_t pa = hyp.base; pa + page_size <= hyp.base + hyp.size &&
                                 code_pages_.size() + data_pages_.size() < text_pages + data_pages;
         pa += page_size)
        if (cfg.hyp.colors == 0 || ((cfg.hyp.colors >> ((pa / page_size) % colors)) & 1))
            (code_pages_.size() < text_pages ? code_pages_ : data_pages_).push_back(pa);
    if (code_pages_.size() + data_pages_.size() < text_pages + data_pages)
        throw InputError("hyp.region holds " +
                         std::to_string(code_pages_.size() + data_pages_.size()) +
                         " pages of hv's colors, fewer than the " + std::to_string(text_pages) +
                         " of its text (model.hv.text_bytes = " +
                         std::to_string(machine_.params().hv_text_bytes) + ") and the " +
                         std::to_string(data_pages) +
                         " of its own data (model.hv.sync_data_bytes, hv.irq_data_bytes)");
}

void HvHostBase::stage_image(const GuestImage& img, uint64_t staging_pa) {
    for (auto& seg : img.segments) {
        const uint64_t pa = staging_pa + (seg.addr - img.lowest());
        // The file's bytes, then zeros to the segment's size (its .bss), with
        // no copy of the segment: a Linux kernel's is tens of MiB.
        const uint64_t file_bytes = std::min<uint64_t>(seg.bytes.size(), seg.mem_size);
        ram_write(pa, seg.bytes.data(), file_bytes);
        ram_zero(pa + file_bytes, seg.mem_size - file_bytes);
    }
}

void HvHostBase::finish_boot() {
    booting_ = false;
    const uint64_t boot_end = machine_.now(current_cpu_);
    boot_cycles_ = boot_end;
    machine_.note_boot_end(boot_end);
    for (unsigned c = 0; c < machine_.core_count(); ++c)
        machine_.wait_until(c, boot_end + start_delay_of_core(c));
}

// The measured VM starts when boot ends; the others one stagger apart, in
// config order (model.vm_start_stagger_cycles), so that identical interfering
// VMs start out of step.
uint64_t HvHostBase::start_delay_of_core(unsigned core) const {
    const uint64_t stagger = machine_.params().vm_start_stagger_cycles;
    const int measured = config_.measured_vm();
    uint64_t rank = 0;
    for (uint32_t v = 0; stagger != 0 && v < vm_count(); ++v) {
        if (static_cast<int>(v) == measured)
            continue;
        if (vm_cpus(v) >> core & 1)
            return rank * stagger;
        ++rank;
    }
    return 0;
}

uint8_t* HvHostBase::host_for_pages(const std::vector<uint64_t>& pas, uint64_t size) {
    PhysicalMemory& mem = machine_.memory();
    bool contiguous = true;
    for (size_t k = 1; k < pas.size(); ++k)
        contiguous = contiguous && mem.host(pas[k]) == mem.host(pas[k - 1]) + page_size;
    if (contiguous)
        return mem.host(pas.front());
    uint8_t* buf = map_zeroed(size);
    buffers_.emplace_back(buf, [](uint8_t*) {});
    static const uint8_t zero_page[page_size] = {};
    std::vector<uint8_t*> hosts;
    for (uint64_t pa : pas)
        hosts.push_back(mem.host(pa));
    const std::vector<bool> fresh = never_touched(hosts);
    for (size_t k = 0; k < pas.size(); ++k) {
        // Keep what hv may already have written; skipping zero pages (and
        // not reading those never touched) keeps host memory uncommitted.
        if (!fresh[k] && std::memcmp(hosts[k], zero_page, page_size) != 0)
            std::memcpy(buf + k * page_size, hosts[k], page_size);
        mem.redirect_page(pas[k], buf + k * page_size);
    }
    return buf;
}

uint8_t* HvHostBase::host_for_guest_range(uint32_t vm, const VmMemory& mem, uint64_t addr,
                                          uint64_t size) {
    PhysicalMemory& ram = machine_.memory();
    std::vector<uint64_t> pas;
    for (uint64_t off = 0; off < size; off += page_size) {
        cache::WalkResult w;
        walk_second_stage(vm, addr + off, w);
        if (w.fault || !ram.contains(w.pa, page_size))
            throw std::logic_error(std::string(mem.stage) + " does not map " + mem.address + " " +
                                   hex_addr(addr + off) + " to RAM");
        pas.push_back(w.pa);
    }
    return host_for_pages(pas, size);
}

void HvHostBase::map_vm(uint32_t v, const VmMemory& vm) {
    struct Mapping {
        uint64_t addr, size;
        uint8_t* host;
    };
    std::vector<Mapping> maps;
    for (auto& r : vm.cfg->regions)
        maps.push_back({r.base, r.size, host_for_guest_range(v, vm, r.base, r.size)});
    for (auto& c : vm.cfg->ipcs)
        maps.push_back({c.base, c.size, host_for_guest_range(v, vm, c.base, c.size)});
    const std::vector<DevMapping> devs = dev_mappings(*vm.cfg);
    std::shared_ptr<cpu::AddressSpace> space; // the VM's own
    for (unsigned cpu = 0; cpu < machine_.core_count(); ++cpu) {
        if (!((vm.cpus >> cpu) & 1))
            continue;
        walkers_[cpu] = VmWalker{this, v};
        walker_refs_[cpu].emplace(&HvHostBase::walk_vm, &walkers_[cpu]);
        attach_vm_core(cpu, space, &*walker_refs_[cpu], vm.cpus);
        for (auto& m : maps) {
            machine_.core(cpu).map_memory(m.addr, m.size, m.host);
            machine_.log().mem().debug("core {} (vm {}): {} [{:#x}, {:#x}) mapped", cpu, v,
                                       vm.address, m.addr, m.addr + m.size);
        }
        for (const DevMapping& d : devs)
            machine_.core(cpu).map_device(d.ipa, d.size, *d.device);
        for (const VmMemory::Range& e : vm.emulated) // every access is a trap for hv
            machine_.core(cpu).map_trapping(e.base, e.size);
        map_core_extras(cpu);
    }
}

void HvHostBase::walk_vm(void* ctx, uint64_t addr, cache::AccessKind, cache::WalkResult& out) {
    auto* w = static_cast<VmWalker*>(ctx);
    w->host->walk_second_stage(w->vm, addr, out);
}

// Each bus device inside a `devs` range at its IPA there (hv's stage 2 maps
// the whole range as device memory; where the platform has no device, an
// access stops the VM). The console's page is left out: it is the VM's
// virtual UART, hv's to emulate.
std::vector<HvHostBase::DevMapping> HvHostBase::dev_mappings(const hv::VmConfig& cfg) const {
    std::vector<DevMapping> out;
    const uint64_t console = config_.hv.platform.console_pa;
    for (const hv::DevConfig& d : cfg.devs) {
        for (const Bus::Entry& e : machine_.bus().entries()) {
            if (e.hypervisor_only || e.base == console)
                continue;
            if (e.base < d.pa || e.base + e.size > d.pa + d.size) {
                if (e.base < d.pa + d.size && d.pa < e.base + e.size)
                    throw InputError(std::string("vm '") + cfg.name + "': a devs entry [" +
                                     hex_addr(d.pa) + ", " + hex_addr(d.pa + d.size) +
                                     ") covers only part of " + e.name + " [" + hex_addr(e.base) +
                                     ", " + hex_addr(e.base + e.size) + ")");
                continue;
            }
            out.push_back({d.va + (e.base - d.pa), e.size, e.device});
        }
    }
    return out;
}

void HvHostBase::attach_vm_core(unsigned core, std::shared_ptr<cpu::AddressSpace>& space,
                                const cache::WalkerRef* walker, uint64_t vm_cpus) {
    if (!space)
        space = machine_.core(core).new_address_space();
    machine_.core(core).join(space);
    if (cache::Hierarchy* h = machine_.hierarchy()) {
        PhysicalMemory& mem = machine_.memory();
        machine_.core(core).attach_memory(cpu::MemoryPath{
            h, walker, mem.base(), mem.base() + mem.size(), static_cast<uint32_t>(vm_cpus)});
    }
}

void HvHostBase::charge_trap(unsigned core, Path path) {
    const MachineParams& m = machine_.params();
    const bool sync = path == Path::sync;
    const uint64_t insns = sync ? m.hv_sync_insns : m.hv_irq_insns;
    const uint64_t cycles = sync ? m.hv_sync_cycles : m.hv_irq_cycles;
    ++(sync ? sync_traps_ : irq_entries_).at(core);
    machine_.charge(core, m.hv_exception_cycles + (cycles ? cycles : insns * m.cycles_per_insn));
    fetch_code(core, code_.entry);
    for (const CodeRun& run : sync ? code_.sync : code_.irq)
        fetch_code(core, run);
    if (!sync)
        note_irq(core, IrqPhase::code_fetched);
    load_own_data(core, sync ? m.hv_sync_data_bytes : m.hv_irq_data_bytes);
}

// The first `bytes` of the core's data slot, as loads (each line's miss is
// waited for: hv's loads of its stack and state feed what it does next).
// Both paths start at the slot's beginning: they share the stack and the
// vCPU's state.
void HvHostBase::load_own_data(unsigned core, uint64_t bytes) {
    cache::Hierarchy* h = machine_.timed_hierarchy();
    if (!h || bytes == 0)
        return;
    const uint64_t base = core * data_slot_;
    for (uint64_t off = base; off < base + bytes;) {
        const uint64_t chunk = std::min(base + bytes - off, page_size - off % page_size);
        const uint64_t pa = data_pages_[off / page_size] + off % page_size;
        charge_memory(core, h->access_range(core, pa, chunk, false, machine_.now(core)));
        off += chunk;
    }
}

// One run of straight-line code, split where it crosses into another text page.
void HvHostBase::fetch_code(unsigned core, const CodeRun& run) {
    cache::Hierarchy* h = machine_.timed_hierarchy();
    if (!h)
        return;
    // layout_hv_code keeps runs inside hv.text_bytes, and lay_out_code
    // checked that code_pages_ covers it.
    const uint64_t end = run.offset + run.bytes;
    for (uint64_t off = run.offset; off < end;) {
        const uint64_t chunk = std::min(end - off, page_size - off % page_size);
        const uint64_t pa = code_pages_[off / page_size] + off % page_size;
        charge_memory(core,
                      h->fetch_block(core, pa, static_cast<unsigned>(chunk), machine_.now(core)));
        off += chunk;
    }
}

void HvHostBase::ram_read(uint64_t pa, void* dst, size_t len) {
    if (!machine_.memory().read(pa, dst, len))
        throw std::logic_error("hv read outside RAM at " + hex_addr(pa));
}

void HvHostBase::ram_write(uint64_t pa, const void* src, size_t len) {
    if (!machine_.memory().write(pa, src, len))
        throw std::logic_error("hv write outside RAM at " + hex_addr(pa));
}

void HvHostBase::ram_copy(uint64_t dst_pa, uint64_t src_pa, size_t len) {
    std::vector<uint8_t> tmp(len);
    ram_read(src_pa, tmp.data(), len);
    ram_write(dst_pa, tmp.data(), len);
}

void HvHostBase::ram_zero(uint64_t pa, size_t len) {
    static const uint8_t zeros[page_size] = {};
    for (size_t done = 0; done < len;) {
        const size_t n = std::min<size_t>(len - done, page_size);
        ram_write(pa + done, zeros, n);
        done += n;
    }
}

void HvHostBase::account_access(uint64_t pa, size_t len, bool is_write) {
    cache::Hierarchy* h = machine_.timed_hierarchy();
    if (!h || len == 0)
        return;
    const unsigned cpu = current_cpu_;
    charge_memory(cpu, h->access_range(cpu, pa, len, is_write, machine_.now(cpu)));
}

void HvHostBase::record_irq_breakdown() {
    const int measured = config_.measured_vm();
    const uint64_t cpus = measured < 0 ? 0 : vm_cpus(static_cast<uint32_t>(measured));
    if (cpus != 0)
        irq_breakdown_.enable(static_cast<unsigned>(std::countr_zero(cpus)));
}

void HvHostBase::note_irq(unsigned core, IrqPhase phase) {
    const cache::Hierarchy* h = machine_.hierarchy();
    if (!irq_breakdown_.on() || !h)
        return;
    irq_breakdown_.note(core, phase, machine_.now(core), h->core_memory_stats(core),
                        samples_.size());
}

void HvHostBase::charge_memory(unsigned core, uint64_t cycles) {
    memory_cycles_.at(core) += cycles;
    machine_.charge(core, cycles);
}

void HvHostBase::record_mark(uint32_t vm, hv::Mark which) {
    marks_.push_back(HvMark{vm, which == hv::Mark::End, machine_.now(current_cpu_)});
    if (static_cast<int>(vm) == config_.measured_vm())
        machine_.snapshot_region(current_cpu_, which == hv::Mark::End);
}

bool HvHostBase::guest_param(uint32_t vm, uint64_t index, uint64_t& value) const {
    const std::vector<uint64_t>& params = config_.images.at(vm).params;
    if (index >= params.size() || params[index] == 0)
        return false;
    value = params[index];
    return true;
}

void HvHostBase::putc(char c) {
    machine_.console().putc(current_cpu_, c);
}

bool HvHostBase::any_vm_faulted() const {
    for (uint32_t v = 0; v < vm_count(); ++v)
        if (vm_end(v).faulted)
            return true;
    return false;
}

void HvHostBase::check_end() {
    std::vector<VmEnd> vms;
    for (uint32_t v = 0; v < vm_count(); ++v)
        vms.push_back(vm_end(v));
    bool any_measured = false;
    for (const VmEnd& vm : vms) {
        any_measured |= vm.measured;
        if (vm.measured && !vm.stopped)
            return;
    }
    bool all_stopped = true;
    for (const VmEnd& vm : vms)
        all_stopped &= vm.stopped;
    if (!any_measured && !all_stopped)
        return;
    // A stopped measured VM fails the run; another stopped VM is reported
    // and fails it only if the config says so (fail_on_any_vm_fault).
    std::string others;
    for (const VmEnd& vm : vms) {
        if (!vm.faulted)
            continue;
        if (vm.measured || config_.fail_on_any_vm_fault) {
            machine_.finish(ExitCode::guest_fault, "guest_fault", vm.reason);
            return;
        }
        others += std::string(others.empty() ? "" : "; ") + vm.reason;
    }
    machine_.finish(ExitCode::ok, "system_off",
                    "every measured VM powered off" +
                        (others.empty() ? std::string() : " (stopped: " + others + ")"));
}

void HvHostBase::checkpoint(Archive&) {
    throw CheckpointError("this platform's hv host keeps no checkpoints (docs/checkpoints.md)");
}

uint32_t HvHostBase::console_input(uint32_t, const uint8_t*, uint32_t) {
    throw InputError("--console-input: this platform's hv host has no virtual PL011 to receive "
                     "it (docs/linux.md)");
}

void HvHostBase::checkpoint_common(Archive& a) {
    a.values(marks_);
    std::vector<uint64_t> vms, values; // samples_ as two lists (a pair is not plain data)
    for (const auto& [vm, v] : samples_) {
        vms.push_back(vm);
        values.push_back(v);
    }
    a.values(vms);
    a.values(values);
    if (!a.is_saving()) {
        if (vms.size() != values.size())
            throw CheckpointError("corrupt: hv's samples");
        samples_.clear();
        for (size_t k = 0; k < vms.size(); ++k)
            samples_.emplace_back(static_cast<uint32_t>(vms[k]), values[k]);
    }
    a.value(booting_);
    a.value(boot_cycles_);
    a.value(sync_traps_);
    a.value(irq_entries_);
}

} // namespace sim
