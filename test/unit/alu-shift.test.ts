// Shifts and rotates (by 1, CL, imm8) and SHLD/SHRD at every size against BigInt references: results and the
// flags the SDM defines for each count (count 0 changes nothing; rotates keep SF/ZF/PF/AF).
import * as assert from 'assert';
import {
  mk, memAt, exec, u, s, edges, presetFlags, arith, eqFlags, newMachine, reg64, setReg64, putReg,
  writeMem, readMem, szp, DATA, F_CF, F_OF, F_AF, F_ZF, F_SF, F_PF, F_ARITH,
} from './alu-common.test';

const RM = 3, REG = 6;
const GARBAGE = 0xfedcba9876543210n;

interface Ref { r: bigint; f: number; defined: number }

function refShift(op: string, size: number, a: bigint, count: number, cfIn: boolean, pre: number): Ref {
  const W = BigInt(size), M = (1n << W) - 1n;
  const n = count & (size === 64 ? 63 : 31);
  if (n === 0) return { r: a, f: pre, defined: F_ARITH };
  const N = BigInt(n);
  let r: bigint, cf: boolean, of = false, cfDefined = true;
  const msb = (v: bigint, k = W - 1n): boolean => ((v >> k) & 1n) === 1n;
  switch (op) {
    case 'Shl': case 'Sal':
      r = (a << N) & M; cf = n <= size && msb(a, W - N); of = msb(r) !== cf; cfDefined = n < size; break;
    case 'Shr':
      r = a >> N; cf = msb(a, N - 1n); of = msb(a); cfDefined = n < size; break;
    case 'Sar': {
      const sa = s(a, size); r = u(sa >> N, size); cf = ((sa >> (N - 1n)) & 1n) === 1n; of = false; break;
    }
    case 'Rol': {
      const k = BigInt(n % size); r = ((a << k) | (a >> (W - k))) & M; cf = (r & 1n) === 1n; of = msb(r) !== cf; break;
    }
    case 'Ror': {
      const k = BigInt(n % size); r = ((a >> k) | (a << (W - k))) & M; cf = msb(r); of = msb(r) !== msb(r, W - 2n); break;
    }
    case 'Rcl': case 'Rcr': {
      const k = BigInt(size <= 16 ? n % (size + 1) : n), M1 = (1n << (W + 1n)) - 1n;
      const v = (cfIn ? 1n << W : 0n) | a;
      const rv = op === 'Rcl' ? ((v << k) | (v >> (W + 1n - k))) & M1 : ((v >> k) | (v << (W + 1n - k))) & M1;
      r = rv & M; cf = msb(rv, W);
      of = op === 'Rcl' ? msb(r) !== cf : msb(a) !== cfIn;
      break;
    }
    default: throw new Error(op);
  }
  const rot = op.startsWith('R');
  let f = rot ? pre & ~(F_CF | F_OF) : szp(r, size);
  if (cf) f |= F_CF;
  if (of) f |= F_OF;
  let defined = rot ? F_ARITH : F_CF | F_ZF | F_SF | F_PF | F_OF;
  if (!cfDefined) defined &= ~F_CF;
  if (n !== 1) defined &= ~F_OF;
  return { r, f, defined };
}

function counts(size: number): number[] {
  return [...new Set([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, size - 1, size, size + 1, 32, 33, 63, 64, 65, 0xff, 0x41])];
}

