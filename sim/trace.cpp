#include "sim/trace.h"

#include "sim/error.h"
#include "sim/loader.h"

#include <cstdio>
#include <sstream>

namespace sim {

std::pair<uint64_t, uint64_t> parse_trace_range(const std::string& text,
                                                const std::string& option) {
    const size_t dash = text.find('-');
    if (dash == std::string::npos)
        throw InputError(option + ": '" + text + "' is not a range LO-HI");
    const std::string lo = text.substr(0, dash), hi = text.substr(dash + 1);
    if (lo.empty() && hi.empty())
        throw InputError(option + ": '" + text + "' gives neither end");
    const uint64_t a = lo.empty() ? 0 : parse_size(lo, option);
    const uint64_t b = hi.empty() ? UINT64_MAX : parse_size(hi, option);
    if (a > b)
        throw InputError(option + ": '" + text + "' ends before it starts");
    return {a, b};
}

std::vector<std::string> split_list(const std::string& text, const std::string& option) {
    std::vector<std::string> items;
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');) {
        if (item.empty())
            throw InputError(option + ": empty item in '" + text + "'");
        items.push_back(item);
    }
    if (items.empty())
        throw InputError(option + ": empty list");
    return items;
}

TraceWriter::TraceWriter(const std::string& path, bool blocks, std::vector<std::string> vm_of_core,
                         bool riscv)
    : out_(path), vm_of_core_(std::move(vm_of_core)), riscv_(riscv) {
    if (!out_)
        throw InputError("--trace: cannot write '" + path + "'");
    if (blocks)
        out_ << "# bao-sim trace, one line per basic block (docs/observability.md)\n"
                "# core vm el insn cycle pc pa insns cycles\n";
    else
        out_ << "# bao-sim trace, one line per instruction (docs/observability.md)\n"
                "# core vm el insn cycle pc pa word disassembly [; access: R|W<bytes> va "
                "[pa=PA] L1|L2|mem|dev|-]\n";
}

namespace {

std::string vm_name(const std::vector<std::string>& names, unsigned core) {
    return core < names.size() && !names[core].empty() ? names[core] : "-";
}

} // namespace

std::string TraceWriter::level(uint8_t el) const {
    if (riscv_)
        return el ? "S" : "U";
    return "EL" + std::to_string(el);
}

void TraceWriter::on_insn(unsigned core, const cpu::TracedInsn& in) {
    char line[256];
    std::snprintf(line, sizeof line, "%u %s %s %llu %llu 0x%016llx 0x%016llx %08x%s%s", core,
                  vm_name(vm_of_core_, core).c_str(), level(in.el).c_str(),
                  static_cast<unsigned long long>(in.index),
                  static_cast<unsigned long long>(in.cycle), static_cast<unsigned long long>(in.pc),
                  static_cast<unsigned long long>(in.pc_pa), in.word, in.text.empty() ? "" : "  ",
                  in.text.c_str());
    out_ << line;
    for (unsigned k = 0; k < in.access_count; ++k) {
        const cpu::TracedAccess& a = in.accesses[k];
        out_ << (k == 0 ? " ; " : ", ");
        std::snprintf(line, sizeof line, "%c%u 0x%llx", a.is_write ? 'W' : 'R', a.size,
                      static_cast<unsigned long long>(a.va));
        out_ << line;
        if (a.pa != a.va) {
            std::snprintf(line, sizeof line, " pa=0x%llx", static_cast<unsigned long long>(a.pa));
            out_ << line;
        }
        out_ << ' ' << cpu::served_by_name(a.level);
    }
    if (in.more_accesses)
        out_ << ", +" << in.more_accesses << " more";
    out_ << '\n';
    ++records_;
}

void TraceWriter::on_block(unsigned core, const cpu::TracedBlock& b) {
    char line[200];
    std::snprintf(line, sizeof line, "%u %s %s %llu %llu 0x%016llx 0x%016llx %u %llu\n", core,
                  vm_name(vm_of_core_, core).c_str(), level(b.el).c_str(),
                  static_cast<unsigned long long>(b.index),
                  static_cast<unsigned long long>(b.cycle), static_cast<unsigned long long>(b.pc),
                  static_cast<unsigned long long>(b.pc_pa), b.instructions,
                  static_cast<unsigned long long>(b.cycles));
    out_ << line;
    ++records_;
}

namespace {

// The cores the VM and core filters select together (every core when neither is given).
uint64_t selected_cores(const Machine& machine, const TraceOptions& o,
                        const std::vector<VmCores>& vms) {
    const unsigned n = machine.core_count();
    uint64_t mask = n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    if (!o.cores.empty()) {
        uint64_t c = 0;
        for (unsigned core : o.cores) {
            if (core >= n)
                throw InputError("--trace-core: core " + std::to_string(core) +
                                 " does not exist (the machine has " + std::to_string(n) +
                                 " cores)");
            c |= uint64_t{1} << core;
        }
        mask &= c;
    }
    if (!o.vms.empty()) {
        uint64_t c = 0;
        for (const std::string& want : o.vms) {
            bool found = false;
            for (size_t v = 0; v < vms.size(); ++v)
                if (vms[v].name == want || std::to_string(v) == want) {
                    c |= vms[v].cores;
                    found = true;
                }
            if (!found) {
                std::string known;
                for (const VmCores& v : vms)
                    known += (known.empty() ? "" : ", ") + v.name;
                throw InputError("--trace-vm: no VM '" + want + "' (VMs: " + known + ")");
            }
        }
        mask &= c;
    }
    if (mask == 0)
        throw InputError("--trace-vm and --trace-core together select no core");
    return mask;
}

} // namespace

std::unique_ptr<TraceWriter> start_trace(Machine& machine, const TraceOptions& o,
                                         const std::vector<VmCores>& vms) {
    const uint64_t mask = selected_cores(machine, o, vms);
    std::vector<std::string> vm_of_core(machine.core_count());
    for (const VmCores& v : vms)
        for (unsigned c = 0; c < machine.core_count(); ++c)
            if ((v.cores >> c) & 1)
                vm_of_core[c] = v.name;
    auto writer =
        std::make_unique<TraceWriter>(o.path, o.blocks, std::move(vm_of_core),
                                      machine.params().platform.find("riscv") != std::string::npos);
    cpu::TraceRequest r;
    r.sink = writer.get();
    r.blocks = o.blocks;
    r.pc_lo = o.pc_lo;
    r.pc_hi = o.pc_hi;
    r.insn_lo = o.insn_lo;
    r.insn_hi = o.insn_hi;
    for (unsigned c = 0; c < machine.core_count(); ++c)
        if (((mask >> c) & 1) && !machine.core(c).set_trace(r))
            throw InputError("--trace: core " + std::to_string(c) + " of platform " +
                             machine.params().platform + " cannot be traced");
    return writer;
}

} // namespace sim
