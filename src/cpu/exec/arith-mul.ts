// MUL and IMUL (one-operand widening forms, two-operand and three-operand truncating forms) at every size.
// 64x64 products are built from 32x32 partial products on int32 halves; CF=OF report a truncated product.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { mulHiU32, TWO32 } from '../../common/bits';
import { setResultFlags } from '../flags';
import { HandlerMap, lockUD } from './alu-common';

/** 128-bit product words, least significant first (int32). */
export const PROD = new Int32Array(4);

/** Unsigned 64x64 -> 128 product of (ahi:alo) and (bhi:blo) into PROD. */
export function mulU64(alo: number, ahi: number, blo: number, bhi: number): void {
  const a0 = alo >>> 0, a1 = ahi >>> 0, b0 = blo >>> 0, b1 = bhi >>> 0;
  const p00h = mulHiU32(a0, b0);
  const p01l = Math.imul(a0, b1) >>> 0, p01h = mulHiU32(a0, b1);
  const p10l = Math.imul(a1, b0) >>> 0, p10h = mulHiU32(a1, b0);
  const p11l = Math.imul(a1, b1) >>> 0, p11h = mulHiU32(a1, b1);
  PROD[0] = Math.imul(a0, b0);
  let s = p00h + p01l + p10l;
  PROD[1] = s;
  let carry = Math.floor(s / TWO32);
  s = p01h + p10h + p11l + carry;
  PROD[2] = s;
  carry = Math.floor(s / TWO32);
  PROD[3] = p11h + carry;
}

/** Signed 64x64 -> 128 product into PROD. */
export function mulS64(alo: number, ahi: number, blo: number, bhi: number): void {
  mulU64(alo, ahi, blo, bhi);
  // Two's complement correction of the high 64 bits: subtract b when a < 0, and a when b < 0.
  if (ahi < 0) subHigh(blo, bhi);
  if (bhi < 0) subHigh(alo, ahi);
}
function subHigh(lo: number, hi: number): void {
  const l = (PROD[2] >>> 0) - (lo >>> 0);
  PROD[2] = l;
  PROD[3] = PROD[3] - hi - (l < 0 ? 1 : 0);
}

