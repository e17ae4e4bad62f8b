// Specialised 64-bit handlers for the hottest ALU ops (add sub cmp and or xor test) on (lo, hi) int32
// halves: no size switch, no op dispatch, lazy flags recorded directly.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder/insn';
import { LOP_ADD, LOP_LOGIC, LOP_SUB } from '../flags';
import { HandlerMap, lockUD, rmwLin } from './alu-common';

function fl(c: Cpu, lop: number, alo: number, ahi: number, blo: number, bhi: number, rlo: number, rhi: number): void {
  c.lop = lop; c.lsize = 64;
  c.ldst = alo; c.ldstHi = ahi; c.lsrc = blo; c.lsrcHi = bhi; c.lres = rlo; c.lresHi = rhi;
}
/** High half of a 64-bit sum given the low halves' sum rlo (carry out of the low half when rlo < alo unsigned). */
function addHi(alo: number, ahi: number, rlo: number, bhi: number): number {
  return (ahi + bhi + ((rlo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
}
function subHi(alo: number, ahi: number, blo: number, bhi: number): number {
  return (ahi - bhi - ((alo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
}

// ---- r/m destination workers ----
function addRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 8), alo = c.readLin64(l), ahi = c.rhi;
    const rlo = (alo + blo) | 0, rhi = addHi(alo, ahi, rlo, bhi);
    c.writeLin64(l, rlo, rhi); fl(c, LOP_ADD, alo, ahi, blo, bhi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1];
  const rlo = (alo + blo) | 0, rhi = addHi(alo, ahi, rlo, bhi);
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_ADD, alo, ahi, blo, bhi, rlo, rhi);
}
function subRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 8), alo = c.readLin64(l), ahi = c.rhi;
    const rlo = (alo - blo) | 0, rhi = subHi(alo, ahi, blo, bhi);
    c.writeLin64(l, rlo, rhi); fl(c, LOP_SUB, alo, ahi, blo, bhi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1];
  const rlo = (alo - blo) | 0, rhi = subHi(alo, ahi, blo, bhi);
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_SUB, alo, ahi, blo, bhi, rlo, rhi);
}
function andRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 8), alo = c.readLin64(l), ahi = c.rhi, rlo = alo & blo, rhi = ahi & bhi;
    c.writeLin64(l, rlo, rhi); fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo & blo, rhi = ahi & bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}
function orRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 8), alo = c.readLin64(l), ahi = c.rhi, rlo = alo | blo, rhi = ahi | bhi;
    c.writeLin64(l, rlo, rhi); fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo | blo, rhi = ahi | bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}
function xorRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 8), alo = c.readLin64(l), ahi = c.rhi, rlo = alo ^ blo, rhi = ahi ^ bhi;
    c.writeLin64(l, rlo, rhi); fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo ^ blo, rhi = ahi ^ bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}
function cmpRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.lock) lockUD();
  let alo: number, ahi: number;
  if (i.isMem) { alo = c.readLin64(c.linear(i, 8, false)); ahi = c.rhi; }
  else { const k = i.rm << 1; alo = c.regs[k]; ahi = c.regs[k + 1]; }
  fl(c, LOP_SUB, alo, ahi, blo, bhi, (alo - blo) | 0, subHi(alo, ahi, blo, bhi));
}
function testRm(c: Cpu, i: Insn, blo: number, bhi: number): void {
  if (i.lock) lockUD();
  let alo: number, ahi: number;
  if (i.isMem) { alo = c.readLin64(c.linear(i, 8, false)); ahi = c.rhi; }
  else { const k = i.rm << 1; alo = c.regs[k]; ahi = c.regs[k + 1]; }
  fl(c, LOP_LOGIC, alo, ahi, blo, bhi, alo & blo, ahi & bhi);
}

// ---- register destination workers (k = register index * 2) ----
function addReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1], rlo = (alo + blo) | 0, rhi = addHi(alo, ahi, rlo, bhi);
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_ADD, alo, ahi, blo, bhi, rlo, rhi);
}
function subReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1], rlo = (alo - blo) | 0, rhi = subHi(alo, ahi, blo, bhi);
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_SUB, alo, ahi, blo, bhi, rlo, rhi);
}
function cmpReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1];
  fl(c, LOP_SUB, alo, ahi, blo, bhi, (alo - blo) | 0, subHi(alo, ahi, blo, bhi));
}
function andReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo & blo, rhi = ahi & bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}
function orReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo | blo, rhi = ahi | bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}
function xorReg(c: Cpu, k: number, blo: number, bhi: number): void {
  const alo = c.regs[k], ahi = c.regs[k + 1], rlo = alo ^ blo, rhi = ahi ^ bhi;
  c.regs[k] = rlo; c.regs[k + 1] = rhi; fl(c, LOP_LOGIC, alo, ahi, blo, bhi, rlo, rhi);
}

