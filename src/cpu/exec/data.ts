// Data-transfer handlers: mov (all forms incl. moffs and imm64), movzx/movsx/movsxd, lea, the sign
// conversions (cbw..cqo), xlat and the nop family. Exchanges and byte swaps come from data-xchg.ts.

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import { RAX, RDX, RBX, SS } from '../state';
import { effectiveAddress, getIndex, implicitLinear, wrapAddr } from './ea';
import { TWO32, isCanonicalHi } from '../../common/bits';
import { CpuFault, GP, SS as SS_FAULT } from '../fault';
import { xchgHandlers } from './data-xchg';

const nop: Handler = () => {};

// ---- mov r/m <-> r ----
const movRm8R8: Handler = (c, i) => c.writeRM8(i, c.getReg8(i.reg));
const movRm16R16: Handler = (c, i) => c.writeRM16(i, c.regs[i.reg << 1]);
const movRm32R32: Handler = (c, i) => c.writeRM32(i, c.regs[i.reg << 1]);
const movRm64R64: Handler = (c, i) => { const k = i.reg << 1; c.writeRM64(i, c.regs[k], c.regs[k + 1]); };
const movR8Rm8: Handler = (c, i) => c.setReg8(i.reg, c.readRM8(i));
const movR16Rm16: Handler = (c, i) => c.setReg16(i.reg, c.readRM16(i));
const movR32Rm32: Handler = (c, i) => c.setReg32(i.reg, c.readRM32(i));
const movR64Rm64: Handler = (c, i) => { const lo = c.readRM64(i); c.setReg64(i.reg, lo, c.rhi); };

// ---- mov with immediates ----
const movR8Imm: Handler = (c, i) => c.setReg8(i.reg, i.imm);
const movR16Imm: Handler = (c, i) => c.setReg16(i.reg, i.imm);
const movR32Imm: Handler = (c, i) => c.setReg32(i.reg, i.imm);
const movR64Imm64: Handler = (c, i) => c.setReg64(i.reg, i.imm, i.immHi);
const movRm8Imm: Handler = (c, i) => c.writeRM8(i, i.imm);
const movRm16Imm: Handler = (c, i) => c.writeRM16(i, i.imm);
const movRm32Imm: Handler = (c, i) => c.writeRM32(i, i.imm);
const movRm64Imm32: Handler = (c, i) => c.writeRM64(i, i.imm, i.imm >> 31);

// ---- mov accumulator <-> moffs (the offset is disp/dispHi at the address size; segment override applies) ----
function moffsLoad(size: number): Handler {
  return (c, i) => {
    const v = c.readLin(c.linear(i, size >> 3, false), size);
    c.setReg(size, RAX, v, c.rhi);
  };
}
function moffsStore(size: number): Handler {
  return (c, i) => {
    const k = RAX << 1;
    c.writeLin(c.linear(i, size >> 3, true), size, c.regs[k], c.regs[k + 1]);
  };
}

// ---- movzx / movsx / movsxd ----
const movzxR16Rm8: Handler = (c, i) => c.setReg16(i.reg, c.readRM8(i));
const movzxR32Rm8: Handler = (c, i) => c.setReg32(i.reg, c.readRM8(i));
const movzxR16Rm16: Handler = (c, i) => c.setReg16(i.reg, c.readRM16(i));
const movzxR32Rm16: Handler = (c, i) => c.setReg32(i.reg, c.readRM16(i));
const movsxR16Rm8: Handler = (c, i) => c.setReg16(i.reg, (c.readRM8(i) << 24) >> 24);
const movsxR32Rm8: Handler = (c, i) => c.setReg32(i.reg, (c.readRM8(i) << 24) >> 24);
const movsxR64Rm8: Handler = (c, i) => { const v = (c.readRM8(i) << 24) >> 24; c.setReg64(i.reg, v, v >> 31); };
const movsxR16Rm16: Handler = (c, i) => c.setReg16(i.reg, c.readRM16(i));
const movsxR32Rm16: Handler = (c, i) => c.setReg32(i.reg, (c.readRM16(i) << 16) >> 16);
const movsxR64Rm16: Handler = (c, i) => { const v = (c.readRM16(i) << 16) >> 16; c.setReg64(i.reg, v, v >> 31); };
const movsxdR64Rm32: Handler = (c, i) => { const v = c.readRM32(i); c.setReg64(i.reg, v, v >> 31); };

