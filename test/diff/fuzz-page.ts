// One fuzz page: seeded random bytes as code in a fresh flat machine, run for a bounded instruction count,
// resuming at random offsets after exceptions; checks run() never throws, never stops with 'internal', and
// every exception reaches the host (BareOps) with a valid vector.

import { makeMachine } from '../unit/helpers/machine';
import { BareOps } from '../../src/cpu/ops';
import type { Cpu } from '../../src/cpu/cpu';
import { VECTOR_NAMES } from '../../src/cpu/fault';
import { Prng } from './prng';

export const FUZZ_BUDGET = 2000;
const MEM = 1024 * 1024;
export const FUZZ_CODE = 0x40000;
/** Exceptions an instruction may raise (NMI, #DF, #MC and reserved vectors never come from executing one). */
const VALID_VECTORS = new Set([0, 1, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19]);

export class FuzzOps extends BareOps {
  readonly vectors = new Map<string, number>();
  bad: string[] = [];
  override exception(cpu: Cpu, vector: number, errorCode: number): void {
    const name = VECTOR_NAMES[vector] ?? `vector ${vector}`;
    this.vectors.set(name, (this.vectors.get(name) ?? 0) + 1);
    if (!VALID_VECTORS.has(vector)) this.bad.push(`invalid vector ${vector} (error code ${errorCode})`);
    else if (errorCode !== -1 && !(errorCode >= 0 && errorCode <= 0xffff)) this.bad.push(`${name} with error code ${errorCode}`);
    super.exception(cpu, vector, errorCode);
  }
  override softwareInterrupt(cpu: Cpu, vector: number): boolean {
    this.vectors.set('int n', (this.vectors.get('int n') ?? 0) + 1);
    if (!(vector >= 0 && vector <= 255)) this.bad.push(`software interrupt ${vector}`);
    return super.softwareInterrupt(cpu, vector);
  }
}

export interface Failure { what: string; bytes: string; }
export interface PageResult { failures: Failure[]; retired: number; ms: number; }

export function hexBytes(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' '); }

/**
 * Trace hook for hang diagnosis: called before each instruction when `stepwise` is set, with the
 * linear rip and the bytes there (the caller stores them somewhere that survives the worker being killed).
 */
export type StepHook = (rip: number, bytes: Uint8Array, rcx: number) => void;

/** Run one page. `seed` fully determines it; `stepwise` single-steps (same architectural behaviour) for diagnosis. */
export function fuzzPage(mode: 32 | 64, cpl: number, seed: number, ops: FuzzOps, hook?: StepHook): PageResult {
  const rng = new Prng(seed);
  const m = makeMachine(mode, { cpl, memBytes: MEM });
  m.cpu.ops = ops;
  ops.bad = [];
  const page = rng.bytes(4096);
  m.mem.writeBytes(FUZZ_CODE, page);
  // Data around the code: more random bytes, so memory operands read something.
  m.mem.writeBytes(FUZZ_CODE - 0x8000, rng.bytes(0x8000));
  m.mem.writeBytes(FUZZ_CODE + 0x1000, rng.bytes(0x8000));
  const nregs = mode === 64 ? 16 : 8;
  for (let r = 0; r < nregs; r++) {
    // Half the registers point into memory (so loads/stores mostly hit RAM), the others are random; rcx starts
    // modest (a rep prefix with a huge count must still be bounded by the budget: that is tested, not avoided).
    const v = r === 1 ? rng.int(0x10000) : rng.chance(0.5) ? rng.range(0x1000, MEM - 0x1000) : rng.u32();
    m.cpu.setReg64(r, v | 0, mode === 64 && r !== 1 && rng.chance(0.3) ? rng.u32() | 0 : 0);
  }
  m.cpu.setReg64(4, 0x80000, 0);
  m.cpu.rip = FUZZ_CODE + rng.int(4096);
  const failures: Failure[] = [];
  const at = (): string => hexBytes(m.mem.readBytes(Number(m.cpu.rip) >>> 0, 16));
  const t0 = Date.now();
  let spent = 0, rounds = 0;
  while (spent < FUZZ_BUDGET && rounds < FUZZ_BUDGET) {
    rounds++;
    const before = m.cpu.icount;
    const ripBefore = m.cpu.rip;
    let reason: string;
    try {
      if (hook) {
        hook(Number(m.cpu.rip), m.mem.readBytes(Number(m.cpu.rip) >>> 0, 16), m.cpu.regNumber(1));
        reason = m.cpu.step();
        if (reason === 'budget' && spent + 1 < FUZZ_BUDGET) { spent++; rounds--; continue; }
      } else reason = m.cpu.run(FUZZ_BUDGET - spent);
    } catch (e) {
      failures.push({ what: `run() threw at rip ${ripBefore.toString(16)}: ${(e as Error).stack ?? e}`, bytes: hexBytes(m.mem.readBytes(Number(ripBefore) >>> 0, 16)) });
      break;
    }
    spent += Math.max(1, m.cpu.icount - before);
    if (reason === 'internal') {
      failures.push({ what: `internal stop: ${m.cpu.stopDetail.split('\n').slice(0, 4).join(' | ')}`, bytes: at() });
      break;
    }
    for (const b of ops.bad) failures.push({ what: b, bytes: at() });
    ops.bad = [];
    if (reason === 'budget') break;
    // After an exception, interrupt or halt: resume at another random spot of the page (state otherwise kept).
    m.cpu.halted = false;
    m.cpu.rip = FUZZ_CODE + rng.int(4096);
  }
  return { failures, retired: m.cpu.icount, ms: Date.now() - t0 };
}
