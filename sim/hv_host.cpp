#include "sim/hv_host.h"

#include "hv/arch/armv8/syndrome.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "sim/error.h"
#include "sim/gicv2.h"
#include "sim/gicv3.h"
#include "sim/hv_host_gicv3.h"

#include <bit>
#include <cstring>
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

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

HvHost::HvHost(Machine& machine, const RunConfig& config, const std::vector<GuestImage>& images)
    : machine_(machine), config_(config), hv_(std::make_unique<hv::Hypervisor>(*this)) {
    hv::Config cfg = config.hv;
    for (size_t i = 0; i < cfg.vms.size(); ++i) {
        hv::VmConfig& vm = cfg.vms[i];
        const GuestImage& img = images[i];
        if (!config.images[i].linux_boot.kernel.empty()) {
            // A Linux VM: the boot images start with the kernel (docs/linux.md).
            vm.image.base_ipa = img.lowest();
            vm.image.entry_x0 = img.entry_context;
        }
        if (img.lowest() != vm.image.base_ipa)
            throw InputError("vms[" + std::to_string(i) + "].image: '" + img.path + "' loads at " +
                             hex(img.lowest()) + ", not at load_addr " + hex(vm.image.base_ipa));
        vm.image.size = img.footprint();
        if (vm.image.entry == 0)
            vm.image.entry = img.entry;
    }
    hv::Error err = hv_->init(cfg);
    if (!err.ok())
        throw InputError(err.message);
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

    // A core's output is its VM's: hv prefixes each line with the VM's name,
    // the console continues a line it must cut with the same name.
    std::vector<std::string> names(machine_.core_count());
    for (unsigned c = 0; c < machine_.core_count(); ++c)
        if (const hv::Vcpu* v = hv_->vcpu_on_cpu(c))
            names[c] = hv_->vm(v->vm).name();
    machine_.set_console_sources(names, true);

    for (uint32_t v = 0; v < hv_->num_vms(); ++v)
        map_vm(v);
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        const GuestImage& img = images[v];
        const hv::ImageStaging& st = hv_->image_staging(v);
        for (auto& seg : img.segments) {
            uint64_t pa = st.pa + (seg.addr - img.lowest());
            std::vector<uint8_t> bytes = seg.bytes;
            bytes.resize(seg.mem_size, 0);
            mem_write(pa, bytes.data(), bytes.size());
        }
    }
    err = hv_->boot();
    if (!err.ok())
        throw InputError(err.message);
    booting_ = false;
    // hv initialises on CPU 0 while the others wait (Bao's boot barrier):
    // every vCPU starts when initialisation, recoloring included, is done.
    const uint64_t boot_end = machine_.now(current_cpu_);
    boot_cycles_ = boot_end;
    for (unsigned c = 0; c < machine_.core_count(); ++c)
        machine_.wait_until(c, boot_end);
}

HvHost::~HvHost() = default;

uint8_t* HvHost::host_for_ipa_range(uint32_t vm, uint64_t ipa, uint64_t size) {
    PhysicalMemory& mem = machine_.memory();
    std::vector<uint64_t> pas;
    bool contiguous = true;
    for (uint64_t off = 0; off < size; off += page_size) {
        hv::armv8::S2Walk w = hv_->walk(vm, ipa + off);
        if (!w.valid || !mem.contains(w.pa, page_size))
            throw std::logic_error("stage 2 does not map IPA " + hex(ipa + off) + " to RAM");
        if (!pas.empty() && mem.host(w.pa) != mem.host(pas.back()) + page_size)
            contiguous = false;
        pas.push_back(w.pa);
    }
    if (contiguous)
        return mem.host(pas.front());
    // Scattered (colored) pages: give the IPA range one host buffer, so Unicorn
    // needs one mapping, and point each PA page at its slice of it.
    uint8_t* buf = map_zeroed(size);
    buffers_.emplace_back(buf, [](uint8_t*) {});
    static const uint8_t zero_page[page_size] = {};
    for (size_t k = 0; k < pas.size(); ++k) {
        // Keep what hv may already have written; skipping zero pages keeps
        // untouched host memory uncommitted.
        if (std::memcmp(mem.host(pas[k]), zero_page, page_size) != 0)
            std::memcpy(buf + k * page_size, mem.host(pas[k]), page_size);
        mem.redirect_page(pas[k], buf + k * page_size);
    }
    return buf;
}

