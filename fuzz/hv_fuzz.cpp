// libFuzzer entry over the host build of hv (docs/fuzzing.md). One input:
//   byte 0        bit 0 set: a configuration spelled by the following bytes
//                 (fuzzed_config); clear: fixed_config(byte 0 >> 1)
//   then          operations until the bytes run out, each an op byte
//                 (kind in bits 0-4, physical CPU in bits 5-7) and its
//                 arguments (ops.cpp)
// After init, after boot and after every operation the isolation oracle
// runs; a violation prints what broke and aborts, which libFuzzer reports as
// a crash with the input saved.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "fuzz/configs.h"
#include "fuzz/fuzz_port.h"
#include "fuzz/input.h"
#include "fuzz/ops.h"
#include "fuzz/oracle.h"
#include "hv/core/hypervisor.h"

namespace {

[[noreturn]] void violation(const hvfuzz::Oracle& o, const char* when) {
    std::fprintf(stderr, "ISOLATION VIOLATION %s: %s\n", when, o.violation().c_str());
    std::fflush(stderr);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // HV_FUZZ_VERBOSE=1 says why init rejected a configuration (seed work).
    static const bool verbose = std::getenv("HV_FUZZ_VERBOSE") != nullptr;
    // HV_FUZZ_CONFIGS=fixed keeps every input on the fixed configurations
    // (the operations alone), =fuzzed on spelled ones; unset, both.
    static const char* configs = std::getenv("HV_FUZZ_CONFIGS");
    static const bool only_fixed = configs != nullptr && std::strcmp(configs, "fixed") == 0;
    static const bool only_fuzzed = configs != nullptr && std::strcmp(configs, "fuzzed") == 0;
    hvfuzz::Input in(data, size);
    const std::uint8_t mode = in.u8();
    const bool fuzzed = only_fuzzed || (!only_fixed && (mode & 1) != 0);
    const hv::ConfigStorage cfg =
        fuzzed ? hvfuzz::fuzzed_config(in) : hvfuzz::fixed_config(mode >> 1);

    auto port = std::make_unique<hvfuzz::FuzzPort>();
    // One buffer for the context and one for its run-time state (the page
    // pool's bitmap is the large part) serve every input, built afresh each
    // time: that spares the page faults.
    alignas(hv::Hypervisor) static unsigned char storage[sizeof(hv::Hypervisor)];
    static std::vector<std::byte> state;
    struct Destroy {
        void operator()(hv::Hypervisor* h) const { h->~Hypervisor(); }
    };
    const std::unique_ptr<hv::Hypervisor, Destroy> hv(new (storage) hv::Hypervisor(*port));
    port->hv = hv.get();
    port->use_gic(cfg.platform.gic);
    const hv::Config view = cfg.view();
    state.assign(hv::Hypervisor::state_bytes(view), std::byte{0});
    const hv::Error err = hv->init(view, state);
    if (!err.ok()) {
        if (verbose) {
            std::fprintf(stderr, "init: %s\n", err.message);
        }
        return 0; // rejected with a named error: what validation is for
    }
    hvfuzz::Oracle oracle(*hv, *port);
    if (!oracle.check_mappings()) {
        violation(oracle, "after init");
    }
    if (!hv->boot().ok()) {
        return 0;
    }
    if (!oracle.check_mappings()) {
        violation(oracle, "after boot");
    }
    hvfuzz::Machine m(*hv, *port);
    while (!in.empty()) {
        const std::uint8_t op = in.u8();
        const std::uint32_t cpu = (op >> 5) % cfg.platform.cpu_num;
        oracle.before(cpu);
        hvfuzz::run_op(m, op & 0x1f, cpu, in);
        if (!oracle.after()) {
            std::fprintf(stderr, "operation %s on cpu %u\n", hvfuzz::op_name(op & 0x1f), cpu);
            violation(oracle, "after an operation");
        }
    }
    return 0;
}
