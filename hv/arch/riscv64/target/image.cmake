# The RISC-V real hv image (docs/real-image.md), included at the end of the
# top-level directory beside the Armv8-A one (hv/arch/armv8/target/image.cmake):
#
#   rv_guests            the demo's two rv64 guests (guests/), flat binaries
#   tools/bao-hv-config  the same host tool: TOML -> hv::Config constant data + guest images
#   hv_image_riscv64     ExternalProject: the cross sub-build of bao-hv.elf for RV64
#                        (and hv_image_riscv64_hostile, with a hostile third VM)
#   run-qemu-riscv64     boots it by hand
#   hv.qemu.riscv64_real_ipc, hv.qemu.riscv64_real_hostile
#                        CTests (label qemu): boot them on QEMU + OpenSBI and
#                        check each VM's lines and the SBI shutdown
include(ExternalProject)

get_property(_rv_sources GLOBAL PROPERTY BAO_HV_RISCV64_IMAGE_SOURCES)
# hv: riscv64-linux-gnu-g++ (C++ headers; cmake/riscv64-freestanding.cmake);
# the C guests: riscv64-unknown-elf-gcc.
find_program(BAO_RISCV64_CXX riscv64-linux-gnu-g++)
find_program(BAO_RISCV64_CC riscv64-unknown-elf-gcc)
find_program(BAO_RISCV64_OBJCOPY riscv64-unknown-elf-objcopy)
if(NOT BAO_RISCV64_CXX OR NOT BAO_RISCV64_CC OR NOT BAO_RISCV64_OBJCOPY)
  message(STATUS "hv image (riscv64): skipped (needs riscv64-linux-gnu-g++ and riscv64-unknown-elf-gcc)")
  return()
endif()

set(_rv_dir ${CMAKE_BINARY_DIR}/hv-image-riscv64)
set(_rv_guest_dir ${_rv_dir}/guests)
file(MAKE_DIRECTORY ${_rv_guest_dir})
set(_src ${PROJECT_SOURCE_DIR}/hv/arch/riscv64/target/guests)
set(_bins)
foreach(_g ipc_ping ipc_pong attacker)
  add_custom_command(
    OUTPUT ${_rv_guest_dir}/${_g}.bin
    COMMAND ${BAO_RISCV64_CC} -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2
            -ffreestanding -nostdlib -nostartfiles -static -Wall -Wextra -Werror
            -I${PROJECT_SOURCE_DIR} -T ${_src}/guest.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments
            -o ${_rv_guest_dir}/${_g}.elf ${_src}/crt.S ${_src}/${_g}.c
    COMMAND ${BAO_RISCV64_OBJCOPY} -O binary ${_rv_guest_dir}/${_g}.elf ${_rv_guest_dir}/${_g}.bin
    DEPENDS ${_src}/crt.S ${_src}/${_g}.c ${_src}/guest.h ${_src}/guest.ld
            ${PROJECT_SOURCE_DIR}/hv/abi/hypercall.h
    COMMENT "rv64 demo guest ${_g}"
    VERBATIM)
  list(APPEND _bins ${_rv_guest_dir}/${_g}.bin)
endforeach()
add_custom_target(rv_guests DEPENDS ${_bins})

set(RV_GUEST_DIR ${_rv_guest_dir})
string(REPLACE ";" "|" _rv_sources_arg "${_rv_sources}")

# bao_hv_riscv64_image(TARGET CONFIG_IN DIR): CONFIG_IN configured with the
# guests' directory, bao-hv-config's constant data under DIR/gen, and an
# ExternalProject TARGET cross-building DIR/build/bao-hv.elf.
function(bao_hv_riscv64_image target config_in dir)
  get_filename_component(_name ${config_in} NAME_WLE)
  set(_config ${dir}/${_name})
  configure_file(${config_in} ${_config} @ONLY)
  set(_gen ${dir}/gen)
  file(MAKE_DIRECTORY ${_gen})
  add_custom_command(
    OUTPUT ${_gen}/image_config.cpp ${_gen}/guests.S ${_gen}/layout.ld
    COMMAND bao-hv-config ${_config} ${CMAKE_BINARY_DIR}/workloads ${_gen} ${_gen}/deps.d
            ${_gen}/image_config.cpp
    DEPENDS bao-hv-config ${_config} ${_bins}
    DEPFILE ${_gen}/deps.d
    COMMENT "bao-hv-config: ${_config}"
    VERBATIM)
  add_custom_target(${target}_config
    DEPENDS ${_gen}/image_config.cpp ${_gen}/guests.S ${_gen}/layout.ld)
  add_dependencies(${target}_config rv_guests)
  ExternalProject_Add(${target}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/hv/arch/riscv64/target
    BINARY_DIR ${dir}/build
    LIST_SEPARATOR |
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/riscv64-freestanding.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DBAO_SOURCE_DIR=${PROJECT_SOURCE_DIR}
      -DBAO_GEN_DIR=${_gen}
      -DHV_SOURCES=${_rv_sources_arg}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${dir}/build/bao-hv.elf
    DEPENDS ${target}_config)
