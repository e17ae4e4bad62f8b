// SSE/SSE2 shuffles, unpacks, packs and shifts: exact lane results, count saturation, memory alignment.

import * as assert from 'assert';
import { GP } from '../../src/cpu/fault';
import {
  sseMachine, regInsn, memInsn, exec, setXmm, xmm, setXmmBytes, xmmBytes, setXmmWords, xmmWords, assertFault,
} from './sse-support.test';

const P = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c];
const Q = [0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c];
const bytes = (start: number) => [...Array(16).keys()].map((k) => start + k);

describe('SSE shuffles', () => {
  it('pshufd picks dwords of the source', () => {
    const m = sseMachine();
    setXmm(m, 2, P); setXmm(m, 1, Q);
    exec(m, regInsn('Pshufd_xmm_xmmm128_imm8', 1, 2, 0x1b)); // 3,2,1,0
    assert.deepStrictEqual(xmm(m, 1), [P[3], P[2], P[1], P[0]]);
    exec(m, regInsn('Pshufd_xmm_xmmm128_imm8', 2, 2, 0x00)); // broadcast, in place
    assert.deepStrictEqual(xmm(m, 2), [P[0], P[0], P[0], P[0]]);
    m.mem.writeBytes(0x1000, Uint8Array.from(bytes(0x40)));
    exec(m, memInsn(m, 'Pshufd_xmm_xmmm128_imm8', 3, 0x1000, 0xe4));
    assert.deepStrictEqual(xmmBytes(m, 3), bytes(0x40));
    assertFault(m, memInsn(m, 'Pshufd_xmm_xmmm128_imm8', 3, 0x1001, 0), GP, 0);
  });
  it('pshuflw / pshufhw shuffle one half and copy the other', () => {
    const m = sseMachine();
    setXmmWords(m, 2, [0, 1, 2, 3, 4, 5, 6, 7]);
    exec(m, regInsn('Pshuflw_xmm_xmmm128_imm8', 1, 2, 0x1b));
    assert.deepStrictEqual(xmmWords(m, 1), [3, 2, 1, 0, 4, 5, 6, 7]);
    exec(m, regInsn('Pshufhw_xmm_xmmm128_imm8', 1, 2, 0x4e)); // 2,3,0,1
    assert.deepStrictEqual(xmmWords(m, 1), [0, 1, 2, 3, 6, 7, 4, 5]);
  });
  it('shufps / shufpd take the low half from the destination, the high half from the source', () => {
    const m = sseMachine();
    setXmm(m, 1, P); setXmm(m, 2, Q);
    exec(m, regInsn('Shufps_xmm_xmmm128_imm8', 1, 2, 0b10_01_11_00));
    assert.deepStrictEqual(xmm(m, 1), [P[0], P[3], Q[1], Q[2]]);
    setXmm(m, 1, P);
    exec(m, regInsn('Shufpd_xmm_xmmm128_imm8', 1, 2, 0b01));
    assert.deepStrictEqual(xmm(m, 1), [P[2], P[3], Q[0], Q[1]]);
    setXmm(m, 1, P);
    exec(m, regInsn('Shufpd_xmm_xmmm128_imm8', 1, 2, 0b10));
    assert.deepStrictEqual(xmm(m, 1), [P[0], P[1], Q[2], Q[3]]);
  });
});

