# BaoGuest.cmake - builds bare-metal AArch64 guests with the cross compiler and
# picolibc, outside CMake's (host) toolchain, with add_custom_command.
#
#   bao_add_guest(NAME <name> SOURCES <src>...
#                 [PRINTF double|float|integer]   # picolibc printf flavour (default double)
#                 [DEFINES <MACRO[=value]>...]
#                 [INCLUDES <dir>...]
#                 [CFLAGS <flag>...]             # extra compile flags (C and .S)
#                 [LDFLAGS <flag>...]            # extra link flags, e.g. -Wl,--defsym=BAO_HEAP_SIZE=4M
#                 [DEPENDS <file-or-target>...]
#                 [PLATFORM zcu104])             # another board's addresses (below)
#
# produces ${CMAKE_BINARY_DIR}/workloads/<name>.elf, <name>.bin (raw image from
# 0x4000_0000), <name>.map and <name>.lst in target `guest_<name>` (part of ALL
# and of the umbrella target `workloads`). Sources are relative to the calling
# CMakeLists.txt. The runtime (workloads/runtime) is compiled once per platform
# and linked into every guest. PLATFORM zcu104 builds the guest for the
# ZCU104's addresses (-DBAO_PLATFORM_ZCU104: its GIC-400 and UART0; bao_guest.h)
# into workloads/zcu104/, target `guest_zcu104_<name>`.
#
# For other parts of the build:
#   global property BAO_GUESTS_ENABLED  TRUE when guests are built
#   global property BAO_GUESTS          names of the guests
#   global property BAO_GUEST_DIR       ${CMAKE_BINARY_DIR}/workloads
#   target guest_<name>: properties BAO_GUEST_ELF and BAO_GUEST_BIN (paths)
#   target workloads: builds every guest (always exists, empty when disabled)

get_filename_component(_bao_wl_dir "${CMAKE_CURRENT_LIST_DIR}" DIRECTORY)
set(_bao_out "${CMAKE_BINARY_DIR}/workloads")

set_property(GLOBAL PROPERTY BAO_GUESTS "")
set_property(GLOBAL PROPERTY BAO_GUEST_DIR "${_bao_out}")
set_property(GLOBAL PROPERTY BAO_GUESTS_ENABLED FALSE)
if(NOT TARGET workloads)
  add_custom_target(workloads)
endif()

# ---- Toolchain detection --------------------------------------------------
set(_bao_why "")
if(NOT BAO_AARCH64_CC)
  set(_bao_why "aarch64-linux-gnu-gcc not found")
elseif(NOT BAO_AARCH64_OBJCOPY)
  set(_bao_why "aarch64-linux-gnu-objcopy not found")
else()
  execute_process(
    COMMAND "${BAO_AARCH64_CC}" -print-file-name=picolibc.specs
    OUTPUT_VARIABLE _bao_specs
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _bao_rc)
  if(NOT _bao_rc EQUAL 0 OR NOT IS_ABSOLUTE "${_bao_specs}" OR NOT EXISTS "${_bao_specs}")
    set(_bao_why "picolibc for aarch64 (picolibc.specs) not found")
  endif()
endif()

if(_bao_why)
  message(STATUS "workloads: guests skipped (${_bao_why})")
  function(bao_add_guest)
  endfunction()
  return()
endif()

set_property(GLOBAL PROPERTY BAO_GUESTS_ENABLED TRUE)
get_filename_component(_bao_bindir "${BAO_AARCH64_OBJCOPY}" DIRECTORY)
find_program(BAO_AARCH64_OBJDUMP aarch64-linux-gnu-objdump HINTS "${_bao_bindir}")
message(STATUS "workloads: building guests with ${BAO_AARCH64_CC} and picolibc")

