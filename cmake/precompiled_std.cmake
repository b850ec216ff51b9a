# The standard library headers most of the simulator's files include,
# precompiled once per library instead of parsed in each file: about a third
# of an -O2 compile of a typical sim/ file (gicv2.cpp 2.6 -> 1.6 CPU-s), more
# at the sanitizer pass's -O0 (decision 36, docs/design.md#test-tiers).
# Not under ccache, which compiles a file that uses a precompiled header
# uncached unless its sloppiness settings allow it: a ccache build keeps
# plain includes (as the test programs' GoogleTest header, tests/CMakeLists.txt).
set(BAO_STD_PCH_HEADERS
  <algorithm> <array> <atomic> <chrono> <cstdint> <cstring> <deque> <filesystem> <fstream>
  <functional> <iostream> <map> <memory> <optional> <set> <span> <sstream> <string>
  <string_view> <unordered_map> <utility> <vector>)

function(bao_precompile_std target)
  if(NOT CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
    target_precompile_headers(${target} PRIVATE ${BAO_STD_PCH_HEADERS})
  endif()
endfunction()
