"""hv's data footprint and instruction stream per trap, from a single-stepped QEMU log.

usage: footprint.py bao-hv.elf step.log [STREAM_OUT]
  step.log: qemu-system-aarch64 ... -singlestep -d in_asm,exec,cpu,nochain
            -dfilter <hv .text range>   (measure.sh --footprint runs it)
  STREAM_OUT: optional; writes the median IRQ and sync traps' instruction
            streams (one "kind pc word" line per instruction, a blank line
            between traps) for the A53 cost of hv's paths (hv_path_cost).

For every trap on CPU 0 (hv's lower-EL sync or IRQ vector to the ERET of
restore_guest) it computes each load's and store's address from the
registers QEMU dumps before the instruction, and counts the distinct 64-byte
lines the trap touches, by where they lie: hv's stack, its .data/.bss (the
Hypervisor object: vCPUs, VMs, the vGIC), .rodata (the configuration),
hv's pool (pages it allocates: vCPU contexts, page tables), the guest's
memory, and devices (the GIC: charged as gic.reg_cycles, never cached).

The log must hold each instruction's register dump right after its Trace
line. QEMU's multi-threaded TCG (the default with -smp > 1) lets another
CPU's lines come in between, and a two-VM image runs two CPUs at once: record
it with -accel tcg,thread=single (measure.sh does). A trap with an
instruction whose registers are missing is left out and counted.
"""
import collections
import re
import subprocess
import sys

from qemu_log import events, trap_bounds

LINE = 64
REG = re.compile(r"([xw])(\d+)|(sp)|(xzr|wzr)")


def sections(elf):
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-h", elf], capture_output=True, text=True, check=True)
    sec = {}
    for line in out.stdout.splitlines():
        p = line.split()
        if len(p) >= 4 and p[0].isdigit():
            sec[p[1]] = (int(p[3], 16), int(p[3], 16) + int(p[2], 16))
    return sec


class MissingRegisters(Exception):
    """An instruction's register dump is not where the log should have it."""


def reg_value(name, regs):
    name = name.strip()
    if name in ("xzr", "wzr"):
        return 0
    key = "SP" if name == "sp" else "X%02d" % int(name[1:])
    if key not in regs:
        raise MissingRegisters(key)
    v = regs[key]
    return v & 0xffffffff if name[0] == "w" else v


def access_size(mnem, ops):
    first = ops.split(",")[0].strip()
    pair = mnem.startswith(("ldp", "stp", "ldnp", "stnp"))
    if mnem.endswith("b") and not mnem.startswith(("ldp", "stp")):
        size = 1
    elif mnem.endswith("h"):
        size = 2
    elif first.startswith("q"):
        size = 16
    elif first.startswith("d") or first.startswith("x"):
        size = 8
    else:
        size = 4
    if mnem.startswith(("stxr", "stlxr")):  # status register first
        second = ops.split(",")[1].strip()
        size = 8 if second.startswith("x") else 4
    return size * (2 if pair else 1)


def effective(pc, mnem, ops, regs):
    """(address, bytes) of a load/store, None if not one."""
    if not re.match(r"(ld|st)(?!.*\bprfm)", mnem) or mnem.startswith("prfm"):
        return None
    m = re.search(r"\[([^\]]+)\]", ops)
    if not m:
        lit = re.search(r"#([+-]?0x[0-9a-f]+|[+-]?\d+)", ops)  # ldr x0, #imm: PC-relative
        return (pc + int(lit.group(1), 0), access_size(mnem, ops)) if lit else None
    parts = [p.strip() for p in m.group(1).split(",")]
    addr = reg_value(parts[0], regs)
    if len(parts) > 1:
        if parts[1].startswith("#"):
            addr += int(parts[1][1:], 0)
        else:
            idx = reg_value(parts[1], regs)
            shift = 0
            if len(parts) > 2:
                ext = parts[2].split()
                if ext[0] == "sxtw" and idx & 0x80000000:
                    idx -= 1 << 32
                if len(ext) > 1:
                    shift = int(ext[1].lstrip("#"), 0)
            addr += idx << shift
    return addr & (2**64 - 1), access_size(mnem, ops)


