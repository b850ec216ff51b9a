// The console: UART output of every source (a VM, or a core in native mode),
// assembled into lines and printed with the source's name as prefix, so
// output from cores that run interleaved never mixes within a line. Whatever
// a guest writes, each printed line starts with its own source's name: long
// lines are cut and continued with the prefix, and control characters a
// terminal would act on are printed as \xNN. The start of the text is kept
// for the stats file, up to a bound.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sim {

class Archive;

// A UART that takes the host's console input (--console-input): natively
// the platform's console (sim/pl011.h, sim/cadence_uart.h).
class ConsoleReceiver {
  public:
    // Characters arriving on the line: as many as the receiver holds;
    // returns how many were taken.
    virtual uint32_t receive(const uint8_t* bytes, uint32_t n) = 0;

  protected:
    ~ConsoleReceiver() = default;
};

class Console {
  public:
    // Characters of one line before the console cuts it.
    static constexpr size_t max_line = 4096;

    // `keep_bytes`: how much of the transcript is kept (the rest is counted).
    explicit Console(std::ostream* out, uint64_t keep_bytes = UINT64_MAX)
        : out_(out), keep_bytes_(keep_bytes) {}

    // Registers a source; returns its index for putc(). Each line is printed
    // as "[name] line", unless `prefixed_upstream` (hv prints the VM's name
    // itself): then only the continuation of a line the console cuts gets
    // "[name] ". A source with an empty name is never prefixed.
    unsigned add_source(std::string name, bool prefixed_upstream = false);
    void putc(unsigned source, char c);
    // Which source each core's UART output goes to (the machine sets it).
    void set_core_sources(std::vector<unsigned> source_of_core) {
        source_of_core_ = std::move(source_of_core);
    }
    unsigned source_of_core(unsigned core) const { return source_of_core_.at(core); }
    // A character a core's UART transmitted, to that core's source (dropped
    // while the core has none).
    void putc_from_core(unsigned core, char c) {
        if (core < source_of_core_.size())
            putc(source_of_core_[core], c);
    }
    // Emits unterminated lines (at the end of a run).
    void flush();

    // Called with each line as emitted (escaped, without the console's
    // prefix or newline) and the index of the source that wrote it: how
    // results are read from one source's own output.
    using LineObserver = std::function<void(unsigned source, const std::string& line)>;
    void observe_lines(LineObserver observer) { observer_ = std::move(observer); }
    // Called before a line goes to the output stream: a progress line drawn
    // in place on the same terminal clears itself (sim/progress.h).
    void before_output(std::function<void()> hook) { before_output_ = std::move(hook); }
    // The name a source was registered with.
    const std::string& source_name(unsigned source) const { return sources_.at(source).name; }

    // The first keep_bytes of everything printed, as "[name] line\n" lines in
    // emission order; dropped_bytes() counts what did not fit.
    const std::string& transcript() const { return transcript_; }
    uint64_t dropped_bytes() const { return dropped_bytes_; }
    // Checkpoints (sim/checkpoint.h): sources with their unfinished lines,
    // the transcript and what was dropped. Lines are not printed again.
    void checkpoint(Archive& a);

  private:
    struct Source {
        std::string name;
        bool prefixed_upstream = false;
        bool continued = false; // the current line continues one the console cut
        std::string line;
    };
    void emit(unsigned source);

    std::ostream* out_;
    uint64_t keep_bytes_;
    std::vector<Source> sources_;
    std::vector<unsigned> source_of_core_;
    std::string transcript_;
    uint64_t dropped_bytes_ = 0;
    LineObserver observer_;
    std::function<void()> before_output_;
};

// Where a UART's transmitted characters go: the writing core's console
// source, or, for a UART with a name (a pass-through device, not hv's
// console), a source of its own printed as "[name] line" whichever core
// writes, added at its first character so that an unused UART leaves the
// console as it was.
class UartOutput {
  public:
    explicit UartOutput(Console& console, std::string name = {})
        : console_(console), name_(std::move(name)) {}
    void put(unsigned core, char c);
    // The own source once added (a restored console has it already).
    void checkpoint(Archive& a);

  private:
    Console& console_;
    std::string name_;
    std::optional<unsigned> source_;
};

} // namespace sim
