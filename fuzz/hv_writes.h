// What the fuzz ports remember of physical memory for the oracles: the
// pages hv wrote itself (descriptor writes and table zeroing: its page
// tables, which no VM may map), and a generation that changes with any
// write, so the oracles walk the tables again only when memory changed.
// Boot's recoloring copy writes into VMs' pages: a copy changes memory but
// its pages are not hv's. RecordsHvWrites<Port> adds the record to a test
// port (the fakes copy through their own mem_write).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hvfuzz {

class HvWrites {
  public:
    std::vector<std::uint64_t> pages; // page numbers (PA >> 12) hv wrote
    std::uint64_t generation = 0;

    // A write or zeroing of [pa, pa + len) by hv (ignored inside a copy).
    void note(std::uint64_t pa, std::size_t len) {
        ++generation;
        if (in_copy_) {
            return;
        }
        for (std::uint64_t p = pa >> 12; p <= (pa + len - 1) >> 12; ++p) {
            if (pages.empty() || pages.back() != p) {
                pages.push_back(p);
            }
        }
    }
    // Runs `copy` (which may write through the same port) as one copy.
    template <typename Copy> void copy(Copy&& do_copy) {
        ++generation;
        in_copy_ = true;
        do_copy();
        in_copy_ = false;
    }

  private:
    bool in_copy_ = false;
};

template <typename Port> class RecordsHvWrites : public Port {
  public:
    HvWrites hv_writes;

    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override {
        hv_writes.note(pa, len);
        Port::mem_write(pa, src, len);
    }
    void mem_zero(std::uint64_t pa, std::size_t len) override {
        hv_writes.note(pa, len);
        Port::mem_zero(pa, len);
    }
    void mem_copy(std::uint64_t dst, std::uint64_t src, std::size_t len) override {
        hv_writes.copy([&] { Port::mem_copy(dst, src, len); });
    }
};

} // namespace hvfuzz
