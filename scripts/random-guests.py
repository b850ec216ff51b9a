#!/usr/bin/env python3
"""Runs bao-sim on guests made of random instructions (docs/fuzzing.md,
"Random guests"): nothing a guest does may stop the simulator, so every run
must end with exit code 0, 3, 4 or 5 (docs/design.md#exit-codes). A run that
ends otherwise (an internal error, a signal, a timeout) keeps its image,
configuration and output under OUT_DIR and is listed at the end; the script
exits 1 if there was any.

Each guest runs in a VM under hv (with a second VM, "victim", running the
hello workload beside it) or natively. Its image starts by pointing its
exception vectors at itself (VBAR_EL1 or stvec = the image's base), so every
exception runs more random code; the rest is random words, uniform or biased
towards loads, stores, system instructions and exception generators.

With --stage1 the prefix first builds a valid stage-1 translation in the
guest's own memory and turns its MMU on (docs/fuzzing.md, "Random guests"):
on AArch64 4 KiB-granule tables (TTBR0 from level 0 or 1, sometimes TTBR1)
identity-mapping the guest's RAM with 2 MiB blocks and one 2 MiB range in
4 KiB pages, non-identity aliases of that RAM (the same level-2 table 4 GiB
higher, a 2 MiB and a 1 GiB block outside every region, so placeholder
regions cover them, TTBR1's half, pages permuted within RAM), in one seed in
three covered addresses translated to IPAs the VM does not back or walked
through level-3 tables there or in the GIC distributor's page, read-only,
access-flag-clear, execute-never, non-global and invalid entries, and the
UART and GIC pages as Device memory (the UART also through an alias), then
SCTLR_EL1.M = 1 and an ISB; on RISC-V Sv39 in satp with 1 GiB, 2 MiB and
4 KiB leaves (identity, permuted within RAM, read-only, no-execute, user,
invalid, in some seeds an alias outside RAM, in one seed in three a page
of RAM's range sent past the RAM and its last 2 MiB through a table there),
then sfence.vma. The
vectors (VBAR_EL1 or stvec) then point into the random code, sometimes
through an alias; in three seeds in four they hold a handler that skips the
trapping instruction and returns. The general registers point into the
mappings and the tables. The random words (RISC-V: 32-bit ones only) are
interleaved with short sequences that invalidate TLBs (TLBI, sfence.vma),
store descriptors into the tables, switch TTBR0/TTBR1/satp (other roots,
ASIDs, the MMU off), change VBAR/stvec, TCR_EL1 or SCTLR_EL1, translate
addresses (AT), maintain caches by VA and access the aliases.

With --linux-el0 CHILDREN the guest is Linux instead (docs/fuzzing.md,
"Random code in a Linux VM"): linux-solo with initramfs-el0fuzz, whose /init
runs CHILDREN processes of random EL0 code from seed * 1000 (--mmio: with
loads and stores to the emulated UART and GIC distributor), counts how
they ended and powers off; a run that powers off must print its count.
--linux-config linux-solo-smp runs them in a 2-vCPU VM.

With --platform zcu104 (AArch64) the same guests run on the ZCU104's map
(docs/zcu104.md): the board's DDR from 0 and its devices high; the stage-1
prefix still maps virt's device pages, which are DDR there (natively) or
unbacked (under hv), and --linux-el0 boots the board's Linux preset (--mmio:
at the board's UART and distributor).

usage: scripts/random-guests.py [--arch arm64|riscv64] [--platform zcu104]
           [--mode hv|native]
           [--stage1] [--linux-el0 CHILDREN [--mmio] [--linux-config NAME]]
           [--count N] [--seed S]
           [--max-insns N] [--timeout S] [--binary PATH] [--out OUT_DIR]
           [--reasons] [-- extra bao-sim options]
"""
import argparse
import json
import os
import random
import re
import struct
import subprocess
import sys

OK_EXIT_CODES = {0, 3, 4, 5}

# Guest-physical layout: the random VM's memory starts at 0 (its vectors at
# 0), the victim's at the platform's RAM base.
ARCH = {
    "arm64": {
        "platform": "qemu-aarch64-virt",
        "ram": 0x40000000,
        "prefix": [0xD2800000, 0xD518C000],  # movz x0, #0; msr vbar_el1, x0
        "classes": [0xD5000000, 0x38000000, 0xB8000000, 0xD4000000],
        "class_mask": [0x03FFFFFF, 0x3FFFFFFF, 0x3FFFFFFF, 0x001FFFFF],
        "platform_toml": "",
    },
    "riscv64": {
        "platform": "qemu-riscv64-virt",
        "ram": 0x80000000,
        "prefix": [0x10501073],  # csrw stvec, x0
        "opcodes": [0x03, 0x23, 0x73, 0x13, 0x33, 0x6F, 0x67, 0x2F, 0x63],
        "platform_toml": (
            '[platform]\nname = "qemu-riscv64-virt"\ncpus = 4\n'
            "ram = [{ base = 0x80000000, size = 0x40000000 }]\n"
            "console = 0x10000000\nconsole_irq = 0\n"
        ),
    },
}


MASK64 = (1 << 64) - 1
RAM_SIZE = 0x4000000  # the random VM's region (config below)
TABLES = 0x100000  # the stage-1 tables' offset in it (past the image)
A64_UART, A64_GICD, A64_GICC = 0x09000000, 0x08000000, 0x08010000  # QEMU virt's
RV_UART = 0x10000000


