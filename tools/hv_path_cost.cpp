// hv-path-cost: the cycles hv's trap paths take on the A53 core model.
//
// usage: hv-path-cost STREAM   (tools/hv-paths/footprint.py writes it)
//
// STREAM lists one trap per kind ("sync", "irq"), one "kind pc word" line per
// instruction in the order the real image executed them (QEMU, single-
// stepped), a blank line between traps. The trap is cut into basic blocks
// where the next instruction is not at pc + 4 or after a branch, each block
// decoded into its A53 recipe (sim/cpu/a53_decode.h) and charged in order by
// one Pipeline, as the block hook charges a guest's blocks: the static issue
// cycles, the waits for earlier blocks' results and the mispredicts. Every
// access hits the L1 here; the cache model charges misses on top in the
// simulator. Printed per kind: instructions, cycles with a cold predictor,
// cycles the second time (a predictor that saw this path before), and the
// mispredicts of each. These are the measured values of model.hv.sync_cycles
// and model.hv.irq_cycles (docs/timing-model.md).
#include "sim/cpu/a53_decode.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Insn {
    uint64_t pc;
    uint32_t word;
};

struct Cost {
    uint64_t cycles = 0, mispredicts = 0, blocks = 0;
};

using sim::cpu::a53::BlockDecoder;
using sim::cpu::a53::BranchKind;
using sim::cpu::a53::Pipeline;

// Charges the trap once through `pipe`, block by block, from core cycle `now`.
Cost run(const std::vector<Insn>& trap, const BlockDecoder& dec, Pipeline& pipe, uint64_t& now) {
    Cost c;
    const uint64_t mispredicts_before = pipe.stats().mispredicts;
    size_t start = 0;
    for (size_t i = 0; i < trap.size(); ++i) {
        sim::cpu::a53::BlockBranch branch;
        dec.decode(trap[i].word, trap[i].pc, branch);
        const bool last = i + 1 == trap.size() || trap[i + 1].pc != trap[i].pc + 4 ||
                          branch.kind != BranchKind::none;
        if (!last)
            continue;
        std::vector<uint8_t> bytes((i + 1 - start) * 4);
        for (size_t k = start; k <= i; ++k)
            std::memcpy(bytes.data() + (k - start) * 4, &trap[k].word, 4);
        const auto recipe = dec.recipe(bytes.data(), bytes.size(), trap[start].pc);
        const uint64_t cost = pipe.charge(recipe, trap[start].pc, now);
        now += cost;
        c.cycles += cost;
        ++c.blocks;
        start = i + 1;
    }
    c.mispredicts = pipe.stats().mispredicts - mispredicts_before;
    return c;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: hv-path-cost STREAM   (written by tools/hv-paths/footprint.py)\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "hv-path-cost: cannot read " << argv[1] << "\n";
        return 2;
    }
    std::map<std::string, std::vector<Insn>> traps;
    std::string line;
    for (unsigned n = 1; std::getline(in, line); ++n) {
        if (line.empty())
            continue;
        std::istringstream s(line);
        std::string kind, pc, word;
        if (!(s >> kind >> pc >> word)) {
            std::cerr << "hv-path-cost: " << argv[1] << ":" << n << ": expected 'kind pc word'\n";
            return 2;
        }
        traps[kind].push_back(
            {std::stoull(pc, nullptr, 16), static_cast<uint32_t>(std::stoul(word, nullptr, 16))});
    }
    const BlockDecoder dec;
    for (const auto& [kind, trap] : traps) {
        Pipeline pipe;
        uint64_t now = 0;
        const Cost cold = run(trap, dec, pipe, now);
        const Cost warm = run(trap, dec, pipe, now);
        std::printf("%s: %zu instructions in %llu blocks; A53 cycles %llu cold (%llu mispredicts), "
                    "%llu warm (%llu mispredicts); IPC %.2f warm\n",
                    kind.c_str(), trap.size(), static_cast<unsigned long long>(cold.blocks),
                    static_cast<unsigned long long>(cold.cycles),
                    static_cast<unsigned long long>(cold.mispredicts),
                    static_cast<unsigned long long>(warm.cycles),
                    static_cast<unsigned long long>(warm.mispredicts),
                    static_cast<double>(trap.size()) / static_cast<double>(warm.cycles));
    }
    return 0;
}
