// SSE/SSE2 data movement: movd/movq (GPR and xmm/m64 forms), 128-bit aligned/unaligned moves, scalar
// movss/movsd, movlps/movhps/movlpd/movhpd, movhlps/movlhps, non-temporal stores, maskmovdqu, move-mask.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { TWO32 } from '../../common/bits';
import {
  sseCheck, A, A8, B, B8, getX, setX, loadSrc128, memLinear, writeLin128, probeWrite, linAdd,
} from './sse-common';

// ---- movd / movq with general registers ----
const movdXmmRm32: Handler = (cpu, i) => {
  sseCheck(cpu);
  const v = cpu.readRM32(i);
  const x = cpu.xmm, k = i.reg << 2;
  x[k] = v; x[k + 1] = 0; x[k + 2] = 0; x[k + 3] = 0;
};
const movqXmmRm64: Handler = (cpu, i) => {
  sseCheck(cpu);
  const lo = cpu.readRM64(i), hi = cpu.rhi;
  const x = cpu.xmm, k = i.reg << 2;
  x[k] = lo; x[k + 1] = hi; x[k + 2] = 0; x[k + 3] = 0;
};
const movdRm32Xmm: Handler = (cpu, i) => {
  sseCheck(cpu);
  cpu.writeRM32(i, cpu.xmm[i.reg << 2]);
};
const movqRm64Xmm: Handler = (cpu, i) => {
  sseCheck(cpu);
  const k = i.reg << 2;
  cpu.writeRM64(i, cpu.xmm[k], cpu.xmm[k + 1]);
};

// ---- movq xmm, xmm/m64 (F3 0F 7E: zero-extends) and movq xmm/m64, xmm (66 0F D6) ----
const movqXmmXmmm64: Handler = (cpu, i) => {
  sseCheck(cpu);
  let lo: number, hi: number;
  if (i.isMem) { lo = cpu.readLin64(cpu.linear(i, 8, false)); hi = cpu.rhi; }
  else { const s = i.rm << 2; lo = cpu.xmm[s]; hi = cpu.xmm[s + 1]; }
  const x = cpu.xmm, k = i.reg << 2;
  x[k] = lo; x[k + 1] = hi; x[k + 2] = 0; x[k + 3] = 0;
};
const movqXmmm64Xmm: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, s = i.reg << 2;
  const lo = x[s], hi = x[s + 1];
  if (i.isMem) { cpu.writeLin64(cpu.linear(i, 8, true), lo, hi); return; }
  const k = i.rm << 2;
  x[k] = lo; x[k + 1] = hi; x[k + 2] = 0; x[k + 3] = 0;
};

// ---- 128-bit moves (movdqa/movaps/movapd aligned; movdqu/movups/movupd not) ----
function load128(aligned: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    loadSrc128(cpu, i, A, aligned);
    setX(cpu, i.reg, A);
  };
}
function store128(aligned: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    getX(cpu, i.reg, A);
    if (i.isMem) writeLin128(cpu, memLinear(cpu, i, 16, true, aligned ? 16 : 0), A);
    else setX(cpu, i.rm, A);
  };
}
/** Non-temporal 128-bit store: memory only (the decoder rejects mod == 3), always aligned. */
const storeNt128: Handler = (cpu, i) => {
  sseCheck(cpu);
  getX(cpu, i.reg, A);
  writeLin128(cpu, memLinear(cpu, i, 16, true, 16), A);
};
/** movnti m32/m64, r: an ordinary GPR store (SSE2 but no CR0/CR4 checks: it touches no SSE state). */
const movntiM32: Handler = (cpu, i) => { cpu.writeLin32(cpu.linear(i, 4, true), cpu.regs[i.reg << 1]); };
const movntiM64: Handler = (cpu, i) => {
  const k = i.reg << 1;
  cpu.writeLin64(cpu.linear(i, 8, true), cpu.regs[k], cpu.regs[k + 1]);
};

