// SSE/SSE2 floating point on Float32/Float64 lanes: add/sub/mul/div/min/max/sqrt (scalar and packed), cmp
// predicates 0-7, comis/ucomis, and int/float conversions. Round-to-nearest-even arithmetic (MXCSR.RC is honoured
// only by cvtss2si/cvtsd2si); MXCSR flags are not updated, #XM is never raised, DAZ/FZ are ignored.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { TWO32 } from '../../common/bits';
import { setFlags, F_ARITH, F_ZF, F_PF, F_CF } from '../flags';
import {
  sseCheck, A, B, Af32, Bf32, Af64, Bf64, getX, setX, loadSrc128, loadSrc64, loadSrc32,
} from './sse-common';

type Op = (a: number, b: number) => number;
const add: Op = (a, b) => a + b, sub: Op = (a, b) => a - b, mul: Op = (a, b) => a * b, div: Op = (a, b) => a / b;
const sqrt: Op = (_a, b) => Math.sqrt(b);
/** min/max: the second operand when either is NaN or both are zero (of either sign). */
const min: Op = (a, b) => (a < b ? a : b), max: Op = (a, b) => (a > b ? a : b);

const DEFAULT_NAN32 = 0xffc00000 | 0, DEFAULT_NAN64_HI = 0xfff80000 | 0;
function isNaN32(x: number): boolean { return (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0; }
function isNaN64(lo: number, hi: number): boolean { return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0; }

/** Float32 lane k of A = op(A[k], B[k]) with SSE NaN rules; `minmax` returns B on any NaN without quieting. */
function lane32(k: number, op: Op, unary: boolean, minmax: boolean): void {
  const a = A[k], b = B[k];
  const na = !unary && isNaN32(a), nb = isNaN32(b);
  if (minmax) { if (na || nb) { A[k] = b; return; } }
  else if (na) { A[k] = a | 0x400000; return; }
  else if (nb) { A[k] = b | 0x400000; return; }
  const r = Math.fround(op(Af32[k], Bf32[k]));
  if (r !== r) A[k] = DEFAULT_NAN32; else Af32[k] = r;
}
/** Float64 lane q (dwords 2q, 2q+1) as lane32. */
function lane64(q: number, op: Op, unary: boolean, minmax: boolean): void {
  const k = q << 1;
  const na = !unary && isNaN64(A[k], A[k + 1]), nb = isNaN64(B[k], B[k + 1]);
  if (minmax) { if (na || nb) { A[k] = B[k]; A[k + 1] = B[k + 1]; return; } }
  else if (na) { A[k + 1] |= 0x80000; return; }
  else if (nb) { A[k] = B[k]; A[k + 1] = B[k + 1] | 0x80000; return; }
  const r = op(Af64[q], Bf64[q]);
  if (r !== r) { A[k] = 0; A[k + 1] = DEFAULT_NAN64_HI; } else Af64[q] = r;
}

/** Arithmetic handler: width 32/64, lanes = 1 (scalar: the other lanes of the destination are kept) or all. */
function arith(width: 32 | 64, packed: boolean, op: Op): Handler {
  const unary = op === sqrt, minmax = op === min || op === max;
  return (cpu, i) => {
    sseCheck(cpu);
    if (packed) loadSrc128(cpu, i, B, true);
    else if (width === 32) loadSrc32(cpu, i, B);
    else loadSrc64(cpu, i, B);
    getX(cpu, i.reg, A);
    const n = packed ? (width === 32 ? 4 : 2) : 1;
    for (let k = 0; k < n; k++) if (width === 32) lane32(k, op, unary, minmax); else lane64(k, op, unary, minmax);
    setX(cpu, i.reg, A);
  };
}

/** cmpXX predicate imm8 & 7: EQ LT LE UNORD NEQ NLT NLE ORD. */
function predicate(p: number, a: number, b: number): boolean {
  const unord = a !== a || b !== b;
  switch (p & 7) {
    case 0: return a === b;
    case 1: return a < b;
    case 2: return a <= b;
    case 3: return unord;
    case 4: return !(a === b);
    case 5: return !(a < b);
    case 6: return !(a <= b);
    default: return !unord;
  }
}
function cmp(width: 32 | 64, packed: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    if (packed) loadSrc128(cpu, i, B, true);
    else if (width === 32) loadSrc32(cpu, i, B);
    else loadSrc64(cpu, i, B);
    getX(cpu, i.reg, A);
    const p = i.imm, n = packed ? (width === 32 ? 4 : 2) : 1;
    for (let k = 0; k < n; k++) {
      if (width === 32) A[k] = predicate(p, Af32[k], Bf32[k]) ? -1 : 0;
      else { const t = predicate(p, Af64[k], Bf64[k]) ? -1 : 0; A[2 * k] = t; A[2 * k + 1] = t; }
    }
    setX(cpu, i.reg, A);
  };
}