endfunction()

set(_cfgs ${PROJECT_SOURCE_DIR}/hv/arch/riscv64/target/configs)
bao_hv_riscv64_image(hv_image_riscv64 ${_cfgs}/real-ipc-riscv64.toml.in ${_rv_dir})
set(_hostile_dir ${CMAKE_BINARY_DIR}/hv-image-riscv64-hostile)
bao_hv_riscv64_image(hv_image_riscv64_hostile ${_cfgs}/real-hostile-riscv64.toml.in ${_hostile_dir})
set(BAO_HV_RISCV64_ELF ${_rv_dir}/build/bao-hv.elf)

find_program(BAO_QEMU_SYSTEM_RISCV64 qemu-system-riscv64)
find_file(BAO_OPENSBI_FW_JUMP fw_jump.elf PATHS /usr/lib/riscv64-linux-gnu/opensbi/generic
          NO_DEFAULT_PATH)
if(NOT BAO_QEMU_SYSTEM_RISCV64 OR NOT BAO_OPENSBI_FW_JUMP)
  message(STATUS "hv image (riscv64): qemu-system-riscv64 or OpenSBI's fw_jump not found "
                 "(qemu-system-misc, opensbi), no run-qemu-riscv64 target or qemu test")
  return()
endif()
set(_machine -M virt -cpu rv64,h=true -bios ${BAO_OPENSBI_FW_JUMP})
add_custom_target(run-qemu-riscv64
  COMMAND ${BAO_QEMU_SYSTEM_RISCV64} ${_machine} -smp 4 -m 1G -nographic -nic none
          -kernel ${BAO_HV_RISCV64_ELF}
  DEPENDS hv_image_riscv64
  USES_TERMINAL
  COMMENT "Booting the RISC-V bao-hv.elf on QEMU (Ctrl-A X quits)"
  VERBATIM)

set(_expect
  "[ping] ping: hello"
  "[ping] ping: 3 timer interrupts"
  "[ping] ping: notified pong (0)"
  "[pong] pong: hello"
  "[pong] pong: 3 timer interrupts"
  "[pong] pong: IPC notification (irq 52): hello from ping"
  "bao-hv: every VM has stopped: SBI SRST shutdown")
string(REPLACE ";" "|" _expect "${_expect}")
string(REPLACE ";" "|" _machine_arg "${_machine}")
add_test(NAME hv.qemu.riscv64_real_ipc
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_RISCV64} -DELF=${BAO_HV_RISCV64_ELF}
          "-DEXPECT=${_expect}" "-DMACHINE=${_machine_arg}"
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.riscv64_real_ipc PROPERTIES LABELS qemu TIMEOUT 60)

# The hostile VM: its vPLIC shows it nothing of pong's source, its read
# outside the G-stage stops it alone, and ping and pong end as in the demo.
set(_expect
  "[attacker] attacker: hello"
  "[attacker] attacker: priority 0, enabled 0, claimed 0"
  "[ping] ping: notified pong (0)"
  "[pong] pong: IPC notification (irq 52): hello from ping"
  "bao-hv: vm 2 (\"attacker\") vcpu 0 on core 2: G-stage fault on read at GPA 0x90000000"
  "bao-hv: every VM has stopped: SBI SRST shutdown")
string(REPLACE ";" "|" _expect "${_expect}")
add_test(NAME hv.qemu.riscv64_real_hostile
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_RISCV64}
          -DELF=${_hostile_dir}/build/bao-hv.elf "-DEXPECT=${_expect}" "-DMACHINE=${_machine_arg}"
          -DMATCH=contains -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.riscv64_real_hostile PROPERTIES LABELS qemu TIMEOUT 60)
