// The guest's own traps on the RV64 core (the twin of arm64_exception.cpp):
// Unicorn 2.0.1 reports each exception to UC_HOOK_INTR with its cause as
// the number, PC already past the instruction, and drops it. The core
// either finishes the instruction itself (ECALL to the supervisor, a read of
// time/cycle/instret) or takes the exception in S-mode as the privileged
// spec does (4.1.1-4.1.9): SEPC, SCAUSE, STVAL, SSTATUS.SPP/SPIE/SIE, PC =
// STVEC. Guests run in S-mode only, so SPP is always 1.
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/unicorn_util.h"

#include <unicorn/unicorn.h>

namespace sim::cpu {
namespace {

using uc::hex;

const char* cause_name(uint64_t cause) {
    switch (cause) {
    case rv64::cause::insn_misaligned:
        return "instruction address misaligned";
    case rv64::cause::insn_access_fault:
        return "instruction access fault";
    case rv64::cause::load_misaligned:
        return "load address misaligned";
    case rv64::cause::load_access_fault:
        return "load access fault";
    case rv64::cause::store_misaligned:
        return "store/AMO address misaligned";
    case rv64::cause::store_access_fault:
        return "store/AMO access fault";
    case rv64::cause::insn_page_fault:
        return "instruction page fault";
    case rv64::cause::load_page_fault:
        return "load page fault";
    case rv64::cause::store_page_fault:
        return "store/AMO page fault";
    default:
        return "exception";
    }
}

// An AMO (opcode 0x2f, not LR) takes the store/AMO form of a load fault.
uint32_t amo_cause(uint32_t cause, uint32_t insn) {
    const bool amo = (insn & 0x7f) == 0x2f && (insn >> 27) != 0x02;
    if (!amo)
        return cause;
    switch (cause) {
    case rv64::cause::load_misaligned:
        return rv64::cause::store_misaligned;
    case rv64::cause::load_access_fault:
        return rv64::cause::store_access_fault;
    case rv64::cause::load_page_fault:
        return rv64::cause::store_page_fault;
    default:
        return cause;
    }
}

} // namespace

void Rv64Core::take_exception(uint32_t intno) {
    const uint64_t epc = pc() - 4; // Unicorn advanced PC by 4 (unicorn-notes.md)
    switch (intno) {
    case rv64::cause::ecall_u: // what Unicorn reports for an ECALL from any mode
    case rv64::cause::ecall_s:
        handle_call();
        return;
    case rv64::cause::illegal_insn: {
        // A block that ends in a word Unicorn 2.0.1's decoder finds illegal
        // is reported to the block hook two instructions short (size 0 for
        // [sfence.vma; illegal]): the instructions before it retired. Not
        // counted, a handler that traps again looped with no simulated time
        // passing (bao-sim hung; tests Rv64VectorFault.*).
        if (epc >= block_start_ && (epc - block_start_) / 4 > block_counted_ &&
            epc - block_start_ < 4ull * 512) { // QEMU's TCG_MAX_INSNS
            executed_ += (epc - block_start_) / 4 - block_counted_;
            block_counted_ = (epc - block_start_) / 4;
        }
        const uint32_t insn = read_word(epc);
        if (emulate_counter(insn))
            return;
        pending_ =
            Rv64Exception{rv64::cause::illegal_insn, insn, epc, "illegal instruction " + hex(insn)};
        break;
    }
    case rv64::cause::breakpoint:
        pending_ = Rv64Exception{rv64::cause::breakpoint, epc, epc, "breakpoint"};
        break;
    case rv64::cause::insn_misaligned:
    case rv64::cause::insn_access_fault:
    case rv64::cause::insn_page_fault:
        pending_ = Rv64Exception{intno, epc, epc, cause_name(intno)};
        break;
    case rv64::cause::load_misaligned:
    case rv64::cause::load_access_fault:
    case rv64::cause::store_misaligned:
    case rv64::cause::store_access_fault:
    case rv64::cause::load_page_fault:
    case rv64::cause::store_page_fault: {
        // QEMU reports an AMO's faults as a load's; the spec says store/AMO.
        intno = amo_cause(intno, read_word(epc));
        const uint64_t address = faulting_address(epc);
        pending_ = Rv64Exception{intno, address, epc,
                                 std::string(cause_name(intno)) + " at " + hex(address)};
        break;
    }
    default:
        raise_fault(Fault::Kind::other, epc, 0,
                    "exception " + std::to_string(intno) + " the core cannot deliver");
        return;
    }
    uc_emu_stop(uc_);
}

// rdtime (CSRRS rd, time, x0) traps: Unicorn's hart has no time source. It
// is answered from the machine's timer (ACLINT mtime at this hart's
// simulated time). Any other CSR the hart does not implement stays an
// illegal instruction for the guest.
bool Rv64Core::emulate_counter(uint32_t insn) {
    const auto access = rv64::decode_csr(insn);
    if (!access || !access->read_only() || access->csr != rv64::csr::time)
        return false;
    const auto t = exits_.read_sysreg(*this, rv64::csr::time);
    if (!t)
        return false;
    set_x(access->rd, *t);
    return true;
}

// rdcycle and rdinstret do not trap in Unicorn 2.0.1 (QEMU 5.0 ignores
// mcounteren) and return the host's TSC: not deterministic. QEMU ends a
// translation block after every CSR instruction, so such a read is the last
// instruction of its block; the core rewrites its destination when the next
// block starts with the hart's own cycle count or instruction count at the
// read, so the guest sees deterministic values.
uint16_t Rv64Core::counter_read_of(uint32_t insn) {
    const auto access = rv64::decode_csr(insn);
    if (!access || !access->read_only() || access->rd == 0)
        return 0;
    if (access->csr != rv64::csr::cycle && access->csr != rv64::csr::instret)
        return 0;
    const unsigned counter = access->csr == rv64::csr::cycle ? 0 : 1;
    return static_cast<uint16_t>(0x100 | counter << 5 | access->rd);
}

void Rv64Core::finish_counter_read(uint64_t block) {
    const CounterFixup f = *counter_fixup_;
    counter_fixup_.reset();
    if (block != f.next_block)
        return; // the read did not complete (an exception in its block)
    const unsigned rd = f.read & 31;
    // The values before the read itself retired.
    const uint64_t value =
        ((f.read >> 5) & 1) ? retired_ + executed_ - 1 : start_cycle_ + cycles_in_run() - cpi_;
    set_x(rd, value);
}

void Rv64Core::deliver(const Rv64Exception& e) {
    const uint64_t vector = csr(rv64::csr::stvec) & ~3ull; // synchronous: the base in either mode
    if (delivered_ && e.epc == last_vector_) {
        // The trap vector's own first instruction traps: the hart would take
        // the same exception forever, and since the faulting instruction
        // never retires, simulated time would not advance either (bao-sim
        // hung). Stop here instead (the supervisor decides), as Arm64Core.
        raise_fault(Fault::Kind::other, e.epc, e.tval,
                    "vector fault: " + e.what + " at the trap vector (stvec " + hex(vector) +
                        ") on " + last_what_);
        return;
    }
    last_vector_ = vector;
    last_what_ = e.what + " from pc " + hex(e.epc);
    uint64_t status = csr(rv64::csr::sstatus);
    const bool sie = status & rv64::sstatus::sie;
    status = (status & ~(rv64::sstatus::sie | rv64::sstatus::spie)) |
             (sie ? rv64::sstatus::spie : 0) | rv64::sstatus::spp;
    set_csr(rv64::csr::sstatus, status);
    set_csr(rv64::csr::sepc, e.epc);
    set_csr(rv64::csr::scause, e.cause);
    set_csr(rv64::csr::stval, e.tval);
    set_pc(vector);
    ++delivered_;
}

void Rv64Core::deliver_interrupt(uint64_t code) {
    uint64_t status = csr(rv64::csr::sstatus);
    const bool sie = status & rv64::sstatus::sie;
    status = (status & ~(rv64::sstatus::sie | rv64::sstatus::spie)) |
             (sie ? rv64::sstatus::spie : 0) | rv64::sstatus::spp;
    set_csr(rv64::csr::sstatus, status);
    set_csr(rv64::csr::sepc, pc());
    set_csr(rv64::csr::scause, rv64::interrupt_flag | code);
    set_csr(rv64::csr::stval, 0);
    const uint64_t stvec = csr(rv64::csr::stvec);
    // Vectored mode (MODE = 1): BASE + 4 x cause.
    set_pc((stvec & ~3ull) + ((stvec & 3) == 1 ? 4 * code : 0));
    if (code == rv64::irq::s_software) { // the IPI is taken: the latch clears
        ssip_latched_ = false;
        sip_ &= ~rv64::ssip;
    }
    ++interrupts_;
}

} // namespace sim::cpu
