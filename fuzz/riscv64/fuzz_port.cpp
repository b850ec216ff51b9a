#include "fuzz/riscv64/fuzz_port.h"

namespace hvfuzz::rv {

namespace plic = hv::riscv64::plic;

bool FuzzRvPort::context_reg(std::uint64_t pa, std::uint32_t& context, std::uint32_t& off) const {
    if (pa < plic + plic::kContext || pa >= plic + plic::kSize) {
        return false;
    }
    const std::uint64_t rel = pa - plic - plic::kContext;
    context = static_cast<std::uint32_t>(rel / plic::kContextStride);
    off = static_cast<std::uint32_t>(rel % plic::kContextStride);
    return true;
}

std::uint64_t FuzzRvPort::dev_read(std::uint64_t pa, std::uint32_t size) {
    std::uint32_t context = 0, off = 0;
    if (context_reg(pa, context, off) && off == plic::kClaim && context % 2 == 1 &&
        context / 2 < hv::kMaxCpus) {
        // A claim hands the source over once; the next one finds nothing.
        const std::uint32_t id = claim[context / 2];
        claim[context / 2] = 0;
        return id;
    }
    return FakeRvPort::dev_read(pa, size);
}

void FuzzRvPort::cpu_on(std::uint32_t cpu) {
    FakeRvPort::cpu_on(cpu);
    // As the simulator does: the started hart programs its hypervisor CSRs
    // for its vCPU before running it.
    const std::uint32_t saved = current_cpu;
    current_cpu = cpu;
    hv->cpu_init();
    current_cpu = saved;
}

} // namespace hvfuzz::rv
