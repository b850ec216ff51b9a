#include "sim/console.h"

#include "sim/checkpoint.h"

#include <algorithm>

namespace sim {

unsigned Console::add_source(std::string name, bool prefixed_upstream) {
    sources_.push_back(Source{std::move(name), prefixed_upstream, false, {}});
    return static_cast<unsigned>(sources_.size() - 1);
}

void Console::putc(unsigned source, char c) {
    Source& s = sources_.at(source);
    const auto b = static_cast<unsigned char>(c);
    if (c == '\r')
        return;
    if (c == '\n') {
        emit(source);
        s.continued = false;
        return;
    }
    if ((b < 0x20 && c != '\t') || b == 0x7f) {
        static const char digits[] = "0123456789abcdef";
        s.line += {'\\', 'x', digits[b >> 4], digits[b & 0xf]};
    } else {
        s.line.push_back(c);
    }
    // A guest that never prints a newline must not grow a line without bound.
    if (s.line.size() >= max_line) {
        emit(source);
        s.continued = true;
    }
}

void Console::flush() {
    for (unsigned i = 0; i < sources_.size(); ++i)
        if (!sources_[i].line.empty()) {
            emit(i);
            sources_[i].continued = false;
        }
}

void Console::emit(unsigned source) {
    Source& s = sources_[source];
    const bool prefix = !s.name.empty() && (!s.prefixed_upstream || s.continued);
    const std::string text = (prefix ? "[" + s.name + "] " : "") + s.line + "\n";
    const std::string line = std::move(s.line);
    s.line.clear();
    const uint64_t room = keep_bytes_ - std::min<uint64_t>(keep_bytes_, transcript_.size());
    // Whole lines, and none after the first that did not fit: the kept text
    // is the run's output from its start, without holes.
    const size_t kept = dropped_bytes_ == 0 && text.size() <= room ? text.size() : 0;
    transcript_ += text.substr(0, kept);
    dropped_bytes_ += text.size() - kept;
    if (out_ && before_output_)
        before_output_();
    if (out_)
        (*out_) << text << std::flush;
    if (observer_)
        observer_(source, line);
}

void Console::checkpoint(Archive& a) {
    uint64_t n = sources_.size();
    a.value(n);
    if (!a.is_saving()) {
        if (n > 4096)
            throw CheckpointError("corrupt: " + std::to_string(n) + " console sources");
        sources_.resize(n);
    }
    for (Source& s : sources_) {
        a.text(s.name);
        a.value(s.prefixed_upstream);
        a.value(s.continued);
        a.text(s.line);
    }
    a.values(source_of_core_);
    a.text(transcript_);
    a.value(dropped_bytes_);
}

void UartOutput::put(unsigned core, char c) {
    if (name_.empty()) {
        console_.putc_from_core(core, c);
        return;
    }
    if (!source_)
        source_ = console_.add_source(name_);
    console_.putc(*source_, c);
}

void UartOutput::checkpoint(Archive& a) {
    bool has_source = source_.has_value();
    unsigned source = source_.value_or(0);
    a.value(has_source);
    a.value(source);
    source_ = has_source ? std::optional<unsigned>(source) : std::nullopt;
}

} // namespace sim
