// GICv2 register map and fixed numbers shared by the distributor, the CPU
// interfaces and the virtualization extension. Values follow the GICv2
// architecture specification (IHI 0048B) and the GIC-400 used on the ZCU104.
#pragma once

#include <cstdint>
#include <optional>

namespace sim::gic {

inline constexpr unsigned kMaxCores = 8;         // target lists are 8 bits wide
inline constexpr unsigned kMaxInterrupts = 1020; // INTIDs 1020-1023 are special
inline constexpr unsigned kNumSgis = 16;
inline constexpr unsigned kNumPrivate = 32;      // SGIs + PPIs, banked per core
inline constexpr unsigned kNumListRegisters = 4; // GIC-400

inline constexpr uint32_t kFirstSpecialId = 1020;
inline constexpr uint32_t kGroup1SpuriousId = 1022; // highest pending is group 1, AckCtl=0
inline constexpr uint32_t kSpuriousId = 1023;

// PPIs of QEMU's virt board (see docs/gic.md).
inline constexpr uint32_t kMaintenancePpi = 25;
inline constexpr uint32_t kHypTimerPpi = 26;
inline constexpr uint32_t kVirtualTimerPpi = 27;
inline constexpr uint32_t kPhysicalTimerPpi = 30;

// The four register frames. The CPU interface, the control interface and the
// virtual CPU interface are banked: the same offset reaches the accessing
// core's own copy.
enum class Frame : uint8_t { Distributor, CpuInterface, VirtualControl, VirtualCpuInterface };

inline constexpr uint32_t kDistributorFrameSize = 0x1000;
inline constexpr uint32_t kCpuInterfaceFrameSize = 0x2000; // GICC_DIR sits at 0x1000
inline constexpr uint32_t kVirtualControlFrameSize = 0x1000;
inline constexpr uint32_t kVirtualCpuInterfaceFrameSize = 0x2000;

uint32_t frame_size(Frame frame);

// Physical base addresses of the frames; defaults are QEMU virt's.
struct AddressMap {
    uint64_t gicd = 0x0800'0000;
    uint64_t gicc = 0x0801'0000;
    uint64_t gich = 0x0803'0000;
    uint64_t gicv = 0x0804'0000;
};

struct FrameOffset {
    Frame frame;
    uint32_t offset;
};

// Which frame, if any, a physical address falls in.
std::optional<FrameOffset> decode(const AddressMap& map, uint64_t pa);

namespace gicd {
inline constexpr uint32_t kCtlr = 0x000;
inline constexpr uint32_t kTyper = 0x004;
inline constexpr uint32_t kIidr = 0x008;
inline constexpr uint32_t kIgroupr = 0x080;
inline constexpr uint32_t kIsenabler = 0x100;
inline constexpr uint32_t kIcenabler = 0x180;
inline constexpr uint32_t kIspendr = 0x200;
inline constexpr uint32_t kIcpendr = 0x280;
inline constexpr uint32_t kIsactiver = 0x300;
inline constexpr uint32_t kIcactiver = 0x380;
inline constexpr uint32_t kIpriorityr = 0x400; // byte per interrupt, up to 0x7FB
inline constexpr uint32_t kItargetsr = 0x800;  // byte per interrupt, up to 0xBFB
inline constexpr uint32_t kIcfgr = 0xC00;      // two bits per interrupt, up to 0xCFF
inline constexpr uint32_t kSgir = 0xF00;
inline constexpr uint32_t kCpendsgir = 0xF10; // byte per SGI, bit per source core
inline constexpr uint32_t kSpendsgir = 0xF20;
inline constexpr uint32_t kPidr4 = 0xFD0;
inline constexpr uint32_t kPidr0 = 0xFE0;
inline constexpr uint32_t kCidr0 = 0xFF0;

inline constexpr uint32_t kCtlrEnableGrp0 = 1u << 0;
inline constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
inline constexpr uint32_t kIidrGic400 = 0x0200'143B;

inline constexpr unsigned kSgirFilterShift = 24;
inline constexpr unsigned kSgirTargetShift = 16;
inline constexpr uint32_t kSgirFilterList = 0;
inline constexpr uint32_t kSgirFilterOthers = 1;
inline constexpr uint32_t kSgirFilterSelf = 2;
} // namespace gicd

namespace gicc {
inline constexpr uint32_t kCtlr = 0x00;
inline constexpr uint32_t kPmr = 0x04;
inline constexpr uint32_t kBpr = 0x08;
inline constexpr uint32_t kIar = 0x0C;
inline constexpr uint32_t kEoir = 0x10;
inline constexpr uint32_t kRpr = 0x14;
inline constexpr uint32_t kHppir = 0x18;
inline constexpr uint32_t kAbpr = 0x1C;
inline constexpr uint32_t kAiar = 0x20;
inline constexpr uint32_t kAeoir = 0x24;
inline constexpr uint32_t kAhppir = 0x28;
inline constexpr uint32_t kApr0 = 0xD0; // APR0-APR3
inline constexpr uint32_t kNsapr0 = 0xE0;
inline constexpr uint32_t kIidr = 0xFC;
inline constexpr uint32_t kDir = 0x1000;

inline constexpr uint32_t kCtlrEnableGrp0 = 1u << 0;
inline constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
inline constexpr uint32_t kCtlrAckCtl = 1u << 2;
inline constexpr uint32_t kCtlrFiqEn = 1u << 3;
inline constexpr uint32_t kCtlrCbpr = 1u << 4;
inline constexpr uint32_t kCtlrEoiMode = 1u << 9;
inline constexpr uint32_t kIidrGic400 = 0x0202'143B;

inline constexpr uint32_t kIdMask = 0x3FF;
inline constexpr unsigned kCpuIdShift = 10;
inline constexpr uint32_t kCpuIdMask = 0x7;
} // namespace gicc

// The virtual CPU interface (GICV) has GICC's layout.
namespace gicv = gicc;

namespace gich {
inline constexpr uint32_t kHcr = 0x00;
inline constexpr uint32_t kVtr = 0x04;
inline constexpr uint32_t kVmcr = 0x08;
inline constexpr uint32_t kMisr = 0x10;
inline constexpr uint32_t kEisr0 = 0x20;
inline constexpr uint32_t kEisr1 = 0x24;
inline constexpr uint32_t kElrsr0 = 0x30;
inline constexpr uint32_t kElrsr1 = 0x34;
inline constexpr uint32_t kApr = 0xF0;
inline constexpr uint32_t kLr0 = 0x100; // LR0-LR63; only kNumListRegisters exist
inline constexpr uint32_t kLrEnd = 0x200;

inline constexpr uint32_t kHcrEn = 1u << 0;
inline constexpr uint32_t kHcrUie = 1u << 1;
inline constexpr uint32_t kHcrLrenpie = 1u << 2;
inline constexpr uint32_t kHcrNpie = 1u << 3;
inline constexpr uint32_t kHcrVgrp0eie = 1u << 4;
inline constexpr uint32_t kHcrVgrp0die = 1u << 5;
inline constexpr uint32_t kHcrVgrp1eie = 1u << 6;
inline constexpr uint32_t kHcrVgrp1die = 1u << 7;
inline constexpr unsigned kHcrEoiCountShift = 27;
inline constexpr uint32_t kHcrWritable = 0xF800'00FF;

// GIC-400: 5 priority bits, 5 preemption bits, 4 list registers.
inline constexpr uint32_t kVtrGic400 = (4u << 29) | (4u << 26) | (kNumListRegisters - 1);

inline constexpr uint32_t kMisrEoi = 1u << 0;
inline constexpr uint32_t kMisrU = 1u << 1;
inline constexpr uint32_t kMisrLrenp = 1u << 2;
inline constexpr uint32_t kMisrNp = 1u << 3;
inline constexpr uint32_t kMisrVgrp0e = 1u << 4;
inline constexpr uint32_t kMisrVgrp0d = 1u << 5;
inline constexpr uint32_t kMisrVgrp1e = 1u << 6;
inline constexpr uint32_t kMisrVgrp1d = 1u << 7;

// GICH_VMCR: the guest's view of GICV_CTLR, GICV_PMR, GICV_BPR and GICV_ABPR.
inline constexpr uint32_t kVmcrCtlrMask = 0x21F; // VENG0, VENG1, VAckCtl, VFIQEn, VCBPR, VEM
inline constexpr unsigned kVmcrAbpShift = 18;
inline constexpr unsigned kVmcrBpShift = 21;
inline constexpr unsigned kVmcrPmrShift = 27;
inline constexpr uint32_t kVmcrWritable = 0xF8FC'021F;

// List register fields.
inline constexpr uint32_t kLrVirtualIdMask = 0x3FF;
inline constexpr unsigned kLrPhysicalIdShift = 10;
inline constexpr uint32_t kLrPhysicalIdMask = 0x3FF;
inline constexpr unsigned kLrCpuIdShift = 10; // when HW=0: source of a virtual SGI
inline constexpr uint32_t kLrCpuIdMask = 0x7;
inline constexpr uint32_t kLrEoi = 1u << 19; // when HW=0: maintenance interrupt on EOI
inline constexpr unsigned kLrPriorityShift = 23;
inline constexpr uint32_t kLrPriorityMask = 0x1F;
inline constexpr unsigned kLrStateShift = 28;
inline constexpr uint32_t kLrStateMask = 0x3;
inline constexpr uint32_t kLrGroup1 = 1u << 30;
inline constexpr uint32_t kLrHw = 1u << 31;
inline constexpr uint32_t kLrWritable = 0xFF8F'FFFF;

inline constexpr uint32_t kLrStateInvalid = 0;
inline constexpr uint32_t kLrStatePending = 1;
inline constexpr uint32_t kLrStateActive = 2;
inline constexpr uint32_t kLrStatePendingActive = 3;

// Builds a list register value: the form hv writes.
constexpr uint32_t make_lr(uint32_t virtual_id, uint8_t priority, uint32_t state,
                           bool group1 = false) {
    return (virtual_id & kLrVirtualIdMask) |
           ((uint32_t{priority} >> 3 & kLrPriorityMask) << kLrPriorityShift) |
           ((state & kLrStateMask) << kLrStateShift) | (group1 ? kLrGroup1 : 0);
}

// A hardware-linked list register: the guest's EOI deactivates physical_id.
constexpr uint32_t make_hw_lr(uint32_t virtual_id, uint32_t physical_id, uint8_t priority,
                              uint32_t state, bool group1 = false) {
    return make_lr(virtual_id, priority, state, group1) |
           ((physical_id & kLrPhysicalIdMask) << kLrPhysicalIdShift) | kLrHw;
}
} // namespace gich

} // namespace sim::gic
