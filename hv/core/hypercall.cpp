#include "hv/core/hypercall.h"

#include "hv/arch/arch.h"
#include "hv/core/hypervisor.h"

namespace hv::inline HV_ARCH_NS {

std::int64_t ipc_notify(Hypervisor& hv, Vm& caller, std::uint64_t ipc_id, std::uint64_t event) {
    const VmConfig& cfg = *caller.cfg;
    if (ipc_id >= cfg.ipcs.size()) {
        return -hc::E_INVAL_ARGS;
    }
    const std::uint32_t shmem = cfg.ipcs[ipc_id].shmem_id;
    for (std::uint32_t i = 0; i < hv.num_vms(); ++i) {
        Vm& peer = hv.vm_mut(i);
        if (i == caller.id || peer.state != VmState::Running) {
            continue;
        }
        // As in Bao: the peer's own IPC object on that shared memory decides
        // which interrupt an event number means; events it lacks are dropped.
        for (const IpcConfig& ipc : peer.cfg->ipcs) {
            if (ipc.shmem_id != shmem || event >= ipc.interrupts.size()) {
                continue;
            }
            const std::uint32_t irq = ipc.interrupts[event];
            peer.virq_pending[irq / 64] |= 1ull << (irq % 64);
            ++peer.ipc_notifications;
            arch::virq_raise(hv, peer, irq);
            break;
        }
    }
    return hc::E_SUCCESS;
}

bool mark(Hypervisor& hv, Vm& vm, std::uint64_t value) {
    if (value > 1) {
        return false;
    }
    hv.port().mark(vm.id, value == 0 ? Mark::Start : Mark::End);
    return true;
}

bool marker_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                   std::uint64_t& value) {
    if (!is_write) {
        value = 0;
        return true;
    }
    if (offset != 0 || size != 4 || !mark(hv, vm, value)) {
        ++vm.marker_ignored;
    }
    return true;
}

namespace {

void report(Hypervisor& hv, const Vm& vm, const Vcpu& vcpu, std::uint32_t id, const VcpuRegs& regs,
            std::uint64_t result) {
    if (hv.port().wants(EventKind::Hypercall)) {
        hv.port().event(
            {EventKind::Hypercall,
             vm.id,
             vcpu.id,
             {id, arch::hypercall_arg(regs, 1), arch::hypercall_arg(regs, 2), 0, result}});
    }
}

} // namespace

TrapAction hypercall(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs) {
    const std::uint32_t id = hc::id_of(static_cast<std::uint32_t>(arch::hypercall_arg(regs, 0)));
    std::int64_t r = -hc::E_INVAL_ID;
    switch (id) {
    case hc::IPC:
        r = ipc_notify(hv, vm, arch::hypercall_arg(regs, 1), arch::hypercall_arg(regs, 2));
        break;
    case hc::MARK:
        r = mark(hv, vm, arch::hypercall_arg(regs, 1)) ? hc::E_SUCCESS : -hc::E_INVAL_ARGS;
        break;
    case hc::SAMPLE:
        hv.port().sample(vm.id, arch::hypercall_arg(regs, 1));
        r = hc::E_SUCCESS;
        break;
    case hc::PARAM: {
        // A run parameter for this VM's guest (irqlat's sample count, ...).
        std::uint64_t value = 0;
        if (hv.port().param(vm.id, arch::hypercall_arg(regs, 1), value) &&
            value <= 0x7fffffffffffffffull) {
            report(hv, vm, vcpu, id, regs, value);
            arch::hypercall_result(regs, value);
            return TrapAction::Resume;
        }
        r = -hc::E_INVAL_ARGS;
        break;
    }
    default:
        break;
    }
    report(hv, vm, vcpu, id, regs, static_cast<std::uint64_t>(r));
    arch::hypercall_result(regs, static_cast<std::uint64_t>(r));
    return TrapAction::Resume;
}

} // namespace hv::inline HV_ARCH_NS