/** comis/ucomis: ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal; OF SF AF cleared. */
function comis(width: 32 | 64): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    if (width === 32) loadSrc32(cpu, i, B); else loadSrc64(cpu, i, B);
    getX(cpu, i.reg, A);
    const a = width === 32 ? Af32[0] : Af64[0], b = width === 32 ? Bf32[0] : Bf64[0];
    const f = a !== a || b !== b ? F_ZF | F_PF | F_CF : a > b ? 0 : a < b ? F_CF : F_ZF;
    setFlags(cpu, f, F_ARITH);
  };
}

// ---- conversions ----
/** Signed 64-bit (lo, hi) to the nearest float32, with a sticky bit so the double step cannot double-round. */
function i64ToF32(lo: number, hi: number): number {
  const neg = hi < 0;
  if (neg) { lo = -lo | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; }
  let mhi = hi >>> 0, mlo = lo >>> 0, scale = 1;
  while (mhi >= 0x200000) { // more than 53 significant bits: shift right, keep a sticky bit
    const sticky = mlo & 1;
    mlo = ((mlo >>> 1) | ((mhi & 1) << 31)) >>> 0; mhi >>>= 1; mlo = (mlo | sticky) >>> 0; scale *= 2;
  }
  const v = Math.fround((mhi * TWO32 + mlo) * scale);
  return neg ? -v : v;
}
function readSrcInt(cpu: Cpu, i: Insn, is64: boolean): [number, number] {
  const lo = is64 ? cpu.readRM64(i) : cpu.readRM32(i);
  return [lo, is64 ? cpu.rhi : lo >> 31];
}
function cvtsi2ss(is64: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    const [lo, hi] = readSrcInt(cpu, i, is64);
    getX(cpu, i.reg, A);
    Af32[0] = is64 ? i64ToF32(lo, hi) : lo;
    setX(cpu, i.reg, A);
  };
}
function cvtsi2sd(is64: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    const [lo, hi] = readSrcInt(cpu, i, is64);
    getX(cpu, i.reg, A);
    Af64[0] = is64 ? hi * TWO32 + (lo >>> 0) : lo; // the exact sum rounds once (to nearest)
    setX(cpu, i.reg, A);
  };
}
function roundBy(cpu: Cpu, x: number, truncate: boolean): number {
  const rc = truncate ? 3 : (cpu.mxcsr >>> 13) & 3;
  if (rc === 3) return Math.trunc(x);
  if (rc === 1) return Math.floor(x);
  if (rc === 2) return Math.ceil(x);
  const f = Math.floor(x), d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 === 0 ? f : f + 1);
}
/** cvt(t)ss2si / cvt(t)sd2si: out of range or NaN gives the integer indefinite (0x80000000 / 0x80000000_00000000). */
function cvt2si(width: 32 | 64, is64: boolean, truncate: boolean): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    if (width === 32) loadSrc32(cpu, i, B); else loadSrc64(cpu, i, B);
    const x = width === 32 ? Bf32[0] : Bf64[0];
    const r = x !== x ? NaN : roundBy(cpu, x, truncate);
    if (is64) {
      if (!(r >= -9223372036854775808 && r < 9223372036854775808)) { cpu.setReg64(i.reg, 0, 0x80000000 | 0); return; }
      const hi = Math.floor(r / TWO32);
      cpu.setReg64(i.reg, (r - hi * TWO32) | 0, hi | 0);
    } else {
      cpu.setReg32(i.reg, r >= -2147483648 && r <= 2147483647 ? r | 0 : 0x80000000 | 0);
    }
  };
}
const cvtss2sd: Handler = (cpu, i) => {
  sseCheck(cpu);
  loadSrc32(cpu, i, B);
  getX(cpu, i.reg, A);
  const b = B[0];
  if (isNaN32(b)) { A[0] = (b & 0x7fffff) << 29; A[1] = (b & 0x80000000) | 0x7ff80000 | ((b & 0x3fffff) >>> 3); }
  else Af64[0] = Bf32[0];
  setX(cpu, i.reg, A);
};
const cvtsd2ss: Handler = (cpu, i) => {
  sseCheck(cpu);
  loadSrc64(cpu, i, B);
  getX(cpu, i.reg, A);
  const lo = B[0], hi = B[1];
  if (isNaN64(lo, hi)) A[0] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  else Af32[0] = Math.fround(Bf64[0]);
  setX(cpu, i.reg, A);
};

