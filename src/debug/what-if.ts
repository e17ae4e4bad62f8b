// "What if" answers (xen/whatIf, REPL `whatif`): would Xen accept this page-table entry or descriptor? Runs Xen's own
// code (doMmuUpdate -> modLnEntry -> getPageFromLne, checkDescriptor + the update_descriptor refs) on a scratch mm copy.

import type { Cpu } from '../cpu/cpu';
import { probe } from '../cpu/mmu/paging';
import type { XenDebugMachine } from './xen-machine';
import { cloneMm } from './scratch-mm';
import {
  MmState, MmDomain, doMmuUpdate, checkDescriptor, guestKernelRpl, getPage, getPageType, PGT_NAMES, PGT_validated,
  PGT_l1_page_table, PGT_l4_page_table, PGT_seg_desc_page, PGT_writable_page, PGT_pinned,
  l1DisallowMask, l2DisallowMask, l3DisallowMask, l4DisallowMask, pteFlags, pteMfn, MmDiagnostic,
} from '../xen/mm';
import { ERRNO_NAMES, EINVAL } from '../xen/public/errno';
import { FIRST_RESERVED_GDT_ENTRY } from '../xen/public/arch-x86';
import { MMU_NORMAL_PT_UPDATE } from '../xen/public/xen';
import { intArg } from './xen-frames';

export interface WhatIfResult {
  accepted: boolean;
  errno?: string;
  rule?: string;
  message: string;
  explanation: string[];
}

const hx = (v: number): string => `0x${v.toString(16)}`;
const errnoName = (rc: number): string => `-${ERRNO_NAMES[-rc] ?? `E${-rc}`}`;

/** A "0x…" (or decimal) 64-bit value as 32-bit halves. */
export function parseValue64(v: unknown, what = 'value'): { lo: number; hi: number; text: string } {
  if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`${what} must be a "0x…" string (64-bit), got ${JSON.stringify(v)}`);
  const s = String(v).trim().replace(/_/g, '');
  if (!/^(0[xX][0-9a-fA-F]{1,16}|\d{1,20})$/.test(s)) throw new Error(`${what} must be a 64-bit number like "0x8000000012345067", got ${JSON.stringify(v)}`);
  const b = BigInt(s);
  if (b >= 1n << 64n) throw new Error(`${what} ${s} does not fit in 64 bits`);
  const lo = Number(b & 0xffffffffn), hi = Number(b >> 32n);
  return { lo, hi, text: `0x${b.toString(16).padStart(16, '0')}` };
}

interface Check { rules: string[]; text: string; /** Only a diagnostic whose targetMfn is this frame. */ about?: number; }

/** Lay out the checks in order: ok up to the one that failed (by rule), which carries Xen's message. */
function explain(checks: Check[], diag: MmDiagnostic | undefined, rc: number): string[] {
  if (rc === 0) return checks.map((c) => `ok: ${c.text}`);
  const out: string[] = [];
  const rule = diag?.rule;
  const k = rule ? checks.findIndex((c) => c.rules.includes(rule) && (c.about === undefined || diag?.targetMfn === c.about)) : -1;
  const fail = `FAILED (${rule ?? 'rejected'}, ${errnoName(rc)}): ${diag?.message ?? 'rejected'}`;
  if (k < 0) return [fail];
  for (let i = 0; i < k; i++) out.push(`ok: ${checks[i].text}`);
  out.push(`${fail} [check: ${checks[k].text}]`);
  return out;
}

function levelMask(mm: MmState, d: MmDomain, level: number): number {
  switch (level) {
    case 1: return l1DisallowMask(mm.nx);
    case 2: return l2DisallowMask(mm.nx);
    case 3: return l3DisallowMask(mm.nx, d.kind, mm.paeL3Strict);
    default: return l4DisallowMask(mm.nx);
  }
}

