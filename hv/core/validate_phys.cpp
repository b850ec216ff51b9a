// Validation of shared memories and of physical placements
// (hv/core/validate_internal.h): everything placed at a fixed PA is recorded
// as a claim while the rest is checked, and claims must not overlap.
#include "hv/core/validate_internal.h"

namespace hv::validation {

void Validator::claim(PhysClaim::Kind kind, std::uint32_t vm, std::uint32_t index,
                      std::uint64_t base, std::uint64_t size) {
    if (num_claims_ < kMaxClaims) {
        claims_[num_claims_++] = PhysClaim{kind, vm, index, base, size};
    }
}

void Validator::claim_name(Fmt& f, const PhysClaim& c, bool with_vm_name) {
    switch (c.kind) {
    case PhysClaim::Hyp:
        f << "hyp.region";
        return;
    case PhysClaim::Shmem:
        f << "shmems[" << c.index << "]";
        return;
    case PhysClaim::Region:
        f << "vms[" << c.vm << "].regions[" << c.index << "]";
        break;
    case PhysClaim::Image:
        f << "vms[" << c.vm << "].image";
        break;
    }
    if (with_vm_name) {
        f << " (\"" << cfg_.vms[c.vm].name << "\")";
    }
}

bool Validator::shmems() {
    for (std::uint32_t i = 0; i < cfg_.shmems.size(); ++i) {
        const ShmemConfig& s = cfg_.shmems[i];
        if (!aligned("shmems", i, "", "size", s.size)) {
            return false;
        }
        if (s.size == 0) {
            fail_cfg() << "shmems[" << i << "]: size is 0";
            return false;
        }
        char field[32];
        Fmt(field, sizeof field) << "shmems[" << i << "].colors";
        if (!colors_ok(s.colors, field)) {
            return false;
        }
        if (s.place_phys) {
            if (!aligned("shmems", i, "", "phys", s.phys)) {
                return false;
            }
            if (!inside_ram(s.phys, s.size)) {
                fail_cfg() << "shmems[" << i << "]: phys [" << Hex{s.phys} << ", "
                           << Hex{s.phys + s.size} << ") is not inside one of platform.ram";
                return false;
            }
            claim(PhysClaim::Shmem, 0, i, s.phys, s.size);
        }
    }
    return true;
}

// Physical placements must be disjoint: two VMs (or a VM and hv) sharing
// memory outside a configured shmem would break isolation.
bool Validator::phys_claims() {
    for (std::size_t a = 0; a < num_claims_; ++a) {
        for (std::size_t b = 0; b < a; ++b) {
            const PhysClaim& x = claims_[a];
            const PhysClaim& y = claims_[b];
            if (!ranges_overlap(x.base, x.size, y.base, y.size)) {
                continue;
            }
            Fmt f = fail_cfg();
            claim_name(f, x, false);
            f << ": phys [" << Hex{x.base} << ", " << Hex{x.base + x.size} << ") overlaps ";
            claim_name(f, y, true);
            f << " [" << Hex{y.base} << ", " << Hex{y.base + y.size} << ")";
            return false;
        }
    }
    return true;
}

} // namespace hv::validation
