// The node model of the Xen views and the generic reading of a custom-request reply into nodes: entries become
// rows (label, description, tooltip), their fields become children. Pure (no `vscode`), so it is unit-testable.

import { formatValue, NumberFormat } from './format';

export interface XenNode {
  /** Row text (e.g. "CS", "0x1c03"). */
  label: string;
  /** Dimmed text after the label. */
  description?: string;
  tooltip?: string;
  /** Text the "copy decoded entry" command copies. */
  copyText?: string;
  /** Theme icon id (e.g. 'symbol-field', 'warning'). */
  icon?: string;
  /** Theme color id for the icon (e.g. 'debugIcon.breakpointForeground'); warnings and errors are colored anyway. */
  iconColor?: string;
  /** Context value for menus: 'entry', 'field', 'message', 'more'; '.whatif' appended when `whatIf` is set. */
  contextValue?: string;
  children?: XenNode[];
  /** Children read on first expansion (e.g. a frame's entries through xen/frame); errors become a message row. */
  loadChildren?: () => Promise<XenNode[]>;
  /** Run on click (e.g. "Load more…"). */
  command?: { id: string; title: string; args?: unknown[] };
  /** Stable tree-item id (keeps a row's expansion across label changes); unique within its view. */
  id?: string;
  /** The row has a checkbox; its state and toggling belong to the view's checkbox model (e.g. a hypercall number). */
  checkKey?: string;
  /** Pre-filled arguments of "Xen: What-if — would Xen accept this entry?" (PTE or descriptor rows). */
  whatIf?: WhatIfPrefill;
}

/** A what-if question about one entry: a PTE at a level, or a descriptor for the GDT/LDT. */
export type WhatIfPrefill =
  | { kind: 'pte'; level: number; value: string; tableMfn?: number; index?: number; address?: string }
  | { kind: 'descriptor'; value: string; table?: 'gdt' | 'ldt'; index?: number };

/** Attach a what-if prefill and mark the row for the context menu (viewItem =~ /\.whatif$/). */
export function withWhatIf(n: XenNode, w: WhatIfPrefill | undefined): XenNode {
  if (!w) return n;
  return { ...n, whatIf: w, contextValue: `${n.contextValue ?? 'entry'}.whatif` };
}

/** The text "Copy Decoded Entry" puts on the clipboard for a row. */
export function copyTextOf(n: XenNode): string {
  return n.copyText ?? (n.description ? `${n.label}\t${n.description}` : n.label);
}

/** A clear row for a refused or failed request: which request, and why (adapter too old, bare machine, ...). */
export function errorRow(e: unknown, command?: string): XenNode {
  const text = e instanceof Error ? e.message : String(e);
  if (/unrecognized request/i.test(text)) {
    const what = /'([^']+)'/.exec(text)?.[1] ?? command ?? 'this request';
    return message(`Not supported by this debug adapter (${what})`, `${text}\nThe running adapter does not implement ${what}; use an adapter built with this extension.`, 'circle-slash');
  }
  if (/needs a Xen PV guest|bare machine/i.test(text)) return message('Not available on the bare machine', text, 'circle-slash');
  if (/no active xenpv debug session/i.test(text)) return message('No xenpv debug session', 'Start debugging a guest (F5) to see this view.');
  if (/timed out/i.test(text)) return message('The debug adapter did not answer', text, 'warning');
  return message(`Not available: ${text.length > 80 ? text.slice(0, 77) + '…' : text}`, text, 'circle-slash');
}

/** A lazily loaded row's children (read once per refresh; a failure is a message row, never a thrown error). */
export async function expandNode(n: XenNode): Promise<XenNode[]> {
  if (!n.loadChildren) return n.children ?? [];
  try {
    const rows = await n.loadChildren();
    return rows.length ? rows : [message('(empty)', 'Nothing to show for this row.')];
  } catch (e) { return [errorRow(e)]; }
}

/** Keys tried, in order, for an entry's row label and description. */
export interface RowShape {
  label: string[];
  description: string[];
  /** Keys never shown as children (already in the label/description). */
  hide?: string[];
  /** Marks the row as a problem (e.g. failed hypercalls, unusable segments). */
  warn?: (e: Record<string, unknown>) => boolean;
  /** Row label/description built from the entry (overrides the key lists when it returns text). */
  labelOf?: (e: Record<string, unknown>, fmt: NumberFormat) => string | undefined;
  describe?: (e: Record<string, unknown>, fmt: NumberFormat) => string | undefined;
  /** Theme icon for a row that is not a problem (default 'symbol-constant'). */
  icon?: (e: Record<string, unknown>) => string | undefined;
  /** What-if prefill for the row (context menu "What-if…"). */
  whatIf?: (e: Record<string, unknown>) => WhatIfPrefill | undefined;
  /** Checkbox key for the row (e.g. the hypercall number of a log entry), none when undefined. */
  checkKey?: (e: Record<string, unknown>) => string | undefined;
}

