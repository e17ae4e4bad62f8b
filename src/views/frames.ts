// The Frames view: Xen's per-frame bookkeeping (page_info: type, type count, count, pinned, validated, owner) from
// xen/frames, filtered and paged, each row expanding lazily into the frame's entries (xen/frame). Pure (no `vscode`).

import { formatValue, NumberFormat } from './format';
import { message, withWhatIf, XenNode } from './nodes';
import type { Requester, XenViewSpec } from './spec';

export type FrameFilter = 'all' | 'pagetables' | 'pinned' | 'errors' | 'owned';

export const FRAME_FILTERS: { id: FrameFilter; label: string; command: string }[] = [
  { id: 'all', label: 'All frames', command: 'xenpv.frames.filterAll' },
  { id: 'pagetables', label: 'Page tables', command: 'xenpv.frames.filterPageTables' },
  { id: 'pinned', label: 'Pinned', command: 'xenpv.frames.filterPinned' },
  { id: 'errors', label: 'Errors', command: 'xenpv.frames.filterErrors' },
];

/** The adapter refuses more rows than this per request. */
export const MAX_FRAMES_PER_REQUEST = 5000;

/** One row of xen/frames (read leniently: numbers may come as numbers or "0x…" strings). */
export interface FrameRow {
  mfn: number | string;
  pfn: number | string | null;
  type: string;
  typeCount?: number;
  count?: number;
  pinned?: boolean;
  validated?: boolean;
  owner?: unknown;
  xenHeap?: boolean;
  note?: string;
  lastError?: unknown;
  [k: string]: unknown;
}

export interface FramesReply { total?: number; rows?: FrameRow[] }

/** Xen page types (PGT_*) → theme icon: the table levels, descriptor pages, writable and shared pages. */
const TYPE_ICONS: Record<string, string> = {
  l4_page_table: 'type-hierarchy', l3_page_table: 'list-tree', l2_page_table: 'list-flat', l1_page_table: 'symbol-array',
  seg_desc_page: 'table', writable_page: 'edit', shared_page: 'references', none: 'circle-outline',
};

/** Page-table level of a frame type (l1_page_table → 1), or undefined. */
export function tableLevel(type: unknown): number | undefined {
  const m = typeof type === 'string' ? /^l([1-4])_page_table$/.exec(type) : null;
  return m ? Number(m[1]) : undefined;
}

export function frameIcon(r: FrameRow): string {
  if (r.lastError !== undefined && r.lastError !== null && r.lastError !== '') return 'warning';
  if (r.xenHeap) return 'server';
  return TYPE_ICONS[r.type] ?? 'file-binary';
}

/** "lastError" may be a string or a diagnostic record {rule, message, ...}: one line of it. */
export function errorText(e: unknown): string | undefined {
  if (e === undefined || e === null || e === '') return undefined;
  if (typeof e === 'string') return e;
  if (typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const msg = typeof o.message === 'string' ? o.message : undefined;
    const rule = typeof o.rule === 'string' ? o.rule : undefined;
    if (msg || rule) return [rule, msg].filter(Boolean).join(': ');
    return JSON.stringify(e);
  }
  return String(e);
}

const ownerText = (o: unknown): string | undefined => (o === undefined || o === null ? undefined : typeof o === 'number' ? `dom${o}` : String(o));

/** "mfn 0x3f42 (pfn 0x42)" */
export function frameLabel(r: FrameRow, fmt: NumberFormat): string {
  const pfn = r.pfn === null || r.pfn === undefined ? (r.xenHeap ? ' (Xen heap)' : ' (no pfn)') : ` (pfn ${formatValue(r.pfn, fmt)})`;
  return `mfn ${formatValue(r.mfn, fmt)}${pfn}`;
}

/** Counts are small: always decimal ("×1", not "×0x1"). */
const countText = (v: unknown): string => (typeof v === 'number' ? String(v) : formatValue(v ?? 0, 'decimal'));

/** "l2_page_table ×1 pinned validated · refs 3" (+ Xen heap, the note such as "start_info", the last error). */
export function frameDescription(r: FrameRow, _fmt: NumberFormat): string {
  const parts = [r.type ?? 'none'];
  if (r.type !== 'none' || (r.typeCount ?? 0) > 0) parts[0] += ` ×${countText(r.typeCount)}`;
  if (r.pinned) parts.push('pinned');
  if (r.validated) parts.push('validated');
  let text = `${parts.join(' ')} · refs ${countText(r.count)}`;
  if (r.xenHeap && r.pfn !== null && r.pfn !== undefined) text += ' · Xen heap';   // else the label says it
  if (r.note) text += ` · ${r.note}`;
  const err = errorText(r.lastError);
  if (err) text += ` · ⚠ ${err.length > 60 ? err.slice(0, 57) + '…' : err}`;
  return text;
}

