# Boots Debian's arm64 kernel on QEMU's virt machine with bao-sim's device
# tree (bao-linux-dtb) and the benchmark initramfs; the init runs BENCH once
# (one verification run, no warm-up, one measured run) and powers off.
# Checks that the kernel took our DT (its model line), reached /init, the
# workload verified, the run succeeded, and QEMU ended by PSCI SYSTEM_OFF.
# -D: QEMU DTB_TOOL IMAGE INITRD BENCH WORK. "SKIPPED:" when no kernel.
if(NOT EXISTS "${IMAGE}")
  message(STATUS "SKIPPED: ${IMAGE} missing (scripts/linux/fetch-kernel.sh)")
  return()
endif()
set(_dtb "${WORK}/qemu-${BENCH}.dtb")
set(_bootargs "console=ttyAMA0 bao_bench=${BENCH} bao_warmup=0 bao_runs=1")
execute_process(COMMAND "${DTB_TOOL}" -o "${_dtb}" --memory 0x40000000:512M --cpus 1
                        --bootargs "${_bootargs}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "bao-linux-dtb failed (${_rc})")
endif()
# No -append: the kernel command line comes from our DT's /chosen (QEMU only
# fills in the initrd's addresses).
execute_process(
  COMMAND "${QEMU}" -M virt,gic-version=2 -cpu cortex-a53 -m 512M -nographic -nic none
          -kernel "${IMAGE}" -initrd "${INITRD}" -dtb "${_dtb}"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _out
  RESULT_VARIABLE _rc TIMEOUT 150)
file(WRITE "${WORK}/qemu-${BENCH}.log" "${_out}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "QEMU ended with '${_rc}'; console in ${WORK}/qemu-${BENCH}.log")
endif()
foreach(_want IN ITEMS "Machine model: bao-sim VM" "Run /init as init process"
                       "bao-init: bench=${BENCH} warmup=0 runs=1 mark=none" "\n${BENCH}: "
                       "\nchecksum_ok=1" "bao-init: run 0 ns="
                       "bao-init: done bench=${BENCH} runs=1 failed=0" "reboot: Power down")
  string(FIND "${_out}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "missing '${_want}' in the console (${WORK}/qemu-${BENCH}.log)")
  endif()
endforeach()
string(REGEX MATCH "${BENCH}: [^\r\n]*" _result "${_out}")
message(STATUS "ok:${_result}")
