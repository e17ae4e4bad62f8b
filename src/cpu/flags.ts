// RFLAGS with lazy arithmetic flags: ALU handlers record (op, size, dst, src, result) and
// CF/PF/AF/ZF/SF/OF are computed only when something reads them (jcc, pushf, adc, the debugger).

import type { Cpu } from './cpu';
import { PARITY, ult64 } from '../common/bits';

export const F_CF = 1 << 0, F_PF = 1 << 2, F_AF = 1 << 4, F_ZF = 1 << 6, F_SF = 1 << 7, F_TF = 1 << 8;
export const F_IF = 1 << 9, F_DF = 1 << 10, F_OF = 1 << 11, F_IOPL = 3 << 12, F_NT = 1 << 14;
export const F_RF = 1 << 16, F_VM = 1 << 17, F_AC = 1 << 18, F_VIF = 1 << 19, F_VIP = 1 << 20, F_ID = 1 << 21;
export const F_ARITH = F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF;
/** Bit 1 of RFLAGS always reads as 1. */
export const F_FIXED = 1 << 1;

/**
 * Lazy op kinds. After an op, (lsize, ldst, lsrc, lres[, hi halves for 64-bit]) describe it.
 * Values for sizes 8/16 are zero-extended; 32 and 64 (lo halves) are int32.
 */
export const LOP_NONE = 0;   // all arithmetic flags are in cpu.flagsBits
export const LOP_ADD = 1;    // res = dst + src
export const LOP_ADC = 2;    // res = dst + src + 1 (carry-in was 1; ADC with CF=0 records LOP_ADD)
export const LOP_SUB = 3;    // res = dst - src (also CMP, NEG with dst=0)
export const LOP_SBB = 4;    // res = dst - src - 1 (borrow-in was 1)
export const LOP_LOGIC = 5;  // AND/OR/XOR/TEST: CF=OF=0, AF=0
export const LOP_INC = 6;    // res = dst + 1, CF kept in flagsBits
export const LOP_DEC = 7;    // res = dst - 1, CF kept in flagsBits
export const LOP_RES = 8;    // ZF/SF/PF from res; CF/OF/AF taken from flagsBits (shifts, mul, bsf...)

function signAt(size: number, lo: number, hi: number): boolean {
  switch (size) {
    case 8: return (lo & 0x80) !== 0;
    case 16: return (lo & 0x8000) !== 0;
    case 32: return lo < 0;
    default: return hi < 0;
  }
}

export function getCF(c: Cpu): boolean {
  const s = c.lsize;
  switch (c.lop) {
    case LOP_ADD:
      if (s === 64) return ult64(c.lresHi, c.lres, c.ldstHi, c.ldst);
      return (c.lres >>> 0) < (c.ldst >>> 0);
    case LOP_ADC:
      if (s === 64) return ult64(c.lresHi, c.lres, c.ldstHi, c.ldst) || (c.lresHi === c.ldstHi && c.lres === c.ldst);
      return (c.lres >>> 0) <= (c.ldst >>> 0);
    case LOP_SUB:
      if (s === 64) return ult64(c.ldstHi, c.ldst, c.lsrcHi, c.lsrc);
      return (c.ldst >>> 0) < (c.lsrc >>> 0);
    case LOP_SBB:
      if (s === 64) return ult64(c.ldstHi, c.ldst, c.lsrcHi, c.lsrc) || (c.ldstHi === c.lsrcHi && c.ldst === c.lsrc);
      return (c.ldst >>> 0) <= (c.lsrc >>> 0);
    case LOP_LOGIC: return false;
    default: return (c.flagsBits & F_CF) !== 0;
  }
}

export function getZF(c: Cpu): boolean {
  if (c.lop === LOP_NONE) return (c.flagsBits & F_ZF) !== 0;
  switch (c.lsize) {
    case 8: return (c.lres & 0xff) === 0;
    case 16: return (c.lres & 0xffff) === 0;
    case 32: return c.lres === 0;
    default: return c.lres === 0 && c.lresHi === 0;
  }
}

export function getSF(c: Cpu): boolean {
  if (c.lop === LOP_NONE) return (c.flagsBits & F_SF) !== 0;
  return signAt(c.lsize, c.lres, c.lresHi);
}

export function getPF(c: Cpu): boolean {
  if (c.lop === LOP_NONE) return (c.flagsBits & F_PF) !== 0;
  return PARITY[c.lres & 0xff] === 1;
}

export function getAF(c: Cpu): boolean {
  switch (c.lop) {
    case LOP_ADD: case LOP_ADC: case LOP_SUB: case LOP_SBB:
      return ((c.ldst ^ c.lsrc ^ c.lres) & 0x10) !== 0;
    case LOP_INC: case LOP_DEC:
      return ((c.ldst ^ 1 ^ c.lres) & 0x10) !== 0;
    case LOP_LOGIC: return false;
    default: return (c.flagsBits & F_AF) !== 0;
  }
}