export function message(label: string, tooltip?: string, icon = 'info'): XenNode {
  return { label, tooltip, icon, contextValue: 'message' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(e: Record<string, unknown>, keys: string[], fmt: NumberFormat): string | undefined {
  for (const k of keys) {
    const v = e[k];
    if (v !== undefined && v !== null && v !== '') return formatValue(v, fmt);
  }
  return undefined;
}

/** Children for an object's fields: scalars as "key: value" rows, objects/arrays as expandable rows. */
export function fieldNodes(obj: Record<string, unknown>, fmt: NumberFormat, hide: string[] = []): XenNode[] {
  const out: XenNode[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (hide.includes(k) || v === undefined) continue;
    if (Array.isArray(v) && v.some((x) => isRecord(x))) {
      out.push({ label: k, description: `${v.length}`, contextValue: 'field', icon: 'list-unordered', children: v.map((x, i) => (isRecord(x) ? { label: String(i), description: summary(x, fmt), contextValue: 'field', children: fieldNodes(x, fmt) } : { label: String(i), description: formatValue(x, fmt), contextValue: 'field' })) });
    } else if (isRecord(v)) {
      out.push({ label: k, description: summary(v, fmt), contextValue: 'field', icon: 'symbol-namespace', children: fieldNodes(v, fmt), copyText: `${k}: ${JSON.stringify(v)}` });
    } else {
      const text = fieldText(k, v, fmt);
      out.push({ label: k, description: text, contextValue: 'field', icon: 'symbol-field', copyText: `${k}: ${text}` });
    }
  }
  return out;
}

/** Fields that are counts or small ordinals, not addresses: always decimal ("cpl 3", "mode 64-bit", "vcpus 2"). */
const DECIMAL_FIELDS = new Set(['cpl', 'vcpus', 'pages', 'memoryMiB', 'total', 'hypercalls', 'bounces', 'typeCount', 'count', 'level',
  'entries', 'port', 'vcpu', 'remotePort', 'remoteDomain', 'virq', 'timeNs', 'grantFrames', 'requests', 'singleshot', 'periodic', 'next',
  'poll', 'fired', 'instructions']);

/** A scalar field's text: counts in decimal, the CPU mode as "64-bit", everything else in the chosen format. */
export function fieldText(key: string, v: unknown, fmt: NumberFormat): string {
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (key === 'mode') return `${v}-bit`;
    if (DECIMAL_FIELDS.has(key)) return String(v);
  }
  return formatValue(v, fmt);
}

/** One-line summary of an object: its scalar fields, "k=v" joined. */
export function summary(o: Record<string, unknown>, fmt: NumberFormat, max = 6): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (parts.length >= max) break;
    if (v === undefined || v === null || isRecord(v) || Array.isArray(v)) continue;
    parts.push(`${k}=${formatValue(v, fmt)}`);
  }
  return parts.join(' ');
}

/** Entry rows from a list of records. */
export function entryNodes(entries: unknown[], shape: RowShape, fmt: NumberFormat): XenNode[] {
  return entries.map((raw, i) => {
    if (!isRecord(raw)) return { label: String(i), description: formatValue(raw, fmt), contextValue: 'entry' };
    const label = shape.labelOf?.(raw, fmt) ?? pick(raw, shape.label, fmt) ?? String(i);
    const description = shape.describe?.(raw, fmt) ?? pick(raw, shape.description, fmt) ?? summary(raw, fmt, 4);
    const warn = shape.warn?.(raw) ?? false;
    const children = fieldNodes(raw, fmt, shape.hide ?? []);
    const tooltip = [`${label}  ${description}`, ...children.filter((c) => !c.children).map((c) => `${c.label}: ${c.description ?? ''}`)].join('\n');
    const checkKey = shape.checkKey?.(raw);
    return withWhatIf({
      label, description, tooltip, contextValue: 'entry', icon: warn ? 'warning' : shape.icon?.(raw) ?? 'symbol-constant',
      copyText: `${label}\t${description}\n${JSON.stringify(raw, null, 2)}`, children, ...(checkKey !== undefined ? { checkKey } : {}),
    }, shape.whatIf?.(raw));
  });
}

/** The first array of records in a reply (under any of keys, else any array field), or the reply itself if it is one. */
export function findEntries(body: unknown, keys: string[]): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (!isRecord(body)) return undefined;
  for (const k of keys) if (Array.isArray(body[k])) return body[k] as unknown[];
  for (const v of Object.values(body)) if (Array.isArray(v)) return v;
  return undefined;
}

/** Scalar header fields of a reply (everything that is not an array), shown above the entries. */
export function headerNodes(body: unknown, fmt: NumberFormat, skip: string[]): XenNode[] {
  if (!isRecord(body)) return [];
  const scalars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!Array.isArray(v) && !skip.includes(k)) scalars[k] = v;
  return fieldNodes(scalars, fmt);
}
