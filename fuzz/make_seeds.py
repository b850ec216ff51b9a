#!/usr/bin/env python3
"""Writes the seed corpora in the input formats of the fuzz targets: fuzz/corpus/
for Armv8-A's (fuzz/hv_fuzz.cpp, fuzz/ops.cpp), fuzz/corpus-riscv64/ for
RISC-V's (fuzz/riscv64/hv_fuzz.cpp, fuzz/riscv64/ops.cpp): one program per
file that reaches the interesting states quickly (every VM booted, virtual
interrupt controller enabled, interrupts pending, vCPUs powered off and on).
Re-run after changing a format."""
import os
import struct

OPS = ["psci", "hvc", "smc", "hypercall", "wfi", "wfe", "gicd-access", "dabt-raw", "dabt-near",
       "iabt-raw", "syndrome-raw", "irq", "ipis", "guest-lr", "power-cycle", "cpu-init",
       "vuart-access", "ipc-notify", "cpu-on-all", "system-off", "gicr-access", "icc-sysreg"]


def op(name, cpu, *args):
    return bytes([OPS.index(name) | (cpu << 5)]) + b"".join(args)


def u8(v): return struct.pack("<B", v & 0xff)
def u16(v): return struct.pack("<H", v & 0xffff)
def u32(v): return struct.pack("<I", v & 0xffffffff)
def u64(v): return struct.pack("<Q", v & 0xffffffffffffffff)


def gicd(cpu, off, value, write=True, size=4, srt=1):
    sas = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return op("gicd-access", cpu, u16(off), u8((1 if write else 0) | (sas << 1)), u8(srt), u64(value))


def gicr(cpu, vcpu, sgi_frame, off, value, write=True, size=4, srt=1):
    # pick(frame), flag(SGI_base), u16 offset, then as gicd's load/store
    sas = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return op("gicr-access", cpu, u8(vcpu), u8(1 if sgi_frame else 0), u16(off),
              u8((1 if write else 0) | (sas << 1)), u8(srt), u64(value))


def sgi1r(cpu, intid, aff0, irm=False, aff1=0):
    # pick(SGI1R), Rt, direction (write), raw value, flag(plausible), intid, aff0, irm, aff1
    return op("icc-sysreg", cpu, u8(0), u8(2), u8(1), u64(0), u8(1), u8(intid), u8(aff0),
              u8(1 if irm else 0), u8(aff1))


def psci(cpu, fid_index, x1, entry=True, smc=False):
    # flag(smc), pick(fid), flag -> x1 small, flag -> x2 = entry + u8, x3
    return op("psci", cpu, u8(smc), u8(fid_index), u8(1), u8(x1), u8(1 if entry else 0),
              u8(0) if entry else u64(0xdead0000), u64(0))


def vgic_enable(cpu, spis):
    out = gicd(cpu, 0x000, 3)  # GICD_CTLR
    out += gicd(cpu, 0x100, 0xffffffff)  # SGIs/PPIs
    for w in spis:
        out += gicd(cpu, 0x100 + 4 * w, 0xffffffff)
    return out


