// A host implementation of hv's port for tests and the fuzz target (fuzz/):
// physical memory is a sparse set of host pages (allocated on first touch,
// zero-filled), and every notification hv sends is recorded for inspection.
// The fuzz target derives from it to add a physical GIC.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hv/arch/armv8/port_armv8.h"

namespace hvtest {

inline constexpr std::uint64_t kMiB = 1ull << 20;

class FakePort : public hv::armv8::ArmPort {
  public:
    std::uint32_t current_cpu = 0;

    // Recorded effects.
    std::uint64_t bytes_read = 0;                                 // accounted
    std::vector<std::pair<std::uint64_t, std::uint64_t>> cleaned; // (pa, size) cleaned to PoC
    std::uint64_t bytes_written = 0;
    std::vector<std::pair<std::uint32_t, hv::Mark>> marks;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> samples;
    std::string console;
    std::vector<std::uint32_t> cpus_on;
    std::vector<std::uint32_t> cpus_stopped;
    int idles = 0;
    std::vector<std::uint32_t> vms_stopped;
    bool powered_off = false;
    std::map<std::pair<std::uint32_t, hv::armv8::SysReg>, std::uint64_t> sysregs;

    std::uint32_t cpu_id() override { return current_cpu; }

    void mem_read(std::uint64_t pa, void* dst, std::size_t len) override {
        auto* d = static_cast<std::uint8_t*>(dst);
        for_chunks(pa, len, [&](std::uint8_t* p, std::size_t off, std::size_t n) {
            std::memcpy(d + off, p, n);
        });
    }
    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override {
        const auto* s = static_cast<const std::uint8_t*>(src);
        for_chunks(pa, len, [&](std::uint8_t* p, std::size_t off, std::size_t n) {
            std::memcpy(p, s + off, n);
        });
    }
    void mem_copy(std::uint64_t dst, std::uint64_t src, std::size_t len) override {
        std::vector<std::uint8_t> tmp(len);
        mem_read(src, tmp.data(), len);
        mem_write(dst, tmp.data(), len);
    }
    void mem_zero(std::uint64_t pa, std::size_t len) override {
        for_chunks(pa, len,
                   [&](std::uint8_t* p, std::size_t, std::size_t n) { std::memset(p, 0, n); });
    }
    void account(std::uint64_t, std::size_t len, bool is_write) override {
        (is_write ? bytes_written : bytes_read) += len;
    }
    std::uint64_t dev_read(std::uint64_t, std::uint32_t) override { return 0; }
    void dev_write(std::uint64_t, std::uint32_t, std::uint64_t) override {}
    std::uint64_t sysreg_read(hv::armv8::SysReg r) override { return sysregs[{current_cpu, r}]; }
    void sysreg_write(hv::armv8::SysReg r, std::uint64_t v) override {
        sysregs[{current_cpu, r}] = v;
    }
    void tlb_flush_vm(std::uint16_t) override {}
    void tlb_flush_ipa(std::uint16_t, std::uint64_t) override {}
    void cache_clean_invalidate(std::uint64_t pa, std::uint64_t size) override {
        cleaned.emplace_back(pa, size);
    }
    void send_ipi(std::uint32_t, std::uint32_t) override {}
    void mark(std::uint32_t vm, hv::Mark m) override { marks.emplace_back(vm, m); }
    void sample(std::uint32_t vm, std::uint64_t value) override { samples.emplace_back(vm, value); }
    void console_putc(char c) override { console.push_back(c); }
    void cpu_on(std::uint32_t cpu) override { cpus_on.push_back(cpu); }
    void cpu_stop(std::uint32_t cpu) override { cpus_stopped.push_back(cpu); }
    void cpu_idle() override { ++idles; }
    void vm_stopped(std::uint32_t vm) override { vms_stopped.push_back(vm); }
    void power_off() override { powered_off = true; }
    // hv's events (docs/observability.md): recorded only for the kinds asked for.
    std::vector<hv::Event> events;
    void want(std::uint32_t kinds) { want_events(kinds); }
    void event(const hv::Event& e) override { events.push_back(e); }

    std::uint64_t read64(std::uint64_t pa) {
        std::uint64_t v = 0;
        mem_read(pa, &v, sizeof v);
        return v;
    }
    std::size_t touched_pages() const { return pages_.size(); }