// ---- scalar moves: register forms merge lane(s), loads zero the rest, stores write only the scalar ----
const movssLoad: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, k = i.reg << 2;
  if (i.isMem) {
    const v = cpu.readLin32(cpu.linear(i, 4, false));
    x[k] = v; x[k + 1] = 0; x[k + 2] = 0; x[k + 3] = 0;
  } else x[k] = x[i.rm << 2];
};
const movssStore: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, v = x[i.reg << 2];
  if (i.isMem) cpu.writeLin32(cpu.linear(i, 4, true), v);
  else x[i.rm << 2] = v;
};
const movsdLoad: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, k = i.reg << 2;
  if (i.isMem) {
    const lo = cpu.readLin64(cpu.linear(i, 8, false)), hi = cpu.rhi;
    x[k] = lo; x[k + 1] = hi; x[k + 2] = 0; x[k + 3] = 0;
  } else { const s = i.rm << 2; x[k] = x[s]; x[k + 1] = x[s + 1]; }
};
const movsdStore: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, s = i.reg << 2;
  if (i.isMem) cpu.writeLin64(cpu.linear(i, 8, true), x[s], x[s + 1]);
  else { const k = i.rm << 2; x[k] = x[s]; x[k + 1] = x[s + 1]; }
};

// ---- half moves: `half` 0 = low qword, 1 = high qword ----
function loadHalf(half: number): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    const lo = cpu.readLin64(cpu.linear(i, 8, false)), hi = cpu.rhi;
    const k = (i.reg << 2) + (half << 1);
    cpu.xmm[k] = lo; cpu.xmm[k + 1] = hi;
  };
}
function storeHalf(half: number): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    const s = (i.reg << 2) + (half << 1);
    cpu.writeLin64(cpu.linear(i, 8, true), cpu.xmm[s], cpu.xmm[s + 1]);
  };
}
/** movhlps: dest low qword = source high qword. */
const movhlps: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, k = i.reg << 2, s = i.rm << 2;
  x[k] = x[s + 2]; x[k + 1] = x[s + 3];
};
/** movlhps: dest high qword = source low qword. */
const movlhps: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, k = i.reg << 2, s = i.rm << 2;
  x[k + 2] = x[s]; x[k + 3] = x[s + 1];
};

// ---- move masks into a general register (zero-extended to 32 or 64 bits) ----
function setGpr(cpu: Cpu, i: Insn, v: number): void { cpu.setReg64(i.reg, v, 0); }
const pmovmskb: Handler = (cpu, i) => {
  sseCheck(cpu);
  getX(cpu, i.rm, A);
  let m = 0;
  for (let b = 15; b >= 0; b--) m = (m << 1) | (A8[b] >>> 7);
  setGpr(cpu, i, m);
};
const movmskps: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, s = i.rm << 2;
  setGpr(cpu, i, (x[s] >>> 31) | ((x[s + 1] >>> 31) << 1) | ((x[s + 2] >>> 31) << 2) | ((x[s + 3] >>> 31) << 3));
};
const movmskpd: Handler = (cpu, i) => {
  sseCheck(cpu);
  const x = cpu.xmm, s = i.rm << 2;
  setGpr(cpu, i, (x[s + 1] >>> 31) | ((x[s + 3] >>> 31) << 1));
};

/**
 * maskmovdqu: store the bytes of XMM(reg) whose mask byte (XMM(rm)) has its top bit set, at seg:rDI
 * (DS unless overridden, address size from the instruction). All 16 bytes' pages are checked first.
 */
const maskmovdqu: Handler = (cpu, i) => {
  sseCheck(cpu);
  getX(cpu, i.reg, A);
  getX(cpu, i.rm, B);
  let mask = 0;
  for (let b = 0; b < 16; b++) if (B8[b] & 0x80) mask |= 1 << b;
  const k = 7 << 1; // rDI
  const off = i.asize === 64 ? cpu.regs[k + 1] * TWO32 + (cpu.regs[k] >>> 0)
    : i.asize === 32 ? cpu.regs[k] >>> 0 : cpu.regs[k] & 0xffff;
  if (mask === 0) return;
  const lin = cpu.segmentOffset(i.seg, off, 16, true);
  probeWrite(cpu, lin, 16);
  for (let b = 0; b < 16; b++) if (mask & (1 << b)) cpu.writeLin8(linAdd(cpu, lin, b), A8[b]);
};

