// DIV and IDIV at every size, with #DE on a zero divisor or a quotient that does not fit. Wide dividends
// (64/32 and 128/64) are divided exactly without BigInt: 16-bit digits when the divisor fits in 32 bits, else bit by bit.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, DE } from '../fault';
import { HandlerMap, lockUD } from './alu-common';

/** Quotient and remainder of the last wide division, as int32 halves. */
export const QR = new Int32Array(4); // [qlo, qhi, rlo, rhi]

function divideError(): never { throw new CpuFault(DE); }

/**
 * Unsigned 128/64 division (n3:n2:n1:n0) / (dhi:dlo), words as int32. Returns false when the quotient does not
 * fit in 64 bits (or the divisor is 0); otherwise leaves the quotient and remainder in QR.
 */
export function divU128(n3: number, n2: number, n1: number, n0: number, dlo: number, dhi: number): boolean {
  const d3 = n3 >>> 0, d2 = n2 >>> 0, vlo = dlo >>> 0, vhi = dhi >>> 0;
  if (vhi === 0) {
    if (vlo === 0 || d3 !== 0 || d2 >= vlo) return false;
    // Long division by 16-bit digits: every partial dividend stays below 2^48, so doubles are exact.
    let rem = d2, q = 0, qhi = 0;
    const w1 = n1 >>> 0, w0 = n0 >>> 0;
    const digits = [w1 >>> 16, w1 & 0xffff, w0 >>> 16, w0 & 0xffff];
    for (let k = 0; k < 4; k++) {
      const cur = rem * 65536 + digits[k];
      const qd = Math.floor(cur / vlo);
      rem = cur - qd * vlo;
      if (k === 1) { qhi = q * 65536 + qd; q = 0; } else q = q * 65536 + qd;
    }
    QR[0] = q; QR[1] = qhi; QR[2] = rem; QR[3] = 0;
    return true;
  }
  // Divisor >= 2^32: restoring division, one quotient bit per step. R starts as the high 64 bits (must be < D).
  if (d3 > vhi || (d3 === vhi && d2 >= vlo)) return false;
  let rh = d3, rl = d2, qh = 0, ql = 0;
  let nh = n1 >>> 0, nl = n0 >>> 0;
  for (let b = 0; b < 64; b++) {
    const out = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | (nh >>> 31)) >>> 0;
    nh = ((nh << 1) | (nl >>> 31)) >>> 0;
    nl = (nl << 1) >>> 0;
    qh = ((qh << 1) | (ql >>> 31)) >>> 0;
    ql = (ql << 1) >>> 0;
    if (out !== 0 || rh > vhi || (rh === vhi && rl >= vlo)) {
      const s = rl - vlo;
      rl = s >>> 0;
      rh = (rh - vhi - (s < 0 ? 1 : 0)) >>> 0;
      ql = (ql | 1) >>> 0;
    }
  }
  QR[0] = ql; QR[1] = qh; QR[2] = rl; QR[3] = rh;
  return true;
}

/** Unsigned 64/32 division (nhi:nlo) / d: returns false on overflow or zero divisor; quotient QR[0], remainder QR[2]. */
export function divU64(nlo: number, nhi: number, d: number): boolean {
  const v = d >>> 0, h = nhi >>> 0;
  if (v === 0 || h >= v) return false;
  if (h === 0) {
    const n = nlo >>> 0, q = Math.floor(n / v);
    QR[0] = q; QR[2] = n - q * v;
    return true;
  }
  const w = nlo >>> 0;
  let cur = h * 65536 + (w >>> 16);
  const q1 = Math.floor(cur / v);
  cur = (cur - q1 * v) * 65536 + (w & 0xffff);
  const q0 = Math.floor(cur / v);
  QR[0] = q1 * 65536 + q0; QR[2] = cur - q0 * v;
  return true;
}

function src(c: Cpu, i: Insn, size: number): number {
  if (i.lock) lockUD();
  return c.readRM(i, size);
}

