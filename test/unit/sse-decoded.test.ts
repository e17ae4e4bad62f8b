// SSE and x87 state instructions run from real machine code through the decoder and the step loop, with faults
// delivered to the host (#GP for misaligned movdqa, #NM with CR0.TS, #UD without CR4.OSFXSR).

import * as assert from 'assert';
import { RAX, RSI, RDI } from '../../src/cpu/state';
import { loadCode, runN, TestMachine } from './helpers/machine';
import { sseMachine, setXmm, xmm, memBytes } from './sse-support.test';

function lastVector(m: TestMachine): number { return m.ops.lastException?.vector ?? -1; }

const CODE = 0x1000, DATA = 0x2000, OUT = 0x3000;

describe('SSE/x87 from machine code (64-bit)', () => {
  it('runs a gcc-style sequence: loads, zeroing, adds, stores, shuffles, fxsave64, x87 control', () => {
    const m = sseMachine(64);
    m.mem.writeBytes(DATA, Uint8Array.from([...Array(16).keys()]));
    m.cpu.setReg64(RDI, DATA, 0); m.cpu.setReg64(RSI, OUT, 0);
    m.cpu.setReg64(RAX, 0x11112222, 0x33334444);
    setXmm(m, 8, [1, 2, 3, 4]);
    const code = [
      0x66, 0x0f, 0x6f, 0x07,             // movdqa xmm0, [rdi]
      0x66, 0x0f, 0xef, 0xc9,             // pxor xmm1, xmm1
      0x66, 0x0f, 0xfe, 0xc8,             // paddd xmm1, xmm0
      0xf3, 0x0f, 0x7f, 0x0e,             // movdqu [rsi], xmm1
      0x66, 0x48, 0x0f, 0x6e, 0xd7,       // movq xmm2, rdi
      0x66, 0x44, 0x0f, 0xd4, 0xc2,       // paddq xmm8, xmm2
      0x66, 0x0f, 0x73, 0xd8, 0x04,       // psrldq xmm0, 4
      0x66, 0x0f, 0x70, 0xd9, 0x1b,       // pshufd xmm3, xmm1, 0x1b
      0x0f, 0xae, 0x5e, 0x20,             // stmxcsr [rsi+0x20]
      0x48, 0x0f, 0xae, 0x47, 0x40,       // fxsave64 [rdi+0x40]
      0xdb, 0xe3,                         // fninit
      0x9b,                               // wait
      0xdf, 0xe0,                         // fnstsw ax
      0x0f, 0x77,                         // emms
      0x0f, 0xae, 0xf0,                   // mfence
    ];
    loadCode(m, CODE, code);
    m.cpu.fsw = 0x3800;
    runN(m, 15);
    assert.strictEqual(m.ops.lastException, null);
    assert.strictEqual(m.cpu.rip, CODE + code.length);
    assert.deepStrictEqual(memBytes(m, OUT, 16), [...Array(16).keys()]);
    assert.deepStrictEqual(xmm(m, 8), [1 + DATA, 2, 3, 4]);
    assert.deepStrictEqual(xmm(m, 0), [0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0]);
    assert.deepStrictEqual(xmm(m, 3), [0x0f0e0d0c, 0x0b0a0908, 0x07060504, 0x03020100]);
    assert.deepStrictEqual(memBytes(m, OUT + 0x20, 4), [0x80, 0x1f, 0, 0]);
    assert.deepStrictEqual(memBytes(m, DATA + 0x40, 4), [0x7f, 0x03, 0x00, 0x38]);
    assert.deepStrictEqual(memBytes(m, DATA + 0x40 + 160 + 16 * 8, 4), [1 + 0x00, 0x20, 0, 0]);
    assert.strictEqual(m.cpu.regs[0] >>> 0, 0x11110000); // fnstsw ax after fninit
  });
  it('delivers #GP(0) for a misaligned movdqa and #NM with CR0.TS', () => {
    const m = sseMachine(64);
    m.cpu.setReg64(RDI, DATA + 8, 0);
    loadCode(m, CODE, [0x66, 0x0f, 0x6f, 0x07]); // movdqa xmm0, [rdi]
    runN(m, 1);
    assert.deepStrictEqual(m.ops.lastException, { vector: 13, errorCode: 0, rip: CODE });
    m.ops.lastException = null;
    m.cpu.setReg64(RDI, DATA, 0);
    m.cpu.cr0 |= 8;
    loadCode(m, CODE, [0x66, 0x0f, 0x6f, 0x07]);
    runN(m, 1);
    assert.strictEqual(lastVector(m), 7);
  });
  it('delivers #UD for SSE without CR4.OSFXSR, while fxsave still works', () => {
    const m = sseMachine(32);
    m.cpu.cr4 &= ~(1 << 9);
    m.cpu.setReg64(RDI, DATA, 0);
    loadCode(m, CODE, [0x0f, 0xae, 0x07, 0x0f, 0x57, 0xc0]); // fxsave [edi]; xorps xmm0, xmm0
    runN(m, 2);
    assert.strictEqual(lastVector(m), 6);
    assert.strictEqual(m.cpu.rip, CODE + 3);
    assert.deepStrictEqual(memBytes(m, DATA, 2), [0x7f, 0x03]);
  });
});
