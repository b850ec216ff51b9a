// AArch64 instructions the target port needs, as inline functions.
#pragma once

#include <cstdint>

namespace hv::target {

#define BAO_MRS(reg)                                                                               \
    ({                                                                                             \
        std::uint64_t v_;                                                                          \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                              \
        v_;                                                                                        \
    })
#define BAO_MSR(reg, value)                                                                        \
    __asm__ volatile("msr " #reg ", %0" ::"r"(std::uint64_t(value)) : "memory")

inline void isb() {
    __asm__ volatile("isb" ::: "memory");
}
inline void dsb_sy() {
    __asm__ volatile("dsb sy" ::: "memory");
}
inline void dsb_ish() {
    __asm__ volatile("dsb ish" ::: "memory");
}
inline void wfi() {
    __asm__ volatile("wfi" ::: "memory");
}
inline void wfe() {
    __asm__ volatile("wfe" ::: "memory");
}
inline void sev() {
    __asm__ volatile("dsb ish; sev" ::: "memory");
}

// Physical CPU number: MPIDR_EL1.Aff0 (QEMU virt: 0..n-1 in one cluster).
inline std::uint32_t mpidr_cpu() {
    return static_cast<std::uint32_t>(BAO_MRS(mpidr_el1) & 0xff);
}

// An SMCCC call to the platform firmware (QEMU's PSCI), conduit SMC.
inline std::int64_t smc(std::uint64_t fid, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3) {
    register std::uint64_t x0 __asm__("x0") = fid;
    register std::uint64_t x1 __asm__("x1") = a1;
    register std::uint64_t x2 __asm__("x2") = a2;
    register std::uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return static_cast<std::int64_t>(x0);
}

// A test-and-set lock. hv's state is one object shared by all CPUs; the
// target serialises every entry into it (trap, IRQ) with this lock.
// hv's data is Normal Write-Back, inner shareable (mmu.h), where exclusives
// work on every core.
class SpinLock {
  public:
    void lock() {
        while (__atomic_exchange_n(&held_, 1u, __ATOMIC_ACQUIRE) != 0) {
            while (__atomic_load_n(&held_, __ATOMIC_RELAXED) != 0) {
            }
        }
    }
    void unlock() { __atomic_store_n(&held_, 0u, __ATOMIC_RELEASE); }

  private:
    std::uint32_t held_ = 0;
};

} // namespace hv::target
