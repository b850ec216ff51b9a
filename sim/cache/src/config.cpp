#include "sim/cache/config.hpp"
#include "sim/cache/number.hpp"

#include <cmath>

#include <charconv>
#include <functional>
#include <limits>
#include <stdexcept>

namespace sim::cache {

namespace {

[[noreturn]] void bad_value(std::string_view key, std::string_view value, std::string_view want) {
    throw std::invalid_argument("model parameter '" + std::string(key) + "': bad value '" +
                                std::string(value) + "' (expected " + std::string(want) + ")");
}

// Unsigned integer: decimal or 0x hex with an optional binary suffix (32K,
// 32KiB, 1M, 0x100000); no sign, no leading zero (number.hpp).
std::uint64_t parse_count(std::string_view key, std::string_view value) {
    const ParsedNumber n = parse_number_text(value);
    if (!n.error.empty()) {
        bad_value(key, value, "an unsigned decimal or 0x-hex integer, optionally with K, M or G");
    }
    return n.value;
}

unsigned parse_unsigned(std::string_view key, std::string_view value) {
    const std::uint64_t number = parse_count(key, value);
    if (number > std::numeric_limits<unsigned>::max()) {
        bad_value(key, value, "a value below 2^32");
    }
    return static_cast<unsigned>(number);
}

// A finite number, > 0 or (with zero_ok) >= 0.
double parse_number(std::string_view key, std::string_view value, bool zero_ok) {
    const char* expected = zero_ok ? "a number >= 0" : "a positive number";
    // No sign or leading space (std::stod would take "-0" and " 1").
    if (value.empty() || !((value[0] >= '0' && value[0] <= '9') || value[0] == '.')) {
        bad_value(key, value, expected);
    }
    std::size_t used = 0;
    double number = -1.0;
    try {
        number = std::stod(std::string(value), &used);
    } catch (const std::exception&) {
        bad_value(key, value, expected);
    }
    if (used != value.size() || !std::isfinite(number) || number < 0.0 ||
        (number == 0.0 && !zero_ok)) {
        bad_value(key, value, expected);
    }
    return number;
}

double parse_non_negative(std::string_view key, std::string_view value) {
    return parse_number(key, value, true);
}

double parse_positive(std::string_view key, std::string_view value) {
    return parse_number(key, value, false);
}

Replacement parse_replacement(std::string_view key, std::string_view value) {
    if (value == "lru") {
        return Replacement::lru;
    }
    if (value == "plru") {
        return Replacement::plru;
    }
    if (value == "random") {
        return Replacement::random;
    }
    if (value == "lfsr") {
        return Replacement::lfsr;
    }
    bad_value(key, value, "lru, plru, random or lfsr");
}

L2Allocation parse_allocation(std::string_view key, std::string_view value) {
    if (value == "on_l1_eviction") {
        return L2Allocation::on_l1_eviction;
    }
    if (value == "on_fill") {
        return L2Allocation::on_fill;
    }
    bad_value(key, value, "on_l1_eviction or on_fill");
}

Arrivals parse_arrivals(std::string_view key, std::string_view value) {
    if (value == "poisson") {
        return Arrivals::poisson;
    }
    if (value == "bursts") {
        return Arrivals::bursts;
    }
    bad_value(key, value, "poisson or bursts");
}

struct Field {
    std::string_view key;
    std::function<void(HierarchyConfig&, std::string_view key, std::string_view value)> set;
    std::function<std::string(const HierarchyConfig&)> get;
};

template <class Member> Field unsigned_field(std::string_view key, Member member) {
    return {key,
            [member](HierarchyConfig& c, std::string_view k, std::string_view v) {
                member(c) = parse_unsigned(k, v);
            },
            [member](const HierarchyConfig& c) {
                HierarchyConfig copy = c;
                return std::to_string(member(copy));
            }};
}

std::vector<Field> cache_fields(std::string_view prefix_key_size, std::string_view key_ways,
                                std::string_view key_replacement, std::string_view key_latency,
                                CacheConfig HierarchyConfig::*level) {
    return {
        {prefix_key_size,
         [level](HierarchyConfig& c, std::string_view k, std::string_view v) {
             (c.*level).size_bytes = parse_count(k, v);
         },
         [level](const HierarchyConfig& c) { return std::to_string((c.*level).size_bytes); }},
        unsigned_field(key_ways,
                       [level](HierarchyConfig& c) -> unsigned& { return (c.*level).ways; }),
        {key_replacement,
         [level](HierarchyConfig& c, std::string_view k, std::string_view v) {
             (c.*level).replacement = parse_replacement(k, v);
         },
         [level](const HierarchyConfig& c) {
             return std::string(to_string((c.*level).replacement));
         }},
        unsigned_field(key_latency,
                       [level](HierarchyConfig& c) -> unsigned& { return (c.*level).latency; }),
    };
}

const std::vector<Field>& fields() {
    static const std::vector<Field> table = [] {
        std::vector<Field> all;
        all.push_back(
            unsigned_field("cores", [](HierarchyConfig& c) -> unsigned& { return c.cores; }));
        all.push_back(
            unsigned_field("line", [](HierarchyConfig& c) -> unsigned& { return c.line_bytes; }));
        for (Field& f : cache_fields("l1i.size", "l1i.ways", "l1i.replacement", "l1i.latency",
                                     &HierarchyConfig::l1i)) {
            all.push_back(std::move(f));
        }
        for (Field& f : cache_fields("l1d.size", "l1d.ways", "l1d.replacement", "l1d.latency",
                                     &HierarchyConfig::l1d)) {
            all.push_back(std::move(f));
        }
        for (Field& f : cache_fields("l2.size", "l2.ways", "l2.replacement", "l2.latency",
                                     &HierarchyConfig::l2)) {
            all.push_back(std::move(f));
        }
        all.push_back(unsigned_field("l1i.prefetch_overlap", [](HierarchyConfig& c) -> unsigned& {
            return c.l1i_prefetch_overlap;
        }));
        all.push_back(unsigned_field("l1i.own_linefill", [](HierarchyConfig& c) -> unsigned& {
            return c.l1i_own_linefill;
        }));
        all.push_back({"l2.bandwidth",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.l2_bandwidth = parse_non_negative(k, v);
                       },
                       [](const HierarchyConfig& c) { return std::to_string(c.l2_bandwidth); }});
        all.push_back(
            {"l2.arrivals",
             [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                 c.l2_arrivals = parse_arrivals(k, v);
             },
             [](const HierarchyConfig& c) { return std::string(to_string(c.l2_arrivals)); }});
        all.push_back(
            {"l2.allocation",
             [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                 c.l2_allocation = parse_allocation(k, v);
             },
             [](const HierarchyConfig& c) { return std::string(to_string(c.l2_allocation)); }});
        all.push_back({"l2.inst_allocation",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.l2_inst_allocation = parse_allocation(k, v);
                       },
                       [](const HierarchyConfig& c) {
                           return std::string(to_string(c.l2_inst_allocation));
                       }});
        all.push_back(unsigned_field("l1d.prefetch.degree", [](HierarchyConfig& c) -> unsigned& {
            return c.l1d_prefetch.degree;
        }));
        all.push_back(unsigned_field("l1d.prefetch.trigger", [](HierarchyConfig& c) -> unsigned& {
            return c.l1d_prefetch.trigger;
        }));
        all.push_back(
            unsigned_field("l1d.prefetch.max_stride", [](HierarchyConfig& c) -> unsigned& {
                return c.l1d_prefetch.max_stride;
            }));
        all.push_back(unsigned_field("l1d.prefetch.streams", [](HierarchyConfig& c) -> unsigned& {
            return c.l1d_prefetch.streams;
        }));
        all.push_back(unsigned_field("l1d.write_streaming", [](HierarchyConfig& c) -> unsigned& {
            return c.write_streaming.enabled;
        }));
        all.push_back(
            unsigned_field("l1d.write_streaming.l1_lines", [](HierarchyConfig& c) -> unsigned& {
                return c.write_streaming.l1_lines;
            }));
        all.push_back(
            unsigned_field("l1d.write_streaming.l2_lines", [](HierarchyConfig& c) -> unsigned& {
                return c.write_streaming.l2_lines;
            }));
        all.push_back(unsigned_field(
            "tlb.l1d.entries", [](HierarchyConfig& c) -> unsigned& { return c.tlb.l1d_entries; }));
        all.push_back(unsigned_field("tlb.l1d.huge_pages", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.l1d_huge_pages;
        }));
        all.push_back(unsigned_field(
            "tlb.l1i.entries", [](HierarchyConfig& c) -> unsigned& { return c.tlb.l1i_entries; }));
        all.push_back(unsigned_field(
            "tlb.l2.entries", [](HierarchyConfig& c) -> unsigned& { return c.tlb.l2_entries; }));
        all.push_back(unsigned_field(
            "tlb.l2.ways", [](HierarchyConfig& c) -> unsigned& { return c.tlb.l2_ways; }));
        all.push_back(unsigned_field(
            "tlb.l2.latency", [](HierarchyConfig& c) -> unsigned& { return c.tlb.l2_latency; }));
        all.push_back(unsigned_field("tlb.walk_cache.entries", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.walk_cache_entries;
        }));
        all.push_back(unsigned_field("tlb.walk_cache.ways", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.walk_cache_ways;
        }));
        all.push_back(unsigned_field("tlb.walk_cache.latency", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.walk_cache_latency;
        }));
        all.push_back(unsigned_field("tlb.walk_cache.stage2", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.walk_cache_stage2;
        }));
        all.push_back(unsigned_field("tlb.ipa_cache.entries", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.ipa_cache_entries;
        }));
        all.push_back(unsigned_field("tlb.ipa_cache.ways", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.ipa_cache_ways;
        }));
        all.push_back(unsigned_field("tlb.ipa_cache.latency", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.ipa_cache_latency;
        }));
        all.push_back(unsigned_field("tlb.guest_stage1", [](HierarchyConfig& c) -> unsigned& {
            return c.tlb.guest_stage1;
        }));
        all.push_back(unsigned_field(
            "mem.latency", [](HierarchyConfig& c) -> unsigned& { return c.mem.latency; }));
        all.push_back({"mem.bandwidth",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.mem.bandwidth = parse_positive(k, v);
                       },
                       [](const HierarchyConfig& c) { return std::to_string(c.mem.bandwidth); }});
        all.push_back({"mem.window",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.mem.window = parse_count(k, v);
                       },
                       [](const HierarchyConfig& c) { return std::to_string(c.mem.window); }});
        all.push_back(unsigned_field("mem.mshrs",
                                     [](HierarchyConfig& c) -> unsigned& { return c.mem.mshrs; }));
        all.push_back(
            {"mem.max_utilization",
             [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                 c.mem.max_utilization = parse_positive(k, v);
             },
             [](const HierarchyConfig& c) { return std::to_string(c.mem.max_utilization); }});
        all.push_back({"mem.smoothing",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.mem.smoothing = parse_positive(k, v);
                       },
                       [](const HierarchyConfig& c) { return std::to_string(c.mem.smoothing); }});
        all.push_back(
            {"mem.arrivals",
             [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                 c.mem.arrivals = parse_arrivals(k, v);
             },
             [](const HierarchyConfig& c) { return std::string(to_string(c.mem.arrivals)); }});
        all.push_back(
            unsigned_field("mem.bank_conflict_cycles", [](HierarchyConfig& c) -> unsigned& {
                return c.mem.bank_conflict_cycles;
            }));
        all.push_back({"seed",
                       [](HierarchyConfig& c, std::string_view k, std::string_view v) {
                           c.seed = parse_count(k, v);
                       },
                       [](const HierarchyConfig& c) { return std::to_string(c.seed); }});
        return all;
    }();
    return table;
}

} // namespace

