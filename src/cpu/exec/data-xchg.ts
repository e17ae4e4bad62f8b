// Exchange-family handlers: xchg (incl. the 90+r forms), cmpxchg, xadd, cmpxchg8b/16b, bswap, movbe.
// Memory destinations are translated for writing first, so a fault leaves every register unchanged.

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import { RAX, RCX, RDX, RBX } from '../state';
import { CpuFault, GP } from '../fault';
import { F_ZF, setFlags } from '../flags';
import { recordSub, recordAdd, maskTo, bswap16, bswap32, rmwLinear } from './data-common';

// ---- xchg ----
function xchg(size: number): Handler {
  return (c, i) => {
    const r = i.reg;
    const rv = c.getReg(size, r), rvHi = c.rhi;
    if (i.isMem) {
      const lin = rmwLinear(c, i, size >> 3);
      const mv = c.readLin(lin, size), mvHi = c.rhi;
      c.writeLin(lin, size, rv, rvHi);
      c.setReg(size, r, mv, mvHi);
    } else {
      const mv = c.getReg(size, i.rm), mvHi = c.rhi;
      c.setReg(size, i.rm, rv, rvHi);
      c.setReg(size, r, mv, mvHi);
    }
  };
}
/** xchg r, rAX (opcode 90+r; reg holds r with REX.B). */
function xchgAcc(size: number): Handler {
  return (c, i) => {
    const r = i.reg;
    const a = c.getReg(size, RAX), aHi = c.rhi;
    const v = c.getReg(size, r), vHi = c.rhi;
    c.setReg(size, RAX, v, vHi);
    c.setReg(size, r, a, aHi);
  };
}

// ---- cmpxchg: compare rAX with r/m (flags as cmp rAX, r/m); equal: r/m = reg; else rAX = r/m (memory rewritten) ----
function cmpxchg(size: number): Handler {
  return (c, i) => {
    const acc = c.getReg(size, RAX), accHi = c.rhi;
    const src = c.getReg(size, i.reg), srcHi = c.rhi;
    if (i.isMem) {
      const lin = rmwLinear(c, i, size >> 3);
      const d = c.readLin(lin, size), dHi = c.rhi;
      const eq = size === 64 ? d === acc && dHi === accHi : maskTo(size, d) === maskTo(size, acc);
      if (eq) c.writeLin(lin, size, src, srcHi);
      else c.writeLin(lin, size, d, dHi);
      recordSub(c, size, acc, accHi, d, dHi);
      if (!eq) c.setReg(size, RAX, d, dHi);
    } else {
      const d = c.getReg(size, i.rm), dHi = c.rhi;
      const eq = recordSub(c, size, acc, accHi, d, dHi);
      if (eq) c.setReg(size, i.rm, src, srcHi);
      else c.setReg(size, RAX, d, dHi);
    }
  };
}

// ---- xadd: tmp = dst + src; src = dst; dst = tmp (flags as add) ----
function xadd(size: number): Handler {
  return (c, i) => {
    const s = c.getReg(size, i.reg), sHi = c.rhi;
    if (i.isMem) {
      const lin = rmwLinear(c, i, size >> 3);
      const d = c.readLin(lin, size), dHi = c.rhi;
      const lo = sumNoFlags(size, d, dHi, s, sHi), hi = sumHi;
      c.writeLin(lin, size, lo, hi);
      recordAdd(c, size, d, dHi, s, sHi);
      c.setReg(size, i.reg, d, dHi);
    } else {
      const d = c.getReg(size, i.rm), dHi = c.rhi;
      const lo = recordAdd(c, size, d, dHi, s, sHi), hi = c.rhi;
      c.setReg(size, i.reg, d, dHi);
      c.setReg(size, i.rm, lo, hi);
    }
  };
}
let sumHi = 0;
/** The sum without touching the flags (computed before a store that may fault); high half in sumHi. */
function sumNoFlags(size: number, a: number, aHi: number, b: number, bHi: number): number {
  if (size === 64) {
    const s = (a >>> 0) + (b >>> 0);
    sumHi = (aHi + bHi + (s >= 4294967296 ? 1 : 0)) | 0;
    return s | 0;
  }
  sumHi = 0;
  return maskTo(size, a + b);
}

