// SSE2 packed-integer arithmetic: exact lane results for logic, add/sub (wrapping and saturating), compares,
// min/max, averages, multiplies, psadbw; memory sources need 16-byte alignment.

import * as assert from 'assert';
import { GP, NM } from '../../src/cpu/fault';
import {
  sseMachine, regInsn, memInsn, exec, setXmm, xmm, setXmmBytes, xmmBytes, setXmmWords, xmmWords, assertFault,
} from './sse-support.test';
import type { TestMachine } from './helpers/machine';

function run(m: TestMachine, code: string): void { exec(m, regInsn(code, 1, 2)); }

const DA = [0x12345678, 0xffffffff | 0, 0x80000000 | 0, 0x0000ffff];
const DB = [0x0f0f0f0f, 0x00000001, 0x80000000 | 0, 0xffff0000 | 0];

describe('SSE2 integer: logic', () => {
  const cases: [string[], (a: number, b: number) => number][] = [
    [['Pand_xmm_xmmm128', 'Andps_xmm_xmmm128', 'Andpd_xmm_xmmm128'], (a, b) => a & b],
    [['Por_xmm_xmmm128', 'Orps_xmm_xmmm128', 'Orpd_xmm_xmmm128'], (a, b) => a | b],
    [['Pxor_xmm_xmmm128', 'Xorps_xmm_xmmm128', 'Xorpd_xmm_xmmm128'], (a, b) => a ^ b],
    [['Pandn_xmm_xmmm128', 'Andnps_xmm_xmmm128', 'Andnpd_xmm_xmmm128'], (a, b) => ~a & b],
  ];
  for (const [codes, f] of cases) {
    for (const c of codes) {
      it(c, () => {
        const m = sseMachine();
        setXmm(m, 1, DA); setXmm(m, 2, DB);
        run(m, c);
        assert.deepStrictEqual(xmm(m, 1), DA.map((a, k) => f(a, DB[k]) >>> 0));
        assert.deepStrictEqual(xmm(m, 2), DB.map((v) => v >>> 0));
      });
    }
  }
  it('pxor xmm, xmm zeroes the register (the gcc idiom)', () => {
    const m = sseMachine();
    setXmm(m, 3, DA);
    exec(m, regInsn('Pxor_xmm_xmmm128', 3, 3));
    assert.deepStrictEqual(xmm(m, 3), [0, 0, 0, 0]);
  });
  it('memory source: aligned works, misaligned #GP(0), TS #NM', () => {
    const m = sseMachine();
    m.mem.writeBytes(0x1000, Uint8Array.from(Array(16).fill(0xff)));
    setXmm(m, 1, DA);
    exec(m, memInsn(m, 'Pxor_xmm_xmmm128', 1, 0x1000));
    assert.deepStrictEqual(xmm(m, 1), DA.map((v) => ~v >>> 0));
    assertFault(m, memInsn(m, 'Pand_xmm_xmmm128', 1, 0x1004), GP, 0);
    m.cpu.cr0 |= 8;
    assertFault(m, regInsn('Paddb_xmm_xmmm128', 1, 2), NM);
  });
});