/** High 32 bits of the signed 32x32 product. */
export function mulHiS32(a: number, b: number): number {
  return (mulHiU32(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

function src(c: Cpu, i: Insn, size: number): number {
  if (i.lock) lockUD();
  return c.readRM(i, size);
}

// ---- one-operand MUL ----
const mul8: Handler = (c, i) => {
  const r = (c.regs[0] & 0xff) * src(c, i, 8);
  c.setReg16(0, r);
  setResultFlags(c, 8, r & 0xff, 0, r > 0xff, r > 0xff);
};
const mul16: Handler = (c, i) => {
  const r = (c.regs[0] & 0xffff) * src(c, i, 16), hi = r >>> 16;
  c.setReg16(0, r); c.setReg16(2, hi);
  setResultFlags(c, 16, r & 0xffff, 0, hi !== 0, hi !== 0);
};
const mul32: Handler = (c, i) => {
  const b = src(c, i, 32), a = c.regs[0], lo = Math.imul(a, b), hi = mulHiU32(a, b) | 0;
  c.setReg32(0, lo); c.setReg32(2, hi);
  setResultFlags(c, 32, lo, 0, hi !== 0, hi !== 0);
};
const mul64: Handler = (c, i) => {
  const blo = src(c, i, 64), bhi = c.rhi;
  mulU64(c.regs[0], c.regs[1], blo, bhi);
  c.setReg64(0, PROD[0], PROD[1]); c.setReg64(2, PROD[2], PROD[3]);
  const of = PROD[2] !== 0 || PROD[3] !== 0;
  setResultFlags(c, 64, PROD[0], PROD[1], of, of);
};

// ---- one-operand IMUL ----
const imul8: Handler = (c, i) => {
  const b = (src(c, i, 8) << 24) >> 24, a = (c.regs[0] << 24) >> 24, r = a * b;
  c.setReg16(0, r);
  const of = r !== ((r << 24) >> 24);
  setResultFlags(c, 8, r & 0xff, 0, of, of);
};
const imul16: Handler = (c, i) => {
  const b = (src(c, i, 16) << 16) >> 16, a = (c.regs[0] << 16) >> 16, r = a * b;
  c.setReg16(0, r); c.setReg16(2, r >> 16);
  const of = r !== ((r << 16) >> 16);
  setResultFlags(c, 16, r & 0xffff, 0, of, of);
};
const imul32: Handler = (c, i) => {
  const b = src(c, i, 32), a = c.regs[0], lo = Math.imul(a, b), hi = mulHiS32(a, b);
  c.setReg32(0, lo); c.setReg32(2, hi);
  const of = hi !== (lo >> 31);
  setResultFlags(c, 32, lo, 0, of, of);
};
const imul64: Handler = (c, i) => {
  const blo = src(c, i, 64), bhi = c.rhi;
  mulS64(c.regs[0], c.regs[1], blo, bhi);
  c.setReg64(0, PROD[0], PROD[1]); c.setReg64(2, PROD[2], PROD[3]);
  const s = PROD[1] >> 31, of = PROD[2] !== s || PROD[3] !== s;
  setResultFlags(c, 64, PROD[0], PROD[1], of, of);
};

// ---- two- and three-operand IMUL: reg = a * b truncated ----
function imulTrunc16(c: Cpu, i: Insn, a: number, b: number): void {
  const r = ((a << 16) >> 16) * ((b << 16) >> 16);
  c.setReg16(i.reg, r);
  const of = r !== ((r << 16) >> 16);
  setResultFlags(c, 16, r & 0xffff, 0, of, of);
}
function imulTrunc32(c: Cpu, i: Insn, a: number, b: number): void {
  const lo = Math.imul(a, b), hi = mulHiS32(a, b);
  c.setReg32(i.reg, lo);
  const of = hi !== (lo >> 31);
  setResultFlags(c, 32, lo, 0, of, of);
}
function imulTrunc64(c: Cpu, i: Insn, alo: number, ahi: number, blo: number, bhi: number): void {
  mulS64(alo, ahi, blo, bhi);
  const lo = PROD[0], hi = PROD[1];
  c.setReg64(i.reg, lo, hi);
  const s = hi >> 31, of = PROD[2] !== s || PROD[3] !== s;
  setResultFlags(c, 64, lo, hi, of, of);
}

export const mulHandlers: HandlerMap = {
  Mul_rm8: mul8, Mul_rm16: mul16, Mul_rm32: mul32, Mul_rm64: mul64,
  Imul_rm8: imul8, Imul_rm16: imul16, Imul_rm32: imul32, Imul_rm64: imul64,
  Imul_r16_rm16: (c, i) => { const b = src(c, i, 16); imulTrunc16(c, i, c.regs[i.reg << 1], b); },
  Imul_r32_rm32: (c, i) => { const b = src(c, i, 32); imulTrunc32(c, i, c.regs[i.reg << 1], b); },
  Imul_r64_rm64: (c, i) => {
    const blo = src(c, i, 64), bhi = c.rhi, k = i.reg << 1;
    imulTrunc64(c, i, c.regs[k], c.regs[k + 1], blo, bhi);
  },
  Imul_r16_rm16_imm16: (c, i) => imulTrunc16(c, i, src(c, i, 16), i.imm),
  Imul_r16_rm16_imm8: (c, i) => imulTrunc16(c, i, src(c, i, 16), i.imm),
  Imul_r32_rm32_imm32: (c, i) => imulTrunc32(c, i, src(c, i, 32), i.imm),
  Imul_r32_rm32_imm8: (c, i) => imulTrunc32(c, i, src(c, i, 32), i.imm),
  Imul_r64_rm64_imm32: (c, i) => { const lo = src(c, i, 64); imulTrunc64(c, i, lo, c.rhi, i.imm, i.imm >> 31); },
  Imul_r64_rm64_imm8: (c, i) => { const lo = src(c, i, 64); imulTrunc64(c, i, lo, c.rhi, i.imm, i.imm >> 31); },
};
