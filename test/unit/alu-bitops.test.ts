// Bit tests (bt/bts/btr/btc incl. bit strings in memory with negative offsets), bit scans and counts,
// setcc/cmovcc for all 16 conditions, and the flag instructions, against independently computed values.
import * as assert from 'assert';
import {
  mk, memAt, exec, u, edges, presetFlags, arith, eqFlags, newMachine, reg64, setReg64, putReg,
  writeMem, readMem, DATA, F_CF, F_OF, F_AF, F_ZF, F_SF, F_PF, F_ARITH,
} from './alu-common.test';
import { getFlags } from '../../src/cpu/flags';

const RM = 3, REG = 6;
const GARBAGE = 0x0f1e2d3c4b5a6978n;

describe('alu: bt bts btr btc', () => {
  const OPS = ['Bt', 'Bts', 'Btr', 'Btc'];
  for (const size of [16, 32, 64]) {
    it(`${size}-bit register operand, register and imm8 offsets`, () => {
      const m = newMachine(), c = m.cpu;
      for (const op of OPS) for (const a of edges(size)) for (const off of [0, 1, 5, size - 1, size, size + 3, 255]) {
        const b = BigInt(off % size), bitv = (a >> b) & 1n;
        const want = op === 'Bt' ? a : op === 'Bts' ? a | (1n << b) : op === 'Btr' ? a & ~(1n << b) : a ^ (1n << b);
        for (const imm of [false, true]) {
          setReg64(c, RM, GARBAGE); putReg(c, size, RM, a); putReg(c, size, REG, BigInt(off));
          const before = reg64(c, RM);
          presetFlags(c, F_ZF | F_SF);
          exec(m, mk(`${op}_rm${size}_${imm ? 'imm8' : `r${size}`}`, { rm: RM, reg: REG, imm: off }));
          const full = size === 16 ? (before & ~0xffffn) | want : op === 'Bt' ? before : want;
          assert.strictEqual(reg64(c, RM), full, `${op}${size} ${a} ${off}`);
          eqFlags(arith(c), (bitv ? F_CF : 0) | F_ZF, F_CF | F_ZF, `${op}${size} flags`);
        }
      }
    });
    it(`${size}-bit bit string in memory with positive and negative register offsets`, () => {
      const m = newMachine(), c = m.cpu;
      const base = DATA + 0x1000;
      for (const op of OPS) for (const off of [0, 7, 8, 63, 64, 100, 1000, -1, -8, -9, -64, -65, -1000]) {
        for (let k = -256; k < 256; k++) m.mem.write8(base + k, (k * 37) & 0xff);
        const byteAddr = base + Math.floor(off / 8), bit = ((off % 8) + 8) % 8;
        const old = (m.mem.read8(byteAddr) >> bit) & 1;
        putReg(c, size, REG, BigInt.asUintN(size, BigInt(off)));
        presetFlags(c, 0);
        assert.strictEqual(exec(m, mk(`${op}_rm${size}_r${size}`, { reg: REG, ...memAt(base) })), -1);
        const now = (m.mem.read8(byteAddr) >> bit) & 1;
        assert.strictEqual(!!(arith(c) & F_CF), old === 1, `${op}${size} off=${off} CF`);
        const wantNow = op === 'Bt' ? old : op === 'Bts' ? 1 : op === 'Btr' ? 0 : old ^ 1;
        assert.strictEqual(now, wantNow, `${op}${size} off=${off} bit`);
        let changed = 0;
        for (let k = -256; k < 256; k++) if (m.mem.read8(base + k) !== ((k * 37) & 0xff)) changed++;
        assert.strictEqual(changed, now !== old ? 1 : 0, 'only the addressed bit changes');
      }
    });
  }
  it('imm8 offsets on memory stay within the operand; 16-bit register offsets are signed 16-bit', () => {
    const m = newMachine(), c = m.cpu;
    writeMem(m, DATA, 64, 0n);
    exec(m, mk('Bts_rm32_imm8', { imm: 33, ...memAt(DATA) }));
    assert.strictEqual(readMem(m, DATA, 64), 2n);
    writeMem(m, DATA - 2, 16, 0n);
    setReg64(c, REG, 0xffffn | (1n << 40n)); // -1 as 16-bit; the high bits are ignored
    exec(m, mk('Bts_rm16_r16', { reg: REG, ...memAt(DATA) }));
    assert.strictEqual(readMem(m, DATA - 2, 16), 0x8000n);
  });
  it('LOCK: #UD for bt and register destinations, allowed for bts/btr/btc on memory', () => {
    const m = newMachine();
    assert.strictEqual(exec(m, mk('Bt_rm32_r32', { reg: REG, lock: true, ...memAt(DATA) })), 6);
    assert.strictEqual(exec(m, mk('Bts_rm32_r32', { reg: REG, rm: RM, lock: true })), 6);
    assert.strictEqual(exec(m, mk('Btc_rm64_imm8', { imm: 1, lock: true, ...memAt(DATA) })), -1);
  });
});

