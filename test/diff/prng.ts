// Seeded pseudo-random numbers for the differential and fuzz tests (xoshiro128**), plus operand
// values biased towards the edges where flag logic breaks (0, 1, -1, sign boundaries).

export class Prng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(seed: number) {
    // splitmix32 to spread the seed over the four state words
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next() | 1;
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t; this.d = rotl(this.d, 11);
    return r;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  /** True with probability p. */
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  /** Uniform unsigned 64-bit value. */
  u64(): bigint { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

export function maskOf(bits: number): bigint { return (1n << BigInt(bits)) - 1n; }

/**
 * A value of `bits` width (unsigned bigint), biased to edges: 0, 1, -1, the signed min/max and
 * their neighbours, single bits, small numbers; otherwise uniform.
 */
export function edgeValue(rng: Prng, bits: number): bigint {
  const m = maskOf(bits);
  const sign = 1n << BigInt(bits - 1);
  switch (rng.int(16)) {
    case 0: return 0n;
    case 1: return 1n;
    case 2: return m;                       // -1
    case 3: return sign - 1n;               // max signed
    case 4: return sign;                    // min signed
    case 5: return sign + 1n;
    case 6: return (sign - 2n) & m;
    case 7: return 1n << BigInt(rng.int(bits));
    case 8: return BigInt(rng.int(256));
    case 9: return (m - BigInt(rng.int(256))) & m;
    case 10: return (1n << BigInt(rng.int(bits))) - 1n;   // low-bit run
    case 11: return 0x0fn + BigInt(rng.int(2)) * 0x80n; // nibble-carry edges (AF)
    default: return rng.u64() & m;
  }
}

/** Place `val` (width bits) at bit offset `shift` inside a random 64-bit register value. */
export function insertBits(reg: bigint, val: bigint, bits: number, shift = 0): bigint {
  const m = maskOf(bits) << BigInt(shift);
  return ((reg & ~m) | ((val << BigInt(shift)) & m)) & maskOf(64);
}

/** Bits [shift, shift+bits) of a value. */
export function extractBits(v: bigint, bits: number, shift = 0): bigint { return (v >> BigInt(shift)) & maskOf(bits); }

/** Signed interpretation of an unsigned `bits`-wide value. */
export function signed(v: bigint, bits: number): bigint {
  const sign = 1n << BigInt(bits - 1);
  return (v & sign) ? v - (1n << BigInt(bits)) : v;
}