set(_bao_cflags
    --specs=picolibc.specs
    -mcpu=cortex-a53
    -mstrict-align
    -mno-outline-atomics
    -O2
    -g
    -std=gnu17
    -ffunction-sections
    -fdata-sections
    -fno-stack-protector
    -fno-pie
    -Wall
    -Wextra
    "-I${_bao_wl_dir}/runtime"
    # hv/abi/hypercall.h: the hypercall ids and codes hv and the simulator use
    "-I${_bao_wl_dir}/..")
if(BAO_WERROR)
  list(APPEND _bao_cflags -Werror)
endif()
set_property(GLOBAL PROPERTY BAO_GUEST_CFLAGS "${_bao_cflags}")
set_property(GLOBAL PROPERTY BAO_GUEST_LDSCRIPT "${_bao_wl_dir}/runtime/guest.ld")

# _bao_guest_compile(<out-var> <source> <object> <flags...>)
# Adds the custom command compiling one source; object's .d file tracks headers.
function(_bao_guest_compile source object)
  get_filename_component(_dir "${object}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  add_custom_command(
    OUTPUT "${object}"
    COMMAND "${BAO_AARCH64_CC}" ${ARGN} -MD -MP -MT "${object}" -MF "${object}.d" -c "${source}"
            -o "${object}"
    DEPENDS "${source}"
    DEPFILE "${object}.d"
    COMMENT "Guest CC ${source}"
    COMMAND_EXPAND_LISTS VERBATIM)
endfunction()

# ---- The runtime, compiled once per platform ----------------------------------
set(_bao_rt_sources crt0.S runtime.c uart.c mmu.c gic.c)
# _bao_guest_runtime(<target> <out-dir> <flags...>): its objects in BAO_GUEST_RUNTIME_OBJECTS<target>.
function(_bao_guest_runtime target dir)
  set(_objects "")
  foreach(_src IN LISTS _bao_rt_sources)
    set(_obj "${dir}/runtime/${_src}.o")
    _bao_guest_compile("${_bao_wl_dir}/runtime/${_src}" "${_obj}" ${ARGN})
    list(APPEND _objects "${_obj}")
  endforeach()
  add_custom_target(${target} DEPENDS ${_objects})
  set_property(GLOBAL PROPERTY BAO_GUEST_RUNTIME_OBJECTS${target} "${_objects}")
endfunction()
_bao_guest_runtime(bao_guest_runtime "${_bao_out}" ${_bao_cflags})
_bao_guest_runtime(bao_guest_runtime_zcu104 "${_bao_out}/zcu104" ${_bao_cflags} -DBAO_PLATFORM_ZCU104)

