// Xen's per-frame bookkeeping as debugger rows (xen/frames, xen/frame, xen/p2m, xen/m2p): page_info type, counts,
// pin/validated state, owner, what the frame is (start_info, GDT, page-table root...), its p2m/m2p and mappings.

import type { XenDebugMachine } from './xen-machine';
import {
  MmState, MmDiagnostic, PGT_NAMES, PGT_pinned, PGT_validated, PGT_l1_page_table, PGT_l4_page_table, PGC_xen_heap,
  INVALID_M2P_ENTRY, INVALID_MFN,
} from '../xen/mm';
import { DOMID_INVALID } from '../xen/public/xen';
import { pagingMode } from '../cpu/mmu/paging';
import { h } from './xen-inspect';
import { grantTableOf } from '../xen/grant-table';

export type FrameFilter = 'all' | 'pagetables' | 'pinned' | 'errors' | 'owned';
export const FRAME_FILTERS: readonly FrameFilter[] = ['all', 'pagetables', 'pinned', 'errors', 'owned'];

export interface FrameRow {
  mfn: number; pfn: number | null; type: string; typeCount: number; count: number; pinned: boolean; validated: boolean;
  owner: number | null; xenHeap?: boolean; note?: string; lastError?: string;
}

export interface PtEntryRow { index: number; value: string; flags: string[]; targetMfn: number; }

export interface FrameDetail extends FrameRow {
  p2m: number | null; m2p: number | null; mappedAt?: string[]; entries?: PtEntryRow[];
}

const MAX_MAPPED_AT = 16;
/** Bound on the entries a mapping search visits (a guest may map a lot of memory). */
const MAX_VISITED = 1 << 20;

