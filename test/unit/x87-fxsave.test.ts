// FXSAVE/FXRSTOR in the 32-bit and REX.W 64-bit layouts at the SDM's byte offsets, their round trip, alignment,
// MXCSR reserved-bit and CR0 checks; LDMXCSR/STMXCSR.

import * as assert from 'assert';
import { GP, NM, UD } from '../../src/cpu/fault';
import { fpuPointers } from '../../src/cpu/exec/x87-state';
import { sseMachine, memInsn, exec, memBytes, assertFault } from './sse-support.test';
import type { TestMachine } from './helpers/machine';

const AREA = 0x10000;

/** Distinctive x87 + SSE state: TOP=7, R0 and R7 tagged valid, pointers, MXCSR with DAZ/FZ, XMM byte j of n = 16n+j. */
function loadState(m: TestMachine): void {
  const c = m.cpu;
  c.fcw = 0x027f; c.fsw = 0x3820; c.ftw = 0x81; c.fop = 0x5d9;
  const p = fpuPointers(c);
  p.fipLo = 0x11223344; p.fipHi = 0x55667788; p.fcs = 0x0033;
  p.fdpLo = 0x99aabbcc | 0; p.fdpHi = 0x0ddeeff0; p.fds = 0x002b;
  c.mxcsr = 0x9fc0;
  for (let r = 0; r < 8; r++) for (let k = 0; k < 10; k++) c.fpuRegs[r * 10 + k] = 0x80 + r * 10 + k;
  new Uint8Array(c.xmm.buffer).set([...Array(256).keys()]);
  m.mem.bytes.fill(0xcc, AREA, AREA + 512);
}
function snapshot(m: TestMachine) {
  const c = m.cpu, p = fpuPointers(c);
  return {
    fcw: c.fcw, fsw: c.fsw, ftw: c.ftw, fop: c.fop, mxcsr: c.mxcsr, p: { ...p },
    regs: Array.from(c.fpuRegs), xmm: Array.from(c.xmm),
  };
}
function clobber(m: TestMachine): void {
  const c = m.cpu, p = fpuPointers(c);
  c.fcw = 0x37f; c.fsw = 0; c.ftw = 0; c.fop = 0; c.mxcsr = 0x1f80;
  p.fipLo = p.fipHi = p.fcs = p.fdpLo = p.fdpHi = p.fds = 0;
  c.fpuRegs.fill(0); c.xmm.fill(0);
}
function le(v: number, n: number): number[] { return [...Array(n).keys()].map((k) => Math.floor(v / 2 ** (8 * k)) & 0xff); }
/** ST(i) slot bytes: physical register (TOP=7 + i) mod 8, 10 bytes, then 6 zero bytes. */
function stSlot(i: number): number[] {
  const r = (7 + i) & 7;
  return [...[...Array(10).keys()].map((k) => 0x80 + r * 10 + k), 0, 0, 0, 0, 0, 0];
}

