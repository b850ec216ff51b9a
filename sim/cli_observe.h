#pragma once
// The observability options of bao-sim's command line (docs/observability.md):
// --trace and its filters, --stats-interval, --log-level/--log and the progress
// line. Each group adds its options to a description and reads them back.

#include "sim/interval_stats.h"
#include "sim/log.h"
#include "sim/progress.h"
#include "sim/trace.h"

#include <boost/program_options.hpp>

#include <optional>

namespace sim {

void add_trace_options(boost::program_options::options_description& desc);
TraceOptions trace_options(const boost::program_options::variables_map& vm);

void add_interval_options(boost::program_options::options_description& desc);
IntervalOptions interval_options(const boost::program_options::variables_map& vm);

void add_log_options(boost::program_options::options_description& desc);
LogLevels log_levels(const boost::program_options::variables_map& vm);

// The progress line's mode (sim/progress.h), or none.
std::optional<ProgressOptions> progress_options(const boost::program_options::variables_map& vm,
                                                const LogLevels& levels, bool err_is_terminal);

} // namespace sim
