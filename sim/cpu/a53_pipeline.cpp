#include "sim/cpu/a53_pipeline.h"

#include <algorithm>
#include <climits>

namespace sim::cpu::a53 {
namespace {

bool is_fp(InsnClass c) {
    return c == InsnClass::fp_add || c == InsnClass::fp_mul || c == InsnClass::fp_div;
}
bool is_memory(InsnClass c) {
    return c == InsnClass::load || c == InsnClass::store || c == InsnClass::pair;
}
// [GCC]: multiplies, pairs and system instructions issue alone.
bool single_issue(InsnClass c) {
    return c == InsnClass::mul || c == InsnClass::pair || c == InsnClass::system;
}
// [GCC]: divides and FP/ASIMD instructions issue only in slot 0.
bool needs_slot0(InsnClass c) {
    return c == InsnClass::div || is_fp(c);
}

unsigned result_latency(const InsnCost& i) {
    switch (i.cls) {
    case InsnClass::load:
    case InsnClass::pair:
        return i.fp_dest ? kFpLoadLatency : kLoadLatency;
    case InsnClass::mul:
        return kMulLatency;
    case InsnClass::div:
        return i.signed_div ? kSdivLatency : kUdivLatency;
    case InsnClass::fp_add:
        return kFpAluLatency;
    case InsnClass::fp_mul:
        return i.fused ? kFpMacLatency : kFpMulLatency;
    case InsnClass::fp_div:
        return i.double_fp ? kFdivDLatency : kFdivSLatency;
    default:
        return kAluLatency;
    }
}

// One block's schedule in progress.
struct Scheduler {
    std::array<int32_t, kRegCount> ready{};      // ALU use may issue at this cycle
    std::array<int32_t, kRegCount> addr_ready{}; // use as an address may issue at this cycle
    std::array<bool, kRegCount> written{};
    std::array<int32_t, kRegCount> need{};      // latest ready allowed (first reader)
    std::array<int32_t, kRegCount> addr_need{}; // latest addr_ready allowed
    std::array<bool, kRegCount> needed{};
    int32_t cycle = 0;
    unsigned in_cycle = 0;
    bool closed = false, used_ls = false, used_slot0 = false, used_branch = false;
    int32_t div_free = 0, fpdiv_free = 0, fp_free = 0;

    int32_t operand_ready(const Source& s) const {
        if (!written[s.reg])
            return 0;
        switch (s.use) {
        case Use::address:
            return addr_ready[s.reg];
        case Use::store_data:
            return std::max(0, ready[s.reg] - static_cast<int32_t>(kStoreDataEarly));
        case Use::shifted:
            return ready[s.reg] + static_cast<int32_t>(kShiftedExtra);
        case Use::data:
            break;
        }
        return ready[s.reg];
    }

    bool conflicts(const InsnCost& i) const {
        if (in_cycle >= kIssueWidth || closed || (in_cycle > 0 && single_issue(i.cls)))
            return true;
        if (used_ls && is_memory(i.cls))
            return true;
        if (used_slot0 && needs_slot0(i.cls))
            return true;
        return used_branch && i.cls == InsnClass::branch;
    }

    // The cycle `i` issues at, in order after everything before it.
    int32_t issue_cycle(const InsnCost& i) const {
        int32_t c = cycle;
        for (unsigned k = 0; k < i.nsrc; ++k)
            c = std::max(c, operand_ready(i.src[k]));
        if (i.cls == InsnClass::div)
            c = std::max(c, div_free);
        if (i.cls == InsnClass::fp_div)
            c = std::max(c, fpdiv_free);
        if (is_fp(i.cls))
            c = std::max(c, fp_free);
        if (c == cycle && conflicts(i))
            ++c;
        return c;
    }

