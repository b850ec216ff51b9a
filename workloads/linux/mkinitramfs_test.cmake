# scripts/linux/mkinitramfs.py: an archive cpio(1) reads back with the
# entries, modes and device numbers asked for; a bad list is refused.
# -D: PYTHON SCRIPT CPIO WORK
file(MAKE_DIRECTORY "${WORK}")
file(WRITE "${WORK}/payload" "hello initramfs\n")
file(WRITE "${WORK}/good.list"
     "# comment\ndir /dev 0755 0 0\nnod /dev/console 0600 0 0 c 5 1\n"
     "file /init ${WORK}/payload 0755 0 0\nslink /bin/sh busybox 0777 0 0\n")
execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${WORK}/good.list" "${WORK}/good.cpio.gz"
                RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mkinitramfs failed on a good list")
endif()
file(READ "${WORK}/good.cpio.gz" _gz HEX)
string(SUBSTRING "${_gz}" 0 4 _magic)
if(NOT _magic STREQUAL "1f8b")
  message(FATAL_ERROR "output is not gzip")
endif()
execute_process(COMMAND sh -c "gzip -dc '${WORK}/good.cpio.gz' | '${CPIO}' -itv --quiet"
                OUTPUT_VARIABLE _list RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cpio cannot read the archive")
endif()
foreach(_re "drwxr-xr-x +2 root +root +0 [^\n]* dev\n" "crw------- +1 root +root +5, +1 [^\n]* dev/console\n"
            "-rwxr-xr-x +1 root +root +16 [^\n]* init\n" "lrwxrwxrwx +1 root +root +7 [^\n]* bin/sh -> busybox")
  if(NOT _list MATCHES "${_re}")
    message(FATAL_ERROR "cpio listing lacks '${_re}':\n${_list}")
  endif()
endforeach()
# Deterministic: the same list gives the same bytes.
execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${WORK}/good.list" "${WORK}/again.cpio.gz")
file(SHA256 "${WORK}/good.cpio.gz" _a)
file(SHA256 "${WORK}/again.cpio.gz" _b)
if(NOT _a STREQUAL _b)
  message(FATAL_ERROR "two runs gave different archives")
endif()
file(WRITE "${WORK}/bad.list" "fifo /x 0600 0 0\n")
execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${WORK}/bad.list" "${WORK}/bad.cpio.gz"
                RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(_rc EQUAL 0 OR NOT _err MATCHES "bad initramfs list line")
  message(FATAL_ERROR "a bad list was accepted (${_rc}: ${_err})")
endif()
