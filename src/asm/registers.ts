// Register names (AT&T without '%', Intel bare) mapped to iced-x86 Register values and operand classes.

import { Register } from 'iced-x86';

export type RegClass =
  | 'gpr8' | 'gpr16' | 'gpr32' | 'gpr64' | 'seg' | 'cr' | 'dr' | 'tr' | 'st' | 'mm' | 'xmm' | 'ymm' | 'zmm' | 'k' | 'bnd' | 'ip';

export interface RegInfo {
  reg: Register;
  cls: RegClass;
  /** Size in bytes for general registers (1/2/4/8), 0 otherwise. */
  size: number;
  /** AH/CH/DH/BH: cannot be encoded together with a REX prefix. */
  high8?: boolean;
  /** Needs REX (r8-r15, spl/bpl/sil/dil, xmm8+). */
  rex?: boolean;
  name: string;
}

let table: Map<string, RegInfo> | undefined;

function build(): Map<string, RegInfo> {
  const m = new Map<string, RegInfo>();
  const add = (name: string, reg: Register, cls: RegClass, size: number, extra: Partial<RegInfo> = {}) =>
    m.set(name, { reg, cls, size, name, ...extra });
  const R = Register as unknown as Record<string, number>;
  const g8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh', 'spl', 'bpl', 'sil', 'dil'];
  for (const n of g8) add(n, R[n.toUpperCase()], 'gpr8', 1, { high8: ['ah', 'ch', 'dh', 'bh'].includes(n), rex: ['spl', 'bpl', 'sil', 'dil'].includes(n) });
  const g16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const g32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const g64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
  g16.forEach((n) => add(n, R[n.toUpperCase()], 'gpr16', 2));
  g32.forEach((n) => add(n, R[n.toUpperCase()], 'gpr32', 4));
  g64.forEach((n) => add(n, R[n.toUpperCase()], 'gpr64', 8));
  for (let i = 8; i < 16; i++) {
    add(`r${i}b`, R[`R${i}L`], 'gpr8', 1, { rex: true });
    add(`r${i}l`, R[`R${i}L`], 'gpr8', 1, { rex: true });
    add(`r${i}w`, R[`R${i}W`], 'gpr16', 2, { rex: true });
    add(`r${i}d`, R[`R${i}D`], 'gpr32', 4, { rex: true });
    add(`r${i}`, R[`R${i}`], 'gpr64', 8, { rex: true });
  }
  ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n) => add(n, R[n.toUpperCase()], 'seg', 2));
  for (let i = 0; i < 16; i++) {
    add(`cr${i}`, R[`CR${i}`], 'cr', 0);
    add(`dr${i}`, R[`DR${i}`], 'dr', 0);
    add(`db${i}`, R[`DR${i}`], 'dr', 0);
  }
  for (let i = 0; i < 8; i++) {
    add(`tr${i}`, R[`TR${i}`], 'tr', 0);
    add(`mm${i}`, R[`MM${i}`], 'mm', 0);
    add(`st${i}`, R[`ST${i}`], 'st', 0);
    add(`k${i}`, R[`K${i}`], 'k', 0);
  }
  for (let i = 0; i < 4; i++) add(`bnd${i}`, R[`BND${i}`], 'bnd', 0);
  add('st', Register.ST0, 'st', 0);
  for (let i = 0; i < 32; i++) {
    add(`xmm${i}`, R[`XMM${i}`], 'xmm', 0, { rex: i >= 8 });
    add(`ymm${i}`, R[`YMM${i}`], 'ymm', 0, { rex: i >= 8 });
    add(`zmm${i}`, R[`ZMM${i}`], 'zmm', 0, { rex: i >= 8 });
  }
  add('rip', Register.RIP, 'ip', 8);
  add('eip', Register.EIP, 'ip', 4);
  return m;
}

export function lookupRegister(name: string): RegInfo | undefined {
  if (!table) table = build();
  return table.get(name.toLowerCase());
}

/** The ST(i) register for index i (0..7). */
export function stRegister(i: number): RegInfo | undefined {
  return lookupRegister(`st${i}`);
}

export function gprSizeOf(cls: RegClass): number {
  switch (cls) {
    case 'gpr8': return 1;
    case 'gpr16': return 2;
    case 'gpr32': return 4;
    case 'gpr64': return 8;
    default: return 0;
  }
}
