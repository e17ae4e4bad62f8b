// Hypercalls as the debugger sees them: argument names (xen.h prototypes), the `hypercall:NAME[:SUBOP][@exit]`
// breakpoint syntax, and the event a hypercall stop or trace line describes (entry: arguments; exit: result).

import { hypercallTable, hypercallName } from '../xen';
import type { Domain } from '../xen';
import type { Vcpu } from '../xen/vcpu';
import { HypercallContext, defaultDecode } from '../xen/hypercalls/types';
import type { HypercallLogEntry } from '../xen/hypercalls/types';
import { RAX, RBX, RCX, RDX, RSI, RDI, R8, R10 } from '../cpu/state';

/** Argument names per hypercall number (xen.h / arch-x86 prototypes); absent ones are arg0..arg4. */
export const HYPERCALL_ARG_NAMES: Record<number, string[]> = {
  0: ['traps'], 1: ['req', 'count', 'pdone', 'foreigndom'], 2: ['frame_list', 'entries'], 3: ['ss', 'esp'],
  4: ['event_address', 'failsafe_address', 'syscall_address'], 5: ['set'], 6: ['cmd', 'arg'], 7: ['op'],
  8: ['reg', 'value'], 9: ['reg'], 10: ['ma', 'desc'], 12: ['cmd', 'arg'], 13: ['call_list', 'nr_calls'],
  14: ['va', 'val', 'flags'], 15: ['timeout'], 16: ['op'], 17: ['cmd', 'arg'], 18: ['cmd', 'count', 'buffer'],
  19: ['op'], 20: ['cmd', 'uop', 'count'], 21: ['cmd', 'type'], 22: ['va', 'val', 'flags', 'domid'], 23: [],
  24: ['cmd', 'vcpuid', 'extra_args'], 25: ['which', 'base'], 26: ['op', 'count', 'pdone', 'foreigndom'],
  27: ['op'], 28: ['cmd', 'arg'], 29: ['cmd', 'arg'], 30: ['cmd', 'arg'], 31: ['op', 'arg'], 32: ['cmd', 'arg'],
  33: ['cmd', 'arg'], 34: ['op', 'arg'], 35: ['op'], 36: ['op'], 37: ['op', 'arg'], 38: ['op', 'arg'],
  40: ['op', 'arg'], 41: ['domid', 'nr_bufs', 'bufs'],
};

export function argNames(nr: number): string[] {
  const named = HYPERCALL_ARG_NAMES[nr] ?? [];
  const arity = hypercallTable[nr]?.arity ?? 5;
  return Array.from({ length: Math.max(arity, named.length) }, (_, i) => named[i] ?? `arg${i}`);
}

/** A parsed `hypercall:` breakpoint. */
export interface HypercallSpec {
  nr: number;
  name: string;
  /** Sub-operation (first argument) to match, or undefined for any. */
  subop?: number;
  subopName?: string;
  phase: 'entry' | 'exit';
}

export const HYPERCALL_PREFIX = 'hypercall:';

function numberOf(text: string): number | undefined {
  return /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : undefined;
}

/** The sub-operation names the table's decoder knows for hypercall nr (index = cmd), e.g. sched_op: shutdown → 2. */
export function subopNames(nr: number): Map<string, number> {
  const out = new Map<string, number>();
  const def = hypercallTable[nr];
  if (!def?.decode) return out;
  const fake = { is64: true } as unknown as Vcpu;
  for (let cmd = 0; cmd < 64; cmd++) {
    const c = new HypercallContext(null as unknown as Domain, fake, nr);
    c.lo[0] = cmd;
    let text: string;
    try { text = def.decode(c); } catch { continue; }
    const first = text.split(',')[0].trim();
    const m = /^[A-Z0-9]+_(\w+)$/.exec(first);
    if (m) out.set(m[1].toLowerCase(), cmd);
  }
  return out;
}

/** Parse "hypercall:mmu_update", "hypercall:29", "hypercall:sched_op:shutdown@exit"; a string is the error. */
export function parseHypercallSpec(text: string): HypercallSpec | string {
  let body = text.slice(HYPERCALL_PREFIX.length).trim();
  let phase: 'entry' | 'exit' = 'entry';
  const at = /@(entry|exit)$/.exec(body);
  if (at) { phase = at[1] as 'entry' | 'exit'; body = body.slice(0, at.index).trim(); }
  else if (body.includes('@')) return `bad hypercall breakpoint '${text}': the suffix is @entry or @exit`;
  const [callText, subText, extra] = body.split(':').map((s) => s.trim());
  if (!callText || extra !== undefined) return `bad hypercall breakpoint '${text}' (use hypercall:NAME, hypercall:NUMBER or hypercall:NAME:SUBOP, optionally @exit)`;
  let nr = numberOf(callText);
  if (nr === undefined) {
    const want = callText.replace(/^__HYPERVISOR_/, '').toLowerCase();
    nr = hypercallTable.findIndex((d) => d !== undefined && d.name === want);
    if (nr < 0) return `unknown hypercall '${callText}'`;
  } else if (nr > 63) return `hypercall number ${nr} is out of range (0..63)`;
  const spec: HypercallSpec = { nr, name: hypercallName(nr), phase };
  if (subText !== undefined && subText !== '') {
    const n = numberOf(subText);
    if (n !== undefined) { spec.subop = n; spec.subopName = subText; }
    else {
      const names = subopNames(nr);
      const key = subText.toLowerCase();
      const hit = names.get(key) ?? names.get(key.replace(/^[a-z0-9]+_/, ''));
      if (hit === undefined) {
        return names.size ? `${spec.name} has no sub-operation '${subText}' (known: ${[...names.keys()].join(', ')})`
          : `${spec.name} has no named sub-operations; use a number (hypercall:${spec.name}:N)`;
      }
      spec.subop = hit; spec.subopName = subText;
    }
  }
  return spec;
}

