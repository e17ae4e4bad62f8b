// INC, DEC (FE/FF group and the 40-4F one-byte forms of 16/32-bit mode) and NEG at every operand size.
// INC/DEC keep CF: the current CF is folded into flagsBits (saveCF) and the op is recorded as LOP_INC/LOP_DEC.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { LOP_DEC, LOP_INC, LOP_SUB, saveCF } from '../flags';
import { HandlerMap, lockUD, rmwLin, sizeMask } from './alu-common';

function rec(c: Cpu, lop: number, size: number, a: number, r: number): void {
  saveCF(c);
  c.lop = lop; c.lsize = size; c.ldst = a; c.lsrc = 1; c.lres = r;
}
function rec64(c: Cpu, lop: number, alo: number, ahi: number, rlo: number, rhi: number): void {
  saveCF(c);
  c.lop = lop; c.lsize = 64; c.ldst = alo; c.ldstHi = ahi; c.lsrc = 1; c.lsrcHi = 0; c.lres = rlo; c.lresHi = rhi;
}

/** INC/DEC r/m at size 8/16 (generic). */
function incDecRm(size: number, delta: number): Handler {
  const mask = sizeMask(size), bytes = size >> 3, lop = delta > 0 ? LOP_INC : LOP_DEC;
  return (c, i) => {
    if (i.isMem) {
      const lin = rmwLin(c, i, bytes), a = c.readLin(lin, size), r = (a + delta) & mask;
      c.writeLin(lin, size, r); rec(c, lop, size, a, r); return;
    }
    if (i.lock) lockUD();
    const a = c.getReg(size, i.rm), r = (a + delta) & mask;
    c.setReg(size, i.rm, r); rec(c, lop, size, a, r);
  };
}

function inc32(c: Cpu, i: Insn): void {
  if (i.isMem) {
    const lin = rmwLin(c, i, 4), a = c.readLin32(lin), r = (a + 1) | 0;
    c.writeLin32(lin, r); rec(c, LOP_INC, 32, a, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = (a + 1) | 0;
  c.regs[k] = r; c.regs[k + 1] = 0; rec(c, LOP_INC, 32, a, r);
}
function dec32(c: Cpu, i: Insn): void {
  if (i.isMem) {
    const lin = rmwLin(c, i, 4), a = c.readLin32(lin), r = (a - 1) | 0;
    c.writeLin32(lin, r); rec(c, LOP_DEC, 32, a, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = (a - 1) | 0;
  c.regs[k] = r; c.regs[k + 1] = 0; rec(c, LOP_DEC, 32, a, r);
}
function inc64(c: Cpu, i: Insn): void {
  let alo: number, ahi: number;
  if (i.isMem) {
    const lin = rmwLin(c, i, 8); alo = c.readLin64(lin); ahi = c.rhi;
    const rlo = (alo + 1) | 0, rhi = rlo === 0 ? (ahi + 1) | 0 : ahi;
    c.writeLin64(lin, rlo, rhi); rec64(c, LOP_INC, alo, ahi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1; alo = c.regs[k]; ahi = c.regs[k + 1];
  const rlo = (alo + 1) | 0, rhi = rlo === 0 ? (ahi + 1) | 0 : ahi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; rec64(c, LOP_INC, alo, ahi, rlo, rhi);
}
function dec64(c: Cpu, i: Insn): void {
  let alo: number, ahi: number;
  if (i.isMem) {
    const lin = rmwLin(c, i, 8); alo = c.readLin64(lin); ahi = c.rhi;
    const rlo = (alo - 1) | 0, rhi = alo === 0 ? (ahi - 1) | 0 : ahi;
    c.writeLin64(lin, rlo, rhi); rec64(c, LOP_DEC, alo, ahi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1; alo = c.regs[k]; ahi = c.regs[k + 1];
  const rlo = (alo - 1) | 0, rhi = alo === 0 ? (ahi - 1) | 0 : ahi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; rec64(c, LOP_DEC, alo, ahi, rlo, rhi);
}

/** NEG r/m at size 8/16/32: recorded as 0 - src (CF = src != 0). */
function negRm(size: number): Handler {
  const mask = sizeMask(size), bytes = size >> 3;
  return (c, i) => {
    let a: number, r: number;
    if (i.isMem) {
      const lin = rmwLin(c, i, bytes); a = c.readLin(lin, size); r = (0 - a) & mask;
      c.writeLin(lin, size, r);
    } else {
      if (i.lock) lockUD();
      a = c.getReg(size, i.rm); r = (0 - a) & mask;
      c.setReg(size, i.rm, r);
    }
    c.lop = LOP_SUB; c.lsize = size; c.ldst = 0; c.lsrc = a; c.lres = r;
  };
}
const neg64: Handler = (c, i) => {
  let alo: number, ahi: number;
  const lin = i.isMem ? rmwLin(c, i, 8) : 0;
  if (i.isMem) { alo = c.readLin64(lin); ahi = c.rhi; }
  else { if (i.lock) lockUD(); alo = c.regs[i.rm << 1]; ahi = c.regs[(i.rm << 1) + 1]; }
  const rlo = (0 - alo) | 0, rhi = (0 - ahi - (alo !== 0 ? 1 : 0)) | 0;
  if (i.isMem) c.writeLin64(lin, rlo, rhi); else c.setReg64(i.rm, rlo, rhi);
  c.lop = LOP_SUB; c.lsize = 64; c.ldst = 0; c.ldstHi = 0; c.lsrc = alo; c.lsrcHi = ahi; c.lres = rlo; c.lresHi = rhi;
};

/** One-byte INC/DEC r16/r32 (40-4F, 16/32-bit mode): the register is in i.reg. */
function incDecReg(size: number, delta: number): Handler {
  const mask = sizeMask(size), lop = delta > 0 ? LOP_INC : LOP_DEC;
  if (size === 32) {
    return (c, i) => {
      if (i.lock) lockUD();
      const k = i.reg << 1, a = c.regs[k], r = (a + delta) | 0;
      c.regs[k] = r; c.regs[k + 1] = 0; rec(c, lop, 32, a, r);
    };
  }
  return (c, i) => {
    if (i.lock) lockUD();
    const a = c.getReg16(i.reg), r = (a + delta) & mask;
    c.setReg16(i.reg, r); rec(c, lop, 16, a, r);
  };
}

export const incDecHandlers: HandlerMap = {
  Inc_rm8: incDecRm(8, 1), Inc_rm16: incDecRm(16, 1), Inc_rm32: inc32, Inc_rm64: inc64,
  Dec_rm8: incDecRm(8, -1), Dec_rm16: incDecRm(16, -1), Dec_rm32: dec32, Dec_rm64: dec64,
  Inc_r16: incDecReg(16, 1), Inc_r32: incDecReg(32, 1), Dec_r16: incDecReg(16, -1), Dec_r32: incDecReg(32, -1),
  Neg_rm8: negRm(8), Neg_rm16: negRm(16), Neg_rm32: negRm(32), Neg_rm64: neg64,
};