/** The checks mod_lN_entry applies to (lo, hi) in table `tableMfn`, described against the live state. */
function pteChecks(mm: MmState, d: MmDomain, tableMfn: number, index: number, tableLevel: number, lo: number, hi: number): Check[] {
  const f = mm.frames;
  const checks: Check[] = [
    { rules: ['not-owned', 'foreign-domain'], about: tableMfn, text: `table mfn ${hx(tableMfn)} (pfn ${hx(mm.pfnOf(tableMfn))}) belongs to d${d.domid}` },
  ];
  if (tableLevel === 0) {
    checks.push({ rules: ['not-a-page-table', 'type-conflict'], text: `mfn ${hx(tableMfn)} is not a validated page table (type ${PGT_NAMES[f.type[tableMfn]]}): Xen writes the value as ordinary data under a writable_page type ref` });
    return checks;
  }
  checks.push({ rules: ['not-a-page-table'], text: `table is a validated ${PGT_NAMES[f.type[tableMfn]]} (type count ${f.typeCount[tableMfn]}${f.typeFlags[tableMfn] & PGT_pinned ? ', pinned' : ''})` });
  checks.push({ rules: ['xen-slot', 'pae-l2-shared'], text: `slot ${index} is a guest slot (not one of Xen's)` });
  if (!(lo & 1)) { checks.push({ rules: [], text: 'entry not present: no references needed' }); return checks; }
  const flags = pteFlags(lo, hi), mask = levelMask(mm, d, tableLevel);
  checks.push({ rules: [`bad-l${tableLevel}-flags`, 'pae-l3'], text: `flags 0x${flags.toString(16)} avoid the L${tableLevel} disallow mask 0x${mask.toString(16)}` });
  const target = pteMfn(lo, hi);
  checks.push({ rules: ['mmio'], text: `target mfn ${hx(target)} is RAM (< 0x${f.nr.toString(16)} frames)` });
  const tOwner = f.valid(target) && f.count[target] ? `d${f.owner[target]}` : 'nobody';
  checks.push({ rules: ['not-owned'], about: target, text: `target mfn ${hx(target)} is owned by d${d.domid} (it is owned by ${tOwner})` });
  const tType = f.valid(target) ? `${PGT_NAMES[f.type[target]]}, type count ${f.typeCount[target]}` : 'none';
  if (tableLevel === 1) {
    if (flags & 2) checks.push({ rules: ['writable-pt-mapping', 'type-conflict', 'type-overflow'], text: `writable mapping: target can take a writable_page type ref (now ${tType})` });
    else checks.push({ rules: [], text: 'read-only mapping: only a general reference on the target' });
  } else {
    checks.push({ rules: ['type-conflict', 'type-overflow', 'linear-pt', 'bad-l1-flags', 'bad-l2-flags', 'bad-l3-flags', 'writable-pt-mapping'],
      text: `target can be typed and validated as ${PGT_NAMES[tableLevel - 1]} (now ${tType}), or is a permitted linear page table` });
  }
  return checks;
}

/** The level-`level` table (mfn, index) on the page walk of `address`, or a reason. */
function tableOnWalk(cpu: Cpu, address: number, level: number): { mfn: number; index: number } | string {
  const res = probe(cpu.mem, cpu, address);
  const l = res.levels.find((x) => x.level === level);
  if (!l) return `the page walk of 0x${address.toString(16)} does not reach an L${level} table (${res.stop ?? 'large page above it'})`;
  return { mfn: Math.floor(l.tableAddr / 4096), index: l.index };
}

/** A plain "0x…" literal as the CPU's address number (canonical negative form above 2^63); else undefined. */
function literalAddress(s: string): number | undefined {
  if (!/^\s*0[xX][0-9a-fA-F]{1,16}\s*$/.test(s)) return undefined;
  const u = BigInt(s.trim());
  return u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u);
}

export interface WhatIfPteArgs { level: unknown; value: unknown; tableMfn?: unknown; index?: unknown; address?: unknown; }