// ---- cmpxchg8b / cmpxchg16b ----
function cmpxchg8b(c: Cpu, i: Insn): void {
  const lin = rmwLinear(c, i, 8);
  const lo = c.readLin32(lin), hi = c.readLin32(lin + 4);
  const eax = c.regs[RAX << 1], edx = c.regs[RDX << 1];
  if (lo === eax && hi === edx) {
    c.writeLin64(lin, c.regs[RBX << 1], c.regs[RCX << 1]);
    setFlags(c, F_ZF, F_ZF);
  } else {
    c.writeLin64(lin, lo, hi);
    setFlags(c, 0, F_ZF);
    c.setReg32(RAX, lo);
    c.setReg32(RDX, hi);
  }
}
function cmpxchg16b(c: Cpu, i: Insn): void {
  const lin = c.linear(i, 16, true);
  if ((lin & 15) !== 0) throw new CpuFault(GP, 0);
  rmwLinear(c, i, 16);
  const lo0 = c.readLin64(lin), lo1 = c.rhi;
  const hi0 = c.readLin64(lin + 8), hi1 = c.rhi;
  const r = c.regs;
  if (lo0 === r[RAX << 1] && lo1 === r[(RAX << 1) + 1] && hi0 === r[RDX << 1] && hi1 === r[(RDX << 1) + 1]) {
    // 16-byte aligned: both halves lie in one page, so the second store cannot fault after the first.
    c.writeLin64(lin, r[RBX << 1], r[(RBX << 1) + 1]);
    c.writeLin64(lin + 8, r[RCX << 1], r[(RCX << 1) + 1]);
    setFlags(c, F_ZF, F_ZF);
  } else {
    c.writeLin64(lin, lo0, lo1);
    c.writeLin64(lin + 8, hi0, hi1);
    setFlags(c, 0, F_ZF);
    c.setReg64(RAX, lo0, lo1);
    c.setReg64(RDX, hi0, hi1);
  }
}

// ---- bswap (16-bit operand: undefined; we clear the low word as most hardware does) ----
const bswapR16: Handler = (c, i) => c.setReg16(i.reg, 0);
const bswapR32: Handler = (c, i) => c.setReg32(i.reg, bswap32(c.regs[i.reg << 1]));
const bswapR64: Handler = (c, i) => {
  const k = i.reg << 1;
  const lo = c.regs[k], hi = c.regs[k + 1];
  c.setReg64(i.reg, bswap32(hi), bswap32(lo));
};

// ---- movbe (memory operand only) ----
const movbeR16M: Handler = (c, i) => c.setReg16(i.reg, bswap16(c.readRM16(i)));
const movbeR32M: Handler = (c, i) => c.setReg32(i.reg, bswap32(c.readRM32(i)));
const movbeR64M: Handler = (c, i) => { const lo = c.readRM64(i), hi = c.rhi; c.setReg64(i.reg, bswap32(hi), bswap32(lo)); };
const movbeM16R: Handler = (c, i) => c.writeRM16(i, bswap16(c.regs[i.reg << 1]));
const movbeM32R: Handler = (c, i) => c.writeRM32(i, bswap32(c.regs[i.reg << 1]));
const movbeM64R: Handler = (c, i) => { const k = i.reg << 1; c.writeRM64(i, bswap32(c.regs[k + 1]), bswap32(c.regs[k])); };

export const xchgHandlers: Record<string, Handler> = {
  Xchg_rm8_r8: xchg(8), Xchg_rm16_r16: xchg(16), Xchg_rm32_r32: xchg(32), Xchg_rm64_r64: xchg(64),
  Xchg_r16_AX: xchgAcc(16), Xchg_r32_EAX: xchgAcc(32), Xchg_r64_RAX: xchgAcc(64),
  Cmpxchg_rm8_r8: cmpxchg(8), Cmpxchg_rm16_r16: cmpxchg(16), Cmpxchg_rm32_r32: cmpxchg(32), Cmpxchg_rm64_r64: cmpxchg(64),
  Cmpxchg486_rm8_r8: cmpxchg(8), Cmpxchg486_rm16_r16: cmpxchg(16), Cmpxchg486_rm32_r32: cmpxchg(32),
  Xadd_rm8_r8: xadd(8), Xadd_rm16_r16: xadd(16), Xadd_rm32_r32: xadd(32), Xadd_rm64_r64: xadd(64),
  Cmpxchg8b_m64: cmpxchg8b, Cmpxchg16b_m128: cmpxchg16b,
  Bswap_r16: bswapR16, Bswap_r32: bswapR32, Bswap_r64: bswapR64,
  Movbe_r16_m16: movbeR16M, Movbe_r32_m32: movbeR32M, Movbe_r64_m64: movbeR64M,
  Movbe_m16_r16: movbeM16R, Movbe_m32_r32: movbeM32R, Movbe_m64_r64: movbeM64R,
};
