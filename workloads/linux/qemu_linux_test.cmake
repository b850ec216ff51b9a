# Boots Debian's arm64 kernel on QEMU's virt machine with bao-sim's device
# tree (bao-linux-dtb) and the benchmark initramfs; the init runs BENCH (one
# verification run, one warm-up, two measured runs) and powers off.
# Checks that the kernel took our DT (its model line), reached /init, the
# workload verified, the runs succeeded, and QEMU ended by PSCI SYSTEM_OFF.
# The marker page: QEMU's PL061 GPIO (0x0903_0000, absent from our DT, so no
# driver claims it and /dev/mem may map it; its data register at offset 0
# ignores writes, address mask 0) stands in for it, and QEMU's pl061_write
# trace must show exactly start, end, start, end: the measured runs marked,
# the warm-up not.
# With CPUS > 1 (default 1) the DT has that many vCPUs (PSCI over HVC) and
# Linux must bring them all up.
# With RESULT, the workload's result line must be exactly that.
# -D: QEMU DTB_TOOL IMAGE INITRD BENCH WORK [CPUS] [RESULT]. "SKIPPED:" when no kernel.
if(NOT EXISTS "${IMAGE}")
  message(STATUS "SKIPPED: ${IMAGE} missing (scripts/linux/fetch-kernel.sh)")
  return()
endif()
if(NOT CPUS)
  set(CPUS 1)
endif()
set(_tag "${BENCH}-smp${CPUS}")
set(_dtb "${WORK}/qemu-${_tag}.dtb")
set(_mark 0x9030000)
set(_bootargs
    "console=ttyAMA0 bao_bench=${BENCH} bao_warmup=1 bao_runs=2 bao_mark=${_mark}")
execute_process(COMMAND "${DTB_TOOL}" -o "${_dtb}" --memory 0x40000000:512M --cpus ${CPUS}
                        --bootargs "${_bootargs}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "bao-linux-dtb failed (${_rc})")
endif()
file(REMOVE "${WORK}/qemu-${_tag}.trace")
# No -append: the kernel command line comes from our DT's /chosen (QEMU only
# fills in the initrd's addresses).
execute_process(
  COMMAND "${QEMU}" -M virt,gic-version=2 -cpu cortex-a53 -smp ${CPUS} -m 512M -nographic -nic none
          -kernel "${IMAGE}" -initrd "${INITRD}" -dtb "${_dtb}" -trace pl061_write -D
          "${WORK}/qemu-${_tag}.trace"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _out
  RESULT_VARIABLE _rc TIMEOUT 150)
file(WRITE "${WORK}/qemu-${_tag}.log" "${_out}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "QEMU ended with '${_rc}'; console in ${WORK}/qemu-${_tag}.log")
endif()
foreach(_want IN ITEMS "Machine model: bao-sim VM" "Run /init as init process"
                       "bao-init: bench=${BENCH} warmup=1 runs=2 mark=${_mark}" "\n${BENCH}: "
                       "\nchecksum_ok=1" "bao-init: run 0 ns=" "bao-init: run 1 ns="
                       "bao-init: done bench=${BENCH} runs=2 failed=0" "reboot: Power down")
  string(FIND "${_out}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "missing '${_want}' in the console (${WORK}/qemu-${_tag}.log)")
  endif()
endforeach()
if(CPUS GREATER 1 AND NOT _out MATCHES "smp: Brought up 1 node, ${CPUS} CPUs")
  message(FATAL_ERROR "Linux did not bring up ${CPUS} CPUs (${WORK}/qemu-${_tag}.log)")
endif()
file(STRINGS "${WORK}/qemu-${_tag}.trace" _writes REGEX "pl061_write")
list(TRANSFORM _writes REPLACE ".*offset 0x0 value " "")
if(NOT _writes STREQUAL "0x0;0x1;0x0;0x1")
  message(FATAL_ERROR "marker page writes '${_writes}', expected 0x0;0x1;0x0;0x1")
endif()
string(REGEX MATCH "${BENCH}: [^\r\n]*" _result "${_out}")
if(RESULT AND NOT _result STREQUAL RESULT)
  message(FATAL_ERROR "result line '${_result}', expected '${RESULT}'")
endif()
message(STATUS "ok:${_result}")
