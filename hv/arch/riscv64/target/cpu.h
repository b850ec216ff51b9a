// RV64 HS-mode instructions the bao-hv image uses, and the SBI calls it
// makes to the M-mode firmware below it (OpenSBI).
#pragma once

#include <cstdint>

// CSRs by number: the assembler needs no H-extension support for these.
#define BAO_CSRR(csr)                                                                              \
    ({                                                                                             \
        std::uint64_t v_;                                                                          \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                                             \
        v_;                                                                                        \
    })
#define BAO_CSRW(csr, v)                                                                           \
    __asm__ volatile("csrw " #csr ", %0" ::"r"(static_cast<std::uint64_t>(v)) : "memory")
#define BAO_CSRS(csr, v)                                                                           \
    __asm__ volatile("csrs " #csr ", %0" ::"r"(static_cast<std::uint64_t>(v)) : "memory")
#define BAO_CSRC(csr, v)                                                                           \
    __asm__ volatile("csrc " #csr ", %0" ::"r"(static_cast<std::uint64_t>(v)) : "memory")

namespace hv::target {

// The hart id, kept in tp while hv runs (start.S loads it at every entry).
inline std::uint32_t hart_id() {
    std::uint64_t v;
    __asm__ volatile("mv %0, tp" : "=r"(v));
    return static_cast<std::uint32_t>(v);
}

inline void wfi() {
    __asm__ volatile("wfi" ::: "memory");
}
inline void fence() {
    __asm__ volatile("fence rw, rw" ::: "memory");
}
// HFENCE.GVMA zero, zero and HFENCE.VVMA zero, zero (all VMIDs / the current
// VMID), as words: the assembler's -march has no H extension.
inline void hfence_gvma_all() {
    __asm__ volatile("fence w, rw; .word 0x62000073" ::: "memory");
}
inline void hfence_vvma_all() {
    __asm__ volatile(".word 0x22000073" ::: "memory");
}

struct SbiRet {
    std::int64_t error;
    std::uint64_t value;
};

// An SBI call to the firmware (ECALL from HS mode).
inline SbiRet sbi_call(std::uint64_t ext, std::uint64_t fid, std::uint64_t a0 = 0,
                       std::uint64_t a1 = 0, std::uint64_t a2 = 0, std::uint64_t a3 = 0,
                       std::uint64_t a4 = 0) {
    register std::uint64_t r0 __asm__("a0") = a0;
    register std::uint64_t r1 __asm__("a1") = a1;
    register std::uint64_t r2 __asm__("a2") = a2;
    register std::uint64_t r3 __asm__("a3") = a3;
    register std::uint64_t r4 __asm__("a4") = a4;
    register std::uint64_t r6 __asm__("a6") = fid;
    register std::uint64_t r7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1)
                     : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
                     : "memory");
    return {static_cast<std::int64_t>(r0), r1};
}

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