std::string_view to_string(Replacement replacement) {
    switch (replacement) {
    case Replacement::lru:
        return "lru";
    case Replacement::plru:
        return "plru";
    case Replacement::lfsr:
        return "lfsr";
    case Replacement::random:
        break;
    }
    return "random";
}

std::string_view to_string(L2Allocation allocation) {
    return allocation == L2Allocation::on_fill ? "on_fill" : "on_l1_eviction";
}

std::string_view to_string(Arrivals arrivals) {
    return arrivals == Arrivals::bursts ? "bursts" : "poisson";
}

void set_config_field(HierarchyConfig& config, std::string_view key, std::string_view value) {
    for (const Field& field : fields()) {
        if (field.key == key) {
            field.set(config, key, value);
            return;
        }
    }
    throw std::invalid_argument("unknown model parameter '" + std::string(key) + "'");
}

void apply_setting(HierarchyConfig& config, std::string_view assignment) {
    const std::size_t equals = assignment.find('=');
    if (equals == std::string_view::npos || equals == 0) {
        throw std::invalid_argument("model setting '" + std::string(assignment) +
                                    "' is not of the form key=value");
    }
    set_config_field(config, assignment.substr(0, equals), assignment.substr(equals + 1));
}

std::vector<std::pair<std::string, std::string>> config_fields(const HierarchyConfig& config) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Field& field : fields()) {
        out.emplace_back(std::string(field.key), field.get(config));
    }
    return out;
}