def region_of(addr, sec, pool_end):
    for name in (".stacks", ".data", ".bss", ".rodata", ".text"):
        lo, hi = sec.get(name, (0, 0))
        if lo <= addr < hi:
            return {"bss": "data", "data": "data"}.get(name[1:], name[1:])
    if addr < 0x40000000:
        return "device"
    if addr < pool_end:
        return "pool"
    return "guest"


def parse(elf, log):
    """(complete traps, traps left out for a missing register dump)."""
    sec = sections(elf)
    entry, eret = trap_bounds(elf)
    insn = {}  # (pc, flags) -> (word, mnemonic, operands)
    traps = []
    torn = 0
    cur = None
    regs, pc, flags, cpu = {}, None, None, None

    def step():
        if cpu != 0 or pc is None:
            return
        nonlocal cur, torn
        if pc in entry:
            cur = {"kind": entry[pc], "stream": [], "lines": collections.defaultdict(set),
                   "written": set(), "device": 0}
        if cur is None:
            return
        word, mnem, ops = insn.get((pc, flags), (0, "?", ""))
        cur["stream"].append((pc, word))
        try:
            acc = effective(pc, mnem, ops, regs)
        except MissingRegisters:
            # Another CPU's lines came between this instruction's Trace line
            # and its registers: the trap's addresses cannot be known.
            torn += 1
            cur = None
            return
        if acc:
            addr, size = acc
            where = region_of(addr, sec, 0x40000000 + 0x200000)
            if where == "device":
                cur["device"] += 1
            else:
                for line in range(addr // LINE, (addr + size - 1) // LINE + 1):
                    cur["lines"][where].add(line)
                    if mnem.startswith("st"):
                        cur["written"].add(line)
        if pc == eret:
            traps.append(cur)
            cur = None

    # The registers QEMU dumps after a Trace line are those before its
    # instruction runs: an instruction is stepped at the next Trace line.
    for ev in events(log):
        if ev[0] == "exec":
            step()
            _, cpu, pc, flags, block = ev
            regs = {}
            if block:
                insn[(pc, flags)] = block[0][1:]  # single-stepped: one instruction a block
            continue
        line = ev[1]
        if line.startswith(" PC=") or line.startswith("X") or "SP=" in line:
            for k, v in re.findall(r"(X\d\d|SP)=([0-9a-f]+)", line):
                regs[k] = int(v, 16)
    step()
    return traps, torn


def report(traps, stream_out, torn=0):
    if torn:
        print(f"{torn} trap(s) left out: an instruction's registers were not dumped after its "
              f"Trace line (the log interleaves CPUs: record it with -accel tcg,thread=single)")
    chosen = {}
    for kind in ("sync", "irq"):
        v = [t for t in traps if t["kind"] == kind]
        if not v:
            print(f"{kind}: no complete trap found")
            continue
        v.sort(key=lambda t: sum(len(s) for s in t["lines"].values()))
        med = v[len(v) // 2]
        chosen[kind] = med
        total = sum(len(s) for s in med["lines"].values())
        by = ", ".join(f"{k} {len(s)}" for k, s in sorted(med["lines"].items()))
        print(f"{kind}: {len(v)} traps; median trap {len(med['stream'])} instructions, "
              f"{total} data lines ({by}), {len(med['written'])} written, "
              f"{med['device']} device accesses")
    if stream_out:
        with open(stream_out, "w") as f:
            for kind, t in chosen.items():
                for pc, word in t["stream"]:
                    f.write(f"{kind} {pc:#x} {word:#010x}\n")
                f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    traps, torn = parse(sys.argv[1], sys.argv[2])
    report(traps, sys.argv[3] if len(sys.argv) == 4 else None, torn)
