# Runs a benchmark guest on qemu-system-aarch64 (one core, EL2 entry) and
# checks that it printed its result line "NAME: ..." and "checksum_ok=1", and
# that it ended QEMU by PSCI SYSTEM_OFF (exit status 0, no timeout).
# With -DFOREVER=1 (the interference guest) it checks instead that the guest
# printed "NAME: " and was still running when the timeout stopped it.
# -DGIC=3 runs it on QEMU's GICv3 (default 2).
#   cmake -DQEMU=... -DELF=... -DNAME=... [-DFOREVER=1] [-DGIC=3] -P qemu_bench_test.cmake
foreach(_v QEMU ELF NAME)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "${_v} not set")
  endif()
endforeach()

if(NOT DEFINED GIC)
  set(GIC 2)
endif()
if(FOREVER)
  set(_timeout 3)
else()
  set(_timeout 30)
endif()
# MACHINE: QEMU's machine options, "|"-separated (default virt's; the ZCU104's
# guests run on xlnx-zcu102, docs/zcu104.md), and MEM its RAM (default 128M).
if(NOT DEFINED MEM)
  set(MEM 128M)
endif()
if(DEFINED MACHINE)
  string(REPLACE "|" ";" _machine "${MACHINE}")
else()
  set(_machine -M virt,virtualization=on,gic-version=${GIC} -cpu cortex-a53)
endif()
execute_process(
  COMMAND "${QEMU}" ${_machine} -smp 1 -m ${MEM}
          -display none -monitor none -serial stdio -nic none -kernel "${ELF}"
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err
  RESULT_VARIABLE _rc
  TIMEOUT ${_timeout})
message("${_out}")
string(REPLACE "\r" "" _out "${_out}")

if(FOREVER)
  if(_rc STREQUAL "0")
    message(FATAL_ERROR "${NAME} ended by itself; it must run forever")
  endif()
  if(NOT _out MATCHES "(^|\n)${NAME}: ")
    message(FATAL_ERROR "missing start line '${NAME}: ...'")
  endif()
  return()
endif()

if(NOT _rc STREQUAL "0")
  message(FATAL_ERROR "QEMU did not power off cleanly (result: ${_rc}) ${_err}")
endif()
if(NOT _out MATCHES "(^|\n)${NAME}: [^\n]+\n")
  message(FATAL_ERROR "missing result line '${NAME}: ...'")
endif()
if(NOT _out MATCHES "(^|\n)checksum_ok=1\n")
  message(FATAL_ERROR "the guest did not report checksum_ok=1")
endif()
