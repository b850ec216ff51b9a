#include "sim/checkpoint.h"

#include "sim/interrupt_controller.h"
#include "sim/json.h"
#include "sim/loader.h"

#include <fstream>
#include <iterator>

namespace sim {
namespace {

constexpr char kMagic[8] = {'B', 'A', 'O', 'C', 'K', 'P', 'T', '\n'};

struct Header {
    char magic[8];
    uint32_t version;
    uint32_t reserved;
    uint64_t identity;
    uint64_t payload_bytes;
    uint64_t payload_hash; // FNV-1a 64 of the payload
};

} // namespace

void write_checkpoint_file(const std::string& path, uint64_t identity, const std::string& payload) {
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kCheckpointVersion;
    h.identity = identity;
    h.payload_bytes = payload.size();
    h.payload_hash = fnv1a64(payload.data(), payload.size());
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(&h), sizeof h);
    f.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    if (!f)
        throw InputError("--checkpoint-out: cannot write '" + path + "'");
}

std::string read_checkpoint_file(const std::string& path, uint64_t identity) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw CheckpointError("cannot read '" + path + "'");
    Header h{};
    f.read(reinterpret_cast<char*>(&h), sizeof h);
    if (f.gcount() != sizeof h || std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
        throw CheckpointError("'" + path + "' is not a bao-sim checkpoint");
    if (h.version != kCheckpointVersion)
        throw CheckpointError("'" + path + "' has format version " + std::to_string(h.version) +
                              "; this bao-sim reads version " + std::to_string(kCheckpointVersion));
    if (h.identity != identity)
        throw CheckpointError("'" + path +
                              "' was saved from another configuration, model parameters or "
                              "images (identity " +
                              hex16(h.identity) + ", this run " + hex16(identity) + ")");
    std::string payload((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (payload.size() != h.payload_bytes)
        throw CheckpointError("'" + path + "' is truncated (" + std::to_string(payload.size()) +
                              " of " + std::to_string(h.payload_bytes) + " bytes)");
    if (fnv1a64(payload.data(), payload.size()) != h.payload_hash)
        throw CheckpointError("'" + path + "' is corrupt (its checksum does not match)");
    return payload;
}

void InterruptController::checkpoint(Archive&) {
    throw CheckpointError(
        "this platform's interrupt controller has no checkpoints (the GICv2 and GICv3 have)");
}

} // namespace sim
