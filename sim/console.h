// The console: UART output of every source (a VM, or a core in native mode),
// assembled into lines and printed with the source's name as prefix, so
// output from cores that run interleaved never mixes within a line. The whole
// text is kept for the stats file.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace sim {

class Console {
  public:
    explicit Console(std::ostream* out) : out_(out) {}

    // Registers a source; returns its index for putc(). A source with an
    // empty name is printed without prefix (hv's console adds its own).
    unsigned add_source(std::string name);
    void putc(unsigned source, char c);
    // Emits unterminated lines (at the end of a run).
    void flush();

    // Everything printed, as "[name] line\n" lines in emission order.
    const std::string& transcript() const { return transcript_; }
    // What one source printed, without prefixes.
    const std::string& text_of(unsigned source) const { return sources_.at(source).all; }

  private:
    struct Source {
        std::string name;
        std::string line;
        std::string all;
    };
    void emit(Source& s);

    std::ostream* out_;
    std::vector<Source> sources_;
    std::string transcript_;
};

} // namespace sim