    void note_needs(const InsnCost& i, int32_t c) {
        for (unsigned k = 0; k < i.nsrc; ++k) {
            const Source& s = i.src[k];
            if (written[s.reg])
                continue;
            if (!needed[s.reg]) {
                needed[s.reg] = true;
                need[s.reg] = INT32_MAX;
                addr_need[s.reg] = INT32_MAX;
            }
            switch (s.use) {
            case Use::address:
                addr_need[s.reg] = std::min(addr_need[s.reg], c);
                break;
            case Use::store_data:
                need[s.reg] = std::min(need[s.reg], c + static_cast<int32_t>(kStoreDataEarly));
                break;
            case Use::shifted:
                need[s.reg] = std::min(need[s.reg], c - static_cast<int32_t>(kShiftedExtra));
                break;
            case Use::data:
                need[s.reg] = std::min(need[s.reg], c);
                break;
            }
        }
    }

    void issue(const InsnCost& i, int32_t c) {
        if (c > cycle) {
            cycle = c;
            in_cycle = 0;
            closed = used_ls = used_slot0 = used_branch = false;
        }
        ++in_cycle;
        closed |= single_issue(i.cls);
        used_ls |= is_memory(i.cls);
        used_slot0 |= needs_slot0(i.cls);
        used_branch |= i.cls == InsnClass::branch;
        if (i.cls == InsnClass::div)
            div_free = c + static_cast<int32_t>(kDivBusy);
        if (i.cls == InsnClass::fp_div)
            fpdiv_free = c + static_cast<int32_t>(i.double_fp ? kFdivDBusy : kFdivSBusy);
        if (is_fp(i.cls) && i.qform)
            fp_free = c + static_cast<int32_t>(kQformBusy);
        const auto lat = static_cast<int32_t>(result_latency(i));
        for (unsigned k = 0; k < i.ndst; ++k)
            write(i.dst[k], c + lat, c + std::max(lat, static_cast<int32_t>(kAddressLatency)));
        if (i.writeback != kRegNone) {
            const auto wb = static_cast<int32_t>(kWritebackLatency);
            write(i.writeback, c + wb, c + wb);
        }
    }

