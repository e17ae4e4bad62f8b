// Shared helpers for the ALU tests (handler-level Insn construction, BigInt reference flags) plus tests of
// the lazy-flag core in flags.ts (getFlags/setFlags/testCC against independently computed flags).
import * as assert from 'assert';
import { Insn } from '../../src/cpu/decoder/insn';
import { handlerFor } from '../../src/cpu/exec/registry';
import { CpuFault } from '../../src/cpu/fault';
import {
  getFlags, setFlags, testCC, F_CF, F_PF, F_AF, F_ZF, F_SF, F_OF, F_ARITH, LOP_SUB, LOP_LOGIC, LOP_ADD,
} from '../../src/cpu/flags';
import { makeMachine, TestMachine } from './helpers/machine';
import type { Cpu } from '../../src/cpu/cpu';

export { F_CF, F_PF, F_AF, F_ZF, F_SF, F_OF, F_ARITH };

export const DATA = 0x10000;

/** An Insn bound to the registered handler for `code`, with fields overridden. */
export function mk(code: string, f: Partial<Insn> = {}): Insn {
  const h = handlerFor(code);
  if (!h) throw new Error(`no handler for ${code}`);
  const i = new Insn(h, code);
  i.mode = 64; i.asize = 64;
  Object.assign(i, f);
  return i;
}
/** Memory operand fields for an absolute address. */
export function memAt(addr: number): Partial<Insn> {
  return { isMem: true, rm: -1, base: -1, index: -1, disp: addr, dispHi: 0, seg: 3 };
}
/** Run an Insn; returns the CpuFault vector or -1. */
export function exec(m: TestMachine, i: Insn): number {
  try { i.exec(m.cpu, i); return -1; } catch (e) { if (e instanceof CpuFault) return e.vector; throw e; }
}

export function mask(size: number): bigint { return (1n << BigInt(size)) - 1n; }
export function u(v: bigint, size: number): bigint { return v & mask(size); }
export function s(v: bigint, size: number): bigint { return BigInt.asIntN(size, v); }

/** 64-bit register as unsigned BigInt. */
export function reg64(c: Cpu, r: number): bigint {
  return (BigInt(c.regs[2 * r + 1] >>> 0) << 32n) | BigInt(c.regs[2 * r] >>> 0);
}
export function setReg64(c: Cpu, r: number, v: bigint): void {
  const x = BigInt.asUintN(64, v);
  c.regs[2 * r] = Number(x & 0xffffffffn) | 0; c.regs[2 * r + 1] = Number(x >> 32n) | 0;
}
/** Write a value of `size` bits into register r the way the test wants it (full 64 bits for 64, else the low part). */
export function putReg(c: Cpu, size: number, r: number, v: bigint): void {
  if (size === 64) setReg64(c, r, v);
  else c.setReg(size, r, Number(u(v, size)));
}
export function getRegU(c: Cpu, size: number, r: number): bigint {
  if (size === 64) return reg64(c, r);
  return BigInt(c.getReg(size, r) >>> 0);
}
export function mem64(m: TestMachine, addr: number): bigint {
  return (BigInt(m.mem.read32(addr + 4) >>> 0) << 32n) | BigInt(m.mem.read32(addr) >>> 0);
}
export function writeMem(m: TestMachine, addr: number, size: number, v: bigint): void {
  const x = u(v, size);
  for (let b = 0; b < size / 8; b++) m.mem.write8(addr + b, Number((x >> BigInt(8 * b)) & 0xffn));
}
export function readMem(m: TestMachine, addr: number, size: number): bigint {
  let x = 0n;
  for (let b = size / 8 - 1; b >= 0; b--) x = (x << 8n) | BigInt(m.mem.read8(addr + b));
  return x;
}

export function parity(v: bigint): boolean {
  let b = Number(v & 0xffn), n = 0;
  while (b) { n += b & 1; b >>= 1; }
  return (n & 1) === 0;
}
/** SF/ZF/PF of a result. */
export function szp(r: bigint, size: number): number {
  let f = 0;
  if (u(r, size) === 0n) f |= F_ZF;
  if ((u(r, size) >> BigInt(size - 1)) & 1n) f |= F_SF;
  if (parity(r)) f |= F_PF;
  return f;
}