describe('alu: shifts and rotates', () => {
  for (const op of ['Shl', 'Sal', 'Shr', 'Sar', 'Rol', 'Ror', 'Rcl', 'Rcr']) {
    for (const size of [8, 16, 32, 64]) {
      it(`${op} ${size}-bit by 1, CL and imm8`, () => {
        const m = newMachine(), c = m.cpu;
        for (const a of edges(size)) for (const cnt of counts(size)) for (const cf of [false, true]) {
          const pre = (cf ? F_CF : 0) | F_ZF | F_AF | (cnt & 1 ? F_SF | F_PF : F_OF);
          const ref = refShift(op, size, a, cnt, cf, pre);
          const forms: [string, Record<string, number>][] = [[`${op}_rm${size}_CL`, {}], [`${op}_rm${size}_imm8`, { imm: cnt & 0xff }]];
          if (cnt === 1) forms.push([`${op}_rm${size}_1`, {}]);
          for (const [name, extra] of forms) for (const mem of [false, true]) {
            setReg64(c, RM, GARBAGE); setReg64(c, 1, 0xaaaa00n | BigInt(cnt & 0xff));
            if (mem) writeMem(m, DATA, size, a); else putReg(c, size, RM, a);
            const before = reg64(c, RM);
            presetFlags(c, pre);
            assert.strictEqual(exec(m, mk(name, { ...(mem ? memAt(DATA) : { rm: RM }), ...extra })), -1);
            const what = `${name} ${mem ? 'mem' : 'reg'} a=${a.toString(16)} n=${cnt} cf=${cf}`;
            if (mem) assert.strictEqual(readMem(m, DATA, size), ref.r, what);
            else {
              const want = size === 64 ? ref.r : size === 32 ? ref.r : (before & ~((1n << BigInt(size)) - 1n)) | ref.r;
              assert.strictEqual(reg64(c, RM), want, what);
            }
            eqFlags(arith(c), ref.f, ref.defined, what);
          }
        }
      });
    }
  }
  it('a 32-bit shift by 0 still zero-extends the register in 64-bit mode', () => {
    const m = newMachine(), c = m.cpu;
    setReg64(c, RM, 0x1234567887654321n); setReg64(c, 1, 0n);
    exec(m, mk('Shl_rm32_CL', { rm: RM }));
    assert.strictEqual(reg64(c, RM), 0x87654321n);
  });
  it('rcl/rcr chains carry through multi-word values (bignum shift)', () => {
    const m = newMachine(), c = m.cpu;
    // 192-bit value in r8:r9:r10 (little-endian words): shift left by 1 three times with rcl, then right with rcr.
    let v = 0x8000000000000001_ffffffffffffffff_8000000000000000n;
    const words = (): bigint[] => [v & ((1n << 64n) - 1n), (v >> 64n) & ((1n << 64n) - 1n), v >> 128n];
    const load = (): void => { const w = words(); setReg64(c, 8, w[0]); setReg64(c, 9, w[1]); setReg64(c, 10, w[2]); };
    const read = (): bigint => reg64(c, 8) | (reg64(c, 9) << 64n) | (reg64(c, 10) << 128n);
    load();
    presetFlags(c, 0);
    exec(m, mk('Shl_rm64_1', { rm: 8 })); exec(m, mk('Rcl_rm64_1', { rm: 9 })); exec(m, mk('Rcl_rm64_1', { rm: 10 }));
    const out = (v >> 191n) & 1n;
    v = (v << 1n) & ((1n << 192n) - 1n);
    assert.strictEqual(read(), v);
    assert.strictEqual(arith(c) & F_CF ? 1n : 0n, out);
    exec(m, mk('Shr_rm64_1', { rm: 10 })); exec(m, mk('Rcr_rm64_1', { rm: 9 })); exec(m, mk('Rcr_rm64_1', { rm: 8 }));
    assert.strictEqual(read(), v >> 1n);
    // 8-bit rcl by 9 is the identity (mod 9) and keeps CF.
    c.setReg8(0, 0x81); presetFlags(c, F_CF); c.setReg8(1, 9);
    exec(m, mk('Rcl_rm8_CL', { rm: 0 }));
    assert.strictEqual(c.getReg8(0), 0x81);
    assert.ok(arith(c) & F_CF);
  });
  it('LOCK is #UD on shifts', () => {
    const m = newMachine();
    assert.strictEqual(exec(m, mk('Shl_rm32_imm8', { imm: 3, lock: true, ...memAt(DATA) })), 6);
    assert.strictEqual(exec(m, mk('Rcl_rm64_1', { lock: true, rm: 0 })), 6);
    assert.strictEqual(exec(m, mk('Shld_rm32_r32_CL', { lock: true, rm: 0, reg: 1 })), 6);
  });
});

describe('alu: shld and shrd', () => {
  for (const left of [true, false]) {
    for (const size of [16, 32, 64]) {
      it(`${left ? 'shld' : 'shrd'} ${size}-bit by imm8 and CL`, () => {
        const m = newMachine(), c = m.cpu, W = BigInt(size), M = (1n << W) - 1n;
        for (const a of edges(size)) for (const b of [0n, M, 0x5a5an & M, 1n, 1n << (W - 1n)]) for (const cnt of counts(size)) {
          const n = cnt & (size === 64 ? 63 : 31);
          if (n > size) continue; // result undefined
          const pre = F_CF | F_AF | F_ZF;
          let r = a, f = pre, defined = F_ARITH;
          if (n !== 0) {
            const N = BigInt(n);
            r = left ? ((a << N) | (b >> (W - N))) & M : ((a >> N) | (b << (W - N))) & M;
            const cf = left ? (a >> (W - N)) & 1n : (a >> (N - 1n)) & 1n;
            f = szp(r, size) | (cf ? F_CF : 0) | (((r ^ a) >> (W - 1n)) & 1n ? F_OF : 0);
            defined = F_CF | F_ZF | F_SF | F_PF | (n === 1 ? F_OF : 0);
          }
          const name = `${left ? 'Shld' : 'Shrd'}_rm${size}_r${size}`;
          for (const form of ['imm8', 'CL']) for (const mem of [false, true]) {
            setReg64(c, RM, GARBAGE); setReg64(c, REG, GARBAGE ^ 0x77n); putReg(c, size, REG, b);
            setReg64(c, 1, BigInt(cnt & 0xff));
            if (mem) writeMem(m, DATA, size, a); else putReg(c, size, RM, a);
            const before = reg64(c, RM);
            presetFlags(c, pre);
            assert.strictEqual(exec(m, mk(`${name}_${form}`, { reg: REG, imm: cnt & 0xff, ...(mem ? memAt(DATA) : { rm: RM }) })), -1);
            const what = `${name}_${form} a=${a.toString(16)} b=${b.toString(16)} n=${cnt}`;
            if (mem) assert.strictEqual(readMem(m, DATA, size), r, what);
            else {
              const want = size === 16 ? (before & ~0xffffn) | r : (size === 32 && n === 0 ? a : r);
              assert.strictEqual(reg64(c, RM), want, what);
            }
            eqFlags(arith(c), f, defined, what);
          }
        }
      });
    }
  }
});