/** kind 'pte': what mmu_update(MMU_NORMAL_PT_UPDATE) of `value` into (table, index) would return. */
export function whatIfPte(m: XenDebugMachine, vcpu: number, a: WhatIfPteArgs, addressOf: (e: string) => number): WhatIfResult {
  const d = m.domain, real = d.mm;
  const maxLevel = d.kind === 'pv64' ? 4 : 3;
  const level = a.level;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > maxLevel) throw new Error(`level must be 1..${maxLevel} for a ${d.kind} guest, got ${JSON.stringify(level)}`);
  const { lo, hi, text } = parseValue64(a.value);
  let tableMfn: number | undefined = a.tableMfn === undefined ? undefined : intArg(a.tableMfn, 'tableMfn');
  let index: number | undefined = a.index === undefined ? undefined : intArg(a.index, 'index', 511);
  if (tableMfn === undefined || index === undefined) {
    if (a.address === undefined) throw new Error(tableMfn === undefined ? 'what-if needs tableMfn (and index) or an address whose walk gives the table' : 'what-if needs index (or an address) with tableMfn');
    if (typeof a.address !== 'string' && typeof a.address !== 'number') throw new Error('address must be a "0x…" string or an expression');
    const addr = typeof a.address === 'number' ? a.address : literalAddress(a.address) ?? addressOf(a.address);
    const t = tableOnWalk(m.vcpus[vcpu], addr, level);
    if (typeof t === 'string') throw new Error(t);
    if (tableMfn === undefined) tableMfn = t.mfn;
    if (index === undefined) index = t.index;
  }
  if (!real.frames.valid(tableMfn)) throw new Error(`tableMfn 0x${tableMfn.toString(16)} is outside machine memory`);
  const f = real.frames;
  const validatedTable = f.typeCount[tableMfn] > 0 && (f.typeFlags[tableMfn] & PGT_validated) !== 0 &&
    f.type[tableMfn] >= PGT_l1_page_table && f.type[tableMfn] <= PGT_l4_page_table;
  const tableLevel = validatedTable ? f.type[tableMfn] : 0;
  const checks = pteChecks(real, d.mmDomain, tableMfn, index, tableLevel, lo, hi);
  const note = tableLevel !== 0 && tableLevel !== level ? [`note: mfn ${hx(tableMfn)} is an L${tableLevel} table, so Xen checks the entry as L${tableLevel} (you asked about L${level})`] : [];

  const scratch = cloneMm(real);
  const ptr = tableMfn * 4096 + index * 8;
  const req = { ptrLo: (ptr % 2 ** 32) | MMU_NORMAL_PT_UPDATE, ptrHi: Math.floor(ptr / 2 ** 32), valLo: lo, valHi: hi };
  const r = doMmuUpdate(scratch.mm, scratch.vcpu(d.domid, vcpu), [req]);
  const explanation = [...note, ...explain(checks, r.diag, r.rc)];
  const where = `L${tableLevel || level} mfn ${hx(tableMfn)}[${index}]`;
  if (r.rc === 0) {
    const slo = scratch.mem.read32(ptr), shi = scratch.mem.read32(ptr + 4);
    const stored = `0x${(shi >>> 0).toString(16).padStart(8, '0')}${(slo >>> 0).toString(16).padStart(8, '0')}`;
    const how = tableLevel === 0 ? 'as an ordinary write' : stored === text ? 'unchanged' : `as ${stored} (Xen's adjustments applied)`;
    return { accepted: true, message: `Xen would accept ${text} into ${where}, stored ${how}`, explanation };
  }
  return { accepted: false, errno: errnoName(r.rc), rule: r.diag?.rule ?? 'rejected', message: r.diag?.message ?? `mmu_update would fail with ${errnoName(r.rc)}`, explanation };
}

