#include "sim/cpu/rv64_core.h"
#include "sim/cpu/unicorn_util.h"

#include "sim/cpu/rv64_sv39.h"
#include "sim/cpu/unicorn_stage2_c.h"

#ifdef BAO_UNICORN_ACCESS_PC
#include "sim/cpu/unicorn_access_pc_c.h"
#endif

#include <unicorn/unicorn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace sim::cpu {
namespace {

using uc::check;
using uc::hex;

constexpr uint32_t insn_mret = 0x30200073;
constexpr uint64_t mstatus_mpp_s = 1ull << 11;
constexpr uint64_t mstatus_fs_initial = 1ull << 13; // F and D usable without a first trap

int csr_reg(uint32_t number) {
    switch (number) {
    case rv64::csr::sstatus:
        return UC_RISCV_REG_SSTATUS;
    case rv64::csr::sie:
        return UC_RISCV_REG_SIE;
    case rv64::csr::stvec:
        return UC_RISCV_REG_STVEC;
    case rv64::csr::sepc:
        return UC_RISCV_REG_SEPC;
    case rv64::csr::scause:
        return UC_RISCV_REG_SCAUSE;
    case rv64::csr::stval:
        return UC_RISCV_REG_STVAL;
    case rv64::csr::sip:
        return UC_RISCV_REG_SIP;
    case rv64::csr::satp:
        return UC_RISCV_REG_SATP;
    default:
        throw std::out_of_range("CSR " + hex(number) + " is not one the core reads");
    }
}

} // namespace

Rv64Core::Rv64Core(unsigned id, ExitHandler& exits) : id_(id), exits_(exits), stub_(stub_size, 0) {
    check(uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc_), "open");
    std::memcpy(stub_.data(), &insn_mret, sizeof insn_mret);
    check(uc_mem_map_ptr(uc_, stub_base_, stub_size, UC_PROT_READ | UC_PROT_EXEC, stub_.data()),
          "map the entry stub");
    // The M-mode state reset() returns to (Unicorn 2.0.1 has no privilege register).
    check(uc_context_alloc(uc_, &reset_context_), "allocate a context");
    check(uc_context_save(uc_, reset_context_), "save the reset context");

    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), this, 1, 0),
          "add block hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&on_interrupt), this, 1, 0),
          "add interrupt hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), this, 1,
                      0),
          "add unmapped hook");
    memory_hook_.install(uc_, reinterpret_cast<void*>(&on_memory), this);
}

Rv64Core::~Rv64Core() {
    if (reset_context_)
        uc_context_free(reset_context_);
    uc_close(uc_);
}

// The stub's page is the simulator's, not the guest's: a mapping over it
// moves the stub down from the top of the 39-bit physical space to the
// first page no mapping covers, and drops the code translated there.
void Rv64Core::keep_stub_clear(uint64_t addr, uint64_t size) {
    mapped_.emplace_back(addr, addr + size);
    // The start of a mapping over [base, base + stub_size), if any.
    auto covered = [&](uint64_t base) -> std::optional<uint64_t> {
        for (const auto& [b, e] : mapped_)
            if (base < e && b < base + stub_size)
                return b;
        return std::nullopt;
    };
    if (!covered(stub_base_))
        return;
    uint64_t base = (1ull << 39) - stub_size;
    while (const std::optional<uint64_t> below = covered(base)) {
        if (*below < stub_size)
            throw std::runtime_error("no free page for the M-mode entry stub below 2^39");
        base = (*below - stub_size) & ~(stub_size - 1);
    }
    const uint64_t old = stub_base_;
    check(uc_mem_unmap(uc_, old, stub_size), "unmap the entry stub");
    check(uc_ctl_remove_cache(uc_, old, old + stub_size), "invalidate the entry stub");
    check(uc_mem_map_ptr(uc_, base, stub_size, UC_PROT_READ | UC_PROT_EXEC, stub_.data()),
          "map the entry stub");
    stub_base_ = base;
    if (pc() == old)
        set_pc(base);
}

