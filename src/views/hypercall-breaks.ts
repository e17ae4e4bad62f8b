// Break-on-entry checkboxes of the Hypercalls view, pure (no `vscode`): which hypercalls an enabled `hypercall:NAME`
// function breakpoint stops on, what to add or remove when a box is toggled, and the "Break on entry" group's rows.

import { HYPERCALL_NAMES } from '../xen/public/hypercalls';
import { HYPERCALL_PREFIX, parseHypercallSpec } from '../debug/xen-hypercalls';
import type { XenNode } from './nodes';

/** What the logic needs of a VS Code FunctionBreakpoint (or a plan to make one). */
export interface FnBreakpointLike {
  functionName: string;
  enabled: boolean;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** One hypercall of the ABI (xen.h __HYPERVISOR_*) and the breakpoint text that stops on its entry. */
export interface AbiHypercall { nr: number; name: string; breakText: string }

/** How a hypercall's breakpoint text is read: its number, and whether it stops on entry for every sub-op. */
export interface HypercallBreakTarget { nr: number; entryAnySubop: boolean }

/**
 * Read a function breakpoint's name as the adapter does (src/debug/xen-hypercalls.ts): undefined when it is not a
 * `hypercall:` breakpoint or the adapter would refuse it. `hypercall:18`, `hypercall:console_io@entry` and
 * `hypercall:__HYPERVISOR_console_io` all stop on console_io's entry, like `hypercall:console_io`.
 */
export function hypercallBreakTarget(text: string): HypercallBreakTarget | undefined {
  const t = typeof text === 'string' ? text.trim() : '';
  if (!t.toLowerCase().startsWith(HYPERCALL_PREFIX)) return undefined;
  let spec: ReturnType<typeof parseHypercallSpec>;
  try { spec = parseHypercallSpec(t); } catch { return undefined; }
  if (typeof spec === 'string') return undefined;
  return { nr: spec.nr, entryAnySubop: spec.phase === 'entry' && spec.subop === undefined };
}

/** `hypercall:console_io` for 18; the number (`hypercall:48`) where the adapter knows no name for the slot. */
export function entryBreakText(nr: number): string {
  const name = HYPERCALL_NAMES[nr];
  if (name !== undefined) {
    const text = `${HYPERCALL_PREFIX}${name}`;
    if (hypercallBreakTarget(text)?.nr === nr) return text;
  }
  return `${HYPERCALL_PREFIX}${nr}`;
}

/** The name the views show for a hypercall number (xen.h's, else "hypercall_N"). */
export function hypercallLabel(nr: number): string { return HYPERCALL_NAMES[nr] ?? `hypercall_${nr}`; }

/** Every hypercall number xen.h names, in order (set_trap_table … hypfs_op, arch_0 … arch_7). */
export const ABI_HYPERCALLS: readonly AbiHypercall[] = Object.freeze(Object.keys(HYPERCALL_NAMES).map(Number).sort((a, b) => a - b)
  .map((nr) => ({ nr, name: HYPERCALL_NAMES[nr], breakText: entryBreakText(nr) })));

/** Breakpoints on one hypercall, as the checkbox shows them. */
export interface HypercallBreakState {
  nr: number;
  /** An enabled break-on-entry breakpoint (not a logpoint) exists: the box is checked. */
  armed: boolean;
  /** Every armed breakpoint has a condition or hit count (the stop is not certain). */
  conditional: boolean;
  /** Disabled break-on-entry breakpoints (checking the box re-enables one). */
  disabled: number;
  /** Other enabled `hypercall:` breakpoints on the same call: sub-ops and @exit ("hypercall:sched_op:shutdown"). */
  others: string[];
}

const stops = (b: FnBreakpointLike): boolean => !b.logMessage;
const conditional = (b: FnBreakpointLike): boolean => !!(b.condition?.trim() || b.hitCondition?.trim());

/** The state of every hypercall that has a `hypercall:` breakpoint, from a breakpoint list (others are ignored). */
export class HypercallBreakIndex {
  private readonly byNr = new Map<number, HypercallBreakState>();

  constructor(breakpoints: readonly FnBreakpointLike[]) {
    for (const b of breakpoints) {
      const t = hypercallBreakTarget(b.functionName);
      if (!t) continue;
      const s = this.entry(t.nr);
      if (!t.entryAnySubop) { if (b.enabled && stops(b)) s.others.push(b.functionName.trim()); continue; }
      if (!stops(b)) continue;
      if (!b.enabled) { s.disabled++; continue; }
      s.conditional = s.armed ? s.conditional && conditional(b) : conditional(b);
      s.armed = true;
    }
  }

  private entry(nr: number): HypercallBreakState {
    let s = this.byNr.get(nr);
    if (!s) this.byNr.set(nr, (s = { nr, armed: false, conditional: false, disabled: 0, others: [] }));
    return s;
  }

  state(nr: number): HypercallBreakState {
    return this.byNr.get(nr) ?? { nr, armed: false, conditional: false, disabled: 0, others: [] };
  }

  isArmed(nr: number): boolean { return this.byNr.get(nr)?.armed ?? false; }

