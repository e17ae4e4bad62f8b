// Xen ABI constants predefined as assembler symbols (values as in Xen's public headers:
// xen.h, elfnote.h, sched.h, event_channel.h). A source definition of the same name overrides them.

/** __HYPERVISOR_* hypercall numbers (xen/include/public/xen.h). */
export const HYPERCALLS: Record<string, number> = {
  set_trap_table: 0, mmu_update: 1, set_gdt: 2, stack_switch: 3, set_callbacks: 4, fpu_taskswitch: 5,
  sched_op_compat: 6, platform_op: 7, set_debugreg: 8, get_debugreg: 9, update_descriptor: 10,
  memory_op: 12, multicall: 13, update_va_mapping: 14, set_timer_op: 15, event_channel_op_compat: 16,
  xen_version: 17, console_io: 18, physdev_op_compat: 19, grant_table_op: 20, vm_assist: 21,
  update_va_mapping_otherdomain: 22, iret: 23, vcpu_op: 24, set_segment_base: 25, mmuext_op: 26,
  xsm_op: 27, nmi_op: 28, sched_op: 29, callback_op: 30, xenoprof_op: 31, event_channel_op: 32,
  physdev_op: 33, hvm_op: 34, sysctl: 35, domctl: 36, kexec_op: 37, tmem_op: 38, argo_op: 39,
  xenpmu_op: 40, dm_op: 41, hypfs_op: 42, arch_0: 48, arch_1: 49, arch_2: 50, arch_3: 51, arch_4: 52, arch_5: 53, arch_6: 54, arch_7: 55,
};

/** XEN_ELFNOTE_* note types (xen/include/public/elfnote.h). */
export const ELFNOTES: Record<string, number> = {
  INFO: 0, ENTRY: 1, HYPERCALL_PAGE: 2, VIRT_BASE: 3, PADDR_OFFSET: 4, XEN_VERSION: 5, GUEST_OS: 6,
  GUEST_VERSION: 7, LOADER: 8, PAE_MODE: 9, FEATURES: 10, BSD_SYMTAB: 11, HV_START_LOW: 12,
  L1_MFN_VALID: 13, SUSPEND_CANCEL: 14, INIT_P2M: 15, MOD_START_PFN: 16, SUPPORTED_FEATURES: 17,
  PHYS32_ENTRY: 18,
};

const OTHER: Record<string, number> = {
  // sched.h
  SCHEDOP_yield: 0, SCHEDOP_block: 1, SCHEDOP_shutdown: 2, SCHEDOP_poll: 3, SCHEDOP_remote_shutdown: 4,
  SCHEDOP_shutdown_code: 5, SCHEDOP_watchdog: 6, SCHEDOP_pin_override: 7,
  SHUTDOWN_poweroff: 0, SHUTDOWN_reboot: 1, SHUTDOWN_suspend: 2, SHUTDOWN_crash: 3, SHUTDOWN_watchdog: 4, SHUTDOWN_soft_reset: 5,
  // xen.h
  CONSOLEIO_write: 0, CONSOLEIO_read: 1,
  MMU_NORMAL_PT_UPDATE: 0, MMU_MACHPHYS_UPDATE: 1, MMU_PT_UPDATE_PRESERVE_AD: 2,
  MMUEXT_PIN_L1_TABLE: 0, MMUEXT_PIN_L2_TABLE: 1, MMUEXT_PIN_L3_TABLE: 2, MMUEXT_PIN_L4_TABLE: 3,
  MMUEXT_UNPIN_TABLE: 4, MMUEXT_NEW_BASEPTR: 5, MMUEXT_TLB_FLUSH_LOCAL: 6, MMUEXT_INVLPG_LOCAL: 7,
  MMUEXT_TLB_FLUSH_MULTI: 8, MMUEXT_INVLPG_MULTI: 9, MMUEXT_TLB_FLUSH_ALL: 10, MMUEXT_INVLPG_ALL: 11,
  MMUEXT_FLUSH_CACHE: 12, MMUEXT_SET_LDT: 13, MMUEXT_NEW_USER_BASEPTR: 15,
  UVMF_NONE: 0, UVMF_TLB_FLUSH: 1, UVMF_INVLPG: 2, UVMF_FLUSHTYPE_MASK: 3, UVMF_MULTI: 0, UVMF_LOCAL: 0, UVMF_ALL: 4,
  VMASST_CMD_enable: 0, VMASST_CMD_disable: 1, VMASST_TYPE_4gb_segments: 0, VMASST_TYPE_4gb_segments_notify: 1,
  VMASST_TYPE_writable_pagetables: 2,
  DOMID_SELF: 0x7ff0, DOMID_IO: 0x7ff1, DOMID_XEN: 0x7ff2,
  VIRQ_TIMER: 0, VIRQ_DEBUG: 1, VIRQ_CONSOLE: 2, VIRQ_DOM_EXC: 3, VIRQ_TBUF: 4, VIRQ_DEBUGGER: 6, VIRQ_XENOPROF: 7,
  // event_channel.h
  EVTCHNOP_bind_interdomain: 0, EVTCHNOP_bind_virq: 1, EVTCHNOP_bind_pirq: 2, EVTCHNOP_close: 3, EVTCHNOP_send: 4,
  EVTCHNOP_status: 5, EVTCHNOP_alloc_unbound: 6, EVTCHNOP_bind_ipi: 7, EVTCHNOP_bind_vcpu: 8, EVTCHNOP_unmask: 9,
  EVTCHNOP_reset: 10, EVTCHNOP_init_control: 11, EVTCHNOP_expand_array: 12, EVTCHNOP_set_priority: 13,
};

let cache: Map<string, bigint> | undefined;

export function predefinedSymbols(): Map<string, bigint> {
  if (cache) return cache;
  const m = new Map<string, bigint>();
  for (const [k, v] of Object.entries(HYPERCALLS)) m.set(`__HYPERVISOR_${k}`, BigInt(v));
  for (const [k, v] of Object.entries(ELFNOTES)) m.set(`XEN_ELFNOTE_${k}`, BigInt(v));
  for (const [k, v] of Object.entries(OTHER)) m.set(k, BigInt(v));
  cache = m;
  return m;
}

/** Name of a Xen note type for listings ("ENTRY"), or undefined. */
export function elfNoteName(type: number): string | undefined {
  for (const [k, v] of Object.entries(ELFNOTES)) if (v === type) return k;
  return undefined;
}