void Rv64Core::map_memory(uint64_t addr, uint64_t size, uint8_t* host) {
    keep_stub_clear(addr, size);
    ram_ranges_.emplace_back(addr, addr + size);
    check(uc_mem_map_ptr(uc_, addr, size, UC_PROT_ALL, host), "map memory");
}

void Rv64Core::map_device(uint64_t addr, uint64_t size, MmioDevice& device) {
    devices_.push_back(std::make_unique<DeviceBinding>(DeviceBinding{this, &device}));
    void* binding = devices_.back().get();
    size = (size + 0xfff) & ~0xfffull; // Unicorn maps whole pages (virt's UART is 0x100 bytes)
    keep_stub_clear(addr, size);
    check(uc_mmio_map(uc_, addr, size, reinterpret_cast<uc_cb_mmio_read_t>(&on_mmio_read), binding,
                      reinterpret_cast<uc_cb_mmio_write_t>(&on_mmio_write), binding),
          "map device");
}

namespace {

// A page a hypervisor emulates: each access is an in-flight guest-page-fault exit.
class TrappingPage final : public MmioDevice {
  public:
    TrappingPage(Rv64Core& core, ExitHandler& exits, uint64_t base)
        : core_(core), exits_(exits), base_(base) {}
    uint64_t read(unsigned, uint64_t offset, unsigned size) override {
        Exit e = make(offset, size, false, 0);
        finish(e);
        return e.data;
    }
    void write(unsigned, uint64_t offset, unsigned size, uint64_t value) override {
        Exit e = make(offset, size, true, value);
        finish(e);
    }

  private:
    Exit make(uint64_t offset, unsigned size, bool is_write, uint64_t value) const {
        Exit e;
        e.kind = Exit::Kind::data_abort;
        e.pc = core_.access_pc(core_.pc(), base_ + offset, is_write);
        e.syndrome.cause = static_cast<uint32_t>(is_write ? rv64::cause::store_guest_page_fault
                                                          : rv64::cause::load_guest_page_fault);
        e.syndrome.address = base_ + offset;
        e.syndrome.guest_phys = (base_ + offset) >> 2;
        e.syndrome.detail = size;
        e.in_flight = true;
        e.data = value;
        return e;
    }
    void finish(Exit& e) {
        if (exits_.on_exit(core_, e) != TrapAction::resume)
            core_.request_halt();
    }
    Rv64Core& core_;
    ExitHandler& exits_;
    uint64_t base_;
};

} // namespace

void Rv64Core::map_trapping(uint64_t addr, uint64_t size) {
    trapping_at_.emplace_back(addr, addr + size);
    trapping_.push_back(std::make_unique<TrappingPage>(*this, exits_, addr));
    map_device(addr, size, *trapping_.back());
}

void Rv64Core::invalidate_code(uint64_t addr, uint64_t size) {
    scanned_blocks_.clear();
    check(uc_ctl_remove_cache(uc_, addr, addr + size), "invalidate translated code");
}

std::shared_ptr<AddressSpace> Rv64Core::new_address_space() const {
    return std::make_shared<AddressSpace>();
}

void Rv64Core::reset(uint64_t entry, uint64_t context) {
    check(uc_context_restore(uc_, reset_context_), "restore the reset context");
    for (unsigned n = 1; n < 32; ++n)
        set_x(n, 0);
    set_x(10, id_);     // a0: hart id
    set_x(11, context); // a1: opaque
    uint64_t v = mstatus_mpp_s | mstatus_fs_initial;
    check(uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &v), "write mstatus");
    v = entry;
    check(uc_reg_write(uc_, UC_RISCV_REG_MEPC, &v), "write mepc");
    // QEMU masks sie by mideleg: delegate the supervisor interrupts so the
    // guest can enable them (the core delivers them itself).
    v = rv64::ssip | rv64::stip | rv64::seip;
    check(uc_reg_write(uc_, UC_RISCV_REG_MIDELEG, &v), "write mideleg");
    set_pc(stub_base_);
    satp_ = 0;
    sv39_on_ = false;
    if (sv39_model_) {
        memory_.hierarchy->flush_tlbs(id_);
        memory_.hierarchy->set_asid(id_, 0);
    }
    sie_ = 0;
    fault_ = Fault{};
    pending_.reset();
    counter_fixup_.reset();
}