namespace {

[[noreturn]] void invalid(std::string_view key, const std::string& why) {
    throw std::invalid_argument("model parameter '" + std::string(key) + "': " + why);
}

bool power_of_two(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

void check_cache(const CacheConfig& level, std::string_view name, unsigned line) {
    const std::string prefix(name);
    if (level.ways == 0 || level.ways > 32) {
        invalid(prefix + ".ways", "must be between 1 and 32");
    }
    const std::uint64_t way_bytes = std::uint64_t{level.ways} * line;
    if (level.size_bytes % way_bytes != 0 || !power_of_two(level.size_bytes / way_bytes)) {
        invalid(prefix + ".size", "size / (ways x line) must be a power of two");
    }
    if (level.replacement == Replacement::plru && !power_of_two(level.ways)) {
        invalid(prefix + ".replacement", "plru needs a power-of-two number of ways");
    }
}

} // namespace

void validate(const HierarchyConfig& config) {
    if (config.cores == 0 || config.cores > kMaxCores) {
        invalid("cores", "must be between 1 and " + std::to_string(kMaxCores));
    }
    if (!power_of_two(config.line_bytes) || config.line_bytes < 8) {
        invalid("line", "must be a power of two of at least 8 bytes");
    }
    check_cache(config.l1i, "l1i", config.line_bytes);
    check_cache(config.l1d, "l1d", config.line_bytes);
    check_cache(config.l2, "l2", config.line_bytes);
    if (config.l2.latency < config.l1d.latency || config.l2.latency < config.l1i.latency) {
        invalid("l2.latency", "must not be below the L1 latencies");
    }
    const TlbConfig& tlb = config.tlb;
    if (tlb.l1d_entries == 0) {
        invalid("tlb.l1d.entries", "must be positive");
    }
    if (tlb.l1i_entries == 0) {
        invalid("tlb.l1i.entries", "must be positive");
    }
    if (tlb.l2_ways == 0 || tlb.l2_entries % tlb.l2_ways != 0 ||
        !power_of_two(tlb.l2_entries / tlb.l2_ways)) {
        invalid("tlb.l2.entries", "entries / ways must be a power of two");
    }
    if (config.l1d_prefetch.degree > kMaxPrefetchDegree) {
        invalid("l1d.prefetch.degree", "must be at most " + std::to_string(kMaxPrefetchDegree));
    }
    if (config.l1d_prefetch.trigger < 2) {
        invalid("l1d.prefetch.trigger", "must be at least 2 (a stride needs two misses)");
    }
    if (config.l1d_prefetch.max_stride == 0) {
        invalid("l1d.prefetch.max_stride", "must be positive");
    }
    if (config.l1i_own_linefill > 1) {
        invalid("l1i.own_linefill", "must be 0 (off) or 1");
    }
    if (config.l1d_prefetch.streams == 0 || config.l1d_prefetch.streams > kMaxPrefetchStreams) {
        invalid("l1d.prefetch.streams",
                "must be between 1 and " + std::to_string(kMaxPrefetchStreams));
    }
    if (config.write_streaming.enabled > 1) {
        invalid("l1d.write_streaming", "must be 0 or 1");
    }
    if (config.write_streaming.l1_lines == 0 ||
        config.write_streaming.l2_lines < config.write_streaming.l1_lines) {
        invalid("l1d.write_streaming.l2_lines",
                "thresholds must be positive and l2_lines >= l1_lines");
    }
    if (tlb.guest_stage1 > 1) {
        invalid("tlb.guest_stage1", "must be 0 or 1");
    }
    if (tlb.l1d_huge_pages > 1) {
        invalid("tlb.l1d.huge_pages", "must be 0 or 1");
    }
    if (tlb.walk_cache_stage2 > 1) {
        invalid("tlb.walk_cache.stage2", "must be 0 or 1");
    }
    if (tlb.walk_cache_entries != 0 &&
        (tlb.walk_cache_ways == 0 || tlb.walk_cache_ways > 32 ||
         tlb.walk_cache_entries % tlb.walk_cache_ways != 0 ||
         !power_of_two(tlb.walk_cache_entries / tlb.walk_cache_ways))) {
        invalid("tlb.walk_cache.entries", "entries / ways must be a power of two");
    }
    if (tlb.ipa_cache_entries != 0 && (tlb.ipa_cache_ways == 0 || tlb.ipa_cache_ways > 32 ||
                                       tlb.ipa_cache_entries % tlb.ipa_cache_ways != 0 ||
                                       !power_of_two(tlb.ipa_cache_entries / tlb.ipa_cache_ways))) {
        invalid("tlb.ipa_cache.entries", "entries / ways must be a power of two");
    }
    if (config.mem.mshrs == 0 || config.mem.mshrs > 32) {
        invalid("mem.mshrs", "must be between 1 and 32");
    }
    if (config.mem.window == 0) {
        invalid("mem.window", "must be positive");
    }
    if (!(config.mem.bandwidth > 0.0)) {
        invalid("mem.bandwidth", "must be positive");
    }
    if (!(config.mem.smoothing > 0.0 && config.mem.smoothing <= 1.0)) {
        invalid("mem.smoothing", "must be in (0, 1]");
    }
    if (!(config.mem.max_utilization > 0.0 && config.mem.max_utilization < 1.0)) {
        invalid("mem.max_utilization", "must be in (0, 1)");
    }
}

} // namespace sim::cache
