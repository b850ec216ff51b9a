#include "sim/cpu/unicorn_context.h"

#include "sim/checkpoint.h"
#include "sim/cpu/unicorn_util.h"

#include <cstdint>
#include <string>

namespace sim::cpu {

namespace {

// Unicorn 2.0.1's struct uc_context (uc_priv.h): a header before the bytes.
struct ContextHeader {
    size_t context_size;
    uc_mode mode;
    uc_arch arch;
};

} // namespace

void checkpoint_cpu_context(uc_engine* uc, uc_arch arch, Archive& a) {
    uc_context* ctx = nullptr;
    uc::check(uc_context_alloc(uc, &ctx), "allocate a context");
    struct Free {
        uc_context* c;
        ~Free() { uc_context_free(c); }
    } free_it{ctx};
    uc::check(uc_context_save(uc, ctx), "save the CPU context");
    auto* header = reinterpret_cast<ContextHeader*>(ctx);
    if (header->arch != arch || header->context_size + sizeof(ContextHeader) != uc_context_size(uc))
        throw CheckpointError("this Unicorn's context layout is not 2.0.1's");
    uint8_t* data = reinterpret_cast<uint8_t*>(ctx) + sizeof(ContextHeader);
    uint64_t size = header->context_size;
    a.value(size);
    if (size != header->context_size)
        throw CheckpointError("CPU context of " + std::to_string(size) +
                              " bytes saved, this Unicorn's is " +
                              std::to_string(header->context_size));
    a.bytes(data, size);
    if (!a.is_saving())
        uc::check(uc_context_restore(uc, ctx), "restore the CPU context");
}

} // namespace sim::cpu
