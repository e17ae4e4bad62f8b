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
  /** Context value for menus: 'entry', 'field', 'message', 'error'. */
  contextValue?: string;
  children?: XenNode[];
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
      const text = formatValue(v, fmt);
      out.push({ label: k, description: text, contextValue: 'field', icon: 'symbol-field', copyText: `${k}: ${text}` });
    }
  }
  return out;
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
    return {
      label, description, tooltip, contextValue: 'entry', icon: warn ? 'warning' : shape.icon?.(raw) ?? 'symbol-constant',
      copyText: `${label}\t${description}\n${JSON.stringify(raw, null, 2)}`, children,
    };
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
