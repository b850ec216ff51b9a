// The platform-level interrupt controller of QEMU's riscv virt board
// (SiFive PLIC layout, RISC-V PLIC spec 1.0): per-source priorities, the
// pending bits, per-context enables, priority thresholds and claim/complete.
// Context 2h is hart h's M-mode, 2h + 1 its S-mode. Sources are
// level-sensitive: pending follows the line while the source is not claimed,
// and a completed source whose line is still high is pending again. A pure
// register model (accesses are 32-bit); riscv_intc.* wires it to the harts.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace sim {

class Archive;

class Plic {
  public:
    static constexpr unsigned kSources = 96; // source 0 is "no interrupt"
    static constexpr uint32_t kMaxPriority = 7;
    static constexpr uint64_t kSize = 0x600000;
    // Register offsets.
    static constexpr uint64_t kPriority = 0x0, kPending = 0x1000, kEnable = 0x2000,
                              kEnableStride = 0x80, kContext = 0x200000, kContextStride = 0x1000;

    // Called with a context whose interrupt output changed, and its new level.
    using Listener = std::function<void(unsigned context, bool level)>;

    explicit Plic(unsigned contexts);
    void set_listener(Listener listener) { listener_ = std::move(listener); }

    void set_level(unsigned source, bool level);
    uint32_t read(uint64_t offset);
    void write(uint64_t offset, uint32_t value);
    // The context's output: a pending, enabled source above its threshold.
    bool output(unsigned context) const { return outputs_.at(context); }
    unsigned contexts() const { return static_cast<unsigned>(threshold_.size()); }
    bool pending(unsigned source) const { return pending_.at(source); }
    // Checkpoints (sim/checkpoint.h): every register and line, not the listener.
    void checkpoint(Archive& a);

  private:
    static constexpr unsigned kWords = kSources / 32;
    bool enabled(unsigned context, unsigned source) const;
    unsigned best(unsigned context) const; // the source a claim would return, or 0
    unsigned claim(unsigned context);
    void complete(unsigned context, uint32_t source);
    void update();

    std::vector<uint32_t> priority_;
    std::vector<bool> pending_, claimed_, level_;
    std::vector<uint32_t> enable_; // contexts x kWords
    std::vector<uint32_t> threshold_;
    std::vector<bool> outputs_;
    Listener listener_;
};

} // namespace sim
