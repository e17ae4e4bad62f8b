// Protected-mode segment-register loads with the SDM checks (Vol 3 5.4-5.8 and the MOV/POP/LDS pages),
// and the shared helpers far transfers use: checked descriptor fetch, CS/SS loads, outer-level invalidation.

import type { Cpu } from '../cpu';
import { CpuFault, GP, NP, SS as SS_FAULT } from '../fault';
import { CS, SS, DS, ES, FS, GS, ATTR_DPL, ATTR_P, ATTR_S, ATTR_DB } from '../state';
import { CR0_PE, EFER_LMA } from '../mmu/paging';
import { readDescriptor, markAccessed } from '../mmu/descriptor-tables';
import { TWO32 } from '../../common/bits';

// High-dword descriptor bits used by the checks below.
export const D_ACCESSED = 0x100, D_WRITABLE_READABLE = 0x200, D_CONFORMING_EXPDOWN = 0x400, D_CODE = 0x800;
export const D_S = 0x1000, D_P = 0x8000, D_L = 0x200000, D_DB = 0x400000;

export const dplOfHi = (hi: number): number => (hi >>> 13) & 3;
export const isCodeHi = (hi: number): boolean => (hi & (D_S | D_CODE)) === (D_S | D_CODE);
export const isDataHi = (hi: number): boolean => (hi & (D_S | D_CODE)) === D_S;
export const isConformingCodeHi = (hi: number): boolean => isCodeHi(hi) && (hi & D_CONFORMING_EXPDOWN) !== 0;
/** IA-32e: code segment with L=1 and D=1 (reserved combination). */
export const isLongAndDefault32 = (hi: number): boolean => (hi & (D_L | D_DB)) === (D_L | D_DB);
export const isLongMode = (cpu: Cpu): boolean => (cpu.efer & EFER_LMA) !== 0;
/** True when a code descriptor loaded in IA-32e mode makes the CPU run 64-bit code. */
export const targetIs64 = (cpu: Cpu, hi: number): boolean => isLongMode(cpu) && (hi & D_L) !== 0;

export const gpSel = (sel: number): CpuFault => new CpuFault(GP, sel & 0xfffc);
export const npSel = (sel: number): CpuFault => new CpuFault(NP, sel & 0xfffc);
export const ssSel = (sel: number): CpuFault => new CpuFault(SS_FAULT, sel & 0xfffc);

/** Fetch the descriptor of a non-null selector into out[0..1]; index beyond the table → CpuFault(vector, sel). */
export function fetchDescriptor(cpu: Cpu, sel: number, out: Int32Array, vector = GP): void {
  if (!readDescriptor(cpu, sel, out)) throw new CpuFault(vector, sel & 0xfffc);
}

const scratch = new Int32Array(4);

/** Load a null selector into a data segment register (unusable; 64-bit FS/GS bases become 0, as on Intel). */
export function loadNullSegment(cpu: Cpu, seg: number, sel: number): void {
  cpu.setSegment(seg, sel & 0xffff, 0, 0, 0, false);
}

/**
 * MOV/POP/LDS-family load of ES, SS, DS, FS or GS (SDM MOV operation). All checks and the
 * accessed-bit update happen before the segment cache changes. Real mode: base = sel * 16.
 */
export function loadSegment(cpu: Cpu, seg: number, selector: number): void {
  const sel = selector & 0xffff;
  if (!(cpu.cr0 & CR0_PE)) {
    cpu.setSegment(seg, sel, sel * 16, cpu.segLimit[seg], cpu.segAttr[seg] | ATTR_P | ATTR_S, true);
    return;
  }
  const cpl = cpu.cpl, rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    if (seg === SS) {
      // 64-bit mode allows a null SS at CPL 0..2 when RPL == CPL (used by interrupt/syscall stacks).
      if (cpu.mode !== 64 || cpl === 3 || rpl !== cpl) throw new CpuFault(GP, 0);
      cpu.setSegment(SS, sel, 0, 0xffffffff, (cpl << 5) | ATTR_DB, false);
      return;
    }
    loadNullSegment(cpu, seg, sel);
    return;
  }
  const d = scratch;
  fetchDescriptor(cpu, sel, d);
  const hi = d[1], dpl = dplOfHi(hi);
  if (seg === SS) {
    if (rpl !== cpl || !isDataHi(hi) || (hi & D_WRITABLE_READABLE) === 0 || dpl !== cpl) throw gpSel(sel);
    if (!(hi & D_P)) throw ssSel(sel);
  } else {
    if (!(hi & D_S) || (isCodeHi(hi) && !(hi & D_WRITABLE_READABLE))) throw gpSel(sel);
    if (!isConformingCodeHi(hi) && (rpl > dpl || cpl > dpl)) throw gpSel(sel);
    if (!(hi & D_P)) throw npSel(sel);
  }
  cpu.setSegmentFromDescriptor(seg, sel, d[0], touchAccessed(cpu, sel, hi));
}