// A VM's pass-through devices as its cores map them: each bus device inside
// a `devs` range at its IPA there (hv's stage 2 maps the whole range as
// device memory; where the platform has no device, an access stops the VM).
// The console's page is left out: it is the VM's virtual UART, hv's to emulate.
std::vector<HvHost::DevMapping> HvHost::dev_mappings(const hv::VmConfig& cfg) const {
    std::vector<DevMapping> out;
    const uint64_t console = config_.hv.platform.console_pa;
    for (const hv::DevConfig& d : cfg.devs) {
        for (const Bus::Entry& e : machine_.bus().entries()) {
            if (e.hypervisor_only || e.base == console)
                continue;
            if (e.base < d.pa || e.base + e.size > d.pa + d.size) {
                if (e.base < d.pa + d.size && d.pa < e.base + e.size)
                    throw InputError(std::string("vm '") + cfg.name + "': a devs entry [" +
                                     hex(d.pa) + ", " + hex(d.pa + d.size) +
                                     ") covers only part of " + e.name + " [" + hex(e.base) + ", " +
                                     hex(e.base + e.size) + ")");
                continue;
            }
            out.push_back({d.va + (e.base - d.pa), e.size, e.device});
        }
    }
    return out;
}

void HvHost::map_vm(uint32_t v) {
    const hv::Vm& vm = hv_->vm(v);
    const hv::VmConfig& cfg = *vm.cfg;
    struct Mapping {
        uint64_t ipa, size;
        uint8_t* host;
    };
    std::vector<Mapping> maps;
    for (auto& r : cfg.regions)
        maps.push_back({r.base, r.size, host_for_ipa_range(v, r.base, r.size)});
    for (auto& c : cfg.ipcs)
        maps.push_back({c.base, c.size, host_for_ipa_range(v, c.base, c.size)});
    const std::vector<DevMapping> devs = dev_mappings(cfg);
    std::shared_ptr<cpu::AddressSpace> space; // the VM's own
    for (unsigned cpu = 0; cpu < machine_.core_count(); ++cpu) {
        if (!((vm.cpus >> cpu) & 1))
            continue;
        if (!space)
            space = machine_.core(cpu).new_address_space();
        machine_.core(cpu).join(space);
        if (cache::Hierarchy* h = machine_.hierarchy()) {
            walkers_[cpu] = Stage2Walker{this, v};
            walker_refs_[cpu].emplace(&HvHost::walk_stage2, &walkers_[cpu]);
            PhysicalMemory& mem = machine_.memory();
            machine_.core(cpu).attach_memory(cpu::MemoryPath{h, &*walker_refs_[cpu], mem.base(),
                                                             mem.base() + mem.size(),
                                                             static_cast<uint32_t>(vm.cpus)});
        }
        for (auto& m : maps)
            machine_.core(cpu).map_memory(m.ipa, m.size, m.host);
        for (const DevMapping& d : devs)
            machine_.core(cpu).map_device(d.ipa, d.size, *d.device);
        for (const hv::EmulRegion& e : vm.emul) // every access is a data abort for hv
            machine_.core(cpu).map_trapping(e.ipa, e.size);
        // The guest's GIC CPU interface is the virtual one: GICV at its GICC
        // address on a GICv2; on a GICv3 its ICC_* system registers reach ICV_*.
        if (!gicv3_of(machine_))
            machine_.core(cpu).map_device(
                config_.hv.platform.gic.gicc, gic::frame_size(gic::Frame::VirtualCpuInterface),
                gicv2_of(machine_).frame(gic::Frame::VirtualCpuInterface));
    }
}

