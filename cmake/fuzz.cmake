# The fuzz target (fuzz/, docs/fuzzing.md): a clang sub-build of hv's host
# sources with libFuzzer, ASan and UBSan, and its short fixed-seed run in the
# default suite (docs/design.md#fuzzing). Not optional: without clang and libFuzzer the
# configure fails, naming the packages scripts/install-deps.sh installs.
# The sanitizer build (BAO_SANITIZE) leaves it out: the target carries its
# own sanitizers, and scripts/test.sh's ASan pass excludes the `fuzz` label.
if(BAO_SANITIZE)
  return()
endif()

find_program(BAO_CLANGXX NAMES clang++-14 clang++)
if(NOT BAO_CLANGXX)
  message(FATAL_ERROR "fuzz: clang++ not found; the fuzz test is part of the suite. "
                      "Install the Debian packages clang and libclang-rt-14-dev "
                      "(scripts/install-deps.sh).")
endif()
execute_process(COMMAND ${BAO_CLANGXX} --print-runtime-dir
                OUTPUT_VARIABLE _rt_dir OUTPUT_STRIP_TRAILING_WHITESPACE)
file(GLOB _libfuzzer "${_rt_dir}/libclang_rt.fuzzer*.a")
if(NOT _libfuzzer)
  message(FATAL_ERROR "fuzz: ${BAO_CLANGXX} has no libFuzzer runtime in '${_rt_dir}'. "
                      "Install the Debian package libclang-rt-14-dev (scripts/install-deps.sh).")
endif()

include(ExternalProject)
set(_hv_lists)
foreach(part COMMON ARMV8 RISCV64)
  get_property(_sources GLOBAL PROPERTY BAO_HV_${part}_SOURCES)
  string(REPLACE ";" "|" _sources "${_sources}")
  list(APPEND _hv_lists -DHV_${part}_SOURCES=${_sources})
endforeach()
set(BAO_FUZZ_DIR ${CMAKE_BINARY_DIR}/fuzz)
ExternalProject_Add(hv_fuzz_build
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/fuzz
  BINARY_DIR ${BAO_FUZZ_DIR}
  LIST_SEPARATOR |
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${BAO_CLANGXX}
             -DCMAKE_BUILD_TYPE=RelWithDebInfo
             -DBAO_ROOT=${PROJECT_SOURCE_DIR}
             ${_hv_lists}
  BUILD_ALWAYS ON # its dependencies (hv's sources) are the sub-build's to track
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${BAO_FUZZ_DIR}/hv_fuzz ${BAO_FUZZ_DIR}/hv_fuzz_riscv64)

# The short run: fixed seed, 5000 executions (the same work however busy the
# host; about 12 s, docs/fuzzing.md#cost), seed corpus read-only
# (-seed_inputs, so nothing is written into the source tree), crashes saved
# in the build tree.
file(GLOB _seeds ${PROJECT_SOURCE_DIR}/fuzz/corpus/*)
string(REPLACE ";" "," _seeds "${_seeds}")
file(MAKE_DIRECTORY ${BAO_FUZZ_DIR}/artifacts)
add_test(NAME fuzz.hv_short
  COMMAND ${BAO_FUZZ_DIR}/hv_fuzz -seed=1 -runs=5000 -timeout=10
          -dict=${PROJECT_SOURCE_DIR}/fuzz/hv.dict -seed_inputs=${_seeds}
          -artifact_prefix=${BAO_FUZZ_DIR}/artifacts/ -print_final_stats=1)
set_tests_properties(fuzz.hv_short PROPERTIES LABELS fuzz TIMEOUT 180)
# The same for RISC-V's hv (fuzz/riscv64/), with its own seeds and dictionary.
file(GLOB _rv_seeds ${PROJECT_SOURCE_DIR}/fuzz/corpus-riscv64/*)
string(REPLACE ";" "," _rv_seeds "${_rv_seeds}")
add_test(NAME fuzz.hv_riscv64_short
  COMMAND ${BAO_FUZZ_DIR}/hv_fuzz_riscv64 -seed=1 -runs=5000 -timeout=10
          -dict=${PROJECT_SOURCE_DIR}/fuzz/hv_riscv64.dict -seed_inputs=${_rv_seeds}
          -artifact_prefix=${BAO_FUZZ_DIR}/artifacts/riscv64- -print_final_stats=1)
set_tests_properties(fuzz.hv_riscv64_short PROPERTIES LABELS fuzz TIMEOUT 180)
