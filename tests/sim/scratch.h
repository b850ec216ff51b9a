// Scratch paths for tests: under the temporary directory and named per test
// process, so parallel ctest runs do not collide.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace sim::test {

// An empty path under the temporary directory: `prefix`-`what`-<pid>.
inline std::filesystem::path scratch(const std::string& prefix, const std::string& what) {
    std::filesystem::path out = std::filesystem::temp_directory_path() /
                                (prefix + "-" + what + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(out);
    return out;
}

// A scratch file (a config, a checkpoint) removed when the object goes.
class ScratchFile {
  public:
    explicit ScratchFile(const std::string& what) : path_(scratch("bao-sim", what)) {}
    ~ScratchFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    std::string str() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

} // namespace sim::test
