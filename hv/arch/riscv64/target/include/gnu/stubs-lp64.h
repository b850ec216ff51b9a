/* Debian's riscv64-linux-gnu glibc headers come for the lp64d ABI only; hv
 * is built for lp64 (no floating point, so a guest's FP state is never
 * touched) and only takes <stdint.h>/<stddef.h>-level declarations from them.
 * This header lists glibc's unimplemented functions (none that hv calls). */