describe('SSE unpacks and packs', () => {
  const cases: [string, number[]][] = [
    ['Punpcklbw_xmm_xmmm128', [0, 0x10, 1, 0x11, 2, 0x12, 3, 0x13, 4, 0x14, 5, 0x15, 6, 0x16, 7, 0x17]],
    ['Punpckhbw_xmm_xmmm128', [8, 0x18, 9, 0x19, 10, 0x1a, 11, 0x1b, 12, 0x1c, 13, 0x1d, 14, 0x1e, 15, 0x1f]],
    ['Punpcklwd_xmm_xmmm128', [0, 1, 0x10, 0x11, 2, 3, 0x12, 0x13, 4, 5, 0x14, 0x15, 6, 7, 0x16, 0x17]],
    ['Punpckhwd_xmm_xmmm128', [8, 9, 0x18, 0x19, 10, 11, 0x1a, 0x1b, 12, 13, 0x1c, 0x1d, 14, 15, 0x1e, 0x1f]],
    ['Punpckldq_xmm_xmmm128', [0, 1, 2, 3, 0x10, 0x11, 0x12, 0x13, 4, 5, 6, 7, 0x14, 0x15, 0x16, 0x17]],
    ['Punpckhdq_xmm_xmmm128', [8, 9, 10, 11, 0x18, 0x19, 0x1a, 0x1b, 12, 13, 14, 15, 0x1c, 0x1d, 0x1e, 0x1f]],
    ['Punpcklqdq_xmm_xmmm128', [0, 1, 2, 3, 4, 5, 6, 7, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17]],
    ['Punpckhqdq_xmm_xmmm128', [8, 9, 10, 11, 12, 13, 14, 15, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]],
    ['Unpcklps_xmm_xmmm128', [0, 1, 2, 3, 0x10, 0x11, 0x12, 0x13, 4, 5, 6, 7, 0x14, 0x15, 0x16, 0x17]],
    ['Unpckhpd_xmm_xmmm128', [8, 9, 10, 11, 12, 13, 14, 15, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]],
  ];
  for (const [c, want] of cases) {
    it(c, () => {
      const m = sseMachine();
      setXmmBytes(m, 1, bytes(0)); setXmmBytes(m, 2, bytes(0x10));
      exec(m, regInsn(c, 1, 2));
      assert.deepStrictEqual(xmmBytes(m, 1), want);
    });
  }
  it('punpcklbw with itself (byte broadcast idiom) and a zero register (zero-extension idiom)', () => {
    const m = sseMachine();
    setXmmBytes(m, 1, bytes(0x80)); setXmm(m, 2, [0, 0, 0, 0]);
    exec(m, regInsn('Punpcklbw_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmmWords(m, 1), [0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87]);
    setXmmBytes(m, 3, bytes(0x40));
    exec(m, regInsn('Punpcklbw_xmm_xmmm128', 3, 3));
    assert.deepStrictEqual(xmmWords(m, 3), [0x4040, 0x4141, 0x4242, 0x4343, 0x4444, 0x4545, 0x4646, 0x4747]);
  });
  it('packsswb / packuswb / packssdw saturate', () => {
    const m = sseMachine();
    setXmmWords(m, 1, [0, 0x7f, 0x80, 0xff80, 0xff7f, 0x7fff, 0x8000, 0xffff]);
    setXmmWords(m, 2, [1, 2, 300, 0xfed4, 255, 256, 0x0100, 0xfffe]);
    exec(m, regInsn('Packsswb_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmmBytes(m, 1), [0, 0x7f, 0x7f, 0x80, 0x80, 0x7f, 0x80, 0xff, 1, 2, 0x7f, 0x80, 0x7f, 0x7f, 0x7f, 0xfe]);
    setXmmWords(m, 1, [0, 0x7f, 0x80, 0xff80, 0xff7f, 0x7fff, 0x8000, 0xffff]);
    exec(m, regInsn('Packuswb_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmmBytes(m, 1), [0, 0x7f, 0x80, 0, 0, 0xff, 0, 0, 1, 2, 0xff, 0, 0xff, 0xff, 0xff, 0]);
    setXmm(m, 1, [0x7fff, 0x8000, -0x8000, -0x8001]);
    setXmm(m, 2, [-1, 0x12345678, 5, -5]);
    exec(m, regInsn('Packssdw_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmmWords(m, 1), [0x7fff, 0x7fff, 0x8000, 0x8000, 0xffff, 0x7fff, 5, 0xfffb]);
  });
});

describe('SSE shifts', () => {
  it('by imm8 (register in ModRM.rm), with counts past the lane width', () => {
    const m = sseMachine();
    const w = [0x8001, 0x1234, 0xffff, 0x0001, 0x4000, 0x8000, 0x00ff, 0x7fff];
    const put = () => setXmmWords(m, 5, w);
    const cases: [string, number, number[]][] = [
      ['Psllw_xmm_imm8', 4, w.map((v) => (v << 4) & 0xffff)],
      ['Psrlw_xmm_imm8', 4, w.map((v) => v >>> 4)],
      ['Psraw_xmm_imm8', 4, w.map((v) => (((v << 16) >> 16) >> 4) & 0xffff)],
      ['Psllw_xmm_imm8', 16, Array(8).fill(0)],
      ['Psrlw_xmm_imm8', 200, Array(8).fill(0)],
      ['Psraw_xmm_imm8', 16, w.map((v) => (v & 0x8000 ? 0xffff : 0))],
    ];
    for (const [c, n, want] of cases) {
      put();
      exec(m, regInsn(c, 6, 5, n)); // reg field = opcode extension
      assert.deepStrictEqual(xmmWords(m, 5), want, `${c} ${n}`);
    }
    const d = [0x80000001 | 0, 0x12345678, -1, 1];
    const dcases: [string, number, number[]][] = [
      ['Pslld_xmm_imm8', 8, [0x00000100, 0x34567800, 0xffffff00, 0x100]],
      ['Psrld_xmm_imm8', 8, [0x00800000, 0x00123456, 0x00ffffff, 0]],
      ['Psrad_xmm_imm8', 8, [0xff800000, 0x00123456, 0xffffffff, 0]],
      ['Pslld_xmm_imm8', 32, [0, 0, 0, 0]],
      ['Psrad_xmm_imm8', 40, [0xffffffff, 0, 0xffffffff, 0]],
    ];
    for (const [c, n, want] of dcases) {
      setXmm(m, 5, d);
      exec(m, regInsn(c, 6, 5, n));
      assert.deepStrictEqual(xmm(m, 5), want, `${c} ${n}`);
    }
    const q = [0x89abcdef | 0, 0x01234567, 0xffffffff | 0, 0x80000000 | 0];
    const qcases: [string, number, number[]][] = [
      ['Psllq_xmm_imm8', 4, [0x9abcdef0, 0x12345678, 0xfffffff0, 0x0000000f]],
      ['Psrlq_xmm_imm8', 4, [0x789abcde, 0x00123456, 0x0fffffff, 0x08000000]],
      ['Psllq_xmm_imm8', 36, [0, 0x9abcdef0, 0, 0xfffffff0]],
      ['Psrlq_xmm_imm8', 36, [0x00123456, 0, 0x08000000, 0]],
      ['Psllq_xmm_imm8', 0, q.map((v) => v >>> 0)],
      ['Psrlq_xmm_imm8', 64, [0, 0, 0, 0]],
    ];
    for (const [c, n, want] of qcases) {
      setXmm(m, 5, q);
      exec(m, regInsn(c, 6, 5, n));
      assert.deepStrictEqual(xmm(m, 5), want, `${c} ${n}`);
    }
  });
  it('pslldq / psrldq shift whole bytes', () => {
    const m = sseMachine();
    setXmmBytes(m, 4, bytes(1));
    exec(m, regInsn('Pslldq_xmm_imm8', 7, 4, 3));
    assert.deepStrictEqual(xmmBytes(m, 4), [0, 0, 0, ...bytes(1).slice(0, 13)]);
    setXmmBytes(m, 4, bytes(1));
    exec(m, regInsn('Psrldq_xmm_imm8', 3, 4, 5));
    assert.deepStrictEqual(xmmBytes(m, 4), [...bytes(1).slice(5), 0, 0, 0, 0, 0]);
    setXmmBytes(m, 4, bytes(1));
    exec(m, regInsn('Psrldq_xmm_imm8', 3, 4, 16));
    assert.deepStrictEqual(xmmBytes(m, 4), Array(16).fill(0));
  });
  it('by xmm/m128: the count is the whole low qword', () => {
    const m = sseMachine();
    setXmm(m, 1, [0x12345678, 0x9abcdef0 | 0, 1, 2]);
    setXmm(m, 2, [8, 0, 0x77, 0x77]);
    exec(m, regInsn('Psrlq_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmm(m, 1), [0xf0123456, 0x009abcde, 0x02000000, 0]);
    setXmm(m, 1, [1, 2, 3, 4]);
    setXmm(m, 2, [1, 1, 0, 0]); // count 2^32 + 1: everything shifted out
    exec(m, regInsn('Pslld_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmm(m, 1), [0, 0, 0, 0]);
    setXmm(m, 1, [-8, 8, 0, 0]);
    setXmm(m, 2, [1, 1, 0, 0]);
    exec(m, regInsn('Psrad_xmm_xmmm128', 1, 2));
    assert.deepStrictEqual(xmm(m, 1), [0xffffffff, 0, 0, 0]);
    m.mem.writeBytes(0x2000, Uint8Array.from([3, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9]));
    setXmmWords(m, 1, [1, 2, 3, 4, 0x8000, 0xffff, 0, 0x10]);
    exec(m, memInsn(m, 'Psllw_xmm_xmmm128', 1, 0x2000));
    assert.deepStrictEqual(xmmWords(m, 1), [8, 16, 24, 32, 0, 0xfff8, 0, 0x80]);
    setXmmWords(m, 1, [1, 2, 3, 4, 0x8000, 0xffff, 0, 0x10]);
    exec(m, memInsn(m, 'Psraw_xmm_xmmm128', 1, 0x2000));
    assert.deepStrictEqual(xmmWords(m, 1), [0, 0, 0, 0, 0xf000, 0xffff, 0, 2]);
    exec(m, memInsn(m, 'Psrlw_xmm_xmmm128', 1, 0x2000));
    assert.deepStrictEqual(xmmWords(m, 1), [0, 0, 0, 0, 0x1e00, 0x1fff, 0, 0]);
    setXmm(m, 1, [0x80000000 | 0, 1, 0, 0]);
    exec(m, memInsn(m, 'Psllq_xmm_xmmm128', 1, 0x2000));
    assert.deepStrictEqual(xmm(m, 1), [0, 0xc, 0, 0]);
    setXmm(m, 1, [16, 0, 0, 0]);
    exec(m, memInsn(m, 'Psrld_xmm_xmmm128', 1, 0x2000));
    assert.deepStrictEqual(xmm(m, 1), [2, 0, 0, 0]);
    assertFault(m, memInsn(m, 'Psrld_xmm_xmmm128', 1, 0x2008), GP, 0);
  });
});