describe('alu: bsf bsr popcnt lzcnt tzcnt', () => {
  for (const size of [16, 32, 64]) {
    it(`${size}-bit`, () => {
      const m = newMachine(), c = m.cpu;
      const vals = [...edges(size), 0x100n, 0x8000n & ((1n << BigInt(size)) - 1n)];
      for (const v of vals) {
        let lo = -1, hi = -1, pop = 0;
        for (let k = 0; k < size; k++) if ((v >> BigInt(k)) & 1n) { if (lo < 0) lo = k; hi = k; pop++; }
        const run = (name: string): bigint => {
          setReg64(c, REG, GARBAGE); putReg(c, size, RM, v);
          presetFlags(c, F_CF | F_OF | F_SF | F_AF | F_PF);
          assert.strictEqual(exec(m, mk(`${name}_r${size}_rm${size}`, { reg: REG, rm: RM })), -1);
          return reg64(c, REG);
        };
        const full = (x: number): bigint => size === 16 ? (GARBAGE & ~0xffffn) | BigInt(x) : BigInt(x);
        for (const [name, idx] of [['Bsf', lo], ['Bsr', hi]] as const) {
          const r = run(name);
          if (v === 0n) { assert.strictEqual(r, GARBAGE, `${name} zero keeps dst`); eqFlags(arith(c), F_ZF, F_ZF, name); }
          else { assert.strictEqual(r, full(idx), `${name}${size} ${v}`); eqFlags(arith(c), 0, F_ZF, name); }
        }
        assert.strictEqual(run('Popcnt'), full(pop));
        eqFlags(arith(c), v === 0n ? F_ZF : 0, F_ARITH, `popcnt ${v}`);
        const lz = v === 0n ? size : size - 1 - hi, tz = v === 0n ? size : lo;
        assert.strictEqual(run('Lzcnt'), full(lz));
        eqFlags(arith(c), (v === 0n ? F_CF : 0) | (lz === 0 ? F_ZF : 0), F_CF | F_ZF, `lzcnt ${v}`);
        assert.strictEqual(run('Tzcnt'), full(tz));
        eqFlags(arith(c), (v === 0n ? F_CF : 0) | (tz === 0 ? F_ZF : 0), F_CF | F_ZF, `tzcnt ${v}`);
      }
    });
  }
});

describe('alu: setcc, cmovcc and flag instructions', () => {
  const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
  const holds = (cc: number, f: number): boolean => {
    const cf = !!(f & F_CF), zf = !!(f & F_ZF), sf = !!(f & F_SF), of = !!(f & F_OF), pf = !!(f & F_PF);
    const b = [of, cf, zf, cf || zf, sf, pf, sf !== of, zf || sf !== of][cc >> 1];
    return cc & 1 ? !b : b;
  };
  it('all 16 conditions over all combinations of CF ZF SF OF PF', () => {
    const m = newMachine(), c = m.cpu;
    for (let bits = 0; bits < 32; bits++) {
      const f = (bits & 1 ? F_CF : 0) | (bits & 2 ? F_ZF : 0) | (bits & 4 ? F_SF : 0) | (bits & 8 ? F_OF : 0) | (bits & 16 ? F_PF : 0);
      for (let cc = 0; cc < 16; cc++) {
        const t = holds(cc, f), n = CC[cc];
        presetFlags(c, f);
        setReg64(c, RM, GARBAGE);
        exec(m, mk(`Set${n}_rm8`, { rm: RM }));
        assert.strictEqual(reg64(c, RM), (GARBAGE & ~0xffn) | (t ? 1n : 0n), `set${n}`);
        writeMem(m, DATA, 8, 0x55n);
        exec(m, mk(`Set${n}_rm8`, memAt(DATA)));
        assert.strictEqual(readMem(m, DATA, 8), t ? 1n : 0n);
        for (const size of [16, 32, 64]) {
          setReg64(c, REG, GARBAGE); setReg64(c, RM, 0x1111222233334444n);
          exec(m, mk(`Cmov${n}_r${size}_rm${size}`, { reg: REG, rm: RM }));
          const src = u(0x1111222233334444n, size);
          let want: bigint;
          if (size === 16) want = t ? (GARBAGE & ~0xffffn) | src : GARBAGE;
          else if (size === 32) want = t ? src : GARBAGE & 0xffffffffn;
          else want = t ? src : GARBAGE;
          assert.strictEqual(reg64(c, REG), want, `cmov${n} ${size}`);
        }
        assert.strictEqual(arith(c), f, 'flags unchanged');
      }
    }
  });
  it('cmov with a memory source reads it (and faults) even when the condition is false', () => {
    const m = newMachine(), c = m.cpu;
    presetFlags(c, 0);
    const bad = mk('Cmove_r64_rm64', { reg: REG, isMem: true, base: -1, index: -1, disp: 0, dispHi: 0x00800000, seg: 3 });
    assert.strictEqual(exec(m, bad), 13);
  });
  it('lahf/sahf/clc/stc/cmc/cld/std', () => {
    const m = newMachine(), c = m.cpu;
    presetFlags(c, F_CF | F_ZF | F_OF);
    setReg64(c, 0, 0x1122334455667788n);
    exec(m, mk('Lahf'));
    assert.strictEqual(reg64(c, 0), 0x1122334455664388n); // SF ZF 0 AF 0 PF 1 CF = 0100_0011
    c.setReg8(16, 0xd5); // SF ZF AF PF CF
    exec(m, mk('Sahf'));
    assert.strictEqual(arith(c), F_SF | F_ZF | F_AF | F_PF | F_CF | F_OF);
    exec(m, mk('Clc')); assert.strictEqual(arith(c) & F_CF, 0);
    exec(m, mk('Stc')); assert.strictEqual(arith(c) & F_CF, F_CF);
    exec(m, mk('Cmc')); assert.strictEqual(arith(c) & F_CF, 0);
    exec(m, mk('Cmc')); assert.strictEqual(arith(c) & F_CF, F_CF);
    exec(m, mk('Std')); assert.ok(getFlags(c) & 0x400);
    exec(m, mk('Cld')); assert.strictEqual(getFlags(c) & 0x400, 0);
    assert.strictEqual(exec(m, mk('Stc', { lock: true })), 6);
  });
});