RunResult Rv64Core::run(uint64_t budget_cycles, uint64_t start_cycle, uint64_t cycles_per_insn) {
    budget_ = budget_cycles;
    start_cycle_ = start_cycle;
    cpi_ = cycles_per_insn;
    executed_ = 0;
    stall_ = 0;
    stop_.reset();
    yield_at_block_ = false;
    fast_forward_ = fast_forward_next_;
    update_memory_hook();
    running_ = true;
    follow_satp();
    code_buffer_.install();
#ifdef BAO_UNICORN_ACCESS_PC
    struct EngineCallbacks { // for this run, on this thread
        explicit EngineCallbacks(Rv64Core* core) {
            static constexpr bao_stage2_check check{&may_enter_page, &backs_table,
                                                    &on_unbacked_translation};
            bao_unicorn_stage2_check(&check, core);
        }
        ~EngineCallbacks() { bao_unicorn_stage2_check(nullptr, nullptr); }
    } engine_callbacks(this);
#endif
    for (bool again = true; again;) {
        if (pc() != stub_base_ && interrupt_due()) {
            const uint64_t pending = sip_ & csr(rv64::csr::sie);
            deliver_interrupt(*rv64::highest_interrupt(pending));
        }
        stopped_at_block_.reset();
        take_interrupt_ = false;
        const uc_err err = uc_emu_start(uc_, pc(), UINT64_MAX, 0, 0);
        if (stopped_at_block_ && err == UC_ERR_OK && pc() != *stopped_at_block_)
            set_pc(*stopped_at_block_);
        const bool flushed = flush_full_code_buffer();
        again = resume_after_stop(err);
        // A stop only to flush: the run goes on where it stopped.
        if (flushed && err == UC_ERR_OK && !stop_ && cycles_in_run() < budget_)
            again = true;
    }
    CodeBufferWatch::uninstall();
    if (trace_)
        trace_flush();
    running_ = false;
    RunResult result;
    result.instructions = executed_;
    result.stall_cycles = stall_;
    if (!stop_)
        stop_ = read_word(pc() - 4) == rv64::insn_wfi ? StopReason::wfi : StopReason::budget;
    result.reason = *stop_;
    if (result.reason == StopReason::wfi) {
        result.exit.kind = Exit::Kind::wait;
        result.exit.pc = pc() - 4;
        result.exit.syndrome.cause = static_cast<uint32_t>(rv64::cause::virtual_insn);
        result.exit.syndrome.detail = rv64::insn_wfi;
    }
    if (result.reason != StopReason::fault)
        sie_ = csr(rv64::csr::sie);
    retired_ += executed_;
    executed_ = 0;
    stall_ = 0;
    return result;
}

// Unicorn returned: a hook's exception or interrupt is delivered here (PC
// and CSR writes inside a hook are not safe in 2.0.1), an EBREAK comes back
// as an error at the instruction. True to run on in the same slice.
bool Rv64Core::resume_after_stop(int err) {
    if (stop_ == StopReason::fault || stop_ == StopReason::halted) {
        pending_.reset();
        return false;
    }
    if (err == UC_ERR_INSN_INVALID && !pending_ && read_word(pc()) == rv64::insn_ebreak) {
        // Unicorn did not run it: count it here.
        ++executed_;
        pending_ = Rv64Exception{rv64::cause::breakpoint, pc(), pc(), "breakpoint"};
        err = UC_ERR_OK;
    }
    if (err != UC_ERR_OK && pending_)
        err = UC_ERR_OK; // the guest's page fault on an address no region covers
    if (err != UC_ERR_OK) {
        raise_fault(Fault::Kind::other, pc(), 0,
                    std::string("unicorn stopped: ") + uc_strerror(static_cast<uc_err>(err)));
        return false;
    }
    if (pending_) {
        const Rv64Exception e = *pending_;
        pending_.reset();
        deliver(e);
    } else if (!take_interrupt_) {
        return false; // the budget, a yield, or WFI
    }
    return !stop_ && !yield_at_block_ && cycles_in_run() < budget_;
}

