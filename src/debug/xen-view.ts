// The Xen scope in the Variables view (vCPU mode, upcall state, callbacks, kernel stack, trap table, last hypercall,
// domain state) and the Xen REPL commands (`hypercalls [n]`, `traps`, `domain`, `gdt`, `frame`, `p2m`, `m2p`, `whatif`;
// `xs-write`/`xs-read` live in xen-toolstack.ts, run by the runtime).

import { hexAddr } from '../common/bits';
import type { Scope, VarNode } from './variables';
import { leaf } from './variables';
import type { XenDebugMachine } from './xen-machine';
import { trapRows, hypercallRows, domainInfo, gdtRows, ldtRows, h } from './xen-inspect';
import type { Callback } from '../xen/vcpu';
import { REPL_HELP } from './repl-commands';
import { frameDetail, formatFrame, p2mRows, m2pEntry, intArg } from './xen-frames';
import { whatIfCommand } from './what-if';
import { evaluateExpression } from './expressions';
import { readRegister } from './registers';
import { readValue, pcLinear } from './guest-memory';
import { xenEventNodes, xenEventsReplCommand, XEN_EVENTS_REPL_HELP } from './xen-events';
import { XEN_TOOLSTACK_REPL_HELP } from './xen-toolstack';

export const XEN_REPL_HELP = [
  'hypercalls [n]      the last n hypercalls (default 20) with decoded arguments, results and Xen\'s diagnostics',
  'traps               the trap table (vector -> handler, cs, flags)',
  'domain              domain state, memory, vCPUs, shutdown reason',
  'gdt                 on a Xen guest: the GDT as Xen serves it (guest frames + reserved entries); ldt: the LDT',
  'frame <mfn>         page_info of a machine frame: type, counts, pinned/validated, owner, p2m/m2p, mappings, entries',
  'frame pfn <pfn>     the same for the frame behind a guest pfn',
  'p2m <pfn> [n]       pfn -> mfn (n entries from pfn);  m2p <mfn>: mfn -> pfn',
  'whatif pte <level> <value> [index] [at <addr>]   would Xen accept this entry in the level-N table on the walk of',
  '                    addr (default rip)? errno, rule and the checks, run on a scratch copy (nothing changes)',
  'whatif desc <value> [gdt|ldt <index>]           would update_descriptor accept this descriptor?',
  'expressions may use pfn:N / mfn:N for pseudo-physical / machine frames, e.g. *(u64*)(mfn:0x3f42 + 8)',
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
        ...xenEventNodes(m, i),
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

const addrNumber = (v: bigint): number => { const u = BigInt.asUintN(64, v); return u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u); };

/** Fallback address evaluation (registers and memory, no symbols) when the runtime gives no evaluator. */
function registerAddress(m: XenDebugMachine, vcpu: number): (e: string) => number {
  const cpu = m.vcpus[vcpu];
  return (e) => addrNumber(evaluateExpression(e, {
    register: (n) => readRegister(cpu, n), symbol: () => undefined,
    readMemory: (a, size) => readValue(cpu, addrNumber(a), size), pointerSize: cpu.mode === 64 ? 8 : 4,
  }).value);
}

/** Xen REPL commands; undefined when the text is not one of them. addressOf evaluates address expressions. */
export function xenReplCommand(m: XenDebugMachine, vcpu: number, text: string, addressOf?: (e: string) => number): string | undefined {
  const t = text.trim();
  if (t === 'help' || t === '?') return `${REPL_HELP}\n${XEN_REPL_HELP}\n${XEN_EVENTS_REPL_HELP}\n${XEN_TOOLSTACK_REPL_HELP}`;
  let fm = /^frame\s+(?:(pfn|mfn)\s+)?(\S+)$/.exec(t);
  if (fm) return formatFrame(frameDetail(m, fm[1] === 'pfn' ? { pfn: fm[2] } : { mfn: fm[2] }));
  if (t === 'frame') throw new Error('usage: frame <mfn> | frame pfn <pfn>');
  if ((fm = /^p2m\s+(\S+)(?:\s+(\S+))?$/.exec(t))) {
    const start = intArg(fm[1], 'pfn'), n = fm[2] ? intArg(fm[2], 'count', 4096) : 1;
    const r = p2mRows(m, start, n);
    if (r.rows.length === 0) throw new Error(`pfn 0x${start.toString(16)} is outside the guest's pseudo-physical memory (nr_pages 0x${r.nrPages.toString(16)})`);
    return r.rows.map((x) => `p2m[0x${x.pfn.toString(16)}] = ${x.mfn === null ? 'invalid' : `mfn 0x${x.mfn.toString(16)}`}`).join('\n');
  }
  if ((fm = /^m2p\s+(\S+)$/.exec(t))) {
    const r = m2pEntry(m, intArg(fm[1], 'mfn'));
    return `m2p[0x${r.mfn.toString(16)}] = ${r.pfn === null ? 'invalid (not a guest frame)' : `pfn 0x${r.pfn.toString(16)}`}`;
  }
  if ((fm = /^whatif(?:\s+(.*))?$/.exec(t))) return whatIfCommand(m, vcpu, fm[1] ?? '', addressOf ?? registerAddress(m, vcpu), pcLinear(m.vcpus[vcpu]));
  { const ev = xenEventsReplCommand(m, t); if (ev !== undefined) return ev; }
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
    return Object.entries(d).filter(([k]) => k !== 'vcpuStates').map(([k, v]) => `  ${k.padEnd(16)} ${v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n') +
      '\n' + (d.vcpuStates as { id: number; mode: string; blocked: boolean; online: boolean; runstate: string; instructions: number }[]).map((s) => `  vCPU ${s.id}: ${s.online ? s.mode : 'offline'}${s.blocked ? ', blocked' : ''}, runstate ${s.runstate}, ${s.instructions} instructions`).join('\n');
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