    void write(uint8_t reg, int32_t r, int32_t a) {
        if (reg >= kRegCount)
            return;
        written[reg] = true;
        ready[reg] = r;
        addr_ready[reg] = reg == kRegFlags ? r : a;
    }
};

} // namespace

const char* class_name(InsnClass c) {
    static constexpr const char* names[kClassCount] = {"alu",    "shift",  "mul",    "div",
                                                       "load",   "store",  "pair",   "branch",
                                                       "fp_add", "fp_mul", "fp_div", "system"};
    return names[static_cast<unsigned>(c)];
}

void schedule_block(std::span<const InsnCost> insns, BlockRecipe& out) {
    Scheduler s;
    for (const InsnCost& i : insns) {
        const int32_t c = s.issue_cycle(i);
        s.note_needs(i, c);
        s.issue(i, c);
        ++out.classes[static_cast<unsigned>(i.cls)];
    }
    out.instructions = static_cast<uint32_t>(insns.size());
    out.cycles = insns.empty() ? 0 : static_cast<uint32_t>(s.cycle + 1);
    const auto end = static_cast<int32_t>(out.cycles);
    std::vector<Need> needs;
    std::vector<InFlight> flying;
    for (unsigned reg = 0; reg < kRegCount; ++reg) {
        if (s.needed[reg]) {
            Need n;
            n.reg = static_cast<uint8_t>(reg);
            n.cycle = s.need[reg];
            n.addr_cycle = s.addr_need[reg];
            needs.push_back(n);
        }
        if (!s.written[reg])
            continue;
        RegMask written{out.written, out.written_flags};
        written.set(reg);
        out.written = written.regs;
        out.written_flags = written.flags;
        if (s.ready[reg] > end || s.addr_ready[reg] > end)
            flying.push_back(InFlight{static_cast<uint8_t>(reg),
                                      static_cast<uint8_t>(std::max(0, s.ready[reg] - end)),
                                      static_cast<uint8_t>(std::max(0, s.addr_ready[reg] - end))});
    }
    std::stable_sort(needs.begin(), needs.end(), [](const Need& a, const Need& b) {
        return std::min(a.cycle, a.addr_cycle) < std::min(b.cycle, b.addr_cycle);
    });
    out.need_count = static_cast<uint8_t>(std::min<size_t>(needs.size(), kMaxNeeds));
    // The run-time check looks a register up: keep them in register order.
    std::sort(needs.begin(), needs.begin() + out.need_count,
              [](const Need& a, const Need& b) { return a.reg < b.reg; });
    for (unsigned k = 0; k < out.need_count; ++k) {
        const unsigned reg = needs[k].reg;
        out.needs[k] = needs[k];
        RegMask checked{out.checked, out.checked_flags};
        checked.set(reg);
        out.checked = checked.regs;
        out.checked_flags = checked.flags;
        out.need_slot[reg / 2] |= static_cast<uint8_t>(k << (reg % 2 * 4));
    }
    // Keep the longest waits (a divide's or a load's result over an ALU's
    // address forwarding).
    std::stable_sort(flying.begin(), flying.end(), [](const InFlight& a, const InFlight& b) {
        return std::max(a.ready, a.addr_ready) > std::max(b.ready, b.addr_ready);
    });
    out.in_flight_count = static_cast<uint8_t>(std::min<size_t>(flying.size(), kMaxPending));
    static_assert(kFdivDLatency <= UINT8_MAX && kAddressLatency <= UINT8_MAX,
                  "a result in flight is ready within the longest latency: a byte");
    RegMask in_flight;
    for (unsigned k = 0; k < out.in_flight_count; ++k) {
        const InFlight& f = flying[k];
        out.in_flight[k] = f;
        in_flight.set(f.reg);
        // Ready for any use: for the earliest (a shifted operand) and as an address.
        const unsigned settle = std::max<unsigned>(f.ready + kShiftedExtra, f.addr_ready);
        out.settle = static_cast<uint8_t>(std::max<unsigned>(out.settle, settle));
    }
    out.flying = in_flight.regs;
    out.flying_flags = in_flight.flags;
}

void BlockRecipe::set_branch(const BlockBranch& b, uint64_t start) {
    const uint64_t offset = b.pc - start;
    const auto target = static_cast<int64_t>(b.target - b.pc);
    const bool has_target = b.kind == BranchKind::conditional || b.kind == BranchKind::direct ||
                            b.kind == BranchKind::call;
    if (b.kind == BranchKind::none || offset > UINT16_MAX ||
        (has_target && (target < INT32_MIN || target > INT32_MAX))) {
        branch_kind = BranchKind::none;
        return;
    }
    branch_kind = b.kind;
    branch_offset = static_cast<uint16_t>(offset);
    branch_target = has_target ? static_cast<int32_t>(target) : 0;
}

BranchPredictor::BranchPredictor() {
    reset();
}

void BranchPredictor::reset() {
    counters_.fill(1); // weakly not taken
    btac_.fill(0);
    stack_top_ = stack_depth_ = 0;
    history_ = 0;
}

void BranchPredictor::push(uint64_t ret) {
    stack_[stack_top_] = ret;
    stack_top_ = (stack_top_ + 1) % kReturnStack;
    stack_depth_ = std::min(stack_depth_ + 1, kReturnStack);
}

bool BranchPredictor::pop(uint64_t& ret) {
    if (stack_depth_ == 0)
        return false;
    stack_top_ = (stack_top_ + kReturnStack - 1) % kReturnStack;
    --stack_depth_;
    ret = stack_[stack_top_];
    return true;
}

bool BranchPredictor::resolve_other(const BlockBranch& b, uint64_t next) {
    switch (b.kind) {
    case BranchKind::none:
    case BranchKind::direct:
    case BranchKind::conditional: // resolve_conditional's
        return false; // [TRM] direct branches: target known at decode (static predictor, BTIC)
    case BranchKind::call:
        push(b.fallthrough);
        return false;
    case BranchKind::indirect_call:
        push(b.fallthrough);
        [[fallthrough]];
    case BranchKind::indirect: {
        uint64_t& entry = btac_[(b.pc >> 2) % kBtacEntries];
        const bool miss = entry != next;
        entry = next;
        return miss;
    }
    case BranchKind::ret: {
        uint64_t predicted = 0;
        return !pop(predicted) || predicted != next;
    }
    case BranchKind::eret:
        return true; // exception returns are not predicted: always a refetch
    }
    return false;
}

// The full check: the results carried from earlier blocks that this block
// reads (the previous block's carried first).
uint64_t Pipeline::dependency_stall(const BlockRecipe& r, uint64_t start) {
    // Later than right after the previous block (a mispredict or a memory
    // stall in between), every older result settled: the previous block's
    // results are `gap` cycles nearer than its memo says, so the wait is the
    // memo's less the gap (the longest of their waits, each less the gap).
    if (start > prev_end_ && start >= settled_at_ && r.memo_after == last_->id) {
        const uint64_t gap = start - prev_end_;
        const uint64_t stall = r.memo_stall > gap ? r.memo_stall - gap : 0;
        carry_prev_if_in_flight_after(start + stall + r.cycles);
        return stall;
    }
    const bool after_last = start == prev_end_ && start >= settled_at_;
    carry_prev();
    if (start >= settled_at_)
        pending_ = RegMask{};
    const RegMask waiting{pending_.regs & r.checked,
                          static_cast<uint8_t>(pending_.flags & r.checked_flags)};
    const uint64_t stall = (waiting.regs | waiting.flags) == 0 ? 0 : stall_on(r, start, waiting);
    if (after_last && stall <= UINT16_MAX) {
        r.memo_after = last_->id;
        r.memo_stall = static_cast<uint16_t>(stall);
    }
    return stall;
}

// The registers `waiting` are in flight and read by the block: the longest
// wait any of them makes it start with.
// Those ready for any use are dropped from the pending set.
uint64_t Pipeline::stall_on(const BlockRecipe& r, uint64_t start, RegMask waiting) {
    int64_t stall = 0;
    auto wait_for = [&](unsigned reg) {
        const auto ready = static_cast<int64_t>(ready_[reg].alu - start);
        const auto addr_ready = static_cast<int64_t>(ready_[reg].addr - start);
        if (ready <= kEarliestNeed && addr_ready <= 0) {
            if (reg == kRegFlags)
                pending_.flags = 0;
            else
                pending_.regs &= ~(uint64_t{1} << reg);
            return;
        }
        // A use the block does not make has its cycle at INT32_MAX: never a wait.
        const Need& n = r.need_of(reg);
        stall = std::max({stall, ready - n.cycle, addr_ready - n.addr_cycle});
    };
    for (uint64_t bits = waiting.regs; bits; bits &= bits - 1)
        wait_for(static_cast<unsigned>(std::countr_zero(bits)));
    if (waiting.flags)
        wait_for(kRegFlags);
    return static_cast<uint64_t>(stall);
}

uint64_t Pipeline::charge_flat(uint32_t instructions, uint64_t address) {
    const uint64_t penalty = resolve_branch(address);
    // Every result is ready after a block of unknown content.
    last_ = &none_;
    prev_ = nullptr;
    prev_end_ = kNoBlock;
    pending_ = RegMask{};
    ++stats_.blocks;
    return penalty + instructions;
}

void Pipeline::detach() {
    carry_prev();
    if (last_ != &stash_) {
        stash_ = *last_; // the same id: its content, which memos name
        last_ = &stash_;
    }
}

void Pipeline::forget_last() {
    detach();
    prev_end_ = kNoBlock;
}

void Pipeline::reset() {
    predictor_.reset();
    pending_ = RegMask{};
    last_ = &none_;
    prev_ = nullptr;
    settled_at_ = 0;
    prev_end_ = kNoBlock;
}

} // namespace sim::cpu::a53