bool Rv64Core::interrupt_due() const {
    if (sip_ == 0)
        return false;
    return (sip_ & csr(rv64::csr::sie)) != 0 && (csr(rv64::csr::sstatus) & rv64::sstatus::sie);
}

bool Rv64Core::flush_full_code_buffer() {
    if (!code_buffer_.flush_if_full(uc_))
        return false;
    yield_at_block_ = stop_.has_value(); // request_yield's own stop stays
    return true;
}

void Rv64Core::request_yield() {
    if (running_ && !stop_) {
        stop_ = StopReason::budget;
        yield_at_block_ = true;
    }
}

void Rv64Core::request_halt() {
    if (!stop_ || *stop_ == StopReason::budget)
        stop_ = StopReason::halted;
    uc_emu_stop(uc_);
}

bool Rv64Core::set_interrupt_lines(const InterruptLines& lines) {
    uint64_t next = irq_to_hv_ ? lines.vsip : lines.sip;
    // SSIP arrives as a pulse (SBI send_ipi): latched until the hart takes it.
    ssip_latched_ = ssip_latched_ || (next & rv64::ssip);
    next = (next & ~rv64::ssip) | (ssip_latched_ ? rv64::ssip : 0);
    const bool rose = (next & ~sip_) != 0;
    sip_ = next;
    return rose;
}

bool Rv64Core::guest_interrupt_pending() const {
    return (sip_ & sie_) != 0;
}

uint64_t Rv64Core::x(unsigned n) const {
    if (n == 0)
        return 0;
    if (n > 31)
        throw std::out_of_range("general-purpose register number");
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_RISCV_REG_X0 + static_cast<int>(n), &v), "read register");
    return v;
}

void Rv64Core::set_x(unsigned n, uint64_t value) {
    if (n == 0)
        return;
    if (n > 31)
        throw std::out_of_range("general-purpose register number");
    check(uc_reg_write(uc_, UC_RISCV_REG_X0 + static_cast<int>(n), &value), "write register");
}

uint64_t Rv64Core::pc() const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_RISCV_REG_PC, &v), "read PC");
    return v;
}

void Rv64Core::set_pc(uint64_t value) {
    check(uc_reg_write(uc_, UC_RISCV_REG_PC, &value), "write PC");
}

uint64_t Rv64Core::csr(uint32_t number) const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, csr_reg(number), &v), "read CSR");
    return v;
}

void Rv64Core::set_csr(uint32_t number, uint64_t value) {
    check(uc_reg_write(uc_, csr_reg(number), &value), "write CSR");
}

uint64_t Rv64Core::access_pc(uint64_t block_pc, uint64_t address, bool is_write) const {
#ifdef BAO_UNICORN_ACCESS_PC
    // Exact: the softmmu helper the access is in, and QEMU's own recovery
    // (unicorn_access_pc.c). The scan below is for builds without it.
    bao_unicorn_access a{};
    if (bao_unicorn_place_access(address, &a))
        return pc();
#endif
    constexpr unsigned kMaxBlockInsns = 512; // QEMU's TCG_MAX_INSNS
    // The block's words are read a page at a time, as the scan reaches them:
    // one uc_mem_read per word made a guest whose long blocks touch device
    // pages run about 30x slower (docs/fuzzing.md, "Random guests"). A page
    // is one region, so its read reaches no device the words' reads would not.
    std::array<uint32_t, kMaxBlockInsns> words;
    unsigned read = 0;
    for (unsigned i = 0; i < kMaxBlockInsns; ++i) {
        const uint64_t at = block_pc + 4ull * i;
        if (i == read) {
            const uint64_t page_end = (at | 0xfff) + 1;
            const auto n = static_cast<unsigned>(
                std::min<uint64_t>(kMaxBlockInsns - i, (page_end - at + 3) / 4));
            // A word across the page's end into nothing: word by word, as before.
            if (uc_mem_read(uc_, at, &words[i], 4ull * n) != UC_ERR_OK)
                for (unsigned k = 0; k < n; ++k)
                    words[i + k] = read_word(at + 4ull * k);
            read += n;
        }
        const uint32_t insn = words[i];
        if (insn == 0)
            break;
        const auto m = rv64::decode_access(insn);
        if (m && (is_write ? m->writes : m->reads) &&
            x(m->rs1) + static_cast<uint64_t>(m->offset) == address)
            return at;
    }
    return block_pc;
}

