// What hosting hv in the simulator needs whatever the architecture: the
// images and hv's text pages laid out, guest memory handed to the cores,
// hv's trap costs, its memory accesses through the cache model, marks,
// samples and parameters, and the end of the run. HvHost (Armv8-A) and the
// RISC-V host (hv_host_riscv64.*) add their port, trap records and
// interrupt lines; Simulation reads the reports through this class alone.
#pragma once

#include "hv/core/config.h"
#include "hv/core/config_storage.h"
#include "hv/core/error.h"
#include "hv/port.h"
#include "sim/config.h"
#include "sim/hv_code.h"
#include "sim/irq_breakdown.h"
#include "sim/loader.h"
#include "sim/machine.h"

#include <array>
#include <bit>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sim {

class Archive;

struct HvMark {
    uint32_t vm;
    bool end;
    uint64_t cycle;
};

// One VM as the stats file reports it (docs/stats.md, "vms").
struct HvVmReport {
    std::string name;
    uint64_t cpus = 0, colors = 0;
    std::string exit_reason, exit_kind;
    uint64_t stage2_table_pages = 0, recolor_bytes = 0;
    uint64_t irqs_injected = 0, distributor_traps = 0, distributor_ignored = 0;
};

class HvHostBase : public Supervisor {
  public:
    HvHostBase(Machine& machine, const RunConfig& config)
        : machine_(machine), config_(config), hv_config_(config.hv) {}
    ~HvHostBase() override;

    // Cycles from hv's first instruction to the first guest instruction
    // (initialisation, stage-2 tables, recoloring), as charged on CPU 0.
    uint64_t boot_cycles() const { return boot_cycles_; }
    const std::vector<HvMark>& marks() const { return marks_; }
    // Values reported by guests' sample hypercall, with the reporting VM.
    const std::vector<std::pair<uint32_t, uint64_t>>& samples() const { return samples_; }
    // A VM stopped for a reason other than powering off.
    bool any_vm_faulted() const;
    // hv's entries on a core so far: synchronous traps (calls, aborts,
    // trapped instructions, WFI) and physical IRQs (interval statistics).
    uint64_t sync_traps(unsigned core) const { return sync_traps_.at(core); }
    uint64_t irq_entries(unsigned core) const { return irq_entries_.at(core); }
    // Of the cycles hv charged on a core, those its own memory accesses
    // stalled (code fetches, own data, accounted accesses): interval
    // statistics separate them from the guest's memory stalls.
    uint64_t memory_cycles(unsigned core) const { return memory_cycles_.at(core); }
    virtual std::vector<HvVmReport> vm_reports() const = 0;
    // The cores VM `vm` runs on.
    // Checkpoints (sim/checkpoint.h): a host that supports them saves and
    // restores hv's state and its own; this one refuses by name.
    virtual void checkpoint(Archive& a);
    // Characters arriving on VM `vm`'s console line (--console-input): into
    // its virtual UART's receive FIFO as far as it has room, its interrupt
    // raised, as hv would forward what its own UART received. Returns how
    // many were taken. This one refuses by name (no virtual PL011).
    virtual uint32_t console_input(uint32_t vm, const uint8_t* bytes, uint32_t n);
    // One VM as the progress line and the trace see it. (hv::Hypervisor is
    // a different type per architecture, docs/design.md#architectures: the
    // base says what it needs in plain types.)
    struct VmView {
        std::string name;
        uint64_t cpus = 0;
        bool stopped = false;
        std::string exit_kind; // hv::to_string(ExitKind)
    };
    uint32_t num_vms() const { return vm_count(); }
    // --irq-breakdown: every physical IRQ on the measured VM's first core,
    // phase by phase (sim/irq_breakdown.h); changes no figure.
    void record_irq_breakdown();
    const IrqBreakdownLog& irq_breakdown() const { return irq_breakdown_; }
    // Where hv's own data lies (hv.*_data_bytes; empty when both are 0).
    const std::vector<uint64_t>& data_pages() const { return data_pages_; }
    virtual VmView vm_view(uint32_t vm) const = 0;
    virtual uint64_t vm_cpus(uint32_t vm) const = 0;

