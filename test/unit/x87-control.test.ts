// x87 control instructions: finit/fninit, fstcw/fldcw, fstsw (m16/AX), fclex, fwait, emms, fstenv/fldenv,
// fsave/frstor layouts and tag words, and the CR0.EM/TS/MP and pending-exception (#MF) checks.

import * as assert from 'assert';
import { NM, UD, MF } from '../../src/cpu/fault';
import { fpuPointers } from '../../src/cpu/exec/x87-state';
import { sseMachine, regInsn, memInsn, exec, memBytes, assertFault } from './sse-support.test';
import type { TestMachine } from './helpers/machine';

const op = (code: string) => regInsn(code, -1, -1);

/** Physical register r := an 80-bit value given as mantissa bytes (8, LE) and sign|exponent. */
function setPhys(m: TestMachine, r: number, mant: number[], se: number): void {
  m.cpu.fpuRegs.set([...mant, se & 0xff, se >>> 8], r * 10);
}

describe('x87 control', () => {
  it('fninit resets FCW/FSW/FTW/FOP and the pointers, keeps register contents', () => {
    const m = sseMachine();
    const c = m.cpu;
    c.fcw = 0x0000; c.fsw = 0xffff; c.ftw = 0xff; c.fop = 0x123; fpuPointers(c).fipLo = 5; c.fpuRegs[3] = 9;
    exec(m, op('Fninit'));
    assert.deepStrictEqual([c.fcw, c.fsw, c.ftw, c.fop, fpuPointers(c).fipLo, c.fpuRegs[3]], [0x037f, 0, 0, 0, 0, 9]);
  });
  it('finit = fwait + fninit: reports a pending unmasked exception first', () => {
    const m = sseMachine();
    m.cpu.fcw = 0x037e; m.cpu.fsw = 0x0081; // IE unmasked and set
    assertFault(m, op('Finit'), MF);
    exec(m, op('Fninit'));
    assert.strictEqual(m.cpu.fcw, 0x037f);
    exec(m, op('Finit'));
  });
  it('fnstcw / fstcw / fldcw', () => {
    const m = sseMachine();
    m.mem.bytes.fill(0xee, 0x1000, 0x1004);
    exec(m, memInsn(m, 'Fnstcw_m2byte', 0, 0x1001));
    assert.deepStrictEqual(memBytes(m, 0x1000, 4), [0xee, 0x7f, 0x03, 0xee]);
    m.mem.writeBytes(0x1100, Uint8Array.from([0x7f, 0x0a]));
    exec(m, memInsn(m, 'Fldcw_m2byte', 0, 0x1100));
    assert.strictEqual(m.cpu.fcw, 0x0a7f);
    exec(m, memInsn(m, 'Fstcw_m2byte', 0, 0x1200));
    assert.deepStrictEqual(memBytes(m, 0x1200, 2), [0x7f, 0x0a]);
  });
  it('fldcw unmasking a raised flag sets ES and B; the next waiting instruction takes #MF', () => {
    const m = sseMachine();
    m.cpu.fsw = 0x0004; // ZE raised while masked
    m.mem.writeBytes(0x1100, Uint8Array.from([0x7b, 0x03])); // unmask ZE
    exec(m, memInsn(m, 'Fldcw_m2byte', 0, 0x1100));
    assert.strictEqual(m.cpu.fsw, 0x8084);
    assertFault(m, op('Wait'), MF);
    assertFault(m, memInsn(m, 'Fstsw_m2byte', 0, 0x1300), MF);
    assertFault(m, memInsn(m, 'Fldcw_m2byte', 0, 0x1100), MF);
    exec(m, memInsn(m, 'Fnstsw_m2byte', 0, 0x1300)); // no-wait form
    assert.deepStrictEqual(memBytes(m, 0x1300, 2), [0x84, 0x80]);
    exec(m, op('Fnclex'));
    assert.strictEqual(m.cpu.fsw, 0);
    exec(m, op('Wait'));
  });
  it('fnstsw ax / fstsw ax write AX only', () => {
    const m = sseMachine();
    m.cpu.setReg64(0, 0x12345678, 0x9abc);
    m.cpu.fsw = 0x3a05;
    exec(m, op('Fnstsw_AX'));
    assert.deepStrictEqual([m.cpu.regs[0] >>> 0, m.cpu.regs[1]], [0x12343a05, 0x9abc]);
    m.cpu.fsw = 0x0020;
    exec(m, op('Fstsw_AX'));
    assert.strictEqual(m.cpu.regs[0] >>> 0, 0x12340020);
  });
  it('fnclex/fclex clear the exception flags, SF, ES and B but keep TOP and C0-C3', () => {
    const m = sseMachine();
    m.cpu.fsw = 0xffff;
    exec(m, op('Fnclex'));
    assert.strictEqual(m.cpu.fsw, 0x7f00);
    m.cpu.fsw = 0x38ff; m.cpu.fcw = 0x37f;
    exec(m, op('Fclex'));
    assert.strictEqual(m.cpu.fsw, 0x3800);
  });
  it('fwait: #NM only when CR0.MP and CR0.TS are both set; #MF needs CR0.NE', () => {
    const m = sseMachine();
    m.cpu.cr0 |= 8;
    exec(m, op('Wait'));
    m.cpu.cr0 |= 2;
    assertFault(m, op('Wait'), NM);
    m.cpu.cr0 &= ~(2 | 8);
    m.cpu.fcw = 0x037e; m.cpu.fsw = 0x0001;
    assertFault(m, op('Wait'), MF);
    m.cpu.cr0 &= ~(1 << 5);
    exec(m, op('Wait'));
  });
  it('CR0.EM or CR0.TS: #NM for the no-wait control instructions', () => {
    const m = sseMachine();
    for (const bit of [4, 8]) {
      m.cpu.cr0 |= bit;
      for (const c of ['Fninit', 'Fnclex', 'Fnstsw_AX', 'Fnop']) assertFault(m, op(c), NM);
      assertFault(m, memInsn(m, 'Fnstcw_m2byte', 0, 0x1000), NM);
      assertFault(m, memInsn(m, 'Fldcw_m2byte', 0, 0x1000), NM);
      assertFault(m, memInsn(m, 'Fnsave_m108byte', 0, 0x1000), NM);
      m.cpu.cr0 &= ~bit;
    }
  });
  it('emms empties every tag; CR0.EM #UD, CR0.TS #NM', () => {
    const m = sseMachine();
    m.cpu.ftw = 0xff;
    exec(m, op('Emms'));
    assert.strictEqual(m.cpu.ftw, 0);
    m.cpu.cr0 |= 8; assertFault(m, op('Emms'), NM);
    m.cpu.cr0 |= 4; assertFault(m, op('Emms'), UD);
  });
});