def seeds():
    s = {}
    # Fixed config 0: three VMs; enable, IPC both ways, interrupts, LRs.
    p = bytes([0 << 1])
    p += vgic_enable(0, [1]) + vgic_enable(1, [1]) + vgic_enable(2, [1])
    p += op("ipc-notify", 0, u8(0), u8(0)) + op("ipc-notify", 1, u8(0), u8(1))
    p += op("irq", 1, u8(1), u16(48)) + op("irq", 2, u8(1), u16(49)) + op("irq", 0, u8(1), u16(27))
    p += op("ipis", 1) + op("guest-lr", 1, u8(0), u8(0)) + op("guest-lr", 1, u8(0), u8(1))
    p += gicd(1, 0x200 + 4, 0xffffffff) + gicd(1, 0x380 + 4, 0xffffffff)
    p += gicd(2, 0x820, 0x02020202, size=4) + gicd(2, 0xf00, 0x00ff0003)
    p += op("wfi", 0) + op("irq", 0, u8(1), u16(0))
    s["ipc-vgic"] = p
    # Fixed config 0: PSCI power cycles of the two-vCPU VM.
    p = bytes([0])
    p += psci(2, 4, 1) + psci(3, 6, 0) + op("power-cycle", 3) + op("power-cycle", 2)
    p += psci(3, 3, 0) + psci(2, 5, 1) + op("cpu-on-all", 2) + psci(0, 11, 3)
    p += op("system-off", 1) + op("ipc-notify", 0, u8(0), u8(0))
    s["psci"] = p
    # Fixed config 1 (colored): distributor sweep of every size.
    p = bytes([1 << 1])
    for off in (0x000, 0x004, 0x008, 0x080, 0x104, 0x204, 0x304, 0x404, 0x830, 0xc08, 0xf00,
                0xf10, 0xfd0, 0xffc):
        for size in (1, 2, 4, 8):
            p += gicd(0, off, 0x0101010101010101, write=True, size=size)
            p += gicd(0, off, 0, write=False, size=size)
    s["gicd-sweep"] = p
    # Fixed config 2: eight VMs, aborts and the virtual UART.
    p = bytes([2 << 1])
    for cpu in range(8):
        p += op("vuart-access", cpu, u16(0x000), u8(1 | (0 << 1)), u8(2), u64(0x41 + cpu))
        p += op("vuart-access", cpu, u16(0x018), u8(0 | (2 << 1)), u8(3), u64(0))
    p += op("dabt-near", 3, u8(3), u16(0x100), u32((1 << 24) | (2 << 22) | (1 << 6)))
    p += op("iabt-raw", 5, u64(0x40000000), u64(0x40000000))
    p += op("syndrome-raw", 6, u32(0x18 << 26), u64(0), u64(0))
    s["eight-vms"] = p
    # Fixed config 3 (GICv3, three VMs): affinity routing on, redistributors
    # awake, SGIs by ICC_SGI1R_EL1, SPIs routed by IROUTER, interrupts taken.
    p = bytes([3 << 1])
    for cpu in range(4):
        p += gicd(cpu, 0x000, 0x12)  # GICD_CTLR: ARE, EnableGrp1
        p += gicr(cpu, 1 if cpu == 3 else 0, False, 0x014, 0)  # GICR_WAKER: awake
        p += gicr(cpu, 1 if cpu == 3 else 0, True, 0x100, 0xffffffff)  # SGIs/PPIs on
        p += gicd(cpu, 0x104, 0xffffffff)  # SPIs 32-63
    p += gicd(2, 0x6000 + 8 * 49, 1, size=8) + gicd(2, 0x6000 + 8 * 50, 1 << 31, size=8)
    p += gicd(1, 0x6000 + 8 * 48, 0, size=8) + gicd(1, 0x6004 + 8 * 48, 0)
    p += sgi1r(2, 3, 1) + sgi1r(3, 5, 0) + sgi1r(2, 1, 0, irm=True) + sgi1r(0, 2, 0)
    p += op("ipis", 3) + op("ipis", 2)
    p += op("irq", 1, u8(1), u16(48)) + op("irq", 2, u8(1), u16(49)) + op("irq", 0, u8(1), u16(27))
    p += op("ipc-notify", 0, u8(0), u8(0)) + op("ipc-notify", 1, u8(0), u8(1))
    p += op("guest-lr", 1, u8(0), u8(0)) + op("guest-lr", 1, u8(0), u8(1))
    p += gicr(3, 0, True, 0x100, 0xffffffff) + gicr(2, 1, True, 0x400, 0xa0a0a0a0)
    p += gicr(2, 0, False, 0xffe8, 0, write=False) + gicr(2, 2, False, 0x008, 0, write=False, size=8)
    p += gicd(0, 0xffe8, 0, write=False)
    s["gicv3"] = p
    # Fixed config 4 (GICv3, eight VMs): distributor and redistributor sweeps.
    p = bytes([4 << 1])
    for off in (0x000, 0x004, 0x104, 0x404, 0x830, 0xc08, 0x6100, 0x6104, 0x7fe0, 0xffe8):
        for size in (1, 4, 8):
            p += gicd(off % 8, off, 0x0101010101010101, size=size)
            p += gicd(off % 8, off, 0, write=False, size=size)
    for off in (0x000, 0x008, 0x00c, 0x014, 0xffe8):
        p += gicr(off % 8, 0, False, off, 0x2) + gicr(off % 8, 1, False, off, 0, write=False)
    for off in (0x080, 0x100, 0x180, 0x200, 0x300, 0x400, 0x41c, 0xc00, 0xc04, 0xd00):
        p += gicr(5, 0, True, off, 0xffffffff) + gicr(5, 0, True, off, 0, write=False)
    p += sgi1r(4, 7, 0) + sgi1r(6, 1, 3, aff1=1)
    s["gicv3-sweep"] = p
    # A fuzzed configuration close to a valid two-VM one.
    p = bytes([1])
    p += u8(1) + u8(0)  # cpus = 2, ram = 256 MiB
    p += u8(200) + u8(200) + u8(200)  # no extra RAM, default GIC, default hv region
    p += u8(1)  # hv uncolored
    p += u8(1) + u8(1) + u8(1) + u8(200)  # one shmem 64 KiB, uncolored, not placed
    p += u8(1)  # two VMs
    for vm in range(2):
        p += u8(1) + u8(1)  # affinity = its own CPU, uncolored
        p += u8(0) + u8(0) + u8(1) + u8(200)  # one region at RAM base, 2 MiB
        p += u8(1) + u8(1) + u8(200)  # image 0x5000 at entry = base, no load_pa
        p += u8(1) + u8(0) + u8(1) + u8(1) + u8(1) + u8(48 if vm == 0 else 49)  # one device
        p += u8(1) + u8(0) + u8(1) + u8(0) + u8(1) + u8(4)  # one IPC, interrupt 52
    p += vgic_enable(0, [1]) + op("ipc-notify", 1, u8(0), u8(0))
    s["fuzzed-config"] = p
    return s


