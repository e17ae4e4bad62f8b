// 64-bit values without BigInt: helpers over (hi, lo) int32 halves and "canonical numbers"
// (a 64-bit address sign-extended from bit 47 is held exactly in a JS double).

export const TWO32 = 4294967296;

/** Combine halves into a signed JS number; exact when the value is canonical (|v| < 2^53). */
export function joinSigned(hi: number, lo: number): number { return (hi | 0) * TWO32 + (lo >>> 0); }
/** Combine halves as an unsigned number; exact below 2^53. */
export function joinUnsigned(hi: number, lo: number): number { return (hi >>> 0) * TWO32 + (lo >>> 0); }
/** High half (int32) of a signed or unsigned number holding an integer. */
export function hiOf(v: number): number { return Math.floor(v / TWO32) | 0; }
/** Low half (int32) of a number holding an integer. */
export function loOf(v: number): number { return v | 0; }
/** True when bits 63..47 of (hi:lo) are all equal, i.e. the address is canonical with 48-bit linear addresses. */
export function isCanonicalHi(hi: number): boolean { return ((hi << 16) >> 16) === hi; }
/** True when a signed address number is canonical. */
export function isCanonical(v: number): boolean { return v >= -0x800000000000 && v < 0x800000000000; }

/** Hex of the 64-bit value hi:lo, zero-padded to 16 digits. */
export function hex64(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
/** Hex of a (possibly negative, canonical) address number as its 64-bit two's complement. */
export function hexAddr(v: number, digits = 0): string {
  const s = v < 0 ? hex64(hiOf(v), loOf(v)).replace(/^0+(?=.)/, '') : Math.floor(v).toString(16);
  return s.padStart(digits, '0');
}

/** Unsigned 64-bit less-than on halves. */
export function ult64(ahi: number, alo: number, bhi: number, blo: number): boolean {
  const a = ahi >>> 0, b = bhi >>> 0;
  return a < b || (a === b && (alo >>> 0) < (blo >>> 0));
}

/** Low 32 bits of an unsigned 32x32 multiply, and the high 32 bits via mulHiU32. */
export function mulHiU32(a: number, b: number): number {
  a >>>= 0; b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Parity flag table for the low byte: 1 when the number of set bits is even. */
export const PARITY = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let b = i, n = 0;
    while (b) { n += b & 1; b >>= 1; }
    t[i] = (n & 1) === 0 ? 1 : 0;
  }
  return t;
})();
