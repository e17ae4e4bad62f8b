// Call-stack reconstruction by frame-pointer walk (rbp/ebp chain), aware of the `push %rbp; mov %rsp,%rbp`
// prologue so a stop at a function's first instructions still shows its caller.

import type { Cpu } from '../cpu/cpu';
import { RSP, RBP } from '../cpu/state';
import { readLinear, readPointer, pcLinear } from './guest-memory';
import type { SymbolTable } from './symbols';

export interface RawFrame {
  /** Linear address of the instruction (frame 0) or the return address (outer frames). */
  pc: number;
  /** Frame pointer value for this frame (NaN when unknown). */
  fp: number;
  /** Stack pointer at this frame (NaN when unknown). */
  sp: number;
}

const MAX_FRAMES = 64;

function startsWithPushFp(cpu: Cpu, addr: number, width: number): { push: number; mov: number } | undefined {
  const r = readLinear(cpu, addr, 4);
  if (r.unreadable || r.data[0] !== 0x55) return undefined;
  const b = r.data;
  // mov %rsp,%rbp: 48 89 e5 / 48 8b ec; 32-bit: 89 e5 / 8b ec
  if (width === 8 && b[1] === 0x48 && ((b[2] === 0x89 && b[3] === 0xe5) || (b[2] === 0x8b && b[3] === 0xec))) return { push: 1, mov: 4 };
  if (width === 4 && ((b[1] === 0x89 && b[2] === 0xe5) || (b[1] === 0x8b && b[2] === 0xec))) return { push: 1, mov: 3 };
  return { push: 1, mov: 1 };
}

/** Frames from innermost outwards. */
export function walkStack(cpu: Cpu, symbols: SymbolTable | undefined, maxFrames = MAX_FRAMES): RawFrame[] {
  const width = cpu.mode === 64 ? 8 : 4;
  const reg = (r: number): number => width === 8 ? cpu.regNumber(r) : cpu.getReg32(r) >>> 0;
  const pc0 = pcLinear(cpu);
  let sp = reg(RSP), fp = reg(RBP);
  const frames: RawFrame[] = [{ pc: pc0, fp, sp }];
  // inside a prologue the return address sits at the stack pointer (or one slot above after the push)
  const fn = symbols?.lookup(pc0, true);
  if (fn) {
    const pro = startsWithPushFp(cpu, fn.address, width);
    const off = pc0 - fn.address;
    if (pro && off < pro.mov) {
      const slot = off === 0 ? sp : sp + width;
      const ret = readPointer(cpu, slot, width);
      if (ret !== undefined && ret !== 0) {
        frames.push({ pc: ret, fp, sp: slot + width });
        sp = slot + width;
      }
    }
  }
  const seen = new Set<number>();
  while (frames.length < maxFrames && fp !== 0 && !seen.has(fp)) {
    seen.add(fp);
    if (fp % width !== 0 || fp < sp - 0x100000) break;
    const savedFp = readPointer(cpu, fp, width);
    const ret = readPointer(cpu, fp + width, width);
    if (savedFp === undefined || ret === undefined || ret === 0) break;
    frames.push({ pc: ret, fp: savedFp, sp: fp + 2 * width });
    if (savedFp !== 0 && savedFp <= fp) break;
    sp = fp + 2 * width;
    fp = savedFp;
  }
  return frames;
}
