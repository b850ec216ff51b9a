# The real hv image (docs/real-image.md), included at the end of the
# top-level directory (hv/CMakeLists.txt defers it: it needs bao_sim for the
# config tool and the guests of workloads/).
#
#   tools/bao-hv-config  host tool: TOML -> hv::Config constant data + guest images
#   hv_image             ExternalProject: the cross sub-build of bao-hv.elf / .bin
#   run-qemu             boots it by hand
#   hv.qemu.real_ipc     CTest (label qemu): boots it and checks each VM's lines
include(ExternalProject)

get_property(_bao_guests GLOBAL PROPERTY BAO_GUESTS_ENABLED)
get_property(_hv_sources GLOBAL PROPERTY BAO_HV_IMAGE_SOURCES)
if(NOT BAO_AARCH64_CXX OR NOT _bao_guests)
  message(STATUS "hv image: skipped (needs aarch64-linux-gnu-g++ and the guests of workloads/)")
  return()
endif()

set(BAO_HV_IMAGE_CONFIG ${PROJECT_SOURCE_DIR}/configs/real-ipc.toml CACHE FILEPATH
    "TOML configuration compiled into bao-hv.elf")

# bao_hv_image(TARGET CONFIG DIR): bao-hv-config turns CONFIG into constant
# data and guest images under DIR/gen (target TARGET_config), and the
# ExternalProject hv_image cross-builds DIR/build/bao-hv.elf. One sub-build
# links every image: hv's objects are the same in all of them.
set_property(GLOBAL PROPERTY BAO_HV_IMAGE_DIRS "")
function(bao_hv_image target config dir)
  set(gen ${dir}/gen)
  file(MAKE_DIRECTORY ${gen})
  add_custom_command(
    OUTPUT ${gen}/image_config.cpp ${gen}/guests.S ${gen}/layout.ld
    COMMAND bao-hv-config ${config} ${CMAKE_BINARY_DIR}/workloads ${gen} ${gen}/deps.d
            ${gen}/image_config.cpp
    DEPENDS bao-hv-config ${config}
    DEPFILE ${gen}/deps.d
    COMMENT "bao-hv-config: ${config}"
    VERBATIM)
  add_custom_target(${target}_config DEPENDS ${gen}/image_config.cpp ${gen}/guests.S ${gen}/layout.ld)
  add_dependencies(${target}_config workloads)
  set_property(GLOBAL APPEND PROPERTY BAO_HV_IMAGE_DIRS ${dir})
  set_property(GLOBAL APPEND PROPERTY BAO_HV_IMAGE_CONFIG_TARGETS ${target}_config)
endfunction()

# Added once every bao_hv_image() of this file has run.
function(_bao_hv_images_build)
  get_property(_dirs GLOBAL PROPERTY BAO_HV_IMAGE_DIRS)
  get_property(_configs GLOBAL PROPERTY BAO_HV_IMAGE_CONFIG_TARGETS)
  get_property(_sources GLOBAL PROPERTY BAO_HV_IMAGE_SOURCES)
  string(REPLACE ";" "|" _sources_arg "${_sources}")
  set(_products)
  foreach(_dir IN LISTS _dirs)
    list(APPEND _products ${_dir}/build/bao-hv.elf ${_dir}/build/bao-hv.bin)
  endforeach()
  string(REPLACE ";" "|" _dirs_arg "${_dirs}")
  ExternalProject_Add(hv_image
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target
    BINARY_DIR ${CMAKE_BINARY_DIR}/hv-images
    LIST_SEPARATOR |
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/aarch64-freestanding.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DBAO_SOURCE_DIR=${PROJECT_SOURCE_DIR}
      -DBAO_IMAGE_DIRS=${_dirs_arg}
      -DHV_SOURCES=${_sources_arg}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${_products}
    DEPENDS ${_configs})
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL _bao_hv_images_build)

set(BAO_HV_IMAGE_DIR ${CMAKE_BINARY_DIR}/hv-image)
bao_hv_image(hv_image ${BAO_HV_IMAGE_CONFIG} ${BAO_HV_IMAGE_DIR})
set(BAO_HV_ELF ${BAO_HV_IMAGE_DIR}/build/bao-hv.elf)

find_program(BAO_QEMU_SYSTEM_AARCH64 qemu-system-aarch64)
if(NOT BAO_QEMU_SYSTEM_AARCH64)
  message(STATUS "hv image: qemu-system-aarch64 not found, no run-qemu target or qemu test")
  return()
endif()
set(_qemu_args -M virt,virtualization=on,gic-version=2 -cpu cortex-a53 -smp 4 -m 1G
               -nographic -nic none -kernel ${BAO_HV_ELF})