/** checkDescriptor's steps for (lo, hi), in order, for the explanation. */
function descriptorSteps(kind: MmDomain['kind'], lo: number, hi: number, reason: string | undefined): string[] {
  const b = hi >>> 0;
  const steps: string[] = [];
  if (!(b & 0x8000)) return ['ok: not present (Xen accepts any not-present descriptor)'];
  const dpl = (b >>> 13) & 3, rpl = guestKernelRpl(kind);
  steps.push(`ok: present, DPL ${dpl}${dpl < rpl ? ` raised to the guest kernel's ring ${rpl}` : ''}`);
  if (b & 0x1000) steps.push(reason ? `FAILED: code/data segment: ${reason}` : `ok: code/data segment${kind === 'pv32pae' ? ' without the L bit' : ''}`);
  else if ((b & 0xf00) === 0) steps.push('ok: system type 0 (upper half of a 64-bit gate)');
  else if (reason) steps.push(`FAILED: ${reason}`);
  else steps.push(`ok: call gate to selector 0x${(lo >>> 16).toString(16).padStart(4, '0')} (allowed), reserved bits clear`);
  return steps;
}

export interface WhatIfDescArgs { value: unknown; table?: unknown; index?: unknown; }

/** kind 'descriptor': what update_descriptor of `value` (into GDT/LDT entry `index` when given) would return. */
export function whatIfDescriptor(m: XenDebugMachine, vcpu: number, a: WhatIfDescArgs): WhatIfResult {
  const d = m.domain, real = d.mm;
  const { lo, hi, text } = parseValue64(a.value);
  const table = a.table ?? 'gdt';
  if (table !== 'gdt' && table !== 'ldt') throw new Error(`table must be "gdt" or "ldt", got ${JSON.stringify(a.table)}`);
  const chk = checkDescriptor(d.kind, lo, hi);
  const explanation = descriptorSteps(d.kind, lo, hi, chk.ok ? undefined : chk.reason);
  const stored = `0x${(chk.hi >>> 0).toString(16).padStart(8, '0')}${(chk.lo >>> 0).toString(16).padStart(8, '0')}`;
  if (!chk.ok) {
    return { accepted: false, errno: errnoName(-EINVAL), rule: 'bad-descriptor', message: `Bad descriptor ${text}: ${chk.reason}`, explanation };
  }
  if (a.index === undefined) {
    return { accepted: true, message: `check_descriptor accepts ${text}${stored !== text ? `, stored as ${stored}` : ''}`, explanation };
  }
  // update_descriptor on the frame holding that entry: a general ref, and a seg_desc (or writable) type ref.
  const v = m.vcpu(vcpu);
  const index = intArg(a.index, 'index', 8191);
  let maddr: number;
  if (table === 'gdt') {
    if (index >= FIRST_RESERVED_GDT_ENTRY) throw new Error(`GDT entry 0x${index.toString(16)} is Xen's (reserved from 0x${FIRST_RESERVED_GDT_ENTRY.toString(16)})`);
    if (index >= v.descriptors.gdtEntries) throw new Error(`the GDT has ${v.descriptors.gdtEntries} entries (set_gdt), no entry ${index}`);
    maddr = v.descriptors.gdtFrames[index >> 9] * 4096 + (index & 511) * 8;
  } else {
    if (index >= v.descriptors.ldtEntries) throw new Error(`the LDT has ${v.descriptors.ldtEntries} entries (MMUEXT_SET_LDT), no entry ${index}`);
    const p = probe(v.cpu.mem, v.cpu, v.descriptors.ldtBase + index * 8);
    if (p.phys === undefined) throw new Error(`LDT entry ${index} is not mapped (${p.stop ?? 'not present'})`);
    maddr = p.phys;
  }
  const mfn = Math.floor(maddr / 4096);
  const scratch = cloneMm(real);
  const smm = scratch.mm, sd = scratch.domain(d.domid);
  const mark = smm.diag.mark();
  explanation.push(`ok: entry ${index} of the ${table.toUpperCase()} is at maddr ${hx(maddr)} (mfn ${hx(mfn)})`);
  let rc = 0;
  if (!getPage(smm, mfn, sd)) rc = -EINVAL;
  else {
    const type = smm.frames.type[mfn] === PGT_seg_desc_page && smm.frames.typeCount[mfn] > 0 ? PGT_seg_desc_page : PGT_writable_page;
    if (getPageType(smm, mfn, type) !== 0) rc = -EINVAL;
  }
  if (rc !== 0) {
    const dg = smm.diag.firstSince(mark);
    explanation.push(`FAILED (${dg?.rule ?? 'rejected'}, -EINVAL): ${dg?.message ?? 'frame refused'}`);
    return { accepted: false, errno: errnoName(rc), rule: dg?.rule ?? 'rejected', message: dg?.message ?? 'update_descriptor would fail', explanation };
  }
  explanation.push(`ok: mfn ${hx(mfn)} belongs to d${d.domid} and takes a ${PGT_NAMES[smm.frames.type[mfn]]} type reference`);
  return { accepted: true, message: `Xen would accept ${text} into ${table.toUpperCase()} entry ${index}${stored !== text ? `, stored as ${stored}` : ''}`, explanation };
}

/** xen/whatIf dispatch on `kind`. */
export function whatIf(m: XenDebugMachine, vcpu: number, args: Record<string, unknown>, addressOf: (e: string) => number): WhatIfResult {
  if (args.kind === 'pte') return whatIfPte(m, vcpu, args as unknown as WhatIfPteArgs, addressOf);
  if (args.kind === 'descriptor') return whatIfDescriptor(m, vcpu, args as unknown as WhatIfDescArgs);
  throw new Error(`xen/whatIf kind must be "pte" or "descriptor", got ${JSON.stringify(args.kind)}`);
}

/** The REPL form: `whatif pte <level> <value> [index] [at <address>]`, `whatif desc <value> [gdt|ldt <index>]`. */
export function whatIfCommand(m: XenDebugMachine, vcpu: number, rest: string, addressOf: (e: string) => number, rip: number): string {
  const usage = 'usage: whatif pte <level> <value> [index] [at <address>]   |   whatif desc <value> [gdt|ldt <index>]';
  const t = rest.trim();
  let r: WhatIfResult;
  let mm = /^pte\s+(\d)\s+(\S+)(?:\s+(\d+|0[xX][0-9a-fA-F]+))?(?:\s+at\s+(.+))?$/.exec(t);
  if (mm) {
    r = whatIfPte(m, vcpu, { level: Number(mm[1]), value: mm[2], index: mm[3], address: mm[4] ?? rip }, addressOf);
  } else if ((mm = /^desc(?:riptor)?\s+(\S+)(?:\s+(gdt|ldt)\s+(\d+|0[xX][0-9a-fA-F]+))?$/.exec(t))) {
    r = whatIfDescriptor(m, vcpu, { value: mm[1], table: mm[2], index: mm[3] });
  } else throw new Error(usage);
  return [`${r.accepted ? 'accepted' : `rejected: ${r.errno} (${r.rule})`}: ${r.message}`, ...r.explanation.map((e) => `  ${e}`)].join('\n');
}