uint32_t Rv64Core::read_word(uint64_t addr) const {
    uint32_t w = 0;
    if (uc_mem_read(uc_, addr, &w, sizeof w) != UC_ERR_OK)
        return 0;
    return w;
}

void Rv64Core::raise_fault(Fault::Kind kind, uint64_t pc, uint64_t address,
                           const std::string& what) {
    fault_.kind = kind;
    fault_.pc = pc;
    fault_.address = address;
    fault_.va = address;
    fault_.description = "core " + std::to_string(id_) + ": " + what + " at pc " + hex(pc);
    if (kind == Fault::Kind::unmapped_read || kind == Fault::Kind::unmapped_write ||
        kind == Fault::Kind::unmapped_fetch)
        fault_.description += ", address " + hex(address);
    stop_ = StopReason::fault;
    uc_emu_stop(uc_);
}

// The timing model's share of a block and of an access (rv64_timing.cpp has
// the rest): inline in the hooks, whose call frames were a measurable share of
// the per-access cost (as on Arm, docs/parallel.md).
[[gnu::always_inline]] inline void Rv64Core::model_fetch(uint64_t address, uint32_t size) {
    const uint64_t now = start_cycle_ + cycles_in_run();
    uint64_t pa = address;
    if (sv39_on_ || memory_.stage2) {
        const cache::Translation t = memory_.hierarchy->translate(
            id_, address, cache::AccessKind::fetch, now, sv39_on_ ? sv39_walker_ : *memory_.stage2);
        if (t.fault)
            return;
        stall_ += t.cycles;
        pa = t.pa;
    }
    if (pa >= memory_.ram_base && pa < memory_.ram_end)
        stall_ += memory_.hierarchy->fetch_block(id_, pa, size, now);
}

[[gnu::always_inline]] inline void Rv64Core::model_data(uint64_t address, int size, bool is_write) {
    const uint64_t now = start_cycle_ + cycles_in_run();
    uint64_t pa = address;
    if (sv39_on_ || memory_.stage2) {
        const cache::Translation t = memory_.hierarchy->translate(
            id_, address, is_write ? cache::AccessKind::write : cache::AccessKind::read, now,
            sv39_on_ ? sv39_walker_ : *memory_.stage2);
        if (t.fault)
            return;
        stall_ += t.cycles;
        pa = t.pa;
    }
    if (pa >= memory_.ram_base && pa < memory_.ram_end)
        stall_ +=
            memory_.hierarchy->access_data(id_, pa, static_cast<unsigned>(size), is_write, now);
}

void Rv64Core::on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self) {
    auto* core = static_cast<Rv64Core*>(self);
    // Unicorn 2.0.1's decoder steps back 4 bytes over a word it cannot
    // decode, and a block's size is 16 bits: a block whose first word is
    // undecodable comes with size 65532. It holds that word only, and
    // nothing in it retires (the illegal-instruction trap follows). QEMU's
    // RISC-V blocks never cross a page, so no real size is above 4 KiB.
    if (size > kMaxBlockBytes) [[unlikely]]
        size = 0;
    if (core->counter_fixup_) // the block after a cycle/instret read (rv64_exception.cpp)
        core->finish_counter_read(address);
    if (core->yield_at_block_ || core->cycles_in_run() >= core->budget_) {
        core->stopped_at_block_ = address;
        uc_emu_stop(uc);
        return;
    }
    // Unicorn's hart has C (misa cannot be changed in 2.0.1), and PC + 4 on
    // its exceptions is only right for 4-byte instructions: refuse them.
    // Each block is scanned once (the loader already refuses ELFs built
    // with C; this catches hand-written ones).
    const std::optional<uint16_t> tail = core->scan_block(address, size);
    if (!tail)
        return;
    if (core->sip_ && address != core->stub_base_ && core->interrupt_due()) {
        core->stopped_at_block_ = address;
        core->take_interrupt_ = true;
        uc_emu_stop(uc);
        return;
    }
    if (*tail == kTailSret && !core->sret_stays_in_s_mode(address + size - 4))
        return;
    if (core->trace_) [[unlikely]]
        core->trace_block(address, size);
    core->executed_ += size / 4;
    core->block_start_ = address;
    core->block_counted_ = size / 4;
    if (core->memory_.hierarchy && !core->fast_forward_)
        core->model_fetch(address, size);
    if (*tail != kTailSret && *tail != 0)
        core->counter_fixup_ = CounterFixup{address + size, *tail};
}

