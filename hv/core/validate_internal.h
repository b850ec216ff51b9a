// The validator's parts (hv/core/validate.h), one file per concept:
//   validate.cpp        the entry, the platform (RAM, device frames, L2), hyp
//   validate_vm.cpp     each VM: CPUs, colors, regions, image, devices,
//                       interrupts, IPC windows, the marker page
//   validate_phys.cpp   shared memories and the physical claims that must
//                       not overlap (hyp.region, placed regions and shmems,
//                       image load areas)
// Internal to hv/core: nothing outside validate*.cpp includes it.
#pragma once

#include <span>

#include "hv/core/validate.h"
#include "hv/lib/bits.h"
#include "hv/lib/fmt.h"

namespace hv::validation {

// A physical range somebody claims (hv's region, a placed VM region, a placed
// shared memory, an image load area, a pass-through device): two claims must
// not overlap unless they are the same object.
struct PhysClaim {
    enum Kind : std::uint8_t { Hyp, Region, Shmem, Image } kind;
    std::uint32_t vm;
    std::uint32_t index;
    std::uint64_t base;
    std::uint64_t size;
};

inline constexpr std::size_t kMaxClaims = 1 + kMaxShmems + kMaxVms * (kMaxRegions + 1);

class Validator {
  public:
    explicit Validator(const Config& cfg) : cfg_(cfg) {}

    Error run();

  private:
    // The platform's device frames, at fixed physical addresses.
    struct Frame {
        const char* name;
        std::uint64_t base;
        std::uint64_t size;
    };
    static constexpr std::uint32_t kNumFrames = 5;

    Fmt fail_cfg() { return fail(err_, ErrorCode::Config); }
    // "vms[0] ("bench")": how other VMs are named in messages.
    void vm_label(Fmt& f, std::uint32_t vm) {
        f << "vms[" << vm << "] (\"" << cfg_.vms[vm].name << "\")";
    }
    // A list longer than hv accepts: "vms[0].devs: 17 entries, at most 16".
    bool count_ok(const char* field, std::uint32_t i, const char* list, std::size_t n,
                  std::size_t max);

    // validate.cpp: the platform and hv's own region.
    bool aligned(const char* field_prefix, std::uint32_t i, const char* field, const char* what,
                 std::uint64_t v);
    bool inside_ram(std::uint64_t base, std::uint64_t size) const;
    Frame frame(std::uint32_t k) const;
    Frame frame_v3(std::uint32_t k) const;
    bool clear_of_ram_and_frames(const char* what, std::uint64_t base, std::uint64_t size,
                                 std::uint32_t n, std::uint32_t first = 0);
    bool platform_frames();
    bool colors_ok(std::uint64_t colors, const char* field);
    bool platform();
    bool hyp();
    // validate_vm.cpp: each VM.
    bool vms();
    bool vm(std::uint32_t i, std::uint8_t* cpu_owner, std::uint8_t* spi_owner);
    bool clear_of_emulated(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                           std::uint64_t size, bool console_dev = false);
    bool ipa_range(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                   std::uint64_t size, bool console_dev = false);
    bool ipa_clear(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                   std::uint64_t size);
    bool regions(std::uint32_t i);
    bool image(std::uint32_t i);
    bool interrupts(std::uint32_t i, const char* what, std::uint32_t j,
                    std::span<const std::uint32_t> list, std::uint8_t* spi_owner,
                    bool console_dev = false);
    bool devs(std::uint32_t i, std::uint8_t* spi_owner);
    bool dev_covers_console(const DevConfig& d) const;
    bool console_in_place(std::uint32_t i, std::uint32_t j);
    bool dev_pa_unique(std::uint32_t i, std::uint32_t j);
    bool ipcs(std::uint32_t i);
    bool marker(std::uint32_t i);
    // validate_phys.cpp: shared memories and physical claims.
    void claim(PhysClaim::Kind kind, std::uint32_t vm, std::uint32_t index, std::uint64_t base,
               std::uint64_t size);
    void claim_name(Fmt& f, const PhysClaim& c, bool with_vm_name);
    bool shmems();
    bool phys_claims();

    const Config& cfg_;
    Error err_;
    PhysClaim claims_[kMaxClaims]{};
    std::size_t num_claims_ = 0;
};

} // namespace hv::validation