void HvHost::walk_stage2(void* ctx, uint64_t ipa, cache::AccessKind, cache::WalkResult& out) {
    auto* w = static_cast<Stage2Walker*>(ctx);
    hv::armv8::S2Walk walk = w->host->hv_->walk(w->vm, ipa);
    for (unsigned k = 0; k < walk.num_desc; ++k)
        out.add_read(walk.desc_pa[k], k + 1 < walk.num_desc);
    if (!walk.valid) {
        out.fault = true;
        return;
    }
    out.pa = walk.pa;
    out.page_shift = static_cast<unsigned>(std::countr_zero(walk.block_size));
}

void HvHost::account(uint64_t pa, size_t len, bool is_write) {
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h || len == 0)
        return;
    const unsigned cpu = current_cpu_;
    machine_.charge(cpu, h->access_range(cpu, pa, len, is_write, machine_.now(cpu)));
}

void HvHost::load_regs(unsigned core, hv::VcpuRegs& regs) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 0; n < 31; ++n)
        regs.x[n] = c.x(n);
    regs.pc = c.pc();
}

void HvHost::store_regs(unsigned core, const hv::VcpuRegs& regs, const hv::VcpuRegs& before) {
    cpu::Core& c = machine_.core(core);
    for (unsigned n = 0; n < 31; ++n)
        if (regs.x[n] != before.x[n])
            c.set_x(n, regs.x[n]);
}

// A trap's cost: the exception, hv's instructions on the path, and its code
// fetched through the I-side from hv's own pages, so interference and hv's
// colors affect it as on hardware (docs/timing-model.md).
// hv.*_cycles, when set, replace the flat cost of its instructions (their
// cost on the A53 model, measured on the real image's paths), and
// hv.*_data_bytes add the loads of its own data the accounted accesses leave out.
void HvHost::charge_trap(unsigned core, Path path) {
    const MachineParams& m = machine_.params();
    const bool sync = path == Path::sync;
    const uint64_t insns = sync ? m.hv_sync_insns : m.hv_irq_insns;
    const uint64_t cycles = sync ? m.hv_sync_cycles : m.hv_irq_cycles;
    machine_.charge(core, m.hv_exception_cycles + (cycles ? cycles : insns * m.cycles_per_insn));
    fetch_code(core, code_.entry);
    for (const CodeRun& run : sync ? code_.sync : code_.irq)
        fetch_code(core, run);
    load_own_data(core, sync ? m.hv_sync_data_bytes : m.hv_irq_data_bytes);
}

// The first `bytes` of the core's data slot, as loads (each line's miss is
// waited for: hv's loads of its stack and state feed what it does next).
// Both paths start at the slot's beginning: they share the stack and the
// vCPU's state.
void HvHost::load_own_data(unsigned core, uint64_t bytes) {
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h || bytes == 0)
        return;
    const uint64_t base = core * data_slot_;
    for (uint64_t off = base; off < base + bytes;) {
        const uint64_t chunk = std::min(base + bytes - off, page_size - off % page_size);
        const uint64_t pa = data_pages_[off / page_size] + off % page_size;
        machine_.charge(core, h->access_range(core, pa, chunk, false, machine_.now(core)));
        off += chunk;
    }
}

// One run of straight-line code, split where it crosses into another text page.
void HvHost::fetch_code(unsigned core, const CodeRun& run) {
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h)
        return;
    // layout_hv_code keeps runs inside hv.text_bytes, and the constructor
    // checked that code_pages_ covers it.
    const uint64_t end = run.offset + run.bytes;
    for (uint64_t off = run.offset; off < end;) {
        const uint64_t chunk = std::min(end - off, page_size - off % page_size);
        const uint64_t pa = code_pages_[off / page_size] + off % page_size;
        machine_.charge(core,
                        h->fetch_block(core, pa, static_cast<unsigned>(chunk), machine_.now(core)));
        off += chunk;
    }
}

