// Shared harness for the SSE/x87 unit tests (hand-built Insn records run through the family handler maps),
// plus checks that every handler key is a real iced-x86 Code name and that the registry dispatches to it.

import * as assert from 'assert';
import { Insn } from '../../src/cpu/decoder/insn';
import { CpuFault } from '../../src/cpu/fault';
import { handlerFor } from '../../src/cpu/exec/registry';
import { sseHandlers } from '../../src/cpu/exec/sse';
import { x87Handlers } from '../../src/cpu/exec/x87';
import { makeMachine, TestMachine } from './helpers/machine';

export const CR4_OSFXSR = 1 << 9;

/** A machine with CR4.OSFXSR set (SSE usable) and CR0.NE set (x87 errors report #MF). */
export function sseMachine(bits: 32 | 64 = 64): TestMachine {
  const m = makeMachine(bits);
  m.cpu.cr4 |= CR4_OSFXSR;
  m.cpu.cr0 |= 1 << 5;
  return m;
}

function handler(code: string) {
  const h = sseHandlers[code] ?? x87Handlers[code];
  if (h === undefined) throw new Error(`no handler for ${code}`);
  return h;
}
/** Register form: reg and rm are register numbers (xmm or GPR as the form says). */
export function regInsn(code: string, reg: number, rm: number, imm = 0): Insn {
  const i = new Insn(handler(code), code);
  i.reg = reg; i.rm = rm; i.isMem = false; i.imm = imm;
  return i;
}
/** Memory form with an absolute address [disp32] in DS. */
export function memInsn(m: TestMachine, code: string, reg: number, addr: number, imm = 0): Insn {
  const i = new Insn(handler(code), code);
  i.reg = reg; i.rm = -1; i.isMem = true; i.base = -1; i.index = -1; i.disp = addr | 0; i.dispHi = 0;
  i.asize = m.cpu.mode === 64 ? 64 : 32; i.mode = m.cpu.mode; i.seg = 3; i.imm = imm;
  return i;
}
export function exec(m: TestMachine, i: Insn): void { i.exec(m.cpu, i); }

/** Set XMM n from 4 dwords (lane 0 first). */
export function setXmm(m: TestMachine, n: number, lanes: number[]): void {
  for (let k = 0; k < 4; k++) m.cpu.xmm[4 * n + k] = lanes[k] | 0;
}
/** XMM n as 4 unsigned dwords. */
export function xmm(m: TestMachine, n: number): number[] {
  return [0, 1, 2, 3].map((k) => m.cpu.xmm[4 * n + k] >>> 0);
}
/** XMM n as 16 bytes. */
export function xmmBytes(m: TestMachine, n: number): number[] {
  return Array.from(new Uint8Array(m.cpu.xmm.buffer, 16 * n, 16));
}
export function setXmmBytes(m: TestMachine, n: number, bytes: number[]): void {
  new Uint8Array(m.cpu.xmm.buffer, 16 * n, 16).set(bytes);
}
export function setXmmWords(m: TestMachine, n: number, words: number[]): void {
  new Uint16Array(m.cpu.xmm.buffer, 16 * n, 8).set(words.map((w) => w & 0xffff));
}
export function xmmWords(m: TestMachine, n: number): number[] {
  return Array.from(new Uint16Array(m.cpu.xmm.buffer, 16 * n, 8));
}
export function memBytes(m: TestMachine, addr: number, n: number): number[] {
  return Array.from(m.mem.bytes.subarray(addr, addr + n));
}

/** Assert that running i raises the given vector (and error code, when given). */
export function assertFault(m: TestMachine, i: Insn, vector: number, errorCode?: number): void {
  assert.throws(() => exec(m, i), (e: unknown) => {
    assert.ok(e instanceof CpuFault, `expected CpuFault, got ${String(e)}`);
    assert.strictEqual(e.vector, vector, `vector ${e.vector} instead of ${vector}`);
    if (errorCode !== undefined) assert.strictEqual(e.errorCode, errorCode);
    return true;
  });
}

describe('SSE/x87 handler maps', () => {
  it('use only real iced-x86 Code names', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Code } = require('iced-x86') as { Code: Record<string, number> };
    for (const k of [...Object.keys(sseHandlers), ...Object.keys(x87Handlers)]) {
      assert.notStrictEqual(Code[k], undefined, k);
    }
  });
  it('are reachable through the registry', () => {
    for (const k of ['Movdqa_xmm_xmmm128', 'Pxor_xmm_xmmm128', 'Movq_xmm_rm64', 'Fxsave_m512byte', 'Fxsave64_m512byte',
      'Ldmxcsr_m32', 'Fninit']) {
      assert.ok(handlerFor(k) === (sseHandlers[k] ?? x87Handlers[k]), k);
    }
  });
  it('leave MMX forms unimplemented', () => {
    for (const k of ['Pxor_mm_mmm64', 'Movq_mm_rm64', 'Paddb_mm_mmm64']) assert.strictEqual(handlerFor(k), undefined, k);
  });
});
