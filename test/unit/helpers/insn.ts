// Test harness for handler-level tests: build an Insn for a family's handler by Code name, and execute
// it the way the step loop does (RIP advanced first, restored on a fault, the fault returned).

import * as assert from 'assert';
import { Insn, Handler } from '../../../src/cpu/decoder/insn';
import { CpuFault } from '../../../src/cpu/fault';
import type { TestMachine } from './machine';

export function makeInsn(handlers: Record<string, Handler>, code: string, f: Partial<Insn> = {}): Insn {
  const h = handlers[code];
  assert.ok(h, `no handler for ${code}`);
  const i = new Insn(h, code);
  Object.assign(i, f);
  return i;
}

/** Execute one handler call as the step loop would for an instruction of `len` bytes. */
export function execInsn(m: TestMachine, i: Insn, len: number): CpuFault | null {
  const c = m.cpu;
  c.insnRip = c.rip;
  c.rip = c.mode === 64 ? c.rip + len : (c.rip + len) >>> 0;
  try { i.exec(c, i); return null; } catch (e) {
    c.rip = c.insnRip;
    if (e instanceof CpuFault) return e;
    throw e;
  }
}
