// The Xen scope in the Variables view (vCPU mode, upcall state, callbacks, kernel stack, trap table, last
// hypercall, domain state) and the Xen REPL commands (`hypercalls [n]`, `traps`, `domain`, `gdt` in Xen's view).

import { hexAddr } from '../common/bits';
import type { Scope, VarNode } from './variables';
import { leaf } from './variables';
import type { XenDebugMachine } from './xen-machine';
import { trapRows, hypercallRows, domainInfo, gdtRows, ldtRows, h } from './xen-inspect';
import type { Callback } from '../xen/vcpu';
import { REPL_HELP } from './repl-commands';

export const XEN_REPL_HELP = [
  'hypercalls [n]      the last n hypercalls (default 20) with decoded arguments, results and Xen\'s diagnostics',
  'traps               the trap table (vector -> handler, cs, flags)',
  'domain              domain state, memory, vCPUs, shutdown reason',
  'gdt                 on a Xen guest: the GDT as Xen serves it (guest frames + reserved entries); ldt: the LDT',
].join('\n');

function sym(m: XenDebugMachine, addr: number): string {
  const s = addr ? m.symbolize(addr) : undefined;
  return s ? ` <${s}>` : '';
}

function callbackNode(m: XenDebugMachine, name: string, cb: Callback, is64: boolean): VarNode {
  if (cb.address === 0) return leaf(name, 'not registered', 'callback');
  const where = `${is64 ? '' : `0x${cb.cs.toString(16)}:`}0x${hexAddr(cb.address)}${sym(m, cb.address)}`;
  return { name, value: `${where}${cb.flags ? ` flags 0x${cb.flags.toString(16)}` : ''}`, type: 'callback', memoryReference: h(cb.address) };
}

/** The "Xen" scope for vCPU i. */
export function xenScope(m: XenDebugMachine, i: number): Scope {
  return {
    name: 'Xen', expensive: false,
    nodes: () => {
      const v = m.vcpu(i), d = m.domain;
      const traps = trapRows(m, i);
      const last = d.hypercallLog[d.hypercallLog.length - 1];
      const state = d.state === 'shutdown' ? `shutdown (${d.shutdownReasonName})` : d.state === 'crashed' ? `crashed: ${d.crashDiagnostic}` : 'running';
      return [
        leaf('mode', v.guestKernelMode() ? 'kernel' : 'user', 'vCPU mode'),
        leaf('blocked', v.blocked ? '1' : '0', 'bit'),
        {
          name: 'vcpu_info', value: `upcall_pending ${v.upcallPending}, upcall_mask ${v.upcallMask}`, type: 'vcpu_info',
          children: () => [leaf('evtchn_upcall_pending', String(v.upcallPending), 'u8'), leaf('evtchn_upcall_mask', String(v.upcallMask), 'u8'), leaf('arch.cr2', h(v.cr2))],
        },
        {
          name: 'callbacks', value: `event ${v.event.address ? h(v.event.address) : '-'}, failsafe ${v.failsafe.address ? h(v.failsafe.address) : '-'}, syscall ${v.syscall.address ? h(v.syscall.address) : '-'}`,
          type: 'callbacks',
          children: () => [
            callbackNode(m, 'event', v.event, v.is64), callbackNode(m, 'failsafe', v.failsafe, v.is64),
            callbackNode(m, 'syscall', v.syscall, v.is64), callbackNode(m, 'syscall32', v.syscall32, v.is64),
            callbackNode(m, 'sysenter', v.sysenter, v.is64), callbackNode(m, 'nmi', v.nmi, v.is64),
          ],
        },
        { name: 'kernel stack', value: v.kernelSp || v.kernelSs ? `0x${v.kernelSs.toString(16)}:${h(v.kernelSp)}` : 'not set (stack_switch)', type: 'stack_switch', ...(v.kernelSp ? { memoryReference: h(v.kernelSp) } : {}) },
        {
          name: 'trap table', value: `${traps.length} handler${traps.length === 1 ? '' : 's'}`, type: 'trap_info[]',
          children: () => traps.map((t) => ({
            name: `${t.vector} ${t.name}`, value: `${t.handler}${t.symbol ? ` <${t.symbol}>` : ''} cs ${t.cs} DPL${t.dpl}${t.clearsEvents ? ' IF-clear' : ''}`,
            type: 'trap_info', memoryReference: t.handler,
          })),
        },
        leaf('last hypercall', last ? `${last.name}(${last.decoded}) = ${last.resultText}${last.diagnostic ? ` (${last.diagnostic})` : ''}` : 'none'),
        leaf('page tables', `kernel ${h(v.guestTable * 4096)}${v.guestTableUser ? `, user ${h(v.guestTableUser * 4096)}` : ''}`),
        leaf('domain', `${d.kind} ${state}, ${d.image.nrPages} pages, ${d.vcpus.length} vCPU${d.vcpus.length === 1 ? '' : 's'}, ${d.hypercallCount} hypercalls`),
      ];
    },
  };
}

