// Xen public ABI constants and layouts the hypervisor needs before src/xen/public/ provides them. Each
// group names its header (xen/include/public/...); the lead merges these into public/ and deletes this file.

// ---- xen.h: hypercall numbers ----
export const __HYPERVISOR_set_trap_table = 0, __HYPERVISOR_mmu_update = 1, __HYPERVISOR_set_gdt = 2;
export const __HYPERVISOR_stack_switch = 3, __HYPERVISOR_set_callbacks = 4, __HYPERVISOR_fpu_taskswitch = 5;
export const __HYPERVISOR_sched_op_compat = 6, __HYPERVISOR_platform_op = 7, __HYPERVISOR_set_debugreg = 8;
export const __HYPERVISOR_get_debugreg = 9, __HYPERVISOR_update_descriptor = 10, __HYPERVISOR_memory_op = 12;
export const __HYPERVISOR_multicall = 13, __HYPERVISOR_update_va_mapping = 14, __HYPERVISOR_set_timer_op = 15;
export const __HYPERVISOR_event_channel_op_compat = 16, __HYPERVISOR_xen_version = 17, __HYPERVISOR_console_io = 18;
export const __HYPERVISOR_physdev_op_compat = 19, __HYPERVISOR_grant_table_op = 20, __HYPERVISOR_vm_assist = 21;
export const __HYPERVISOR_update_va_mapping_otherdomain = 22, __HYPERVISOR_iret = 23, __HYPERVISOR_vcpu_op = 24;
export const __HYPERVISOR_set_segment_base = 25, __HYPERVISOR_mmuext_op = 26, __HYPERVISOR_xsm_op = 27;
export const __HYPERVISOR_nmi_op = 28, __HYPERVISOR_sched_op = 29, __HYPERVISOR_callback_op = 30;
export const __HYPERVISOR_xenoprof_op = 31, __HYPERVISOR_event_channel_op = 32, __HYPERVISOR_physdev_op = 33;
export const __HYPERVISOR_hvm_op = 34, __HYPERVISOR_sysctl = 35, __HYPERVISOR_domctl = 36, __HYPERVISOR_kexec_op = 37;
export const __HYPERVISOR_tmem_op = 38, __HYPERVISOR_argo_op = 39, __HYPERVISOR_xenpmu_op = 40;
export const __HYPERVISOR_dm_op = 41, __HYPERVISOR_hypfs_op = 42;

// ---- xen.h: console_io, vm_assist, mmuext_op, start_info flags ----
export const CONSOLEIO_write = 0, CONSOLEIO_read = 1;
export const VMASST_CMD_enable = 0, VMASST_CMD_disable = 1;
export const VMASST_TYPE_4gb_segments = 0, VMASST_TYPE_4gb_segments_notify = 1, VMASST_TYPE_writable_pagetables = 2;
export const VMASST_TYPE_pae_extended_cr3 = 3, VMASST_TYPE_architectural_iopl = 4, VMASST_TYPE_runstate_update_flag = 5;
export const VMASST_TYPE_m2p_strict = 32;
export const MMUEXT_NEW_BASEPTR = 5, MMUEXT_TLB_FLUSH_LOCAL = 6, MMUEXT_INVLPG_LOCAL = 7, MMUEXT_NEW_USER_BASEPTR = 15;
export const DOMID_SELF = 0x7ff0;
export const SIF_PRIVILEGED = 1 << 0, SIF_INITDOMAIN = 1 << 1;
export const MAX_GUEST_CMDLINE = 1024;
/** xen.h: struct mmuext_op is { unsigned int cmd; union { xen_pfn_t mfn; unsigned long linear_addr; } arg1; union {...} arg2; } */
export const MMUEXT_OP_SIZE_64 = 24, MMUEXT_OP_SIZE_32 = 12;

// ---- xen.h: struct start_info offsets (x86_64 / x86_32) ----
export interface StartInfoLayout {
  magic: number; nr_pages: number; shared_info: number; flags: number; store_mfn: number; store_evtchn: number;
  console_mfn: number; console_evtchn: number; pt_base: number; nr_pt_frames: number; mfn_list: number;
  mod_start: number; mod_len: number; cmd_line: number; first_p2m_pfn: number; nr_p2m_frames: number;
  /** sizeof(unsigned long) */ word: number;
}
export const START_INFO_64: StartInfoLayout = {
  magic: 0, nr_pages: 32, shared_info: 40, flags: 48, store_mfn: 56, store_evtchn: 64, console_mfn: 72,
  console_evtchn: 80, pt_base: 88, nr_pt_frames: 96, mfn_list: 104, mod_start: 112, mod_len: 120, cmd_line: 128,
  first_p2m_pfn: 1152, nr_p2m_frames: 1160, word: 8,
};
export const START_INFO_32: StartInfoLayout = {
  magic: 0, nr_pages: 32, shared_info: 36, flags: 40, store_mfn: 44, store_evtchn: 48, console_mfn: 52,
  console_evtchn: 56, pt_base: 60, nr_pt_frames: 64, mfn_list: 68, mod_start: 72, mod_len: 76, cmd_line: 80,
  first_p2m_pfn: 1104, nr_p2m_frames: 1108, word: 4,
};