describe('SSE2 integer: add/sub', () => {
  it('paddb/psubb wrap per byte', () => {
    const m = sseMachine();
    const a = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 10, 20, 30, 40, 50, 60, 70, 80, 90, 0xff];
    const b = [0, 0xff, 1, 0x80, 1, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0xff];
    setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
    run(m, 'Paddb_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((v, k) => (v + b[k]) & 0xff));
    setXmmBytes(m, 1, a);
    run(m, 'Psubb_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((v, k) => (v - b[k]) & 0xff));
  });
  it('paddw/psubw/paddd/psubd wrap per lane', () => {
    const m = sseMachine();
    const a = [0xffff, 0x8000, 1, 2, 0x7fff, 0, 0x1234, 0xfffe], b = [1, 0x8000, 0xffff, 3, 1, 1, 0x1111, 0xffff];
    setXmmWords(m, 1, a); setXmmWords(m, 2, b);
    run(m, 'Paddw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0, 0, 0, 5, 0x8000, 1, 0x2345, 0xfffd]);
    setXmmWords(m, 1, a);
    run(m, 'Psubw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0xfffe, 0, 2, 0xffff, 0x7ffe, 0xffff, 0x0123, 0xffff]);
    setXmm(m, 1, DA); setXmm(m, 2, DB);
    run(m, 'Paddd_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0x21436587, 0, 0, 0xffffffff]);
    setXmm(m, 1, DA);
    run(m, 'Psubd_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0x03254769, 0xfffffffe, 0, 0x0001ffff]);
  });
  it('paddq/psubq carry and borrow between the halves', () => {
    const m = sseMachine();
    setXmm(m, 1, [0xffffffff | 0, 0x00000001, 0xffffffff | 0, 0xffffffff | 0]);
    setXmm(m, 2, [0x00000001, 0x00000002, 0x00000001, 0]);
    run(m, 'Paddq_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0, 4, 0, 0]);
    setXmm(m, 1, [0, 5, 0, 0]);
    run(m, 'Psubq_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0xffffffff, 2, 0xffffffff, 0xffffffff]);
  });
  it('saturating byte forms', () => {
    const m = sseMachine();
    const a = [0x7f, 0x80, 0xff, 0x01, 0x90, 0x10, 0, 0xf0, 0x7f, 0x80, 0xff, 0x01, 0x90, 0x10, 0, 0xf0];
    const b = [0x01, 0xff, 0x02, 0xff, 0x90, 0x20, 0, 0x20, 0x01, 0xff, 0x02, 0xff, 0x90, 0x20, 0, 0x20];
    const s8 = (v: number) => (v << 24) >> 24;
    const sat = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
    const ops: [string, (x: number, y: number) => number][] = [
      ['Paddsb_xmm_xmmm128', (x, y) => sat(s8(x) + s8(y), -128, 127) & 0xff],
      ['Psubsb_xmm_xmmm128', (x, y) => sat(s8(x) - s8(y), -128, 127) & 0xff],
      ['Paddusb_xmm_xmmm128', (x, y) => sat(x + y, 0, 255)],
      ['Psubusb_xmm_xmmm128', (x, y) => sat(x - y, 0, 255)],
    ];
    for (const [c, f] of ops) {
      setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
      run(m, c);
      assert.deepStrictEqual(xmmBytes(m, 1), a.map((x, k) => f(x, b[k])), c);
    }
    setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
    run(m, 'Paddsb_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1).slice(0, 8), [0x7f, 0x80, 0x01, 0x00, 0x80, 0x30, 0, 0x10]);
  });
  it('saturating word forms', () => {
    const m = sseMachine();
    const a = [0x7fff, 0x8000, 0xffff, 0x0001, 0x9000, 0x1000, 0, 0xf000];
    const b = [0x0001, 0xffff, 0x0002, 0xffff, 0x9000, 0x2000, 0, 0x2000];
    setXmmWords(m, 1, a); setXmmWords(m, 2, b);
    run(m, 'Paddsw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x7fff, 0x8000, 0x0001, 0x0000, 0x8000, 0x3000, 0, 0x1000]);
    setXmmWords(m, 1, a);
    run(m, 'Psubsw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x7ffe, 0x8001, 0xfffd, 0x0002, 0x0000, 0xf000, 0, 0xd000]);
    setXmmWords(m, 1, a);
    run(m, 'Paddusw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x8000, 0xffff, 0xffff, 0xffff, 0xffff, 0x3000, 0, 0xffff]);
    setXmmWords(m, 1, a);
    run(m, 'Psubusw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x7ffe, 0, 0xfffd, 0, 0, 0, 0, 0xd000]);
  });
});

describe('SSE2 integer: compares, min/max, average', () => {
  it('pcmpeqb/w/d and pcmpgtb/w/d (signed)', () => {
    const m = sseMachine();
    const a = [1, 0x80, 0x7f, 5, 0xff, 0, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8];
    const b = [1, 0x7f, 0x80, 6, 0x00, 0, 8, 10, 0, 2, 0, 4, 0, 6, 0, 8];
    setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
    run(m, 'Pcmpeqb_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((x, k) => (x === b[k] ? 0xff : 0)));
    setXmmBytes(m, 1, a);
    run(m, 'Pcmpgtb_xmm_xmmm128');
    const s8 = (v: number) => (v << 24) >> 24;
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((x, k) => (s8(x) > s8(b[k]) ? 0xff : 0)));
    const wa = [1, 0x8000, 0x7fff, 5, 0xffff, 0, 9, 9], wb = [1, 0x7fff, 0x8000, 6, 0, 0, 8, 10];
    setXmmWords(m, 1, wa); setXmmWords(m, 2, wb);
    run(m, 'Pcmpeqw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0xffff, 0, 0, 0, 0, 0xffff, 0, 0]);
    setXmmWords(m, 1, wa);
    run(m, 'Pcmpgtw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0, 0, 0xffff, 0, 0, 0, 0xffff, 0]);
    setXmm(m, 1, DA); setXmm(m, 2, DB);
    run(m, 'Pcmpeqd_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0, 0, 0xffffffff, 0]);
    setXmm(m, 1, DA);
    run(m, 'Pcmpgtd_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [0xffffffff, 0, 0, 0xffffffff]);
  });
  it('pminub/pmaxub (unsigned bytes), pminsw/pmaxsw (signed words)', () => {
    const m = sseMachine();
    const a = [0, 0xff, 0x80, 0x7f, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const b = [1, 0xfe, 0x7f, 0x80, 5, 7, 6, 8, 0, 20, 0, 20, 0, 20, 0, 20];
    setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
    run(m, 'Pminub_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((x, k) => Math.min(x, b[k])));
    setXmmBytes(m, 1, a);
    run(m, 'Pmaxub_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1), a.map((x, k) => Math.max(x, b[k])));
    const wa = [0x8000, 0x7fff, 0xffff, 1, 2, 3, 4, 5], wb = [0x7fff, 0x8000, 0x0001, 0xffff, 2, 4, 3, 5];
    setXmmWords(m, 1, wa); setXmmWords(m, 2, wb);
    run(m, 'Pminsw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x8000, 0x8000, 0xffff, 0xffff, 2, 3, 3, 5]);
    setXmmWords(m, 1, wa);
    run(m, 'Pmaxsw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0x7fff, 0x7fff, 1, 1, 2, 4, 4, 5]);
  });
  it('pavgb/pavgw round up', () => {
    const m = sseMachine();
    const a = [0, 1, 0xff, 0xff, 2, 3, 100, 200, 0, 1, 0xff, 0xff, 2, 3, 100, 200];
    const b = [0, 0, 0xff, 0xfe, 3, 3, 101, 0, 0, 0, 0xff, 0xfe, 3, 3, 101, 0];
    setXmmBytes(m, 1, a); setXmmBytes(m, 2, b);
    run(m, 'Pavgb_xmm_xmmm128');
    assert.deepStrictEqual(xmmBytes(m, 1).slice(0, 8), [0, 1, 0xff, 0xff, 3, 3, 101, 100]);
    setXmmWords(m, 1, [0xffff, 0xffff, 1, 0, 0, 0, 0, 7]); setXmmWords(m, 2, [0xffff, 0xfffe, 0, 0, 0, 0, 0, 8]);
    run(m, 'Pavgw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), [0xffff, 0xffff, 1, 0, 0, 0, 0, 8]);
  });
});

describe('SSE2 integer: multiplies and psadbw', () => {
  it('pmullw/pmulhw/pmulhuw', () => {
    const m = sseMachine();
    const a = [0xffff, 0x8000, 0x7fff, 3, 0x1234, 0x8000, 2, 0xfffe];
    const b = [0xffff, 0x8000, 0x7fff, 0xfffd, 0x5678, 2, 0x8000, 0x0003];
    const s16 = (v: number) => (v << 16) >> 16;
    setXmmWords(m, 1, a); setXmmWords(m, 2, b);
    run(m, 'Pmullw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), a.map((x, k) => (x * b[k]) % 65536));
    setXmmWords(m, 1, a);
    run(m, 'Pmulhw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), a.map((x, k) => Math.floor((s16(x) * s16(b[k])) / 65536) & 0xffff));
    assert.deepStrictEqual(xmmWords(m, 1).slice(0, 4), [0, 0x4000, 0x3fff, 0xffff]);
    setXmmWords(m, 1, a);
    run(m, 'Pmulhuw_xmm_xmmm128');
    assert.deepStrictEqual(xmmWords(m, 1), a.map((x, k) => Math.floor((x * b[k]) / 65536)));
    assert.deepStrictEqual(xmmWords(m, 1)[0], 0xfffe);
  });
  it('pmuludq multiplies dwords 0 and 2 into full 64-bit products', () => {
    const m = sseMachine();
    setXmm(m, 1, [0xffffffff | 0, 0x12345678, 0x12345678, 0]);
    setXmm(m, 2, [0xffffffff | 0, 0x77777777, 0x9abcdef0 | 0, 0x11]);
    run(m, 'Pmuludq_xmm_xmmm128');
    // 0xffffffff^2 = 0xfffffffe_00000001; 0x12345678 * 0x9abcdef0 = 0x0b00ea4e_242d2080
    assert.deepStrictEqual(xmm(m, 1), [0x00000001, 0xfffffffe, 0x242d2080, 0x0b00ea4e]);
  });
  it('psadbw sums absolute differences per qword', () => {
    const m = sseMachine();
    setXmmBytes(m, 1, [0, 255, 10, 20, 30, 40, 50, 60, 1, 1, 1, 1, 1, 1, 1, 1]);
    setXmmBytes(m, 2, [255, 0, 20, 10, 30, 50, 40, 60, 0, 0, 0, 0, 0, 0, 0, 9]);
    run(m, 'Psadbw_xmm_xmmm128');
    assert.deepStrictEqual(xmm(m, 1), [255 + 255 + 10 + 10 + 0 + 10 + 10 + 0, 0, 7 + 8, 0]);
  });
});