  /** Numbers with a checked box, ascending. */
  armed(): number[] { return [...this.byNr.values()].filter((s) => s.armed).map((s) => s.nr).sort((a, b) => a - b); }
}

/** Breakpoints to remove and to add so that hypercall nr's box reads `on`. */
export interface TogglePlan<T> { remove: T[]; add: FnBreakpointLike[] }

/**
 * Check: nothing if already armed; else re-enable a disabled break-on-entry breakpoint (keeping its condition), else
 * add `hypercall:NAME`. Uncheck: remove every enabled break-on-entry breakpoint of nr (conditional ones too: the box
 * must read unchecked afterwards); sub-op, @exit and logpoint breakpoints stay.
 */
export function planToggle<T extends FnBreakpointLike>(breakpoints: readonly T[], nr: number, on: boolean): TogglePlan<T> {
  const mine = breakpoints.filter((b) => { const t = hypercallBreakTarget(b.functionName); return t?.nr === nr && t.entryAnySubop && stops(b); });
  if (!on) return { remove: mine.filter((b) => b.enabled), add: [] };
  if (mine.some((b) => b.enabled)) return { remove: [], add: [] };
  const exact = entryBreakText(nr);
  const off = mine.find((b) => b.functionName.trim() === exact) ?? mine[0];
  if (off) return { remove: [off], add: [{ functionName: off.functionName, enabled: true, condition: off.condition, hitCondition: off.hitCondition }] };
  return { remove: [], add: [{ functionName: exact, enabled: true }] };
}

/**
 * The hypercall a command argument names: 18, "18", "console_io", "__HYPERVISOR_console_io", "hypercall:console_io",
 * or a view row carrying a checkbox key. A string is the error to show.
 */
export function resolveHypercall(arg: unknown): number | string {
  if (typeof arg === 'object' && arg !== null && typeof (arg as XenNode).checkKey === 'string') arg = (arg as XenNode).checkKey;
  if (typeof arg === 'number') return Number.isInteger(arg) && arg >= 0 && arg <= 63 ? arg : `hypercall number ${arg} is out of range (0..63)`;
  if (typeof arg !== 'string' || !arg.trim()) return 'name a hypercall (e.g. console_io, 18 or hypercall:console_io)';
  const text = arg.trim();
  const t = hypercallBreakTarget(text.toLowerCase().startsWith(HYPERCALL_PREFIX) ? text : `${HYPERCALL_PREFIX}${text}`);
  if (!t) return `unknown hypercall '${text}'`;
  if (!t.entryAnySubop) return `'${text}' names a sub-operation or @exit; the checkboxes break on entry of the whole hypercall`;
  return t.nr;
}

/** Checkbox key of a hypercall row (the Hypercalls view's log rows and the group's rows). */
export const checkKeyOf = (nr: number): string => String(nr);

/** The checkbox key of a log entry ({nr, name, …} from xen/hypercallLog), when it names a hypercall number. */
export function logEntryCheckKey(e: Record<string, unknown>): string | undefined {
  const nr = typeof e.nr === 'number' ? e.nr : typeof e.nr === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(e.nr) ? Number(e.nr) : undefined;
  return nr !== undefined && Number.isInteger(nr) && nr >= 0 && nr <= 63 ? checkKeyOf(nr) : undefined;
}

/** The tooltip of a hypercall checkbox. */
export function checkboxTooltip(s: HypercallBreakState): string {
  const name = hypercallLabel(s.nr), text = entryBreakText(s.nr);
  if (!s.armed) return `Break on entry to ${name}: adds the function breakpoint ${text}${s.disabled ? ' (re-enables the disabled one)' : ''}`;
  return `Breaks on entry to ${name}${s.conditional ? ' when its condition holds' : ''}: uncheck to remove ${text}`;
}

/** "18 · conditional · also sched_op:shutdown" */
function abiRowDescription(s: HypercallBreakState): string {
  const parts = [String(s.nr)];
  if (s.armed && s.conditional) parts.push('conditional');
  if (!s.armed && s.disabled) parts.push('disabled');
  if (s.others.length) parts.push(`also ${s.others.map((o) => o.replace(/^hypercall:/i, '')).join(', ')}`);
  return parts.join(' · ');
}

/** Id of the group row, stable across label changes so VS Code keeps it expanded. */
export const BREAK_GROUP_ID = 'xenpv.hypercalls.breakOnEntry';

/** "Break on entry (N set)" with one checkbox row per ABI hypercall (works without a debug session). */
export function breakGroupNode(index: HypercallBreakIndex): XenNode {
  const set = index.armed();
  const rows: XenNode[] = ABI_HYPERCALLS.map((h) => {
    const s = index.state(h.nr);
    return {
      id: `${BREAK_GROUP_ID}.${h.nr}`, label: h.name, description: abiRowDescription(s), checkKey: checkKeyOf(h.nr), contextValue: 'breakOnEntry',
      tooltip: `__HYPERVISOR_${h.name} (${h.nr})\n${checkboxTooltip(s)}`, copyText: h.breakText,
    };
  });
  const names = set.map(hypercallLabel);
  return {
    id: BREAK_GROUP_ID, label: `Break on entry (${set.length} set)`, icon: 'debug-breakpoint-function', contextValue: 'breakGroup',
    iconColor: set.length ? 'debugIcon.breakpointForeground' : 'debugIcon.breakpointDisabledForeground',
    description: names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.length ? names.join(', ') : undefined,
    tooltip: 'Check a hypercall to stop when the guest makes it (a hypercall:NAME function breakpoint, also in the Breakpoints view).\nWorks before launch too.',
    children: rows,
  };
}