/** Every field of the row, one per line, then the note and the last error in full. */
export function frameTooltip(r: FrameRow, fmt: NumberFormat): string {
  const lines = [`${frameLabel(r, fmt)}  ${frameDescription(r, fmt)}`, ''];
  lines.push(`mfn: ${formatValue(r.mfn, fmt)}`, `pfn: ${r.pfn === null || r.pfn === undefined ? '—' : formatValue(r.pfn, fmt)}`);
  lines.push(`type: ${r.type}`, `type count: ${countText(r.typeCount)}`, `count (references): ${countText(r.count)}`);
  lines.push(`pinned: ${r.pinned ? 'yes' : 'no'}`, `validated: ${r.validated ? 'yes' : 'no'}`, `owner: ${ownerText(r.owner) ?? '—'}`);
  if (r.xenHeap) lines.push('Xen heap frame');
  for (const [k, v] of Object.entries(r)) {
    if (['mfn', 'pfn', 'type', 'typeCount', 'count', 'pinned', 'validated', 'owner', 'xenHeap', 'note', 'lastError'].includes(k) || v === undefined) continue;
    lines.push(`${k}: ${formatValue(v, fmt)}`);
  }
  if (r.note) lines.push('', `Note: ${r.note}`);
  const err = r.lastError !== undefined && r.lastError !== null && r.lastError !== '' ? r.lastError : undefined;
  if (err !== undefined) lines.push('', `Last error: ${errorText(err)}`, ...(typeof err === 'object' ? [JSON.stringify(err, null, 2)] : []));
  return lines.join('\n');
}

const mfnNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : undefined);

/** The frame's row; expanding it asks xen/frame for the details and entries. */
export function frameNode(r: FrameRow, fmt: NumberFormat, requester: Requester): XenNode {
  const label = frameLabel(r, fmt), description = frameDescription(r, fmt);
  return {
    label, description, tooltip: frameTooltip(r, fmt), icon: frameIcon(r), contextValue: 'entry',
    copyText: `${label}  ${description}\n${JSON.stringify(r, null, 2)}`,
    loadChildren: async () => frameDetailNodes(await requester.request<Record<string, unknown>>('xen/frame', { mfn: mfnNumber(r.mfn) ?? r.mfn }), r, fmt),
  };
}

/** One entry of a frame: "[0x1ff] 0x12345067 P RW US A → mfn 0x1234" with a what-if prefill for table entries. */
export function frameEntryNode(e: Record<string, unknown>, frame: FrameRow, fmt: NumberFormat): XenNode {
  const level = tableLevel(frame.type);
  const idx = e.index !== undefined ? formatValue(e.index, fmt) : '?';
  const label = `${level ? `L${level}` : frame.type === 'seg_desc_page' ? 'desc' : ''}[${idx}]`;
  const flags = Array.isArray(e.flags) ? e.flags.join(' ') : typeof e.flags === 'string' ? e.flags : '';
  const t = e.target ?? e.targetMfn;
  const target = t === undefined || t === null ? '' : ` → ${typeof t === 'object' ? targetText(t as Record<string, unknown>, fmt) : typeof t === 'number' || /^0x/i.test(String(t)) ? `mfn ${formatValue(t, fmt)}` : String(t)}`;
  const value = typeof e.value === 'string' && /^0x[0-9a-f]{1,16}$/i.test(e.value) ? '0x' + BigInt(e.value).toString(16)
    : typeof e.value === 'number' && Number.isSafeInteger(e.value) && e.value >= 0 ? '0x' + e.value.toString(16) : undefined;
  const description = `${formatValue(value ?? e.value, fmt)}${flags ? ' ' + flags : ''}${target}`;
  const index = mfnNumber(e.index);
  const node: XenNode = { label, description, tooltip: `${label}  ${description}`, icon: 'symbol-field', contextValue: 'entry', copyText: `${label}\t${description}` };
  if (!value) return node;
  if (level) return withWhatIf(node, { kind: 'pte', level, value, tableMfn: mfnNumber(frame.mfn), index });
  if (frame.type === 'seg_desc_page') return withWhatIf(node, { kind: 'descriptor', value, index });
  return node;
}

function targetText(t: Record<string, unknown>, fmt: NumberFormat): string {
  const parts: string[] = [];
  if (t.mfn !== undefined) parts.push(`mfn ${formatValue(t.mfn, fmt)}`);
  if (t.pfn !== undefined && t.pfn !== null) parts.push(`pfn ${formatValue(t.pfn, fmt)}`);
  if (typeof t.type === 'string') parts.push(t.type);
  for (const [k, v] of Object.entries(t)) if (!['mfn', 'pfn', 'type'].includes(k) && v !== undefined && typeof v !== 'object') parts.push(`${k} ${formatValue(v, fmt)}`);
  return parts.join(' ');
}