export const sseFloatHandlers: Record<string, Handler> = {
  Addss_xmm_xmmm32: arith(32, false, add), Subss_xmm_xmmm32: arith(32, false, sub),
  Mulss_xmm_xmmm32: arith(32, false, mul), Divss_xmm_xmmm32: arith(32, false, div),
  Minss_xmm_xmmm32: arith(32, false, min), Maxss_xmm_xmmm32: arith(32, false, max),
  Sqrtss_xmm_xmmm32: arith(32, false, sqrt),
  Addsd_xmm_xmmm64: arith(64, false, add), Subsd_xmm_xmmm64: arith(64, false, sub),
  Mulsd_xmm_xmmm64: arith(64, false, mul), Divsd_xmm_xmmm64: arith(64, false, div),
  Minsd_xmm_xmmm64: arith(64, false, min), Maxsd_xmm_xmmm64: arith(64, false, max),
  Sqrtsd_xmm_xmmm64: arith(64, false, sqrt),
  Addps_xmm_xmmm128: arith(32, true, add), Subps_xmm_xmmm128: arith(32, true, sub),
  Mulps_xmm_xmmm128: arith(32, true, mul), Divps_xmm_xmmm128: arith(32, true, div),
  Minps_xmm_xmmm128: arith(32, true, min), Maxps_xmm_xmmm128: arith(32, true, max),
  Sqrtps_xmm_xmmm128: arith(32, true, sqrt),
  Addpd_xmm_xmmm128: arith(64, true, add), Subpd_xmm_xmmm128: arith(64, true, sub),
  Mulpd_xmm_xmmm128: arith(64, true, mul), Divpd_xmm_xmmm128: arith(64, true, div),
  Minpd_xmm_xmmm128: arith(64, true, min), Maxpd_xmm_xmmm128: arith(64, true, max),
  Sqrtpd_xmm_xmmm128: arith(64, true, sqrt),
  Cmpss_xmm_xmmm32_imm8: cmp(32, false), Cmpsd_xmm_xmmm64_imm8: cmp(64, false),
  Cmpps_xmm_xmmm128_imm8: cmp(32, true), Cmppd_xmm_xmmm128_imm8: cmp(64, true),
  Comiss_xmm_xmmm32: comis(32), Ucomiss_xmm_xmmm32: comis(32),
  Comisd_xmm_xmmm64: comis(64), Ucomisd_xmm_xmmm64: comis(64),
  Cvtsi2ss_xmm_rm32: cvtsi2ss(false), Cvtsi2ss_xmm_rm64: cvtsi2ss(true),
  Cvtsi2sd_xmm_rm32: cvtsi2sd(false), Cvtsi2sd_xmm_rm64: cvtsi2sd(true),
  Cvttss2si_r32_xmmm32: cvt2si(32, false, true), Cvttss2si_r64_xmmm32: cvt2si(32, true, true),
  Cvttsd2si_r32_xmmm64: cvt2si(64, false, true), Cvttsd2si_r64_xmmm64: cvt2si(64, true, true),
  Cvtss2si_r32_xmmm32: cvt2si(32, false, false), Cvtss2si_r64_xmmm32: cvt2si(32, true, false),
  Cvtsd2si_r32_xmmm64: cvt2si(64, false, false), Cvtsd2si_r64_xmmm64: cvt2si(64, true, false),
  Cvtss2sd_xmm_xmmm32: cvtss2sd, Cvtsd2ss_xmm_xmmm64: cvtsd2ss,
};
