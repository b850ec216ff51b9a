// Unicorn's region lookup, cached per host thread (sim/cpu/unicorn_region_cache.c):
// every Unicorn call that changes an engine's regions must drop the cache, or
// an access would be checked against a region that was unmapped, replaced or
// split. Each case below fails (or reads freed memory) with a cache that
// survives the change. The accesses go through a memory hook, as the
// simulator's do: without one Unicorn's fast path never asks for the region.
#include <gtest/gtest.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {

constexpr uint64_t code_base = 0x1000, data_base = 0x10000, page = 0x1000;
constexpr uint32_t ldr_x1_x0 = 0xf9400001; // ldr x1, [x0]
constexpr uint32_t str_x1_x0 = 0xf9000001; // str x1, [x0]

struct Page {
    Page() : p(static_cast<uint64_t*>(std::aligned_alloc(page, page))) { std::memset(p, 0, page); }
    ~Page() { std::free(p); }
    Page(const Page&) = delete;
    Page& operator=(const Page&) = delete;
    uint64_t* p;
};

struct Engine {
    Engine() {
        EXPECT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
        EXPECT_EQ(uc_mem_map(uc, code_base, page, UC_PROT_ALL), UC_ERR_OK);
        const uint32_t code[] = {ldr_x1_x0, str_x1_x0};
        EXPECT_EQ(uc_mem_write(uc, code_base, code, sizeof code), UC_ERR_OK);
        uc_hook h;
        EXPECT_EQ(uc_hook_add(uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                              reinterpret_cast<void*>(&on_access), &accesses, 1, 0),
                  UC_ERR_OK);
    }
    ~Engine() {
        if (uc)
            uc_close(uc);
    }
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs one instruction (0: the load, 1: the store) on `address`.
    uc_err run(unsigned insn, uint64_t address, uint64_t value = 0) {
        uc_reg_write(uc, UC_ARM64_REG_X0, &address);
        uc_reg_write(uc, UC_ARM64_REG_X1, &value);
        const uint64_t at = code_base + 4 * insn;
        return uc_emu_start(uc, at, at + 4, 0, 0);
    }
    uint64_t x1() {
        uint64_t v = 0;
        uc_reg_read(uc, UC_ARM64_REG_X1, &v);
        return v;
    }
    static void on_access(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void* count) {
        ++*static_cast<unsigned*>(count);
    }

    uc_engine* uc = nullptr;
    unsigned accesses = 0;
};

TEST(RegionCache, AnAccessAfterARemapSeesTheNewRegion) {
    Engine e;
    Page a, b;
    a.p[0] = 111;
    b.p[0] = 222;
    ASSERT_EQ(uc_mem_map_ptr(e.uc, data_base, page, UC_PROT_ALL, a.p), UC_ERR_OK);
    ASSERT_EQ(e.run(0, data_base), UC_ERR_OK);
    EXPECT_EQ(e.x1(), 111u);
    ASSERT_EQ(uc_mem_unmap(e.uc, data_base, page), UC_ERR_OK);
    ASSERT_EQ(uc_mem_map_ptr(e.uc, data_base, page, UC_PROT_ALL, b.p), UC_ERR_OK);
    ASSERT_EQ(e.run(0, data_base), UC_ERR_OK);
    EXPECT_EQ(e.x1(), 222u);
    ASSERT_EQ(e.run(1, data_base + 8, 333), UC_ERR_OK);
    EXPECT_EQ(b.p[1], 333u) << "the store reached the new region";
    EXPECT_EQ(a.p[1], 0u);
    EXPECT_EQ(e.accesses, 3u);
}

TEST(RegionCache, AnAccessAfterAnUnmapIsUnmapped) {
    Engine e;
    ASSERT_EQ(uc_mem_map(e.uc, data_base, page, UC_PROT_ALL), UC_ERR_OK);
    ASSERT_EQ(e.run(0, data_base), UC_ERR_OK);
    ASSERT_EQ(uc_mem_unmap(e.uc, data_base, page), UC_ERR_OK);
    EXPECT_EQ(e.run(0, data_base), UC_ERR_READ_UNMAPPED);
    EXPECT_EQ(e.run(1, data_base), UC_ERR_WRITE_UNMAPPED);
}

// uc_mem_protect on part of a region splits it: the old region is freed.
TEST(RegionCache, AnAccessAfterProtectSeesTheNewPermissions) {
    Engine e;
    ASSERT_EQ(uc_mem_map(e.uc, data_base, 2 * page, UC_PROT_ALL), UC_ERR_OK);
    ASSERT_EQ(e.run(1, data_base + page, 5), UC_ERR_OK);
    ASSERT_EQ(e.run(0, data_base + page), UC_ERR_OK);
    ASSERT_EQ(uc_mem_protect(e.uc, data_base + page, page, UC_PROT_READ), UC_ERR_OK);
    EXPECT_EQ(e.run(1, data_base + page, 6), UC_ERR_WRITE_PROT);
    ASSERT_EQ(e.run(0, data_base + page), UC_ERR_OK);
    EXPECT_EQ(e.x1(), 5u);
    ASSERT_EQ(uc_mem_protect(e.uc, data_base + page, page, UC_PROT_NONE), UC_ERR_OK);
    EXPECT_EQ(e.run(0, data_base + page), UC_ERR_READ_PROT);
    ASSERT_EQ(e.run(1, data_base, 7), UC_ERR_OK) << "the other half keeps its permissions";
}

// Two engines with a region at the same address: each finds its own.
TEST(RegionCache, EnginesDoNotShareEntries) {
    Engine e1, e2;
    Page a, b;
    a.p[0] = 1;
    b.p[0] = 2;
    ASSERT_EQ(uc_mem_map_ptr(e1.uc, data_base, page, UC_PROT_ALL, a.p), UC_ERR_OK);
    ASSERT_EQ(uc_mem_map_ptr(e2.uc, data_base, page, UC_PROT_READ, b.p), UC_ERR_OK);
    for (int round = 0; round < 2; ++round) {
        ASSERT_EQ(e1.run(0, data_base), UC_ERR_OK);
        EXPECT_EQ(e1.x1(), 1u);
        ASSERT_EQ(e2.run(0, data_base), UC_ERR_OK);
        EXPECT_EQ(e2.x1(), 2u);
        EXPECT_EQ(e2.run(1, data_base, 9), UC_ERR_WRITE_PROT) << "e2's region is read-only";
        ASSERT_EQ(e1.run(1, data_base, 3), UC_ERR_OK) << "e1's is not";
        a.p[0] = 1;
    }
}

} // namespace
