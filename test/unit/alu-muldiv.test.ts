// INC DEC NEG NOT, MUL/IMUL (all forms), DIV/IDIV (incl. 128/64 and #DE) and the decimal adjusts, against
// BigInt references: exact results and every flag the SDM defines for each instruction.
import * as assert from 'assert';
import {
  mk, memAt, exec, u, s, edges, refAlu, presetFlags, arith, eqFlags, newMachine, reg64, setReg64, putReg,
  writeMem, readMem, szp, DATA, F_CF, F_OF, F_AF, F_ZF, F_SF, F_PF, F_ARITH,
} from './alu-common.test';
import { makeMachine } from './helpers/machine';

const RM = 3, REG = 6;
const GARBAGE = 0x0123456789abcdefn;

describe('alu: inc dec neg not', () => {
  for (const size of [8, 16, 32, 64]) {
    it(`${size}-bit, register and memory, CF preserved by inc/dec`, () => {
      const m = newMachine(), c = m.cpu;
      for (const a of edges(size)) for (const cf of [false, true]) {
        for (const [name, op, b] of [['Inc', 'Add', 1n], ['Dec', 'Sub', 1n], ['Neg', 'Neg', 0n]] as const) {
          const ref = op === 'Neg' ? refAlu('Sub', size, 0n, a, false) : refAlu(op, size, a, b, false);
          const want = op === 'Neg' ? ref.f : (ref.f & ~F_CF) | (cf ? F_CF : 0);
          for (const mem of [false, true]) {
            setReg64(c, RM, GARBAGE);
            if (mem) writeMem(m, DATA, size, a); else putReg(c, size, RM, a);
            presetFlags(c, cf ? F_CF | F_ZF : 0);
            const before = reg64(c, RM);
            assert.strictEqual(exec(m, mk(`${name}_rm${size}`, mem ? memAt(DATA) : { rm: RM })), -1);
            const got = mem ? readMem(m, DATA, size) : reg64(c, RM);
            const exp = mem ? ref.r : size >= 32 ? ref.r : (before & ~((1n << BigInt(size)) - 1n)) | ref.r;
            assert.strictEqual(got, exp, `${name}${size} ${a}`);
            eqFlags(arith(c), want, F_ARITH, `${name}${size} ${a} cf=${cf}`);
          }
        }
        // NOT: no flags change.
        putReg(c, size, RM, a); presetFlags(c, cf ? F_CF | F_OF : F_ZF);
        exec(m, mk(`Not_rm${size}`, { rm: RM }));
        assert.strictEqual(reg64(c, RM) & ((1n << BigInt(size)) - 1n), u(~a, size));
        assert.strictEqual(arith(c), cf ? F_CF | F_OF : F_ZF);
      }
    });
  }
  it('one-byte 40-4F forms (Inc_r16/r32, Dec_r16/r32) use i.reg', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(2, 0x7fffffff);
    exec(m, mk('Inc_r32', { reg: 2, mode: 32 }));
    assert.strictEqual(c.getReg32(2) >>> 0, 0x80000000);
    eqFlags(arith(c), F_OF | F_SF | F_AF | F_PF, F_ARITH, 'inc 7fffffff');
    c.setReg32(1, 0x12340000);
    exec(m, mk('Dec_r16', { reg: 1, mode: 32 }));
    assert.strictEqual(c.getReg32(1) >>> 0, 0x1234ffff);
    eqFlags(arith(c), F_SF | F_AF | F_PF, F_ARITH, 'dec 0');
  });
  it('LOCK #UD on register destinations, allowed on memory', () => {
    const m = newMachine();
    for (const n of ['Inc', 'Dec', 'Neg', 'Not']) {
      assert.strictEqual(exec(m, mk(`${n}_rm32`, { rm: RM, lock: true })), 6);
      assert.strictEqual(exec(m, mk(`${n}_rm64`, { lock: true, ...memAt(DATA) })), -1);
    }
  });
});

