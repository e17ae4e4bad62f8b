// Side-effect-free reads of a vCPU and its domain as plain rows: segments (selector + hidden cache), the GDT/LDT
// as Xen serves them (guest frames + reserved entries), the trap table, the hypercall log, page walks, domain state.
// The custom DAP requests return these rows as they are; the Xen scope and REPL commands format them.

import type { Cpu } from '../cpu/cpu';
import { SegmentDescriptor, SegmentSelector } from '../cpu/mmu/segmentation';
import { probe, pagingMode } from '../cpu/mmu/paging';
import { SEG_NAMES, FS, GS } from '../cpu/state';
import { VECTOR_NAMES } from '../cpu/fault';
import { hexAddr } from '../common/bits';
import { FIRST_RESERVED_GDT_ENTRY, PV64_RESERVED_GDT, PV32_RESERVED_GDT } from '../xen/public';
import type { XenDebugMachine } from './xen-machine';
import { SHUTDOWN_NAMES } from './xen-machine';
import { readLinear } from './guest-memory';
import { describeHypercall, exitEvent } from './xen-hypercalls';
import { vcpuEventState, domainEventState } from './xen-events';

export const h = (v: number): string => `0x${hexAddr(v)}`;
const h32 = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export interface SegmentRow {
  name: string; selector: string; index: number; ti: 'GDT' | 'LDT'; rpl: number; valid: boolean;
  base: string; limit: string; attributes: string; type: string; dpl: number; present: boolean;
  long: boolean; db: boolean; granularity: boolean; reserved: boolean;
}

/** xen/segments: CS..GS, LDTR, TR with selector decode and hidden cache, plus FS/GS/kernel GS bases. */
export function segmentRows(cpu: Cpu): { segments: SegmentRow[]; fsBase: string; gsBase: string; kernelGsBase: string; cpl: number; mode: number } {
  const order = [1, 3, 0, 4, 5, 2, 6, 7]; // cs ds es fs gs ss ldtr tr
  const longMode = cpu.mode === 64;
  const segments = order.map((s) => {
    const sel = new SegmentSelector(cpu.segSel[s]);
    const d = new SegmentDescriptor(0, cpu.segAttr[s] << 8);
    return {
      name: SEG_NAMES[s].toUpperCase(), selector: `0x${sel.value.toString(16).padStart(4, '0')}`, index: sel.index, ti: sel.tableName,
      rpl: sel.rpl, valid: cpu.segValid[s] === 1, base: h(cpu.segBase[s]), limit: h32(cpu.segLimit[s]),
      attributes: `0x${cpu.segAttr[s].toString(16).padStart(4, '0')}`, type: cpu.segValid[s] ? d.typeName(longMode) : 'unusable',
      dpl: d.dpl, present: d.present, long: d.long, db: d.db, granularity: d.granularity,
      reserved: sel.ti === 0 && sel.index >= FIRST_RESERVED_GDT_ENTRY,
    };
  });
  const kgs = (cpu.kernelGsBaseHi | 0) * 2 ** 32 + (cpu.kernelGsBaseLo >>> 0);
  return { segments, fsBase: h(cpu.segBase[FS]), gsBase: h(cpu.segBase[GS]), kernelGsBase: h(kgs), cpl: cpu.cpl, mode: cpu.mode };
}

export interface DescriptorRow {
  index: number; selector: string; raw: string; type: string; base: string; limit: string; dpl: number;
  present: boolean; flags: string[]; reserved: boolean; name?: string; summary: string;
}

function descriptorRow(index: number, ti: number, lo: number, hi: number, longMode: boolean, reserved: boolean, name?: string): DescriptorRow {
  const d = new SegmentDescriptor(lo, hi);
  const flags: string[] = [];
  if (d.s && d.isCode && d.long) flags.push('L');
  if (d.db) flags.push(d.isCode ? 'D' : 'B');
  if (d.granularity) flags.push('G');
  if (d.avl) flags.push('AVL');
  if (d.isAccessed) flags.push('A');
  return {
    index, selector: `0x${((index << 3) | (ti << 2)).toString(16).padStart(4, '0')}`,
    raw: `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`,
    type: d.typeName(longMode), base: h32(d.base), limit: h32(d.limit), dpl: d.dpl, present: d.present, flags, reserved,
    ...(name ? { name } : {}), summary: d.toString(longMode),
  };
}

