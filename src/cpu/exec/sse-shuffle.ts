// SSE/SSE2 lane rearrangement on XMM registers: pshufd/pshuflw/pshufhw, shufps/shufpd, unpacks, packs,
// and the shift family (psll/psrl/psra by imm8 and by xmm/m128, pslldq/psrldq byte shifts).

import type { Handler } from '../decoder/insn';
import {
  sseCheck, binop128, binop128Imm, A, B, R, A8, B8, R8, A16, B16, R16, A16s, B16s, getX, setX, loadSrc128,
  satS8, satS16, satU8,
} from './sse-common';

function copyR(): void { A[0] = R[0]; A[1] = R[1]; A[2] = R[2]; A[3] = R[3]; }

// ---- shuffles with an imm8 selector (pshuf*: the source is B, the destination only receives) ----
function shufFrom(op: (imm: number) => void): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    loadSrc128(cpu, i, B, true);
    op(i.imm & 0xff);
    setX(cpu, i.reg, R);
  };
}
const pshufd = shufFrom((imm) => { for (let k = 0; k < 4; k++) R[k] = B[(imm >>> (2 * k)) & 3]; });
const pshuflw = shufFrom((imm) => {
  for (let k = 0; k < 4; k++) R16[k] = B16[(imm >>> (2 * k)) & 3];
  R[2] = B[2]; R[3] = B[3];
});
const pshufhw = shufFrom((imm) => {
  R[0] = B[0]; R[1] = B[1];
  for (let k = 0; k < 4; k++) R16[4 + k] = B16[4 + ((imm >>> (2 * k)) & 3)];
});
const shufps = binop128Imm((imm) => {
  R[0] = A[imm & 3]; R[1] = A[(imm >>> 2) & 3]; R[2] = B[(imm >>> 4) & 3]; R[3] = B[(imm >>> 6) & 3];
  copyR();
});
const shufpd = binop128Imm((imm) => {
  const a = (imm & 1) << 1, b = ((imm >>> 1) & 1) << 1;
  R[0] = A[a]; R[1] = A[a + 1]; R[2] = B[b]; R[3] = B[b + 1];
  copyR();
});

// ---- unpacks: interleave the low (half 0) or high (half 1) halves of A and B ----
function unpack(width: number, half: number): Handler {
  return binop128(() => {
    if (width === 1) {
      const o = half * 8;
      for (let k = 0; k < 8; k++) { R8[2 * k] = A8[o + k]; R8[2 * k + 1] = B8[o + k]; }
    } else if (width === 2) {
      const o = half * 4;
      for (let k = 0; k < 4; k++) { R16[2 * k] = A16[o + k]; R16[2 * k + 1] = B16[o + k]; }
    } else if (width === 4) {
      const o = half * 2;
      R[0] = A[o]; R[1] = B[o]; R[2] = A[o + 1]; R[3] = B[o + 1];
    } else {
      const o = half * 2;
      R[0] = A[o]; R[1] = A[o + 1]; R[2] = B[o]; R[3] = B[o + 1];
    }
    copyR();
  });
}

// ---- packs with saturation: A's lanes fill the low half, B's the high half ----
const packsswb = binop128(() => {
  for (let k = 0; k < 8; k++) { R8[k] = satS8(A16s[k]); R8[8 + k] = satS8(B16s[k]); }
  copyR();
});
const packuswb = binop128(() => {
  for (let k = 0; k < 8; k++) { R8[k] = satU8(A16s[k]); R8[8 + k] = satU8(B16s[k]); }
  copyR();
});
const packssdw = binop128(() => {
  for (let k = 0; k < 4; k++) { R16[k] = satS16(A[k]); R16[4 + k] = satS16(B[k]); }
  copyR();
});