describe('alu: mul and imul', () => {
  for (const size of [8, 16, 32, 64]) {
    it(`one-operand mul/imul ${size}-bit`, () => {
      const m = newMachine(), c = m.cpu;
      for (const a of edges(size)) for (const b of edges(size)) for (const signed of [false, true]) {
        setReg64(c, 0, GARBAGE); setReg64(c, 2, GARBAGE); putReg(c, size, 0, a); putReg(c, size, RM, b);
        assert.strictEqual(exec(m, mk(`${signed ? 'Imul' : 'Mul'}_rm${size}`, { rm: RM })), -1);
        const p = signed ? s(a, size) * s(b, size) : a * b;
        const lo = u(p, size), hi = u(p >> BigInt(size), size);
        let of: boolean;
        if (signed) of = s(lo, size) !== p; else of = hi !== 0n;
        if (size === 8) assert.strictEqual(reg64(c, 0) & 0xffffn, u(p, 16));
        else {
          assert.strictEqual(reg64(c, 0) & ((1n << BigInt(size)) - 1n), lo, 'low');
          assert.strictEqual(reg64(c, 2) & ((1n << BigInt(size)) - 1n), hi, 'high');
          if (size === 16) assert.strictEqual(reg64(c, 2) >> 16n, GARBAGE >> 16n, 'dx upper kept');
          if (size === 32) assert.strictEqual(reg64(c, 2) >> 32n, 0n, 'edx zero-extended');
        }
        eqFlags(arith(c), of ? F_CF | F_OF : 0, F_CF | F_OF, `${signed ? 'i' : ''}mul${size} ${a}*${b}`);
      }
    });
    if (size > 8) {
      it(`two- and three-operand imul ${size}-bit`, () => {
        const m = newMachine(), c = m.cpu;
        for (const a of edges(size)) for (const b of edges(size)) {
          const p = s(a, size) * s(b, size), lo = u(p, size), of = s(lo, size) !== p;
          setReg64(c, REG, GARBAGE); putReg(c, size, REG, a); putReg(c, size, RM, b);
          const before = reg64(c, REG);
          exec(m, mk(`Imul_r${size}_rm${size}`, { reg: REG, rm: RM }));
          const want = size === 16 ? (before & ~0xffffn) | lo : lo;
          assert.strictEqual(reg64(c, REG), want, `imul2 ${size} ${a} ${b}`);
          eqFlags(arith(c), of ? F_CF | F_OF : 0, F_CF | F_OF, 'imul2 flags');
          // three-operand: reg = r/m * imm (imm sign-extended) when b fits
          const bi = s(b, size);
          const fits8 = bi >= -128n && bi < 128n, fits32 = bi >= -(1n << 31n) && bi < (1n << 31n);
          const forms: string[] = [];
          if (fits8) forms.push(`Imul_r${size}_rm${size}_imm8`);
          if (fits32) forms.push(`Imul_r${size}_rm${size}_imm${size === 16 ? 16 : 32}`);
          for (const f of forms) {
            setReg64(c, REG, GARBAGE); writeMem(m, DATA, size, a);
            exec(m, mk(f, { reg: REG, imm: Number(bi), ...memAt(DATA) }));
            const w2 = size === 16 ? (GARBAGE & ~0xffffn) | lo : lo;
            assert.strictEqual(reg64(c, REG), w2, `${f} ${a} ${b}`);
            eqFlags(arith(c), of ? F_CF | F_OF : 0, F_CF | F_OF, `${f} flags`);
          }
        }
      });
    }
  }
});

