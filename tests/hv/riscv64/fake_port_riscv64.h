// A host implementation of RISC-V's port for hv's RISC-V tests: physical
// memory and the generic notifications come from the Arm tests' FakePort
// (host pages, recorded effects), to which this one forwards; it adds
// per-hart CSRs, a physical PLIC's registers as plain memory, and records of
// fences, timers, IPIs and guest instruction reads.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "hv/arch/riscv64/port_riscv64.h"
#include "tests/hv/fake_port.h"

namespace hvtest {

class FakeRvPort : public hv::riscv64::RvPort {
  public:
    FakePort mem; // memory and the generic records
    std::uint32_t& current_cpu = mem.current_cpu;

    std::map<std::pair<std::uint32_t, hv::riscv64::Csr>, std::uint64_t> csrs;
    std::map<std::uint64_t, std::uint32_t> dev; // physical device words
    std::vector<std::pair<std::uint64_t, std::uint32_t>> dev_writes;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ipis; // (cpu, msg)
    // (cpus, vmid, va, size) of each HFENCE.VVMA, and FENCE.I's cpu masks.
    std::vector<std::tuple<std::uint64_t, std::uint16_t, std::uint64_t, std::uint64_t>> vvmas;
    std::vector<std::uint64_t> fence_is;
    std::vector<std::uint16_t> gvmas;
    std::map<std::uint32_t, std::uint64_t> timers; // per hart, last set_timer
    std::map<std::uint64_t, std::uint32_t> insns;  // guest VA -> instruction bits

    std::uint64_t csr(std::uint32_t cpu, hv::riscv64::Csr c) { return csrs[{cpu, c}]; }

    std::uint32_t cpu_id() override { return mem.cpu_id(); }
    void mem_read(std::uint64_t pa, void* d, std::size_t n) override { mem.mem_read(pa, d, n); }
    void mem_write(std::uint64_t pa, const void* s, std::size_t n) override {
        mem.mem_write(pa, s, n);
    }
    void mem_copy(std::uint64_t d, std::uint64_t s, std::size_t n) override {
        mem.mem_copy(d, s, n);
    }
    void mem_zero(std::uint64_t pa, std::size_t n) override { mem.mem_zero(pa, n); }
    void account(std::uint64_t pa, std::size_t n, bool w) override { mem.account(pa, n, w); }
    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t) override { return dev[pa]; }
    void dev_write(std::uint64_t pa, std::uint32_t, std::uint64_t v) override {
        dev[pa] = static_cast<std::uint32_t>(v);
        dev_writes.emplace_back(pa, static_cast<std::uint32_t>(v));
    }
    void send_ipi(std::uint32_t cpu, std::uint32_t msg) override { ipis.emplace_back(cpu, msg); }
    void mark(std::uint32_t vm, hv::Mark m) override { mem.mark(vm, m); }
    void sample(std::uint32_t vm, std::uint64_t v) override { mem.sample(vm, v); }
    void console_putc(char c) override { mem.console_putc(c); }
    void cpu_on(std::uint32_t cpu) override { mem.cpu_on(cpu); }
    void cpu_stop(std::uint32_t cpu) override { mem.cpu_stop(cpu); }
    void cpu_idle() override { mem.cpu_idle(); }
    void vm_stopped(std::uint32_t vm) override { mem.vm_stopped(vm); }
    void power_off() override { mem.power_off(); }

    std::uint64_t csr_read(hv::riscv64::Csr c) override { return csrs[{current_cpu, c}]; }
    void csr_write(hv::riscv64::Csr c, std::uint64_t v) override { csrs[{current_cpu, c}] = v; }
    void hfence_gvma(std::uint16_t vmid) override { gvmas.push_back(vmid); }
    void hfence_gvma_gpa(std::uint16_t vmid, std::uint64_t) override { gvmas.push_back(vmid); }
    void hfence_vvma(std::uint64_t cpus, std::uint16_t vmid, std::uint64_t va,
                     std::uint64_t size) override {
        vvmas.emplace_back(cpus, vmid, va, size);
    }
    void fence_i(std::uint64_t cpus) override { fence_is.push_back(cpus); }
    void set_timer(std::uint64_t stime) override { timers[current_cpu] = stime; }
    bool guest_insn(std::uint64_t va, std::uint32_t& insn) override {
        const auto it = insns.find(va);
        if (it == insns.end()) {
            return false;
        }
        insn = it->second;
        return true;
    }
};

} // namespace hvtest