describe('fxsave / fxrstor', () => {
  it('Fxsave64 (REX.W): 64-bit FIP/FDP layout, XMM0-15, bytes 416..511 untouched', () => {
    const m = sseMachine(64);
    loadState(m);
    exec(m, memInsn(m, 'Fxsave64_m512byte', 0, AREA));
    const b = memBytes(m, AREA, 512);
    assert.deepStrictEqual(b.slice(0, 2), [0x7f, 0x02], 'FCW @0');
    assert.deepStrictEqual(b.slice(2, 4), [0x20, 0x38], 'FSW @2');
    assert.deepStrictEqual(b.slice(4, 6), [0x81, 0x00], 'abridged FTW @4, reserved @5');
    assert.deepStrictEqual(b.slice(6, 8), [0xd9, 0x05], 'FOP @6');
    assert.deepStrictEqual(b.slice(8, 16), [0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55], 'FIP @8 (64-bit)');
    assert.deepStrictEqual(b.slice(16, 24), [0xcc, 0xbb, 0xaa, 0x99, 0xf0, 0xef, 0xde, 0x0d], 'FDP @16 (64-bit)');
    assert.deepStrictEqual(b.slice(24, 28), le(0x9fc0, 4), 'MXCSR @24');
    assert.deepStrictEqual(b.slice(28, 32), le(0xffff, 4), 'MXCSR_MASK @28');
    for (let i = 0; i < 8; i++) assert.deepStrictEqual(b.slice(32 + 16 * i, 48 + 16 * i), stSlot(i), `ST${i}`);
    for (let n = 0; n < 16; n++) {
      assert.deepStrictEqual(b.slice(160 + 16 * n, 176 + 16 * n), [...Array(16).keys()].map((j) => 16 * n + j), `XMM${n}`);
    }
    assert.deepStrictEqual(b.slice(416), Array(96).fill(0xcc));
  });
  it('Fxsave in 64-bit mode without REX.W: 32-bit pointer layout (FCS/FDS), still XMM0-15', () => {
    const m = sseMachine(64);
    loadState(m);
    exec(m, memInsn(m, 'Fxsave_m512byte', 0, AREA));
    const b = memBytes(m, AREA, 512);
    assert.deepStrictEqual(b.slice(8, 16), [0x44, 0x33, 0x22, 0x11, 0x33, 0x00, 0x00, 0x00], 'FIP @8, FCS @12');
    assert.deepStrictEqual(b.slice(16, 24), [0xcc, 0xbb, 0xaa, 0x99, 0x2b, 0x00, 0x00, 0x00], 'FDP @16, FDS @20');
    assert.deepStrictEqual(b.slice(400, 416), [...Array(16).keys()].map((j) => 0xf0 + j), 'XMM15');
  });
  it('32-bit mode: 32-bit layout, only XMM0-7; bytes 288..511 untouched', () => {
    const m = sseMachine(32);
    loadState(m);
    exec(m, memInsn(m, 'Fxsave_m512byte', 0, AREA));
    const b = memBytes(m, AREA, 512);
    assert.deepStrictEqual(b.slice(0, 8), [0x7f, 0x02, 0x20, 0x38, 0x81, 0, 0xd9, 0x05]);
    assert.deepStrictEqual(b.slice(8, 24), [0x44, 0x33, 0x22, 0x11, 0x33, 0, 0, 0, 0xcc, 0xbb, 0xaa, 0x99, 0x2b, 0, 0, 0]);
    for (let n = 0; n < 8; n++) {
      assert.deepStrictEqual(b.slice(160 + 16 * n, 176 + 16 * n), [...Array(16).keys()].map((j) => 16 * n + j), `XMM${n}`);
    }
    assert.deepStrictEqual(b.slice(288), Array(224).fill(0xcc));
  });
  for (const [bits, save, rstor] of [
    [64, 'Fxsave64_m512byte', 'Fxrstor64_m512byte'], [64, 'Fxsave_m512byte', 'Fxrstor_m512byte'],
    [32, 'Fxsave_m512byte', 'Fxrstor_m512byte'],
  ] as [32 | 64, string, string][]) {
    it(`${save} -> ${rstor} round-trips the state (${bits}-bit mode)`, () => {
      const m = sseMachine(bits);
      loadState(m);
      if (bits === 32) m.cpu.xmm.fill(0, 32);                 // XMM8-15 do not exist there
      const p = fpuPointers(m.cpu);
      if (save === 'Fxsave_m512byte') { p.fipHi = 0; p.fdpHi = 0; } // not representable in the 32-bit layout
      else { p.fcs = 0; p.fds = 0; }                              // not representable in the 64-bit layout
      const before = snapshot(m);
      exec(m, memInsn(m, save, 0, AREA));
      clobber(m);
      exec(m, memInsn(m, rstor, 0, AREA));
      assert.deepStrictEqual(snapshot(m), before);
    });
  }
  it('fxrstor loads the image bytes: ST slots land in physical registers by TOP, FOP keeps 11 bits', () => {
    const m = sseMachine(64);
    const img = new Uint8Array(512);
    img.set([0x7f, 0x03, 0x00, 0x10, 0x04, 0, 0xff, 0xff], 0); // FCW, FSW TOP=2, FTW, FOP
    img.set(le(0x1f80, 4), 24);
    img.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 32); // ST0
    img.set([0xaa], 160 + 16 * 9);
    m.mem.writeBytes(AREA, img);
    exec(m, memInsn(m, 'Fxrstor64_m512byte', 0, AREA));
    assert.strictEqual(m.cpu.fsw, 0x1000);
    assert.strictEqual(m.cpu.ftw, 4);
    assert.strictEqual(m.cpu.fop, 0x7ff);
    assert.deepStrictEqual(Array.from(m.cpu.fpuRegs.subarray(20, 30)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.strictEqual(m.cpu.xmm[36], 0xaa);
  });
  it('fxrstor with reserved MXCSR bits: #GP(0), nothing loaded', () => {
    const m = sseMachine(64);
    loadState(m);
    exec(m, memInsn(m, 'Fxsave64_m512byte', 0, AREA));
    m.mem.bytes[AREA + 26] = 0x01; // MXCSR bit 16
    clobber(m);
    const before = snapshot(m);
    assertFault(m, memInsn(m, 'Fxrstor64_m512byte', 0, AREA), GP, 0);
    assert.deepStrictEqual(snapshot(m), before);
  });
  it('16-byte alignment: #GP(0) for fxsave and fxrstor, memory untouched', () => {
    const m = sseMachine(64);
    loadState(m);
    for (const c of ['Fxsave_m512byte', 'Fxsave64_m512byte', 'Fxrstor_m512byte', 'Fxrstor64_m512byte']) {
      assertFault(m, memInsn(m, c, 0, AREA + 8), GP, 0);
    }
    assert.deepStrictEqual(memBytes(m, AREA, 512), Array(512).fill(0xcc));
  });
  it('CR0.TS or CR0.EM: #NM; CR4.OSFXSR clear does not fault', () => {
    const m = sseMachine(64);
    m.cpu.cr0 |= 8;
    assertFault(m, memInsn(m, 'Fxsave64_m512byte', 0, AREA), NM);
    assertFault(m, memInsn(m, 'Fxrstor_m512byte', 0, AREA), NM);
    m.cpu.cr0 = (m.cpu.cr0 & ~8) | 4;
    assertFault(m, memInsn(m, 'Fxsave_m512byte', 0, AREA), NM);
    m.cpu.cr0 &= ~4; m.cpu.cr4 &= ~(1 << 9);
    exec(m, memInsn(m, 'Fxsave_m512byte', 0, AREA));
    assert.deepStrictEqual(memBytes(m, AREA, 2), [0x7f, 0x03]);
  });
});

describe('ldmxcsr / stmxcsr', () => {
  it('round-trip, #GP(0) on reserved bits', () => {
    const m = sseMachine(64);
    m.mem.writeBytes(0x3000, Uint8Array.from(le(0xffc0, 4)));
    exec(m, memInsn(m, 'Ldmxcsr_m32', 0, 0x3000));
    assert.strictEqual(m.cpu.mxcsr, 0xffc0);
    exec(m, memInsn(m, 'Stmxcsr_m32', 0, 0x3005));
    assert.deepStrictEqual(memBytes(m, 0x3005, 4), le(0xffc0, 4));
    m.mem.writeBytes(0x3000, Uint8Array.from(le(0x11f80, 4)));
    assertFault(m, memInsn(m, 'Ldmxcsr_m32', 0, 0x3000), GP, 0);
    assert.strictEqual(m.cpu.mxcsr, 0xffc0);
  });
  it('SSE availability checks: EM #UD, OSFXSR #UD, TS #NM', () => {
    const m = sseMachine(32);
    const i = memInsn(m, 'Stmxcsr_m32', 0, 0x3000);
    m.cpu.cr0 |= 8; assertFault(m, i, NM);
    m.cpu.cr0 |= 4; assertFault(m, i, UD);
    m.cpu.cr0 &= ~12; m.cpu.cr4 &= ~(1 << 9); assertFault(m, memInsn(m, 'Ldmxcsr_m32', 0, 0x3000), UD);
  });
});
