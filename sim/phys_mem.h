// Physical memory of the simulated machine: the platform's RAM as one host
// buffer, with a page-granular PA-to-host table (docs/design.md#physical-memory) so that pages
// given to a colored VM can later be redirected into that VM's own buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim {

class Archive;

inline constexpr uint64_t page_size = 4096;

// For each page-aligned host address (a RAM page's host memory): true when
// the process has certainly never touched that page, which then reads as
// zero: anonymous memory neither present nor swapped out
// (/proc/self/pagemap). Lets a caller skip such pages without reading them:
// a read faults each one in, several microseconds apiece on a virtualized
// host, and a colored VM's RAM is tens of thousands of pages. All false when
// the process cannot tell (no pagemap). Only for anonymous memory (RAM's
// buffers are): a file's page not yet read in is not zero.
std::vector<bool> never_touched(const std::vector<uint8_t*>& pages);

class PhysicalMemory {
  public:
    // RAM [base, base + size): zero-filled, lazily committed host memory.
    PhysicalMemory(uint64_t base, uint64_t size);
    ~PhysicalMemory();
    PhysicalMemory(const PhysicalMemory&) = delete;
    PhysicalMemory& operator=(const PhysicalMemory&) = delete;

    uint64_t base() const { return base_; }
    uint64_t size() const { return size_; }
    bool contains(uint64_t pa, uint64_t len) const {
        return pa >= base_ && len <= size_ && pa - base_ <= size_ - len;
    }

    // Host byte backing `pa`, or nullptr outside RAM. Valid to the end of its page.
    uint8_t* host(uint64_t pa) const;
    // Host memory backing [pa, pa+len) when it is contiguous on the host, else nullptr.
    uint8_t* host_range(uint64_t pa, uint64_t len) const;
    // Points the page holding `pa` at `host_page` (a page-aligned host page).
    void redirect_page(uint64_t pa, uint8_t* host_page);

    // Copies page by page; return false if any byte lies outside RAM.
    bool write(uint64_t pa, const void* src, uint64_t len);
    bool read(uint64_t pa, void* dst, uint64_t len) const;

    // Checkpoints (sim/checkpoint.h): every page that is not all zeros, by
    // index; restoring zeroes the others. Through the PA-to-host table, so a
    // colored VM's pages are saved from its own buffer.
    void checkpoint(Archive& a);

  private:
    uint64_t base_;
    uint64_t size_;
    uint8_t* buffer_;
    std::vector<uint8_t*> pages_; // host address of each RAM page
};

} // namespace sim