  private:
    using Page = std::array<std::uint8_t, 4096>;
    // Calls f(host bytes, offset into the caller's buffer, length) for each
    // page-contained piece of [pa, pa + len).
    template <typename F> void for_chunks(std::uint64_t pa, std::size_t len, F&& f) {
        std::size_t done = 0;
        while (done < len) {
            const std::uint64_t at = pa + done;
            const std::size_t n = std::min<std::size_t>(len - done, 4096 - (at & 0xfff));
            f(byte(at), done, n);
            done += n;
        }
    }
    std::uint8_t* byte(std::uint64_t pa) {
        auto& p = pages_[pa >> 12];
        if (!p) {
            p = std::make_unique<Page>();
            p->fill(0);
        }
        return p->data() + (pa & 0xfff);
    }
    std::unordered_map<std::uint64_t, std::unique_ptr<Page>> pages_;
};

// An independent stage-2 walker, written from the Arm ARM's descriptor format
// rather than from hv's code, to check what hv's builder wrote.
struct RefWalk {
    bool valid = false;
    std::uint64_t pa = 0;
    std::uint64_t size = 0;
    bool r = false, w = false, x = false;
    unsigned memattr = 0;
};

inline RefWalk ref_walk(FakePort& mem, std::uint64_t root, std::uint64_t ipa) {
    RefWalk out;
    // 40-bit IPA, start at level 1 over two concatenated tables: IPA[39:30]
    // indexes 1024 entries; then IPA[29:21], IPA[20:12].
    const std::uint64_t l1 = mem.read64(root + ((ipa >> 30) & 0x3ff) * 8);
    auto leaf = [&](std::uint64_t d, std::uint64_t size) {
        out.valid = true;
        out.size = size;
        const std::uint64_t oa = d & 0x0000fffffffff000ull;
        out.pa = (oa & ~(size - 1)) + (ipa % size);
        out.memattr = static_cast<unsigned>((d >> 2) & 0xf);
        out.r = (d >> 6) & 1;
        out.w = (d >> 7) & 1;
        out.x = !((d >> 54) & 1);
        if (!((d >> 10) & 1)) { // access flag clear: would fault
            out.valid = false;
        }
        return out;
    };
    if ((l1 & 3) == 1) {
        return leaf(l1, 1ull << 30);
    }
    if ((l1 & 3) != 3) {
        return out;
    }
    const std::uint64_t l2 = mem.read64((l1 & 0x0000fffffffff000ull) + ((ipa >> 21) & 0x1ff) * 8);
    if ((l2 & 3) == 1) {
        return leaf(l2, 1ull << 21);
    }
    if ((l2 & 3) != 3) {
        return out;
    }
    const std::uint64_t l3 = mem.read64((l2 & 0x0000fffffffff000ull) + ((ipa >> 12) & 0x1ff) * 8);
    if ((l3 & 3) != 3) {
        return out;
    }
    return leaf(l3, 1ull << 12);
}

// Every valid leaf of the stage-2 tables rooted at `root`, in IPA order, from
// the same descriptor format as ref_walk: f(ipa, pa, size, memattr). Table
// pages met on the way (the root's two included) go to table(pa).
template <typename Leaf, typename Table>
void ref_for_each_mapping(FakePort& mem, std::uint64_t root, Leaf&& f, Table&& table) {
    constexpr std::uint64_t kOa = 0x0000fffffffff000ull;
    auto visit = [&](auto& self, std::uint64_t table_pa, unsigned entries, unsigned level,
                     std::uint64_t ipa_base) -> void {
        std::vector<std::uint64_t> d(entries);
        mem.mem_read(table_pa, d.data(), entries * 8);
        const std::uint64_t span = 1ull << (30 - 9 * (level - 1));
        for (unsigned i = 0; i < entries; ++i) {
            const std::uint64_t ipa = ipa_base + i * span;
            const std::uint64_t e = d[i];
            if ((e & 3) == 3 && level < 3) {
                table(e & kOa);
                self(self, e & kOa, 512, level + 1, ipa);
            } else if (((e & 3) == 1 && level < 3) || ((e & 3) == 3 && level == 3)) {
                if ((e >> 10) & 1) { // access flag set
                    f(ipa, (e & kOa) & ~(span - 1), span, static_cast<unsigned>((e >> 2) & 0xf));
                }
            }
        }
    };
    table(root);
    table(root + 4096);
    visit(visit, root, 1024, 1, 0);
}

} // namespace hvtest
