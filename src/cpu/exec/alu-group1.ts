// Size-generic handlers for the eight group-1 ops (add or adc sbb and sub xor cmp) and TEST in every
// encoding: r/m,reg; reg,r/m; acc,imm; r/m,imm. The 32/64-bit hot ops are overridden by specialised handlers.

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import {
  HandlerMap, lockUD, rmwLin, alu, record, alu64, record64, sizeMask, OP_CMP, OP_TEST, GROUP1_NAMES,
} from './alu-common';

function stores(op: number): boolean { return op !== OP_CMP && op !== OP_TEST; }

/** Apply op to the r/m destination with source b: memory read-modify-write (or read only for cmp/test), or a register. */
function opRm(c: Cpu, i: Insn, op: number, size: number, mask: number, wr: boolean, b: number): void {
  if (i.isMem) {
    const bytes = size >> 3;
    if (!wr) {
      if (i.lock) lockUD();
      const a = c.readLin(c.linear(i, bytes, false), size);
      record(c, size, a, b, alu(c, op, a, b, mask));
      return;
    }
    const lin = rmwLin(c, i, bytes);
    const a = c.readLin(lin, size), r = alu(c, op, a, b, mask);
    c.writeLin(lin, size, r);
    record(c, size, a, b, r);
  } else {
    if (i.lock) lockUD();
    const a = c.getReg(size, i.rm), r = alu(c, op, a, b, mask);
    if (wr) c.setReg(size, i.rm, r);
    record(c, size, a, b, r);
  }
}

/** op r/m, reg at size 8/16/32. */
export function rmReg(op: number, size: number): Handler {
  const mask = sizeMask(size), wr = stores(op);
  return (c, i) => opRm(c, i, op, size, mask, wr, c.getReg(size, i.reg));
}

/** op r/m, imm at size 8/16/32 (imm already sign-extended where the encoding says so). */
export function rmImm(op: number, size: number): Handler {
  const mask = sizeMask(size), wr = stores(op);
  return (c, i) => opRm(c, i, op, size, mask, wr, i.imm & mask);
}

/** op reg, r/m at size 8/16/32 (destination is a register: LOCK is #UD). */
export function regRm(op: number, size: number): Handler {
  const mask = sizeMask(size), wr = stores(op);
  return (c, i) => {
    if (i.lock) lockUD();
    const b = c.readRM(i, size), a = c.getReg(size, i.reg), r = alu(c, op, a, b, mask);
    if (wr) c.setReg(size, i.reg, r);
    record(c, size, a, b, r);
  };
}

/** op AL/AX/EAX, imm. */
export function accImm(op: number, size: number): Handler {
  const mask = sizeMask(size), wr = stores(op);
  return (c, i) => {
    if (i.lock) lockUD();
    const b = i.imm & mask, a = c.getReg(size, 0), r = alu(c, op, a, b, mask);
    if (wr) c.setReg(size, 0, r);
    record(c, size, a, b, r);
  };
}

// ---- 64-bit ----

function rm64(op: number, c: Parameters<Handler>[0], i: Parameters<Handler>[1], blo: number, bhi: number, wr: boolean): void {
  if (i.isMem) {
    if (!wr) {
      if (i.lock) lockUD();
      const alo = c.readLin64(c.linear(i, 8, false)), ahi = c.rhi;
      const r = alu64(c, op, alo, ahi, blo, bhi);
      record64(c, alo, ahi, blo, bhi, r, c.rhi);
      return;
    }
    const lin = rmwLin(c, i, 8);
    const alo = c.readLin64(lin), ahi = c.rhi;
    const r = alu64(c, op, alo, ahi, blo, bhi), rh = c.rhi;
    c.writeLin64(lin, r, rh);
    record64(c, alo, ahi, blo, bhi, r, rh);
  } else {
    if (i.lock) lockUD();
    const k = i.rm << 1, alo = c.regs[k], ahi = c.regs[k + 1];
    const r = alu64(c, op, alo, ahi, blo, bhi), rh = c.rhi;
    if (wr) { c.regs[k] = r; c.regs[k + 1] = rh; }
    record64(c, alo, ahi, blo, bhi, r, rh);
  }
}