function(bao_add_guest)
  cmake_parse_arguments(PARSE_ARGV 0 G "" "NAME;PRINTF;PLATFORM"
                        "SOURCES;DEFINES;INCLUDES;CFLAGS;LDFLAGS;DEPENDS")
  if(NOT G_NAME OR NOT G_SOURCES)
    message(FATAL_ERROR "bao_add_guest: NAME and SOURCES are required")
  endif()
  if(G_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "bao_add_guest(${G_NAME}): unknown arguments ${G_UNPARSED_ARGUMENTS}")
  endif()
  get_property(_cflags GLOBAL PROPERTY BAO_GUEST_CFLAGS)
  get_property(_ldscript GLOBAL PROPERTY BAO_GUEST_LDSCRIPT)
  get_property(_out GLOBAL PROPERTY BAO_GUEST_DIR)
  set(_target guest_${G_NAME})
  set(_runtime bao_guest_runtime)
  if(G_PLATFORM STREQUAL "zcu104")
    set(_target guest_zcu104_${G_NAME})
    set(_runtime bao_guest_runtime_zcu104)
    set(_out "${_out}/zcu104")
    list(APPEND _cflags -DBAO_PLATFORM_ZCU104)
  elseif(G_PLATFORM)
    message(FATAL_ERROR "bao_add_guest(${G_NAME}): PLATFORM must be zcu104 or omitted")
  endif()
  get_property(_rt_objects GLOBAL PROPERTY BAO_GUEST_RUNTIME_OBJECTS${_runtime})
  if(TARGET ${_target})
    message(FATAL_ERROR "bao_add_guest: guest ${_target} defined twice")
  endif()

  foreach(_d IN LISTS G_DEFINES)
    list(APPEND _cflags "-D${_d}")
  endforeach()
  foreach(_i IN LISTS G_INCLUDES)
    cmake_path(ABSOLUTE_PATH _i BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _cflags "-I${_i}")
  endforeach()
  list(APPEND _cflags ${G_CFLAGS})

  set(_printf "")
  if(NOT G_PRINTF OR G_PRINTF STREQUAL "double")
  elseif(G_PRINTF STREQUAL "float")
    set(_printf -Wl,--defsym=vfprintf=__f_vfprintf)
  elseif(G_PRINTF STREQUAL "integer")
    set(_printf -Wl,--defsym=vfprintf=__i_vfprintf)
  else()
    message(FATAL_ERROR "bao_add_guest(${G_NAME}): PRINTF must be double, float or integer")
  endif()

  set(_file_deps "")
  set(_target_deps "")
  foreach(_dep IN LISTS G_DEPENDS)
    if(TARGET "${_dep}")
      list(APPEND _target_deps "${_dep}")
    else()
      list(APPEND _file_deps "${_dep}")
    endif()
  endforeach()

  set(_objects "")
  foreach(_src IN LISTS G_SOURCES)
    cmake_path(ABSOLUTE_PATH _src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE
               _abs)
    cmake_path(RELATIVE_PATH _abs BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE
               _rel)
    string(REPLACE "../" "__/" _rel "${_rel}")
    set(_obj "${_out}/${G_NAME}.obj/${_rel}.o")
    _bao_guest_compile("${_abs}" "${_obj}" ${_cflags})
    list(APPEND _objects "${_obj}")
  endforeach()

  set(_elf "${_out}/${G_NAME}.elf")
  set(_bin "${_out}/${G_NAME}.bin")
  set(_map "${_out}/${G_NAME}.map")
  set(_lst "${_out}/${G_NAME}.lst")
  add_custom_command(
    OUTPUT "${_elf}"
    COMMAND
      "${BAO_AARCH64_CC}" --specs=picolibc.specs ${_printf} -nostartfiles -static -no-pie
      "-T${_ldscript}" -Wl,--gc-sections -Wl,--fatal-warnings "-Wl,-Map=${_map}" ${G_LDFLAGS}
      ${_rt_objects} ${_objects} -lm -o "${_elf}"
    DEPENDS ${_rt_objects} ${_objects} "${_ldscript}" ${_file_deps}
    BYPRODUCTS "${_map}"
    COMMENT "Guest LD ${G_NAME}.elf"
    COMMAND_EXPAND_LISTS VERBATIM)
  set(_bin_cmds COMMAND "${BAO_AARCH64_OBJCOPY}" -O binary "${_elf}" "${_bin}")
  set(_byproducts "")
  if(BAO_AARCH64_OBJDUMP)
    list(APPEND _bin_cmds COMMAND "${BAO_AARCH64_OBJDUMP}" -d "${_elf}" > "${_lst}")
    set(_byproducts BYPRODUCTS "${_lst}")
  endif()
  add_custom_command(
    OUTPUT "${_bin}" ${_bin_cmds} ${_byproducts}
    DEPENDS "${_elf}"
    COMMENT "Guest BIN ${G_NAME}.bin"
    VERBATIM)

  add_custom_target(${_target} ALL DEPENDS "${_elf}" "${_bin}")
  add_dependencies(${_target} ${_runtime} ${_target_deps})
  set_target_properties(${_target} PROPERTIES BAO_GUEST_ELF "${_elf}" BAO_GUEST_BIN "${_bin}")
  add_dependencies(workloads ${_target})
  if(NOT G_PLATFORM)
    set_property(GLOBAL APPEND PROPERTY BAO_GUESTS "${G_NAME}")
  endif()
endfunction()