/** Whole non-negative integer from a request argument (number, "0x…" or decimal string). */
export function intArg(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  let n = NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*(0[xX][0-9a-fA-F]+|\d+)\s*$/.test(v)) n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${what} must be a whole number 0..${max === Number.MAX_SAFE_INTEGER ? 'max' : max} (a number or "0x…" string), got ${JSON.stringify(v)}`);
  return n;
}

/** What each special frame is, from the domain image and the vCPUs' state. */
function frameNotes(m: XenDebugMachine): Map<number, string[]> {
  const d = m.domain, img = d.image, notes = new Map<number, string[]>();
  const add = (mfn: number, note: string): void => {
    if (!Number.isInteger(mfn) || mfn < 0) return;
    const l = notes.get(mfn);
    if (l) { if (!l.includes(note)) l.push(note); } else notes.set(mfn, [note]);
  };
  add(img.startInfoMfn, 'start_info');
  add(img.sharedInfoMfn, 'shared_info');
  add(img.consoleMfn, 'console ring');
  add(img.storeMfn, 'xenstore ring');
  const hp = img.params.hypercallPage;
  if (hp !== null) {
    const pfn = Math.floor((hp - img.virtBase) / 4096);
    if (pfn >= 0 && pfn < img.nrPages) add(img.p2m[pfn], 'hypercall page');
  }
  const listPfn = Math.floor((img.mfnListVa - img.virtBase) / 4096);
  const listPages = Math.ceil((img.nrPages * (img.kind === 'pv64' ? 8 : 4)) / 4096);
  for (let k = 0; k < listPages; k++) if (listPfn + k < img.nrPages) add(img.p2m[listPfn + k], 'p2m list (mfn_list)');
  const x = d.mm.xen;
  if (x) {
    for (const f of x.m2pFrames) add(f, 'm2p');
    for (const f of x.compatM2pFrames) add(f, 'm2p (compat)');
  }
  for (const f of img.m2pTableMfns) add(f, 'm2p mapping table');
  for (const v of d.vcpus) {
    if (v.guestTable) add(v.guestTable, `page-table root (vCPU${v.id})`);
    if (v.guestTableUser) add(v.guestTableUser, `user page-table root (vCPU${v.id})`);
    for (const g of v.descriptors.gdtFrames) add(g, `GDT frame (vCPU${v.id})`);
    const ldt = v.descriptors.shadowLdt;
    if (ldt) for (const f of ldt.frames) if (f >= 0) add(f, `LDT frame (vCPU${v.id})`);
  }
  grantTableOf(d).frames.forEach((mfn, i) => add(mfn, `grant table frame ${i}`));
  return notes;
}

/** The latest mm diagnostic naming each frame (as the table holding an entry, or as the entry's target). */
function lastErrors(mm: MmState): Map<number, string> {
  const out = new Map<number, string>();
  for (const dg of mm.diag.all()) {
    const text = describeDiag(dg);
    if (dg.mfn !== undefined) out.set(dg.mfn, text);
    if (dg.targetMfn !== undefined) out.set(dg.targetMfn, text);
  }
  return out;
}

export function describeDiag(dg: MmDiagnostic): string { return `${dg.rule}: ${dg.message}`; }

function isPageTableType(t: number): boolean { return t >= PGT_l1_page_table && t <= PGT_l4_page_table; }

/** One frame's row (notes and errors precomputed by the caller). */
function frameRow(m: XenDebugMachine, mfn: number, notes: Map<number, string[]>, errors: Map<number, string>): FrameRow {
  const d = m.domain, f = d.mm.frames;
  const owner = f.owner[mfn];
  const pfn = d.pfnOfMfn(mfn);
  const row: FrameRow = {
    mfn, pfn: pfn < 0 ? null : pfn, type: PGT_NAMES[f.type[mfn]] ?? `type ${f.type[mfn]}`, typeCount: f.typeCount[mfn],
    count: f.count[mfn], pinned: (f.typeFlags[mfn] & PGT_pinned) !== 0, validated: (f.typeFlags[mfn] & PGT_validated) !== 0,
    owner: owner === DOMID_INVALID || f.count[mfn] === 0 ? null : owner,
  };
  if (f.countFlags[mfn] & PGC_xen_heap) row.xenHeap = true;
  const n = notes.get(mfn);
  if (n) row.note = n.join(', ');
  const e = errors.get(mfn);
  if (e) row.lastError = e;
  return row;
}

/** xen/frames: rows for frames in use (owned by the guest, or typed / referenced), sorted by mfn, filtered and paged. */
export function frameRows(m: XenDebugMachine, filter: FrameFilter = 'all', start = 0, count = 500): { total: number; rows: FrameRow[] } {
  const d = m.domain, mm = d.mm, f = mm.frames;
  const errors = lastErrors(mm);
  const keep = (mfn: number): boolean => {
    const used = f.owner[mfn] === d.domid || f.typeCount[mfn] > 0 || f.type[mfn] !== 0 || f.count[mfn] > 0;
    if (!used) return false;
    switch (filter) {
      case 'pagetables': return isPageTableType(f.type[mfn]);
      case 'pinned': return (f.typeFlags[mfn] & PGT_pinned) !== 0;
      case 'errors': return errors.has(mfn);
      case 'owned': return f.owner[mfn] === d.domid && f.count[mfn] > 0;
      default: return true;
    }
  };
  const notes = frameNotes(m);
  const rows: FrameRow[] = [];
  let total = 0;
  for (let mfn = 0; mfn < f.nr; mfn++) {
    if (!keep(mfn)) continue;
    if (total >= start && rows.length < count) rows.push(frameRow(m, mfn, notes, errors));
    total++;
  }
  return { total, rows };
}

const ENTRY_FLAG_NAMES = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', 'PS', 'G'];

function entryFlags(lo: number, hi: number, level: number): string[] {
  const out = ENTRY_FLAG_NAMES.map((n, b) => (b === 7 && level === 1 ? 'PAT' : n)).filter((_, b) => ((lo >>> b) & 1) === 1);
  if (hi & 0x80000000) out.push('NX');
  return out;
}

/** Present entries of a page-table frame. */
function tableEntries(mm: MmState, mfn: number, level: number): PtEntryRow[] {
  const out: PtEntryRow[] = [];
  const base = mm.maddr(mfn);
  for (let i = 0; i < 512; i++) {
    const lo = mm.mem.read32(base + i * 8), hi = mm.mem.read32(base + i * 8 + 4);
    if (!(lo & 1)) continue;
    out.push({
      index: i, value: `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`,
      flags: entryFlags(lo, hi, level), targetMfn: (lo >>> 12) + (hi & 0xfffff) * 0x100000,
    });
  }
  return out;
}

/**
 * Guest-linear addresses at which `target` is mapped by the page tables rooted at the vCPU's CR3 (leaf entries,
 * large pages included), at most MAX_MAPPED_AT. Reads machine memory only: no A/D bits, no faults.
 */
export function findMappings(m: XenDebugMachine, target: number, vcpu = 0): string[] {
  const cpu = m.vcpus[vcpu], mem = m.mem;
  const mode = pagingMode(cpu);
  if (mode !== 'long4' && mode !== 'pae') return [];
  const out: string[] = [];
  let visited = 0;
  const canon = (va: number): number => (mode === 'long4' && va >= 2 ** 47 ? va - 2 ** 48 : va);
  const walkTable = (mfn: number, level: number, vaBase: number, entries: number): void => {
    const shift = 12 + 9 * (level - 1);
    for (let i = 0; i < entries && out.length < MAX_MAPPED_AT && visited < MAX_VISITED; i++) {
      visited++;
      const pa = mfn * 4096 + i * 8;
      if (!mem.contains(pa, 8)) return;
      const lo = mem.read32(pa), hi = mem.read32(pa + 4);
      if (!(lo & 1)) continue;
      const next = (lo >>> 12) + (hi & 0xfffff) * 0x100000;
      const va = vaBase + i * 2 ** shift;
      if (level === 1) { if (next === target) out.push(h(canon(va))); continue; }
      if ((level === 2 || level === 3) && (lo & 0x80)) {
        const pages = 2 ** (shift - 12), first = next & ~(pages - 1);
        if (target >= first && target < first + pages) out.push(h(canon(va + (target - first) * 4096)));
        continue;
      }
      walkTable(next, level - 1, va, 512);
    }
  };
  if (mode === 'long4') walkTable(Math.floor(cpu.cr3 / 4096), 4, 0, 512);
  else {
    const pdpt = (cpu.cr3 >>> 0) & ~0x1f;
    for (let i = 0; i < 4 && out.length < MAX_MAPPED_AT; i++) {
      const lo = mem.read32(pdpt + i * 8), hi = mem.read32(pdpt + i * 8 + 4);
      if (lo & 1) walkTable((lo >>> 12) + (hi & 0xfffff) * 0x100000, 2, i * 2 ** 30, 512);
    }
  }
  return out;
}

/** xen/frame: one frame by mfn or pfn, with p2m/m2p, mappings and (page tables) present entries. */
export function frameDetail(m: XenDebugMachine, args: { mfn?: unknown; pfn?: unknown }): FrameDetail {
  const d = m.domain, mm = d.mm, img = d.image;
  if ((args.mfn === undefined) === (args.pfn === undefined)) throw new Error('xen/frame needs exactly one of mfn or pfn');
  let mfn: number, asked: number | null = null;
  if (args.pfn !== undefined) {
    asked = intArg(args.pfn, 'pfn');
    if (asked >= img.nrPages) throw new Error(`pfn 0x${asked.toString(16)} is outside the guest's pseudo-physical memory (nr_pages 0x${img.nrPages.toString(16)})`);
    mfn = img.p2m[asked];
    if (mfn < 0 || mfn === INVALID_MFN || !mm.frames.valid(mfn)) throw new Error(`pfn 0x${asked.toString(16)} has no machine frame (p2m entry invalid)`);
  } else {
    mfn = intArg(args.mfn, 'mfn');
    if (!mm.frames.valid(mfn)) throw new Error(`mfn 0x${mfn.toString(16)} is outside machine memory (0x${mm.frames.nr.toString(16)} frames)`);
  }
  const row = frameRow(m, mfn, frameNotes(m), lastErrors(mm));
  const m2pRaw = mm.m2p[mfn];
  const m2p = m2pRaw === INVALID_M2P_ENTRY ? null : m2pRaw;
  const pfnForP2m = asked ?? row.pfn ?? (m2p !== null && m2p < img.nrPages ? m2p : null);
  const p2mRaw = pfnForP2m === null ? undefined : img.p2m[pfnForP2m];
  const out: FrameDetail = { ...row, p2m: p2mRaw === undefined || p2mRaw < 0 ? null : p2mRaw, m2p };
  const mappedAt = findMappings(m, mfn);
  if (mappedAt.length) out.mappedAt = mappedAt;
  const t = mm.frames.type[mfn];
  if (isPageTableType(t)) out.entries = tableEntries(mm, mfn, t - PGT_l1_page_table + 1);
  return out;
}