// ---- shifts of lanes in A by `count` (already clamped to 0..255 or 256 for "huge") ----
type ShiftOp = (count: number) => void;
const sllw: ShiftOp = (c) => { for (let k = 0; k < 8; k++) A16[k] = c > 15 ? 0 : A16[k] << c; };
const srlw: ShiftOp = (c) => { for (let k = 0; k < 8; k++) A16[k] = c > 15 ? 0 : A16[k] >>> c; };
const sraw: ShiftOp = (c) => { for (let k = 0; k < 8; k++) A16s[k] = A16s[k] >> (c > 15 ? 15 : c); };
const slld: ShiftOp = (c) => { for (let k = 0; k < 4; k++) A[k] = c > 31 ? 0 : A[k] << c; };
const srld: ShiftOp = (c) => { for (let k = 0; k < 4; k++) A[k] = c > 31 ? 0 : A[k] >>> c; };
const srad: ShiftOp = (c) => { for (let k = 0; k < 4; k++) A[k] = A[k] >> (c > 31 ? 31 : c); };
const sllq: ShiftOp = (c) => {
  for (let k = 0; k < 4; k += 2) {
    const lo = A[k], hi = A[k + 1];
    if (c > 63) { A[k] = 0; A[k + 1] = 0; }
    else if (c >= 32) { A[k] = 0; A[k + 1] = lo << (c - 32); }
    else if (c > 0) { A[k] = lo << c; A[k + 1] = (hi << c) | (lo >>> (32 - c)); }
  }
};
const srlq: ShiftOp = (c) => {
  for (let k = 0; k < 4; k += 2) {
    const lo = A[k], hi = A[k + 1];
    if (c > 63) { A[k] = 0; A[k + 1] = 0; }
    else if (c >= 32) { A[k] = hi >>> (c - 32); A[k + 1] = 0; }
    else if (c > 0) { A[k] = (lo >>> c) | (hi << (32 - c)); A[k + 1] = hi >>> c; }
  }
};
/** Byte shifts of the whole register (pslldq left = towards higher bytes). */
const slldq: ShiftOp = (c) => { for (let k = 15; k >= 0; k--) A8[k] = k - c >= 0 ? A8[k - c] : 0; };
const srldq: ShiftOp = (c) => { for (let k = 0; k < 16; k++) A8[k] = k + c < 16 ? A8[k + c] : 0; };

/** Shift by imm8: the register is ModRM.rm (the reg field is the opcode extension). */
function shiftImm(op: ShiftOp): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    getX(cpu, i.rm, A);
    op(i.imm & 0xff);
    setX(cpu, i.rm, A);
  };
}
/** Shift by xmm/m128: the count is the source's whole low qword (anything >= 2^32 counts as huge). */
function shiftXmm(op: ShiftOp): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    loadSrc128(cpu, i, B, true);
    getX(cpu, i.reg, A);
    const lo = B[0] >>> 0;
    op(B[1] !== 0 || lo > 255 ? 256 : lo);
    setX(cpu, i.reg, A);
  };
}

export const sseShuffleHandlers: Record<string, Handler> = {
  Pshufd_xmm_xmmm128_imm8: pshufd, Pshuflw_xmm_xmmm128_imm8: pshuflw, Pshufhw_xmm_xmmm128_imm8: pshufhw,
  Shufps_xmm_xmmm128_imm8: shufps, Shufpd_xmm_xmmm128_imm8: shufpd,
  Punpcklbw_xmm_xmmm128: unpack(1, 0), Punpcklwd_xmm_xmmm128: unpack(2, 0),
  Punpckldq_xmm_xmmm128: unpack(4, 0), Punpcklqdq_xmm_xmmm128: unpack(8, 0),
  Punpckhbw_xmm_xmmm128: unpack(1, 1), Punpckhwd_xmm_xmmm128: unpack(2, 1),
  Punpckhdq_xmm_xmmm128: unpack(4, 1), Punpckhqdq_xmm_xmmm128: unpack(8, 1),
  Unpcklps_xmm_xmmm128: unpack(4, 0), Unpckhps_xmm_xmmm128: unpack(4, 1),
  Unpcklpd_xmm_xmmm128: unpack(8, 0), Unpckhpd_xmm_xmmm128: unpack(8, 1),
  Packsswb_xmm_xmmm128: packsswb, Packuswb_xmm_xmmm128: packuswb, Packssdw_xmm_xmmm128: packssdw,
  Psllw_xmm_imm8: shiftImm(sllw), Pslld_xmm_imm8: shiftImm(slld), Psllq_xmm_imm8: shiftImm(sllq),
  Psrlw_xmm_imm8: shiftImm(srlw), Psrld_xmm_imm8: shiftImm(srld), Psrlq_xmm_imm8: shiftImm(srlq),
  Psraw_xmm_imm8: shiftImm(sraw), Psrad_xmm_imm8: shiftImm(srad),
  Pslldq_xmm_imm8: shiftImm(slldq), Psrldq_xmm_imm8: shiftImm(srldq),
  Psllw_xmm_xmmm128: shiftXmm(sllw), Pslld_xmm_xmmm128: shiftXmm(slld), Psllq_xmm_xmmm128: shiftXmm(sllq),
  Psrlw_xmm_xmmm128: shiftXmm(srlw), Psrld_xmm_xmmm128: shiftXmm(srld), Psrlq_xmm_xmmm128: shiftXmm(srlq),
  Psraw_xmm_xmmm128: shiftXmm(sraw), Psrad_xmm_xmmm128: shiftXmm(srad),
};
