"""What paths.py and footprint.py share: hv's trap bounds in the ELF and the
translation blocks and executions of a QEMU log (-d in_asm,exec,nochain).

A trap starts when CPU 0 enters hv's lower-EL sync (VBAR+0x400) or IRQ
(VBAR+0x480) vector and ends at the ERET of restore_guest. Addresses come
from the ELF's symbols, so a rebuilt image needs no edits. The guest runs at
the same addresses (its IPA range starts where hv's PA does): translations
are told apart by their flags.
"""
import re
import subprocess

TRACE = re.compile(r"Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/")
INSN = re.compile(r"0x([0-9a-f]+):\s+([0-9a-f]{8})\s+(\S+)\s*(.*)")


def symbols(elf):
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True, text=True, check=True)
    return {p[2]: int(p[0], 16) for p in (l.split() for l in out.stdout.splitlines()) if len(p) == 3}


def eret_address(elf, start):
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--start-address=%#x" % start, elf],
                         capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+eret", line)
        if m:
            return int(m.group(1), 16)
    raise SystemExit("no eret after restore_guest")


def trap_bounds(elf):
    """({vector address: "sync" or "irq"}, the address of restore_guest's ERET)."""
    sym = symbols(elf)
    vbar = sym["bao_hv_vectors"]
    return {vbar + 0x400: "sync", vbar + 0x480: "irq"}, eret_address(elf, sym["restore_guest"])


def events(log):
    """The log's lines as ("exec", cpu, pc, flags, block) for each Trace line,
    where block lists the (address, word, mnemonic, operands) of the "IN:"
    listing translated just before it (None if there was none), and
    ("other", line) for every line that is neither."""
    pending = None  # the instructions of an "IN:" block, until its Trace line
    for line in open(log, errors="replace"):
        if line.startswith("IN:"):
            pending = []
            continue
        m = INSN.match(line)
        if m and pending is not None:
            pending.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)))
            continue
        m = TRACE.match(line)
        if m:
            yield "exec", int(m.group(1)), int(m.group(2), 16), m.group(3), pending or None
            pending = None
            continue
        yield "other", line