/** xen/gdt: the guest's GDT frames (set_gdt) and Xen's reserved entries (non-empty ones), read without side effects. */
export function gdtRows(m: XenDebugMachine, vcpu: number): { entries: number; frames: number[]; rows: DescriptorRow[] } {
  const v = m.vcpu(vcpu), src = v.descriptors, cpu = v.cpu;
  const longMode = (cpu.efer & (1 << 10)) !== 0;
  const rows: DescriptorRow[] = [];
  for (let i = 0; i < src.gdtEntries && rows.length < 8192; i++) {
    const pa = src.gdtFrames[i >> 9] * 4096 + (i & 511) * 8;
    const lo = cpu.mem.read32(pa) | 0, hi = cpu.mem.read32(pa + 4) | 0;
    if (lo === 0 && hi === 0) continue;
    rows.push(descriptorRow(i, 0, lo, hi, longMode, false));
  }
  const names = new Map((m.kind === 'pv64' ? PV64_RESERVED_GDT : PV32_RESERVED_GDT).map((e) => [e.sel >> 3, e.name]));
  const n = src.reserved.length / 2;
  for (let k = 0; k < n; k++) {
    const lo = src.reserved[k * 2], hi = src.reserved[k * 2 + 1];
    if (lo === 0 && hi === 0) continue;
    const index = FIRST_RESERVED_GDT_ENTRY + k;
    rows.push(descriptorRow(index, 0, lo, hi, longMode, true, names.get(index)));
  }
  return { entries: src.gdtEntries, frames: [...src.gdtFrames], rows };
}

/** xen/ldt: the guest's LDT (MMUEXT_SET_LDT) through the guest's page tables. */
export function ldtRows(m: XenDebugMachine, vcpu: number): { base: string; entries: number; rows: DescriptorRow[]; unreadable?: string } {
  const v = m.vcpu(vcpu), src = v.descriptors, cpu = v.cpu;
  const longMode = (cpu.efer & (1 << 10)) !== 0;
  const count = Math.min(src.ldtEntries, 8192);
  const r = readLinear(cpu, src.ldtBase, count * 8);
  const dv = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  const rows: DescriptorRow[] = [];
  for (let i = 0; (i + 1) * 8 <= r.data.length; i++) {
    const lo = dv.getInt32(i * 8, true), hi = dv.getInt32(i * 8 + 4, true);
    if (lo !== 0 || hi !== 0) rows.push(descriptorRow(i, 1, lo, hi, longMode, false));
  }
  return { base: h(src.ldtBase), entries: src.ldtEntries, rows, ...(r.unreadable ? { unreadable: String(r.error ?? `${r.unreadable} bytes`) } : {}) };
}

export interface TrapRow { vector: number; name: string; handler: string; symbol?: string; cs: string; flags: number; dpl: number; clearsEvents: boolean; }

/** xen/trapTable: the registered trap_info entries (set_trap_table), handler address 0 = none. */
export function trapRows(m: XenDebugMachine, vcpu: number): TrapRow[] {
  return m.vcpu(vcpu).trapCtxt.filter((t) => t.address !== 0).map((t) => {
    const sym = m.symbolize(t.address);
    return {
      vector: t.vector, name: VECTOR_NAMES[t.vector] ?? `int 0x${t.vector.toString(16)}`, handler: h(t.address), ...(sym ? { symbol: sym } : {}),
      cs: `0x${t.cs.toString(16).padStart(4, '0')}`, flags: t.flags, dpl: t.flags & 3, clearsEvents: (t.flags & 4) !== 0,
    };
  });
}