/** pinsrw xmm, r32/m16, imm8: word imm&7 of XMM(reg) from the low word of a GPR or memory. */
const pinsrw: Handler = (cpu, i) => {
  sseCheck(cpu);
  const v = cpu.readRM16(i);
  const x16 = new Uint16Array(cpu.xmm.buffer, i.reg << 4, 8);
  x16[i.imm & 7] = v;
};
/** pextrw r32/r64, xmm, imm8: word imm&7 of XMM(rm), zero-extended into the GPR. */
const pextrw: Handler = (cpu, i) => {
  sseCheck(cpu);
  getX(cpu, i.rm, A);
  const w = i.imm & 7;
  setGpr(cpu, i, (A[w >> 1] >>> ((w & 1) << 4)) & 0xffff);
};

export const sseMoveHandlers: Record<string, Handler> = {
  Movd_xmm_rm32: movdXmmRm32, Movq_xmm_rm64: movqXmmRm64,
  Movd_rm32_xmm: movdRm32Xmm, Movq_rm64_xmm: movqRm64Xmm,
  Movq_xmm_xmmm64: movqXmmXmmm64, Movq_xmmm64_xmm: movqXmmm64Xmm,
  Movdqa_xmm_xmmm128: load128(true), Movdqa_xmmm128_xmm: store128(true),
  Movdqu_xmm_xmmm128: load128(false), Movdqu_xmmm128_xmm: store128(false),
  Movaps_xmm_xmmm128: load128(true), Movaps_xmmm128_xmm: store128(true),
  Movapd_xmm_xmmm128: load128(true), Movapd_xmmm128_xmm: store128(true),
  Movups_xmm_xmmm128: load128(false), Movups_xmmm128_xmm: store128(false),
  Movupd_xmm_xmmm128: load128(false), Movupd_xmmm128_xmm: store128(false),
  Movntdq_m128_xmm: storeNt128, Movntps_m128_xmm: storeNt128, Movntpd_m128_xmm: storeNt128,
  Movnti_m32_r32: movntiM32, Movnti_m64_r64: movntiM64,
  Movss_xmm_xmmm32: movssLoad, Movss_xmmm32_xmm: movssStore,
  Movsd_xmm_xmmm64: movsdLoad, Movsd_xmmm64_xmm: movsdStore,
  Movlps_xmm_m64: loadHalf(0), Movlpd_xmm_m64: loadHalf(0),
  Movhps_xmm_m64: loadHalf(1), Movhpd_xmm_m64: loadHalf(1),
  Movlps_m64_xmm: storeHalf(0), Movlpd_m64_xmm: storeHalf(0),
  Movhps_m64_xmm: storeHalf(1), Movhpd_m64_xmm: storeHalf(1),
  Movhlps_xmm_xmm: movhlps, Movlhps_xmm_xmm: movlhps,
  Pmovmskb_r32_xmm: pmovmskb, Pmovmskb_r64_xmm: pmovmskb,
  Movmskps_r32_xmm: movmskps, Movmskps_r64_xmm: movmskps,
  Movmskpd_r32_xmm: movmskpd, Movmskpd_r64_xmm: movmskpd,
  Maskmovdqu_rDI_xmm_xmm: maskmovdqu,
  Pinsrw_xmm_r32m16_imm8: pinsrw, Pinsrw_xmm_r64m16_imm8: pinsrw,
  Pextrw_r32_xmm_imm8: pextrw, Pextrw_r64_xmm_imm8: pextrw,
  Lddqu_xmm_m128: load128(false),
};
