#include "fuzz/mappings.h"

#include <algorithm>
#include <cstdio>

namespace hvfuzz {

namespace {

constexpr std::uint64_t kPage = 4096;

bool overlaps(std::uint64_t a, std::uint64_t a_end, std::uint64_t b, std::uint64_t b_end) {
    return a < b_end && b < a_end;
}

std::int32_t ipc_window(const hv::VmConfig& cfg, std::uint64_t ipa, std::uint64_t& off) {
    for (const hv::IpcConfig& c : cfg.ipcs) {
        if (ipa >= c.base && ipa - c.base < c.size) {
            off = ipa - c.base;
            return static_cast<std::int32_t>(c.shmem_id);
        }
    }
    return -1;
}

// Inside the union of the RAM ranges: a run may cross from one range into an
// adjacent one (fuzzing found such a run; the memory is RAM).
bool in_ram(const hv::Config& cfg, std::uint64_t pa, std::uint64_t end) {
    while (pa < end) {
        const hv::MemRange* holder = nullptr;
        for (const hv::MemRange& r : cfg.platform.ram) {
            if (pa >= r.base && pa < r.base + r.size) {
                holder = &r;
            }
        }
        if (holder == nullptr) {
            return false;
        }
        pa = holder->base + holder->size;
    }
    return true;
}

bool touches_ram(const hv::Config& cfg, std::uint64_t pa, std::uint64_t end) {
    for (const hv::MemRange& r : cfg.platform.ram) {
        if (overlaps(pa, end, r.base, r.base + r.size)) {
            return true;
        }
    }
    return false;
}

// Properties 4 and 5 for one run.
std::string check_run(const hv::Config& cfg, const Run& r, const std::vector<std::uint64_t>& pages,
                      std::span<const Frame> frames) {
    const std::uint64_t end = r.pa + r.size;
    const std::string what = "vm " + std::to_string(r.vm) + " maps IPA " + hex(r.ipa) + " -> PA [" +
                             hex(r.pa) + ", " + hex(end) + ")" + (r.device ? " (device)" : "");
    const hv::MemRange& hyp = cfg.hyp.region;
    if (hyp.size != 0 && overlaps(r.pa, end, hyp.base, hyp.base + hyp.size)) {
        return what + ": hv's region";
    }
    const auto it = std::lower_bound(pages.begin(), pages.end(), r.pa / kPage);
    if (it != pages.end() && *it < (end + kPage - 1) / kPage) {
        return what + ": hv's page " + hex(*it * kPage) +
               " (page table, vCPU context or interrupt-controller state)";
    }
    if (!r.device && !in_ram(cfg, r.pa, end)) {
        return what + ": normal memory outside RAM";
    }
    if (r.device) {
        if (touches_ram(cfg, r.pa, end)) {
            return what + ": RAM as a device";
        }
        for (const Frame& f : frames) {
            if (f.size != 0 && overlaps(r.pa, end, f.base, f.base + f.size)) {
                return what + ": " + f.name + ", which hv owns";
            }
        }
    }
    return {};
}

} // namespace

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

void RunList::add(std::uint32_t vm, const hv::VmConfig& cfg, std::uint64_t ipa, std::uint64_t pa,
                  std::uint64_t size, bool device) {
    std::uint64_t off = 0;
    const std::int32_t sh = ipc_window(cfg, ipa, off);
    if (!runs_.empty()) {
        Run& r = runs_.back();
        if (r.vm == vm && r.ipa + r.size == ipa && r.pa + r.size == pa && r.device == device &&
            r.shmem == sh && (sh < 0 || r.shmem_off + r.size == off)) {
            r.size += size;
            return;
        }
    }
    runs_.push_back(Run{vm, ipa, pa, size, device, sh, off});
}

std::string check_runs(const hv::Config& cfg, std::vector<Run>& runs,
                       std::vector<std::uint64_t>& hv_pages, std::span<const Frame> frames) {
    std::sort(hv_pages.begin(), hv_pages.end());
    for (const Run& r : runs) {
        std::string broke = check_run(cfg, r, hv_pages, frames);
        if (!broke.empty()) {
            return broke;
        }
    }
    // Property 3: no page in two VMs but the same page of one shared memory.
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.pa < b.pa; });
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Run& a = runs[i];
        for (std::size_t j = i + 1; j < runs.size() && runs[j].pa < a.pa + a.size; ++j) {
            const Run& b = runs[j];
            if (a.vm == b.vm) {
                continue;
            }
            const std::uint64_t at = b.pa; // b.pa >= a.pa: the overlap starts there
            const bool shared =
                a.shmem >= 0 && a.shmem == b.shmem && a.shmem_off + (at - a.pa) == b.shmem_off;
            if (!shared) {
                return "PA " + hex(at) + " is mapped into vm " + std::to_string(a.vm) + " (IPA " +
                       hex(a.ipa + (at - a.pa)) + ") and vm " + std::to_string(b.vm) + " (IPA " +
                       hex(b.ipa) + ")" +
                       (a.shmem >= 0 || b.shmem >= 0 ? ", not as the same shared page" : "");
            }
        }
    }
    return {};
}

} // namespace hvfuzz