export interface HypercallRow { seq: number; vcpu: number; rip: string; nr: number; name: string; args: string[]; decoded: string; result: number; resultText: string; diagnostic: string; text: string; }

/** xen/hypercallLog: the last `count` log records (default 100), oldest first. */
export function hypercallRows(m: XenDebugMachine, count = 100): { total: number; rows: HypercallRow[] } {
  const log = m.domain.hypercallLog;
  const rows = log.slice(Math.max(0, log.length - count)).map((e) => ({
    seq: e.seq, vcpu: e.vcpu, rip: h(e.rip), nr: e.nr, name: e.name, args: e.args.map((a) => `0x${Math.trunc(a).toString(16)}`),
    decoded: e.decoded, result: e.result, resultText: e.resultText, diagnostic: e.diagnostic, text: describeHypercall(exitEvent(e)),
  }));
  return { total: m.domain.hypercallCount, rows };
}

/** xen/pageWalk (also works on the bare machine): per-level entries for a linear address. */
export function pageWalk(cpu: Cpu, address: number): { address: string; mode: string; cr3: string; levels: object[]; machineAddress?: string; stop?: string; writable?: boolean; user?: boolean; nx?: boolean; pageSize?: number } {
  const res = probe(cpu.mem, cpu, address);
  const levels = res.levels.map((l) => {
    const entry = (BigInt(l.entryHi >>> 0) << 32n) | BigInt(l.entryLo >>> 0);
    const bits = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', 'PS', 'G'].filter((_, b) => ((l.entryLo >>> b) & 1) === 1);
    if (l.entryHi < 0) bits.push('NX');
    return { level: l.level, name: l.name, table: h(l.tableAddr), index: l.index, entry: `0x${entry.toString(16)}`, frame: h(Number((entry & 0x000ffffffffff000n))), flags: bits, present: l.present, leaf: l.leaf };
  });
  const out: ReturnType<typeof pageWalk> = { address: h(address), mode: pagingMode(cpu), cr3: h(cpu.cr3), levels };
  if (res.translation && res.phys !== undefined) {
    Object.assign(out, { machineAddress: h(res.phys), writable: res.translation.writable, user: res.translation.user, nx: res.translation.nx, pageSize: res.translation.pageSize });
  } else out.stop = res.stop ?? 'not mapped';
  return out;
}

/** xen/domain: lifecycle, memory, vCPUs (mode, blocked, online, runstate, timers), virtual time, xenstore, grant frames, image facts. */
export function domainInfo(m: XenDebugMachine): Record<string, unknown> {
  const d = m.domain, img = d.image;
  return {
    kind: d.kind, state: d.state,
    shutdownReason: d.shutdownReason === null ? null : SHUTDOWN_NAMES[d.shutdownReason] ?? String(d.shutdownReason),
    shutdownCode: d.shutdownCode === null ? null : SHUTDOWN_NAMES[d.shutdownCode] ?? String(d.shutdownCode),
    crashDiagnostic: d.crashDiagnostic || null,
    pages: img.nrPages, memoryMiB: img.nrPages / 256, xenFrames: img.xenFrames, vcpus: d.vcpus.length,
    vcpuStates: d.vcpus.map((v) => ({ id: v.id, mode: v.guestKernelMode() ? 'kernel' : 'user', blocked: v.blocked, instructions: v.cpu.icount, ...vcpuEventState(v) })),
    ...domainEventState(d),
    hypercalls: d.hypercallCount, bounces: d.bounceLog.length, cmdline: img.cmdline,
    guestOs: img.params.guestOs, entry: h(img.params.entry), virtBase: h(img.virtBase),
    hypercallPage: img.params.hypercallPage === null ? null : h(img.params.hypercallPage),
    startInfo: h(img.startInfoVa), sharedInfoMfn: img.sharedInfoMfn, consoleMfn: img.consoleMfn, storeMfn: img.storeMfn,
    ptBase: h(img.ptBaseVa), rootMfn: img.rootMfn, bootStackTop: h(img.bootStackTop), features: img.params.features,
  };
}
