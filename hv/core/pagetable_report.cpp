#include "hv/core/pagetable_report.h"

#include "hv/arch/arch.h"
#include "hv/port.h"

namespace hv::inline HV_ARCH_NS {
namespace {

constexpr std::uint64_t kVmIpa = 0x4000'0000;
constexpr std::uint64_t kVmPa = 0x4000'0000;
// Table pages live far above any VM memory the report maps (40-bit space).
constexpr std::uint64_t kTableBase = 1ull << 39;

// A port whose only memory is the scratch buffer at kTableBase; the VM's
// memory is never touched, only mapped.
class ScratchPort final : public Port {
  public:
    explicit ScratchPort(std::span<std::byte> mem) : mem_(mem) {}

    std::uint32_t cpu_id() override { return 0; }
    void mem_read(std::uint64_t pa, void* dst, std::size_t len) override {
        copy(static_cast<std::byte*>(dst), at(pa), len);
    }
    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override {
        copy(at(pa), static_cast<const std::byte*>(src), len);
    }
    void mem_copy(std::uint64_t dst, std::uint64_t src, std::size_t len) override {
        copy(at(dst), at(src), len);
    }
    void mem_zero(std::uint64_t pa, std::size_t len) override {
        std::byte* p = at(pa);
        for (std::size_t i = 0; i < len; ++i) {
            p[i] = std::byte{0};
        }
    }
    void account(std::uint64_t, std::size_t, bool) override {}
    std::uint64_t dev_read(std::uint64_t, std::uint32_t) override { return 0; }
    void dev_write(std::uint64_t, std::uint32_t, std::uint64_t) override {}
    void send_ipi(std::uint32_t, std::uint32_t) override {}
    void mark(std::uint32_t, Mark) override {}
    void console_putc(char) override {}
    void cpu_on(std::uint32_t) override {}
    void cpu_stop(std::uint32_t) override {}
    void cpu_idle() override {}
    void vm_stopped(std::uint32_t) override {}
    void power_off() override {}

  private:
    std::byte* at(std::uint64_t pa) { return mem_.data() + (pa - kTableBase); }
    static void copy(std::byte* d, const std::byte* s, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            d[i] = s[i];
        }
    }
    std::span<std::byte> mem_;
};

struct Bump {
    std::uint64_t next;
    std::uint64_t end;
};

bool bump_alloc(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa) {
    auto* b = static_cast<Bump*>(ctx);
    const std::uint64_t p = align_up(b->next, align);
    if (p + pages * kPageSize > b->end) {
        return false;
    }
    pa = p;
    b->next = p + pages * kPageSize;
    return true;
}

} // namespace

std::uint64_t pagetable_scratch_bytes(std::uint64_t mem_bytes) {
    const std::uint64_t pages =
        arch::kStage2RootPages + mem_bytes / kSize1G + 2 + mem_bytes / kSize2M + 2;
    return (pages + 1) * kPageSize; // one more for the root's 8 KiB alignment
}

bool stage2_table_pages(std::uint64_t mem_bytes, std::uint64_t colors, const L2Geometry& l2,
                        std::span<std::byte> scratch, std::uint32_t& pages) {
    if (!is_aligned(mem_bytes, kPageSize) || scratch.size() < pagetable_scratch_bytes(mem_bytes) ||
        (colors != 0 && l2.num_colors() == 0)) {
        return false;
    }
    ScratchPort port(scratch);
    Bump bump{kTableBase, kTableBase + scratch.size()};
    arch::Stage2 s2;
    if (s2.init(port, {&bump_alloc, &bump}) != arch::MapStatus::Ok) {
        return false;
    }
    if (colors == 0) {
        if (s2.map(kVmIpa, kVmPa, mem_bytes, arch::kNormalRwx, true) != arch::MapStatus::Ok) {
            return false;
        }
        pages = s2.table_pages();
        return true;
    }
    // Pages of the chosen colors in ascending PA order, mapped as runs of
    // contiguous pages, exactly like Hypervisor::map_regions.
    const std::uint32_t n = l2.num_colors();
    std::uint64_t ipa = kVmIpa;
    std::uint64_t left = mem_bytes >> kPageShift;
    std::uint64_t run_pa = 0;
    std::uint64_t run_len = 0;
    for (std::uint64_t page = kVmPa >> kPageShift; left != 0; ++page) {
        if (!bit_test(colors, static_cast<std::uint32_t>(page % n))) {
            continue;
        }
        const std::uint64_t pa = page << kPageShift;
        --left;
        if (run_len != 0 && run_pa + (run_len << kPageShift) == pa) {
            ++run_len;
            continue;
        }
        if (run_len != 0) {
            if (s2.map(ipa, run_pa, run_len << kPageShift, arch::kNormalRwx, false) !=
                arch::MapStatus::Ok) {
                return false;
            }
            ipa += run_len << kPageShift;
        }
        run_pa = pa;
        run_len = 1;
    }
    if (run_len != 0 && s2.map(ipa, run_pa, run_len << kPageShift, arch::kNormalRwx, false) !=
                            arch::MapStatus::Ok) {
        return false;
    }
    pages = s2.table_pages();
    return true;
}

PageTableCount pagetable_report(std::uint64_t mem_bytes, const L2Geometry& l2,
                                std::span<std::byte> scratch) {
    PageTableCount r;
    r.mem_bytes = mem_bytes;
    const std::uint32_t n = l2.num_colors();
    const std::uint64_t half = n >= 2 ? (1ull << (n / 2)) - 1 : 1;
    r.ok = stage2_table_pages(mem_bytes, 0, l2, scratch, r.uncolored) &&
           stage2_table_pages(mem_bytes, half, l2, scratch, r.colored);
    return r;
}

} // namespace hv::inline HV_ARCH_NS
