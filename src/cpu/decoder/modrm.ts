// ModRM/SIB memory-operand decoding for 16-, 32- and 64-bit addressing: base, index, scale, displacement
// and the default segment (SS for rSP/rBP bases and BP-based 16-bit forms, DS otherwise).

import { Insn, REG_NONE, REG_RIP } from './insn';

/** Returned instead of a position when the operand needs bytes beyond `avail`. */
export const TRUNC = -1;
/** Returned instead of a position when the instruction would exceed 15 bytes. */
export const TOOLONG = -2;

const SEG_SS = 2, SEG_DS = 3;
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, REG_NONE, REG_NONE, REG_NONE, REG_NONE];

function lack(p: number, n: number, avail: number): number {
  return p + n > 15 ? TOOLONG : p + n > avail ? TRUNC : 0;
}

function s32(buf: Uint8Array, p: number): number {
  return buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
}

/**
 * Decode the memory form (mod != 3) of ModRM byte `modrm` whose SIB/displacement start at `p`.
 * Fills isMem/base/index/scale/disp/dispHi/seg (default segment) of `insn`; returns the position after the
 * displacement, or TRUNC / TOOLONG.
 */
export function decodeMem(buf: Uint8Array, p: number, avail: number, modrm: number, asize: number,
  rexB: number, rexX: number, mode64: boolean, insn: Insn): number {
  const mod = modrm >> 6, rm = modrm & 7;
  let base = REG_NONE, index = REG_NONE, scale = 0, disp = 0, e: number;
  insn.isMem = true;
  insn.rm = REG_NONE;
  if (asize === 16) {
    if (mod === 0 && rm === 6) {
      if ((e = lack(p, 2, avail)) !== 0) return e;
      disp = ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
      p += 2;
    } else {
      base = BASE16[rm];
      index = INDEX16[rm];
      if (mod === 1) {
        if ((e = lack(p, 1, avail)) !== 0) return e;
        disp = (buf[p] << 24) >> 24; p += 1;
      } else if (mod === 2) {
        if ((e = lack(p, 2, avail)) !== 0) return e;
        disp = ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16; p += 2;
      }
    }
    insn.seg = base === 5 ? SEG_SS : SEG_DS;
  } else {
    let disp32 = mod === 2;
    if (rm === 4) {
      if ((e = lack(p, 1, avail)) !== 0) return e;
      const sib = buf[p++];
      const idx = ((sib >> 3) & 7) | rexX;
      if (idx !== 4) { index = idx; scale = sib >> 6; }
      const b = sib & 7;
      if (b === 5 && mod === 0) disp32 = true;
      else base = b | rexB;
    } else if (rm === 5 && mod === 0) {
      base = mode64 ? REG_RIP : REG_NONE;
      disp32 = true;
    } else {
      base = rm | rexB;
    }
    if (disp32) {
      if ((e = lack(p, 4, avail)) !== 0) return e;
      disp = s32(buf, p); p += 4;
    } else if (mod === 1) {
      if ((e = lack(p, 1, avail)) !== 0) return e;
      disp = (buf[p] << 24) >> 24; p += 1;
    }
    insn.seg = base === 4 || base === 5 ? SEG_SS : SEG_DS;
  }
  insn.base = base;
  insn.index = index;
  insn.scale = scale;
  insn.disp = disp;
  insn.dispHi = disp >> 31;
  return p;
}
