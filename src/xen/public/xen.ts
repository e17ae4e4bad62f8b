// Constants from public/xen.h: mmu_update / mmuext_op commands, update_va_mapping flags, vm_assist,
// console_io, domain ids, VIRQs, start_info flags. Values are facts from the header; names keep its spelling.

// ---- HYPERVISOR_mmu_update: ptr[2:0] selects the command ----
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 1;
export const MMU_PT_UPDATE_PRESERVE_AD = 2;
export const MMU_PT_UPDATE_NO_TRANSLATE = 3;
/** Bit set in `count` by a preempted (continued) mmu_update/mmuext_op (xen/include/xen/hypercall.h). */
export const MMU_UPDATE_PREEMPTED = 0x80000000;

// ---- HYPERVISOR_mmuext_op commands ----
export const MMUEXT_PIN_L1_TABLE = 0;
export const MMUEXT_PIN_L2_TABLE = 1;
export const MMUEXT_PIN_L3_TABLE = 2;
export const MMUEXT_PIN_L4_TABLE = 3;
export const MMUEXT_UNPIN_TABLE = 4;
export const MMUEXT_NEW_BASEPTR = 5;
export const MMUEXT_TLB_FLUSH_LOCAL = 6;
export const MMUEXT_INVLPG_LOCAL = 7;
export const MMUEXT_TLB_FLUSH_MULTI = 8;
export const MMUEXT_INVLPG_MULTI = 9;
export const MMUEXT_TLB_FLUSH_ALL = 10;
export const MMUEXT_INVLPG_ALL = 11;
export const MMUEXT_FLUSH_CACHE = 12;
export const MMUEXT_SET_LDT = 13;
export const MMUEXT_NEW_USER_BASEPTR = 15;
export const MMUEXT_CLEAR_PAGE = 16;
export const MMUEXT_COPY_PAGE = 17;
export const MMUEXT_FLUSH_CACHE_GLOBAL = 18;
export const MMUEXT_MARK_SUPER = 19;
export const MMUEXT_UNMARK_SUPER = 20;

export const MMUEXT_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'MMUEXT_PIN_L1_TABLE', 1: 'MMUEXT_PIN_L2_TABLE', 2: 'MMUEXT_PIN_L3_TABLE', 3: 'MMUEXT_PIN_L4_TABLE',
  4: 'MMUEXT_UNPIN_TABLE', 5: 'MMUEXT_NEW_BASEPTR', 6: 'MMUEXT_TLB_FLUSH_LOCAL', 7: 'MMUEXT_INVLPG_LOCAL',
  8: 'MMUEXT_TLB_FLUSH_MULTI', 9: 'MMUEXT_INVLPG_MULTI', 10: 'MMUEXT_TLB_FLUSH_ALL', 11: 'MMUEXT_INVLPG_ALL',
  12: 'MMUEXT_FLUSH_CACHE', 13: 'MMUEXT_SET_LDT', 15: 'MMUEXT_NEW_USER_BASEPTR', 16: 'MMUEXT_CLEAR_PAGE',
  17: 'MMUEXT_COPY_PAGE', 18: 'MMUEXT_FLUSH_CACHE_GLOBAL', 19: 'MMUEXT_MARK_SUPER', 20: 'MMUEXT_UNMARK_SUPER',
});

// ---- update_va_mapping flags ----
export const UVMF_NONE = 0;
export const UVMF_TLB_FLUSH = 1;
export const UVMF_INVLPG = 2;
export const UVMF_FLUSHTYPE_MASK = 3;
export const UVMF_MULTI = 0;
export const UVMF_LOCAL = 0;
export const UVMF_ALL = 4;

// ---- console_io ----
export const CONSOLEIO_write = 0;
export const CONSOLEIO_read = 1;

// ---- vm_assist ----
export const VMASST_CMD_enable = 0;
export const VMASST_CMD_disable = 1;
export const VMASST_TYPE_4gb_segments = 0;
export const VMASST_TYPE_4gb_segments_notify = 1;
export const VMASST_TYPE_writable_pagetables = 2;
export const VMASST_TYPE_pae_extended_cr3 = 3;
export const VMASST_TYPE_architectural_iopl = 4;
export const VMASST_TYPE_runstate_update_flag = 5;
export const VMASST_TYPE_m2p_strict = 32;

// ---- domain ids ----
export const DOMID_FIRST_RESERVED = 0x7ff0;
export const DOMID_SELF = 0x7ff0;
export const DOMID_IO = 0x7ff1;
export const DOMID_XEN = 0x7ff2;
export const DOMID_COW = 0x7ff3;
export const DOMID_INVALID = 0x7ff4;
export const DOMID_ANY = 0x7ff5;
export const DOMID_IDLE = 0x7fff;
export const DOMID_MASK = 0x7fff;

// ---- virtual interrupts ----
export const VIRQ_TIMER = 0;
export const VIRQ_DEBUG = 1;
export const VIRQ_CONSOLE = 2;
export const VIRQ_DOM_EXC = 3;
export const VIRQ_TBUF = 4;
export const VIRQ_DEBUGGER = 6;
export const VIRQ_XENOPROF = 7;
export const VIRQ_CON_RING = 8;
export const VIRQ_PCPU_STATE = 9;
export const VIRQ_MEM_EVENT = 10;
export const VIRQ_ARGO = 11;
export const VIRQ_ENOMEM = 12;
export const VIRQ_XENPMU = 13;
export const VIRQ_ARCH_0 = 16;
export const NR_VIRQS = 24;

// ---- start_info ----
export const MAX_GUEST_CMDLINE = 1024;
export const SIF_PRIVILEGED = 1 << 0;
export const SIF_INITDOMAIN = 1 << 1;
export const SIF_MULTIBOOT_MOD = 1 << 2;
export const SIF_MOD_START_PFN = 1 << 3;
export const SIF_VIRT_P2M_4TOOLS = 1 << 4;
export const SIF_PM_MASK = 0xff << 8;

// ---- vcpu_time_info flags ----
export const XEN_PVCLOCK_TSC_STABLE_BIT = 1 << 0;
export const XEN_PVCLOCK_GUEST_STOPPED = 1 << 1;