hv::TrapAction HvHost::enter(unsigned core, const hv::armv8::TrapSyndrome& s, hv::VcpuRegs& regs) {
    current_cpu_ = core;
    charge_trap(core, Path::sync);
    return hv::armv8::handle_trap(*hv_, s, regs);
}

void HvHost::on_irq(unsigned core) {
    current_cpu_ = core;
    machine_.charge(core, machine_.params().gic_signal_cycles); // the physical IRQ reaching EL2
    charge_trap(core, Path::irq);
    hv::armv8::handle_irq(*hv_);
}

// One TLBI ...IS and the DSB that waits for it: a broadcast to every core of
// the cluster. An estimate (not calibrated): the A53 TRM gives no figure.
constexpr uint64_t tlbi_dsb_cycles = 100;

// The model's TLBs hold combined (VA or IPA to PA) entries, untagged; a core
// runs one VM, so flushing the VM's cores drops exactly the VM's entries, as
// TLBI VMALLS12E1IS does on the target.
void HvHost::flush_vm_tlbs(uint16_t vmid, unsigned ops) {
    machine_.charge(current_cpu_, ops * tlbi_dsb_cycles);
    cache::Hierarchy* h = machine_.hierarchy();
    if (!h)
        return;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        const hv::Vm& vm = hv_->vm(v);
        if (vm.vmid != vmid)
            continue;
        for (unsigned cpu = 0; cpu < machine_.core_count(); ++cpu)
            if ((vm.cpus >> cpu) & 1)
                h->flush_tlbs(cpu);
    }
}

void HvHost::tlb_flush_vm(uint16_t vmid) {
    flush_vm_tlbs(vmid, 1);
}

// The target invalidates the IPA's stage-2 entry and then all of the VM's
// stage-1 entries (which may cache it combined): the model flushes the VM.
void HvHost::tlb_flush_ipa(uint16_t vmid, uint64_t) {
    flush_vm_tlbs(vmid, 2);
}

void HvHost::cache_clean_invalidate(uint64_t pa, uint64_t size) {
    if (cache::Hierarchy* h = machine_.hierarchy())
        machine_.charge(current_cpu_,
                        h->clean_invalidate(current_cpu_, pa, size, machine_.now(current_cpu_)));
}

void HvHost::send_ipi(uint32_t cpu, uint32_t sgi) {
    machine_.interrupts().send_ipi(current_cpu_, cpu, sgi);
}

void HvHost::apply(unsigned core, hv::TrapAction action) {
    switch (action) {
    case hv::TrapAction::Resume:
        break;
    case hv::TrapAction::Idle:
        machine_.set_idle(core);
        machine_.core(core).request_halt();
        break;
    case hv::TrapAction::VcpuOff:
        machine_.power_off(core);
        machine_.core(core).request_halt();
        break;
    case hv::TrapAction::VmStopped:
    case hv::TrapAction::NoVcpu:
        machine_.stop_core(core);
        break;
    }
}

