"""footprint.py on small hand-written QEMU logs (CTest tools.hv_paths.Footprint).

One sync trap on CPU 0: a load through x19 into hv's .data, then the ERET.
Written as one TCG thread writes it, the trap is counted; with CPU 1's Trace
line between the load's Trace line and its registers (QEMU's multi-threaded
TCG on a two-VM image), the trap is left out and counted as such, where the
script used to stop with KeyError: 'X19'.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import footprint  # noqa: E402

SYNC, IRQ, ERET = 0x40000c00, 0x40000c80, 0x40001000
DATA = 0x40100000


def dump(pc, x19=DATA):
    regs = [0] * 31
    regs[19] = x19
    lines = [f" PC={pc:016x} X00={regs[0]:016x} X01={regs[1]:016x}"]
    for first in range(2, 29, 3):
        lines.append(" ".join(f"X{n:02d}={regs[n]:016x}" for n in range(first, first + 3)))
    lines.append(f"X29={regs[29]:016x} X30={regs[30]:016x}  SP=0000000040080000")
    lines.append("PSTATE=600003c9 -ZC- EL2h")
    return lines


def block(pc, word, text):
    return ["----------------", "IN: ", f"0x{pc:08x}:  {word:08x}  {text}", ""]


def trace(cpu, pc):
    return f"Trace {cpu}: 0x7f0000000000 [0000000000000000/{pc:016x}/00000061/ff080201] "


class Footprint(unittest.TestCase):
    def setUp(self):
        self.saved = footprint.sections, footprint.trap_bounds
        footprint.sections = lambda elf: {".data": (DATA, DATA + 0x1000)}
        footprint.trap_bounds = lambda elf: ({SYNC: "sync", IRQ: "irq"}, ERET)

    def tearDown(self):
        footprint.sections, footprint.trap_bounds = self.saved

    def parse(self, lines):
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write("\n".join(lines) + "\n")
        try:
            return footprint.parse("bao-hv.elf", f.name)
        finally:
            os.unlink(f.name)

    def test_one_thread_log_counts_the_trap(self):
        log = (block(SYNC, 0xf9400260, "ldr      x0, [x19]") + [trace(0, SYNC)] + dump(SYNC)
               + block(ERET, 0xd69f03e0, "eret") + [trace(0, ERET)] + dump(ERET))
        traps, torn = self.parse(log)
        self.assertEqual(torn, 0)
        self.assertEqual(len(traps), 1)
        self.assertEqual(traps[0]["kind"], "sync")
        self.assertEqual({k: len(v) for k, v in traps[0]["lines"].items()}, {"data": 1})

    def test_interleaved_cpus_leave_the_trap_out(self):
        log = (block(SYNC, 0xf9400260, "ldr      x0, [x19]") + [trace(0, SYNC)]
               + block(0x40002000, 0xd503201f, "nop") + [trace(1, 0x40002000)]
               + dump(SYNC) + dump(0x40002000)
               + block(ERET, 0xd69f03e0, "eret") + [trace(0, ERET)] + dump(ERET))
        traps, torn = self.parse(log)
        self.assertEqual(traps, [])
        self.assertEqual(torn, 1)


if __name__ == "__main__":
    unittest.main()
