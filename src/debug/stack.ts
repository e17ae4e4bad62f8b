// Call-stack reconstruction: DWARF CFI (.eh_frame / .debug_frame) where the pc has an FDE, else the frame-pointer
// walk (rbp/ebp chain, aware of the `push %rbp; mov %rsp,%rbp` prologue). Reads never fault; the walk always ends.

import type { Cpu } from '../cpu/cpu';
import { RSP, RBP } from '../cpu/state';
import { readLinear, pcLinear } from './guest-memory';
import type { SymbolTable } from './symbols';
import type { CfiTable } from './cfi';

export interface RawFrame {
  /** Linear address of the instruction (frame 0) or the return address (outer frames). */
  pc: number;
  /** Frame pointer value for this frame (NaN when unknown). */
  fp: number;
  /** Stack pointer at this frame (NaN when unknown). */
  sp: number;
  /** How this frame was found from the one inside it. */
  via?: 'cfi' | 'fp' | 'prologue';
}

const MAX_FRAMES = 64;

/** DWARF register number -> CPU register index (x86-64: rax rdx rcx rbx rsi rdi rbp rsp r8..r15; i386: eax ecx edx ebx esp ebp esi edi). */
const DWARF64 = [0, 2, 1, 3, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];
const DWARF32 = [0, 1, 2, 3, 4, 5, 6, 7];

/** A stack word as the CPU's address number (canonical signed for 8-byte words), undefined when unreadable. */
export function readWord(cpu: Cpu, lin: number, width: number): number | undefined {
  const r = readLinear(cpu, lin, width);
  if (r.unreadable) return undefined;
  const v = new DataView(r.data.buffer, r.data.byteOffset, width);
  return width === 8 ? v.getInt32(4, true) * 4294967296 + v.getUint32(0, true) : v.getUint32(0, true);
}

function startsWithPushFp(cpu: Cpu, addr: number, width: number): { push: number; mov: number } | undefined {
  const r = readLinear(cpu, addr, 4);
  if (r.unreadable || r.data[0] !== 0x55) return undefined;
  const b = r.data;
  // mov %rsp,%rbp: 48 89 e5 / 48 8b ec; 32-bit: 89 e5 / 8b ec
  if (width === 8 && b[1] === 0x48 && ((b[2] === 0x89 && b[3] === 0xe5) || (b[2] === 0x8b && b[3] === 0xec))) return { push: 1, mov: 4 };
  if (width === 4 && ((b[1] === 0x89 && b[2] === 0xe5) || (b[1] === 0x8b && b[2] === 0xec))) return { push: 1, mov: 3 };
  return { push: 1, mov: 1 };
}

/** Register file of a frame being unwound: CPU register index -> value (undefined = unknown). */
type Regs = (number | undefined)[];

function cpuRegs(cpu: Cpu, width: number): Regs {
  const out: Regs = [];
  for (let r = 0; r < (width === 8 ? 16 : 8); r++) {
    out[r] = width === 8 ? (cpu.regs[r * 2 + 1] | 0) * 4294967296 + (cpu.regs[r * 2] >>> 0) : cpu.getReg32(r) >>> 0;
  }
  return out;
}

/** One CFI step at lookupPc with regs: the caller's pc and registers, or undefined when CFI cannot unwind here. */
function cfiStep(cpu: Cpu, cfi: CfiTable, lookupPc: number, regs: Regs, width: number): { pc: number; regs: Regs } | 'end' | undefined {
  const row = cfi.rowAt(lookupPc);
  if (!row || row.cfaExpression) return undefined;
  const map = width === 8 ? DWARF64 : DWARF32;
  const cfaBase = regs[map[row.cfaReg] ?? -1];
  if (cfaBase === undefined) return undefined;
  const cfa = width === 8 ? cfaBase + row.cfaOffset : (cfaBase + row.cfaOffset) >>> 0;
  const ra = row.regs.get(row.raReg);
  if (ra?.kind === 'undefined') return 'end';
  if (!ra || ra.kind !== 'offset') return undefined;
  const ret = readWord(cpu, cfa + ra.offset, width);
  if (ret === undefined) return undefined;
  const next: Regs = regs.slice();
  for (const [dw, rule] of row.regs) {
    const r = map[dw];
    if (r === undefined) continue;
    if (rule.kind === 'offset') next[r] = readWord(cpu, cfa + rule.offset, width);
    else if (rule.kind === 'val_offset') next[r] = cfa + rule.offset;
    else if (rule.kind === 'register') next[r] = regs[map[rule.reg] ?? -1];
    else if (rule.kind === 'undefined' || rule.kind === 'expression') next[r] = undefined;
  }
  next[RSP] = cfa;
  return { pc: ret, regs: next };
}

/** Frames from innermost outwards: CFI where the pc has an FDE, frame pointers elsewhere. */
export function walkStack(cpu: Cpu, symbols: SymbolTable | undefined, maxFrames = MAX_FRAMES): RawFrame[] {
  const width = cpu.mode === 64 ? 8 : 4;
  const cfi = symbols?.cfi;
  const pc0 = pcLinear(cpu);
  let regs = cpuRegs(cpu, width);
  const frames: RawFrame[] = [{ pc: pc0, fp: regs[RBP] ?? NaN, sp: regs[RSP] ?? NaN }];
  let pc = pc0;
  const seen = new Set<string>();
  while (frames.length < maxFrames) {
    const inner = frames.length === 1;
    const sp = regs[RSP], fp = regs[RBP];
    const key = `${pc}:${sp}`;
    if (seen.has(key)) break;
    seen.add(key);
    // CFI first: frame 0 looks up its own pc, callers the call instruction (return address - 1)
    if (cfi) {
      const st = cfiStep(cpu, cfi, inner ? pc : pc - 1, regs, width);
      if (st === 'end') break;
      if (st) {
        if (st.pc === 0 || (sp !== undefined && st.regs[RSP] !== undefined && (st.regs[RSP] as number) <= sp)) break;
        frames.push({ pc: st.pc, fp: st.regs[RBP] ?? NaN, sp: st.regs[RSP] ?? NaN, via: 'cfi' });
        pc = st.pc; regs = st.regs;
        continue;
      }
    }
    if (sp === undefined || fp === undefined) break;
    // inside a prologue (frame 0 only) the return address sits at the stack pointer (or one slot above after the push)
    if (inner) {
      const fn = symbols?.lookup(pc, true);
      const pro = fn ? startsWithPushFp(cpu, fn.address, width) : undefined;
      if (fn && pro && pc - fn.address < pro.mov) {
        const slot = pc === fn.address ? sp : sp + width;
        const ret = readWord(cpu, slot, width);
        if (ret === undefined || ret === 0) break;
        frames.push({ pc: ret, fp, sp: slot + width, via: 'prologue' });
        regs = regs.slice(); regs[RSP] = slot + width; pc = ret;
        continue;
      }
    }
    if (fp === 0 || fp % width !== 0 || fp < sp - 0x100000) break;
    const savedFp = readWord(cpu, fp, width), ret = readWord(cpu, fp + width, width);
    if (savedFp === undefined || ret === undefined || ret === 0) break;
    frames.push({ pc: ret, fp: savedFp, sp: fp + 2 * width, via: 'fp' });
    if (savedFp !== 0 && savedFp <= fp) break;
    regs = regs.slice(); regs[RSP] = fp + 2 * width; regs[RBP] = savedFp; pc = ret;
  }
  return frames;
}