add_custom_target(run-qemu
  COMMAND ${BAO_QEMU_SYSTEM_AARCH64} ${_qemu_args}
  DEPENDS hv_image
  USES_TERMINAL
  COMMENT "Booting bao-hv.elf on QEMU (Ctrl-A X quits)"
  VERBATIM)

# Each VM's lines, in order per VM (QEMU runs the CPUs in parallel).
set(_expect
  "[ping] ping: hello"
  "[ping] ping: 3 timer interrupts"
  "[ping] ping: notified pong (0)"
  "[pong] pong: hello"
  "[pong] pong: 3 timer interrupts"
  "[pong] pong: IPC notification (irq 52): hello from ping")
string(REPLACE ";" "|" _expect "${_expect}")
add_test(NAME hv.qemu.real_ipc
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${BAO_HV_ELF}
          "-DEXPECT=${_expect}" "-DVMS=ping|pong"
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_ipc PROPERTIES LABELS qemu TIMEOUT 60)

# The same demo on a GICv3 (configs/real-ipc-gicv3.toml, issue 18): hv's
# vGICv3 (ICH_LR<n>_EL2, trapped redistributors and ICC_SGI1R_EL1) on
# QEMU's gic-version=3, the same guests picking the GIC by its ArchRev.
set(_v3_dir ${CMAKE_BINARY_DIR}/hv-image-ipc-gicv3)
bao_hv_image(hv_image_ipc_gicv3 ${CMAKE_CURRENT_LIST_DIR}/configs/real-ipc-gicv3.toml ${_v3_dir})
add_test(NAME hv.qemu.real_ipc_gicv3
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${_v3_dir}/build/bao-hv.elf
          "-DEXPECT=${_expect}" "-DVMS=ping|pong" -DGIC=3
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_ipc_gicv3 PROPERTIES LABELS qemu TIMEOUT 60)

# Self-coloring (configs/real-ipc-hypcol.toml, issue 24): hv on colors 14-15
# copies its image onto pages of those colors before its MMU goes on, and the
# colored VMs' images are recolored at boot. hv reads its own tables back
# through the MMU (AT S1E2R, mmu.cpp) and prints where its image's pages and
# its pool's pages are: the test wants every page of both on colors 14-15
# (0xc000) and the demo's lines.
set(_hc_dir ${CMAKE_BINARY_DIR}/hv-image-ipc-hypcol)
bao_hv_image(hv_image_ipc_hypcol ${CMAKE_CURRENT_LIST_DIR}/configs/real-ipc-hypcol.toml ${_hc_dir})
set(_hc_expect "bao-hv: EL2 MMU and caches on, hv's image: every page in hyp.colors 0xc000"
    "bao-hv: hv's data from its pool (vCPU contexts, vGIC): every page in hyp.colors 0xc000"
    ${_expect})
string(REPLACE ";" "|" _hc_expect "${_hc_expect}")
add_test(NAME hv.qemu.real_ipc_hypcol
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${_hc_dir}/build/bao-hv.elf
          "-DEXPECT=${_hc_expect}" -DMATCH=contains
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_ipc_hypcol PROPERTIES LABELS qemu TIMEOUT 60)

# The Bao-style GICv3 test guest in a 4-vCPU VM (configs/real-baoguest-gicv3.toml):
# each vCPU's lines in order for that vCPU (KEY groups them by "cpuN:").
set(_bg_dir ${CMAKE_BINARY_DIR}/hv-image-baoguest-gicv3)
bao_hv_image(hv_image_baoguest_gicv3 ${CMAKE_CURRENT_LIST_DIR}/configs/real-baoguest-gicv3.toml
             ${_bg_dir})
set(_bg_expect "[bao] cpu0: Bao-style test guest, GICv3" "[bao] cpu0: 4 cpus")
foreach(_c 0 1 2 3)
  list(APPEND _bg_expect "[bao] cpu${_c}: up" "[bao] cpu${_c}: timer tick 1"
       "[bao] cpu${_c}: timer tick 2" "[bao] cpu${_c}: timer tick 3"
       "[bao] cpu${_c}: ipi round 1" "[bao] cpu${_c}: ipi round 2" "[bao] cpu${_c}: done")
endforeach()
list(APPEND _bg_expect "[bao] cpu0: all 4 cpus done")
string(REPLACE ";" "|" _bg_expect "${_bg_expect}")
add_test(NAME hv.qemu.real_baoguest_gicv3
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${_bg_dir}/build/bao-hv.elf
          "-DEXPECT=${_bg_expect}" -DGIC=3 "-DKEY=^<[^>]*> cpu[0-9]+:"
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_baoguest_gicv3 PROPERTIES LABELS qemu TIMEOUT 60)