// A block ends at every CSR instruction, so no CSR write precedes an SRET in
// its block: sstatus.SPP at the block's start is the privilege it returns
// to. Entering U-mode stops the core before the block runs.
bool Rv64Core::sret_stays_in_s_mode(uint64_t pc) {
    if (csr(rv64::csr::sstatus) & rv64::sstatus::spp)
        return true;
    raise_fault(Fault::Kind::undefined_instruction, pc, pc,
                "sret to U-mode (sstatus.SPP = 0): bao-sim runs RISC-V guests in S-mode only "
                "(docs/riscv.md)");
    return false;
}

std::optional<uint16_t> Rv64Core::scan_new_block(uint64_t address, uint32_t size) {
    std::vector<uint8_t> bytes(size);
    const bool read = uc_mem_read(uc_, address, bytes.data(), size) == UC_ERR_OK;
    for (uint32_t off = 0; read && off + 2 <= size; off += 4)
        if (rv64::is_compressed(bytes[off])) {
            raise_fault(Fault::Kind::undefined_instruction, address + off, address + off,
                        "compressed (16-bit) instruction: guests must be built without the C "
                        "extension (-march=rv64imafd)");
            return std::nullopt;
        }
    if ((address | size) & 3) {
        const uint64_t at = (address & 3) ? address : address + size - 2;
        raise_fault(Fault::Kind::undefined_instruction, at, at,
                    "compressed (16-bit) instruction or misaligned PC: guests must be built "
                    "without the C extension (-march=rv64imafd)");
        return std::nullopt;
    }
    uint32_t last = 0;
    if (read && size >= 4)
        std::memcpy(&last, &bytes[size - 4], 4);
    const uint16_t tail = last == rv64::insn_sret ? kTailSret : counter_read_of(last);
    scanned_blocks_.insert(address, tail);
    return tail;
}

void Rv64Core::on_interrupt(uc_struct*, uint32_t intno, void* self) {
#ifdef BAO_UNICORN_ACCESS_PC
    bao_unicorn_stage2_forget(); // a fault may have left a TLB fill by a long jump
#endif
    static_cast<Rv64Core*>(self)->take_exception(intno);
}

void Rv64Core::handle_call() {
    Exit e;
    e.kind = Exit::Kind::call;
    e.pc = pc() - 4; // Unicorn is past the ECALL; sepc would name it
    e.syndrome.cause = static_cast<uint32_t>(rv64::cause::ecall_s);
    report(e);
}

TrapAction Rv64Core::report(Exit& exit) {
    const TrapAction a = exits_.on_exit(*this, exit);
    if (a != TrapAction::resume) {
        if (!stop_ || *stop_ == StopReason::budget)
            stop_ = StopReason::halted;
        uc_emu_stop(uc_);
    }
    return a;
}

