// SHLD and SHRD (imm8 and CL counts) at 16/32/64 bits. 16-bit counts above 16 (undefined in the SDM) shift
// the 48-bit pattern dst:src:dst as P6-family processors do; a masked count of 0 changes nothing.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { setResultFlags } from '../flags';
import { HandlerMap, lockUD, rmwLin } from './alu-common';
import { bit64 } from './shift-core';

let outCF = 0;
let outHi = 0;

function shld16(d: number, s: number, n: number): number {
  const v = d * 4294967296 + s * 65536 + d; // dst:src:dst, 48 bits
  outCF = Math.floor(v / 2 ** (48 - n)) & 1;
  return Math.floor(v / 2 ** (32 - n)) & 0xffff;
}
function shrd16(d: number, s: number, n: number): number {
  const v = d * 4294967296 + s * 65536 + d;
  outCF = Math.floor(v / 2 ** (n - 1)) & 1;
  return Math.floor(v / 2 ** n) & 0xffff;
}
function shld32(d: number, s: number, n: number): number {
  outCF = (d >>> (32 - n)) & 1;
  return (d << n) | (s >>> (32 - n));
}
function shrd32(d: number, s: number, n: number): number {
  outCF = (d >>> (n - 1)) & 1;
  return (d >>> n) | (s << (32 - n));
}
function shld64(dlo: number, dhi: number, slo: number, shi: number, n: number): number {
  outCF = bit64(dlo, dhi, 64 - n);
  let k = n;
  if (k >= 32) { dhi = dlo; dlo = shi; shi = slo; k -= 32; }
  if (k === 0) { outHi = dhi; return dlo; }
  outHi = (dhi << k) | (dlo >>> (32 - k));
  return (dlo << k) | (shi >>> (32 - k));
}
function shrd64(dlo: number, dhi: number, slo: number, shi: number, n: number): number {
  outCF = bit64(dlo, dhi, n - 1);
  let k = n;
  if (k >= 32) { dlo = dhi; dhi = slo; slo = shi; k -= 32; }
  if (k === 0) { outHi = dhi; return dlo; }
  outHi = (dhi >>> k) | (slo << (32 - k));
  return (dlo >>> k) | (dhi << (32 - k));
}

function cnt(c: Cpu, i: Insn, cl: boolean, mask: number): number { return (cl ? c.regs[2] : i.imm) & mask; }

function dbl16(left: boolean, cl: boolean): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const n = cnt(c, i, cl, 31), s = c.getReg16(i.reg);
    const lin = i.isMem ? rmwLin(c, i, 2) : 0;
    const d = i.isMem ? c.readLin16(lin) : c.getReg16(i.rm);
    if (n === 0) return;
    const r = left ? shld16(d, s, n) : shrd16(d, s, n);
    if (i.isMem) c.writeLin16(lin, r); else c.setReg16(i.rm, r);
    setResultFlags(c, 16, r, 0, outCF !== 0, ((r ^ d) & 0x8000) !== 0);
  };
}
function dbl32(left: boolean, cl: boolean): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const n = cnt(c, i, cl, 31), s = c.regs[i.reg << 1];
    const lin = i.isMem ? rmwLin(c, i, 4) : 0;
    const d = i.isMem ? c.readLin32(lin) : c.regs[i.rm << 1];
    if (n === 0) { if (!i.isMem) c.setReg32(i.rm, d); return; }
    const r = left ? shld32(d, s, n) : shrd32(d, s, n);
    if (i.isMem) c.writeLin32(lin, r); else c.setReg32(i.rm, r);
    setResultFlags(c, 32, r, 0, outCF !== 0, (r ^ d) < 0);
  };
}
function dbl64(left: boolean, cl: boolean): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const n = cnt(c, i, cl, 63), k = i.reg << 1, slo = c.regs[k], shi = c.regs[k + 1];
    const lin = i.isMem ? rmwLin(c, i, 8) : 0;
    let dlo: number, dhi: number;
    if (i.isMem) { dlo = c.readLin64(lin); dhi = c.rhi; } else { dlo = c.regs[i.rm << 1]; dhi = c.regs[(i.rm << 1) + 1]; }
    if (n === 0) return;
    const r = left ? shld64(dlo, dhi, slo, shi, n) : shrd64(dlo, dhi, slo, shi, n), rh = outHi;
    if (i.isMem) c.writeLin64(lin, r, rh); else c.setReg64(i.rm, r, rh);
    setResultFlags(c, 64, r, rh, outCF !== 0, (rh ^ dhi) < 0);
  };
}

export const shiftDoubleHandlers: HandlerMap = {
  Shld_rm16_r16_imm8: dbl16(true, false), Shld_rm16_r16_CL: dbl16(true, true),
  Shld_rm32_r32_imm8: dbl32(true, false), Shld_rm32_r32_CL: dbl32(true, true),
  Shld_rm64_r64_imm8: dbl64(true, false), Shld_rm64_r64_CL: dbl64(true, true),
  Shrd_rm16_r16_imm8: dbl16(false, false), Shrd_rm16_r16_CL: dbl16(false, true),
  Shrd_rm32_r32_imm8: dbl32(false, false), Shrd_rm32_r32_CL: dbl32(false, true),
  Shrd_rm64_r64_imm8: dbl64(false, false), Shrd_rm64_r64_CL: dbl64(false, true),
};
