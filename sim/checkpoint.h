// Checkpoints (docs/checkpoints.md): the whole machine saved at a quantum
// boundary and restored into a freshly built machine of the same config and
// images. Each model that owns state has one method, `checkpoint(Archive&)`
// (a template in the libraries that do not know this header), that visits
// its state in a fixed order: the same code saves and restores, so the two
// cannot drift apart. What the fresh machine already has right (pointers,
// handlers, the configuration) is kept, never read from the file.
#pragma once

#include "sim/error.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sim {

// A checkpoint that cannot be restored: not one, another version, another
// configuration or images, or damaged. Exit code 2, like any bad input.
class CheckpointError : public InputError {
  public:
    explicit CheckpointError(const std::string& what) : InputError("checkpoint: " + what) {}
};

class Archive {
  public:
    // Saving appends to data(); restoring reads `payload` from its start.
    static Archive saving() { return Archive(true, {}); }
    static Archive restoring(std::string_view payload) { return Archive(false, payload); }
    bool is_saving() const { return saving_; }

    template <class T> void value(T& x) {
        static_assert(std::is_trivially_copyable_v<T>, "checkpoint values are plain data");
        bytes(&x, sizeof x);
    }
    // A vector of plain data: its length, then its elements. Restoring
    // resizes it (geometry is checked by the callers that care).
    template <class T> void values(std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>, "checkpoint values are plain data");
        uint64_t n = v.size();
        value(n);
        if (!saving_) {
            if (n > (payload_.size() - pos_) / (sizeof(T) ? sizeof(T) : 1))
                throw CheckpointError("truncated or corrupt (a list longer than the file)");
            v.resize(n);
        }
        if (n)
            bytes(v.data(), n * sizeof(T));
    }
    // A vector whose length the fresh machine already has right (per core, per set).
    template <class T> void same_size(std::vector<T>& v, const char* what) {
        uint64_t n = v.size();
        value(n);
        if (n != v.size())
            throw CheckpointError(std::string(what) + ": " + std::to_string(n) + " saved, " +
                                  std::to_string(v.size()) + " in this machine");
    }
    // A vector of plain data whose length the fresh machine already has
    // right (from the configuration): its length, checked, then its elements.
    template <class T> void fixed(std::vector<T>& v, const char* what) {
        static_assert(std::is_trivially_copyable_v<T>, "checkpoint values are plain data");
        same_size(v, what);
        if (!v.empty())
            bytes(v.data(), v.size() * sizeof(T));
    }
    // The same for a vector<bool> (packed, so not plain data): a byte per element.
    void fixed(std::vector<bool>& v, const char* what) {
        same_size(v, what);
        std::vector<uint8_t> b(v.begin(), v.end());
        if (!b.empty())
            bytes(b.data(), b.size());
        if (!saving_)
            v.assign(b.begin(), b.end());
    }
    void text(std::string& s) {
        uint64_t n = s.size();
        value(n);
        if (!saving_) {
            if (n > payload_.size() - pos_)
                throw CheckpointError("truncated or corrupt (a text longer than the file)");
            s.resize(n);
        }
        if (n)
            bytes(s.data(), n);
    }
    void bytes(void* p, size_t n) {
        if (saving_) {
            out_.append(static_cast<const char*>(p), n);
            return;
        }
        if (n > payload_.size() - pos_)
            throw CheckpointError("truncated: the file ends inside its data");
        std::memcpy(p, payload_.data() + pos_, n);
        pos_ += n;
    }
    // A section's name, checked on restore: a damaged or reordered file is
    // named where it stops making sense.
    void tag(const char* name) {
        std::string s = name;
        std::string saved = s;
        text(saved);
        if (saved != s)
            throw CheckpointError("corrupt: expected section '" + s + "', found '" +
                                  saved.substr(0, 40) + "'");
    }
    const std::string& data() const { return out_; }
    // Restoring: every byte was read.
    void finish() const {
        if (!saving_ && pos_ != payload_.size())
            throw CheckpointError("corrupt: " + std::to_string(payload_.size() - pos_) +
                                  " bytes left over after the machine's state");
    }

  private:
    Archive(bool saving, std::string_view payload) : saving_(saving), payload_(payload) {}
    bool saving_;
    std::string out_;
    std::string_view payload_;
    size_t pos_ = 0;
};

// Visits `x` but keeps the live object's value of the members `keep` names
// (pointers into this process, handlers, configuration): restores every
// other byte. `keep(live, restored)` copies them back.
template <class T, class Keep> void value_keeping(Archive& a, T& x, Keep keep) {
    if (a.is_saving()) {
        a.value(x);
        return;
    }
    const T live = x;
    a.value(x);
    keep(live, x);
}

// The checkpoint file: a header (magic, format version, the identity of the
// configuration and images it belongs to, payload length and checksum) and
// the payload an Archive wrote.
inline constexpr uint32_t kCheckpointVersion = 4;

void write_checkpoint_file(const std::string& path, uint64_t identity, const std::string& payload);
// Reads and checks a checkpoint file: refuses (CheckpointError, naming the
// reason) a file that is not one, of another format version, of another
// identity, or damaged. Returns the payload.
std::string read_checkpoint_file(const std::string& path, uint64_t identity);

} // namespace sim
