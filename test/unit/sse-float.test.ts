// SSE/SSE2 floating point: scalar/packed arithmetic with exact IEEE results (round to nearest), NaN propagation and
// the default NaN, min/max operand rules, cmp predicates, comis/ucomis flags, and int/float conversions.

import * as assert from 'assert';
import { RAX, RCX } from '../../src/cpu/state';
import { getFlags, setFlags, F_ZF, F_PF, F_CF, F_OF, F_SF, F_AF } from '../../src/cpu/flags';
import { sseMachine, regInsn, memInsn, exec, setXmm, xmm } from './sse-support.test';
import type { TestMachine } from './helpers/machine';

const f32 = new Float32Array(1), u32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1), u64 = new Int32Array(f64.buffer);
const bitsF = (v: number) => { f32[0] = v; return u32[0] >>> 0; };
const bitsD = (v: number) => { f64[0] = v; return [u64[0] >>> 0, u64[1] >>> 0]; };
function setSd(m: TestMachine, n: number, lo: number, hi: number): void { setXmm(m, n, [...bitsD(lo), ...bitsD(hi)]); }
function sd(m: TestMachine, n: number, lane = 0): number {
  u64[0] = m.cpu.xmm[4 * n + 2 * lane]; u64[1] = m.cpu.xmm[4 * n + 2 * lane + 1]; return f64[0];
}