export function getOF(c: Cpu): boolean {
  const s = c.lsize;
  switch (c.lop) {
    case LOP_ADD: case LOP_ADC:
      return signAt(s, (c.ldst ^ c.lres) & (c.lsrc ^ c.lres), (c.ldstHi ^ c.lresHi) & (c.lsrcHi ^ c.lresHi));
    case LOP_SUB: case LOP_SBB:
      return signAt(s, (c.ldst ^ c.lsrc) & (c.ldst ^ c.lres), (c.ldstHi ^ c.lsrcHi) & (c.ldstHi ^ c.lresHi));
    case LOP_INC:
      return signAt(s, (c.ldst ^ c.lres) & (1 ^ c.lres), (c.ldstHi ^ c.lresHi) & c.lresHi);
    case LOP_DEC:
      return signAt(s, (c.ldst ^ 1) & (c.ldst ^ c.lres), c.ldstHi & (c.ldstHi ^ c.lresHi));
    case LOP_LOGIC: return false;
    default: return (c.flagsBits & F_OF) !== 0;
  }
}

/** Materialise RFLAGS (low 32 bits) from the lazy state; does not change the lazy state. */
export function getFlags(c: Cpu): number {
  if (c.lop === LOP_NONE) return (c.flagsBits | F_FIXED) >>> 0;
  let f = (c.flagsBits & ~F_ARITH) | F_FIXED;
  if (getCF(c)) f |= F_CF;
  if (getPF(c)) f |= F_PF;
  if (getAF(c)) f |= F_AF;
  if (getZF(c)) f |= F_ZF;
  if (getSF(c)) f |= F_SF;
  if (getOF(c)) f |= F_OF;
  return f >>> 0;
}

/** Replace the bits in mask with those of value (arithmetic flags become non-lazy). */
export function setFlags(c: Cpu, value: number, mask: number): void {
  const cur = getFlags(c);
  c.flagsBits = ((cur & ~mask) | (value & mask) | F_FIXED) >>> 0;
  c.lop = LOP_NONE;
}

/** Make CF/OF/AF concrete in flagsBits and switch to LOP_RES with the given result (for ops that set CF/OF themselves). */
export function setResultFlags(c: Cpu, size: number, res: number, resHi: number, cf: boolean, of: boolean, af = false): void {
  let f = c.flagsBits & ~(F_CF | F_OF | F_AF);
  if (cf) f |= F_CF;
  if (of) f |= F_OF;
  if (af) f |= F_AF;
  c.flagsBits = f;
  c.lop = LOP_RES; c.lsize = size; c.lres = res; c.lresHi = resHi;
}

/** Before INC/DEC (which preserve CF): fold the current CF into flagsBits. */
export function saveCF(c: Cpu): void {
  const op = c.lop;
  if (op === LOP_NONE || op >= LOP_INC) return; // CF already lives in flagsBits
  const cf = getCF(c);
  c.flagsBits = cf ? c.flagsBits | F_CF : c.flagsBits & ~F_CF;
}

/** Condition codes 0..15 as in Jcc/SETcc/CMOVcc (O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G). */
export function testCC(c: Cpu, cc: number): boolean {
  // Fast paths: a 32-bit CMP/SUB or logic op answers most conditions straight from its operands.
  if (c.lsize === 32) {
    if (c.lop === LOP_SUB) return testSub32(c.ldst, c.lsrc, c.lres, cc);
    if (c.lop === LOP_LOGIC) return testLogic32(c.lres, cc);
  }
  return testCCSlow(c, cc);
}

function testSub32(d: number, s: number, r: number, cc: number): boolean {
  let t: boolean;
  switch (cc >> 1) {
    case 0: t = ((d ^ s) & (d ^ r)) < 0; break;
    case 1: t = (d >>> 0) < (s >>> 0); break;
    case 2: t = d === s; break;
    case 3: t = (d >>> 0) <= (s >>> 0); break;
    case 4: t = r < 0; break;
    case 5: t = PARITY[r & 0xff] === 1; break;
    case 6: t = d < s; break;
    default: t = d <= s; break;
  }
  return (cc & 1) ? !t : t;
}

function testLogic32(r: number, cc: number): boolean {
  let t: boolean;
  switch (cc >> 1) {
    case 0: case 1: t = false; break;           // OF = CF = 0
    case 2: case 3: t = r === 0; break;          // ZF; CF|ZF
    case 4: case 6: t = r < 0; break;            // SF; SF != OF
    case 5: t = PARITY[r & 0xff] === 1; break;
    default: t = r <= 0; break;                  // ZF | (SF != OF)
  }
  return (cc & 1) ? !t : t;
}

function testCCSlow(c: Cpu, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = getOF(c); break;
    case 1: r = getCF(c); break;
    case 2: r = getZF(c); break;
    case 3: r = getCF(c) || getZF(c); break;
    case 4: r = getSF(c); break;
    case 5: r = getPF(c); break;
    case 6: r = getSF(c) !== getOF(c); break;
    default: r = getZF(c) || getSF(c) !== getOF(c); break;
  }
  return (cc & 1) ? !r : r;
}