// ---- DIV ----
const div8: Handler = (c, i) => {
  const d = src(c, i, 8);
  if (d === 0) divideError();
  const n = c.regs[0] & 0xffff, q = Math.floor(n / d);
  if (q > 0xff) divideError();
  c.setReg16(0, ((n - q * d) << 8) | q);
};
const div16: Handler = (c, i) => {
  const d = src(c, i, 16);
  if (d === 0) divideError();
  const n = (c.regs[4] & 0xffff) * 65536 + (c.regs[0] & 0xffff), q = Math.floor(n / d);
  if (q > 0xffff) divideError();
  c.setReg16(0, q); c.setReg16(2, n - q * d);
};
const div32: Handler = (c, i) => {
  const d = src(c, i, 32);
  if (!divU64(c.regs[0], c.regs[4], d)) divideError();
  c.setReg32(0, QR[0]); c.setReg32(2, QR[2]);
};
const div64: Handler = (c, i) => {
  const dlo = src(c, i, 64), dhi = c.rhi;
  if (!divU128(c.regs[5], c.regs[4], c.regs[1], c.regs[0], dlo, dhi)) divideError();
  c.setReg64(0, QR[0], QR[1]); c.setReg64(2, QR[2], QR[3]);
};

// ---- IDIV: truncating division; remainder takes the dividend's sign ----
const idiv8: Handler = (c, i) => {
  const d = (src(c, i, 8) << 24) >> 24;
  if (d === 0) divideError();
  const n = (c.regs[0] << 16) >> 16, q = Math.trunc(n / d);
  if (q > 127 || q < -128) divideError();
  c.setReg16(0, (((n - q * d) & 0xff) << 8) | (q & 0xff));
};
const idiv16: Handler = (c, i) => {
  const d = (src(c, i, 16) << 16) >> 16;
  if (d === 0) divideError();
  const n = ((c.regs[4] & 0xffff) << 16) | (c.regs[0] & 0xffff), q = Math.trunc(n / d);
  if (q > 32767 || q < -32768) divideError();
  c.setReg16(0, q); c.setReg16(2, n - q * d);
};
const idiv32: Handler = (c, i) => {
  const d = src(c, i, 32);
  if (d === 0) divideError();
  let nlo = c.regs[0], nhi = c.regs[4];
  const nneg = nhi < 0, dneg = d < 0;
  if (nneg) { nlo = -nlo | 0; nhi = (~nhi + (nlo === 0 ? 1 : 0)) | 0; }
  const dabs = dneg ? -d >>> 0 : d;
  if (!divU64(nlo, nhi, dabs)) divideError();
  const qa = QR[0] >>> 0, ra = QR[2] >>> 0;
  const qneg = nneg !== dneg;
  if (qneg ? qa > 0x80000000 : qa > 0x7fffffff) divideError();
  c.setReg32(0, qneg ? -qa : qa); c.setReg32(2, nneg ? -ra : ra);
};
const idiv64: Handler = (c, i) => {
  let dlo = src(c, i, 64), dhi = c.rhi;
  if (dlo === 0 && dhi === 0) divideError();
  let n0 = c.regs[0], n1 = c.regs[1], n2 = c.regs[4], n3 = c.regs[5];
  const nneg = n3 < 0, dneg = dhi < 0;
  if (nneg) {
    // 128-bit two's complement negation, word by word.
    n0 = ~n0; n1 = ~n1; n2 = ~n2; n3 = ~n3;
    n0 = (n0 + 1) | 0;
    if (n0 === 0) { n1 = (n1 + 1) | 0; if (n1 === 0) { n2 = (n2 + 1) | 0; if (n2 === 0) n3 = (n3 + 1) | 0; } }
  }
  if (dneg) { dlo = -dlo | 0; dhi = (~dhi + (dlo === 0 ? 1 : 0)) | 0; }
  if (!divU128(n3, n2, n1, n0, dlo, dhi)) divideError();
  let qlo = QR[0], qhi = QR[1], rlo = QR[2], rhi = QR[3];
  const qneg = nneg !== dneg;
  // Magnitude limit: 2^63 - 1 for a positive quotient, 2^63 for a negative one.
  if (qhi < 0 && !(qneg && qhi === (0x80000000 | 0) && qlo === 0)) divideError();
  if (qneg) { qlo = -qlo | 0; qhi = (~qhi + (qlo === 0 ? 1 : 0)) | 0; }
  if (nneg) { rlo = -rlo | 0; rhi = (~rhi + (rlo === 0 ? 1 : 0)) | 0; }
  c.setReg64(0, qlo, qhi); c.setReg64(2, rlo, rhi);
};

export const divHandlers: HandlerMap = {
  Div_rm8: div8, Div_rm16: div16, Div_rm32: div32, Div_rm64: div64,
  Idiv_rm8: idiv8, Idiv_rm16: idiv16, Idiv_rm32: idiv32, Idiv_rm64: idiv64,
};
