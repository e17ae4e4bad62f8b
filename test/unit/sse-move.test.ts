// SSE/SSE2 data movement: exact lane results of movd/movq/movdqa/movdqu/movaps/movss/movsd/movlps/movhps/...,
// and the architectural checks (CR0.EM, CR4.OSFXSR, CR0.TS, 16-byte alignment).

import * as assert from 'assert';
import { UD, NM, GP } from '../../src/cpu/fault';
import { RAX, RCX, RDI } from '../../src/cpu/state';
import {
  sseMachine, regInsn, memInsn, exec, setXmm, xmm, xmmBytes, setXmmBytes, memBytes, assertFault,
} from './sse-support.test';

const P = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c];
const Q = [0x11111111 | 0, 0x22222222, 0x33333333, 0x44444444];

describe('SSE moves', () => {
  it('movd xmm, r32 zero-extends; movd r32, xmm writes the low dword', () => {
    const m = sseMachine();
    setXmm(m, 3, Q);
    m.cpu.setReg64(RCX, 0xdeadbeef | 0, 0x12345678);
    exec(m, regInsn('Movd_xmm_rm32', 3, RCX));
    assert.deepStrictEqual(xmm(m, 3), [0xdeadbeef, 0, 0, 0]);
    setXmm(m, 4, [0xcafef00d | 0, 1, 2, 3]);
    m.cpu.setReg64(RAX, -1, -1);
    exec(m, regInsn('Movd_rm32_xmm', 4, RAX));
    assert.deepStrictEqual([m.cpu.regs[0] >>> 0, m.cpu.regs[1]], [0xcafef00d, 0]);
  });
  it('movd/movq with memory', () => {
    const m = sseMachine();
    m.mem.writeBytes(0x1000, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    setXmm(m, 1, Q);
    exec(m, memInsn(m, 'Movd_xmm_rm32', 1, 0x1000));
    assert.deepStrictEqual(xmm(m, 1), [0x04030201, 0, 0, 0]);
    setXmm(m, 1, Q);
    exec(m, memInsn(m, 'Movq_xmm_rm64', 1, 0x1000));
    assert.deepStrictEqual(xmm(m, 1), [0x04030201, 0x08070605, 0, 0]);
    setXmm(m, 2, P);
    exec(m, memInsn(m, 'Movq_rm64_xmm', 2, 0x2000));
    assert.deepStrictEqual(memBytes(m, 0x2000, 9), [0, 1, 2, 3, 4, 5, 6, 7, 0]);
    exec(m, memInsn(m, 'Movd_rm32_xmm', 2, 0x2100));
    assert.deepStrictEqual(memBytes(m, 0x2100, 5), [0, 1, 2, 3, 0]);
  });
  it('movq xmm, r64 and movq r64, xmm', () => {
    const m = sseMachine();
    m.cpu.setReg64(RDI, 0x89abcdef | 0, 0x01234567);
    setXmm(m, 9, Q);
    exec(m, regInsn('Movq_xmm_rm64', 9, RDI));
    assert.deepStrictEqual(xmm(m, 9), [0x89abcdef, 0x01234567, 0, 0]);
    setXmm(m, 15, P);
    exec(m, regInsn('Movq_rm64_xmm', 15, RAX));
    assert.deepStrictEqual([m.cpu.regs[0], m.cpu.regs[1]], [P[0], P[1]]);
  });
  it('movq xmm, xmm/m64 (F3 0F 7E) and movq xmm/m64, xmm (66 0F D6) zero the upper qword', () => {
    const m = sseMachine();
    setXmm(m, 1, P); setXmm(m, 2, Q);
    exec(m, regInsn('Movq_xmm_xmmm64', 2, 1));
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[1], 0, 0]);
    setXmm(m, 2, Q);
    exec(m, regInsn('Movq_xmmm64_xmm', 1, 2)); // rm = xmm2 <- xmm1
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[1], 0, 0]);
    exec(m, memInsn(m, 'Movq_xmmm64_xmm', 1, 0x3000));
    assert.deepStrictEqual(memBytes(m, 0x3000, 8), [0, 1, 2, 3, 4, 5, 6, 7]);
    setXmm(m, 5, Q);
    exec(m, memInsn(m, 'Movq_xmm_xmmm64', 5, 0x3000));
    assert.deepStrictEqual(xmm(m, 5), [P[0], P[1], 0, 0]);
  });
  for (const [load, store, aligned] of [
    ['Movdqa_xmm_xmmm128', 'Movdqa_xmmm128_xmm', true], ['Movaps_xmm_xmmm128', 'Movaps_xmmm128_xmm', true],
    ['Movapd_xmm_xmmm128', 'Movapd_xmmm128_xmm', true], ['Movdqu_xmm_xmmm128', 'Movdqu_xmmm128_xmm', false],
    ['Movups_xmm_xmmm128', 'Movups_xmmm128_xmm', false], ['Movupd_xmm_xmmm128', 'Movupd_xmmm128_xmm', false],
  ] as [string, string, boolean][]) {
    it(`${load} / ${store}: register, memory${aligned ? ', #GP(0) when misaligned' : ', any alignment'}`, () => {
      const m = sseMachine();
      setXmm(m, 1, P); setXmm(m, 10, Q);
      exec(m, regInsn(load, 10, 1));
      assert.deepStrictEqual(xmm(m, 10), P.map((v) => v >>> 0));
      setXmm(m, 10, Q);
      exec(m, regInsn(store, 1, 10)); // rm = xmm10 <- xmm1
      assert.deepStrictEqual(xmm(m, 10), P.map((v) => v >>> 0));
      exec(m, memInsn(m, store, 1, 0x4000));
      assert.deepStrictEqual(memBytes(m, 0x4000, 17), [...Array(16).keys(), 0]);
      setXmm(m, 2, Q);
      exec(m, memInsn(m, load, 2, 0x4000));
      assert.deepStrictEqual(xmm(m, 2), P.map((v) => v >>> 0));
      if (aligned) {
        setXmm(m, 2, Q);
        assertFault(m, memInsn(m, load, 2, 0x4008), GP, 0);
        assertFault(m, memInsn(m, store, 2, 0x5001), GP, 0);
        assert.deepStrictEqual(xmm(m, 2), Q.map((v) => v >>> 0));
        assert.deepStrictEqual(memBytes(m, 0x5000, 20), Array(20).fill(0));
      } else {
        exec(m, memInsn(m, store, 1, 0x4ff9)); // crosses a page boundary
        setXmm(m, 3, Q);
        exec(m, memInsn(m, load, 3, 0x4ff9));
        assert.deepStrictEqual(xmm(m, 3), P.map((v) => v >>> 0));
      }
    });
  }
  it('non-temporal stores: movntdq/movntps/movntpd need alignment; movnti needs no SSE state', () => {
    const m = sseMachine();
    setXmm(m, 7, P);
    for (const c of ['Movntdq_m128_xmm', 'Movntps_m128_xmm', 'Movntpd_m128_xmm']) {
      m.mem.bytes.fill(0, 0x6000, 0x6020);
      exec(m, memInsn(m, c, 7, 0x6010));
      assert.deepStrictEqual(memBytes(m, 0x6010, 16), [...Array(16).keys()]);
      assertFault(m, memInsn(m, c, 7, 0x6004), GP, 0);
    }
    m.cpu.cr0 |= 4 | 8; m.cpu.cr4 = 0; // EM, TS, no OSFXSR: movnti is unaffected
    m.cpu.setReg64(RCX, 0x11223344, 0x55667788);
    exec(m, memInsn(m, 'Movnti_m32_r32', RCX, 0x6100));
    exec(m, memInsn(m, 'Movnti_m64_r64', RCX, 0x6108));
    assert.deepStrictEqual(memBytes(m, 0x6100, 16), [0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
  });
  it('movss: register form merges lane 0, load zero-extends, store writes 4 bytes', () => {
    const m = sseMachine();
    setXmm(m, 1, P); setXmm(m, 2, Q);
    exec(m, regInsn('Movss_xmm_xmmm32', 2, 1));
    assert.deepStrictEqual(xmm(m, 2), [P[0], Q[1], Q[2], Q[3]].map((v) => v >>> 0));
    setXmm(m, 2, Q);
    exec(m, regInsn('Movss_xmmm32_xmm', 1, 2)); // rm = xmm2 <- xmm1 lane 0
    assert.deepStrictEqual(xmm(m, 2), [P[0], Q[1], Q[2], Q[3]].map((v) => v >>> 0));
    exec(m, memInsn(m, 'Movss_xmmm32_xmm', 1, 0x7001));
    assert.deepStrictEqual(memBytes(m, 0x7000, 6), [0, 0, 1, 2, 3, 0]);
    exec(m, memInsn(m, 'Movss_xmm_xmmm32', 2, 0x7001));
    assert.deepStrictEqual(xmm(m, 2), [P[0], 0, 0, 0]);
  });
  it('movsd: register form merges the low qword, load zero-extends, store writes 8 bytes', () => {
    const m = sseMachine();
    setXmm(m, 1, P); setXmm(m, 2, Q);
    exec(m, regInsn('Movsd_xmm_xmmm64', 2, 1));
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[1], Q[2], Q[3]].map((v) => v >>> 0));
    setXmm(m, 2, Q);
    exec(m, regInsn('Movsd_xmmm64_xmm', 1, 2));
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[1], Q[2], Q[3]].map((v) => v >>> 0));
    exec(m, memInsn(m, 'Movsd_xmmm64_xmm', 1, 0x7100));
    assert.deepStrictEqual(memBytes(m, 0x7100, 9), [0, 1, 2, 3, 4, 5, 6, 7, 0]);
    exec(m, memInsn(m, 'Movsd_xmm_xmmm64', 2, 0x7100));
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[1], 0, 0]);
  });
  it('movlps/movlpd/movhps/movhpd load and store one qword, keeping the other', () => {
    const m = sseMachine();
    m.mem.writeBytes(0x8000, Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44]));
    for (const c of ['Movlps_xmm_m64', 'Movlpd_xmm_m64']) {
      setXmm(m, 3, P);
      exec(m, memInsn(m, c, 3, 0x8000));
      assert.deepStrictEqual(xmm(m, 3), [0xddccbbaa, 0x44332211, P[2], P[3]]);
    }
    for (const c of ['Movhps_xmm_m64', 'Movhpd_xmm_m64']) {
      setXmm(m, 3, P);
      exec(m, memInsn(m, c, 3, 0x8000));
      assert.deepStrictEqual(xmm(m, 3), [P[0], P[1], 0xddccbbaa, 0x44332211]);
    }
    setXmm(m, 4, P);
    exec(m, memInsn(m, 'Movlps_m64_xmm', 4, 0x8100));
    exec(m, memInsn(m, 'Movhpd_m64_xmm', 4, 0x8108));
    assert.deepStrictEqual(memBytes(m, 0x8100, 16), [...Array(16).keys()]);
    exec(m, memInsn(m, 'Movlpd_m64_xmm', 4, 0x8200));
    exec(m, memInsn(m, 'Movhps_m64_xmm', 4, 0x8208));
    assert.deepStrictEqual(memBytes(m, 0x8200, 16), [...Array(16).keys()]);
  });
  it('movhlps and movlhps', () => {
    const m = sseMachine();
    setXmm(m, 1, P); setXmm(m, 2, Q);
    exec(m, regInsn('Movhlps_xmm_xmm', 2, 1));
    assert.deepStrictEqual(xmm(m, 2), [P[2], P[3], Q[2], Q[3]].map((v) => v >>> 0));
    setXmm(m, 2, Q);
    exec(m, regInsn('Movlhps_xmm_xmm', 2, 1));
    assert.deepStrictEqual(xmm(m, 2), [Q[0], Q[1], P[0], P[1]].map((v) => v >>> 0));
  });
  it('pmovmskb, movmskps, movmskpd zero-extend into the GPR', () => {
    const m = sseMachine();
    setXmmBytes(m, 5, [0x80, 0, 0xff, 0x7f, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0, 0, 0xc0]);
    m.cpu.setReg64(RAX, -1, -1);
    exec(m, regInsn('Pmovmskb_r32_xmm', RAX, 5));
    assert.deepStrictEqual([m.cpu.regs[0], m.cpu.regs[1]], [0x8085, 0]);
    setXmm(m, 6, [-1, 1, 0x80000000 | 0, 0x7fffffff]);
    m.cpu.setReg64(RCX, -1, -1);
    exec(m, regInsn('Movmskps_r64_xmm', RCX, 6));
    assert.deepStrictEqual([m.cpu.regs[2], m.cpu.regs[3]], [5, 0]);
    setXmm(m, 6, [0, 0x80000000 | 0, 0xffffffff | 0, 0x7fffffff]);
    exec(m, regInsn('Movmskpd_r32_xmm', RCX, 6));
    assert.strictEqual(m.cpu.regs[2], 1);
    exec(m, regInsn('Pmovmskb_r64_xmm', RCX, 6));
    assert.strictEqual(m.cpu.regs[2], 0x7f80);
  });
  it('maskmovdqu stores the selected bytes at DS:rDI', () => {
    const m = sseMachine();
    setXmm(m, 1, P);
    setXmmBytes(m, 2, [0x80, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81]);
    m.mem.bytes.fill(0xee, 0x9000, 0x9010);
    m.cpu.setReg64(RDI, 0x9000, 0);
    const i = regInsn('Maskmovdqu_rDI_xmm_xmm', 1, 2);
    i.asize = 64; i.seg = 3;
    exec(m, i);
    const want = Array(16).fill(0xee); want[0] = 0; want[3] = 3; want[15] = 15;
    assert.deepStrictEqual(memBytes(m, 0x9000, 16), want);
  });
  it('pinsrw / pextrw / lddqu', () => {
    const m = sseMachine();
    setXmm(m, 3, P);
    m.cpu.setReg64(RAX, 0xabcdbeef | 0, 7);
    exec(m, regInsn('Pinsrw_xmm_r32m16_imm8', 3, RAX, 5));
    assert.deepStrictEqual(xmm(m, 3), [P[0], P[1], 0xbeef0908, P[3]]);
    m.mem.writeBytes(0xa000, Uint8Array.from([0x34, 0x12]));
    exec(m, memInsn(m, 'Pinsrw_xmm_r32m16_imm8', 3, 0xa000, 8)); // imm & 7 = 0
    assert.deepStrictEqual(xmm(m, 3), [0x03021234, P[1], 0xbeef0908, P[3]]);
    m.cpu.setReg64(RCX, -1, -1);
    exec(m, regInsn('Pextrw_r64_xmm_imm8', RCX, 3, 5));
    assert.deepStrictEqual([m.cpu.regs[2], m.cpu.regs[3]], [0xbeef, 0]);
    exec(m, regInsn('Pextrw_r32_xmm_imm8', RCX, 3, 0));
    assert.strictEqual(m.cpu.regs[2], 0x1234);
    m.mem.writeBytes(0xa003, Uint8Array.from([...Array(16).keys()]));
    exec(m, memInsn(m, 'Lddqu_xmm_m128', 4, 0xa003));
    assert.deepStrictEqual(xmm(m, 4), P.map((v) => v >>> 0));
  });
  it('checks CR0.EM (#UD), CR4.OSFXSR (#UD), CR0.TS (#NM) in that order', () => {
    const m = sseMachine();
    const i = regInsn('Movdqa_xmm_xmmm128', 0, 1);
    m.cpu.cr0 |= 8; // TS
    assertFault(m, i, NM);
    m.cpu.cr4 &= ~(1 << 9);
    assertFault(m, i, UD);
    m.cpu.cr4 |= 1 << 9; m.cpu.cr0 |= 4; // EM + TS
    assertFault(m, i, UD);
    m.cpu.cr0 &= ~(4 | 8);
    exec(m, i);
    for (const c of ['Movd_xmm_rm32', 'Movq_xmm_xmmm64', 'Movss_xmm_xmmm32', 'Pmovmskb_r32_xmm']) {
      m.cpu.cr0 |= 8;
      assertFault(m, regInsn(c, 0, 1), NM);
      m.cpu.cr0 &= ~8;
    }
  });
  it('works in 32-bit mode with segment bases and limits', () => {
    const m = sseMachine(32);
    m.cpu.setSegment(3, 0x10, 0x10000, 0xffff, 0x4093);
    setXmm(m, 1, P);
    exec(m, memInsn(m, 'Movdqa_xmmm128_xmm', 1, 0x20));
    assert.deepStrictEqual(memBytes(m, 0x10020, 16), [...Array(16).keys()]);
    assertFault(m, memInsn(m, 'Movdqu_xmmm128_xmm', 1, 0xfff8), GP, 0); // beyond the limit
    assert.deepStrictEqual(memBytes(m, 0x1fff8, 8), Array(8).fill(0));
    assert.deepStrictEqual(xmmBytes(m, 1), [...Array(16).keys()]);
  });
});