def random_words(arch, r, biased, words, snippet=None):
    """`words` random words; with `snippet` (a function of r giving a list
    of words) about one position in 32 is such a sequence instead. RISC-V
    words are all 32-bit ones (no compressed encodings, jumps and branches
    by multiples of 4, JAL within 32 KiB, mostly inside the 64 KiB image):
    bao-sim refuses compressed code by design (docs/riscv.md), so a 16-bit
    word, or the zeros a far jump lands in, only ends the run at once."""
    a = ARCH[arch]
    out = []
    while len(out) < words:
        if snippet and r.randrange(32) == 0:
            out += snippet(r)
            continue
        w = r.getrandbits(32)
        if biased and arch == "arm64":
            k = r.randrange(len(a["classes"]) + 2)
            if k < len(a["classes"]):
                w = (w & a["class_mask"][k]) | a["classes"][k]
        elif biased:
            w = (w & ~0x7F) | r.choice(a["opcodes"])
        if arch == "riscv64":
            w |= 3
            w &= ~(1 << 21) if w & 0x7F == 0x6F else ~(1 << 8) if w & 0x7F == 0x63 else ~0
            if w & 0x7F == 0x6F:  # JAL within +-32 KiB: imm[19:15] copies the sign
                w = (w & ~(0x1F << 15)) | ((0x1F << 15) if w >> 31 else 0)
        out.append(w & 0xFFFFFFFF)
    return out[:words]


def image(arch, seed, words=16384, stage1=False, base=0):
    """A random image; the seed's residue picks uniform or biased words.
    `base` is where it is loaded (the guest-physical address of its RAM)."""
    r = random.Random(seed)
    biased = seed % 2 == 1
    if not stage1:
        out = list(ARCH[arch]["prefix"])
        start = len(out)
        out += random_words(arch, r, biased, words)
    else:
        build = Arm64Stage1 if arch == "arm64" else Rv64Stage1
        s1 = build(r, base)
        out = s1.prefix()
        start = len(out)
        out += random_words(arch, r, biased, words, s1.snippet)
        s1.handlers(out)
    if arch == "riscv64":
        # Past the last word, back to the first random one: zeros there
        # would end the run as 16-bit words (on AArch64 they are UDF, which
        # the guest's own vector takes). Several, since a handler that
        # skips a trapping instruction (sepc + 4) may skip one of them.
        for _ in range(4):
            out.append(rv_jal(0, (start - len(out)) * 4))
    return b"".join(struct.pack("<I", w) for w in out)


# ---- AArch64 encodings (only what the stage-1 prefix and snippets use) ----

def a64_mov(rd, v):
    """MOVZ/MOVK: v into Xrd (1 to 4 instructions)."""
    v &= MASK64
    parts = [(v >> (16 * i)) & 0xFFFF for i in range(4)]
    nz = [i for i in range(4) if parts[i]] or [0]
    out = [0xD2800000 | nz[0] << 21 | parts[nz[0]] << 5 | rd]
    return out + [0xF2800000 | i << 21 | parts[i] << 5 | rd for i in nz[1:]]


