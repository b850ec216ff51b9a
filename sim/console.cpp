#include "sim/console.h"

namespace sim {

unsigned Console::add_source(std::string name) {
    sources_.push_back(Source{std::move(name), {}, {}});
    return static_cast<unsigned>(sources_.size() - 1);
}

void Console::putc(unsigned source, char c) {
    Source& s = sources_.at(source);
    s.all.push_back(c);
    if (c == '\r')
        return;
    if (c == '\n') {
        emit(s);
        return;
    }
    s.line.push_back(c);
    // A guest that never prints a newline must not grow a line without bound.
    if (s.line.size() >= 4096)
        emit(s);
}

void Console::flush() {
    for (auto& s : sources_)
        if (!s.line.empty())
            emit(s);
}

void Console::emit(Source& s) {
    std::string text = (s.name.empty() ? "" : "[" + s.name + "] ") + s.line + "\n";
    s.line.clear();
    transcript_ += text;
    if (out_)
        (*out_) << text << std::flush;
}

} // namespace sim
