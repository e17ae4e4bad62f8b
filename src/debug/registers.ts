// Register access by name for the debugger (expressions, watch, setVariable): every GPR width, RIP,
// RFLAGS and its flag bits, segment selectors and bases, control registers — as bigints.

import type { Cpu } from '../cpu/cpu';
import { getFlags, setFlags, F_CF, F_PF, F_AF, F_ZF, F_SF, F_TF, F_IF, F_DF, F_OF } from '../cpu/flags';
import { GPR_NAMES64, SEG_NAMES, FS, GS } from '../cpu/state';

const GPR8_LOW = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
const GPR8_HIGH = ['ah', 'ch', 'dh', 'bh'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const FLAG_BITS: [string, number][] = [
  ['cf', F_CF], ['pf', F_PF], ['af', F_AF], ['zf', F_ZF], ['sf', F_SF], ['tf', F_TF], ['if', F_IF], ['df', F_DF], ['of', F_OF],
];

interface RegRef { reg: number; size: 8 | 16 | 32 | 64; high?: boolean; }

/** Resolve a GPR name of any width (rax/eax/ax/al/ah, r8/r8d/r8w/r8b/r8l). */
export function gprRef(name: string): RegRef | undefined {
  let k = GPR_NAMES64.indexOf(name);
  if (k >= 0) return { reg: k, size: 64 };
  if ((k = GPR32.indexOf(name)) >= 0) return { reg: k, size: 32 };
  if ((k = GPR16.indexOf(name)) >= 0) return { reg: k, size: 16 };
  if ((k = GPR8_LOW.indexOf(name)) >= 0) return { reg: k, size: 8 };
  if ((k = GPR8_HIGH.indexOf(name)) >= 0) return { reg: k, size: 8, high: true };
  const m = /^r(8|9|1[0-5])(d|w|b|l)?$/.exec(name);
  if (m) return { reg: Number(m[1]), size: m[2] === undefined ? 64 : m[2] === 'd' ? 32 : m[2] === 'w' ? 16 : 8 };
  return undefined;
}

function gpr64(cpu: Cpu, r: number): bigint {
  return (BigInt(cpu.regs[2 * r + 1] >>> 0) << 32n) | BigInt(cpu.regs[2 * r] >>> 0);
}

/** RIP as an unsigned 64-bit bigint. */
export function ripValue(cpu: Cpu): bigint { return BigInt.asUintN(64, BigInt(cpu.rip)); }

/** Read a register by (lower-case) name; undefined when it is not a register name. */
export function readRegister(cpu: Cpu, name: string): bigint | undefined {
  const g = gprRef(name);
  if (g) {
    const v = gpr64(cpu, g.reg);
    if (g.high) return (v >> 8n) & 0xffn;
    return BigInt.asUintN(g.size, v);
  }
  switch (name) {
    case 'rip': return ripValue(cpu);
    case 'eip': return ripValue(cpu) & 0xffffffffn;
    case 'ip': return ripValue(cpu) & 0xffffn;
    case 'rflags': case 'eflags': return BigInt(getFlags(cpu));
    case 'flags': return BigInt(getFlags(cpu) & 0xffff);
    case 'cr0': return BigInt(cpu.cr0 >>> 0);
    case 'cr2': return BigInt.asUintN(64, BigInt(cpu.cr2));
    case 'cr3': return BigInt.asUintN(64, BigInt(cpu.cr3));
    case 'cr4': return BigInt(cpu.cr4 >>> 0);
    case 'cr8': return BigInt(cpu.cr8 >>> 0);
    case 'efer': return BigInt(cpu.efer >>> 0);
    case 'cpl': return BigInt(cpu.cpl);
    case 'fs_base': case 'fsbase': return BigInt.asUintN(64, BigInt(cpu.segBase[FS]));
    case 'gs_base': case 'gsbase': return BigInt.asUintN(64, BigInt(cpu.segBase[GS]));
    case 'gdtr_base': return BigInt.asUintN(64, BigInt(cpu.gdtrBase));
    case 'idtr_base': return BigInt.asUintN(64, BigInt(cpu.idtrBase));
  }
  const seg = SEG_NAMES.indexOf(name);
  if (seg >= 0 && seg < 6) return BigInt(cpu.segSel[seg] & 0xffff);
  const flag = FLAG_BITS.find(([n]) => n === name);
  if (flag) return (getFlags(cpu) & flag[1]) !== 0 ? 1n : 0n;
  return undefined;
}

/** Names writable through writeRegister. */
export function isWritableRegister(name: string): boolean {
  return gprRef(name) !== undefined || ['rip', 'eip', 'rflags', 'eflags'].includes(name) || FLAG_BITS.some(([n]) => n === name);
}

/** Write a register by name (GPRs at their width with x86 merge rules, RIP, RFLAGS, flag bits). Throws on other names. */
export function writeRegister(cpu: Cpu, name: string, value: bigint): void {
  const g = gprRef(name);
  const u = BigInt.asUintN(64, value);
  if (g) {
    const lo = Number(u & 0xffffffffn) | 0, hi = Number(u >> 32n) | 0;
    if (g.high) { const k = g.reg << 1; cpu.regs[k] = (cpu.regs[k] & ~0xff00) | ((lo & 0xff) << 8); return; }
    switch (g.size) {
      case 8: cpu.setReg8(g.reg, lo); break;
      case 16: cpu.setReg16(g.reg, lo); break;
      // the debugger keeps the upper half when writing a 32-bit name (no implicit zero-extension surprise)
      case 32: cpu.regs[g.reg << 1] = lo; if (cpu.mode === 64) cpu.regs[(g.reg << 1) + 1] = 0; break;
      default: cpu.setReg64(g.reg, lo, hi);
    }
    return;
  }
  switch (name) {
    case 'rip': case 'eip': {
      const v = cpu.mode === 64 ? Number(BigInt.asIntN(64, u)) : Number(u & 0xffffffffn);
      cpu.rip = v; cpu.insnRip = v; return;
    }
    case 'rflags': case 'eflags': setFlags(cpu, Number(u & 0x3fffffn), 0x3f7fd5); return;
  }
  const flag = FLAG_BITS.find(([n]) => n === name);
  if (flag) { setFlags(cpu, u !== 0n ? flag[1] : 0, flag[1]); return; }
  throw new Error(`register ${name} cannot be written`);
}
