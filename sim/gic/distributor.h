// GICv2 distributor (GICD): per-interrupt enable, pending, active, group,
// priority, target and trigger state, with SGIs and PPIs banked per core.
// It knows nothing of Unicorn or hv: it is fed 32-bit (or byte) register
// accesses tagged with the accessing core, and interrupt line levels.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/gic_regs.h"

#include <array>
#include <cstdint>

namespace sim::gic {

struct DistributorConfig {
    unsigned num_cores = 4;
    unsigned num_interrupts = 288; // QEMU virt: 256 SPIs + 32 private (ITLinesNumber 8)
    unsigned priority_bits = 5;    // GIC-400: 32 priority levels
    // GICv3 with affinity routing (sim/gic/v3): SGI enables are programmable
    // (reset 0) and an SGI has one pending and one active state, not one per
    // sender (senders are recorded as source 0).
    bool affinity_routing = false;
};

// The highest-priority interrupt the distributor would forward to a core.
struct Candidate {
    bool valid = false;
    uint32_t intid = kSpuriousId;
    uint8_t priority = 0xFF;
    uint8_t source = 0; // source core of an SGI
    bool group1 = false;
};

class Distributor {
  public:
    // Out-of-range configuration values are clamped (see docs/gic.md).
    explicit Distributor(const DistributorConfig& config = {});

    const DistributorConfig& config() const { return config_; }

    // Register access. size is 1 or 4 bytes; byte access is allowed only where
    // GICv2 allows it (IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR).
    uint32_t read(unsigned core, uint32_t offset, unsigned size);
    void write(unsigned core, uint32_t offset, uint32_t value, unsigned size);

    // Interrupt inputs from devices. A level-sensitive interrupt is pending
    // while its line is high; an edge-triggered one latches a rising edge.
    void set_level(uint32_t intid, bool level);                    // SPI
    void set_ppi_level(unsigned core, uint32_t intid, bool level); // PPI of one core
    void raise(uint32_t intid);                                    // SPI edge pulse
    void raise_ppi(unsigned core, uint32_t intid);                 // PPI edge pulse

    // Used by the CPU interfaces.
    bool forwarding() const {
        return (ctlr_ & (gicd::kCtlrEnableGrp0 | gicd::kCtlrEnableGrp1)) != 0;
    }
    Candidate highest_pending(unsigned core) const;
    // Pending -> active (or pending+active for a level still high). Returns the
    // IAR value: the INTID, with the source core in bits [12:10] for an SGI.
    uint32_t acknowledge(unsigned core, const Candidate& candidate);
    // Active -> inactive; source selects which SGI sender's copy.
    void deactivate(unsigned core, uint32_t intid, unsigned source);
    // Makes SGI `sgi` pending on core `target` from sender `source` (GICD_SGIR,
    // or a GICv3 ICC_SGI1R_EL1 write).
    void pend_sgi(unsigned target, uint32_t sgi, unsigned source);
    // The cores an SPI is forwarded to, one bit each (GICD_ITARGETSR, or a
    // GICv3 GICD_IROUTER resolved to cores).
    void route(uint32_t intid, uint8_t cores);

    // Inspection for tests and stats; out-of-range arguments read as false/0.
    bool is_enabled(unsigned core, uint32_t intid) const;
    bool is_pending(unsigned core, uint32_t intid) const;
    bool is_active(unsigned core, uint32_t intid) const;
    uint8_t priority(unsigned core, uint32_t intid) const;
    uint8_t targets(uint32_t intid) const;
    bool line_level(unsigned core, uint32_t intid) const;

    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h): the registers' state; the
    // configuration is the machine's.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(ctlr_);
        a.value(banked_);
        a.value(enabled_);
        a.value(latch_);
        a.value(level_);
        a.value(active_);
        a.value(group_);
        a.value(edge_);
        a.value(priority_);
        a.value(targets_);
        a.value(target_mask_);
        a.value(diag_);
    }

  private:
    static constexpr unsigned kWords = 32;            // 32 x 32 bits covers INTIDs 0-1023
    static constexpr uint32_t kPpiBits = 0xFFFF'0000; // word 0's PPIs (INTIDs 16-31)

    // SGIs and PPIs of one core (word 0 of the bit registers).
    struct Banked {
        uint32_t enabled = 0xFFFF; // GIC-400: SGIs are always enabled
        uint32_t latch = 0;        // PPI pending latched by an edge or ISPENDR
        uint32_t level = 0;        // PPI input lines
        uint32_t active = 0;       // PPIs; SGIs use sgi_active
        uint32_t group = 0;
        uint32_t edge = 0xFFFF; // SGIs are edge-triggered, PPIs level (virt's timers)
        std::array<uint8_t, kNumPrivate> priority{};
        std::array<uint8_t, kNumSgis> sgi_pending{}; // bit per source core
        std::array<uint8_t, kNumSgis> sgi_active{};
    };

    bool valid_core(unsigned core) const { return core < config_.num_cores; }
    bool implemented(uint32_t intid) const {
        return intid < config_.num_interrupts && intid < kFirstSpecialId;
    }
    unsigned words() const { return config_.num_interrupts / 32; }

    uint32_t pending_word(unsigned core, unsigned word) const;
    uint32_t active_word(unsigned core, unsigned word) const;
    uint32_t forwardable_word(unsigned core, unsigned word) const;

    uint32_t read_bits(unsigned core, uint32_t base, unsigned word) const;
    void write_bits(unsigned core, uint32_t base, unsigned word, uint32_t value);
    uint8_t read_byte(unsigned core, uint32_t offset) const;
    void write_byte(unsigned core, uint32_t offset, uint8_t value);
    uint32_t read_config(unsigned core, unsigned word) const;
    void write_config(unsigned word, uint32_t value);
    void send_sgi(unsigned core, uint32_t value);
    // The sender an SGI made pending or active by a register write is taken to be.
    unsigned writer_source(unsigned core) const { return config_.affinity_routing ? 0 : core; }

    DistributorConfig config_;
    uint8_t priority_mask_;
    uint32_t ctlr_ = 0;
    std::array<Banked, kMaxCores> banked_{};
    // SPI state; word 0 is unused (banked above).
    std::array<uint32_t, kWords> enabled_{};
    std::array<uint32_t, kWords> latch_{};
    std::array<uint32_t, kWords> level_{};
    std::array<uint32_t, kWords> active_{};
    std::array<uint32_t, kWords> group_{};
    std::array<uint32_t, kWords> edge_{};
    std::array<uint8_t, kWords * 32> priority_{};
    std::array<uint8_t, kWords * 32> targets_{};
    // targets_ as per-core bit masks, so finding a core's candidates is a few word ANDs.
    std::array<std::array<uint32_t, kWords>, kMaxCores> target_mask_{};
    Diagnostics diag_;
};

} // namespace sim::gic
