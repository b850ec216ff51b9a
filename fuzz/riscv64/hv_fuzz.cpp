// libFuzzer entry over the host build of RISC-V's hv (docs/fuzzing.md). One
// input:
//   byte 0        bit 7 clear: fixed_config(byte 0); set: varied_config(byte 0
//                 & 0x7f) with the following bytes (configs.h)
//   then          operations until the bytes run out, each an op byte
//                 (kind in bits 0-4, physical hart in bits 5-7) and its
//                 arguments (ops.cpp)
// After init, after boot and after every operation the isolation oracle
// runs; a violation prints what broke and aborts, which libFuzzer reports as
// a crash with the input saved.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "fuzz/input.h"
#include "fuzz/riscv64/configs.h"
#include "fuzz/riscv64/fuzz_port.h"
#include "fuzz/riscv64/ops.h"
#include "fuzz/riscv64/oracle.h"
#include "hv/core/hypervisor.h"

namespace {

[[noreturn]] void violation(const hvfuzz::rv::Oracle& o, const char* when) {
    std::fprintf(stderr, "ISOLATION VIOLATION %s: %s\n", when, o.violation().c_str());
    std::fflush(stderr);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hvfuzz::Input in(data, size);
    const std::uint8_t mode = in.u8();
    const bool varied = (mode & 0x80) != 0;
    const hv::ConfigStorage cfg =
        varied ? hvfuzz::rv::varied_config(mode & 0x7f, in) : hvfuzz::rv::fixed_config(mode);

    auto port = std::make_unique<hvfuzz::rv::FuzzRvPort>();
    // One buffer for the context and one for its run-time state serve every
    // input, built afresh each time: that spares the page faults.
    alignas(hv::Hypervisor) static unsigned char storage[sizeof(hv::Hypervisor)];
    static std::vector<std::byte> state;
    struct Destroy {
        void operator()(hv::Hypervisor* h) const { h->~Hypervisor(); }
    };
    const std::unique_ptr<hv::Hypervisor, Destroy> hv(new (storage) hv::Hypervisor(*port));
    port->hv = hv.get();
    port->plic = cfg.platform.gic.gicd;
    const hv::Config view = cfg.view();
    state.assign(hv::Hypervisor::state_bytes(view), std::byte{0});
    const hv::Error err = hv->init(view, state);
    if (!err.ok()) {
        if (varied) {
            return 0; // rejected with a named error: what validation is for
        }
        std::fprintf(stderr, "init refused a fixed configuration: %s\n", err.message);
        std::abort(); // the fixed configurations are valid: a refusal is a bug
    }
    hvfuzz::rv::Oracle oracle(*hv, *port);
    if (!oracle.check_mappings()) {
        violation(oracle, "after init");
    }
    if (!hv->boot().ok()) {
        if (varied) {
            return 0;
        }
        std::fprintf(stderr, "boot failed on a fixed configuration\n");
        std::abort();
    }
    if (!oracle.check_mappings()) {
        violation(oracle, "after boot");
    }
    hvfuzz::rv::Machine m(*hv, *port);
    while (!in.empty()) {
        const std::uint8_t op = in.u8();
        const std::uint32_t cpu = (op >> 5) % cfg.platform.cpu_num;
        oracle.before(cpu);
        hvfuzz::rv::run_op(m, op & 0x1f, cpu, in);
        if (!oracle.after()) {
            std::fprintf(stderr, "operation %s on cpu %u\n", hvfuzz::rv::op_name(op & 0x1f), cpu);
            violation(oracle, "after an operation");
        }
    }
    return 0;
}
