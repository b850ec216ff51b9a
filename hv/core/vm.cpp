// VM creation: memory allocation (contiguous and superpage-friendly when
// uncolored, page by page from the VM's colors otherwise), stage-2 mappings
// of memory, devices and shared memory, and the image's staging area.
#include "hv/arch/arch.h"
#include "hv/core/hypercall.h"
#include "hv/core/hypervisor.h"
#include "hv/core/vuart.h"

namespace hv::inline HV_ARCH_NS {

using arch::MapStatus;

bool Hypervisor::map_fail(Error& err, const Vm& vm, const char* what, std::uint32_t index,
                          MapStatus s) {
    fail(err, ErrorCode::Mapping) << "vms[" << vm.id << "]." << what << "[" << index
                                  << "]: stage-2 mapping failed: " << arch::to_string(s);
    return false;
}

// Everything the configuration places at a fixed PA leaves the pool first,
// so no allocation can land on it.
bool Hypervisor::reserve_placed(Error& err) {
    const MemRange& h = cfg_.hyp.region;
    if (h.size != 0 && !pool_.reserve(h.base, h.size >> kPageShift)) {
        fail(err, ErrorCode::Config) << "hyp.region: cannot reserve " << Hex{h.base};
        return false;
    }
    for (std::uint32_t i = 0; i < cfg_.shmems.size(); ++i) {
        const ShmemConfig& s = cfg_.shmems[i];
        if (s.place_phys && !pool_.reserve(s.phys, s.size >> kPageShift)) {
            fail(err, ErrorCode::Config)
                << "shmems[" << i << "]: cannot reserve phys " << Hex{s.phys};
            return false;
        }
    }
    for (std::uint32_t i = 0; i < cfg_.vms.size(); ++i) {
        const VmConfig& v = cfg_.vms[i];
        for (std::uint32_t j = 0; j < v.regions.size(); ++j) {
            const RegionConfig& r = v.regions[j];
            if (r.place_phys && !pool_.reserve(r.phys, r.size >> kPageShift)) {
                fail(err, ErrorCode::Config)
                    << "vms[" << i << "].regions[" << j << "]: cannot reserve phys " << Hex{r.phys};
                return false;
            }
        }
        // An image a loader already placed must survive until boot copies it.
        const ImageConfig& img = v.image;
        if (img.has_load_pa && !image_in_place(v) && pool_.in_ram(img.load_pa) &&
            !pool_.reserve(img.load_pa, pages_of(img.size))) {
            fail(err, ErrorCode::Config)
                << "vms[" << i << "].image: cannot reserve load_pa " << Hex{img.load_pa};
            return false;
        }
    }
    return true;
}

bool Hypervisor::alloc_shmems(Error& err) {
    for (std::uint32_t i = 0; i < cfg_.shmems.size(); ++i) {
        const ShmemConfig& c = cfg_.shmems[i];
        ShmemState& s = shmems_[i];
        const std::uint64_t pages = c.size >> kPageShift;
        s.allocated = true;
        if (c.place_phys) {
            s.pa = c.phys;
            continue;
        }
        if (c.colors == 0) {
            const std::uint64_t align = c.size >= kSize2M ? kSize2M : kPageSize;
            if (!pool_.alloc_contig(pages, align, 0, s.pa) &&
                !pool_.alloc_contig(pages, kPageSize, 0, s.pa)) {
                fail(err, ErrorCode::NoMemory)
                    << "shmems[" << i << "]: no contiguous free range of " << Hex{c.size}
                    << " bytes";
                return false;
            }
            continue;
        }
        // Colored shared memory is scattered: remember where each page went in
        // a private table (offset -> PA) that every sharing VM's mapping reads.
        s.colored = true;
        if (s.pages.init(port_, table_source()) != MapStatus::Ok) {
            fail(err, ErrorCode::NoMemory) << "shmems[" << i << "]: no page for its page table";
            return false;
        }
        std::uint64_t off = 0;
        MapStatus ms = MapStatus::Ok;
        const bool ok =
            pool_.alloc_colored(pages, c.colors, [&](std::uint64_t pa, std::uint64_t n) {
                ms = s.pages.map(off, pa, n << kPageShift, arch::kNormalRwx, false);
                off += n << kPageShift;
                return ms == MapStatus::Ok;
            });
        if (!ok) {
            fail(err, ms == MapStatus::Ok ? ErrorCode::NoMemory : ErrorCode::Mapping)
                << "shmems[" << i << "]: cannot allocate " << Hex{c.size} << " bytes of colors "
                << Hex{c.colors} << " (" << pool_.free_pages(c.colors) << " pages free)";
            return false;
        }
    }
    return true;
}

bool Hypervisor::create_vm(std::uint32_t id, Error& err) {
    Vm& vm = vms_[id];
    vm = Vm{};
    vm.id = id;
    vm.cfg = &cfg_.vms[id];
    vm.vmid = static_cast<std::uint16_t>(id + 1); // VMID 0 stays unused
    vm.cpus = vm.cfg->cpu_affinity;
    num_vms_ = id + 1;
    // Virtual CPU ids follow the physical CPUs in ascending order.
    for (std::uint32_t c = 0; c < cfg_.platform.cpu_num; ++c) {
        if (!bit_test(vm.cpus, c)) {
            continue;
        }
        Vcpu& vc = vcpus_[c];
        vc.present = true;
        vc.vm = id;
        vc.id = vm.num_vcpus;
        vc.state = VcpuState::Off;
        vc.vmpidr = arch::vcpu_id_register(vm.num_vcpus);
        vm.vcpu_cpu[vm.num_vcpus++] = c;
    }
    if (vm.stage2.init(port_, table_source()) != MapStatus::Ok) {
        fail(err, ErrorCode::NoMemory) << "vms[" << id << "]: no pages for the stage-2 root";
        return false;
    }
    if (!map_regions(vm, err) || !map_devs(vm, err) || !map_ipcs(vm, err)) {
        return false;
    }
    vm.emul.push(EmulRegion{cfg_.platform.console_pa, kPageSize, &vuart_access});
    if (vm.cfg->has_marker) {
        vm.emul.push(EmulRegion{vm.cfg->marker, kPageSize, &marker_access});
    }
    return true;
}

bool Hypervisor::map_regions(Vm& vm, Error& err) {
    const VmConfig& v = *vm.cfg;
    const bool blocks = v.colors == 0;
    for (std::uint32_t j = 0; j < v.regions.size(); ++j) {
        const RegionConfig& r = v.regions[j];
        const std::uint64_t pages = r.size >> kPageShift;
        MapStatus s = MapStatus::Ok;
        if (r.place_phys) {
            s = vm.stage2.map(r.base, r.phys, r.size, arch::kNormalRwx, blocks);
        } else if (v.colors == 0) {
            // Prefer a PA that agrees with the IPA modulo the largest block
            // the region can hold, so stage 2 can use 1 GiB / 2 MiB blocks.
            std::uint64_t pa = 0;
            bool found = false;
            constexpr std::uint64_t aligns[] = {kSize1G, kSize2M, kPageSize};
            for (std::uint64_t align : aligns) {
                if ((align == kPageSize || r.size >= align) &&
                    pool_.alloc_contig(pages, align, r.base & (align - 1), pa)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                fail(err, ErrorCode::NoMemory)
                    << "vms[" << vm.id << "].regions[" << j << "]: no contiguous free range of "
                    << Hex{r.size} << " bytes (" << pool_.free_pages() << " pages free)";
                return false;
            }
            s = vm.stage2.map(r.base, pa, r.size, arch::kNormalRwx, true);
        } else {
            std::uint64_t ipa = r.base;
            const bool ok =
                pool_.alloc_colored(pages, v.colors, [&](std::uint64_t pa, std::uint64_t n) {
                    s = vm.stage2.map(ipa, pa, n << kPageShift, arch::kNormalRwx, false);
                    ipa += n << kPageShift;
                    return s == MapStatus::Ok;
                });
            if (!ok && s == MapStatus::Ok) {
                fail(err, ErrorCode::NoMemory)
                    << "vms[" << vm.id << "].regions[" << j << "]: " << pages << " pages of colors "
                    << Hex{v.colors} << " needed, " << pool_.free_pages(v.colors) << " free";
                return false;
            }
        }
        if (s != MapStatus::Ok) {
            return map_fail(err, vm, "regions", j, s);
        }
    }
    return true;
}

bool Hypervisor::map_devs(Vm& vm, Error& err) {
    const VmConfig& v = *vm.cfg;
    for (std::uint32_t j = 0; j < v.devs.size(); ++j) {
        const DevConfig& d = v.devs[j];
        // The console's page stays unmapped: the VM's virtual UART traps
        // there (validation put it at the same IPA), the rest is the device's.
        const std::uint64_t cons = cfg_.platform.console_pa;
        std::uint64_t hole = d.size; // offset of the console page, or none
        if (d.size != 0 && ranges_overlap(d.pa, d.size, cons, kPageSize)) {
            hole = cons - d.pa;
        }
        const std::uint64_t after = hole == d.size ? d.size : hole + kPageSize;
        MapStatus s = MapStatus::Ok;
        if (hole != 0) {
            s = vm.stage2.map(d.va, d.pa, hole, arch::kDeviceRw, true);
        }
        if (s == MapStatus::Ok && after < d.size) {
            s = vm.stage2.map(d.va + after, d.pa + after, d.size - after, arch::kDeviceRw, true);
        }
        if (s != MapStatus::Ok) {
            return map_fail(err, vm, "devs", j, s);
        }
    }
    return true;
}

bool Hypervisor::map_ipcs(Vm& vm, Error& err) {
    const VmConfig& v = *vm.cfg;
    for (std::uint32_t j = 0; j < v.ipcs.size(); ++j) {
        const IpcConfig& c = v.ipcs[j];
        ShmemState& s = shmems_[c.shmem_id];
        MapStatus ms = MapStatus::Ok;
        if (!s.colored) {
            ms = vm.stage2.map(c.base, s.pa, c.size, arch::kNormalRwx, v.colors == 0);
        } else {
            for (std::uint64_t off = 0; off < c.size && ms == MapStatus::Ok; off += kPageSize) {
                const arch::Stage2Walk w = arch::stage2_walk(port_, s.pages.root(), off);
                ms = vm.stage2.map(c.base + off, w.pa, kPageSize, arch::kNormalRwx, false);
            }
        }
        if (ms != MapStatus::Ok) {
            return map_fail(err, vm, "ipcs", j, ms);
        }
    }
    return true;
}

// Decides where the loader must put the image (see ImageStaging): in the
// VM's own pages when they are contiguous, else in a contiguous staging area
// that boot() recolors from.
bool Hypervisor::stage_image(Vm& vm, Error& err) {
    const ImageConfig& img = vm.cfg->image;
    ImageStaging& st = vm.staging;
    st.size = pages_of(img.size) << kPageShift;
    const std::uint64_t final_pa = walk(vm.id, img.base_ipa).pa;
    const bool colored = vm.cfg->colors != 0;
    if (img.has_load_pa) {
        st.pa = img.load_pa;
        st.copy = colored || img.load_pa != final_pa;
        st.release = st.copy && pool_.in_ram(img.load_pa);
    } else if (colored) {
        if (!pool_.alloc_contig(st.size >> kPageShift, kPageSize, 0, st.pa)) {
            fail(err, ErrorCode::NoMemory)
                << "vms[" << vm.id << "].image: no contiguous free range of " << Hex{st.size}
                << " bytes to stage the image for recoloring";
            return false;
        }
        st.copy = true;
        st.release = true;
    } else {
        st.pa = final_pa;
    }
    return true;
}

} // namespace hv::inline HV_ARCH_NS
