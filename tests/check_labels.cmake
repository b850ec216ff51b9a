# Every CTest test carries a label (unit, integration, qemu, reproduce, linux,
# fuzz: README, "Tests"), so that `ctest -L` selects each tier and the ASan
# pass of scripts/test.sh can exclude the heavy ones by name. Lists the tests
# that have none (`ctest -N -LE .`: every test no label matches) and fails if
# there are any.
#   cmake -DCTEST=<ctest> -DBUILD_DIR=<build dir> -P check_labels.cmake
execute_process(COMMAND ${CTEST} --test-dir ${BUILD_DIR} -N -LE .
                OUTPUT_VARIABLE _out RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "ctest -N failed (${_rc}):\n${_out}")
endif()
string(REGEX MATCH "Total Tests: ([0-9]+)" _total "${_out}")
if(NOT _total)
  message(FATAL_ERROR "could not read the test count from ctest -N:\n${_out}")
endif()
set(_count ${CMAKE_MATCH_1})
if(NOT _count EQUAL 0)
  string(REGEX MATCHALL "Test +#[0-9]+: [^\n]+" _unlabelled "${_out}")
  list(JOIN _unlabelled "\n  " _list)
  message(FATAL_ERROR "${_count} test(s) without a label "
                      "(give each one of unit, integration, qemu, reproduce, linux, fuzz):\n  ${_list}")
endif()
message(STATUS "every test has a label")