# The same image built with a hostile VM next to a measured one
# (configs/real-hostile.toml beside this file, issue 12): the attacker's own
# exceptions go to its EL1, its stage-2 fault stops only its VM, and hv
# powers QEMU off once the victim has ended and the attacker is stopped.
set(_hostile_dir ${CMAKE_BINARY_DIR}/hv-image-hostile)
bao_hv_image(hv_image_hostile ${CMAKE_CURRENT_LIST_DIR}/configs/real-hostile.toml ${_hostile_dir})
set(_expect
  "[attacker] attacker: 8 exceptions taken at EL1"
  "[bench] checksum_ok=1"
  "bao-hv: vm 1 (\"attacker\") vcpu 0 on core 1: stage-2 fault on instruction fetch at IPA 0x9000000 (pc 0x9000000)")
string(REPLACE ";" "|" _expect "${_expect}")
add_test(NAME hv.qemu.real_hostile
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${_hostile_dir}/build/bao-hv.elf
          "-DEXPECT=${_expect}"
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_hostile PROPERTIES LABELS qemu TIMEOUT 60)

# Bao-style configurations (configs/real-console-passthru.toml, issue 18): a
# devs entry covering the console is the VM's virtual UART, and SMP guests
# start their vCPUs by virtual affinity (the same guest and checks as
# tests/sim/affinity_test.cpp).
set(_cpt_dir ${CMAKE_BINARY_DIR}/hv-image-console-passthru)
bao_hv_image(hv_image_console_passthru
             ${CMAKE_CURRENT_LIST_DIR}/configs/real-console-passthru.toml ${_cpt_dir})
set(_expect
  "[bench] vcpu 0 mpidr 0x80000000"
  "[bench] vcpu 1 mpidr 0x80000001"
  "[bench] started 1, cpu_on(2) = -2, affinity_info 1: 0 2: -2"
  "[uni] vcpu 0 mpidr 0xc0000000"
  "[uni] started 0, cpu_on(1) = -2, affinity_info 1: -2")
string(REPLACE ";" "|" _expect "${_expect}")
add_test(NAME hv.qemu.real_console_passthru
  COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64}
          -DELF=${_cpt_dir}/build/bao-hv.elf "-DEXPECT=${_expect}"
          -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
set_tests_properties(hv.qemu.real_console_passthru PROPERTIES LABELS qemu TIMEOUT 60)

# A Linux VM next to a bare-metal one (configs/real-linux*.toml, issue 17
# items 7 and 8): the kernel, DTB and initrd are placed by QEMU's -device
# loader at the VM's load_pa (the arguments bao-hv-config writes into
# gen/qemu-loaders.txt) and copied into the VM by hv. Labels qemu and linux;
# SKIPPED without Debian's kernel (scripts/linux/fetch-kernel.sh, then
# configure again).
set(_lx_kernel ${BAO_LINUX_CACHE}/Image)
foreach(_lx IN ITEMS real-linux real-linux-smp)
  string(REPLACE "-" "_" _id ${_lx})
  set(_dir ${CMAKE_BINARY_DIR}/hv-image-${_lx})
  set(_need ${_dir}/build/bao-hv.elf) # no image built: the test skips
  set(_expect
    "[linux] Machine model: bao-sim VM"
    "[linux] Run /init as init process"
    "[linux] bao-init: bench=qsort-small warmup=0 runs=1"
    "[linux] checksum_ok=1"
    "[linux] bao-init: done bench=qsort-small runs=1 failed=0"
    "[linux] reboot: Power down"
    "[bench] checksum_ok=1"
    "bao-hv: vm 0 (\"linux\") core 0: powered off (PSCI SYSTEM_OFF)")
  if(_lx STREQUAL "real-linux-smp")
    list(INSERT _expect 1 "[linux] smp: Brought up 1 node, 2 CPUs")
  endif()
  if(EXISTS ${_lx_kernel} AND TARGET linux_initramfs)
    bao_hv_image(hv_image_${_id} ${CMAKE_CURRENT_LIST_DIR}/configs/${_lx}.toml ${_dir})
    add_dependencies(hv_image_${_id}_config linux_initramfs)
    set(_need ${_lx_kernel})
  endif()
  string(REPLACE ";" "|" _expect "${_expect}")
  add_test(NAME hv.qemu.${_id}
    COMMAND ${CMAKE_COMMAND} -DQEMU=${BAO_QEMU_SYSTEM_AARCH64} -DELF=${_dir}/build/bao-hv.elf
            "-DEXPECT=${_expect}" -DNEED=${_need} -DLOADERS=${_dir}/gen/qemu-loaders.txt
            -DMEM=2G -DMATCH=contains -DTIMEOUT=150
            -P ${PROJECT_SOURCE_DIR}/hv/arch/armv8/target/qemu_test.cmake)
  set_tests_properties(hv.qemu.${_id} PROPERTIES LABELS "qemu;linux" TIMEOUT 200
                       SKIP_REGULAR_EXPRESSION "SKIPPED:")
endforeach()
