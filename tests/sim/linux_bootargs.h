// What the Linux tests add to their kernels' command line (docs/linux.md#boot-instructions).
#pragma once

namespace sim::test {

// Skips Debian's crypto self-tests: RSA and DH in multi-precision loops,
// about 590 M of a modeled boot's 895 M instructions to /init (a third of its
// host time). No test examines them; the presets keep them (decision 29:
// their figures stay as measured).
inline constexpr const char* kNoCryptoSelfTests = "cryptomgr.notests=1";

} // namespace sim::test