// The one entry from the simulator into hv: a core's exit, turned into the
// syndrome hv's trap entry reads (ESR_EL2, FAR_EL2, HPFAR_EL2 on the
// target) here, once. The guest's registers go in with PC = ELR_EL2; the
// core steps over a handled instruction itself, so hv's PC is not written
// back. An access to an emulated page is completed by the core: a store's
// value reaches hv in Rt, and a load's comes back from Rt.
cpu::TrapAction HvHost::on_exit(unsigned core, cpu::Exit& exit) {
    namespace dabt = hv::armv8::dabt;
    // Set/way maintenance (a SYS, op0 1) reaches hv only if it set HCR_EL2.TSW
    // on this core; a GICv3 SGI register write (an MSR, op0 3) always does.
    const uint64_t hcr = sysregs_.at(core)[static_cast<size_t>(hv::armv8::SysReg::HCR_EL2)];
    const cpu::Syndrome& syn = exit.syndrome;
    const bool set_way = exit.kind == cpu::Exit::Kind::system && (syn.detail >> 20 & 3) == 1;
    if (set_way && !(hcr & hv::armv8::hcr::TSW))
        return cpu::TrapAction::resume;
    const hv::armv8::TrapSyndrome s{
        hv::armv8::make_esr(static_cast<hv::armv8::Ec>(syn.cause), syn.detail), syn.address,
        syn.guest_phys};
    const bool rt_access = exit.in_flight && dabt::isv(s.iss()) && dabt::srt(s.iss()) != 31;
    hv::VcpuRegs regs;
    load_regs(core, regs);
    regs.pc = exit.pc;
    if (rt_access && dabt::write(s.iss()))
        regs.x[dabt::srt(s.iss())] = exit.data;
    const hv::VcpuRegs before = regs;
    const hv::TrapAction a = enter(core, s, regs);
    if (exit.in_flight) // inside the instruction: registers stay the core's
        exit.data = rt_access && !dabt::write(s.iss()) ? regs.x[dabt::srt(s.iss())] : 0;
    else
        store_regs(core, regs, before);
    apply(core, a);
    return next_step(core, a);
}

cpu::TrapAction HvHost::next_step(unsigned core, hv::TrapAction action) const {
    if (action == hv::TrapAction::Idle)
        return cpu::TrapAction::idle;
    return machine_.state(core) == CoreState::running ? cpu::TrapAction::resume
                                                      : cpu::TrapAction::stop_core;
}

// A fault no exit describes (an exception the core could not deliver to the
// guest's own EL1): hv has no trap for it, and it stops that VM, never the
// machine (docs/design.md#faults). Aborts outside the VM's memory are exits.
bool HvHost::on_fault(unsigned core, const cpu::Fault& fault) {
    stop_vm_of(core, fault.description);
    return true;
}

void HvHost::stop_vm_of(unsigned core, const std::string& what) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(core);
    if (!v)
        throw std::logic_error("a fault on core " + std::to_string(core) + ", which no VM owns");
    hv::Vm& vm = hv_->vm_mut(v->vm);
    // The core's description starts with "core N: "; the VM's reason names VM and vCPU first.
    const std::string cause =
        what.substr(what.find(": ") == std::string::npos ? 0 : what.find(": ") + 2);
    std::snprintf(vm.exit_reason, sizeof vm.exit_reason, "vm %u (\"%s\") vcpu %u on core %u: %s",
                  vm.id, vm.name(), v->id, core, cause.c_str());
    current_cpu_ = core;
    hv_->stop_vm(vm, hv::ExitKind::UnhandledTrap);
    apply(core, hv::TrapAction::VmStopped);
}

uint64_t HvHost::mpidr(unsigned core) {
    return sysregs_.at(core)[static_cast<size_t>(hv::armv8::SysReg::VMPIDR_EL2)];
}

void HvHost::mem_read(uint64_t pa, void* dst, size_t len) {
    if (!machine_.memory().read(pa, dst, len))
        throw std::logic_error("hv read outside RAM at " + hex(pa));
}

void HvHost::mem_write(uint64_t pa, const void* src, size_t len) {
    if (!machine_.memory().write(pa, src, len))
        throw std::logic_error("hv write outside RAM at " + hex(pa));
}

void HvHost::mem_copy(uint64_t dst_pa, uint64_t src_pa, size_t len) {
    std::vector<uint8_t> tmp(len);
    mem_read(src_pa, tmp.data(), len);
    mem_write(dst_pa, tmp.data(), len);
}

void HvHost::mem_zero(uint64_t pa, size_t len) {
    std::vector<uint8_t> zeros(len);
    mem_write(pa, zeros.data(), len);
}

