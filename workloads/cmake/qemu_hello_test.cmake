# Boots a hello guest on qemu-system-aarch64 (EL2 entry, PSCI over SMC) and
# checks that each of the SMP cores printed "hello from core N" exactly once
# and that the guest ended QEMU by PSCI SYSTEM_OFF (exit status 0, no timeout).
#   cmake -DQEMU=... -DELF=... -DSMP=N -P qemu_hello_test.cmake
foreach(_v QEMU ELF SMP)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "${_v} not set")
  endif()
endforeach()

# MACHINE: QEMU's machine options, "|"-separated (default virt's; the ZCU104's
# guests run on xlnx-zcu102, docs/zcu104.md), and MEM its RAM (default 128M).
if(NOT DEFINED MEM)
  set(MEM 128M)
endif()
if(DEFINED MACHINE)
  string(REPLACE "|" ";" _machine "${MACHINE}")
else()
  set(_machine -M virt,virtualization=on,gic-version=2 -cpu cortex-a53)
endif()
execute_process(
  COMMAND "${QEMU}" ${_machine} -smp ${SMP} -m ${MEM}
          -display none -monitor none -serial stdio -nic none -kernel "${ELF}"
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err
  RESULT_VARIABLE _rc
  TIMEOUT 20)
message("${_out}")
if(NOT _rc STREQUAL "0")
  message(FATAL_ERROR "QEMU did not power off cleanly (result: ${_rc}) ${_err}")
endif()

string(REPLACE "\r" "" _out "${_out}")
string(REGEX MATCHALL "[^\n]+" _lines "${_out}")
list(LENGTH _lines _n)
if(NOT _n EQUAL SMP)
  message(FATAL_ERROR "expected ${SMP} lines, got ${_n}")
endif()
math(EXPR _last "${SMP} - 1")
foreach(_core RANGE 0 ${_last})
  list(FIND _lines "hello from core ${_core}" _idx)
  if(_idx LESS 0)
    message(FATAL_ERROR "missing line: hello from core ${_core}")
  endif()
endforeach()
list(GET _lines 0 _first)
if(NOT _first STREQUAL "hello from core 0")
  message(FATAL_ERROR "core 0 must print first, got: ${_first}")
endif()