/** Reference group-1 op: result and all six arithmetic flags. */
export function refAlu(op: string, size: number, a: bigint, b: bigint, cf: boolean): { r: bigint; f: number } {
  const M = mask(size), sb = BigInt(size - 1);
  a &= M; b &= M;
  let r: bigint, f = 0;
  const addLike = (cin: bigint): void => {
    const full = a + b + cin; r = full & M;
    if (full > M) f |= F_CF;
    if (((a ^ r) & (b ^ r)) >> sb & 1n) f |= F_OF;
    if ((a ^ b ^ r) & 0x10n) f |= F_AF;
  };
  const subLike = (cin: bigint): void => {
    const full = a - b - cin; r = full & M;
    if (full < 0n) f |= F_CF;
    if (((a ^ b) & (a ^ r)) >> sb & 1n) f |= F_OF;
    if ((a ^ b ^ r) & 0x10n) f |= F_AF;
  };
  switch (op) {
    case 'Add': addLike(0n); break;
    case 'Adc': addLike(cf ? 1n : 0n); break;
    case 'Sub': case 'Cmp': subLike(0n); break;
    case 'Sbb': subLike(cf ? 1n : 0n); break;
    case 'And': case 'Test': r = a & b; break;
    case 'Or': r = a | b; break;
    case 'Xor': r = a ^ b; break;
    default: throw new Error(op);
  }
  return { r: r!, f: f | szp(r!, size) };
}

/** Edge values for a size (as unsigned BigInt). */
export function edges(size: number): bigint[] {
  const M = mask(size), H = 1n << BigInt(size - 1);
  const v = [0n, 1n, 2n, 0xfn, 0x10n, 0x7fn, 0x80n, 0xffn, H - 1n, H, H + 1n, M - 1n, M, 0x5an & M, (M / 3n) & M];
  if (size >= 32) v.push(0x7fffffffn, 0x80000000n, 0xffffffffn);
  if (size === 64) v.push(0x100000000n, 0xffffffff00000000n, 0x00000001ffffffffn, 0x123456789abcdef0n);
  return [...new Set(v.map((x) => x & M))];
}

/** Set CF (other arithmetic flags cleared) as the input state. */
export function presetFlags(c: Cpu, flags: number): void { setFlags(c, flags, F_ARITH); }
export function arith(c: Cpu): number { return getFlags(c) & F_ARITH; }

export function fmtFlags(f: number): string {
  const n: string[] = [];
  if (f & F_CF) n.push('CF'); if (f & F_PF) n.push('PF'); if (f & F_AF) n.push('AF');
  if (f & F_ZF) n.push('ZF'); if (f & F_SF) n.push('SF'); if (f & F_OF) n.push('OF');
  return n.join('|') || '-';
}
export function eqFlags(got: number, want: number, m: number, what: string): void {
  assert.strictEqual(fmtFlags(got & m), fmtFlags(want & m), what);
}

export function newMachine(): TestMachine { return makeMachine(64); }

// ---------------------------------------------------------------------------------------------
describe('alu: lazy flags core (flags.ts)', () => {
  const conds = (f: number): boolean[] => {
    const cf = !!(f & F_CF), zf = !!(f & F_ZF), sf = !!(f & F_SF), of = !!(f & F_OF), pf = !!(f & F_PF);
    const base = [of, cf, zf, cf || zf, sf, pf, sf !== of, zf || sf !== of];
    const out: boolean[] = [];
    for (const b of base) out.push(b, !b);
    return out;
  };
  it('testCC agrees with materialised flags for lazy SUB/ADD/LOGIC at every size', () => {
    const m = newMachine(), c = m.cpu;
    for (const size of [8, 16, 32, 64]) {
      for (const a of edges(size)) {
        for (const b of edges(size)) {
          for (const [lop, op] of [[LOP_SUB, 'Sub'], [LOP_ADD, 'Add'], [LOP_LOGIC, 'And']] as const) {
            const ref = refAlu(op, size, a, b, false);
            c.lop = lop; c.lsize = size;
            const lo = (v: bigint): number => size === 64 ? Number(v & 0xffffffffn) | 0 : size === 32 ? Number(v) | 0 : Number(v);
            const hi = (v: bigint): number => size === 64 ? Number(v >> 32n) | 0 : 0;
            c.ldst = lo(a); c.ldstHi = hi(a); c.lsrc = lo(b); c.lsrcHi = hi(b); c.lres = lo(ref.r); c.lresHi = hi(ref.r);
            eqFlags(arith(c), ref.f, op === 'And' ? F_ARITH & ~F_AF : F_ARITH, `${op}${size} ${a} ${b}`);
            const want = conds(ref.f);
            for (let cc = 0; cc < 16; cc++) assert.strictEqual(testCC(c, cc), want[cc], `${op}${size} ${a},${b} cc=${cc}`);
          }
        }
      }
    }
  });
  it('setFlags replaces only the masked bits and getFlags keeps bit 1 set', () => {
    const c = newMachine().cpu;
    setFlags(c, F_CF | F_ZF, F_ARITH);
    assert.strictEqual(getFlags(c) & (F_ARITH | 2), F_CF | F_ZF | 2);
    setFlags(c, 0, F_CF);
    assert.strictEqual(getFlags(c) & F_ARITH, F_ZF);
  });
});
