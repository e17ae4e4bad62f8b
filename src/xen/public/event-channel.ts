// public/event_channel.h and the VIRQ list of public/xen.h as facts: struct evtchn_* layouts (identical for both
// guest ABIs: only uint16/uint32 fields), VIRQ names, and which VIRQs are per-vCPU, per-domain or global.

import type { StructLayout } from './layouts';

function layout(name: string, size: number, fields: Record<string, number>): StructLayout {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

export const EVTCHN_ALLOC_UNBOUND = layout('evtchn_alloc_unbound', 8, { dom: 0, remote_dom: 2, port: 4 });
export const EVTCHN_BIND_INTERDOMAIN = layout('evtchn_bind_interdomain', 12, { remote_dom: 0, remote_port: 4, local_port: 8 });
export const EVTCHN_BIND_VIRQ = layout('evtchn_bind_virq', 12, { virq: 0, vcpu: 4, port: 8 });
export const EVTCHN_BIND_PIRQ = layout('evtchn_bind_pirq', 12, { pirq: 0, flags: 4, port: 8 });
export const EVTCHN_BIND_IPI = layout('evtchn_bind_ipi', 8, { vcpu: 0, port: 4 });
export const EVTCHN_CLOSE = layout('evtchn_close', 4, { port: 0 });
export const EVTCHN_SEND = layout('evtchn_send', 4, { port: 0 });
/** struct evtchn_status: the union `u` is at 16 (unbound.dom, interdomain.dom/port, pirq, virq). */
export const EVTCHN_STATUS = layout('evtchn_status', 24, {
  dom: 0, port: 4, status: 8, vcpu: 12, 'u.unbound.dom': 16, 'u.interdomain.dom': 16, 'u.interdomain.port': 20,
  'u.pirq': 16, 'u.virq': 16,
});
export const EVTCHN_BIND_VCPU = layout('evtchn_bind_vcpu', 8, { port: 0, vcpu: 4 });
export const EVTCHN_UNMASK = layout('evtchn_unmask', 4, { port: 0 });
export const EVTCHN_RESET = layout('evtchn_reset', 2, { dom: 0 });
export const EVTCHN_INIT_CONTROL = layout('evtchn_init_control', 24, { control_gfn: 0, offset: 8, vcpu: 12, link_bits: 16 });
export const EVTCHN_EXPAND_ARRAY = layout('evtchn_expand_array', 8, { array_gfn: 0 });
export const EVTCHN_SET_PRIORITY = layout('evtchn_set_priority', 8, { port: 0, priority: 4 });

export const EVTCHNOP_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'EVTCHNOP_bind_interdomain', 1: 'EVTCHNOP_bind_virq', 2: 'EVTCHNOP_bind_pirq', 3: 'EVTCHNOP_close',
  4: 'EVTCHNOP_send', 5: 'EVTCHNOP_status', 6: 'EVTCHNOP_alloc_unbound', 7: 'EVTCHNOP_bind_ipi',
  8: 'EVTCHNOP_bind_vcpu', 9: 'EVTCHNOP_unmask', 10: 'EVTCHNOP_reset', 11: 'EVTCHNOP_init_control',
  12: 'EVTCHNOP_expand_array', 13: 'EVTCHNOP_set_priority', 14: 'EVTCHNOP_reset_cont',
});

export const VIRQ_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'VIRQ_TIMER', 1: 'VIRQ_DEBUG', 2: 'VIRQ_CONSOLE', 3: 'VIRQ_DOM_EXC', 4: 'VIRQ_TBUF', 6: 'VIRQ_DEBUGGER',
  7: 'VIRQ_XENOPROF', 8: 'VIRQ_CON_RING', 9: 'VIRQ_PCPU_STATE', 10: 'VIRQ_MEM_EVENT', 11: 'VIRQ_ARGO',
  12: 'VIRQ_ENOMEM', 13: 'VIRQ_XENPMU', 16: 'VIRQ_MCA', 17: 'VIRQ_ARCH_1', 18: 'VIRQ_ARCH_2', 19: 'VIRQ_ARCH_3',
  20: 'VIRQ_ARCH_4', 21: 'VIRQ_ARCH_5', 22: 'VIRQ_ARCH_6', 23: 'VIRQ_ARCH_7',
});

/** get_virq_type (event_channel.c): V(cpu), D(omain) or G(lobal) as marked in xen.h; x86 arch VIRQs are global. */
export type VirqType = 'vcpu' | 'domain' | 'global';
export function virqType(virq: number): VirqType {
  switch (virq) {
    case 0: case 1: case 7: case 13: return 'vcpu'; // TIMER, DEBUG, XENOPROF, XENPMU
    case 11: return 'domain'; // ARGO
    default: return 'global';
  }
}

export function virqName(virq: number): string { return VIRQ_NAMES[virq] ?? `VIRQ ${virq}`; }