/**
 * Checks on the SS selector popped by RETF/IRET when returning to privilege level `rpl` (the new CS RPL).
 * Leaves the descriptor in out. `allowNull`: IA-32e return to 64-bit code at RPL < 3.
 * Returns false when the (allowed) selector is null.
 */
export function checkReturnStack(cpu: Cpu, sel: number, rpl: number, out: Int32Array, allowNull: boolean): boolean {
  if ((sel & 0xfffc) === 0) {
    if (allowNull && rpl !== 3 && (sel & 3) === rpl) return false;
    throw new CpuFault(GP, 0);
  }
  fetchDescriptor(cpu, sel, out);
  const hi = out[1];
  if ((sel & 3) !== rpl || !isDataHi(hi) || !(hi & D_WRITABLE_READABLE) || dplOfHi(hi) !== rpl) throw gpSel(sel);
  if (!(hi & D_P)) throw ssSel(sel);
  return true;
}

/** Set the accessed bit of a checked code/data descriptor (may #PF); returns hi with the bit set. */
export function touchAccessed(cpu: Cpu, sel: number, hi: number): number {
  if (!(hi & D_ACCESSED)) markAccessed(cpu, sel);
  return hi | D_ACCESSED;
}

/** Load CS from a checked descriptor (RPL forced to `cpl`), switching CPL first. Call touchAccessed before. */
export function commitCs(cpu: Cpu, sel: number, lo: number, hi: number, cpl: number): void {
  if (cpl !== cpu.cpl) cpu.setCpl(cpl);
  cpu.setSegmentFromDescriptor(CS, (sel & 0xfffc) | cpl, lo, hi | D_ACCESSED);
}

/** Load SS from a checked descriptor, or a null SS with RPL = cpl (IA-32e). Call touchAccessed before. */
export function commitSs(cpu: Cpu, sel: number, lo: number, hi: number, isNull: boolean, cpl: number): void {
  if (isNull) { cpu.setSegment(SS, (sel & 0xfffc) | cpl, 0, 0xffffffff, (cpl << 5) | ATTR_DB, false); return; }
  cpu.setSegmentFromDescriptor(SS, sel, lo, hi | D_ACCESSED);
}

/**
 * After a return to an outer privilege level: ES, DS, FS, GS holding data or non-conforming code
 * segments with DPL < CPL become null (selector 0, unusable; the base is kept).
 */
export function invalidateOuterSegments(cpu: Cpu): void {
  const cpl = cpu.cpl;
  for (const seg of [ES, DS, FS, GS]) {
    if (cpu.segValid[seg] === 0) continue;
    const attr = cpu.segAttr[seg];
    const conformingCode = (attr & 0x1c) === 0x1c;
    if (!conformingCode && ((attr & ATTR_DPL) >> 5) < cpl) {
      const base = cpu.segBase[seg], bLo = cpu.segBaseLo[seg], bHi = cpu.segBaseHi[seg];
      cpu.setSegment(seg, 0, base, 0, 0, false);
      cpu.segBaseLo[seg] = bLo; cpu.segBaseHi[seg] = bHi;
    }
  }
}

/**
 * Validate a far-transfer target offset against the new code segment: 64-bit targets must be canonical,
 * others within the limit. Returns the new RIP (signed canonical number or unsigned 32-bit offset).
 * offHi is the high half for 64-bit offsets (0 otherwise).
 */
export function checkTargetRip(cpu: Cpu, descLo: number, descHi: number, offLo: number, offHi: number): number {
  if (targetIs64(cpu, descHi)) {
    if (((offHi << 16) >> 16) !== offHi) throw new CpuFault(GP, 0);
    return (offHi | 0) * TWO32 + (offLo >>> 0);
  }
  let limit = (descLo & 0xffff) | (descHi & 0xf0000);
  if (descHi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
  const off = offLo >>> 0;
  if (off > limit) throw new CpuFault(GP, 0);
  return off;
}

/** Stack-segment bounds check for a descriptor not yet loaded (new stack of a call gate). */
export function stackDescLinear(descLo: number, descHi: number, off: number, size: number, errSel: number): number {
  let limit = (descLo & 0xffff) | (descHi & 0xf0000);
  if (descHi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
  const base = ((descLo >>> 16) | ((descHi & 0xff) << 16) | (descHi & 0xff000000)) >>> 0;
  const last = off + size - 1;
  if (descHi & D_CONFORMING_EXPDOWN) {
    const upper = (descHi & D_DB) ? 0xffffffff : 0xffff;
    if (off <= limit || last > upper) throw ssSel(errSel);
  } else if (last > limit) throw ssSel(errSel);
  return (base + off) >>> 0;
}