describe('alu: div and idiv', () => {
  const dividends = (size: number): bigint[] => {
    const out: bigint[] = [];
    const e = edges(size);
    for (const hi of [0n, 1n, 0x7fn, (1n << BigInt(size)) - 1n, 1n << BigInt(size - 1)]) for (const lo of e) out.push((u(hi, size) << BigInt(size)) | lo);
    return out;
  };
  for (const size of [8, 16, 32, 64]) {
    it(`${size}-bit div/idiv with #DE on zero divisor and overflow`, () => {
      const m = newMachine(), c = m.cpu;
      let faults = 0, ok = 0;
      for (const n of dividends(size)) for (const d of edges(size)) for (const signed of [false, true]) {
        const W = BigInt(size);
        setReg64(c, 0, GARBAGE); setReg64(c, 2, GARBAGE ^ 0xffffn);
        if (size === 8) c.setReg16(0, Number(n));
        else { putReg(c, size, 0, u(n, size)); putReg(c, size, 2, n >> W); }
        const ra = reg64(c, 0), rd = reg64(c, 2);
        writeMem(m, DATA, size, d);
        presetFlags(c, F_ZF | F_CF);
        const v = exec(m, mk(`${signed ? 'Idiv' : 'Div'}_rm${size}`, memAt(DATA)));
        let q: bigint | null = null, r = 0n;
        if (d !== 0n) {
          if (signed) {
            const sn = s(n, 2 * size), sd = s(d, size);
            q = sn / sd; r = sn % sd; // BigInt division truncates like IDIV
            if (q < -(1n << (W - 1n)) || q >= (1n << (W - 1n))) q = null;
          } else { q = n / d; r = n % d; if (q >= (1n << W)) q = null; }
        }
        if (q === null) {
          assert.strictEqual(v, 0, `#DE expected ${signed ? 'i' : ''}div${size} ${n.toString(16)}/${d.toString(16)}`);
          assert.strictEqual(reg64(c, 0), ra); assert.strictEqual(reg64(c, 2), rd);
          faults++;
          continue;
        }
        assert.strictEqual(v, -1, `no fault ${n}/${d}`);
        if (size === 8) {
          assert.strictEqual(reg64(c, 0) & 0xffffn, (u(r, 8) << 8n) | u(q, 8), `div8 ${n}/${d}`);
        } else {
          assert.strictEqual(reg64(c, 0) & ((1n << W) - 1n), u(q, size), `q ${signed ? 'i' : ''}div${size} ${n.toString(16)}/${d.toString(16)}`);
          assert.strictEqual(reg64(c, 2) & ((1n << W) - 1n), u(r, size), `r ${signed ? 'i' : ''}div${size} ${n.toString(16)}/${d.toString(16)}`);
        }
        ok++;
      }
      assert.ok(faults > 10 && ok > 100, `faults ${faults} ok ${ok}`);
    });
  }
  it('128/64 division with large divisors and quotient limits', () => {
    const m = newMachine(), c = m.cpu;
    const cases: [bigint, bigint][] = [
      [(1n << 127n) - 1n, (1n << 64n) - 1n], [0xfffffffffffffffe_ffffffffffffffffn, (1n << 64n) - 1n],
      [0x00000000_87654321_00000000_12345678n, 0x1_00000000n], [0x123456789abcdef0_fedcba9876543210n, 0x9000000000000001n],
      [0x7fffffffffffffff_0000000000000000n, 0xffffffff00000001n], [0x1n, 0x100000000n],
    ];
    for (const [n, d] of cases) {
      setReg64(c, 0, n & ((1n << 64n) - 1n)); setReg64(c, 2, n >> 64n); setReg64(c, RM, d);
      assert.strictEqual(exec(m, mk('Div_rm64', { rm: RM })), -1, `${n}/${d}`);
      assert.strictEqual(reg64(c, 0), n / d); assert.strictEqual(reg64(c, 2), n % d);
    }
    // idiv: -2^63 quotient is allowed, +2^63 is #DE
    setReg64(c, 0, 1n << 63n); setReg64(c, 2, -1n); setReg64(c, RM, 1n);
    assert.strictEqual(exec(m, mk('Idiv_rm64', { rm: RM })), -1);
    assert.strictEqual(reg64(c, 0), 1n << 63n);
    setReg64(c, 0, 1n << 63n); setReg64(c, 2, -1n); setReg64(c, RM, -1n);
    assert.strictEqual(exec(m, mk('Idiv_rm64', { rm: RM })), 0);
    // 32-bit: -2^31 / -1 overflows, -2^31 / 1 does not
    c.setReg32(0, 0x80000000 | 0); c.setReg32(2, -1); c.setReg32(RM, -1);
    assert.strictEqual(exec(m, mk('Idiv_rm32', { rm: RM })), 0);
    c.setReg32(RM, 1);
    assert.strictEqual(exec(m, mk('Idiv_rm32', { rm: RM })), -1);
    assert.strictEqual(c.getReg32(0) >>> 0, 0x80000000);
  });
});