namespace {
gic::AddressMap gic_addresses(const hv::PlatformConfig& p) {
    return gic::AddressMap{p.gic.gicd, p.gic.gicc, p.gic.gich, p.gic.gicv};
}

// A GICv3 frame hv addresses: the distributor, or redistributor `frame`.
struct Gicv3Frame {
    bool distributor;
    unsigned frame;
    uint32_t offset;
};

std::optional<Gicv3Frame> decode_gicv3(const hv::GicAddrs& g, unsigned cores, uint64_t pa) {
    if (pa >= g.gicd && pa - g.gicd < gic::v3::kDistributorFrameSize)
        return Gicv3Frame{true, 0, static_cast<uint32_t>(pa - g.gicd)};
    const uint64_t stride = g.gicr_stride ? g.gicr_stride : gic::v3::kRedistributorStride;
    if (pa >= g.gicr && pa - g.gicr < stride * cores)
        return Gicv3Frame{false, static_cast<unsigned>((pa - g.gicr) / stride),
                          static_cast<uint32_t>((pa - g.gicr) % stride)};
    return std::nullopt;
}
} // namespace

uint64_t HvHost::dev_read(uint64_t pa, uint32_t size) {
    machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
    if (pa == config_.hv.platform.console_pa + 0x18)
        return 0x90; // PL011 FR: transmitter empty
    if (GicV3* v3 = gicv3_of(machine_)) {
        const auto f = decode_gicv3(config_.hv.platform.gic, machine_.core_count(), pa);
        if (!f)
            return 0;
        return f->distributor ? v3->gic().distributor_read(current_cpu_, f->offset, size)
                              : v3->gic().redistributor_read(f->frame, f->offset, size);
    }
    if (auto f = gic::decode(gic_addresses(config_.hv.platform), pa))
        return gicv2_of(machine_).gic().mmio_read(f->frame, current_cpu_, f->offset, size);
    return 0;
}

void HvHost::dev_write(uint64_t pa, uint32_t size, uint64_t value) {
    machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
    if (pa == config_.hv.platform.console_pa) {
        console_putc(static_cast<char>(value & 0xff));
        return;
    }
    if (GicV3* v3 = gicv3_of(machine_)) {
        const auto f = decode_gicv3(config_.hv.platform.gic, machine_.core_count(), pa);
        if (f && f->distributor)
            v3->gic().distributor_write(current_cpu_, f->offset, value, size);
        else if (f)
            v3->gic().redistributor_write(f->frame, f->offset, value, size);
        return;
    }
    if (auto f = gic::decode(gic_addresses(config_.hv.platform), pa))
        gicv2_of(machine_).gic().mmio_write(f->frame, current_cpu_, f->offset,
                                            static_cast<uint32_t>(value), size);
}

// The GICv3 CPU interface's registers are the model's (charged as a GIC
// register access); the others are this host's copy of hv's EL2 state.
uint64_t HvHost::sysreg_read(hv::armv8::SysReg reg) {
    if (GicV3* v3 = gicv3_of(machine_)) {
        if (const auto encoding = gicv3_sysreg_encoding(reg)) {
            machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
            return v3->read_cpu_register(current_cpu_, *encoding).value_or(0);
        }
    }
    return sysregs_.at(current_cpu_)[static_cast<size_t>(reg)];
}

void HvHost::sysreg_write(hv::armv8::SysReg reg, uint64_t value) {
    if (GicV3* v3 = gicv3_of(machine_)) {
        if (const auto encoding = gicv3_sysreg_encoding(reg)) {
            machine_.charge(current_cpu_, machine_.params().gic_reg_cycles);
            v3->write_cpu_register(current_cpu_, *encoding, value);
            return;
        }
    }
    sysregs_.at(current_cpu_)[static_cast<size_t>(reg)] = value;
    if (reg != hv::armv8::SysReg::CNTVOFF_EL2)
        return;
    if (GicV3* v3 = gicv3_of(machine_))
        v3->gic().timer_write(current_cpu_, gic::TimerRegister::CntvoffEl2, value,
                              machine_.now(current_cpu_));
    else
        gicv2_of(machine_).gic().timer_write(current_cpu_, gic::TimerRegister::CntvoffEl2, value,
                                             machine_.now(current_cpu_));
}

