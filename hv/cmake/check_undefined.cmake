# Fails when the freestanding hv object references any symbol it does not
# define: the target image has no libc or libstdc++ to resolve it (docs/design.md#target-build).
# Usage: cmake -DNM=<aarch64 nm> -DOBJ=<object> -P check_undefined.cmake
execute_process(COMMAND ${NM} -u ${OBJ} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${OBJ}")
endif()
string(STRIP "${undefined}" undefined)
if(NOT undefined STREQUAL "")
  message(FATAL_ERROR "freestanding hv references undefined symbols:\n${undefined}")
endif()
