// Byte layouts of the public structs a PV guest shares with Xen, for both guest ABIs: offsets derived by
// hand from the struct definitions in public/xen.h, arch-x86/*.h and io/console.h (pv64: unsigned long and
// xen_pfn_t are 8 bytes; pv32: 4 bytes, and uint64_t is only 4-byte aligned). Cross-checked by gcc in tests.

export type GuestAbi = 'pv64' | 'pv32pae';

/** A struct layout: field name -> byte offset, plus the struct's size. */
export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly fields: Readonly<Record<string, number>>;
}

function layout(name: string, size: number, fields: Record<string, number>): StructLayout {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

/** struct start_info. */
export const START_INFO: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('start_info', 1168, {
    magic: 0, nr_pages: 32, shared_info: 40, flags: 48, store_mfn: 56, store_evtchn: 64,
    'console.domU.mfn': 72, 'console.domU.evtchn': 80, 'console.dom0.info_off': 72, 'console.dom0.info_size': 76,
    pt_base: 88, nr_pt_frames: 96, mfn_list: 104, mod_start: 112, mod_len: 120, cmd_line: 128,
    first_p2m_pfn: 1152, nr_p2m_frames: 1160,
  }),
  pv32pae: layout('start_info', 1112, {
    magic: 0, nr_pages: 32, shared_info: 36, flags: 40, store_mfn: 44, store_evtchn: 48,
    'console.domU.mfn': 52, 'console.domU.evtchn': 56, 'console.dom0.info_off': 52, 'console.dom0.info_size': 56,
    pt_base: 60, nr_pt_frames: 64, mfn_list: 68, mod_start: 72, mod_len: 76, cmd_line: 80,
    first_p2m_pfn: 1104, nr_p2m_frames: 1108,
  }),
});

/** struct vcpu_time_info (same for both ABIs; 32 bytes). */
export const VCPU_TIME_INFO: StructLayout = layout('vcpu_time_info', 32, {
  version: 0, pad0: 4, tsc_timestamp: 8, system_time: 16, tsc_to_system_mul: 24, tsc_shift: 28, flags: 29, pad1: 30,
});

/** struct vcpu_info (64 bytes for both ABIs); `time` is a vcpu_time_info at the given offset. */
export const VCPU_INFO: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('vcpu_info', 64, {
    evtchn_upcall_pending: 0, evtchn_upcall_mask: 1, evtchn_pending_sel: 8, 'arch.cr2': 16, 'arch.pad': 24, time: 32,
  }),
  pv32pae: layout('vcpu_info', 64, {
    evtchn_upcall_pending: 0, evtchn_upcall_mask: 1, evtchn_pending_sel: 4, 'arch.cr2': 8, 'arch.pad': 12, time: 32,
  }),
});

/** struct shared_info: vcpu_info[32], evtchn_pending/mask[sizeof(xen_ulong_t)*8], wallclock, arch_shared_info. */
export const SHARED_INFO: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('shared_info', 3136, {
    vcpu_info: 0, evtchn_pending: 2048, evtchn_mask: 2560, wc_version: 3072, wc_sec: 3076, wc_nsec: 3080,
    wc_sec_hi: 3084, 'arch.max_pfn': 3088, 'arch.pfn_to_mfn_frame_list_list': 3096, 'arch.nmi_reason': 3104,
    'arch.p2m_cr3': 3112, 'arch.p2m_vaddr': 3120, 'arch.p2m_generation': 3128,
  }),
  pv32pae: layout('shared_info', 2344, {
    vcpu_info: 0, evtchn_pending: 2048, evtchn_mask: 2176, wc_version: 2304, wc_sec: 2308, wc_nsec: 2312,
    'arch.max_pfn': 2316, 'arch.pfn_to_mfn_frame_list_list': 2320, 'arch.nmi_reason': 2324,
    'arch.p2m_cr3': 2328, 'arch.p2m_vaddr': 2332, 'arch.p2m_generation': 2336, 'arch.wc_sec_hi': 2340,
  }),
});
/** Bytes per xen_ulong_t word of the event-channel bitmaps and per vcpu_info.evtchn_pending_sel. */
export const XEN_ULONG_SIZE: Readonly<Record<GuestAbi, number>> = Object.freeze({ pv64: 8, pv32pae: 4 });

/** struct trap_info (set_trap_table entries; terminated by address == 0). */
export const TRAP_INFO: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('trap_info', 16, { vector: 0, flags: 1, cs: 2, address: 8 }),
  pv32pae: layout('trap_info', 8, { vector: 0, flags: 1, cs: 2, address: 4 }),
});

/** struct mmu_update: two uint64_t (same in both ABIs). */
export const MMU_UPDATE: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('mmu_update', 16, { ptr: 0, val: 8 }),
  pv32pae: layout('mmu_update', 16, { ptr: 0, val: 8 }),
});

/** struct mmuext_op: cmd, arg1 {mfn | linear_addr}, arg2 {nr_ents | vcpumask | src_mfn}. */
export const MMUEXT_OP: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('mmuext_op', 24, { cmd: 0, arg1: 8, arg2: 16 }),
  pv32pae: layout('mmuext_op', 12, { cmd: 0, arg1: 4, arg2: 8 }),
});

/** struct multicall_entry: op, result, args[6] (xen_ulong_t each). */
export const MULTICALL_ENTRY: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('multicall_entry', 64, { op: 0, result: 8, args: 16 }),
  pv32pae: layout('multicall_entry', 32, { op: 0, result: 4, args: 8 }),
});

/** struct xen_memory_reservation (memory.h): extent_start handle, nr_extents, extent_order, mem_flags, domid. */
export const XEN_MEMORY_RESERVATION: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('xen_memory_reservation', 32, { extent_start: 0, nr_extents: 8, extent_order: 16, mem_flags: 20, domid: 24 }),
  pv32pae: layout('xen_memory_reservation', 20, { extent_start: 0, nr_extents: 4, extent_order: 8, mem_flags: 12, domid: 16 }),
});

/** struct iret_context (xen-x86_64.h; pv32 uses its own frame): what HYPERVISOR_iret pops. */
export const IRET_CONTEXT_64: StructLayout = layout('iret_context', 72, {
  rax: 0, r11: 8, rcx: 16, flags: 24, rip: 32, cs: 40, rflags: 48, rsp: 56, ss: 64,
});

/** struct xencons_interface (io/console.h); same for both ABIs. */
export const XENCONS_INTERFACE: StructLayout = layout('xencons_interface', 3092, {
  in: 0, out: 1024, in_cons: 3072, in_prod: 3076, out_cons: 3080, out_prod: 3084, connection: 3088,
});
export const XENCONS_IN_SIZE = 1024;
export const XENCONS_OUT_SIZE = 2048;

/** Field offset, throwing for misspelt names (layouts are static facts; a typo is a programming error). */
export function fieldOffset(l: StructLayout, field: string): number {
  const off = l.fields[field];
  if (off === undefined) throw new Error(`${l.name} has no field ${field}`);
  return off;
}