void HvHost::mark(uint32_t vm, hv::Mark which) {
    marks_.push_back(HvMark{vm, which == hv::Mark::End, machine_.now(current_cpu_)});
    if (static_cast<int>(vm) == config_.measured_vm())
        machine_.snapshot_region(current_cpu_, which == hv::Mark::End);
}

bool HvHost::param(uint32_t vm, uint64_t index, uint64_t& value) {
    const std::vector<uint64_t>& params = config_.images.at(vm).params;
    if (index >= params.size() || params[index] == 0)
        return false;
    value = params[index];
    return true;
}

void HvHost::console_putc(char c) {
    machine_.console().putc(current_cpu_, c);
}

void HvHost::cpu_on(uint32_t cpu) {
    const hv::Vcpu* v = hv_->vcpu_on_cpu(cpu);
    uint64_t at = booting_ ? 0 : machine_.now(current_cpu_);
    machine_.power_on(cpu, v->boot.pc, v->boot.x0, at);
    // A core that ran before may hold translated code of an older image.
    // (Not flushing everything: in Unicorn 2.0.1 a full flush clears its
    // whole 1 GiB code buffer.)
    if (machine_.stats(cpu).instructions > 0) {
        const hv::ImageConfig& img = hv_->vm(v->vm).cfg->image;
        machine_.core(cpu).invalidate_code(img.base_ipa, img.size);
    }
    uint32_t saved = current_cpu_;
    current_cpu_ = cpu;
    hv_->cpu_init();
    current_cpu_ = saved;
}

void HvHost::cpu_stop(uint32_t cpu) {
    machine_.stop_core(cpu);
}

void HvHost::cpu_idle() {
    machine_.set_idle(current_cpu_);
}

void HvHost::vm_stopped(uint32_t) {
    check_end();
}

void HvHost::power_off() {
    check_end();
}

bool HvHost::any_vm_faulted() const {
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        hv::ExitKind k = hv_->vm(v).exit_kind;
        if (k != hv::ExitKind::None && k != hv::ExitKind::PowerOff)
            return true;
    }
    return false;
}

bool HvHost::is_measured(uint32_t v) const {
    return hv_->vm(v).cfg->measured || hv_->num_vms() == 1;
}

void HvHost::check_end() {
    // The run ends when every measured VM has stopped (docs/design.md#end-of-run).
    bool any_measured = false;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        any_measured |= is_measured(v);
        if (is_measured(v) && hv_->vm(v).state != hv::VmState::Stopped)
            return;
    }
    bool all_stopped = true;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v)
        all_stopped &= hv_->vm(v).state == hv::VmState::Stopped;
    if (!any_measured && !all_stopped)
        return;
    // A stopped measured VM fails the run; another stopped VM is reported
    // and fails it only if the config says so (fail_on_any_vm_fault).
    std::string others;
    for (uint32_t v = 0; v < hv_->num_vms(); ++v) {
        const hv::Vm& vm = hv_->vm(v);
        if (vm.exit_kind == hv::ExitKind::None || vm.exit_kind == hv::ExitKind::PowerOff)
            continue;
        if (is_measured(v) || config_.fail_on_any_vm_fault) {
            machine_.finish(ExitCode::guest_fault, "guest_fault", vm.exit_reason);
            return;
        }
        others += std::string(others.empty() ? "" : "; ") + vm.exit_reason;
    }
    machine_.finish(ExitCode::ok, "system_off",
                    "every measured VM powered off" +
                        (others.empty() ? std::string() : " (stopped: " + others + ")"));
}

} // namespace sim
