#include "hv/arch/armv8/stage2.h"

namespace hv::armv8 {
namespace {

// Descriptor fields (Arm ARM D8.3, stage 2).
constexpr std::uint64_t kValid = 1ull << 0;
constexpr std::uint64_t kTableOrPage = 1ull << 1;       // table at levels 1-2, page at 3
constexpr std::uint64_t kMemAttrNormalWb = 0xfull << 2; // outer and inner write-back
constexpr std::uint64_t kMemAttrDevNGnRE = 0x1ull << 2;
constexpr std::uint64_t kS2apRead = 1ull << 6;
constexpr std::uint64_t kS2apWrite = 1ull << 7;
constexpr std::uint64_t kShInner = 3ull << 8;
constexpr std::uint64_t kAf = 1ull << 10;
constexpr std::uint64_t kXn = 1ull << 54;
constexpr std::uint64_t kAddrMask = 0x0000'ffff'ffff'f000ull; // bits 47:12
constexpr int kPageDepth = Stage2::kLeafDepth;                // level 3

} // namespace

std::uint64_t S2Format::root_table(std::uint64_t root_pa) {
    return root_pa & kAddrMask;
}

bool S2Format::valid(std::uint64_t d) {
    return (d & kValid) != 0;
}

// Bit 1 is a table pointer above level 3 and a page at level 3.
bool S2Format::is_table(std::uint64_t d, int depth) {
    return depth < kPageDepth && (d & kTableOrPage) != 0;
}

// A level-3 descriptor without bit 1 is reserved: a translation fault.
bool S2Format::leaf_ok(std::uint64_t d, int depth) {
    return depth < kPageDepth || (d & kTableOrPage) != 0;
}

std::uint64_t S2Format::address(std::uint64_t d) {
    return d & kAddrMask;
}

std::uint64_t S2Format::table(std::uint64_t pa) {
    return kValid | kTableOrPage | (pa & kAddrMask);
}

std::uint64_t S2Format::leaf(std::uint64_t pa, MapAttr a, int depth) {
    std::uint64_t d = kValid | (pa & kAddrMask) | kAf;
    if (depth == kPageDepth) {
        d |= kTableOrPage;
    }
    d |= a.type == MemType::Normal ? (kMemAttrNormalWb | kShInner) : kMemAttrDevNGnRE;
    d |= a.read ? kS2apRead : 0;
    d |= a.write ? kS2apWrite : 0;
    d |= a.exec ? 0 : kXn;
    return d;
}

void S2Format::leaf_attr(std::uint64_t d, TableWalk& w) {
    w.read = (d & kS2apRead) != 0;
    w.write = (d & kS2apWrite) != 0;
    w.exec = (d & kXn) == 0;
    w.type = ((d >> 2) & 0xf) == 0xf ? MemType::Normal : MemType::Device;
}

} // namespace hv::armv8

template class hv::SecondStage<hv::armv8::S2Format>;