describe('x87 fnstenv / fldenv / fnsave / frstor', () => {
  function state(m: TestMachine): void {
    const c = m.cpu;
    c.fcw = 0x027f; c.fsw = 0x2800 | 0x41; c.fop = 0x1d9; // TOP=5, SF|IE (masked)
    const p = fpuPointers(c);
    p.fipLo = 0x00401234; p.fcs = 0x0019; p.fdpLo = 0x00805678; p.fds = 0x0021;
    setPhys(m, 5, [0, 0, 0, 0, 0, 0, 0, 0x80], 0x3fff);      // ST0 = 1.0: valid
    setPhys(m, 6, [0, 0, 0, 0, 0, 0, 0, 0], 0x0000);         // ST1 = +0: zero
    setPhys(m, 7, [0, 0, 0, 0, 0, 0, 0, 0xc0], 0x7fff);      // ST2 = QNaN: special
    setPhys(m, 0, [1, 0, 0, 0, 0, 0, 0, 0], 0x0000);         // ST3 = denormal: special
    setPhys(m, 1, [0, 0, 0, 0, 0, 0, 0, 0x40], 0x4000);      // ST4 = unnormal: special
    c.ftw = (1 << 5) | (1 << 6) | (1 << 7) | (1 << 0) | (1 << 1); // R2..R4 empty
  }
  // Full tag word, physical order R7..R0: 10 01 00 11 11 11 10 10
  const TAG = (2 << 14) | (1 << 12) | (0 << 10) | (3 << 8) | (3 << 6) | (3 << 4) | (2 << 2) | 2;

  it('fnstenv m28: 32-bit protected-mode layout, then all exceptions masked', () => {
    const m = sseMachine(32);
    state(m);
    m.cpu.fcw = 0x0240;
    exec(m, memInsn(m, 'Fnstenv_m28byte', 0, 0x2000));
    assert.deepStrictEqual(memBytes(m, 0x2000, 28), [
      0x40, 0x02, 0xff, 0xff, 0x41, 0x28, 0xff, 0xff, TAG & 0xff, TAG >>> 8, 0xff, 0xff,
      0x34, 0x12, 0x40, 0x00, 0x19, 0x00, 0xd9, 0x01, 0x78, 0x56, 0x80, 0x00, 0x21, 0x00, 0xff, 0xff,
    ]);
    assert.strictEqual(m.cpu.fcw, 0x027f);
  });
  it('fnstenv m14 / fldenv m14: 16-bit layout', () => {
    const m = sseMachine(32);
    state(m);
    exec(m, memInsn(m, 'Fnstenv_m14byte', 0, 0x2000));
    assert.deepStrictEqual(memBytes(m, 0x2000, 14), [
      0x7f, 0x02, 0x41, 0x28, TAG & 0xff, TAG >>> 8, 0x34, 0x12, 0x19, 0x00, 0x78, 0x56, 0x21, 0x00,
    ]);
    const ftw = m.cpu.ftw;
    exec(m, op('Fninit'));
    exec(m, memInsn(m, 'Fldenv_m14byte', 0, 0x2000));
    assert.deepStrictEqual([m.cpu.fcw, m.cpu.fsw, m.cpu.ftw, fpuPointers(m.cpu).fipLo], [0x027f, 0x2841, ftw, 0x1234]);
  });
  it('fnsave m108: environment + ST0..ST7 in stack order, then fninit; frstor restores everything', () => {
    const m = sseMachine(32);
    state(m);
    const regs = Array.from(m.cpu.fpuRegs), ftw = m.cpu.ftw;
    exec(m, memInsn(m, 'Fnsave_m108byte', 0, 0x2000));
    const b = memBytes(m, 0x2000, 108);
    assert.deepStrictEqual(b.slice(8, 10), [TAG & 0xff, TAG >>> 8]);
    for (let i = 0; i < 8; i++) {
      const r = (5 + i) & 7;
      assert.deepStrictEqual(b.slice(28 + 10 * i, 38 + 10 * i), regs.slice(r * 10, r * 10 + 10), `ST${i}`);
    }
    assert.deepStrictEqual([m.cpu.fcw, m.cpu.fsw, m.cpu.ftw, m.cpu.fop], [0x037f, 0, 0, 0]);
    m.cpu.fpuRegs.fill(0);
    exec(m, memInsn(m, 'Frstor_m108byte', 0, 0x2000));
    assert.deepStrictEqual([m.cpu.fcw, m.cpu.fsw, m.cpu.ftw, m.cpu.fop], [0x027f, 0x2841, ftw, 0x1d9]);
    assert.deepStrictEqual(Array.from(m.cpu.fpuRegs), regs);
    const p = fpuPointers(m.cpu);
    assert.deepStrictEqual([p.fipLo, p.fcs, p.fdpLo, p.fds], [0x00401234, 0x19, 0x00805678, 0x21]);
  });
  it('fnsave m94 / frstor m94: 16-bit layout round trip', () => {
    const m = sseMachine(32);
    state(m);
    const regs = Array.from(m.cpu.fpuRegs);
    exec(m, memInsn(m, 'Fnsave_m94byte', 0, 0x2000));
    assert.deepStrictEqual(memBytes(m, 0x2000, 14 + 10), [
      0x7f, 0x02, 0x41, 0x28, TAG & 0xff, TAG >>> 8, 0x34, 0x12, 0x19, 0x00, 0x78, 0x56, 0x21, 0x00,
      ...regs.slice(50, 60),
    ]);
    exec(m, memInsn(m, 'Frstor_m94byte', 0, 0x2000));
    assert.deepStrictEqual(Array.from(m.cpu.fpuRegs), regs);
    assert.strictEqual(m.cpu.fsw, 0x2841);
  });
  it('fsave (waiting form) reports a pending exception first', () => {
    const m = sseMachine(32);
    m.cpu.fcw = 0x037e; m.cpu.fsw = 0x0081;
    assertFault(m, memInsn(m, 'Fsave_m108byte', 0, 0x2000), MF);
    assertFault(m, memInsn(m, 'Fstenv_m28byte', 0, 0x2000), MF);
    exec(m, memInsn(m, 'Fnsave_m108byte', 0, 0x2000));
    assert.strictEqual(m.cpu.fsw, 0);
  });
});
