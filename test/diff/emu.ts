// Emulator side of the differential test: the same bytes and state in a flat makeMachine(64|32),
// the buffer mapped at EMU_BUF, run the case's instruction count, read back GPRs, flags, buffer, fault.

import { makeMachine, TestMachine } from '../unit/helpers/machine';
import { getFlags, setFlags, F_ARITH, F_DF } from '../../src/cpu/flags';
import { VECTOR_NAMES } from '../../src/cpu/fault';
import { DiffCase, MEM_SIZE, MEM_BIAS } from './cases';
import type { Outcome } from './native';

export const EMU_CODE = 0x1000;
export const EMU_BUF = 0x10000;
export const EMU_RSP = 0x200000;
export class EmuRunner {
  private readonly m: TestMachine;
  private readonly nregs: number;
  constructor(readonly mode: 32 | 64) {
    this.m = makeMachine(mode, { memBytes: 4 * 1024 * 1024 });
    this.nregs = mode === 64 ? 16 : 8;
  }

  run(c: DiffCase): Outcome {
    const { cpu, mem, ops } = this.m;
    for (let r = 0; r < this.nregs; r++) {
      let v = c.regs[r];
      if (r === c.baseReg) v = BigInt(EMU_BUF + MEM_BIAS);
      if (r === 4) v = BigInt(EMU_RSP);
      cpu.setReg64(r, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
    }
    setFlags(cpu, c.flags, F_ARITH | F_DF);
    mem.writeBytes(EMU_BUF, c.mem);
    // Clear the code window first so a shorter case never runs the tail of the previous one.
    mem.fill(EMU_CODE, 64, 0xcc);
    mem.writeBytes(EMU_CODE, c.bytes);
    cpu.rip = EMU_CODE;
    cpu.halted = false;
    ops.lastException = null;
    let fault = '';
    let internal = '';
    try {
      const reason = cpu.run(c.ninsn);
      if (reason === 'exception' || reason === 'interrupt') {
        const ex = ops.lastException as { vector: number } | null; // set by the run (TS narrows it to null above)
        const v = ex ? ex.vector : -1;
        fault = VECTOR_NAMES[v] ?? `vector ${v}`;
        if (fault === '#UD' && cpu.lastUnimplemented) fault += ` (unimplemented ${cpu.lastUnimplemented})`;
      } else if (reason === 'internal') internal = cpu.stopDetail;
      else if (reason !== 'budget') fault = `stop:${reason}`;
    } catch (e) {
      internal = `run() threw: ${(e as Error).stack ?? String(e)}`;
    }
    cpu.lastUnimplemented = '';
    if (internal) fault = `internal: ${internal.split('\n').slice(0, 3).join(' | ')}`;
    const regs: bigint[] = [];
    for (let r = 0; r < this.nregs; r++) {
      const lo = BigInt(cpu.regs[2 * r] >>> 0), hi = BigInt(cpu.regs[2 * r + 1] >>> 0);
      regs.push(this.mode === 64 ? (hi << 32n) | lo : lo);
    }
    return {
      regs, flags: getFlags(cpu), fault, bufPtr: BigInt(EMU_BUF + MEM_BIAS),
      mem: mem.readBytes(EMU_BUF, MEM_SIZE),
    };
  }
}
