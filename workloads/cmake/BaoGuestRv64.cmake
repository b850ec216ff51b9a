# BaoGuestRv64.cmake - builds the bare-metal RV64 guests (docs/riscv.md)
# with gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf:
#   bao_add_rv64_guest(NAME <name> SOURCES <src>... [PRINTF integer|float|double]
#                      [DEFINES ...] [INCLUDES ...])
# produces ${CMAKE_BINARY_DIR}/workloads/riscv64/<name>.elf in target
# guest_rv64_<name> (part of ALL and of `workloads`).
#
# No compressed instructions (Unicorn 2.0.1 advances PC by 4 on every
# exception, and the loader refuses EF_RISCV_RVC): code is built with
# -march=rv64imafd -mabi=lp64d, which selects picolibc's rv64iafd/lp64d
# multilib (hardware double precision; the library itself is built without
# M, so its few multiplies and divides call libgcc).

get_filename_component(_rv_wl_dir "${CMAKE_CURRENT_LIST_DIR}" DIRECTORY)
set(_rv_out "${CMAKE_BINARY_DIR}/workloads/riscv64")
find_program(BAO_RISCV64_CC riscv64-unknown-elf-gcc)
set(_rv_why "")
if(NOT BAO_RISCV64_CC)
  set(_rv_why "riscv64-unknown-elf-gcc not found")
else()
  execute_process(COMMAND "${BAO_RISCV64_CC}" -march=rv64imafd -mabi=lp64d
                          -print-file-name=picolibc.specs
                  OUTPUT_VARIABLE _rv_specs OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${_rv_specs}" OR NOT EXISTS "${_rv_specs}")
    set(_rv_why "picolibc for riscv64 (picolibc.specs) not found")
  endif()
endif()
if(_rv_why)
  message(STATUS "workloads: RV64 guests skipped (${_rv_why})")
  set_property(GLOBAL PROPERTY BAO_RV64_GUESTS_ENABLED FALSE)
  function(bao_add_rv64_guest)
  endfunction()
  return()
endif()
set_property(GLOBAL PROPERTY BAO_RV64_GUESTS_ENABLED TRUE)
message(STATUS "workloads: building RV64 guests with ${BAO_RISCV64_CC} and picolibc")

set(_rv_arch -march=rv64imafd -mabi=lp64d -mcmodel=medany)
set(_rv_cflags --specs=picolibc.specs ${_rv_arch} -O2 -g -std=gnu17 -ffunction-sections
    -fdata-sections -fno-stack-protector -fno-pie -Wall -Wextra
    "-I${_rv_wl_dir}/runtime-rv64" "-I${_rv_wl_dir}/..")
if(BAO_WERROR)
  list(APPEND _rv_cflags -Werror)
endif()

function(_bao_rv_compile source object)
  get_filename_component(_dir "${object}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  add_custom_command(
    OUTPUT "${object}"
    COMMAND "${BAO_RISCV64_CC}" ${ARGN} -MD -MP -MT "${object}" -MF "${object}.d" -c "${source}"
            -o "${object}"
    DEPENDS "${source}"
    DEPFILE "${object}.d"
    COMMENT "RV64 guest CC ${source}"
    COMMAND_EXPAND_LISTS VERBATIM)
endfunction()

set(_rv_rt_objects "")
foreach(_src IN ITEMS crt0.S runtime.c)
  set(_obj "${_rv_out}/runtime/${_src}.o")
  _bao_rv_compile("${_rv_wl_dir}/runtime-rv64/${_src}" "${_obj}" ${_rv_cflags})
  list(APPEND _rv_rt_objects "${_obj}")
endforeach()
add_custom_target(bao_rv64_guest_runtime DEPENDS ${_rv_rt_objects})
if(NOT TARGET workloads)
  add_custom_target(workloads)
endif()

function(bao_add_rv64_guest)
  cmake_parse_arguments(PARSE_ARGV 0 G "" "NAME;PRINTF" "SOURCES;DEFINES;INCLUDES")
  set(_cflags ${_rv_cflags})
  foreach(_d IN LISTS G_DEFINES)
    list(APPEND _cflags "-D${_d}")
  endforeach()
  foreach(_i IN LISTS G_INCLUDES)
    cmake_path(ABSOLUTE_PATH _i BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _cflags "-I${_i}")
  endforeach()
  set(_printf "")
  if(G_PRINTF STREQUAL "integer")
    set(_printf -Wl,--defsym=vfprintf=__i_vfprintf)
  elseif(G_PRINTF STREQUAL "float")
    set(_printf -Wl,--defsym=vfprintf=__f_vfprintf)
  endif()
  set(_objects "")
  foreach(_src IN LISTS G_SOURCES)
    cmake_path(ABSOLUTE_PATH _src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE _abs)
    get_filename_component(_base "${_src}" NAME)
    set(_obj "${_rv_out}/${G_NAME}.obj/${_base}.o")
    _bao_rv_compile("${_abs}" "${_obj}" ${_cflags})
    list(APPEND _objects "${_obj}")
  endforeach()
  set(_elf "${_rv_out}/${G_NAME}.elf")
  add_custom_command(
    OUTPUT "${_elf}"
    COMMAND "${BAO_RISCV64_CC}" --specs=picolibc.specs ${_rv_arch} ${_printf} -nostartfiles -static
            -no-pie "-T${_rv_wl_dir}/runtime-rv64/guest.ld" -Wl,--gc-sections
            "-Wl,-Map=${_rv_out}/${G_NAME}.map" ${_rv_rt_objects} ${_objects} -lm -o "${_elf}"
    DEPENDS ${_rv_rt_objects} ${_objects} "${_rv_wl_dir}/runtime-rv64/guest.ld"
    COMMENT "RV64 guest LD ${G_NAME}.elf"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(guest_rv64_${G_NAME} ALL DEPENDS "${_elf}")
  add_dependencies(guest_rv64_${G_NAME} bao_rv64_guest_runtime)
  add_dependencies(workloads guest_rv64_${G_NAME})
endfunction()