// ---- lea: the effective address only, truncated/zero-extended to the operand size ----
const leaR16: Handler = (c, i) => c.setReg16(i.reg, effectiveAddress(c, i));
const leaR32: Handler = (c, i) => c.setReg32(i.reg, effectiveAddress(c, i));
const leaR64: Handler = (c, i) => { const lo = effectiveAddress(c, i); c.setReg64(i.reg, lo, c.rhi); };

// ---- sign conversions ----
const cbw: Handler = (c) => c.setReg16(RAX, (c.regs[0] << 24) >> 24);
const cwde: Handler = (c) => c.setReg32(RAX, (c.regs[0] << 16) >> 16);
const cdqe: Handler = (c) => { const v = c.regs[0]; c.setReg64(RAX, v, v >> 31); };
const cwd: Handler = (c) => c.setReg16(RDX, (c.regs[0] << 16) >> 31);
const cdq: Handler = (c) => c.setReg32(RDX, c.regs[0] >> 31);
const cqo: Handler = (c) => { const s = c.regs[1] >> 31; c.setReg64(RDX, s, s); };

// ---- xlat: AL = [seg: rBX + zero-extended AL] at the address size ----
function xlat(c: Cpu, i: Insn): void {
  const as = i.asize;
  let off: number;
  if (as === 64) {
    const s = (c.regs[RBX << 1] >>> 0) + (c.regs[0] & 0xff);
    const hi = (c.regs[(RBX << 1) + 1] + (s >= TWO32 ? 1 : 0)) | 0;
    if (!isCanonicalHi(hi)) throw new CpuFault(i.seg === SS ? SS_FAULT : GP, 0);
    off = hi * TWO32 + (s >>> 0);
  } else off = wrapAddr(getIndex(c, RBX, as) + (c.regs[0] & 0xff), as);
  c.setReg8(RAX, c.readLin8(implicitLinear(c, i.seg, off, 1, false)));
}

export const dataHandlers: Record<string, Handler> = {
  Mov_rm8_r8: movRm8R8, Mov_rm16_r16: movRm16R16, Mov_rm32_r32: movRm32R32, Mov_rm64_r64: movRm64R64,
  Mov_r8_rm8: movR8Rm8, Mov_r16_rm16: movR16Rm16, Mov_r32_rm32: movR32Rm32, Mov_r64_rm64: movR64Rm64,
  Mov_r8_imm8: movR8Imm, Mov_r16_imm16: movR16Imm, Mov_r32_imm32: movR32Imm, Mov_r64_imm64: movR64Imm64,
  Mov_rm8_imm8: movRm8Imm, Mov_rm16_imm16: movRm16Imm, Mov_rm32_imm32: movRm32Imm, Mov_rm64_imm32: movRm64Imm32,
  Mov_AL_moffs8: moffsLoad(8), Mov_AX_moffs16: moffsLoad(16), Mov_EAX_moffs32: moffsLoad(32), Mov_RAX_moffs64: moffsLoad(64),
  Mov_moffs8_AL: moffsStore(8), Mov_moffs16_AX: moffsStore(16), Mov_moffs32_EAX: moffsStore(32), Mov_moffs64_RAX: moffsStore(64),

  Movzx_r16_rm8: movzxR16Rm8, Movzx_r32_rm8: movzxR32Rm8, Movzx_r64_rm8: movzxR32Rm8,
  Movzx_r16_rm16: movzxR16Rm16, Movzx_r32_rm16: movzxR32Rm16, Movzx_r64_rm16: movzxR32Rm16,
  Movsx_r16_rm8: movsxR16Rm8, Movsx_r32_rm8: movsxR32Rm8, Movsx_r64_rm8: movsxR64Rm8,
  Movsx_r16_rm16: movsxR16Rm16, Movsx_r32_rm16: movsxR32Rm16, Movsx_r64_rm16: movsxR64Rm16,
  Movsxd_r16_rm16: movR16Rm16, Movsxd_r32_rm32: movR32Rm32, Movsxd_r64_rm32: movsxdR64Rm32,

  Lea_r16_m: leaR16, Lea_r32_m: leaR32, Lea_r64_m: leaR64,

  Cbw: cbw, Cwde: cwde, Cdqe: cdqe, Cwd: cwd, Cdq: cdq, Cqo: cqo,
  Xlat_m8: xlat,

  Nopw: nop, Nopd: nop, Nopq: nop, Nop_rm16: nop, Nop_rm32: nop, Nop_rm64: nop, Pause: nop,
  ...xchgHandlers,
};