// Unicorn checks an address against its regions before translating it
// (unicorn-notes.md): with the guest's Sv39 on, an address no region covers
// may be the guest's own page fault, delivered to it; anything else is an
// access outside the machine's memory, a fault of the run.
bool Rv64Core::on_unmapped(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
    auto* core = static_cast<Rv64Core*>(self);
    const bool fetch = type == UC_MEM_FETCH_UNMAPPED;
    const uint64_t at =
        fetch ? address : core->access_pc(core->pc(), address, type == UC_MEM_WRITE_UNMAPPED);
    if (core->guest_page_fault(type, address, at, static_cast<unsigned>(size)))
        return false;
    const std::string sized = " of " + std::to_string(size) + " bytes";
    switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
        core->raise_fault(Fault::Kind::unmapped_write, at, address,
                          "write" + sized + " to unmapped memory");
        break;
    case UC_MEM_FETCH_UNMAPPED:
        core->raise_fault(Fault::Kind::unmapped_fetch, at, address,
                          "instruction fetch from unmapped memory");
        break;
    default:
        core->raise_fault(Fault::Kind::unmapped_read, at, address,
                          "read" + sized + " from unmapped memory");
    }
    core->fault_.size = fetch ? 0 : static_cast<unsigned>(size);
    return false;
}

// A PTE the core's own walk reads: only from the VM's memory or a device
// (backs_table), not through a page hv emulates.
bool Rv64Core::read_guest_pte(void* self, uint64_t pa, uint64_t& pte) {
    const auto* core = static_cast<const Rv64Core*>(self);
    return backs_table(self, pa) && uc_mem_read(core->uc_, pa, &pte, sizeof pte) == UC_ERR_OK;
}

bool Rv64Core::guest_page_fault(int type, uint64_t va, uint64_t epc, unsigned size) {
    const uint64_t satp = csr(rv64::csr::satp);
    if (rv64::satp_mode(satp) != rv64::satp_mode_sv39)
        return false;
    const rv64::Sv39Walk w = rv64::sv39_walk(satp, va, rv64::PteReader{&read_guest_pte, this});
    if (w.table_unbacked) { // as the same walk from Unicorn's TLB fill (rv64_unbacked.cpp)
        const int access = type == UC_MEM_WRITE_UNMAPPED   ? bao_access_store
                           : type == UC_MEM_FETCH_UNMAPPED ? bao_access_fetch
                                                           : bao_access_load;
        on_unbacked_translation(this, va, w.read_pa[w.reads - 1], access, size, 1);
        return true;
    }
    if (!w.fault && w.pa == va)
        return false; // identity-mapped: an access outside the (guest-)physical map
    if (!w.fault) {
        // Translated to somewhere else: Unicorn 2.0.1 cannot run it.
        raise_fault(Fault::Kind::other, epc, va,
                    "Sv39 maps " + hex(va) + " to " + hex(w.pa) +
                        ": only identity mappings run on Unicorn 2.0.1 (docs/riscv.md)");
        return true;
    }
    const uint64_t cause = type == UC_MEM_WRITE_UNMAPPED   ? rv64::cause::store_page_fault
                           : type == UC_MEM_FETCH_UNMAPPED ? rv64::cause::insn_page_fault
                                                           : rv64::cause::load_page_fault;
    pending_ = Rv64Exception{cause, va, epc, "page fault at " + hex(va)};
    return true;
}

void Rv64Core::on_memory(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
    auto* core = static_cast<Rv64Core*>(self);
    const bool is_write = type == UC_MEM_WRITE;
    core->last_access_ = LastAccess{address, is_write};
    ++(is_write ? core->stores_ : core->loads_);
    if (core->memory_.hierarchy && !core->fast_forward_)
        core->model_data(address, size, is_write);
}

uint64_t Rv64Core::on_mmio_read(uc_struct*, uint64_t offset, unsigned size, void* binding) {
    auto* b = static_cast<DeviceBinding*>(binding);
    b->core->exits_.enter_shared(*b->core);
    return b->device->read(b->core->id_, offset, size);
}

void Rv64Core::on_mmio_write(uc_struct*, uint64_t offset, unsigned size, uint64_t value,
                             void* binding) {
    auto* b = static_cast<DeviceBinding*>(binding);
    b->core->exits_.enter_shared(*b->core);
    b->device->write(b->core->id_, offset, size, value);
}

} // namespace sim::cpu
