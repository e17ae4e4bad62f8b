// Xen hypercall numbers (public/xen.h "enum hypercall_num"), spelled as in the header, plus a name table
// so the debugger can show "mmu_update" for eax=1.

export const __HYPERVISOR_set_trap_table = 0;
export const __HYPERVISOR_mmu_update = 1;
export const __HYPERVISOR_set_gdt = 2;
export const __HYPERVISOR_stack_switch = 3;
export const __HYPERVISOR_set_callbacks = 4;
export const __HYPERVISOR_fpu_taskswitch = 5;
export const __HYPERVISOR_sched_op_compat = 6;
export const __HYPERVISOR_platform_op = 7;
export const __HYPERVISOR_set_debugreg = 8;
export const __HYPERVISOR_get_debugreg = 9;
export const __HYPERVISOR_update_descriptor = 10;
export const __HYPERVISOR_memory_op = 12;
export const __HYPERVISOR_multicall = 13;
export const __HYPERVISOR_update_va_mapping = 14;
export const __HYPERVISOR_set_timer_op = 15;
export const __HYPERVISOR_event_channel_op_compat = 16;
export const __HYPERVISOR_xen_version = 17;
export const __HYPERVISOR_console_io = 18;
export const __HYPERVISOR_physdev_op_compat = 19;
export const __HYPERVISOR_grant_table_op = 20;
export const __HYPERVISOR_vm_assist = 21;
export const __HYPERVISOR_update_va_mapping_otherdomain = 22;
export const __HYPERVISOR_iret = 23;
export const __HYPERVISOR_vcpu_op = 24;
export const __HYPERVISOR_set_segment_base = 25;
export const __HYPERVISOR_mmuext_op = 26;
export const __HYPERVISOR_xsm_op = 27;
export const __HYPERVISOR_nmi_op = 28;
export const __HYPERVISOR_sched_op = 29;
export const __HYPERVISOR_callback_op = 30;
export const __HYPERVISOR_xenoprof_op = 31;
export const __HYPERVISOR_event_channel_op = 32;
export const __HYPERVISOR_physdev_op = 33;
export const __HYPERVISOR_hvm_op = 34;
export const __HYPERVISOR_sysctl = 35;
export const __HYPERVISOR_domctl = 36;
export const __HYPERVISOR_kexec_op = 37;
export const __HYPERVISOR_tmem_op = 38;
export const __HYPERVISOR_argo_op = 39;
export const __HYPERVISOR_xenpmu_op = 40;
export const __HYPERVISOR_dm_op = 41;
export const __HYPERVISOR_hypfs_op = 42;
export const __HYPERVISOR_arch_0 = 48;
export const __HYPERVISOR_arch_1 = 49;
export const __HYPERVISOR_arch_2 = 50;
export const __HYPERVISOR_arch_3 = 51;
export const __HYPERVISOR_arch_4 = 52;
export const __HYPERVISOR_arch_5 = 53;
export const __HYPERVISOR_arch_6 = 54;
export const __HYPERVISOR_arch_7 = 55;

/** Hypercall page: one 32-byte stub per hypercall number. */
export const HYPERCALL_STUB_SIZE = 32;

/** Hypercall number -> name without the __HYPERVISOR_ prefix. */
export const HYPERCALL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'set_trap_table', 1: 'mmu_update', 2: 'set_gdt', 3: 'stack_switch', 4: 'set_callbacks',
  5: 'fpu_taskswitch', 6: 'sched_op_compat', 7: 'platform_op', 8: 'set_debugreg', 9: 'get_debugreg',
  10: 'update_descriptor', 12: 'memory_op', 13: 'multicall', 14: 'update_va_mapping', 15: 'set_timer_op',
  16: 'event_channel_op_compat', 17: 'xen_version', 18: 'console_io', 19: 'physdev_op_compat',
  20: 'grant_table_op', 21: 'vm_assist', 22: 'update_va_mapping_otherdomain', 23: 'iret', 24: 'vcpu_op',
  25: 'set_segment_base', 26: 'mmuext_op', 27: 'xsm_op', 28: 'nmi_op', 29: 'sched_op', 30: 'callback_op',
  31: 'xenoprof_op', 32: 'event_channel_op', 33: 'physdev_op', 34: 'hvm_op', 35: 'sysctl', 36: 'domctl',
  37: 'kexec_op', 38: 'tmem_op', 39: 'argo_op', 40: 'xenpmu_op', 41: 'dm_op', 42: 'hypfs_op',
  48: 'arch_0', 49: 'arch_1', 50: 'arch_2', 51: 'arch_3', 52: 'arch_4', 53: 'arch_5', 54: 'arch_6', 55: 'arch_7',
});

/** "mmu_update" for 1, "hypercall_11" for unassigned numbers. */
export function hypercallName(nr: number): string { return HYPERCALL_NAMES[nr] ?? `hypercall_${nr}`; }