// ---- xen.h: struct vcpu_info / shared_info (both ABIs: sizeof(vcpu_info) == 64) ----
export const VCPUINFO_upcall_pending = 0, VCPUINFO_upcall_mask = 1, VCPUINFO_pending_sel = 8;
/** arch-x86/xen-x86_64.h arch_vcpu_info.cr2 at 16; xen-x86_32.h at 8. */
export const VCPUINFO_arch_cr2_64 = 16, VCPUINFO_arch_cr2_32 = 8;
/** struct vcpu_time_info inside vcpu_info: at 32 (x86_64) or 32 (x86_32: 4+4 sel + 24 arch). */
export const VCPUINFO_time = 32;
export const VCPU_TIME_version = 0, VCPU_TIME_tsc_timestamp = 8, VCPU_TIME_system_time = 16;
export const VCPU_TIME_tsc_to_system_mul = 24, VCPU_TIME_tsc_shift = 28, VCPU_TIME_flags = 29;
export const XEN_LEGACY_MAX_VCPUS = 32;
export const VCPU_INFO_SIZE = 64;
/** shared_info.evtchn_pending/evtchn_mask: xen_ulong_t[sizeof(xen_ulong_t)*8]. */
export const SHINFO_evtchn_pending = 2048;
export const SHINFO_evtchn_mask_64 = 2048 + 512, SHINFO_evtchn_mask_32 = 2048 + 128;

// ---- arch-x86/xen-x86_64.h / xen-x86_32.h / arch-x86/xen.h ----
export const FLAT_RING3_CS32 = 0xe023, FLAT_RING3_CS64 = 0xe033, FLAT_RING3_DS32 = 0xe02b, FLAT_RING3_SS64 = 0xe02b;
export const FLAT_KERNEL_CS64 = 0xe033, FLAT_KERNEL_SS64 = 0xe02b, FLAT_USER_CS64 = 0xe033;
export const FLAT_RING1_CS = 0xe019, FLAT_RING1_DS = 0xe021, FLAT_RING1_SS = 0xe021;
export const FLAT_RING3_CS = 0xe02b, FLAT_RING3_DS = 0xe033;
export const FIRST_RESERVED_GDT_PAGE = 14;
export const FIRST_RESERVED_GDT_ENTRY = FIRST_RESERVED_GDT_PAGE * 4096 / 8;
export const LAST_RESERVED_GDT_BYTE = (FIRST_RESERVED_GDT_PAGE + 1) * 4096 - 1;
export const LAST_RESERVED_GDT_ENTRY = LAST_RESERVED_GDT_BYTE / 8 | 0;
/** __HYPERVISOR_VIRT_START/END and __MACH2PHYS_VIRT_START (x86_64, as signed canonical numbers). */
export const HYPERVISOR_VIRT_START_64 = -0x800000000000; // 0xFFFF800000000000
export const HYPERVISOR_VIRT_END_64 = -0x780000000000; // 0xFFFF880000000000
export const MACH2PHYS_VIRT_START_64 = -0x800000000000;
export const MACH2PHYS_VIRT_END_64 = -0x7fc000000000; // 0xFFFF804000000000
/** xen-x86_32.h PAE values. */
export const HYPERVISOR_VIRT_START_PAE = 0xf5800000, MACH2PHYS_VIRT_START_PAE = 0xf5800000, MACH2PHYS_VIRT_END_PAE = 0xf6800000;
export const SEGBASE_FS = 0, SEGBASE_GS_USER = 1, SEGBASE_GS_KERNEL = 2, SEGBASE_GS_USER_SEL = 3;
export const VGCF_in_syscall = 1 << 8;
export const VGCF_failsafe_disables_events = 1 << 3, VGCF_syscall_disables_events = 1 << 4;
/** struct trap_info { uint8_t vector; uint8_t flags; uint16_t cs; unsigned long address; } */
export const TRAP_INFO_SIZE_64 = 16, TRAP_INFO_SIZE_32 = 8;
/** struct iret_context (x86_64): rax, r11, rcx, flags, rip, cs, rflags, rsp, ss. */
export const IRET_CONTEXT_SIZE_64 = 9 * 8;

// ---- callback.h ----
export const CALLBACKTYPE_event = 0, CALLBACKTYPE_failsafe = 1, CALLBACKTYPE_syscall = 2;
export const CALLBACKTYPE_sysenter_deprecated = 3, CALLBACKTYPE_nmi = 4, CALLBACKTYPE_sysenter = 5;
export const CALLBACKTYPE_syscall32 = 7;
export const CALLBACKF_mask_events = 1 << 0;
export const CALLBACKOP_register = 0, CALLBACKOP_unregister = 1;

