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

usage: scripts/random-guests.py [--arch arm64|riscv64] [--mode hv|native]
           [--count N] [--seed S] [--max-insns N] [--timeout S]
           [--binary PATH] [--out OUT_DIR] [-- extra bao-sim options]
"""
import argparse
import os
import random
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


def image(arch, seed, words=16384):
    """A random image; the seed's residue picks uniform or biased words."""
    a = ARCH[arch]
    r = random.Random(seed)
    out = list(a["prefix"])
    biased = seed % 2 == 1
    for _ in range(words):
        w = r.getrandbits(32)
        if biased and arch == "arm64":
            k = r.randrange(len(a["classes"]) + 2)
            if k < len(a["classes"]):
                w = (w & a["class_mask"][k]) | a["classes"][k]
        elif biased:
            w = (w & ~0x7F) | r.choice(a["opcodes"])
        out.append(w & 0xFFFFFFFF)
    return b"".join(struct.pack("<I", w) for w in out)


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


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", choices=sorted(ARCH), default="arm64")
    p.add_argument("--mode", choices=["hv", "native"], default="hv")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=1, help="first seed (then seed+1, ...)")
    p.add_argument("--max-insns", type=int, default=3_000_000)
    p.add_argument("--timeout", type=int, default=300, help="seconds per run")
    p.add_argument("--binary", default=os.path.join(here, "..", "build", "bao-sim"))
    p.add_argument("--out", default=os.path.join(here, "..", "build", "random-guests"))
    p.add_argument("extra", nargs="*", help="more bao-sim options (after --)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    counts, bad = {}, []
    for seed in range(args.seed, args.seed + args.count):
        stem = os.path.join(args.out, f"{args.arch}-{args.mode}-{seed}")
        with open(stem + ".bin", "wb") as f:
            f.write(image(args.arch, seed))
        with open(stem + ".toml", "w") as f:
            f.write(config(args.arch, args.mode, os.path.abspath(stem + ".bin")))
        cmd = [args.binary, "--platform", ARCH[args.arch]["platform"], "--config",
               stem + ".toml", "--max-insns", str(args.max_insns)] + args.extra
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            code, text = run.returncode, run.stdout + run.stderr
        except subprocess.TimeoutExpired as e:
            code = "timeout"
            text = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(
                errors="replace")
        counts[code] = counts.get(code, 0) + 1
        if code in OK_EXIT_CODES:
            os.remove(stem + ".bin")
            os.remove(stem + ".toml")
            continue
        with open(stem + ".out", "w") as f:
            f.write(text)
        last = text.strip().splitlines()[-1] if text.strip() else ""
        bad.append(f"seed {seed}: exit {code}: {last[:160]}")
    print("exit codes:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)))
    for line in bad:
        print(line)
    if bad:
        print(f"kept under {args.out}: <arch>-<mode>-<seed>.bin, .toml, .out")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
