# Cross toolchain for the bare-metal RV64 hv image (docs/design.md#target-build): Debian's
# riscv64-linux-gnu GCC used freestanding (no libc, no startup files), as the
# Armv8-A image uses aarch64-linux-gnu's: Debian's riscv64-unknown-elf g++
# has no C++ headers (<cstdint>, <new>). The image's own CMake project
# (hv/arch/riscv64/target) sets the hv flags.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(BAO_RV_CROSS_PREFIX riscv64-linux-gnu- CACHE STRING "Prefix of the RV64 cross tools")
find_program(CMAKE_C_COMPILER ${BAO_RV_CROSS_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${BAO_RV_CROSS_PREFIX}g++ REQUIRED)
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_OBJCOPY ${BAO_RV_CROSS_PREFIX}objcopy REQUIRED)
find_program(CMAKE_SIZE ${BAO_RV_CROSS_PREFIX}size)

# Compiler checks link a static library, not an executable (no libc here).
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
