// public/vcpu.h, sched.h (sched_poll) and arch-x86 vcpu_guest_context / cpu_user_regs layouts as facts, for both
// guest ABIs (pv64: unsigned long 8 bytes; pv32: 4 bytes, uint64_t 4-byte aligned). Cross-checked by gcc in tests.

import type { GuestAbi, StructLayout } from './layouts';

function layout(name: string, size: number, fields: Record<string, number>): StructLayout {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

/** struct cpu_user_regs (xen-x86_64.h / xen-x86_32.h). */
export const CPU_USER_REGS: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('cpu_user_regs', 200, {
    r15: 0, r14: 8, r13: 16, r12: 24, rbp: 32, rbx: 40, r11: 48, r10: 56, r9: 64, r8: 72, rax: 80, rcx: 88,
    rdx: 96, rsi: 104, rdi: 112, error_code: 120, entry_vector: 124, rip: 128, cs: 136, saved_upcall_mask: 140,
    rflags: 144, rsp: 152, ss: 160, es: 168, ds: 176, fs: 184, gs: 192,
  }),
  pv32pae: layout('cpu_user_regs', 68, {
    ebx: 0, ecx: 4, edx: 8, esi: 12, edi: 16, ebp: 20, eax: 24, error_code: 28, entry_vector: 30, eip: 32, cs: 36,
    saved_upcall_mask: 38, eflags: 40, esp: 44, ss: 48, es: 52, ds: 56, fs: 60, gs: 64,
  }),
});

/** struct vcpu_guest_context (arch-x86/xen.h): fpu_ctxt[512], flags, user_regs, trap_ctxt[256], LDT, GDT, ... */
export const VCPU_GUEST_CONTEXT: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('vcpu_guest_context', 5168, {
    fpu_ctxt: 0, flags: 512, user_regs: 520, trap_ctxt: 720, ldt_base: 4816, ldt_ents: 4824, gdt_frames: 4832,
    gdt_ents: 4960, kernel_ss: 4968, kernel_sp: 4976, ctrlreg: 4984, debugreg: 5048, event_callback_eip: 5112,
    failsafe_callback_eip: 5120, syscall_callback_eip: 5128, vm_assist: 5136, fs_base: 5144, gs_base_kernel: 5152,
    gs_base_user: 5160,
  }),
  pv32pae: layout('vcpu_guest_context', 2800, {
    fpu_ctxt: 0, flags: 512, user_regs: 516, trap_ctxt: 584, ldt_base: 2632, ldt_ents: 2636, gdt_frames: 2640,
    gdt_ents: 2704, kernel_ss: 2708, kernel_sp: 2712, ctrlreg: 2716, debugreg: 2748, event_callback_cs: 2780,
    event_callback_eip: 2784, failsafe_callback_cs: 2788, failsafe_callback_eip: 2792, vm_assist: 2796,
  }),
});

/** struct vcpu_runstate_info: state, state_entry_time, time[4] (ns per RUNSTATE_*). */
export const VCPU_RUNSTATE_INFO: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('vcpu_runstate_info', 48, { state: 0, state_entry_time: 8, time: 16 }),
  pv32pae: layout('vcpu_runstate_info', 44, { state: 0, state_entry_time: 4, time: 12 }),
});

/** struct vcpu_register_vcpu_info { uint64_t mfn; uint32_t offset; uint32_t rsvd; }. */
export const VCPU_REGISTER_VCPU_INFO: StructLayout = layout('vcpu_register_vcpu_info', 16, { mfn: 0, offset: 8, rsvd: 12 });

/** struct vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; }. */
export const VCPU_SET_SINGLESHOT_TIMER: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('vcpu_set_singleshot_timer', 16, { timeout_abs_ns: 0, flags: 8 }),
  pv32pae: layout('vcpu_set_singleshot_timer', 12, { timeout_abs_ns: 0, flags: 8 }),
});

/** struct vcpu_set_periodic_timer { uint64_t period_ns; }. */
export const VCPU_SET_PERIODIC_TIMER: StructLayout = layout('vcpu_set_periodic_timer', 8, { period_ns: 0 });

/** struct vcpu_register_runstate_memory_area / vcpu_register_time_memory_area: union { handle; ptr; uint64_t p; }. */
export const VCPU_REGISTER_AREA: StructLayout = layout('vcpu_register_runstate_memory_area', 8, { addr: 0 });

/** struct sched_poll { XEN_GUEST_HANDLE(evtchn_port_t) ports; unsigned int nr_ports; uint64_t timeout; }. */
export const SCHED_POLL: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('sched_poll', 24, { ports: 0, nr_ports: 8, timeout: 16 }),
  pv32pae: layout('sched_poll', 16, { ports: 0, nr_ports: 4, timeout: 8 }),
});

/** XEN_RUNSTATE_UPDATE: bit 63 of state_entry_time while an update is in progress (runstate_update_flag). */
export const XEN_RUNSTATE_UPDATE_HI = 0x80000000;

export const VCPUOP_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'VCPUOP_initialise', 1: 'VCPUOP_up', 2: 'VCPUOP_down', 3: 'VCPUOP_is_up', 4: 'VCPUOP_get_runstate_info',
  5: 'VCPUOP_register_runstate_memory_area', 6: 'VCPUOP_set_periodic_timer', 7: 'VCPUOP_stop_periodic_timer',
  8: 'VCPUOP_set_singleshot_timer', 9: 'VCPUOP_stop_singleshot_timer', 10: 'VCPUOP_register_vcpu_info',
  11: 'VCPUOP_send_nmi', 12: 'VCPUOP_get_physid', 13: 'VCPUOP_register_vcpu_time_memory_area',
  14: 'VCPUOP_register_runstate_phys_area', 15: 'VCPUOP_register_vcpu_time_phys_area',
});

export const RUNSTATE_NAMES: readonly string[] = Object.freeze(['running', 'runnable', 'blocked', 'offline']);

/** xen/include/xen/time.h: MILLISECS(1) (minimum periodic timer period) and STIME_DELTA_MAX (2^62 - 1). */
export const MILLISECS_1 = 1_000_000;
export const STIME_DELTA_MAX = 2 ** 62 - 1;
/** pv/domain.c pv_vcpu_initialise: every PV vCPU starts with a 10 ms periodic timer. */
export const PV_DEFAULT_PERIODIC_NS = 10_000_000;
