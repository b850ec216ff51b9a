"""Which functions of two bao-hv images compile to different instructions.

usage: same-code.py OLD.elf NEW.elf [FUNCTION...]

A change meant to leave hv's trap and interrupt paths alone (another link
order, -Os for boot-only files: docs/real-image.md#under-48-kib) should leave
their instructions alone too, though every address may move. This compares
each function's disassembly with addresses masked: branch and literal
targets, ADRP pages and the low-12-bit offsets added to them. Trailing
alignment padding and literal pools are ignored. It prints the functions
that differ and those only one image has; with FUNCTION names (as
objdump -C prints them), the differing lines of each.
"""
import difflib
import re
import subprocess
import sys

PADDING = re.compile(r"^(udf\s+#0|nop|\.word\s+0x[0-9a-f]+|\.inst\s+0x[0-9a-f]+.*)$")


def normalise(insn, adrp_regs):
    insn = re.sub(r"//.*", "", insn).strip()
    insn = re.sub(r"\b[0-9a-f]{6,}\b", "ADDR", insn)
    m = re.match(r"adrp\s+(x\d+),", insn)
    if m:
        adrp_regs.add(m.group(1))
        return f"adrp {m.group(1)}, PAGE"
    m = re.match(r"(add|ldr|str|ldrb|strb|ldrh|strh)\s+(\S+), \[?(x\d+)(, )?#0x[0-9a-f]+", insn)
    if m and m.group(3) in adrp_regs:
        return f"{m.group(1)} {m.group(2)}, LO12({m.group(3)})"
    if re.match(r"(ldr|adr)\s+\S+, ADDR", insn):
        return re.sub(r"<[^>]*>", "<LITERAL>", insn)
    return re.sub(r"<[^>]*>", lambda s: re.sub(r"\+0x[0-9a-f]+", "+OFF", s.group(0)), insn)


def functions(elf):
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "-C", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    funcs, cur, regs = {}, None, set()
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            cur, regs = funcs.setdefault(m.group(1), []), set()
            continue
        m = re.match(r"^\s+[0-9a-f]+:\s+(.*)$", line)
        if m and cur is not None:
            cur.append(normalise(m.group(1), regs))
    for body in funcs.values():
        while body and PADDING.match(body[-1]):
            body.pop()
    return funcs


def main(old_elf, new_elf, show):
    old, new = functions(old_elf), functions(new_elf)
    common = sorted(set(old) & set(new))
    differ = [f for f in common if old[f] != new[f]]
    for f in differ:
        print(f"differs: {f} ({len(old[f])} -> {len(new[f])} instructions)")
    only_new = sorted(set(new) - set(old))
    for f in sorted(set(old) - set(new)):
        # Two labels at one address: objdump names the block by either.
        alias = next((g for g in only_new if new[g] == old[f]), None)
        if alias:
            only_new.remove(alias)
            print(f"the same under another label: {f} = {alias}")
        else:
            print(f"only in {old_elf}: {f}")
    for f in only_new:
        print(f"only in {new_elf}: {f}")
    print(f"{len(common) - len(differ)} functions the same, {len(differ)} differ")
    for f in show:
        for line in difflib.unified_diff(old.get(f, []), new.get(f, []), f"{f} (old)", f"{f} (new)",
                                         lineterm="", n=1):
            print(line)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
