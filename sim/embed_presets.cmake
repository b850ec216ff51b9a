# Generates a C++ file holding every configs/*.toml as a string (cmake -P).
# Inputs: OUT (file to write), FILES (;-separated list of .toml paths).
set(body "")
set(names "")
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME_WE)
  # configs/<platform>/<name>.toml is the preset "<platform>/<name>".
  get_filename_component(dir ${f} DIRECTORY)
  get_filename_component(dirname ${dir} NAME)
  if(NOT dirname STREQUAL "configs")
    set(name "${dirname}/${name}")
  endif()
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"bao_preset(${text})bao_preset\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from configs/*.toml by sim/embed_presets.cmake. Do not edit.
#include \"sim/presets.h\"

#include <map>

namespace sim {
namespace {
const std::map<std::string, std::string>& presets() {
    static const std::map<std::string, std::string> table = {
${body}    };
    return table;
}
} // namespace

std::optional<std::string> preset_text(const std::string& name) {
    auto it = presets().find(name);
    if (it == presets().end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (auto& [name, text] : presets())
        names.push_back(name);
    return names;
}
} // namespace sim
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