def a64_str(rt, rn, off):  # STR Xt, [Xn, #off]
    return 0xF9000000 | (off // 8) << 10 | rn << 5 | rt


def a64_ldr(rt, rn, off):  # LDR Xt, [Xn, #off]
    return 0xF9400000 | (off // 8) << 10 | rn << 5 | rt


def a64_msr(reg, rt):
    op0, op1, crn, crm, op2 = reg
    return 0xD5000000 | op0 << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt


def a64_mrs(reg, rt):
    return a64_msr(reg, rt) | 1 << 21


def a64_sys(op1, crn, crm, op2, rt):  # SYS (TLBI, AT, DC, IC)
    return 0xD5080000 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt


ELR_EL1 = (3, 0, 4, 0, 1)
SCTLR_EL1, TTBR0_EL1, TTBR1_EL1 = (3, 0, 1, 0, 0), (3, 0, 2, 0, 0), (3, 0, 2, 0, 1)
TCR_EL1, MAIR_EL1, VBAR_EL1, PAR_EL1 = (3, 0, 2, 0, 2), (3, 0, 10, 2, 0), (3, 0, 12, 0, 0), (
    3, 0, 7, 4, 0)
A64_ISB, A64_DSB_ISH, A64_DSB_NSH = 0xD5033FDF, 0xD5033B9F, 0xD503379F
A64_TLBI_VMALLE1, A64_IC_IALLU = a64_sys(0, 8, 7, 0, 31), a64_sys(0, 7, 5, 0, 31)
# TLBI by VA / ASID / all, local (CRm 7) and inner shareable (CRm 3), op2:
# 0 VMALLE1, 1 VAE1, 2 ASIDE1, 3 VAAE1, 5 VALE1, 7 VAALE1.
A64_TLBI_OP2 = [0, 1, 2, 3, 5, 7]
# AT S1E1R, S1E1W, S1E0R, S1E0W; DC ZVA, CIVAC, IVAC; IC IVAU.
A64_AT = [a64_sys(0, 7, 8, op2, 0) for op2 in (0, 1, 2, 3)]
A64_CACHE = [a64_sys(3, 7, 4, 1, 0), a64_sys(3, 7, 14, 1, 0), a64_sys(0, 7, 6, 1, 0),
             a64_sys(3, 7, 5, 1, 0)]

# Stage-1 descriptor bits (4 KiB granule).
D_BLOCK, D_TABLE, D_PAGE = 0x1, 0x3, 0x3
D_NORMAL = 1 << 2 | 3 << 8 | 1 << 10  # AttrIndx 1 (write-back), inner shareable, AF
D_DEVICE = 0 << 2 | 1 << 10 | 3 << 53  # AttrIndx 0 (nGnRnE), AF, PXN and UXN
D_RO, D_AF, D_NG, D_XN = 1 << 7, 1 << 10, 1 << 11, 3 << 53
MAIR = 0x00 | 0xFF << 8 | 0x44 << 16 | 0x04 << 24
SCTLR_ON = 0x30D00800 | 1 | 1 << 2 | 1 << 12  # RES1, M, C, I
GIB, MIB2, PAGE = 1 << 30, 1 << 21, 1 << 12


class Tables:
    """Page tables as {table address: {index: descriptor}}, and the code
    that writes them (each table whole: runs of entries with one step as a
    loop, the rest one store each)."""

    def __init__(self):
        self.t = {}

    def new(self, addr):
        self.t[addr] = {}
        return addr

    def set(self, table, index, desc):
        self.t[table][index] = desc & MASK64

    def vary_pages(self, r, table, base, pbase, paged, kinds, desc):
        """Gives up to 16 random pages of the 2 MiB range at `pbase` (mapped
        in 4 KiB pages by last-level `table`) another entry, desc(kind, pa)
        for a kind below `kinds`; kind 0 maps another page of the RAM at
        `base` (the page is then listed as swapped). The code's pages keep
        theirs when the range is the first (`paged` 0). Returns the swapped
        pages."""
        keep = set(range(0x20)) | set(range(0x100, 0x110)) if paged == 0 else set()
        swapped = []
        for _ in range(16):
            i = r.randrange(512)
            if i in keep:
                continue
            kind = r.randrange(kinds)
            pa = pbase + i * PAGE
            if kind == 0:
                pa = base + r.randrange(RAM_SIZE // PAGE) * PAGE
                swapped.append(pbase + i * PAGE)
            self.set(table, i, desc(kind, pa))
        return swapped

    def runs(self, table):
        """(first index, first value, step, count) covering all 512 entries."""
        e = [self.t[table].get(i, 0) for i in range(512)]
        out, i = [], 0
        while i < 512:
            step = (e[i + 1] - e[i]) & MASK64 if i + 1 < 512 else 0
            j = i + 1
            while j < 512 and (e[j] - e[j - 1]) & MASK64 == step:
                j += 1
            if j - i < 4:  # too short for a loop: single entries
                j, step = i + 1, 0
            out.append((i, e[i], step, j - i))
            i = j
        return out


class Arm64Stage1:
    """An AArch64 stage-1 set-up (see the module docstring) and the
    sequences the random part mixes in."""

    def __init__(self, r, base):
        self.r, self.base = r, base
        tb = base + TABLES
        self.tables = T = Tables()
        names = ["root", "l1", "l2", "l3", "l3gic", "l3uart", "l2dev", "root_alt", "l1_alt",
                 "root1"]
        a = {n: T.new(tb + i * PAGE) for i, n in enumerate(names)}
        self.addr = a
        self.t0sz = r.choice([16, 25, 25, 30])
        self.level0 = self.t0sz < 25  # the walk starts at level 0
        self.ttbr1 = r.randrange(2) == 0
        ram_gib = base // GIB
        alias_gib = ram_gib + 4  # the whole RAM again through the same level-2 table
        # Level 2 for the RAM's GiB: 2 MiB identity blocks, one range in pages.
        first = (base % GIB) // MIB2
        for i in range(RAM_SIZE // MIB2):
            T.set(a["l2"], first + i, base + i * MIB2 | D_NORMAL | D_BLOCK)
        self.paged = r.choice([0, 0, 1, 2, 7])  # the 2 MiB range mapped in 4 KiB pages
        T.set(a["l2"], first + self.paged, a["l3"] | D_TABLE)
        pbase = base + self.paged * MIB2
        for i in range(512):
            T.set(a["l3"], i, pbase + i * PAGE | D_NORMAL | D_PAGE)
        def page(kind, pa):
            d = pa | D_NORMAL | D_PAGE
            return [d, d, d | D_RO, d & ~D_AF, 0, d | D_XN, d | D_NG, pa | D_DEVICE | D_PAGE][kind]

        self.permuted = T.vary_pages(r, a["l3"], base, pbase, self.paged, 8, page)
        # In one seed in three, virtual addresses a region covers that
        # translate to IPAs the VM does not back (stage-2 aborts,
        # sim/cpu/unicorn_stage2.c): a page of the paged range (the RAM's
        # region covers it) sent past the RAM, and the 2 MiB block after the
        # block alias (its placeholder window covers it) sent into that
        # window; and the two blocks after that through level-3 tables the
        # walk (an access's or AT's) reads where nothing is and in the GIC
        # distributor's page (hv emulates it; natively its registers).
        self.unbacked = []
        block_alias_l2 = first + (RAM_SIZE + 16 * MIB2) // MIB2
        if r.randrange(3) == 0:
            i = r.randrange(0x110 if self.paged == 0 else 0, 512)
            T.set(a["l3"], i, base + RAM_SIZE + 64 * MIB2 + i * PAGE | D_NORMAL | D_PAGE)
            T.set(a["l2"], block_alias_l2 + 1,
                  base + RAM_SIZE + 16 * MIB2 | D_NORMAL | D_BLOCK)
            T.set(a["l2"], block_alias_l2 + 2, base + RAM_SIZE + 96 * MIB2 | D_TABLE)
            T.set(a["l2"], block_alias_l2 + 3, A64_GICD | D_TABLE)
            self.unbacked = [pbase + i * PAGE, base + RAM_SIZE + 17 * MIB2,
                             base + RAM_SIZE + 18 * MIB2, base + RAM_SIZE + 19 * MIB2]
        # Blocks of RAM past the code: read-only, invalid, permuted, no AF.
        for _ in range(4):
            i = r.randrange(8, RAM_SIZE // MIB2)
            if i == self.paged:
                continue
            pa = base + r.randrange(RAM_SIZE // MIB2) * MIB2
            T.set(a["l2"], first + i, r.choice([
                base + i * MIB2 | D_NORMAL | D_RO | D_BLOCK, 0,
                pa | D_NORMAL | D_BLOCK, (base + i * MIB2 | D_NORMAL | D_BLOCK) & ~D_AF]))
        # A 2 MiB block outside every region aliasing the code's (placeholder).
        self.block_alias = base + RAM_SIZE + 16 * MIB2
        T.set(a["l2"], block_alias_l2, base | D_NORMAL | D_BLOCK)
        # Devices: the GIC's and the UART's pages, and the UART again at
        # GICD + 0x1000 (a non-identity device page inside a device region).
        low_l2 = a["l2"] if ram_gib == 0 else a["l2dev"]
        T.set(low_l2, A64_GICD // MIB2, a["l3gic"] | D_TABLE)
        T.set(low_l2, A64_UART // MIB2, a["l3uart"] | D_TABLE)
        for table, va, pa in (("l3gic", A64_GICD, A64_GICD), ("l3gic", A64_GICC, A64_GICC),
                              ("l3gic", A64_GICD + PAGE, A64_UART),
                              ("l3uart", A64_UART, A64_UART)):
            T.set(a[table], (va >> 12) & 511, pa | D_DEVICE | D_PAGE)
        self.devices = [A64_UART, A64_GICD, A64_GICC, A64_GICD + PAGE]
        # Level 1: the RAM's GiB, its alias, the devices' GiB, a 1 GiB block alias.
        l1 = {ram_gib: a["l2"] | D_TABLE, alias_gib: a["l2"] | D_TABLE}
        if ram_gib != 0:
            l1[0] = a["l2dev"] | D_TABLE
        self.gib_alias = (ram_gib + 8) * GIB
        l1[ram_gib + 8] = ram_gib * GIB | D_NORMAL | D_BLOCK
        self.alias = alias_gib * GIB + base % GIB
        if r.randrange(4) == 0:  # the RAM's GiB as one block
            l1[ram_gib] = ram_gib * GIB | D_NORMAL | D_BLOCK
        alt = dict(l1)  # another root: no alias, the RAM's GiB a block
        del alt[alias_gib]
        alt[ram_gib] = ram_gib * GIB | D_NORMAL | D_BLOCK
        for root, l1tab, entries in (("root", "l1", l1), ("root_alt", "l1_alt", alt)):
            top = a[l1tab] if self.level0 else a[root]
            for i, d in entries.items():
                T.set(top, i, d)
            if self.level0:
                T.set(a[root], 0, a[l1tab] | D_TABLE)
        # TTBR1 (T1SZ 25): 0xffff_ff80_0000_0000 through the RAM's level-2
        # table, the top GiB as a block of the RAM's GiB.
        self.high = (MASK64 + 1 - (1 << 39)) + base % GIB
        T.set(a["root1"], 0, a["l2"] | D_TABLE)
        T.set(a["root1"], 511, ram_gib * GIB | D_NORMAL | D_BLOCK)
        self.tcr = (self.t0sz | 1 << 8 | 1 << 10 | 3 << 12 | 25 << 16 | 1 << 24 | 1 << 26
                    | 3 << 28 | 2 << 30 | 2 << 32)
        if not self.ttbr1:
            self.tcr |= 1 << 23  # EPD1
        aliases = [self.alias, self.block_alias, self.gib_alias] + (
            [self.high] if self.ttbr1 else [])
        self.aliases = aliases

    def vbars(self, off):
        return [self.base + off] + [al + off for al in self.aliases]

    def pointers(self, r):
        """An address worth loading from or storing to."""
        k = r.randrange(6)
        if k == 0:
            return self.base + r.randrange(RAM_SIZE)
        if k == 1:
            return r.choice(self.aliases) + r.randrange(0x20000)
        if k == 2:
            return r.choice(list(self.addr.values())) + r.randrange(512) * 8
        if k == 3:
            return r.choice(self.devices) + r.randrange(0x40) * 4
        if k == 4 and self.unbacked and r.randrange(4) == 0:
            return r.choice(self.unbacked) + r.randrange(PAGE)
        if k == 4 and self.permuted:
            return r.choice(self.permuted) + r.randrange(PAGE)
        return self.base + self.paged * MIB2 + r.randrange(MIB2)

    def prefix(self):
        r, a, out = self.r, self.addr, []
        for table in self.tables.t:
            for i, first, step, count in self.tables.runs(table):
                out += a64_mov(1, table + i * 8) + a64_mov(2, first)
                if count == 1:
                    out.append(a64_str(2, 1, 0))
                    continue
                out += a64_mov(3, step) + a64_mov(4, count)
                out += [0xF8008422,  # str x2, [x1], #8
                        0x8B030042,  # add x2, x2, x3
                        0xF1000484,  # subs x4, x4, #1
                        0x54FFFFA1]  # b.ne (back 3)
        out += [A64_DSB_ISH]
        out += a64_mov(0, MAIR) + [a64_msr(MAIR_EL1, 0)]
        out += a64_mov(0, self.tcr) + [a64_msr(TCR_EL1, 0)]
        out += a64_mov(0, a["root"] | r.randrange(256) << 48) + [a64_msr(TTBR0_EL1, 0)]
        out += a64_mov(0, a["root1"]) + [a64_msr(TTBR1_EL1, 0)]
        out += [A64_ISB, A64_TLBI_VMALLE1, A64_IC_IALLU, A64_DSB_NSH, A64_ISB]
        vbar_at = len(out)
        out += [0] * 5  # VBAR_EL1: filled in once the prefix's length is known
        out += a64_mov(0, SCTLR_ON) + [a64_msr(SCTLR_EL1, 0), A64_ISB]
        out += a64_mov(0, self.base + RAM_SIZE - 0x1000) + [0x9100001F]  # mov sp, x0
        for n in range(31):
            out += a64_mov(n, self.pointers(r) if r.randrange(8) else r.getrandbits(64))
        self.vec_off = (len(out) * 4 + 0x7FF) & ~0x7FF  # the vectors: in the random part
        mov = a64_mov(0, r.choice(self.vbars(self.vec_off)))
        out[vbar_at:vbar_at + 5] = mov + [0xD503201F] * (4 - len(mov)) + [a64_msr(VBAR_EL1, 0)]
        return out

    def handlers(self, words):
        """Three seeds in four: each vector slot skips the instruction that
        trapped and returns (ELR_EL1 + 4, ERET), so the random code runs
        on; otherwise the vectors are random code too."""
        if self.r.randrange(4) == 0:
            return
        stub = [a64_mrs(ELR_EL1, 16), 0x91001210, a64_msr(ELR_EL1, 16), 0xD69F03E0]  # add; eret
        for slot in range(0, 0x800, 0x80):
            at = (self.vec_off + slot) // 4
            words[at:at + len(stub)] = stub

    def snippet(self, r):
        """A short sequence of stage-1 maintenance (uses x16 and x17)."""
        a = self.addr
        k = r.randrange(12)
        if k < 3:  # TLBI, any of the EL1 forms, on a random register
            op = a64_sys(0, 8, r.choice([3, 7]), r.choice(A64_TLBI_OP2), r.randrange(32))
            return [op] + ([A64_DSB_ISH, A64_ISB] if r.randrange(2) else [])
        if k < 6:  # a descriptor store into a table, maybe followed by a TLBI
            table = r.choice(list(a.values()))
            d = r.choice([
                self.base + r.randrange(RAM_SIZE // MIB2) * MIB2 | D_NORMAL | D_BLOCK,
                self.base + r.randrange(RAM_SIZE // PAGE) * PAGE | D_NORMAL | D_PAGE,
                r.choice(list(a.values())) | D_TABLE, 0,
                r.getrandbits(64), self.base | D_NORMAL | D_RO | D_BLOCK,
                r.choice(self.devices) | D_DEVICE | D_PAGE])
            out = a64_mov(16, table + r.randrange(512) * 8) + a64_mov(17, d)
            out.append(a64_str(17, 16, 0))
            if r.randrange(3):
                out += [A64_DSB_ISH, A64_TLBI_VMALLE1, A64_DSB_ISH, A64_ISB]
            return out
        if k == 6:  # TTBR0 or TTBR1: another root, another ASID, or garbage
            root = r.choice([a["root"], a["root"], a["root_alt"], a["root1"],
                             self.base + r.randrange(RAM_SIZE // PAGE) * PAGE])
            reg = TTBR0_EL1 if r.randrange(4) else TTBR1_EL1
            return a64_mov(16, root | r.randrange(256) << 48) + [a64_msr(reg, 16), A64_ISB]
        if k == 7:  # VBAR_EL1 to the vectors through another alias (or not)
            return a64_mov(16, r.choice(self.vbars(self.vec_off))) + [a64_msr(VBAR_EL1, 16)]
        if k == 8:  # an access through an alias or to a device page
            at = self.pointers(r) & ~7
            op = r.choice([a64_ldr(17, 16, 0), a64_str(17, 16, 0)])
            return a64_mov(16, at) + [op]
        if k == 9:  # AT, then PAR_EL1; or a cache maintenance by VA
            op = r.choice(A64_AT + A64_CACHE) | 16
            return a64_mov(16, self.pointers(r)) + [op, A64_ISB, a64_mrs(PAR_EL1, 17)]
        if k == 10:  # SCTLR_EL1: the MMU off or on, alignment checks, WXN
            v = r.choice([SCTLR_ON, SCTLR_ON, SCTLR_ON & ~1, SCTLR_ON | 2, SCTLR_ON | 1 << 19])
            return a64_mov(16, v) + [a64_msr(SCTLR_EL1, 16), A64_ISB]
        # TCR_EL1: another T0SZ, TTBR1 on or off, or an ASID size
        v = self.tcr & ~0x3F | r.choice([16, 20, 25, 30, 33, 39])
        v ^= r.choice([0, 1 << 23, 1 << 36, 1 << 22])
        return a64_mov(16, v) + [a64_msr(TCR_EL1, 16), A64_ISB]


# ---- RISC-V encodings ----

def rv_i(op, rd, f3, rs1, imm):
    return (imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def rv_jal(rd, off):
    """JAL rd, off (a multiple of 2 within +-1 MiB)."""
    off &= (1 << 21) - 1
    return ((off >> 20 & 1) << 31 | (off >> 1 & 0x3FF) << 21 | (off >> 11 & 1) << 20
            | (off >> 12 & 0xFF) << 12 | rd << 7 | 0x6F)


def rv_li(rd, v):
    """v into rd: its top 9 bits, then 11 bits at a time (ADDI, SLLI, ORI)."""
    v &= MASK64
    chunks = [v >> 55] + [(v >> s) & 0x7FF for s in (44, 33, 22, 11, 0)]
    while len(chunks) > 1 and chunks[0] == 0:
        chunks.pop(0)
    out = [rv_i(0x13, rd, 0, 0, chunks[0])]  # addi rd, x0, c
    for c in chunks[1:]:
        out += [rv_i(0x13, rd, 1, rd, 11), rv_i(0x13, rd, 6, rd, c)]  # slli; ori
    return out


def rv_sd(rs2, rs1, off):
    return (off >> 5) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (off & 31) << 7 | 0x23


def rv_ld(rd, rs1, off):
    return rv_i(0x03, rd, 3, rs1, off)


def rv_csrw(csr, rs1):
    return csr << 20 | rs1 << 15 | 1 << 12 | 0x73


def rv_sfence(rs1=0, rs2=0):
    return 0x09 << 25 | rs2 << 20 | rs1 << 15 | 0x73


SATP, STVEC = 0x180, 0x105
P_V, P_R, P_W, P_X, P_U, P_G, P_A, P_D = 1, 2, 4, 8, 16, 32, 64, 128
P_RWX = P_V | P_R | P_W | P_X | P_A | P_D


def pte(pa, flags):
    return (pa >> 12) << 10 | flags


class Rv64Stage1:
    """A RISC-V Sv39 set-up and the sequences the random part mixes in."""

    def __init__(self, r, base):
        self.r, self.base = r, base
        tb = base + TABLES
        self.tables = T = Tables()
        names = ["root", "mid", "l0", "middev", "l0dev", "root_alt"]
        a = {n: T.new(tb + i * PAGE) for i, n in enumerate(names)}
        self.addr = a
        ram_gib = base // GIB
        first = (base % GIB) // MIB2
        for i in range(RAM_SIZE // MIB2):
            T.set(a["mid"], first + i, pte(base + i * MIB2, P_RWX))
        self.paged = r.choice([0, 0, 1, 2, 7])
        T.set(a["mid"], first + self.paged, pte(a["l0"], P_V))
        pbase = base + self.paged * MIB2
        for i in range(512):
            T.set(a["l0"], i, pte(pbase + i * PAGE, P_RWX))
        flags = [P_RWX, P_RWX | P_G, P_RWX & ~P_W, P_RWX & ~P_X, 0, P_RWX & ~P_A,
                 P_V | P_W | P_A | P_D]  # the last: W without R, reserved
        self.permuted = T.vary_pages(r, a["l0"], base, pbase, self.paged, len(flags),
                                     lambda kind, pa: pte(pa, flags[kind]))
        # In one seed in three a page of the paged range (a virtual address
        # RAM's region covers) sent past the RAM: a named stop when touched
        # (docs/riscv.md, sim/cpu/unicorn_stage2.c).
        self.unbacked = []
        if r.randrange(3) == 0:
            i = r.randrange(0x110 if self.paged == 0 else 0, 512)
            T.set(a["l0"], i, pte(base + RAM_SIZE + 64 * MIB2 + i * PAGE, P_RWX))
            self.unbacked = [pbase + i * PAGE]
        for _ in range(4):
            i = r.randrange(8, RAM_SIZE // MIB2)
            if i == self.paged:
                continue
            pa = base + r.randrange(RAM_SIZE // MIB2) * MIB2
            if pa != base + i * MIB2:
                self.permuted.append(base + i * MIB2)
            T.set(a["mid"], first + i, r.choice([
                pte(base + i * MIB2, P_RWX & ~P_W), 0, pte(pa, P_RWX),
                pte(base + i * MIB2, P_RWX | P_U)]))
        if self.unbacked:  # the RAM's last 2 MiB through a table past the RAM
            last = RAM_SIZE // MIB2 - 1
            T.set(a["mid"], first + last, pte(base + RAM_SIZE + 96 * MIB2, P_V))
            self.unbacked.append(base + last * MIB2)
        low_mid = a["mid"] if ram_gib == 0 else a["middev"]
        T.set(low_mid, RV_UART // MIB2, pte(a["l0dev"], P_V))
        T.set(a["l0dev"], (RV_UART >> 12) & 511, pte(RV_UART, P_V | P_R | P_W | P_A | P_D))
        self.devices = [RV_UART]
        root = {ram_gib: pte(a["mid"], P_V)}
        if ram_gib != 0:
            root[0] = pte(a["middev"], P_V)
        self.aliases = []
        if r.randrange(4) == 0:  # outside RAM: a named stop when touched (docs/riscv.md)
            root[ram_gib + 4] = pte(a["mid"], P_V)
            self.aliases.append((ram_gib + 4) * GIB + base % GIB)
        alt = dict(root)
        alt[ram_gib] = pte(ram_gib * GIB, P_RWX)  # a 1 GiB leaf
        if r.randrange(4) == 0:
            root[ram_gib] = pte(ram_gib * GIB, P_RWX)
        for i, d in root.items():
            T.set(a["root"], i, d)
        for i, d in alt.items():
            T.set(a["root_alt"], i, d)

    def pointers(self, r):
        k = r.randrange(5)
        if k == 0:
            return self.base + r.randrange(RAM_SIZE)
        if k == 1:
            return r.choice(list(self.addr.values())) + r.randrange(512) * 8
        if k == 2 and self.unbacked and r.randrange(2) == 0:
            return r.choice(self.unbacked) + r.randrange(PAGE)
        if k == 2 and self.permuted:
            return r.choice(self.permuted) + r.randrange(PAGE)
        if k == 3 and self.aliases:
            return r.choice(self.aliases) + r.randrange(0x20000)
        if k == 3:
            return self.devices[0] + r.randrange(8)
        return self.base + self.paged * MIB2 + r.randrange(MIB2)

    def satp(self, root, asid):
        return 8 << 60 | asid << 44 | root >> 12

    def prefix(self):
        r, a, out = self.r, self.addr, []
        for table in self.tables.t:
            for i, first, step, count in self.tables.runs(table):
                out += rv_li(5, table + i * 8) + rv_li(6, first)
                if count == 1:
                    out.append(rv_sd(6, 5, 0))
                    continue
                out += rv_li(7, step) + rv_li(28, count)
                out += [rv_sd(6, 5, 0),
                        rv_i(0x13, 5, 0, 5, 8),  # addi t0, t0, 8
                        0x00730333,  # add t1, t1, t2
                        rv_i(0x13, 28, 0, 28, -1),  # addi t3, t3, -1
                        0xFE0E18E3]  # bne t3, x0, back 16
        stvec_at = len(out)
        out += [0] * 12  # stvec: filled in below
        out += rv_li(5, self.satp(a["root"], r.randrange(1 << 16))) + [rv_csrw(SATP, 5),
                                                                          rv_sfence()]
        out += rv_li(2, self.base + RAM_SIZE - 0x1000)  # sp
        for n in [1] + list(range(3, 32)):
            out += rv_li(n, self.pointers(r) if r.randrange(8) else r.getrandbits(64))
        self.vec_off = (len(out) * 4 + 0xFF) & ~0xFF
        vec = self.base + self.vec_off
        mov = rv_li(5, vec) + [rv_csrw(STVEC, 5)]
        mov += [0x00000013] * (12 - len(mov))  # nop
        out[stvec_at:stvec_at + 12] = mov
        self.start = len(out)  # the first random word
        return out

    def handlers(self, words):
        """As Arm64Stage1.handlers: three seeds in four, stvec skips the
        instruction that trapped (sepc + 4, sret)."""
        if self.r.randrange(4) == 0:
            return
        at = self.vec_off // 4
        words[at:at + 4] = [0x14102FF3, rv_i(0x13, 31, 0, 31, 4), rv_csrw(0x141, 31),
                            0x10200073]  # csrr t6, sepc; addi; csrw sepc, t6; sret
        # Code that falls into the handler would run it outside a trap: each
        # pass returns to one word further, past the image's end into zeros
        # (16-bit words to bao-sim). A jump back to the start comes first.
        if at > self.start:
            words[at - 1] = rv_jal(0, (self.start - (at - 1)) * 4)

    def snippet(self, r):
        """A short sequence of Sv39 maintenance (uses t5 and t6)."""
        a = self.addr
        k = r.randrange(8)
        if k < 2:  # sfence.vma, all, by address, by ASID, both
            return [rv_sfence(r.choice([0, r.randrange(32)]), r.choice([0, r.randrange(32)]))]
        if k < 5:  # a PTE store, maybe followed by sfence.vma
            d = r.choice([
                pte(self.base + r.randrange(RAM_SIZE // MIB2) * MIB2, P_RWX),
                pte(self.base + r.randrange(RAM_SIZE // PAGE) * PAGE, P_RWX),
                pte(r.choice(list(a.values())), P_V), 0, r.getrandbits(64),
                pte(self.base, P_RWX & ~P_W), pte(RV_UART, P_V | P_R | P_W | P_A | P_D)])
            out = rv_li(30, r.choice(list(a.values())) + r.randrange(512) * 8) + rv_li(31, d)
            out.append(rv_sd(31, 30, 0))
            if r.randrange(3):
                out.append(rv_sfence())
            return out
        if k == 5:  # satp: another root, another ASID, bare, or garbage
            v = r.choice([self.satp(a["root"], r.randrange(1 << 16)),
                          self.satp(a["root_alt"], r.randrange(1 << 16)), 0,
                          self.satp(self.base + r.randrange(RAM_SIZE // PAGE) * PAGE, 1)])
            return rv_li(30, v) + [rv_csrw(SATP, 30), rv_sfence()]
        if k == 6:  # stvec to the vectors through a permuted page (or not)
            vec = self.base + self.vec_off
            return rv_li(30, r.choice([vec, vec] + self.permuted)) + [rv_csrw(STVEC, 30)]
        at = self.pointers(r) & ~7
        return rv_li(30, at) + [r.choice([rv_ld(31, 30, 0), rv_sd(31, 30, 0)])]


def config(arch, mode, image_path):
    a = ARCH[arch]
    if mode == "native":
        return (
            'mode = "native"\n' + a["platform_toml"] + '[[vms]]\nname = "rnd"\nmeasured = true\n'
            "cpu_affinity = [0]\n"
            f'image = {{ path = "{image_path}", load_addr = {a["ram"]:#x} }}\n'
            f'regions = [{{ base = {a["ram"]:#x}, size = 0x4000000 }}]\n'
        )
    hyp = f'[hyp]\nregion = {{ base = {a["ram"]:#x}, size = 0x400000 }}\n'
    return (
        'mode = "hv"\n' + a["platform_toml"] + hyp + '[[vms]]\nname = "rnd"\nmeasured = true\n'
        "cpu_affinity = [0, 2]\n"
        f'image = {{ path = "{image_path}", load_addr = 0x0 }}\n'
        "regions = [{ base = 0x0, size = 0x4000000 }]\n"
        '[[vms]]\nname = "victim"\ncpu_affinity = [1]\n'
        f'image = {{ workload = "hello", load_addr = {a["ram"]:#x} }}\n'
        f'regions = [{{ base = {a["ram"]:#x}, size = 0x1000000 }}]\n'
    )


def linux_el0_config(here, seed, children, mmio, base="linux-solo", platform=""):
    """The preset `base` (linux-solo, linux-solo-smp; `platform`'s, zcu104's
    under configs/zcu104/) with initramfs-el0fuzz as its initramfs:
    `children` processes of random EL0 code from seed * 1000
    (workloads/linux/el0fuzz.c)."""
    with open(os.path.join(here, "..", "configs", platform, base + ".toml")) as f:
        text = f.read()
    text = re.sub(r"initramfs-[\w-]+\.cpio\.gz", "initramfs-el0fuzz.cpio.gz", text)
    args = f"bao_fuzz_seed={seed * 1000} bao_fuzz_children={children}"
    if mmio:
        args += " bao_fuzz_mmio=1 iomem=relaxed"  # the drivers claim the devices
        if platform == "zcu104":  # its console and distributor (docs/zcu104.md)
            args += " bao_fuzz_uart=0xff000000 bao_fuzz_gicd=0xf9010000"
    return re.sub(r"bao_bench=[^\"]*", args, text)


def run_one(cmd, timeout):
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                             timeout=timeout)
        return run.returncode, run.stdout + run.stderr
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode(errors="replace") + (
            e.stderr or b"").decode(errors="replace")


def simulated(path):
    """A stats file flattened, without what measures the host."""
    def flat(x, key=""):
        if isinstance(x, dict):
            for k, v in x.items():
                yield from flat(v, f"{key}.{k}" if key else k)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                yield from flat(v, f"{key}[{i}]")
        else:
            yield key, x
    with open(path) as f:
        stats = json.load(f)
    return {k: v for k, v in flat(stats)
            if not k.startswith("meta") and "host" not in k and not k.endswith("mips")}


def round_trip(cmd, stem, code, text, timeout, counts):
    """--round-trip: restores the run's checkpoint; the same end, or a named difference."""
    if not os.path.exists(stem + ".ckpt"):
        counts["ended before the checkpoint"] = counts.get("ended before the checkpoint", 0) + 1
        return code, text
    at = cmd.index("--checkpoint-at")
    restore = cmd[:at] + ["--restore", stem + ".ckpt", "--stats-json", stem + ".restored.json"]
    rcode, rtext = run_one(restore, timeout)
    if rcode != code:
        return f"restored run exit {rcode}, saving run {code}", text + "\n--- restored:\n" + rtext
    saved, restored = simulated(stem + ".saved.json"), simulated(stem + ".restored.json")
    differ = sorted(k for k in set(saved) | set(restored) if saved.get(k) != restored.get(k))
    if differ:
        return "round trip differs", text + "\n--- restored:\n" + rtext + "\nkeys: " + " ".join(
            f"{k}={saved.get(k)}/{restored.get(k)}" for k in differ[:20])
    counts["restored the same"] = counts.get("restored the same", 0) + 1
    return code, text


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", choices=sorted(ARCH), default="arm64")
    p.add_argument("--platform", choices=["zcu104"],
                   help="AArch64 only: the ZCU104's map instead of QEMU virt's (docs/zcu104.md)")
    p.add_argument("--mode", choices=["hv", "native"], default="hv")
    p.add_argument("--stage1", action="store_true",
                   help="build stage-1 tables and turn the guest's MMU on first")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=1, help="first seed (then seed+1, ...)")
    p.add_argument("--max-insns", type=int, default=None,
                   help="instruction limit per run (default 3 M; none with --linux-el0)")
    p.add_argument("--timeout", type=int, default=300, help="seconds per run")
    p.add_argument("--binary", default=os.path.join(here, "..", "build", "bao-sim"))
    p.add_argument("--out", default=os.path.join(here, "..", "build", "random-guests"))
    p.add_argument("--linux-el0", type=int, metavar="CHILDREN",
                   help="instead of random images: boot linux-solo with initramfs-el0fuzz, "
                        "whose /init runs CHILDREN processes of random EL0 code per seed "
                        "(docs/fuzzing.md, \"Random code in a Linux VM\"); --max-insns "
                        "then defaults to none")
    p.add_argument("--mmio", action="store_true",
                   help="with --linux-el0: the code also loads and stores to the emulated "
                        "UART and GIC distributor")
    p.add_argument("--linux-config", default="linux-solo", choices=["linux-solo", "linux-solo-smp"],
                   help="with --linux-el0: the preset the VM comes from (linux-solo-smp: "
                        "two vCPUs, whose idle loop spins, so a VM that disabled its own "
                        "distributor runs on to --timeout: docs/fuzzing.md)")
    p.add_argument("--reasons", action="store_true",
                   help="also count the runs' last lines, numbers and addresses left out "
                        "(what stopped them)")
    p.add_argument("--round-trip", type=int, metavar="INSNS",
                   help="also save a checkpoint after INSNS instructions, restore it and "
                        "require the same exit code and statistics (but host figures) as "
                        "the run that saved it (docs/checkpoints.md)")
    p.add_argument("extra", nargs="*", help="more bao-sim options (after --)")
    args = p.parse_args()
    if args.platform:
        if args.arch != "arm64":
            p.error("--platform zcu104 needs --arch arm64")
        ARCH["arm64"]["platform"] = args.platform
        ARCH["arm64"]["platform_toml"] = (
            f'[platform]\nname = "{args.platform}"\ncpus = 4\n'
            "ram = [{ base = 0x0, size = 0x80000000 }]\n")
    os.makedirs(args.out, exist_ok=True)
    counts, bad, reasons = {}, [], {}
    if args.max_insns is None:
        args.max_insns = 0 if args.linux_el0 else 3_000_000
    for seed in range(args.seed, args.seed + args.count):
        if args.linux_el0:
            stem = os.path.join(args.out, f"linux-el0-{seed}")
            with open(stem + ".toml", "w") as f:
                f.write(linux_el0_config(here, seed, args.linux_el0, args.mmio, args.linux_config,
                                         args.platform or ""))
            cmd = [args.binary, "--config", stem + ".toml"]
        else:
            kind = f"{args.arch}-{args.mode}" + ("-stage1" if args.stage1 else "")
            stem = os.path.join(args.out, f"{kind}-{seed}")
            base = ARCH[args.arch]["ram"] if args.mode == "native" else 0
            with open(stem + ".bin", "wb") as f:
                f.write(image(args.arch, seed, stage1=args.stage1, base=base))
            with open(stem + ".toml", "w") as f:
                f.write(config(args.arch, args.mode, os.path.abspath(stem + ".bin")))
            cmd = [args.binary, "--platform", ARCH[args.arch]["platform"], "--config",
                   stem + ".toml"]
        if args.max_insns:
            cmd += ["--max-insns", str(args.max_insns)]
        cmd += args.extra
        if args.round_trip:
            cmd += ["--checkpoint-at", f"insns:{args.round_trip}", "--checkpoint-out",
                    stem + ".ckpt", "--stats-json", stem + ".saved.json"]
        code, text = run_one(cmd, args.timeout)
        if args.round_trip and code in OK_EXIT_CODES:
            code, text = round_trip(cmd, stem, code, text, args.timeout, counts)
        # A Linux VM that powered off must have finished its children.
        if args.linux_el0 and code == 0 and "bao-fuzz: done" not in text:
            code = "0 without bao-fuzz: done"
        counts[code] = counts.get(code, 0) + 1
        if args.reasons:  # the exit line: the first of bao-sim's own but its notes
            ends = [line for line in text.splitlines() if line.startswith("bao-sim: ") and
                    not line.startswith(("bao-sim: linux:", "bao-sim: the measured"))]
            reason = re.sub(r"0x[0-9a-f]+|\d+", "N", ends[0] if ends else "")
            reasons[reason] = reasons.get(reason, 0) + 1
        if code in OK_EXIT_CODES:
            for ext in (".bin", ".toml", ".ckpt", ".saved.json", ".restored.json"):
                if os.path.exists(stem + ext):
                    os.remove(stem + ext)
            continue
        with open(stem + ".out", "w") as f:
            f.write(text)
        last = text.strip().splitlines()[-1] if text.strip() else ""
        bad.append(f"seed {seed}: exit {code}: {last[:160]}")
    print("exit codes:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)))
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"{n:5} {reason[:200]}")
    for line in bad:
        print(line)
    if bad:
        print(f"kept under {args.out}: <arch>-<mode>[-stage1]-<seed>.bin, .toml, .out")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
