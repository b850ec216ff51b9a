#include "hv/arch/riscv64/gstage.h"

namespace hv::riscv64 {
namespace {

// PTE bits (privileged spec, Sv39). G-stage leaves carry U: the hardware
// checks every G-stage access as a user-mode one.
constexpr std::uint64_t kV = 1ull << 0;
constexpr std::uint64_t kR = 1ull << 1;
constexpr std::uint64_t kW = 1ull << 2;
constexpr std::uint64_t kX = 1ull << 3;
constexpr std::uint64_t kU = 1ull << 4;
constexpr std::uint64_t kA = 1ull << 6;
constexpr std::uint64_t kD = 1ull << 7;
constexpr std::uint64_t kPpnMask = ((1ull << 44) - 1) << 10; // PPN[43:0] at bits 53:10

constexpr std::uint64_t pa_pte(std::uint64_t pa) {
    return (pa >> 12) << 10;
}

} // namespace

std::uint64_t GFormat::root_table(std::uint64_t root_pa) {
    return root_pa & ~(kRootPages * kPageSize - 1);
}

bool GFormat::valid(std::uint64_t pte) {
    return (pte & kV) != 0;
}

// A pointer has R = W = X = 0; any of them makes a leaf.
bool GFormat::is_table(std::uint64_t pte, int) {
    return (pte & (kR | kW | kX)) == 0;
}

// Faults: the reserved W-without-R encoding, a leaf without U, a misaligned
// superpage.
bool GFormat::leaf_ok(std::uint64_t pte, int depth) {
    return ((pte & kW) == 0 || (pte & kR) != 0) && (pte & kU) != 0 &&
           is_aligned(address(pte), GStage::block_size(depth));
}

std::uint64_t GFormat::address(std::uint64_t pte) {
    return ((pte & kPpnMask) >> 10) << 12;
}

std::uint64_t GFormat::table(std::uint64_t pa) {
    return kV | pa_pte(pa); // a pointer: R = W = X = 0
}

std::uint64_t GFormat::leaf(std::uint64_t pa, MapAttr a, int) {
    // A and D set: hv never relies on the hardware updating them (Svade
    // hardware would fault on a clear one).
    std::uint64_t p = kV | kU | kA | pa_pte(pa);
    p |= a.read ? kR : 0;
    p |= a.write ? (kW | kD) : 0;
    p |= a.exec && a.type == MemType::Normal ? kX : 0;
    return p;
}

void GFormat::leaf_attr(std::uint64_t pte, TableWalk& w) {
    w.read = (pte & kR) != 0;
    w.write = (pte & kW) != 0;
    w.exec = (pte & kX) != 0;
    w.type = w.exec ? MemType::Normal : MemType::Device;
}

} // namespace hv::riscv64

template class hv::SecondStage<hv::riscv64::GFormat>;
