// The core-local interruptor of QEMU's riscv virt board (CLINT layout:
// ACLINT MSWI at +0x0, MTIMER's mtimecmp at +0x4000 and mtime at +0xbff8),
// plus what the native firmware keeps per hart for its S-mode guest: the
// supervisor timer's compare value (SBI set_timer, or Sstc's stimecmp),
// whose expiry is STIP. mtime counts at `timebase_hz` from the simulated
// clock (cycles at `core_hz`), never the host's. MSIP and mtimecmp are
// modeled as registers; the M-level interrupts they raise are the
// firmware's, which is the simulator itself, so no guest ever takes them.
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

class Archive;

class Aclint {
  public:
    static constexpr uint64_t kSize = 0x10000;
    static constexpr uint64_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8;
    static constexpr uint64_t kNever = UINT64_MAX;

    Aclint(unsigned harts, uint64_t core_hz, uint64_t timebase_hz);

    uint64_t mtime(uint64_t now_cycles) const;
    // The first cycle at which mtime >= `ticks`.
    uint64_t cycle_of(uint64_t ticks) const;

    uint64_t read(uint64_t offset, unsigned size, uint64_t now_cycles) const;
    void write(uint64_t offset, unsigned size, uint64_t value);

    void set_stimecmp(unsigned hart, uint64_t ticks) { stimecmp_.at(hart) = ticks; }
    uint64_t stimecmp(unsigned hart) const { return stimecmp_.at(hart); }
    // STIP: mtime has reached the supervisor compare value.
    bool stip(unsigned hart, uint64_t now_cycles) const {
        return mtime(now_cycles) >= stimecmp_.at(hart);
    }
    bool msip(unsigned hart) const { return msip_.at(hart); }
    bool mtip(unsigned hart, uint64_t now_cycles) const {
        return mtime(now_cycles) >= mtimecmp_.at(hart);
    }
    unsigned harts() const { return static_cast<unsigned>(msip_.size()); }
    // Checkpoints (sim/checkpoint.h): MSIP and the compare values.
    void checkpoint(Archive& a);

  private:
    uint64_t core_hz_, timebase_hz_;
    std::vector<bool> msip_;
    std::vector<uint64_t> mtimecmp_, stimecmp_;
};

} // namespace sim
