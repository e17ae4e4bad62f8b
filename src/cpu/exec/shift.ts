// Handlers for the shift family: shl/sal shr sar rol ror rcl rcr by 1, CL and imm8 at every size, plus
// shld/shrd (shift-double.ts). A masked count of 0 changes no flags; rotates change only CF and OF.

import type { Handler } from '../decoder/insn';
import { F_CF, F_OF, LOP_RES, setResultFlags } from '../flags';
import { HandlerMap, lockUD, putFlags, rmwLin } from './alu-common';
import { OP_RCR, SH, SHIFT_NAMES, shift64N, shiftN } from './shift-core';
import { shiftDoubleHandlers } from './shift-double';

const SRC_1 = 0, SRC_CL = 1, SRC_IMM = 2;

function count(src: number, c: Parameters<Handler>[0], i: Parameters<Handler>[1]): number {
  return src === SRC_1 ? 1 : src === SRC_CL ? c.regs[2] : i.imm;
}

function flagsOut(c: Parameters<Handler>[0], rot: boolean, size: number, r: number, rh: number): void {
  if (rot) putFlags(c, (SH.cf ? F_CF : 0) | (SH.of ? F_OF : 0), F_CF | F_OF);
  else setResultFlags(c, size, r, rh, SH.cf !== 0, SH.of !== 0);
}

/** Shift/rotate r/m of size 8/16/32. */
function shiftRm(op: number, size: number, src: number): Handler {
  const bytes = size >> 3, rot = op <= OP_RCR;
  return (c, i) => {
    if (i.lock) lockUD();
    const n = count(src, c, i) & 31;
    if (i.isMem) {
      const lin = rmwLin(c, i, bytes), a = c.readLin(lin, size);
      if (n === 0) return;
      const r = shiftN(c, op, size, a, n);
      c.writeLin(lin, size, r);
      flagsOut(c, rot, size, r, 0);
      return;
    }
    const a = c.getReg(size, i.rm);
    if (n === 0) { if (size === 32) c.setReg32(i.rm, a); return; }
    const r = shiftN(c, op, size, a, n);
    c.setReg(size, i.rm, r);
    flagsOut(c, rot, size, r, 0);
  };
}

/** Shift/rotate r/m64. */
function shiftRm64(op: number, src: number): Handler {
  const rot = op <= OP_RCR;
  return (c, i) => {
    if (i.lock) lockUD();
    const n = count(src, c, i) & 63;
    if (i.isMem) {
      const lin = rmwLin(c, i, 8), lo = c.readLin64(lin), hi = c.rhi;
      if (n === 0) return;
      const r = shift64N(c, op, lo, hi, n), rh = SH.hi;
      c.writeLin64(lin, r, rh);
      flagsOut(c, rot, 64, r, rh);
      return;
    }
    if (n === 0) return;
    const k = i.rm << 1, r = shift64N(c, op, c.regs[k], c.regs[k + 1], n), rh = SH.hi;
    c.regs[k] = r; c.regs[k + 1] = rh;
    flagsOut(c, rot, 64, r, rh);
  };
}

// ---- specialised register fast paths for the common 32-bit immediate shifts (one function per op) ----
function shiftFlags32(c: Parameters<Handler>[0], r: number, cf: number, of: number): void {
  let f = c.flagsBits & ~(F_CF | F_OF | 0x10);
  if (cf) f |= F_CF;
  if (of) f |= F_OF;
  c.flagsBits = f; c.lop = LOP_RES; c.lsize = 32; c.lres = r;
}
function fastShl32(generic: Handler): Handler {
  return (c, i) => {
    const n = i.imm & 31;
    if (i.isMem || i.lock || n === 0) { generic(c, i); return; }
    const k = i.rm << 1, a = c.regs[k], r = a << n, cf = (a >>> (32 - n)) & 1;
    c.regs[k] = r; c.regs[k + 1] = 0;
    shiftFlags32(c, r, cf, (r >>> 31) ^ cf);
  };
}
function fastShr32(generic: Handler): Handler {
  return (c, i) => {
    const n = i.imm & 31;
    if (i.isMem || i.lock || n === 0) { generic(c, i); return; }
    const k = i.rm << 1, a = c.regs[k], r = (a >>> n) | 0;
    c.regs[k] = r; c.regs[k + 1] = 0;
    shiftFlags32(c, r, (a >>> (n - 1)) & 1, ((r >>> 31) ^ (r >>> 30)) & 1);
  };
}
function fastSar32(generic: Handler): Handler {
  return (c, i) => {
    const n = i.imm & 31;
    if (i.isMem || i.lock || n === 0) { generic(c, i); return; }
    const k = i.rm << 1, a = c.regs[k], r = a >> n;
    c.regs[k] = r; c.regs[k + 1] = 0;
    shiftFlags32(c, r, (a >> (n - 1)) & 1, 0);
  };
}

function build(): HandlerMap {
  const h: HandlerMap = {};
  for (let op = 0; op < 8; op++) {
    const n = SHIFT_NAMES[op];
    for (const size of [8, 16, 32]) {
      h[`${n}_rm${size}_1`] = shiftRm(op, size, SRC_1);
      h[`${n}_rm${size}_CL`] = shiftRm(op, size, SRC_CL);
      h[`${n}_rm${size}_imm8`] = shiftRm(op, size, SRC_IMM);
    }
    h[`${n}_rm64_1`] = shiftRm64(op, SRC_1);
    h[`${n}_rm64_CL`] = shiftRm64(op, SRC_CL);
    h[`${n}_rm64_imm8`] = shiftRm64(op, SRC_IMM);
  }
  h.Shl_rm32_imm8 = fastShl32(h.Shl_rm32_imm8);
  h.Sal_rm32_imm8 = fastShl32(h.Sal_rm32_imm8);
  h.Shr_rm32_imm8 = fastShr32(h.Shr_rm32_imm8);
  h.Sar_rm32_imm8 = fastSar32(h.Sar_rm32_imm8);
  return h;
}

export const shiftHandlers: Record<string, Handler> = { ...build(), ...shiftDoubleHandlers };
