#include "sim/phys_mem.h"

#include "sim/checkpoint.h"

#include <cstring>
#include <fcntl.h>
#include <new>
#include <stdexcept>
#include <sys/mman.h>
#include <unistd.h>

namespace sim {

std::vector<bool> never_touched(const std::vector<uint8_t*>& pages) {
    std::vector<bool> fresh(pages.size(), false);
    const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fresh;
    const long host_page = sysconf(_SC_PAGESIZE);
    // One 64-bit entry per host page: bit 63 present, bit 62 swapped out.
    // Read a window of entries at a time; pages come mostly in address order.
    std::vector<uint64_t> entries(4096);
    uint64_t first = 0, count = 0; // the window: host page numbers [first, first + count)
    for (size_t i = 0; i < pages.size(); ++i) {
        const uint64_t n = reinterpret_cast<uintptr_t>(pages[i]) / static_cast<uint64_t>(host_page);
        if (n < first || n - first >= count) {
            const ssize_t got = pread(fd, entries.data(), entries.size() * sizeof(uint64_t),
                                      static_cast<off_t>(n * sizeof(uint64_t)));
            first = n;
            count = got > 0 ? static_cast<uint64_t>(got) / sizeof(uint64_t) : 0;
            if (count == 0)
                continue; // cannot tell: read the page
        }
        fresh[i] = (entries[n - first] >> 62) == 0;
    }
    close(fd);
    return fresh;
}

PhysicalMemory::PhysicalMemory(uint64_t base, uint64_t size) : base_(base), size_(size) {
    if (size == 0 || base % page_size != 0 || size % page_size != 0)
        throw std::invalid_argument("RAM base and size must be non-zero multiples of 4 KiB");
    // mmap so that untouched RAM costs no host memory.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    buffer_ = static_cast<uint8_t*>(p);
    pages_.resize(size / page_size);
    for (size_t i = 0; i < pages_.size(); ++i)
        pages_[i] = buffer_ + i * page_size;
}

PhysicalMemory::~PhysicalMemory() {
    munmap(buffer_, size_);
}

uint8_t* PhysicalMemory::host(uint64_t pa) const {
    if (!contains(pa, 1))
        return nullptr;
    uint64_t off = pa - base_;
    return pages_[off / page_size] + off % page_size;
}

uint8_t* PhysicalMemory::host_range(uint64_t pa, uint64_t len) const {
    if (!contains(pa, len))
        return nullptr;
    uint8_t* first = host(pa);
    for (uint64_t p = (pa & ~(page_size - 1)) + page_size; p < pa + len; p += page_size)
        if (host(p) != first + (p - pa))
            return nullptr;
    return first;
}

void PhysicalMemory::redirect_page(uint64_t pa, uint8_t* host_page) {
    if (!contains(pa, 1))
        throw std::out_of_range("redirect_page outside RAM");
    pages_[(pa - base_) / page_size] = host_page;
}

bool PhysicalMemory::write(uint64_t pa, const void* src, uint64_t len) {
    if (!contains(pa, len))
        return false;
    auto* s = static_cast<const uint8_t*>(src);
    while (len > 0) {
        uint64_t chunk = std::min(len, page_size - pa % page_size);
        std::memcpy(host(pa), s, chunk);
        pa += chunk, s += chunk, len -= chunk;
    }
    return true;
}

bool PhysicalMemory::read(uint64_t pa, void* dst, uint64_t len) const {
    if (!contains(pa, len))
        return false;
    auto* d = static_cast<uint8_t*>(dst);
    while (len > 0) {
        uint64_t chunk = std::min(len, page_size - pa % page_size);
        std::memcpy(d, host(pa), chunk);
        pa += chunk, d += chunk, len -= chunk;
    }
    return true;
}

void PhysicalMemory::checkpoint(Archive& a) {
    static const uint8_t zero_page[page_size] = {};
    constexpr uint64_t end_of_pages = ~uint64_t{0};
    a.tag("memory");
    uint64_t pages = pages_.size();
    a.value(pages);
    if (pages != pages_.size())
        throw CheckpointError("RAM of " + std::to_string(pages) +
                              " pages saved, this machine has " + std::to_string(pages_.size()));
    // Pages never touched are zero: not read, so not faulted in (never_touched).
    const std::vector<bool> fresh = never_touched(pages_);
    if (a.is_saving()) {
        for (uint64_t i = 0; i < pages_.size(); ++i) {
            if (fresh[i] || std::memcmp(pages_[i], zero_page, page_size) == 0)
                continue;
            a.value(i);
            a.bytes(pages_[i], page_size);
        }
        uint64_t end = end_of_pages;
        a.value(end);
        return;
    }
    uint64_t next = 0; // pages below it are restored
    auto zero_until = [&](uint64_t limit) {
        for (; next < limit; ++next)
            if (!fresh[next] && std::memcmp(pages_[next], zero_page, page_size) != 0)
                std::memset(pages_[next], 0, page_size);
    };
    for (;;) {
        uint64_t i = 0;
        a.value(i);
        if (i == end_of_pages)
            break;
        if (i < next || i >= pages_.size())
            throw CheckpointError("corrupt: RAM page " + std::to_string(i) + " out of order");
        zero_until(i);
        a.bytes(pages_[i], page_size);
        next = i + 1;
    }
    zero_until(pages_.size());
}

} // namespace sim
