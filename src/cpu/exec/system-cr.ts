// Privileged system-register instructions: MOV to/from CRn and DRn, CLTS, LMSW/SMSW, LGDT/LIDT/SGDT/SIDT,
// LLDT/LTR/SLDT/STR, INVLPG, HLT, INVD/WBINVD. Privileged forms raise #GP(0) at CPL > 0 (Xen emulates or
// rejects them from its #GP handler); the store forms honour CR4.UMIP.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP, NP, UD } from '../fault';
import { LDTR, TR, CS, ATTR_L } from '../state';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LME, EFER_LMA, MAXPHYADDR } from '../mmu/paging';
import { readDescriptor, readDescriptor16, markBusy } from '../mmu/descriptor-tables';
import { TWO32, isCanonicalHi } from '../../common/bits';
import { gpSel } from './segments-load';

export const CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4, CR0_NE = 1 << 5;
export const CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30;
/** CR0 bits that hold state; other bits in 31:0 are reserved and ignored on writes. */
export const CR0_VALID = (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG) >>> 0;
export const CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PCE = 1 << 8, CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10;
export const CR4_UMIP = 1 << 11, CR4_FSGSBASE = 1 << 16, CR4_OSXSAVE = 1 << 18;
/**
 * CR4 bits software may set: TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT UMIP FSGSBASE SMEP SMAP.
 * Not supported (writing 1 → #GP(0)): VME, PVI, VMXE, SMXE, PCIDE, OSXSAVE (no XSAVE advertised), PKE, CET, LA57.
 */
export const CR4_VALID = 0x00310ffc;

const canonicalFail = (): CpuFault => new CpuFault(GP, 0);
const requireCpl0 = (cpu: Cpu): void => { if (cpu.cpl !== 0 && (cpu.cr0 & CR0_PE)) throw new CpuFault(GP, 0); };
/** UMIP: SGDT/SIDT/SLDT/STR/SMSW at CPL > 0 raise #GP(0). */
const checkUmip = (cpu: Cpu): void => { if ((cpu.cr4 & CR4_UMIP) && cpu.cpl > 0) throw new CpuFault(GP, 0); };
/** Control registers that exist (CR8 only in 64-bit mode); others raise #UD. */
const crExists = (cpu: Cpu, n: number): boolean => n === 0 || n === 2 || n === 3 || n === 4 || (n === 8 && cpu.mode === 64);

/** Read control register n (must exist): returns the low half, high half in cpu.rhi. */
export function readCr(cpu: Cpu, n: number): number {
  let v: number;
  switch (n) {
    case 0: v = cpu.cr0 >>> 0; break;
    case 2: v = cpu.cr2; break;
    case 3: v = cpu.cr3; break;
    case 4: v = cpu.cr4 >>> 0; break;
    default: v = cpu.cr8; break;
  }
  cpu.rhi = Math.floor(v / TWO32) | 0;
  return v % TWO32 | 0;
}

/** MOV to CRn semantics at CPL 0: validates (#GP(0)) before changing anything; updates mode and TLB. */
export function writeCr(cpu: Cpu, n: number, lo: number, hi: number): void {
  switch (n) {
    case 0: {
      if (hi !== 0) throw new CpuFault(GP, 0);
      const v = ((lo & CR0_VALID) | CR0_ET) >>> 0;
      if ((v & CR0_PG) && !(v & CR0_PE)) throw new CpuFault(GP, 0);
      if ((v & CR0_NW) && !(v & CR0_CD)) throw new CpuFault(GP, 0);
      const old = cpu.cr0 >>> 0;
      let efer = cpu.efer;
      if ((v & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        // Activating IA-32e mode needs PAE and a non-64-bit CS.
        if (!(cpu.cr4 & CR4_PAE) || (cpu.segAttr[CS] & ATTR_L)) throw new CpuFault(GP, 0);
        efer |= EFER_LMA;
      } else if (!(v & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        if (cpu.mode === 64) throw new CpuFault(GP, 0);
        efer &= ~EFER_LMA;
      }
      cpu.cr0 = v;
      cpu.efer = efer;
      if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) cpu.flushTlb();
      cpu.updateMode();
      return;
    }
    case 2: cpu.cr2 = cpu.mode === 64 ? (hi | 0) * TWO32 + (lo >>> 0) : lo >>> 0; return;
    case 3: {
      // No PCIDE: bits 63:MAXPHYADDR are reserved; the low 12 bits other than PWT/PCD are ignored.
      if (cpu.mode === 64 && (hi >>> 0) >= 2 ** (MAXPHYADDR - 32)) throw new CpuFault(GP, 0);
      cpu.cr3 = cpu.mode === 64 ? (hi >>> 0) * TWO32 + (lo >>> 0) : lo >>> 0;
      cpu.flushTlb();
      return;
    }
    case 4: {
      if (hi !== 0 || (lo & ~CR4_VALID) !== 0) throw new CpuFault(GP, 0);
      if ((cpu.efer & EFER_LMA) && !(lo & CR4_PAE)) throw new CpuFault(GP, 0);
      cpu.cr4 = lo >>> 0;
      cpu.flushTlb();
      return;
    }
    default:
      if (hi !== 0 || (lo & ~0xf) !== 0) throw new CpuFault(GP, 0);
      cpu.cr8 = lo;
  }
}

const movToCr = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  if (!crExists(cpu, i.reg)) throw new CpuFault(UD);
  requireCpl0(cpu);
  const lo = cpu.getReg32(i.rm), hi = size === 64 ? cpu.regs[(i.rm << 1) + 1] : 0;
  writeCr(cpu, i.reg, lo, hi);
};

