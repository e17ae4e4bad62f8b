// Software interrupts: INT n, INT3, INTO, INT1 (ICEBP). The CPU never delivers through the IDT: the host
// (ops.softwareInterrupt) receives the vector with RIP already after the instruction, or refuses it (#GP(n*8+2)).

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP, UD } from '../fault';
import { getOF } from '../flags';

/** Hand vector `v` to the host; a refusal becomes #GP with the IDT-format error code (index*8 + IDT bit). */
export function softwareInterrupt(cpu: Cpu, v: number): void {
  if (!cpu.ops.softwareInterrupt(cpu, v)) throw new CpuFault(GP, v * 8 + 2);
}

export const intHandlers: Record<string, Handler> = {
  Int_imm8: (cpu: Cpu, i: Insn) => softwareInterrupt(cpu, i.imm & 0xff),
  Int3: (cpu: Cpu) => softwareInterrupt(cpu, 3),
  Int1: (cpu: Cpu) => softwareInterrupt(cpu, 1),
  Into: (cpu: Cpu) => {
    if (cpu.mode === 64) throw new CpuFault(UD);
    if (getOF(cpu)) softwareInterrupt(cpu, 4);
  },
};
