// "Xen: What-if — would Xen accept this entry?": checks the command's arguments, builds the xen/whatIf request
// and renders Xen's verdict (errno, rule, explanation). Pure (no `vscode`); what-if-command.ts asks the user.

import { errnoName } from '../xen/public/errno';
import { parseNumber } from './format';
import type { WhatIfPrefill } from './nodes';

/** A question being put together (from a row, command arguments, or the quick pick). */
export interface WhatIfDraft { kind?: 'pte' | 'descriptor'; level?: number; value?: string; tableMfn?: number; index?: number; address?: string; table?: 'gdt' | 'ldt' }

/** The kinds the quick pick offers: a PTE at each level, or a descriptor for the GDT or the LDT. */
export const WHATIF_KINDS: { label: string; detail: string; question: WhatIfDraft }[] = [
  { label: 'L1 page-table entry', detail: 'maps a 4 KiB page: get_page_from_l1e rules (ownership, writable page-table frames, disallowed flags)', question: { kind: 'pte', level: 1 } },
  { label: 'L2 page-table entry', detail: 'points at an L1 table (or a superpage): the target must validate as l1_page_table', question: { kind: 'pte', level: 2 } },
  { label: 'L3 page-table entry', detail: 'points at an L2 table: the target must validate as l2_page_table', question: { kind: 'pte', level: 3 } },
  { label: 'L4 page-table entry', detail: 'points at an L3 table (pv64): Xen-private slots, linear page tables', question: { kind: 'pte', level: 4 } },
  { label: 'GDT descriptor', detail: 'update_descriptor / set_gdt: check_descriptor rules (DPL, call gates, Xen\'s reserved area)', question: { kind: 'descriptor', table: 'gdt' } },
  { label: 'LDT descriptor', detail: 'an LDT entry: the same check_descriptor rules', question: { kind: 'descriptor', table: 'ldt' } },
];

/** The input box's check: a number up to 64 bits (PTEs and descriptors are 8 bytes). */
export function validateWhatIfValue(text: string): string | undefined {
  return parseNumber(text) === undefined ? 'enter a 64-bit value such as 0x8000000012345067 (hex, decimal or 0b…)' : undefined;
}

const hex = (v: bigint): string => '0x' + v.toString(16);

/**
 * Command arguments (from a view row, a test, or a keybinding) as a complete question, a partial one the UI must
 * finish (missing kind/level/value), or an error for arguments that can never be valid.
 */
export function normalizeWhatIf(args: unknown): { question?: WhatIfPrefill; partial?: WhatIfDraft; error?: string } {
  if (args === undefined || args === null) return { partial: {} };
  if (typeof args !== 'object' || Array.isArray(args)) return { error: `what-if arguments must be an object, got ${JSON.stringify(args)}` };
  const a = (('whatIf' in args && typeof (args as { whatIf: unknown }).whatIf === 'object') ? (args as { whatIf: object }).whatIf : args) as Record<string, unknown>;
  const kind = a.kind;
  if (kind !== undefined && kind !== 'pte' && kind !== 'descriptor') return { error: `kind must be "pte" or "descriptor", got ${JSON.stringify(kind)}` };
  let value: string | undefined;
  if (a.value !== undefined) {
    const v = typeof a.value === 'number' && Number.isSafeInteger(a.value) && a.value >= 0 ? BigInt(a.value) : typeof a.value === 'string' ? parseNumber(a.value) : undefined;
    if (v === undefined) return { error: `value must be a 64-bit number ("0x…"), got ${JSON.stringify(a.value)}` };
    value = hex(v);
  }
  const index = a.index;
  if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index) || index < 0)) return { error: `index must be a non-negative integer, got ${JSON.stringify(index)}` };
  if (kind === 'descriptor') {
    if (a.table !== undefined && a.table !== 'gdt' && a.table !== 'ldt') return { error: `table must be "gdt" or "ldt", got ${JSON.stringify(a.table)}` };
    const q: WhatIfDraft = { kind, ...(value ? { value } : {}), ...(a.table ? { table: a.table as 'gdt' | 'ldt' } : {}), ...(index !== undefined ? { index } : {}) };
    return value ? { question: q as WhatIfPrefill } : { partial: q };
  }
  const level = a.level;
  if (level !== undefined && (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 4)) return { error: `level must be 1..4, got ${JSON.stringify(level)}` };
  const tableMfn = a.tableMfn;
  if (tableMfn !== undefined && (typeof tableMfn !== 'number' || !Number.isInteger(tableMfn) || tableMfn < 0)) return { error: `tableMfn must be a frame number, got ${JSON.stringify(tableMfn)}` };
  if (a.address !== undefined && typeof a.address !== 'string') return { error: `address must be a string ("0x…" or an expression), got ${JSON.stringify(a.address)}` };
  const q: WhatIfDraft = {
    ...(kind ? { kind } : {}), ...(level !== undefined ? { level } : {}), ...(value ? { value } : {}),
    ...(tableMfn !== undefined ? { tableMfn } : {}), ...(index !== undefined ? { index } : {}), ...(a.address !== undefined ? { address: a.address } : {}),
  };
  return kind === 'pte' && level !== undefined && value ? { question: q as WhatIfPrefill } : { partial: q };
}

/** Xen's answer (xen/whatIf), read leniently. */
export interface WhatIfResult { accepted: boolean; errno?: number | string; rule?: string; message?: string; explanation?: string[] }

/** "L1 entry 0x…" / "GDT descriptor 0x… at index 5" */
export function describeQuestion(q: WhatIfPrefill): string {
  const where = q.index !== undefined ? ` at index ${q.index}` : '';
  if (q.kind === 'descriptor') return `${(q.table ?? 'gdt').toUpperCase()} descriptor ${q.value}${where}`;
  const table = q.tableMfn !== undefined ? ` in table mfn 0x${q.tableMfn.toString(16)}` : '';
  return `L${q.level} entry ${q.value}${table}${where}${q.address ? ` for ${q.address}` : ''}`;
}

export function errnoText(e: number | string | undefined): string | undefined {
  if (e === undefined || e === null) return undefined;
  if (typeof e === 'number') return errnoName(e < 0 ? e : -e);
  return /^-?E[A-Z0-9]+$/.test(e) ? (e.startsWith('-') ? e : `-${e}`) : e;
}

/** The notification text and the output-channel lines for Xen's verdict. */
export function formatWhatIf(q: WhatIfPrefill, r: WhatIfResult): { accepted: boolean; headline: string; lines: string[] } {
  const subject = describeQuestion(q);
  const err = errnoText(r.errno);
  const headline = r.accepted
    ? `Xen would accept the ${subject}${r.message ? `: ${r.message}` : '.'}`
    : `Xen would refuse the ${subject}${err ? ` with ${err}` : ''}${r.rule ? ` (${r.rule})` : ''}${r.message ? `: ${r.message}` : '.'}`;
  const explanation = Array.isArray(r.explanation) ? r.explanation.filter((x) => typeof x === 'string') : [];
  return { accepted: !!r.accepted, headline, lines: [headline, ...explanation.map((l) => `  ${l}`)] };
}