const movFromCr = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  if (!crExists(cpu, i.reg)) throw new CpuFault(UD);
  requireCpl0(cpu);
  const lo = readCr(cpu, i.reg);
  if (size === 64) cpu.setReg64(i.rm, lo, cpu.rhi); else cpu.setReg32(i.rm, lo);
};

/** DR4/DR5 alias DR6/DR7 unless CR4.DE (then #UD); DR8+ do not exist. */
function drIndex(cpu: Cpu, n: number): number {
  if (n > 7) throw new CpuFault(UD);
  if (n === 4 || n === 5) {
    if (cpu.cr4 & CR4_DE) throw new CpuFault(UD);
    return n + 2;
  }
  return n;
}

const movToDr = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  const n = drIndex(cpu, i.reg);
  requireCpl0(cpu);
  const lo = cpu.getReg32(i.rm), hi = size === 64 ? cpu.regs[(i.rm << 1) + 1] : 0;
  if (n === 6 || n === 7) {
    if (hi !== 0) throw new CpuFault(GP, 0);
    cpu.dr[n] = n === 6 ? ((lo & 0x0000e00f) | 0xffff0ff0) >>> 0 : ((lo & 0xffff2bff) | 0x400) >>> 0;
  } else cpu.dr[n] = size === 64 ? (hi | 0) * TWO32 + (lo >>> 0) : lo >>> 0;
};

const movFromDr = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  const n = drIndex(cpu, i.reg);
  requireCpl0(cpu);
  const v = cpu.dr[n];
  if (size === 64) cpu.setReg64(i.rm, v % TWO32 | 0, Math.floor(v / TWO32) | 0); else cpu.setReg32(i.rm, v % TWO32 | 0);
};

// ---- descriptor-table registers ----

/** LGDT/LIDT: m16&24 (16-bit operand size), m16&32, m16&64 (64-bit mode); the base must be canonical. */
const loadTableReg = (idt: boolean, form: 16 | 32 | 64): Handler => (cpu: Cpu, i: Insn) => {
  if (!i.isMem) throw new CpuFault(UD);
  requireCpl0(cpu);
  const lin = cpu.linear(i, form === 64 ? 10 : 6, false);
  const limit = cpu.readLin16(lin);
  const at = (o: number): number => (cpu.mode === 64 ? lin + o : (lin + o) >>> 0);
  let base: number;
  if (form === 64) {
    const lo = cpu.readLin32(at(2)), hi = cpu.readLin32(at(6));
    if (!isCanonicalHi(hi)) throw canonicalFail();
    base = (hi | 0) * TWO32 + (lo >>> 0);
  } else {
    base = cpu.readLin32(at(2)) >>> 0;
    if (form === 16) base &= 0xffffff;
  }
  if (idt) { cpu.idtrBase = base; cpu.idtrLimit = limit; } else { cpu.gdtrBase = base; cpu.gdtrLimit = limit; }
};

