// Handlers for the bitops family: bt bts btr btc (register offsets address a bit string around the memory
// operand), bsf bsr popcnt lzcnt tzcnt, and (from bitops-cc.ts) setcc, cmovcc and the flag instructions.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { F_ARITH, F_CF, F_ZF } from '../flags';
import { HandlerMap, lockUD, putFlags, rmwLin } from './alu-common';
import { ccHandlers } from './bitops-cc';

const BT = 0, BTS = 1, BTR = 2, BTC = 3;
const BT_NAMES = ['Bt', 'Bts', 'Btr', 'Btc'];

/**
 * Linear address of the operand-size word holding the addressed bit when a register bit offset selects a bit
 * string in memory: EA + (signed offset >> log2(size)) * size/8, applied through the displacement so that
 * address-size wrapping and segment checks stay those of the normal operand.
 */
function bitStringLin(c: Cpu, i: Insn, size: number, offLo: number, offHi: number, write: boolean): number {
  const bytes = size >> 3;
  let dlo: number, dhi: number;
  if (size === 64) { dlo = ((offLo >>> 3) | (offHi << 29)) & ~7; dhi = offHi >> 3; }
  else if (size === 32) { dlo = (offLo >> 3) & ~3; dhi = dlo >> 31; }
  else { dlo = (((offLo << 16) >> 16) >> 3) & ~1; dhi = dlo >> 31; }
  const disp = i.disp, dispHi = i.dispHi;
  const s = (disp >>> 0) + (dlo >>> 0);
  i.disp = s | 0;
  i.dispHi = (dispHi + dhi + (s > 0xffffffff ? 1 : 0)) | 0;
  try {
    return write ? rmwLin(c, i, bytes) : c.linear(i, bytes, false);
  } finally {
    i.disp = disp; i.dispHi = dispHi;
  }
}

/** Apply a bit op to v (size 8..32 int) at bit b; returns the new value and sets the CF output. */
let btCF = 0;
function applyBit(op: number, v: number, b: number): number {
  const m = 1 << b;
  btCF = (v >>> b) & 1;
  switch (op) {
    case BTS: return v | m;
    case BTR: return v & ~m;
    case BTC: return v ^ m;
    default: return v;
  }
}

function setCF(c: Cpu): void { putFlags(c, btCF ? F_CF : 0, F_CF); }

/** BTx r/m16/32, reg or imm8. */
function bt1632(op: number, size: number, imm: boolean): Handler {
  const mask = size - 1, bytes = size >> 3, wr = op !== BT;
  return (c, i) => {
    if (i.lock && (!wr || !i.isMem)) lockUD();
    const off = imm ? i.imm : c.regs[i.reg << 1];
    const b = off & mask;
    if (i.isMem) {
      const lin = imm ? (wr ? rmwLin(c, i, bytes) : c.linear(i, bytes, false)) : bitStringLin(c, i, size, off, 0, wr);
      const v = c.readLin(lin, size), r = applyBit(op, v, b);
      if (wr) c.writeLin(lin, size, r);
    } else {
      const v = c.getReg(size, i.rm), r = applyBit(op, v, b);
      if (wr) c.setReg(size, i.rm, r);
    }
    setCF(c);
  };
}

/** BTx r/m64, reg or imm8. */
function bt64(op: number, imm: boolean): Handler {
  const wr = op !== BT;
  return (c, i) => {
    if (i.lock && (!wr || !i.isMem)) lockUD();
    const k = i.reg << 1;
    const offLo = imm ? i.imm : c.regs[k], offHi = imm ? 0 : c.regs[k + 1];
    const b = offLo & 63, high = b >= 32, bb = b & 31;
    let lo: number, hi: number, lin = 0;
    if (i.isMem) {
      lin = imm ? (wr ? rmwLin(c, i, 8) : c.linear(i, 8, false)) : bitStringLin(c, i, 64, offLo, offHi, wr);
      lo = c.readLin64(lin); hi = c.rhi;
    } else { lo = c.regs[i.rm << 1]; hi = c.regs[(i.rm << 1) + 1]; }
    if (high) hi = applyBit(op, hi, bb); else lo = applyBit(op, lo, bb);
    if (wr) { if (i.isMem) c.writeLin64(lin, lo, hi); else c.setReg64(i.rm, lo, hi); }
    setCF(c);
  };
}

// ---- bit scans and counts ----
function srcOf(c: Cpu, i: Insn, size: number): number {
  if (i.lock) lockUD();
  return c.readRM(i, size);
}
function ctz32(v: number): number { return 31 - Math.clz32(v & -v); }
function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Index of the lowest/highest set bit of a size-bit value (lo, hi for 64), or -1 when zero. */
function scan(size: number, lo: number, hi: number, reverse: boolean): number {
  if (size !== 64) {
    const v = size === 32 ? lo : lo & ((1 << size) - 1);
    if (v === 0) return -1;
    return reverse ? 31 - Math.clz32(v) : ctz32(v);
  }
  if (lo === 0 && hi === 0) return -1;
  if (reverse) return hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

function writeDst(c: Cpu, i: Insn, size: number, v: number): void {
  if (size === 64) c.setReg64(i.reg, v, 0); else c.setReg(size, i.reg, v);
}

function bsx(size: number, reverse: boolean): Handler {
  return (c, i) => {
    const lo = srcOf(c, i, size), hi = size === 64 ? c.rhi : 0;
    const idx = scan(size, lo, hi, reverse);
    if (idx < 0) { putFlags(c, F_ZF, F_ZF); return; }
    writeDst(c, i, size, idx);
    putFlags(c, 0, F_ZF);
  };
}
function popcnt(size: number): Handler {
  return (c, i) => {
    const lo = srcOf(c, i, size), hi = size === 64 ? c.rhi : 0;
    const n = popcount32(size === 32 || size === 64 ? lo : lo & 0xffff) + (size === 64 ? popcount32(hi) : 0);
    writeDst(c, i, size, n);
    putFlags(c, n === 0 ? F_ZF : 0, F_ARITH);
  };
}
function lzTz(size: number, leading: boolean): Handler {
  return (c, i) => {
    const lo = srcOf(c, i, size), hi = size === 64 ? c.rhi : 0;
    const idx = scan(size, lo, hi, leading);
    const n = idx < 0 ? size : leading ? size - 1 - idx : idx;
    writeDst(c, i, size, n);
    putFlags(c, (idx < 0 ? F_CF : 0) | (n === 0 ? F_ZF : 0), F_CF | F_ZF);
  };
}

function build(): HandlerMap {
  const h: HandlerMap = {};
  for (let op = 0; op < 4; op++) {
    const n = BT_NAMES[op];
    h[`${n}_rm16_r16`] = bt1632(op, 16, false); h[`${n}_rm32_r32`] = bt1632(op, 32, false); h[`${n}_rm64_r64`] = bt64(op, false);
    h[`${n}_rm16_imm8`] = bt1632(op, 16, true); h[`${n}_rm32_imm8`] = bt1632(op, 32, true); h[`${n}_rm64_imm8`] = bt64(op, true);
  }
  for (const size of [16, 32, 64]) {
    h[`Bsf_r${size}_rm${size}`] = bsx(size, false);
    h[`Bsr_r${size}_rm${size}`] = bsx(size, true);
    h[`Popcnt_r${size}_rm${size}`] = popcnt(size);
    h[`Lzcnt_r${size}_rm${size}`] = lzTz(size, true);
    h[`Tzcnt_r${size}_rm${size}`] = lzTz(size, false);
  }
  return h;
}

export const bitopsHandlers: Record<string, Handler> = { ...build(), ...ccHandlers };