RV_OPS = ["sbi", "ecall-raw", "hypercall", "ipc-notify", "plic-access", "vuart-access",
          "gpf-near", "trap-raw", "virt-insn", "ext-irq", "timer-irq", "ipis", "irq-raw",
          "power-cycle", "cpu-init", "start-all", "shutdown", "suspend"]
RV_EXTS = ["base", "time", "ipi", "rfence", "hsm", "srst", "bao"]


def rv_op(name, cpu, *args):
    return bytes([RV_OPS.index(name) | (cpu << 5)]) + b"".join(args)


def rv_access(write, size, reg, value):
    # flag(store), pick(size), u8 reg, [flag(sign) for a load], pick(0): a
    # transformed instruction, flag(small value) + u64
    sizes = {1: 0, 2: 1, 4: 2, 8: 3}
    out = u8(1 if write else 0) + u8(sizes[size]) + u8(reg)
    if not write:
        out += u8(0)
    return out + u8(0) + u8(0) + u64(value)


def rv_plic(cpu, kind, args, write=True, value=0, size=4, context=1):
    # u8 context, pick(kind): 0 priority (u16 source), 1 pending (u8 word),
    # 2 enable (u8 word), 3 threshold/claim (flag claim), 4 raw (u32 offset)
    return rv_op("plic-access", cpu, u8(context), u8(kind), args,
                 rv_access(write, size, 5, value))


def rv_sbi(cpu, ext, fid, a0=0, a1=0, a2=0, hsm_hart=0, hsm_entry_off=0):
    # pick(ext), flag(small fid) + u8, hart mask case 2 (u8 mask, u8 base),
    # HSM: flag + u8 hart id, flag + u8 offset from the entry; a2, a3 small
    out = u8(RV_EXTS.index(ext)) + u8(1) + u8(fid) + u8(2) + u8(a0) + u8(a1)
    if ext == "hsm":
        out += u8(1) + u8(hsm_hart) + u8(1) + u8(hsm_entry_off)
    return rv_op("sbi", cpu, out, u8(1), u16(a2), u8(1), u16(0), u64(0), u64(0))


