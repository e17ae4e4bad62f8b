// Small helpers shared by the data-transfer and string handlers: lazy-flag recording for the
// compare/exchange family (cmp-style subtraction, xadd addition) and byte swapping.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder/insn';
import { ACC_WRITE } from '../mmu/paging';
import { LOP_ADD, LOP_SUB } from '../flags';

/** Mask a value to an operand size (8/16 zero-extended; 32/64 lo halves as int32). */
export function maskTo(size: number, v: number): number {
  return size === 8 ? v & 0xff : size === 16 ? v & 0xffff : v | 0;
}

/** Record flags as `cmp a, b` (a - b) at size; halves used for 64. Returns true when the operands are equal. */
export function recordSub(cpu: Cpu, size: number, a: number, aHi: number, b: number, bHi: number): boolean {
  cpu.lop = LOP_SUB; cpu.lsize = size;
  if (size === 64) {
    const lo = (a - b) | 0;
    const borrow = (a >>> 0) < (b >>> 0) ? 1 : 0;
    cpu.ldst = a; cpu.ldstHi = aHi; cpu.lsrc = b; cpu.lsrcHi = bHi;
    cpu.lres = lo; cpu.lresHi = (aHi - bHi - borrow) | 0;
    return a === b && aHi === bHi;
  }
  a = maskTo(size, a); b = maskTo(size, b);
  cpu.ldst = a; cpu.lsrc = b; cpu.lres = maskTo(size, a - b);
  cpu.ldstHi = 0; cpu.lsrcHi = 0; cpu.lresHi = 0;
  return a === b;
}

/** Record flags as `add a, b` at size and return the low half of the sum (high half in cpu.rhi for 64). */
export function recordAdd(cpu: Cpu, size: number, a: number, aHi: number, b: number, bHi: number): number {
  cpu.lop = LOP_ADD; cpu.lsize = size;
  if (size === 64) {
    const s = (a >>> 0) + (b >>> 0);
    const lo = s | 0, hi = (aHi + bHi + (s >= 4294967296 ? 1 : 0)) | 0;
    cpu.ldst = a; cpu.ldstHi = aHi; cpu.lsrc = b; cpu.lsrcHi = bHi; cpu.lres = lo; cpu.lresHi = hi;
    cpu.rhi = hi;
    return lo;
  }
  a = maskTo(size, a); b = maskTo(size, b);
  const r = maskTo(size, a + b);
  cpu.ldst = a; cpu.lsrc = b; cpu.lres = r;
  cpu.ldstHi = 0; cpu.lsrcHi = 0; cpu.lresHi = 0;
  cpu.rhi = 0;
  return r;
}

export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}
export function bswap16(v: number): number { return ((v >>> 8) & 0xff) | ((v & 0xff) << 8); }

/**
 * Linear address of a read-modify-write memory operand (xchg, cmpxchg, xadd): segment checks for a write,
 * and the page(s) translated for writing before the read, so a #PF reports a write access as on hardware.
 */
export function rmwLinear(c: Cpu, i: Insn, bytes: number): number {
  const lin = c.linear(i, bytes, true);
  const vpn = Math.floor(lin / 4096), o = lin & 0xfff;
  if (c.tagW[vpn & 4095] !== vpn || o > 4096 - bytes) {
    c.translate(lin, ACC_WRITE);
    if (o > 4096 - bytes) { const last = lin + bytes - 1; c.translate(c.mode === 64 ? last : last >>> 0, ACC_WRITE); }
  }
  return lin;
}