describe('alu: decimal adjust (32-bit mode)', () => {
  const refDaa = (al: number, cf: boolean, af: boolean, sub: boolean): { al: number; f: number } => {
    const old = al; let c2 = false, a2 = false;
    if ((al & 0xf) > 9 || af) { c2 = cf || (sub ? al < 6 : al + 6 > 0xff); al = sub ? al - 6 : al + 6; a2 = true; }
    if (old > 0x99 || cf) { al = sub ? al - 0x60 : al + 0x60; c2 = true; } else if (!sub) c2 = false;
    al &= 0xff;
    return { al, f: (c2 ? F_CF : 0) | (a2 ? F_AF : 0) | szp(BigInt(al), 8) };
  };
  it('daa/das over every AL, CF, AF', () => {
    const m = makeMachine(32), c = m.cpu;
    for (const sub of [false, true]) for (let al = 0; al < 256; al++) for (const cf of [false, true]) for (const af of [false, true]) {
      c.setReg32(0, 0x1200 | al);
      presetFlags(c, (cf ? F_CF : 0) | (af ? F_AF : 0));
      exec(m, mk(sub ? 'Das' : 'Daa', { mode: 32 }));
      const r = refDaa(al, cf, af, sub);
      assert.strictEqual(c.getReg32(0), 0x1200 | r.al, `${sub ? 'das' : 'daa'} ${al} ${cf} ${af}`);
      eqFlags(arith(c), r.f, F_CF | F_AF | F_ZF | F_SF | F_PF, `${sub ? 'das' : 'daa'} ${al} cf=${cf} af=${af}`);
    }
  });
  it('aaa/aas over every AX low byte, AF', () => {
    const m = makeMachine(32), c = m.cpu;
    for (const sub of [false, true]) for (let al = 0; al < 256; al++) for (const af of [false, true]) {
      const ax = 0x3400 | al;
      c.setReg32(0, ax);
      presetFlags(c, af ? F_AF : 0);
      exec(m, mk(sub ? 'Aas' : 'Aaa', { mode: 32 }));
      const adj = (al & 0xf) > 9 || af;
      let want = ax;
      if (adj) want = sub ? (ax - 0x106) & 0xffff : (ax + 0x106) & 0xffff;
      want &= 0xff0f;
      assert.strictEqual(c.getReg32(0), want, `${sub ? 'aas' : 'aaa'} ${ax.toString(16)} af=${af}`);
      eqFlags(arith(c), adj ? F_CF | F_AF : 0, F_CF | F_AF, 'aaa flags');
    }
  });
  it('aam/aad with any base; aam 0 is #DE; all are #UD in 64-bit mode', () => {
    const m = makeMachine(32), c = m.cpu;
    for (const base of [10, 16, 7, 255]) for (let ax = 0; ax < 0x10000; ax += 97) {
      c.setReg32(0, ax);
      exec(m, mk('Aam_imm8', { imm: base, mode: 32 }));
      const al = ax & 0xff;
      assert.strictEqual(c.getReg32(0), ((Math.floor(al / base)) << 8) | (al % base));
      eqFlags(arith(c), szp(BigInt(al % base), 8), F_ZF | F_SF | F_PF, 'aam flags');
      c.setReg32(0, ax);
      exec(m, mk('Aad_imm8', { imm: base, mode: 32 }));
      const r = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
      assert.strictEqual(c.getReg32(0), r);
      eqFlags(arith(c), szp(BigInt(r), 8), F_ZF | F_SF | F_PF, 'aad flags');
    }
    assert.strictEqual(exec(m, mk('Aam_imm8', { imm: 0, mode: 32 })), 0);
    const m64 = newMachine();
    for (const n of ['Daa', 'Das', 'Aaa', 'Aas', 'Aam_imm8', 'Aad_imm8', 'Salc']) assert.strictEqual(exec(m64, mk(n, { imm: 10 })), 6, n);
  });
  it('salc sets AL from CF', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(0, 0x1234);
    presetFlags(c, F_CF); exec(m, mk('Salc', { mode: 32 }));
    assert.strictEqual(c.getReg32(0), 0x12ff);
    presetFlags(c, 0); exec(m, mk('Salc', { mode: 32 }));
    assert.strictEqual(c.getReg32(0), 0x1200);
  });
});