def riscv64_seeds():
    s = {}
    # Fixed config 0: each VM enables its sources, IPC both ways, interrupts
    # claimed and completed through the vPLIC.
    p = bytes([0])
    for cpu, sources in ((0, [52, 53]), (1, [1, 52, 53]), (2, [2, 3, 60, 61])):
        for src in sources:
            p += rv_plic(cpu, 0, u16(src), value=1 + src % 7)
        p += rv_plic(cpu, 2, u8(0), value=0xffffffff) + rv_plic(cpu, 2, u8(1), value=0xffffffff)
        p += rv_plic(cpu, 3, u8(0), value=0)  # threshold 0
    p += rv_op("ipc-notify", 0, u8(0), u8(0)) + rv_op("ipc-notify", 1, u8(0), u8(1))
    p += rv_op("ext-irq", 1, u8(0), u8(1)) + rv_op("ext-irq", 2, u8(0), u8(2))
    p += rv_op("ext-irq", 0, u8(0), u8(3)) + rv_op("ipis", 0) + rv_op("ipis", 1)
    for cpu in (0, 1, 2):
        p += rv_plic(cpu, 3, u8(1), write=False)  # claim
        p += rv_plic(cpu, 3, u8(1), value=1 if cpu == 1 else 52)  # complete
        p += rv_plic(cpu, 1, u8(0), write=False) + rv_plic(cpu, 1, u8(1), write=False)
    p += rv_op("virt-insn", 0, u8(1)) + rv_op("timer-irq", 0)
    s["rv-vplic"] = p
    # Fixed config 0: HSM power cycles of the two-hart VM, SBI calls.
    p = bytes([0])
    p += rv_sbi(2, "hsm", 0, hsm_hart=1) + rv_op("ipis", 3) + rv_op("power-cycle", 3)
    p += rv_op("power-cycle", 2) + rv_op("start-all", 2) + rv_sbi(3, "hsm", 2, hsm_hart=0)
    p += rv_sbi(2, "ipi", 0, a0=3) + rv_op("ipis", 3) + rv_sbi(3, "rfence", 1, a0=3)
    p += rv_sbi(3, "rfence", 0, a0=1) + rv_sbi(0, "time", 0, a0=0x10) + rv_op("timer-irq", 0)
    p += rv_op("suspend", 2, u8(0)) + rv_sbi(1, "base", 3, a0=0x10) + rv_sbi(1, "bao", 0x10)
    p += rv_op("shutdown", 1, u8(0), u8(0)) + rv_op("ipc-notify", 0, u8(0), u8(0))
    s["rv-hsm"] = p
    # Fixed config 1 (colored): a sweep of the vPLIC's windows, every size.
    p = bytes([1])
    for kind, arg in ((0, u16(1)), (0, u16(1023)), (1, u8(1)), (2, u8(0)), (3, u8(1)),
                      (3, u8(0)), (4, u32(0x1ffc)), (4, u32(0x3fffffc))):
        for size in (1, 2, 4, 8):
            p += rv_plic(0, kind, arg, value=0x0101010101010101, size=size, context=1)
            p += rv_plic(0, kind, arg, write=False, size=size, context=3)
    s["rv-plic-sweep"] = p
    # Fixed config 2: eight VMs, the virtual UART, faults and raw traps.
    p = bytes([2])
    for cpu in range(8):
        p += rv_op("vuart-access", cpu, u16(0x000), rv_access(True, 1, 6, 0x41 + cpu))
        p += rv_op("vuart-access", cpu, u16(0x018), rv_access(False, 4, 7, 0))
    p += rv_op("gpf-near", 3, u8(3), u16(0x100), u8(1), u8(0), u8(2), u8(5), u8(0), u8(0), u8(0),
               u64(0))
    p += rv_op("trap-raw", 5, u8(1), u8(2), u64(0), u64(0), u64(0))
    p += rv_op("ext-irq", 6, u8(0), u8(7)) + rv_op("irq-raw", 7, u16(8), u8(1), u8(9))
    s["rv-eight-vms"] = p
    # Config 0 varied (byte 0 bit 7): ping gains a device in virtio slot 5
    # with PLIC source 5, which it enables and takes.
    p = bytes([0x80, 255])  # hv's colors kept
    p += bytes([255, 255, 0]) + bytes([0, 5, 0, 1, 1, 1, 3])  # ping: + device, source 5
    p += bytes([255, 255, 0, 0, 255]) + bytes([255, 255, 0, 0, 255])  # pong, duo kept
    p += rv_plic(0, 0, u16(5), value=1) + rv_plic(0, 2, u8(0), value=0xffffffff)
    p += rv_op("ext-irq", 0, u8(0), u8(5)) + rv_plic(0, 3, u8(1), write=False)
    p += rv_plic(0, 3, u8(1), value=5) + rv_op("ext-irq", 1, u8(0), u8(5))
    s["rv-varied"] = p
    return s


if __name__ == "__main__":
    root = os.path.dirname(os.path.abspath(__file__))
    for corpus, made in (("corpus", seeds()), ("corpus-riscv64", riscv64_seeds())):
        here = os.path.join(root, corpus)
        os.makedirs(here, exist_ok=True)
        for name, data in made.items():
            with open(os.path.join(here, name), "wb") as f:
                f.write(data)