/** Xen REPL commands; undefined when the text is not one of them. */
export function xenReplCommand(m: XenDebugMachine, vcpu: number, text: string): string | undefined {
  const t = text.trim();
  if (t === 'help' || t === '?') return `${REPL_HELP}\n${XEN_REPL_HELP}`;
  const mm = /^hypercalls(?:\s+(\d+))?$/.exec(t);
  if (mm) {
    const n = mm[1] ? Math.min(Number(mm[1]), 10000) : 20;
    const { total, rows } = hypercallRows(m, n);
    if (rows.length === 0) return 'no hypercalls yet';
    return [`${total} hypercalls, last ${rows.length}:`, ...rows.map((r) => `  #${r.seq} vcpu${r.vcpu} ${r.rip}: ${r.text}`)].join('\n');
  }
  if (t === 'traps') {
    const rows = trapRows(m, vcpu);
    if (rows.length === 0) return 'no trap table registered (set_trap_table)';
    return rows.map((r) => `  ${String(r.vector).padStart(3)} ${r.name.padEnd(8)} -> ${r.cs}:${r.handler}${r.symbol ? ` <${r.symbol}>` : ''}  DPL${r.dpl}${r.clearsEvents ? ' (clears events)' : ''}`).join('\n');
  }
  if (t === 'domain') {
    const d = domainInfo(m);
    return Object.entries(d).filter(([k]) => k !== 'vcpuStates').map(([k, v]) => `  ${k.padEnd(16)} ${v === null ? '-' : String(v)}`).join('\n') +
      '\n' + (d.vcpuStates as { id: number; mode: string; blocked: boolean; instructions: number }[]).map((s) => `  vCPU ${s.id}: ${s.mode}${s.blocked ? ', blocked' : ''}, ${s.instructions} instructions`).join('\n');
  }
  if (t === 'gdt') {
    const g = gdtRows(m, vcpu);
    const lines = [`GDT as Xen serves it: ${g.entries} guest entries (frames ${g.frames.length ? g.frames.map((f) => '0x' + f.toString(16)).join(', ') : 'none'}), reserved entries from index 0x${(0x1c00).toString(16)}`];
    for (const r of g.rows) lines.push(`  [${'0x' + r.index.toString(16)}] sel ${r.selector}  ${r.summary}${r.reserved ? `  (Xen reserved${r.name ? `: ${r.name}` : ''})` : ''}`);
    return lines.join('\n');
  }
  if (t === 'ldt') {
    const l = ldtRows(m, vcpu);
    const lines = [`LDT base ${l.base}, ${l.entries} entries${l.unreadable ? ` (unreadable: ${l.unreadable})` : ''}`];
    for (const r of l.rows) lines.push(`  [${'0x' + r.index.toString(16)}] sel ${r.selector}  ${r.summary}`);
    return lines.join('\n');
  }
  return undefined;
}