export function rmReg64(op: number): Handler {
  const wr = stores(op);
  return (c, i) => { const k = i.reg << 1; rm64(op, c, i, c.regs[k], c.regs[k + 1], wr); };
}
export function rmImm64(op: number): Handler {
  const wr = stores(op);
  return (c, i) => rm64(op, c, i, i.imm, i.imm >> 31, wr);
}
export function regRm64(op: number): Handler {
  const wr = stores(op);
  return (c, i) => {
    if (i.lock) lockUD();
    const blo = c.readRM64(i), bhi = c.rhi, k = i.reg << 1, alo = c.regs[k], ahi = c.regs[k + 1];
    const r = alu64(c, op, alo, ahi, blo, bhi), rh = c.rhi;
    if (wr) { c.regs[k] = r; c.regs[k + 1] = rh; }
    record64(c, alo, ahi, blo, bhi, r, rh);
  };
}
export function accImm64(op: number): Handler {
  const wr = stores(op);
  return (c, i) => {
    if (i.lock) lockUD();
    const blo = i.imm, bhi = i.imm >> 31, alo = c.regs[0], ahi = c.regs[1];
    const r = alu64(c, op, alo, ahi, blo, bhi), rh = c.rhi;
    if (wr) { c.regs[0] = r; c.regs[1] = rh; }
    record64(c, alo, ahi, blo, bhi, r, rh);
  };
}

/** Every encoding of group-1 op `op` (0..7), keyed by iced Code name. */
export function group1Handlers(op: number): HandlerMap {
  const n = GROUP1_NAMES[op];
  const h: HandlerMap = {};
  h[`${n}_rm8_r8`] = rmReg(op, 8); h[`${n}_rm16_r16`] = rmReg(op, 16); h[`${n}_rm32_r32`] = rmReg(op, 32);
  h[`${n}_rm64_r64`] = rmReg64(op);
  h[`${n}_r8_rm8`] = regRm(op, 8); h[`${n}_r16_rm16`] = regRm(op, 16); h[`${n}_r32_rm32`] = regRm(op, 32);
  h[`${n}_r64_rm64`] = regRm64(op);
  h[`${n}_AL_imm8`] = accImm(op, 8); h[`${n}_AX_imm16`] = accImm(op, 16); h[`${n}_EAX_imm32`] = accImm(op, 32);
  h[`${n}_RAX_imm32`] = accImm64(op);
  h[`${n}_rm8_imm8`] = h[`${n}_rm8_imm8_82`] = rmImm(op, 8);
  h[`${n}_rm16_imm16`] = h[`${n}_rm16_imm8`] = rmImm(op, 16);
  h[`${n}_rm32_imm32`] = h[`${n}_rm32_imm8`] = rmImm(op, 32);
  h[`${n}_rm64_imm32`] = h[`${n}_rm64_imm8`] = rmImm64(op);
  return h;
}

/** Every TEST encoding. */
export function testHandlers(): HandlerMap {
  const op = OP_TEST;
  return {
    Test_rm8_r8: rmReg(op, 8), Test_rm16_r16: rmReg(op, 16), Test_rm32_r32: rmReg(op, 32), Test_rm64_r64: rmReg64(op),
    Test_AL_imm8: accImm(op, 8), Test_AX_imm16: accImm(op, 16), Test_EAX_imm32: accImm(op, 32), Test_RAX_imm32: accImm64(op),
    Test_rm8_imm8: rmImm(op, 8), Test_rm8_imm8_F6r1: rmImm(op, 8),
    Test_rm16_imm16: rmImm(op, 16), Test_rm16_imm16_F7r1: rmImm(op, 16),
    Test_rm32_imm32: rmImm(op, 32), Test_rm32_imm32_F7r1: rmImm(op, 32),
    Test_rm64_imm32: rmImm64(op), Test_rm64_imm32_F7r1: rmImm64(op),
  };
}
