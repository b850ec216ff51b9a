// Whether this test program is the sanitizer build's (BAO_SANITIZE: ASan and
// UBSan, scripts/test.sh's second pass, docs/design.md#test-tiers).
#pragma once

namespace sim::test {

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address.
#ifdef __SANITIZE_ADDRESS__
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// Why a determinism test runs its simulation only once there: the second run
// executes exactly the first one's code paths, so it finds no memory error the
// first does not; the release pass compares the two.
inline constexpr const char* kOneRunWhenSanitized =
    "the sanitizer pass runs this simulation once: a repeat takes the same code paths";

} // namespace sim::test