/** One hypercall as a stop or trace sees it. Arguments are unsigned 64-bit (pv32: 32-bit) bigints. */
export interface HypercallEvent {
  phase: 'entry' | 'exit';
  vcpu: number;
  nr: number;
  name: string;
  args: bigint[];
  /** The table's decoding ("CONSOLEIO_write, count=31, buffer=0x…") or named hex arguments. */
  decoded: string;
  result?: number;
  resultText?: string;
  diagnostic?: string;
  rip: number;
}

const ARG_REGS_64 = [RDI, RSI, RDX, R10, R8];
const ARG_REGS_32 = [RBX, RCX, RDX, RSI, RDI];

function namedHex(nr: number, args: bigint[]): string {
  return argNames(nr).map((n, i) => `${n}=0x${(args[i] ?? 0n).toString(16)}`).join(', ');
}

/** The event for a hypercall about to be made by vCPU v (registers as the hypercall page leaves them). */
export function entryEvent(domain: Domain, v: Vcpu): HypercallEvent {
  const cpu = v.cpu;
  const nr = cpu.getReg32(RAX) >>> 0;
  const c = new HypercallContext(domain, v, nr);
  const regs = v.is64 ? ARG_REGS_64 : ARG_REGS_32;
  const args: bigint[] = [];
  for (let i = 0; i < 5; i++) {
    c.lo[i] = cpu.regs[regs[i] << 1];
    c.hi[i] = v.is64 ? cpu.regs[(regs[i] << 1) + 1] : 0;
    args.push((BigInt(c.hi[i] >>> 0) << 32n) | BigInt(c.lo[i] >>> 0));
  }
  const def = hypercallTable[nr];
  let decoded: string;
  if (def?.decode) { try { decoded = def.decode(c); } catch { decoded = defaultDecode(c, 5); } }
  else decoded = namedHex(nr, args.slice(0, def ? def.arity : 5));
  return { phase: 'entry', vcpu: v.id, nr, name: hypercallName(nr), args: args.slice(0, def ? Math.max(def.arity, 1) : 5), decoded, rip: cpu.insnRip };
}

/** The event for a completed hypercall (its log entry). */
export function exitEvent(e: HypercallLogEntry): HypercallEvent {
  const args = e.args.map((a) => BigInt(Math.trunc(a)));
  const def = hypercallTable[e.nr];
  const decoded = def?.decode ? e.decoded : namedHex(e.nr, args);
  return {
    phase: 'exit', vcpu: e.vcpu, nr: e.nr, name: e.name, args, decoded, result: e.result, resultText: e.resultText,
    diagnostic: e.diagnostic, rip: e.rip,
  };
}

/** "hypercall console_io(CONSOLEIO_write, count=31, buffer=0x…)" (+ " = -EINVAL: diagnostic" on exit). */
export function describeHypercall(e: HypercallEvent): string {
  let s = `hypercall ${e.name}(${e.decoded})`;
  if (e.phase === 'exit') s += ` = ${e.resultText ?? e.result}${e.diagnostic ? ` (${e.diagnostic})` : ''}`;
  return s;
}

/** Does spec match event e (number, sub-op and phase)? */
export function specMatches(spec: HypercallSpec, e: HypercallEvent): boolean {
  if (spec.phase !== e.phase || spec.nr !== e.nr) return false;
  return spec.subop === undefined || Number((e.args[0] ?? 0n) & 0xffffffffn) === spec.subop;
}

/** Registers a hypercall condition may name: arg0..arg4, the argument names, nr, result (exit). */
export function hypercallRegister(e: HypercallEvent, name: string): bigint | undefined {
  const m = /^arg([0-4])$/.exec(name);
  if (m) return e.args[Number(m[1])] ?? 0n;
  const i = argNames(e.nr).indexOf(name);
  if (i >= 0) return e.args[i] ?? 0n;
  if (name === 'nr') return BigInt(e.nr);
  if (name === 'result' && e.result !== undefined) return BigInt.asUintN(64, BigInt(e.result));
  return undefined;
}