function src(c: Cpu, i: Insn): number { return c.regs[i.reg << 1]; }
function srcHi(c: Cpu, i: Insn): number { return c.regs[(i.reg << 1) + 1]; }

export const hot64Handlers: HandlerMap = {
  Add_rm64_r64: (c, i) => addRm(c, i, src(c, i), srcHi(c, i)),
  Add_rm64_imm32: (c, i) => addRm(c, i, i.imm, i.imm >> 31),
  Add_rm64_imm8: (c, i) => addRm(c, i, i.imm, i.imm >> 31),
  Add_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); addReg(c, i.reg << 1, lo, c.rhi); },
  Add_RAX_imm32: (c, i) => { if (i.lock) lockUD(); addReg(c, 0, i.imm, i.imm >> 31); },

  Sub_rm64_r64: (c, i) => subRm(c, i, src(c, i), srcHi(c, i)),
  Sub_rm64_imm32: (c, i) => subRm(c, i, i.imm, i.imm >> 31),
  Sub_rm64_imm8: (c, i) => subRm(c, i, i.imm, i.imm >> 31),
  Sub_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); subReg(c, i.reg << 1, lo, c.rhi); },
  Sub_RAX_imm32: (c, i) => { if (i.lock) lockUD(); subReg(c, 0, i.imm, i.imm >> 31); },

  And_rm64_r64: (c, i) => andRm(c, i, src(c, i), srcHi(c, i)),
  And_rm64_imm32: (c, i) => andRm(c, i, i.imm, i.imm >> 31),
  And_rm64_imm8: (c, i) => andRm(c, i, i.imm, i.imm >> 31),
  And_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); andReg(c, i.reg << 1, lo, c.rhi); },
  And_RAX_imm32: (c, i) => { if (i.lock) lockUD(); andReg(c, 0, i.imm, i.imm >> 31); },

  Or_rm64_r64: (c, i) => orRm(c, i, src(c, i), srcHi(c, i)),
  Or_rm64_imm32: (c, i) => orRm(c, i, i.imm, i.imm >> 31),
  Or_rm64_imm8: (c, i) => orRm(c, i, i.imm, i.imm >> 31),
  Or_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); orReg(c, i.reg << 1, lo, c.rhi); },
  Or_RAX_imm32: (c, i) => { if (i.lock) lockUD(); orReg(c, 0, i.imm, i.imm >> 31); },

  Xor_rm64_r64: (c, i) => xorRm(c, i, src(c, i), srcHi(c, i)),
  Xor_rm64_imm32: (c, i) => xorRm(c, i, i.imm, i.imm >> 31),
  Xor_rm64_imm8: (c, i) => xorRm(c, i, i.imm, i.imm >> 31),
  Xor_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); xorReg(c, i.reg << 1, lo, c.rhi); },
  Xor_RAX_imm32: (c, i) => { if (i.lock) lockUD(); xorReg(c, 0, i.imm, i.imm >> 31); },

  Cmp_rm64_r64: (c, i) => cmpRm(c, i, src(c, i), srcHi(c, i)),
  Cmp_rm64_imm32: (c, i) => cmpRm(c, i, i.imm, i.imm >> 31),
  Cmp_rm64_imm8: (c, i) => cmpRm(c, i, i.imm, i.imm >> 31),
  Cmp_r64_rm64: (c, i) => { if (i.lock) lockUD(); const lo = c.readRM64(i); cmpReg(c, i.reg << 1, lo, c.rhi); },
  Cmp_RAX_imm32: (c, i) => { if (i.lock) lockUD(); cmpReg(c, 0, i.imm, i.imm >> 31); },

  Test_rm64_r64: (c, i) => testRm(c, i, src(c, i), srcHi(c, i)),
  Test_rm64_imm32: (c, i) => testRm(c, i, i.imm, i.imm >> 31),
  Test_rm64_imm32_F7r1: (c, i) => testRm(c, i, i.imm, i.imm >> 31),
  Test_RAX_imm32: (c, i) => {
    if (i.lock) lockUD();
    const alo = c.regs[0], ahi = c.regs[1], blo = i.imm, bhi = i.imm >> 31;
    fl(c, LOP_LOGIC, alo, ahi, blo, bhi, alo & blo, ahi & bhi);
  },
};
