# Cross toolchain for the bare-metal AArch64 hv image (docs/design.md#target-build): Debian's
# aarch64-linux-gnu GCC used freestanding (no libc, no startup files). The
# image's own CMake project (hv/arch/armv8/target) sets the hv flags.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(BAO_CROSS_PREFIX aarch64-linux-gnu- CACHE STRING "Prefix of the AArch64 cross tools")
find_program(CMAKE_C_COMPILER ${BAO_CROSS_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${BAO_CROSS_PREFIX}g++ REQUIRED)
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_OBJCOPY ${BAO_CROSS_PREFIX}objcopy REQUIRED)
find_program(CMAKE_SIZE ${BAO_CROSS_PREFIX}size)

# Compiler checks link a static library, not an executable (no libc here).
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
