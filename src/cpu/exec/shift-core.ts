// Shift and rotate kernels on values of size 8/16/32 (zero-extended / int32) and 64 (int32 halves).
// Each kernel returns the result and leaves CF and OF in SH (OF as Intel computes it, also for counts > 1).

import type { Cpu } from '../cpu';
import { getCF } from '../flags';

export const OP_ROL = 0, OP_ROR = 1, OP_RCL = 2, OP_RCR = 3, OP_SHL = 4, OP_SHR = 5, OP_SAL = 6, OP_SAR = 7;
export const SHIFT_NAMES = ['Rol', 'Ror', 'Rcl', 'Rcr', 'Shl', 'Shr', 'Sal', 'Sar'];

/** Outputs of the last kernel call: carry and overflow flags (0/1), and the high half for 64-bit kernels. */
export const SH = { cf: 0, of: 0, hi: 0 };

function msb(v: number, size: number): number { return (v >>> (size - 1)) & 1; }

/**
 * Shift/rotate `a` (size 8/16/32) by the masked count n (1..31). Rotates through carry read CF from c.
 * For 8/16-bit RCL/RCR the count is reduced mod 9/17 here (a reduced count of 0 leaves value and CF).
 */
export function shiftN(c: Cpu, op: number, size: number, a: number, n: number): number {
  const mask = size === 32 ? -1 : (1 << size) - 1;
  let r: number;
  switch (op) {
    case OP_SHL: case OP_SAL: {
      r = n < 32 ? (a << n) & mask : 0;
      SH.cf = n <= size ? (a >>> (size - n)) & 1 : 0;
      SH.of = msb(r, size) ^ SH.cf;
      return r;
    }
    case OP_SHR: {
      r = (a >>> n) & mask;
      SH.cf = (a >>> (n - 1)) & 1;
      SH.of = msb(r, size) ^ ((r >>> (size - 2)) & 1);
      return r;
    }
    case OP_SAR: {
      const s = size === 32 ? a : (a << (32 - size)) >> (32 - size);
      r = (s >> n) & mask;
      SH.cf = (s >> (n - 1)) & 1;
      SH.of = 0;
      return r;
    }
    case OP_ROL: {
      const k = n & (size - 1);
      r = k === 0 ? a : ((a << k) | (a >>> (size - k))) & mask;
      SH.cf = r & 1;
      SH.of = msb(r, size) ^ SH.cf;
      return r;
    }
    case OP_ROR: {
      const k = n & (size - 1);
      r = k === 0 ? a : ((a >>> k) | (a << (size - k))) & mask;
      SH.cf = msb(r, size);
      SH.of = SH.cf ^ ((r >>> (size - 2)) & 1);
      return r;
    }
    case OP_RCL: {
      const cin = getCF(c) ? 1 : 0;
      const k = size === 32 ? n : n % (size + 1);
      if (k === 0) { r = a; SH.cf = cin; }
      else {
        const u = a >>> 0;
        // (size+1)-bit rotation of CF:a, built from the pieces that move.
        r = ((u << k) | (cin << (k - 1)) | (k === 1 ? 0 : u >>> (size + 1 - k))) & mask;
        SH.cf = (u >>> (size - k)) & 1;
      }
      SH.of = msb(r, size) ^ SH.cf;
      return r;
    }
    default: { // OP_RCR
      const cin = getCF(c) ? 1 : 0;
      const k = size === 32 ? n : n % (size + 1);
      if (k === 0) { r = a; SH.cf = cin; }
      else {
        const u = a >>> 0;
        r = ((u >>> k) | (cin << (size - k)) | (k === 1 ? 0 : u << (size + 1 - k))) & mask;
        SH.cf = (u >>> (k - 1)) & 1;
      }
      SH.of = msb(r, size) ^ ((r >>> (size - 2)) & 1);
      return r;
    }
  }
}

/** Bit k (0..63) of hi:lo. */
export function bit64(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
}

/** 64-bit shift/rotate of hi:lo by the masked count n (1..63); returns lo, high half in SH.hi. */
export function shift64N(c: Cpu, op: number, lo: number, hi: number, n: number): number {
  let rl: number, rh: number;
  switch (op) {
    case OP_SHL: case OP_SAL:
      if (n < 32) { rh = (hi << n) | (lo >>> (32 - n)); rl = lo << n; }
      else { rh = lo << (n - 32); rl = 0; }
      SH.cf = bit64(lo, hi, 64 - n);
      SH.of = (rh >>> 31) ^ SH.cf;
      break;
    case OP_SHR:
      if (n < 32) { rl = (lo >>> n) | (hi << (32 - n)); rh = hi >>> n; }
      else { rl = hi >>> (n - 32); rh = 0; }
      SH.cf = bit64(lo, hi, n - 1);
      SH.of = ((rh >>> 31) ^ (rh >>> 30)) & 1;
      break;
    case OP_SAR:
      if (n < 32) { rl = (lo >>> n) | (hi << (32 - n)); rh = hi >> n; }
      else { rl = hi >> (n - 32); rh = hi >> 31; }
      SH.cf = bit64(lo, hi, n - 1);
      SH.of = 0;
      break;
    case OP_ROL: case OP_ROR: {
      let k = op === OP_ROL ? n : 64 - n; // rotate right by n == rotate left by 64 - n
      let l = lo, h = hi;
      if (k >= 32) { const t = l; l = h; h = t; k -= 32; }
      if (k > 0) { rh = (h << k) | (l >>> (32 - k)); rl = (l << k) | (h >>> (32 - k)); }
      else { rh = h; rl = l; }
      if (op === OP_ROL) { SH.cf = rl & 1; SH.of = (rh >>> 31) ^ SH.cf; }
      else { SH.cf = rh >>> 31; SH.of = SH.cf ^ ((rh >>> 30) & 1); }
      break;
    }
    case OP_RCL: {
      let cf = getCF(c) ? 1 : 0;
      rl = lo; rh = hi;
      for (let s = 0; s < n; s++) {
        const out = rh >>> 31;
        rh = (rh << 1) | (rl >>> 31);
        rl = (rl << 1) | cf;
        cf = out;
      }
      SH.cf = cf; SH.of = (rh >>> 31) ^ cf;
      break;
    }
    default: { // OP_RCR
      let cf = getCF(c) ? 1 : 0;
      rl = lo; rh = hi;
      for (let s = 0; s < n; s++) {
        const out = rl & 1;
        rl = (rl >>> 1) | (rh << 31);
        rh = (rh >>> 1) | (cf << 31);
        cf = out;
      }
      SH.cf = cf; SH.of = ((rh >>> 31) ^ (rh >>> 30)) & 1;
      break;
    }
  }
  SH.hi = rh | 0;
  return rl | 0;
}
