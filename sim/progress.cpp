#include "sim/progress.h"

#include <cstdio>

namespace sim {
namespace {

// Quanta between looks at the host clock: a quantum is about a microsecond
// of simulated time, tens of microseconds of host time.
constexpr uint64_t kQuantaPerCheck = 256;

} // namespace

std::optional<ProgressOptions> choose_progress(ProgressChoice choice, bool stderr_is_terminal,
                                               const LogLevels& levels) {
    ProgressOptions p;
    p.in_place = stderr_is_terminal;
    switch (choice) {
    case ProgressChoice::off:
        return std::nullopt;
    case ProgressChoice::on: // from the first quantum; whole lines, slower, in a file
        p.delay_seconds = 0;
        p.interval_seconds = stderr_is_terminal ? 0.5 : 1;
        return p;
    case ProgressChoice::automatic:
        break;
    }
    for (size_t i = 0; i < kLogSources; ++i)
        if (levels.of(static_cast<LogSource>(i)) <= LogLevel::info)
            return std::nullopt;
    if (!stderr_is_terminal)
        return std::nullopt;
    return p;
}

Progress::Progress(Simulation& sim, std::ostream& out, const ProgressOptions& options)
    : sim_(sim), out_(out), options_(options), start_(std::chrono::steady_clock::now()),
      next_draw_(options.delay_seconds) {
    sim_.machine().add_quantum_observer([this](uint64_t) { on_quantum(); });
    if (options_.in_place)
        sim_.machine().console().before_output([this] { clear(); });
}

void Progress::on_quantum() {
    // The first quantum looks too, so a line forced with no delay is certain.
    if (quanta_++ % kQuantaPerCheck != 0)
        return;
    const double now =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (now < next_draw_)
        return;
    next_draw_ = now + options_.interval_seconds;
    draw();
}

void Progress::draw() {
    const Machine& m = sim_.machine();
    const double host =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const uint64_t insns = m.instructions_now();
    const double simulated =
        static_cast<double>(m.global_cycles()) / static_cast<double>(m.params().core_hz);
    char head[160];
    std::snprintf(head, sizeof head, "bao-sim: %.6f s simulated, %.1f M instructions, %.1f MIPS | ",
                  simulated, static_cast<double>(insns) / 1e6,
                  host > 0 ? static_cast<double>(insns) / host / 1e6 : 0.0);
    if (options_.in_place)
        out_ << "\r" << head << sim_.vm_states() << "\x1b[K" << std::flush;
    else
        out_ << head << sim_.vm_states() << "\n" << std::flush;
    shown_ = options_.in_place;
    drawn_ = true;
}

void Progress::clear() {
    if (!shown_)
        return;
    out_ << "\r\x1b[K" << std::flush;
    shown_ = false;
}

void Progress::finish() {
    if (!drawn_)
        return; // a short run: no line at all
    sim_.machine().console().before_output(nullptr);
    draw();
    if (options_.in_place)
        out_ << "\n" << std::flush;
    shown_ = false;
}

} // namespace sim