// ---- sched.h ----
export const SCHEDOP_yield = 0, SCHEDOP_block = 1, SCHEDOP_shutdown = 2, SCHEDOP_poll = 3;
export const SCHEDOP_remote_shutdown = 4, SCHEDOP_shutdown_code = 5, SCHEDOP_watchdog = 6;
export const SHUTDOWN_poweroff = 0, SHUTDOWN_reboot = 1, SHUTDOWN_suspend = 2, SHUTDOWN_crash = 3;
export const SHUTDOWN_watchdog = 4, SHUTDOWN_soft_reset = 5;
export const SHUTDOWN_NAMES = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];

// ---- version.h ----
export const XENVER_version = 0, XENVER_extraversion = 1, XENVER_compile_info = 2, XENVER_capabilities = 3;
export const XENVER_changeset = 4, XENVER_platform_parameters = 5, XENVER_get_features = 6, XENVER_pagesize = 7;
export const XENVER_guest_handle = 8, XENVER_commandline = 9;
/** xen_extraversion_t char[16]; xen_compile_info_t { char compiler[64], compile_by[16], compile_domain[32], compile_date[32] }; xen_capabilities_info_t char[1024]; xen_changeset_info_t char[64]. */
export const XEN_EXTRAVERSION_LEN = 16, XEN_CAPABILITIES_INFO_LEN = 1024, XEN_CHANGESET_INFO_LEN = 64;
export const XEN_COMPILE_INFO_SIZE = 64 + 16 + 32 + 32;

// ---- features.h ----
export const XENFEAT_writable_page_tables = 0, XENFEAT_writable_descriptor_tables = 1;
export const XENFEAT_auto_translated_physmap = 2, XENFEAT_supervisor_mode_kernel = 3, XENFEAT_pae_pgdir_above_4gb = 4;
export const XENFEAT_mmu_pt_update_preserve_ad = 5, XENFEAT_highmem_assist = 6, XENFEAT_gnttab_map_avail_bits = 7;

// ---- event_channel.h ----
export const EVTCHNOP_bind_interdomain = 0, EVTCHNOP_bind_virq = 1, EVTCHNOP_bind_pirq = 2, EVTCHNOP_close = 3;
export const EVTCHNOP_send = 4, EVTCHNOP_status = 5, EVTCHNOP_alloc_unbound = 6, EVTCHNOP_bind_ipi = 7;
export const EVTCHNOP_bind_vcpu = 8, EVTCHNOP_unmask = 9;

// ---- io/console.h: struct xencons_interface ----
export const XENCONS_in = 0, XENCONS_IN_SIZE = 1024, XENCONS_out = 1024, XENCONS_OUT_SIZE = 2048;
export const XENCONS_in_cons = 3072, XENCONS_in_prod = 3076, XENCONS_out_cons = 3080, XENCONS_out_prod = 3084;

// ---- elfnote.h ----
export const XEN_ELFNOTE_INFO = 0, XEN_ELFNOTE_ENTRY = 1, XEN_ELFNOTE_HYPERCALL_PAGE = 2, XEN_ELFNOTE_VIRT_BASE = 3;
export const XEN_ELFNOTE_PADDR_OFFSET = 4, XEN_ELFNOTE_XEN_VERSION = 5, XEN_ELFNOTE_GUEST_OS = 6;
export const XEN_ELFNOTE_GUEST_VERSION = 7, XEN_ELFNOTE_LOADER = 8, XEN_ELFNOTE_PAE_MODE = 9, XEN_ELFNOTE_FEATURES = 10;
export const XEN_ELFNOTE_BSD_SYMTAB = 11, XEN_ELFNOTE_HV_START_LOW = 12, XEN_ELFNOTE_L1_MFN_VALID = 13;
export const XEN_ELFNOTE_SUSPEND_CANCEL = 14, XEN_ELFNOTE_INIT_P2M = 15, XEN_ELFNOTE_MOD_START_PFN = 16;
export const XEN_ELFNOTE_SUPPORTED_FEATURES = 17, XEN_ELFNOTE_PHYS32_ENTRY = 18, XEN_ELFNOTE_PHYS32_RELOC = 19;

// ---- errno.h (Xen's public errno values; hypercalls return their negation) ----
export const XEN_EPERM = 1, XEN_ENOENT = 2, XEN_ESRCH = 3, XEN_EINTR = 4, XEN_EIO = 5, XEN_E2BIG = 7;
export const XEN_ENOMEM = 12, XEN_EACCES = 13, XEN_EFAULT = 14, XEN_EBUSY = 16, XEN_EEXIST = 17, XEN_ENODEV = 19;
export const XEN_EINVAL = 22, XEN_ENOSPC = 28, XEN_ERANGE = 34, XEN_ENOSYS = 38, XEN_EOPNOTSUPP = 95;
export const XEN_ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 7: 'E2BIG', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT',
  16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL', 28: 'ENOSPC', 34: 'ERANGE', 38: 'ENOSYS', 95: 'EOPNOTSUPP',
};