  protected:
    // What the end of the run needs of one VM.
    struct VmEnd {
        bool measured = false, stopped = false, faulted = false;
        std::string reason;
    };
    virtual uint32_t vm_count() const = 0;
    virtual VmEnd vm_end(uint32_t vm) const = 0;

    // The images' load addresses, sizes and entries into hv_config_, checked
    // against the config's load_addr.
    void fill_images(const std::vector<GuestImage>& images);
    // hv's text: the first pages of its region (of its colors, when colored).
    void lay_out_code();
    // Writes each image at the PA hv staged it.
    void stage_image(const GuestImage& img, uint64_t staging_pa);
    // hv's initialisation ran on the current CPU while the others waited
    // (Bao's boot barrier): every core starts when it is done.
    void finish_boot();
    // Host memory for a guest-physical range whose pages hv backs with `pas`:
    // RAM itself when they are contiguous, else one buffer the PA pages are
    // redirected into (colored memory), so the core needs one mapping.
    uint8_t* host_for_pages(const std::vector<uint64_t>& pas, uint64_t size);
    struct DevMapping {
        uint64_t ipa, size;
        MmioDevice* device;
    };
    // A VM's pass-through devices as its cores map them.
    std::vector<DevMapping> dev_mappings(const hv::VmConfig& cfg) const;
    // The core joins its VM's address space and memory path (the stage-2
    // walker `walker`, for the TLB model).
    void attach_vm_core(unsigned core, std::shared_ptr<cpu::AddressSpace>& space,
                        const cache::WalkerRef* walker, uint64_t vm_cpus);

    // A VM's memory as its cores map it, in plain types (hv::Vm is a
    // different type per architecture), and the words the architecture
    // uses for its second stage and the addresses it translates.
    struct VmMemory {
        uint64_t cpus = 0;
        const hv::VmConfig* cfg = nullptr; // RAM regions, IPC ranges, pass-through devices
        struct Range {
            uint64_t base, size;
        };
        std::vector<Range> emulated; // hv emulates them: every access traps
        const char* stage = "stage 2";
        const char* address = "IPA";
    };
    // VM `v`'s cores map its RAM and IPC memory where its second stage puts
    // them, its pass-through devices, the ranges hv emulates (trapping) and
    // map_core_extras; each core's TLB model walks the VM's second stage.
    void map_vm(uint32_t v, const VmMemory& vm);
    // hv's walk of VM `vm`'s second stage (Armv8-A's stage 2, RISC-V's
    // G-stage) at `addr`: the descriptors it read, then the page or a fault.
    virtual void walk_second_stage(uint32_t vm, uint64_t addr, cache::WalkResult& out) = 0;
    // What a VM's core maps besides its memory, after it (nothing by default).
    virtual void map_core_extras(unsigned /*core*/) {}
    // hv's walk (hv::armv8::S2Walk, hv::riscv64::GWalk: the same fields) as
    // the TLB model reads it.
    template <typename Walk> static void report_walk(const Walk& walk, cache::WalkResult& out) {
        for (unsigned k = 0; k < walk.num_desc; ++k)
            out.add_read(walk.desc_pa[k], k + 1 < walk.num_desc, true);
        if (!walk.valid) {
            out.fault = true;
            return;
        }
        out.pa = walk.pa;
        out.page_shift = static_cast<unsigned>(std::countr_zero(walk.block_size));
    }

    enum class Path { sync, irq };
    // A trap's cost: the exception, hv's instructions on the path, and its
    // code fetched from hv's own pages (docs/timing-model.md).
    void charge_trap(unsigned core, Path path);
    void fetch_code(unsigned core, const CodeRun& run);
    void load_own_data(unsigned core, uint64_t bytes);
    // A snapshot for --irq-breakdown (nothing when it is off).
    void note_irq(unsigned core, IrqPhase phase);
    // Charges a stall of hv's own memory access on `core` (memory_cycles()).
    void charge_memory(unsigned core, uint64_t cycles);

