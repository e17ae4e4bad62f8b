// Execution plans for the runtime's run loop: continue, instruction/line step in and over, step out.
// A plan either runs freely (with temporary breakpoints) or single-steps, deciding after each step.

import type { Cpu } from '../cpu/cpu';
import { decode } from '../cpu/decoder/decode';
import { RSP } from '../cpu/state';
import { readLinear, pcLinear } from './guest-memory';
import type { LineTable, LineRow } from './dwarf-line';

export interface Plan {
  /** 'run': cpu.run() with temps planted as breakpoints; 'step': one instruction at a time. */
  mode: 'run' | 'step';
  temps: Set<number>;
  /** Called before each single step (may switch to run mode, e.g. to step over a call). */
  beforeStep(): void;
  /** Called after each single step: true = stop here. */
  afterStep(): boolean;
  /** A temporary breakpoint was reached in run mode: true = stop here (may switch back to step mode). */
  atTemp(lin: number): boolean;
}

export interface InsnShape { len: number; isCall: boolean; isRet: boolean; }

/** Length and call/ret nature of the instruction at RIP (undefined when unreadable or undecodable). */
export function insnAtPc(cpu: Cpu): InsnShape | undefined {
  const r = readLinear(cpu, pcLinear(cpu), 15);
  if (r.data.length === 0) return undefined;
  const buf = new Uint8Array(16);
  buf.set(r.data);
  const insn = decode(buf, r.data.length, cpu.mode);
  if (!insn) return undefined;
  return { len: insn.len, isCall: /^Call_(rel|rm)/.test(insn.code), isRet: /^Retn/.test(insn.code) };
}

export function stackPointer(cpu: Cpu): number {
  return cpu.mode === 64 ? cpu.regNumber(RSP) : cpu.getReg32(RSP) >>> 0;
}

export function continuePlan(): Plan {
  return { mode: 'run', temps: new Set(), beforeStep() {}, afterStep: () => false, atTemp: () => false };
}

/** Switch a plan to run mode until the call at pc returns (stack back at its depth). */
function overCall(plan: Plan, cpu: Cpu, shape: InsnShape, resume: () => void): void {
  const ret = pcLinear(cpu) + shape.len;
  const sp = stackPointer(cpu);
  plan.mode = 'run';
  plan.temps = new Set([ret]);
  plan.atTemp = (lin) => {
    if (lin !== ret || stackPointer(cpu) < sp) return false;
    plan.mode = 'step';
    plan.temps = new Set();
    resume();
    return false;
  };
}

/** One instruction; `over` runs a call to its return. */
export function instructionStepPlan(cpu: Cpu, over: boolean): Plan {
  const plan: Plan = {
    mode: 'step', temps: new Set(),
    beforeStep() {
      const shape = over ? insnAtPc(cpu) : undefined;
      if (shape?.isCall) {
        overCall(plan, cpu, shape, () => {});
        plan.atTemp = ((orig) => (lin: number) => { orig(lin); return plan.mode === 'step'; })(plan.atTemp);
      }
    },
    afterStep: () => true,
    atTemp: () => false,
  };
  return plan;
}

/** Step to the start of another source line; `over` steps over calls. Stops when leaving line-info code. */
export function lineStepPlan(cpu: Cpu, lines: LineTable, over: boolean): Plan {
  const startPc = pcLinear(cpu);
  const start: LineRow | undefined = lines.lookup(startPc);
  const sp0 = stackPointer(cpu);
  let steps = 0;
  const plan: Plan = {
    mode: 'step', temps: new Set(),
    beforeStep() {
      const shape = over ? insnAtPc(cpu) : undefined;
      if (shape?.isCall) overCall(plan, cpu, shape, () => {});
    },
    afterStep() {
      steps++;
      const pc = pcLinear(cpu);
      const row = lines.lookup(pc);
      if (!row || !start) return true;
      const otherLine = row.line !== start.line || row.file !== start.file;
      if (otherLine && (pc === row.address || stackPointer(cpu) > sp0)) return true;
      // back at the start of the same line after a jump (a loop on one line)
      return !otherLine && pc === row.address && pc !== startPc && steps > 0 && row.isStmt && pc < startPc;
    },
    atTemp: () => false,
  };
  return plan;
}

/** Run until a ret at this depth has executed (calls on the way are run, not stepped). */
export function stepOutPlan(cpu: Cpu): Plan {
  const sp0 = stackPointer(cpu);
  let wasRet = false;
  const plan: Plan = {
    mode: 'step', temps: new Set(),
    beforeStep() {
      const shape = insnAtPc(cpu);
      wasRet = shape?.isRet ?? false;
      if (shape?.isCall) overCall(plan, cpu, shape, () => {});
    },
    afterStep: () => wasRet && stackPointer(cpu) > sp0,
    atTemp: () => false,
  };
  return plan;
}