/** xen/p2m: a window of the domain's pfn -> mfn table. */
export function p2mRows(m: XenDebugMachine, start = 0, count = 256): { nrPages: number; rows: { pfn: number; mfn: number | null }[] } {
  const img = m.domain.image;
  const rows: { pfn: number; mfn: number | null }[] = [];
  for (let pfn = start; pfn < img.nrPages && rows.length < count; pfn++) {
    const mfn = img.p2m[pfn];
    rows.push({ pfn, mfn: mfn < 0 || mfn === INVALID_MFN ? null : mfn });
  }
  return { nrPages: img.nrPages, rows };
}

/** xen/m2p: the machine-wide mfn -> pfn table entry (null when invalid). */
export function m2pEntry(m: XenDebugMachine, mfn: number): { mfn: number; pfn: number | null } {
  const mm = m.domain.mm;
  if (!mm.frames.valid(mfn)) throw new Error(`mfn 0x${mfn.toString(16)} is outside machine memory (0x${mm.frames.nr.toString(16)} frames)`);
  const pfn = mm.m2p[mfn];
  return { mfn, pfn: pfn === INVALID_M2P_ENTRY ? null : pfn };
}

/** Text of xen/frame for the REPL command `frame <mfn>`. */
export function formatFrame(f: FrameDetail): string {
  const hx = (v: number | null): string => (v === null ? '-' : `0x${v.toString(16)}`);
  const lines = [
    `mfn ${hx(f.mfn)}  pfn ${hx(f.pfn)}  owner ${f.owner === null ? 'none' : `d${f.owner}`}${f.xenHeap ? ' (xen heap)' : ''}${f.note ? `  [${f.note}]` : ''}`,
    `  type ${f.type}, type count ${f.typeCount}${f.pinned ? ', pinned' : ''}${f.validated ? ', validated' : ''}; count_info refs ${f.count}`,
    `  p2m[${hx(f.pfn)}] = ${hx(f.p2m)}, m2p[${hx(f.mfn)}] = ${hx(f.m2p)}`,
  ];
  if (f.mappedAt) lines.push(`  mapped at ${f.mappedAt.join(', ')}${f.mappedAt.length >= MAX_MAPPED_AT ? ' ...' : ''}`);
  else lines.push('  not mapped by the current page tables');
  if (f.lastError) lines.push(`  last error: ${f.lastError}`);
  if (f.entries) {
    lines.push(`  ${f.entries.length} present entries:`);
    for (const e of f.entries.slice(0, 64)) lines.push(`    [${e.index.toString().padStart(3)}] ${e.value} -> mfn 0x${e.targetMfn.toString(16)} ${e.flags.join(' ')}`);
    if (f.entries.length > 64) lines.push(`    ... ${f.entries.length - 64} more (xen/frame request has them all)`);
  }
  return lines.join('\n');
}