describe('SSE floating point', () => {
  it('addsd/subsd/mulsd/divsd/sqrtsd keep the upper qword', () => {
    const m = sseMachine();
    const cases: [string, number, number, number][] = [
      ['Addsd_xmm_xmmm64', 0.1, 0.2, 0.1 + 0.2], ['Subsd_xmm_xmmm64', 1, 1e-17, 1 - 1e-17],
      ['Mulsd_xmm_xmmm64', 3, 1 / 3, 3 * (1 / 3)], ['Divsd_xmm_xmmm64', 1, 3, 1 / 3], ['Sqrtsd_xmm_xmmm64', 99, 2, Math.SQRT2],
      ['Divsd_xmm_xmmm64', 1, -0, -Infinity],
    ];
    for (const [c, a, b, want] of cases) {
      setSd(m, 1, a, 42); setSd(m, 2, b, 7);
      exec(m, regInsn(c, 1, 2));
      assert.strictEqual(sd(m, 1), want, c);
      assert.strictEqual(sd(m, 1, 1), 42, c);
    }
    m.mem.writeBytes(0x1003, new Uint8Array(new Float64Array([0.5]).buffer));
    setSd(m, 1, 2, 42);
    exec(m, memInsn(m, 'Mulsd_xmm_xmmm64', 1, 0x1003)); // scalar memory operands need no alignment
    assert.strictEqual(sd(m, 1), 1);
  });
  it('single precision is rounded once to float32', () => {
    const m = sseMachine();
    setXmm(m, 1, [bitsF(1), 1, 2, 3]); setXmm(m, 2, [bitsF(3), 9, 9, 9]);
    exec(m, regInsn('Divss_xmm_xmmm32', 1, 2));
    assert.deepStrictEqual(xmm(m, 1), [0x3eaaaaab, 1, 2, 3]);
    setXmm(m, 1, [bitsF(16777216), 0, 0, 0]); setXmm(m, 2, [bitsF(1), 0, 0, 0]);
    exec(m, regInsn('Addss_xmm_xmmm32', 1, 2)); // 2^24 + 1 ties to even
    assert.strictEqual(xmm(m, 1)[0], bitsF(16777216));
    setXmm(m, 1, [bitsF(1), bitsF(2), bitsF(-3), bitsF(0.5)]); setXmm(m, 2, [bitsF(1), bitsF(0.25), bitsF(3), bitsF(4)]);
    exec(m, regInsn('Mulps_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmm(m, 1), [bitsF(1), bitsF(0.5), bitsF(-9), bitsF(2)]);
  });
  it('NaN rules: first-operand NaN wins (quieted), invalid gives the negative default NaN', () => {
    const m = sseMachine();
    setXmm(m, 1, [0, 0x7ff00001, 0, 0]); setXmm(m, 2, [0, 0x7ff80002, 0, 0]); // SNaN op QNaN
    exec(m, regInsn('Addsd_xmm_xmmm64', 1, 2));
    assert.deepStrictEqual(xmm(m, 1).slice(0, 2), [0, 0x7ff80001]);
    setSd(m, 1, 1, 0); setXmm(m, 2, [5, 0xfff00000 | 0, 0, 0]); // number op -SNaN
    exec(m, regInsn('Subsd_xmm_xmmm64', 1, 2));
    assert.deepStrictEqual(xmm(m, 1).slice(0, 2), [5, 0xfff80000]);
    setSd(m, 1, Infinity, 0); setSd(m, 2, Infinity, 0);
    exec(m, regInsn('Subsd_xmm_xmmm64', 1, 2));
    assert.deepStrictEqual(xmm(m, 1).slice(0, 2), [0, 0xfff80000]);
    setXmm(m, 2, [bitsF(-1), 0, 0, 0]);
    exec(m, regInsn('Sqrtss_xmm_xmmm32', 1, 2));
    assert.strictEqual(xmm(m, 1)[0], 0xffc00000);
  });
  it('min/max return the second operand on NaN or equal zeros', () => {
    const m = sseMachine();
    setSd(m, 1, 0, 5); setSd(m, 2, -0, -5);
    exec(m, regInsn('Minpd_xmm_xmmm128', 1, 2));
    assert.ok(Object.is(sd(m, 1), -0)); assert.strictEqual(sd(m, 1, 1), -5);
    setXmm(m, 1, [0x7fc00000, bitsF(1), 0, 0]); setXmm(m, 2, [bitsF(2), bitsF(3), 0, 0]);
    exec(m, regInsn('Maxss_xmm_xmmm32', 1, 2));
    assert.deepStrictEqual(xmm(m, 1).slice(0, 2), [bitsF(2), bitsF(1)]);
    setXmm(m, 1, [bitsF(4), 0, 0, 0]); setXmm(m, 2, [0x7f800001, 0, 0, 0]);
    exec(m, regInsn('Minss_xmm_xmmm32', 1, 2));
    assert.strictEqual(xmm(m, 1)[0], 0x7f800001);
  });
  it('cmpsd/cmpps predicates', () => {
    const m = sseMachine();
    const want = [[0, 0, 0, 1, 1, 1, 1, 0], [0, 1, 1, 0, 1, 0, 0, 1]];
    for (let p = 0; p < 8; p++) {
      setXmm(m, 1, [...bitsD(NaN), ...bitsD(1)]); setXmm(m, 2, [...bitsD(1), ...bitsD(2)]);
      exec(m, regInsn('Cmppd_xmm_xmmm128_imm8', 1, 2, p));
      assert.deepStrictEqual(xmm(m, 1), [want[0][p], want[0][p], want[1][p], want[1][p]].map((v) => (v ? 0xffffffff : 0)), `pred ${p}`);
    }
    setXmm(m, 1, [bitsF(1), 7, 7, 7]); setXmm(m, 2, [bitsF(1), 0, 0, 0]);
    exec(m, regInsn('Cmpss_xmm_xmmm32_imm8', 1, 2, 2));
    assert.deepStrictEqual(xmm(m, 1), [0xffffffff, 7, 7, 7]);
  });
  it('comisd/ucomiss set ZF PF CF and clear OF SF AF', () => {
    const m = sseMachine();
    const cases: [number, number, number][] = [[1, 2, F_CF], [2, 1, 0], [3, 3, F_ZF], [NaN, 3, F_ZF | F_PF | F_CF]];
    for (const [a, b, f] of cases) {
      setFlags(m.cpu, F_OF | F_SF | F_AF, F_OF | F_SF | F_AF | F_ZF | F_PF | F_CF);
      setSd(m, 1, a, 0); setSd(m, 2, b, 0);
      exec(m, regInsn('Comisd_xmm_xmmm64', 1, 2));
      assert.strictEqual(getFlags(m.cpu) & (F_OF | F_SF | F_AF | F_ZF | F_PF | F_CF), f, `${a} ${b}`);
      setXmm(m, 1, [bitsF(a), 0, 0, 0]); setXmm(m, 2, [bitsF(b), 0, 0, 0]);
      exec(m, regInsn('Ucomiss_xmm_xmmm32', 1, 2));
      assert.strictEqual(getFlags(m.cpu) & (F_OF | F_SF | F_AF | F_ZF | F_PF | F_CF), f, `${a} ${b}`);
    }
  });
  it('cvtsi2sd/cvtsi2ss from r32 and r64 (one rounding)', () => {
    const m = sseMachine();
    m.cpu.setReg64(RAX, -7, -1);
    setSd(m, 1, 0, 9);
    exec(m, regInsn('Cvtsi2sd_xmm_rm32', 1, RAX));
    assert.deepStrictEqual([sd(m, 1), sd(m, 1, 1)], [-7, 9]);
    m.cpu.setReg64(RAX, 0x00000401, 0x00200000); // 2^53 + 1025: a tie between 2^53+1024 and 2^53+1026, to even
    exec(m, regInsn('Cvtsi2sd_xmm_rm64', 1, RAX));
    assert.strictEqual(sd(m, 1), 2 ** 53 + 1024);
    m.cpu.setReg64(RAX, 0, 0x80000000 | 0);
    exec(m, regInsn('Cvtsi2sd_xmm_rm64', 1, RAX));
    assert.strictEqual(sd(m, 1), -(2 ** 63));
    // 2^60 + 2^36 + 1: double rounding through float64 would give 2^60 (tie), the exact answer rounds up
    m.cpu.setReg64(RAX, 1, 0x10000010);
    exec(m, regInsn('Cvtsi2ss_xmm_rm64', 1, RAX));
    assert.strictEqual(m.cpu.xmm[4] >>> 0, bitsF(2 ** 60 + 2 ** 37));
    m.cpu.setReg64(RAX, 16777217, 0);
    exec(m, regInsn('Cvtsi2ss_xmm_rm32', 1, RAX));
    assert.strictEqual(m.cpu.xmm[4] >>> 0, bitsF(16777216));
  });
  it('cvttsd2si truncates; cvtsd2si follows MXCSR.RC; out of range gives the integer indefinite', () => {
    const m = sseMachine();
    const run = (code: string, v: number, r = RCX) => { setSd(m, 2, v, 0); exec(m, regInsn(code, r, 2)); return [m.cpu.regs[2 * r], m.cpu.regs[2 * r + 1]]; };
    assert.deepStrictEqual(run('Cvttsd2si_r32_xmmm64', -2.9), [-2, 0]);
    assert.deepStrictEqual(run('Cvttsd2si_r32_xmmm64', 2147483648), [0x80000000 | 0, 0]);
    assert.deepStrictEqual(run('Cvttsd2si_r32_xmmm64', NaN), [0x80000000 | 0, 0]);
    assert.deepStrictEqual(run('Cvttsd2si_r64_xmmm64', -1.5), [-1, -1]);
    assert.deepStrictEqual(run('Cvttsd2si_r64_xmmm64', 2 ** 40 + 3), [3, 256]);
    assert.deepStrictEqual(run('Cvttsd2si_r64_xmmm64', 2 ** 63), [0, 0x80000000 | 0]);
    assert.deepStrictEqual(run('Cvtsd2si_r32_xmmm64', 2.5), [2, 0]);
    assert.deepStrictEqual(run('Cvtsd2si_r32_xmmm64', 3.5), [4, 0]);
    assert.deepStrictEqual(run('Cvtsd2si_r32_xmmm64', -2.5), [-2, 0]);
    m.cpu.mxcsr = 0x1f80 | (1 << 13); // round down
    assert.deepStrictEqual(run('Cvtsd2si_r32_xmmm64', -2.1), [-3, 0]);
    m.cpu.mxcsr = 0x1f80 | (2 << 13); // round up
    assert.deepStrictEqual(run('Cvtsd2si_r32_xmmm64', 2.1), [3, 0]);
    setXmm(m, 2, [bitsF(-7.75), 0, 0, 0]);
    exec(m, regInsn('Cvttss2si_r32_xmmm32', RAX, 2));
    assert.strictEqual(m.cpu.regs[0], -7);
  });
  it('cvtss2sd / cvtsd2ss, including NaN payloads', () => {
    const m = sseMachine();
    setXmm(m, 1, [1, 2, 3, 4]); setXmm(m, 2, [bitsF(0.1), 0, 0, 0]);
    exec(m, regInsn('Cvtss2sd_xmm_xmmm32', 1, 2));
    assert.deepStrictEqual([sd(m, 1), m.cpu.xmm[6], m.cpu.xmm[7]], [Math.fround(0.1), 3, 4]);
    setSd(m, 2, 0.1, 0);
    exec(m, regInsn('Cvtsd2ss_xmm_xmmm64', 1, 2));
    assert.strictEqual(m.cpu.xmm[4] >>> 0, bitsF(0.1));
    setXmm(m, 2, [0xff800001 | 0, 0, 0, 0]); // -SNaN payload 1
    exec(m, regInsn('Cvtss2sd_xmm_xmmm32', 1, 2));
    assert.deepStrictEqual(xmm(m, 1).slice(0, 2), [0x20000000, 0xfff80000]);
    exec(m, regInsn('Cvtsd2ss_xmm_xmmm64', 1, 1));
    assert.strictEqual(m.cpu.xmm[4] >>> 0, 0xffc00001);
  });
});
