// The C memory primitives for the freestanding target build (docs/design.md#target-build):
// the compiler emits calls to them for struct copies and zeroing even in
// -ffreestanding code, and there is no libc to provide them. Only the target
// build compiles this file; on the host libc's versions are used.
//
// This file must be compiled with -fno-tree-loop-distribute-patterns, or GCC
// recognises the loops below and turns them back into calls to themselves.
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    while (n-- != 0) {
        *d++ = *s++;
    }
    return dst;
}

void* memmove(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        while (n-- != 0) {
            *d++ = *s++;
        }
    } else if (d > s) {
        d += n;
        s += n;
        while (n-- != 0) {
            *--d = *--s;
        }
    }
    return dst;
}

void* memset(void* dst, int c, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    while (n-- != 0) {
        *d++ = static_cast<unsigned char>(c);
    }
    return dst;
}

int memcmp(const void* a, const void* b, std::size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (; n != 0; --n, ++x, ++y) {
        if (*x != *y) {
            return *x < *y ? -1 : 1;
        }
    }
    return 0;
}

} // extern "C"