/** SGDT/SIDT: limit then base (4 bytes; 8 in 64-bit mode). */
const storeTableReg = (idt: boolean, form: 16 | 32 | 64): Handler => (cpu: Cpu, i: Insn) => {
  if (!i.isMem) throw new CpuFault(UD);
  checkUmip(cpu);
  const base = idt ? cpu.idtrBase : cpu.gdtrBase, limit = idt ? cpu.idtrLimit : cpu.gdtrLimit;
  const lin = cpu.linear(i, form === 64 ? 10 : 6, true);
  const at = (o: number): number => (cpu.mode === 64 ? lin + o : (lin + o) >>> 0);
  // Check every byte is writable before storing (the access is one operand).
  cpu.writeLin8(at(form === 64 ? 9 : 5), form === 64 ? (Math.floor(base / TWO32) >>> 24) & 0xff : (base >>> 24) & 0xff);
  cpu.writeLin16(lin, limit);
  cpu.writeLin32(at(2), base % TWO32 | 0);
  if (form === 64) cpu.writeLin32(at(6), Math.floor(base / TWO32) | 0);
};

const ldtScratch = new Int32Array(4);

/** LLDT r/m16: null → LDTR unusable; otherwise a present LDT descriptor from the GDT. */
const lldt: Handler = (cpu: Cpu, i: Insn) => {
  if (!(cpu.cr0 & CR0_PE)) throw new CpuFault(UD);
  requireCpl0(cpu);
  const sel = cpu.readRM16(i);
  if ((sel & 0xfffc) === 0) { cpu.setSegment(LDTR, sel, 0, 0, 0, false); return; }
  const base = systemSegment(cpu, sel, (t) => t === 2);
  cpu.setSegmentFromDescriptor(LDTR, sel, ldtScratch[0], ldtScratch[1]);
  if (base !== null) fixBase64(cpu, LDTR, base);
};

/** LTR r/m16: an available TSS (16/32-bit; 64-bit in IA-32e mode) from the GDT; marks it busy. */
const ltr: Handler = (cpu: Cpu, i: Insn) => {
  if (!(cpu.cr0 & CR0_PE)) throw new CpuFault(UD);
  requireCpl0(cpu);
  const sel = cpu.readRM16(i);
  if ((sel & 0xfffc) === 0) throw new CpuFault(GP, 0);
  const long = (cpu.efer & EFER_LMA) !== 0;
  const base = systemSegment(cpu, sel, (t) => t === 9 || (!long && t === 1));
  markBusy(cpu, sel);
  cpu.setSegmentFromDescriptor(TR, sel, ldtScratch[0], ldtScratch[1] | 0x200);
  if (base !== null) fixBase64(cpu, TR, base);
};

/**
 * Fetch and check an LDT/TSS descriptor for LLDT/LTR into ldtScratch: GDT only, system type accepted by
 * `typeOk`, present; in IA-32e mode the 16-byte form with a canonical base (returned as a number, else null).
 */