/** xen/frame's reply as children: p2m/m2p, where the frame is mapped, then its entries. */
export function frameDetailNodes(d: Record<string, unknown> | undefined, frame: FrameRow, fmt: NumberFormat): XenNode[] {
  const out: XenNode[] = [];
  if (!d || typeof d !== 'object') return [message('No details', 'xen/frame returned nothing for this frame.')];
  if (d.p2m !== undefined) out.push({ label: 'p2m', description: `${formatValue(frame.pfn ?? '—', fmt)} → ${formatValue(d.p2m, fmt)}`, tooltip: 'The guest\'s physical-to-machine entry for this frame\'s pfn', icon: 'arrow-right', contextValue: 'field' });
  if (d.m2p !== undefined) out.push({ label: 'm2p', description: `${formatValue(frame.mfn, fmt)} → ${formatValue(d.m2p, fmt)}`, tooltip: 'Xen\'s machine-to-phys table entry for this mfn', icon: 'arrow-left', contextValue: 'field' });
  const mapped = Array.isArray(d.mappedAt) ? d.mappedAt.map((v) => formatValue(v, fmt)) : [];
  if (Array.isArray(d.mappedAt)) {
    out.push({
      label: 'mapped at', description: mapped.length ? mapped.slice(0, 4).join(', ') + (mapped.length > 4 ? ` (+${mapped.length - 4})` : '') : 'not mapped',
      icon: 'location', contextValue: 'field', tooltip: mapped.join('\n') || 'No linear address of the current page tables maps this frame',
      children: mapped.length > 4 ? mapped.map((a) => ({ label: a, contextValue: 'field', icon: 'location' })) : undefined,
    });
  }
  const entries = Array.isArray(d.entries) ? d.entries.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];
  if (entries.length) {
    out.push({
      label: 'entries', description: `${entries.length} present`, icon: 'list-unordered', contextValue: 'field',
      children: entries.map((e) => frameEntryNode(e, frame, fmt)),
    });
  } else if (tableLevel(frame.type) || frame.type === 'seg_desc_page') out.push(message('No present entries'));
  return out;
}

/** Mutable state of the Frames view: the filter and how many pages are loaded. */
export interface FramesState { filter: FrameFilter; pages: number }

export function filterLabel(f: FrameFilter): string {
  return FRAME_FILTERS.find((x) => x.id === f)?.label ?? (f === 'owned' ? 'Owned by the guest' : f);
}

export function clampPageSize(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_FRAMES_PER_REQUEST) : 200;
}

/** The Frames view: `pages` pages of `pageSize()` rows of the current filter, then "Load more…" while rows remain. */
export function framesView(state: FramesState, pageSize: () => number): XenViewSpec & { lastTotal(): number | undefined; lastShown(): number } {
  let total: number | undefined;
  let shown = 0;
  return {
    id: 'xenpv.frames', title: 'Frames',
    lastTotal: () => total,
    lastShown: () => shown,
    viewDescription: () => `${filterLabel(state.filter)}${total !== undefined ? ` · ${shown === total ? total : `${shown} of ${total}`}` : ''}`,
    async load(req, fmt) {
      const size = clampPageSize(pageSize());
      const rows: FrameRow[] = [];
      total = undefined;
      shown = 0;
      let more = false;
      for (let p = 0; p < Math.max(1, state.pages); p++) {
        const reply = await req.request<FramesReply>('xen/frames', { filter: state.filter, start: p * size, count: size });
        const got = Array.isArray(reply?.rows) ? reply.rows.filter((r) => typeof r === 'object' && r !== null) : [];
        total = typeof reply?.total === 'number' ? reply.total : undefined;
        rows.push(...got);
        more = total !== undefined ? rows.length < total : got.length === size;
        if (!more) break;
      }
      shown = rows.length;
      const out = rows.map((r) => frameNode(r, fmt, req));
      if (more) {
        out.push({
          label: 'Load more…', description: total !== undefined ? `${rows.length} of ${total} shown` : `${rows.length} shown`, icon: 'more', contextValue: 'more',
          tooltip: `Load the next ${total !== undefined ? Math.min(size, total - rows.length) : size} frames (page size: setting xenpv.frames.pageSize)`,
          command: { id: 'xenpv.frames.loadMore', title: 'Load more frames' },
        });
      }
      if (!out.length) {
        out.push(message(state.filter === 'errors' ? 'No frame has a recorded error' : `No frames match "${filterLabel(state.filter)}"`,
          state.filter === 'errors' ? 'Xen has rejected nothing on this domain\'s frames so far.' : 'Choose another filter in the view title.'));
      }
      return out;
    },
  };
}
