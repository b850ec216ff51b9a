// C++ runtime hooks the freestanding target build needs and libsupc++ would
// otherwise provide. Only the target build compiles this file.

extern "C" {

// Called if a pure virtual function is invoked through a partly built or
// destroyed object: a bug, so stop this CPU where a debugger can see it.
void __cxa_pure_virtual() {
    for (;;) {
#if defined(__riscv)
        __asm__ volatile("wfi");
#else
        __asm__ volatile("wfe");
#endif
    }
}

} // extern "C"
