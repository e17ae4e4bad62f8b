// A tiny label-aware assembler over iced-x86's BlockEncoder, used to build the benchmark workloads at
// run time (no toolchain needed): instructions by iced Code name, branches to named labels.

import { BlockEncoder, Code, Instruction, MemoryOperand, Register } from 'iced-x86';

export interface Imm { imm: number; }
export type Operand = Register | Imm | MemoryOperand;

export const imm = (n: number): Imm => ({ imm: n });

function codeOf(name: string): Code {
  const c = (Code as unknown as Record<string, Code | undefined>)[name];
  if (c === undefined) throw new Error(`unknown iced Code '${name}'`);
  return c;
}

const isImm = (o: Operand): o is Imm => typeof o === 'object' && o !== null && 'imm' in o;
const isMem = (o: Operand): o is MemoryOperand => o instanceof MemoryOperand;

export class Asm {
  private readonly items: (() => Instruction)[] = [];
  private readonly labels = new Map<string, number>();

  constructor(readonly bits: 32 | 64) {}

  /** Address-size register n (rax.. in 64-bit mode, eax.. in 32-bit mode). */
  p(n: number): Register { return (this.bits === 64 ? Register.RAX : Register.EAX) + n; }
  /** 32-bit register n. */
  d(n: number): Register { return Register.EAX + n; }
  /** [base + index*scale + disp] with address-size registers. */
  mem(base: number, disp = 0, index = -1, scale = 1): MemoryOperand {
    return new MemoryOperand(this.p(base), index < 0 ? Register.None : this.p(index), scale, BigInt(disp),
      disp === 0 ? 0 : disp >= -128 && disp <= 127 ? 1 : (this.bits === 64 ? 8 : 4), false, Register.None);
  }
  /** Pointer-size form of a Code name: 'Mov_r{P}_rm{P}' -> Mov_r64_rm64 or Mov_r32_rm32. */
  sized(name: string): string { return name.replace(/\{P\}/g, String(this.bits)); }

  label(name: string): this { this.labels.set(name, this.items.length); return this; }

  /** An instruction by iced Code name ({P} = pointer size) with register, immediate or memory operands. */
  i(name: string, ...ops: Operand[]): this {
    const code = codeOf(this.sized(name));
    this.items.push(() => build(code, ops));
    return this;
  }

  /** An instruction built directly with iced (e.g. Instruction.createRepMovsb). */
  raw(mk: () => Instruction): this { this.items.push(mk); return this; }

  /** A branch (jcc, jmp, call, loop) to a label. */
  br(name: string, label: string): this {
    const code = codeOf(this.sized(name));
    this.items.push(() => {
      const target = this.labels.get(label);
      if (target === undefined) throw new Error(`undefined label '${label}'`);
      return Instruction.createBranch(code, BigInt(target + 1) * 16n);
    });
    return this;
  }

  /** Encode for address `rip`; instruction k gets the virtual IP (k+1)*16 so labels can be resolved by BlockEncoder. */
  encode(rip: number): Uint8Array {
    const be = new BlockEncoder(this.bits, 0);
    this.items.forEach((mk, k) => {
      const ins = mk();
      ins.ip = BigInt(k + 1) * 16n;
      be.add(ins);
      ins.free();
    });
    const out = be.encode(BigInt(rip));
    be.free();
    return out;
  }
}

function build(code: Code, ops: Operand[]): Instruction {
  const sig = ops.map((o) => (isImm(o) ? 'I' : isMem(o) ? 'M' : 'R')).join('');
  const R = (k: number): Register => ops[k] as Register;
  const I = (k: number): number => (ops[k] as Imm).imm;
  const M = (k: number): MemoryOperand => ops[k] as MemoryOperand;
  switch (sig) {
    case '': return Instruction.create(code);
    case 'R': return Instruction.createReg(code, R(0));
    case 'M': return Instruction.createMem(code, M(0));
    case 'I': return Instruction.createI32(code, I(0));
    case 'RR': return Instruction.createRegReg(code, R(0), R(1));
    case 'RI': return Instruction.createRegI32(code, R(0), I(1));
    case 'RM': return Instruction.createRegMem(code, R(0), M(1));
    case 'MR': return Instruction.createMemReg(code, M(0), R(1));
    case 'MI': return Instruction.createMemI32(code, M(0), I(1));
    case 'RRI': return Instruction.createRegRegI32(code, R(0), R(1), I(2));
    default: throw new Error(`operand pattern ${sig} not supported`);
  }
}