    // hv::Port's architecture-neutral entries, for the derived ports.
    void ram_read(uint64_t pa, void* dst, size_t len);
    void ram_write(uint64_t pa, const void* src, size_t len);
    void ram_copy(uint64_t dst_pa, uint64_t src_pa, size_t len);
    void ram_zero(uint64_t pa, size_t len);
    void account_access(uint64_t pa, size_t len, bool is_write);
    void record_mark(uint32_t vm, hv::Mark which);
    void record_sample(uint32_t vm, uint64_t value) { samples_.push_back({vm, value}); }
    bool guest_param(uint32_t vm, uint64_t index, uint64_t& value) const;
    // Cycles after boot's end at which `core`'s VM starts (model.vm_start_stagger_cycles).
    uint64_t start_delay_of_core(unsigned core) const;
    void putc(char c);
    // The run ends when every measured VM has stopped (docs/design.md#end-of-run).
    void check_end();

    Machine& machine_;
    const RunConfig& config_;
    // The configuration hv runs (the run's, with each image's size and entry
    // filled in): hv's Config (hv_config_.view()) points into it, so it
    // outlives the derived hosts' hypervisor.
    hv::ConfigStorage hv_config_;
    std::vector<std::byte> hv_state_; // hv's run-time state (Hypervisor::state_bytes)
    // hv.init on hv_config_ with run-time state sized by it (docs/real-image.md).
    // A template: each architecture's host has its own hv::Hypervisor type.
    template <typename Hypervisor> hv::Error init_hv(Hypervisor& hv) {
        const hv::Config view = hv_config_.view();
        hv_state_.assign(Hypervisor::state_bytes(view), std::byte{0});
        return hv.init(view, hv_state_);
    }
    std::array<uint64_t, hv::kMaxCpus> sync_traps_{}, irq_entries_{};
    std::array<uint64_t, hv::kMaxCpus> memory_cycles_{}; // not checkpointed (a diagnostic)
    uint32_t current_cpu_ = 0;
    bool booting_ = true;
    uint64_t boot_cycles_ = 0;

    // The base's part of a checkpoint: marks, samples, boot figures, trap counts.
    void checkpoint_common(Archive& a);

  private:
    // Host memory for `size` bytes at `addr` of VM `vm`, which its second
    // stage must map to RAM.
    uint8_t* host_for_guest_range(uint32_t vm, const VmMemory& mem, uint64_t addr, uint64_t size);
    // Per-core walkers of the VM's second stage, for the TLB model.
    struct VmWalker {
        HvHostBase* host;
        uint32_t vm;
    };
    static void walk_vm(void* ctx, uint64_t addr, cache::AccessKind kind, cache::WalkResult& out);
    std::array<VmWalker, hv::kMaxCpus> walkers_{};
    std::array<std::optional<cache::WalkerRef>, hv::kMaxCpus> walker_refs_{};

    std::vector<std::unique_ptr<uint8_t[], void (*)(uint8_t*)>> buffers_;
    std::vector<HvMark> marks_;
    std::vector<uint64_t> code_pages_; // PAs of hv's text pages (in hv's colors when colored)
    HvCodeLayout code_;                // where each trap path's code lies in that text
    // hv's own data (hv.*_data_bytes): the pages after its text (in its
    // colors), one slot of data_slot_ bytes per CPU.
    std::vector<uint64_t> data_pages_;
    uint64_t data_slot_ = 0;
    std::vector<std::pair<uint32_t, uint64_t>> samples_;
    IrqBreakdownLog irq_breakdown_;
};

// One TLB invalidation broadcast to every core of the cluster and the
// barrier that waits for it (TLBI ...IS + DSB; HFENCE on RISC-V). An
// estimate (not calibrated): the A53 TRM gives no figure.
inline constexpr uint64_t kTlbiBroadcastCycles = 100;

} // namespace sim