function systemSegment(cpu: Cpu, sel: number, typeOk: (t: number) => boolean): number | null {
  if (sel & 4) throw gpSel(sel);
  const long = (cpu.efer & EFER_LMA) !== 0;
  if (!(long ? readDescriptor16(cpu, sel, ldtScratch) : readDescriptor(cpu, sel, ldtScratch))) throw gpSel(sel);
  const hi = ldtScratch[1];
  if ((hi & 0x1000) || !typeOk((hi >>> 8) & 0xf)) throw gpSel(sel);
  if (!(hi & 0x8000)) throw new CpuFault(NP, sel & 0xfffc);
  if (!long) return null;
  if (((ldtScratch[3] >>> 8) & 0x1f) !== 0 || !isCanonicalHi(ldtScratch[2])) throw gpSel(sel);
  const base32 = ((ldtScratch[0] >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  return (ldtScratch[2] | 0) * TWO32 + base32;
}

function fixBase64(cpu: Cpu, seg: number, base: number): void {
  cpu.segBase[seg] = base;
  cpu.segBaseLo[seg] = base % TWO32 | 0;
  cpu.segBaseHi[seg] = Math.floor(base / TWO32) | 0;
}

/** SLDT/STR/SMSW: memory stores 16 bits; registers get the value zero-extended at `size`. */
const storeWord = (size: number, get: (cpu: Cpu) => number, needsPm: boolean): Handler => (cpu: Cpu, i: Insn) => {
  if (needsPm && !(cpu.cr0 & CR0_PE)) throw new CpuFault(UD);
  checkUmip(cpu);
  const v = get(cpu);
  if (i.isMem) cpu.writeLin16(cpu.linear(i, 2, true), v);
  else if (size === 16) cpu.setReg16(i.rm, v);
  else if (size === 32) cpu.setReg32(i.rm, v);
  else cpu.setReg64(i.rm, v, 0);
};

/** LMSW: loads PE, MP, EM, TS from the source; cannot clear PE. */
const lmsw: Handler = (cpu: Cpu, i: Insn) => {
  requireCpl0(cpu);
  const src = cpu.readRM16(i);
  const old = cpu.cr0 >>> 0;
  const v = ((old & ~0xe) | (src & 0xf) | (old & CR0_PE)) >>> 0;
  cpu.cr0 = v;
  if ((old ^ v) & CR0_PE) { cpu.flushTlb(); cpu.updateMode(); }
};

const clts: Handler = (cpu: Cpu) => { requireCpl0(cpu); cpu.cr0 = (cpu.cr0 & ~CR0_TS) >>> 0; };

/** INVLPG m: drop the TLB entries for the page (a non-canonical address is a no-op, no fault). */
const invlpg: Handler = (cpu: Cpu, i: Insn) => {
  if (!i.isMem) throw new CpuFault(UD);
  requireCpl0(cpu);
  let lin: number;
  try { lin = cpu.linear(i, 1, false); } catch (e) {
    if (cpu.mode === 64 && e instanceof CpuFault && e.vector === GP) return;
    throw e;
  }
  cpu.flushTlbPage(lin);
};

const hlt: Handler = (cpu: Cpu) => { requireCpl0(cpu); cpu.ops.halt(cpu); };
const cacheOp: Handler = (cpu: Cpu) => { requireCpl0(cpu); };

export const controlRegisterHandlers: Record<string, Handler> = {
  Mov_cr_r32: movToCr(32), Mov_cr_r64: movToCr(64), Mov_r32_cr: movFromCr(32), Mov_r64_cr: movFromCr(64),
  Mov_dr_r32: movToDr(32), Mov_dr_r64: movToDr(64), Mov_r32_dr: movFromDr(32), Mov_r64_dr: movFromDr(64),
  Lgdt_m1632_16: loadTableReg(false, 16), Lgdt_m1632: loadTableReg(false, 32), Lgdt_m1664: loadTableReg(false, 64),
  Lidt_m1632_16: loadTableReg(true, 16), Lidt_m1632: loadTableReg(true, 32), Lidt_m1664: loadTableReg(true, 64),
  Sgdt_m1632_16: storeTableReg(false, 16), Sgdt_m1632: storeTableReg(false, 32), Sgdt_m1664: storeTableReg(false, 64),
  Sidt_m1632_16: storeTableReg(true, 16), Sidt_m1632: storeTableReg(true, 32), Sidt_m1664: storeTableReg(true, 64),
  Lldt_rm16: lldt, Lldt_r32m16: lldt, Lldt_r64m16: lldt,
  Ltr_rm16: ltr, Ltr_r32m16: ltr, Ltr_r64m16: ltr,
  Sldt_rm16: storeWord(16, (c) => c.segSel[LDTR], true), Sldt_r32m16: storeWord(32, (c) => c.segSel[LDTR], true),
  Sldt_r64m16: storeWord(64, (c) => c.segSel[LDTR], true),
  Str_rm16: storeWord(16, (c) => c.segSel[TR], true), Str_r32m16: storeWord(32, (c) => c.segSel[TR], true),
  Str_r64m16: storeWord(64, (c) => c.segSel[TR], true),
  Smsw_rm16: storeWord(16, (c) => c.cr0 & 0xffff, false), Smsw_r32m16: storeWord(32, (c) => c.cr0 | 0, false),
  Smsw_r64m16: storeWord(64, (c) => c.cr0 | 0, false),
  Lmsw_rm16: lmsw, Lmsw_r32m16: lmsw, Lmsw_r64m16: lmsw,
  Clts: clts, Invlpg_m: invlpg, Hlt: hlt, Invd: cacheOp, Wbinvd: cacheOp, Wbnoinvd: cacheOp,
};
