// The built-in presets: configs/*.toml embedded at build time, so bao-sim
// finds them wherever it is run from (docs/design.md#model-parameters).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sim {

std::optional<std::string> preset_text(const std::string& name);
std::vector<std::string> preset_names(); // sorted
} // namespace sim
