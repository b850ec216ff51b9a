// Guest image loading: a raw binary placed at an address, or an AArch64 ELF
// whose PT_LOAD segments go to their physical (load) addresses (docs/design.md#guest-runtime).
#pragma once

#include "sim/platform.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

class PhysicalMemory;

struct ImageSegment {
    uint64_t addr = 0;          // physical / intermediate-physical load address
    std::vector<uint8_t> bytes; // file contents
    uint64_t mem_size = 0;      // >= bytes.size(); the rest is zero-filled
};

struct GuestImage {
    std::string path;
    bool is_elf = false;
    uint64_t entry = 0;
    uint64_t entry_context = 0; // x0 at entry (a Linux VM's DTB address)
    std::vector<ImageSegment> segments;
    uint64_t file_size = 0;
    uint64_t hash = 0; // FNV-1a 64 of the file, for run metadata

    uint64_t lowest() const;  // lowest load address
    uint64_t highest() const; // one past the highest loaded byte
    uint64_t footprint() const { return highest() - lowest(); }
};

// Largest image file bao-sim accepts (the paper's largest guest is ~39 MiB).
inline constexpr uint64_t max_image_file_size = 1ull << 30;

// Reads `path`. An ELF (by its magic) must be ELF64 little-endian for `isa`
// (AArch64, or RV64 without compressed instructions) and its entry comes
// from the header; anything else is a raw binary loaded at `raw_addr` with
// entry = raw_addr. Throws InputError naming the problem (an ELF for the
// other architecture is named as such).
GuestImage read_guest_image(const std::string& path, uint64_t raw_addr, Isa isa = Isa::aarch64);

// Splits "FILE[@ADDR]" (ADDR decimal or 0x-hex). Throws InputError.
std::pair<std::string, std::optional<uint64_t>> parse_image_spec(const std::string& spec);

// Parses a number: decimal or 0x hex, optional K/M/G suffix (binary); no
// sign, no leading zero, nothing beyond 64 bits (sim/number.h). Throws
// InputError naming `what`.
uint64_t parse_size(const std::string& text, const std::string& what);
// The same, within [lo, hi]: "WHAT: N is out of range (LO-HI)".
uint64_t parse_size_in(const std::string& text, const std::string& what, uint64_t lo, uint64_t hi);
uint64_t check_range(uint64_t value, const std::string& what, uint64_t lo, uint64_t hi);

// Writes the image into physical memory; it must lie inside RAM. Throws InputError.
void place_image(const GuestImage& image, PhysicalMemory& memory);

uint64_t fnv1a64(const void* data, size_t len, uint64_t seed = 0xcbf29ce484222325ull);

} // namespace sim
