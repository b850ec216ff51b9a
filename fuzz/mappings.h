// Oracle properties 3-5 (fuzz/oracle.h), whatever the architecture: a VM's
// second stage read back from memory as runs (IPA and PA contiguous, same
// memory type, same IPC window), checked against the platform, hv's own
// pages and the frames hv keeps for itself. Each architecture's oracle walks
// its own table format (Armv8-A stage 2, RISC-V's Sv39x4 G-stage) into a
// RunList and asks check_runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hv/core/config.h"

namespace hvfuzz {

struct Run {
    std::uint32_t vm;
    std::uint64_t ipa, pa, size;
    bool device;
    std::int32_t shmem;      // shmem id of the IPC window the IPA is in, or -1
    std::uint64_t shmem_off; // offset of `ipa` in that shared memory
};

// A physical window hv owns (the interrupt controller's frames, the console):
// no VM may map it, not even as a device.
struct Frame {
    std::uint64_t base, size;
    const char* name;
};

// Leaves in IPA order, one VM after another, merged into runs.
class RunList {
  public:
    void add(std::uint32_t vm, const hv::VmConfig& cfg, std::uint64_t ipa, std::uint64_t pa,
             std::uint64_t size, bool device);
    std::vector<Run>& runs() { return runs_; }

  private:
    std::vector<Run> runs_;
};

// "" if the runs keep properties 3-5, else what broke. `hv_pages` (page
// numbers: page tables, vCPU contexts, interrupt-controller state) is sorted
// here; frames with size 0 are absent.
std::string check_runs(const hv::Config& cfg, std::vector<Run>& runs,
                       std::vector<std::uint64_t>& hv_pages, std::span<const Frame> frames);

std::string hex(std::uint64_t v);

} // namespace hvfuzz
