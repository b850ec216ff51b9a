# Boots bao-hv.elf on qemu-system-aarch64 (or, with MACHINE, the RISC-V
# image on qemu-system-riscv64) and checks the console:
#  - QEMU ends by itself (hv's PSCI SYSTEM_OFF or SBI SRST once every VM
#    stopped), exit 0;
#  - each VM's expected lines appear in order for that VM (lines of different
#    VMs may interleave: QEMU runs the CPUs in parallel);
#  - no "PANIC" from hv.
# On failure it prints the whole captured console.
#   cmake -DQEMU=... -DELF=... -DEXPECT="[a] x|[b] y|..." -P qemu_test.cmake
# Optional: -DLOADERS=qemu-loaders.txt (more QEMU arguments, one a line: the
# -device loader of Linux VMs, tools/staged_linux.h), -DMEM=2G (default 1G),
# -DTIMEOUT=s (30), -DMATCH=contains (an expected line "[vm] text" matches a
# line of that VM containing text: Linux's lines carry timestamps), and
# -DNEED=file: without it the test prints "SKIPPED:" (the Linux kernel),
# -DGIC=3 (QEMU's gic-version, default 2), -DKEY=regex (what groups lines
# whose order is checked; default the VM prefix "^<[^>]*>", brackets written
# as <>: "^<[^>]*> cpu[0-9]+:" orders each vCPU's lines of a guest that
# prefixes them "cpuN:").
foreach(_v QEMU ELF EXPECT)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "${_v} not set")
  endif()
endforeach()
if(DEFINED NEED AND NOT EXISTS "${NEED}")
  message("SKIPPED: ${NEED} missing (scripts/linux/fetch-kernel.sh, then configure again)")
  return()
endif()
if(NOT EXISTS "${ELF}")
  message(FATAL_ERROR "${ELF} does not exist: build the hv_image target first")
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 30)
endif()
if(NOT DEFINED MEM)
  set(MEM 1G)
endif()
if(NOT DEFINED GIC)
  set(GIC 2)
endif()
if(NOT DEFINED KEY)
  set(KEY "^<[^>]*>")
endif()
set(_extra)
if(DEFINED LOADERS)
  file(STRINGS "${LOADERS}" _extra)
endif()

# -DMACHINE="-M|...|-cpu|..." boots another machine (the RISC-V image's).
if(DEFINED MACHINE)
  string(REPLACE "|" ";" _machine "${MACHINE}")
else()
  set(_machine -M virt,virtualization=on,gic-version=${GIC} -cpu cortex-a53)
endif()

execute_process(
  COMMAND "${QEMU}" ${_machine} -smp 4 -m ${MEM}
          -display none -monitor none -serial stdio -nic none -kernel "${ELF}" ${_extra}
  INPUT_FILE /dev/null
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err
  RESULT_VARIABLE _rc
  TIMEOUT ${TIMEOUT})
string(REPLACE "\r" "" _out "${_out}")

function(fail why)
  message(FATAL_ERROR "${why}\n---- QEMU console ----\n${_out}\n---- QEMU stderr ----\n${_err}\n----")
endfunction()

if(NOT _rc STREQUAL "0")
  fail("QEMU did not power off cleanly (result: ${_rc}; timeout ${TIMEOUT} s)")
endif()
string(FIND "${_out}" "PANIC" _panic)
if(_panic GREATER -1)
  fail("hv panicked")
endif()

# Lines, kept with their order. Brackets become <> on both sides: CMake's
# list handling would join the lines between an unbalanced [ and its ] (a
# guest may print one), and ; separates list items.
string(REPLACE ";" "," _out_nosemi "${_out}")
string(REPLACE "[" "<" _out_nosemi "${_out_nosemi}")
string(REPLACE "]" ">" _out_nosemi "${_out_nosemi}")
string(REPLACE "\n" ";" _lines "${_out_nosemi}")

# For each VM prefix "[name] " (or KEY), the expected lines must appear in
# order among that VM's (key's) lines.
string(REPLACE "[" "<" _expect "${EXPECT}")
string(REPLACE "]" ">" _expect "${_expect}")
string(REPLACE "|" ";" _expect "${_expect}")
set(_pos_vars)
foreach(_want IN LISTS _expect)
  string(REGEX MATCH "${KEY}" _vm "${_want}")
  string(MAKE_C_IDENTIFIER "pos${_vm}" _pv)
  if(NOT DEFINED ${_pv})
    set(${_pv} 0)
  endif()
  set(_i 0)
  set(_found -1)
  string(LENGTH "${_vm}" _vm_len)
  string(SUBSTRING "${_want}" ${_vm_len} -1 _text)
  foreach(_line IN LISTS _lines)
    set(_match FALSE)
    if(MATCH STREQUAL "contains")
      string(FIND "${_line}" "${_text}" _at)
      string(FIND "${_line}" "${_vm} " _at_vm)
      if(_at GREATER -1 AND (_vm STREQUAL "" OR _at_vm EQUAL 0))
        set(_match TRUE)
      endif()
    elseif(_line STREQUAL "${_want}")
      set(_match TRUE)
    endif()
    if(_i GREATER_EQUAL ${${_pv}} AND _match)
      set(_found ${_i})
      break()
    endif()
    math(EXPR _i "${_i} + 1")
  endforeach()
  if(_found LESS 0)
    fail("missing (in order for ${_vm}): ${_want}")
  endif()
  math(EXPR ${_pv} "${_found} + 1")
endforeach()
message("${_out}")
message("qemu test: every VM printed its expected lines in order, and QEMU powered off")
