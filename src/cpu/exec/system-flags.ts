// PUSHF/POPF (16/32/64-bit) and CLI/STI with the protected-mode CPL/IOPL rules (SDM POPF, CLI, STI).
// Virtual-8086 mode and the VME/PVI virtual-interrupt extensions are not emulated (VIF/VIP are never changed).

import type { Cpu } from '../cpu';
import type { Handler } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import { CR0_PE } from '../mmu/paging';
import { F_AC, F_ARITH, F_DF, F_ID, F_IF, F_IOPL, F_NT, F_RF, F_TF, F_VM, getFlags, setFlags } from '../flags';
import { setInterruptShadow } from './segments';

/** Current IOPL (0..3). */
export const ioplOf = (cpu: Cpu): number => (cpu.flagsBits & F_IOPL) >>> 12;

/** The RFLAGS image PUSHF stores: VM and RF read as 0. */
export function pushfImage(cpu: Cpu): number { return (getFlags(cpu) & ~(F_VM | F_RF)) >>> 0; }

/**
 * Bits POPF may change at privilege `cpl` with I/O privilege `iopl` (SDM POPF): IOPL only at CPL 0,
 * IF only when CPL <= IOPL; VM, VIF, VIP never; 16-bit forms only bits 0-15. RF is cleared by 32/64-bit forms.
 */
export function popfMask(cpl: number, iopl: number, opsize: number): number {
  let mask = F_ARITH | F_TF | F_DF | F_NT;
  if (cpl === 0) mask |= F_IOPL;
  if (cpl <= iopl) mask |= F_IF;
  if (opsize === 16) return mask & 0xffff;
  return mask | F_AC | F_ID | F_RF;
}

const pushf = (size: number): Handler => (cpu: Cpu) => {
  const v = pushfImage(cpu);
  cpu.push(size, size === 16 ? v & 0xffff : v, 0);
};

const popf = (size: number): Handler => (cpu: Cpu) => {
  const v = cpu.pop(size);
  const pm = (cpu.cr0 & CR0_PE) !== 0;
  const mask = popfMask(pm ? cpu.cpl : 0, ioplOf(cpu), size);
  setFlags(cpu, size === 16 ? v & 0xffff : v & ~F_RF, mask);
};

/** CLI: IF ← 0 when CPL <= IOPL, else #GP(0). */
const cli: Handler = (cpu: Cpu) => {
  if ((cpu.cr0 & CR0_PE) && cpu.cpl > ioplOf(cpu)) throw new CpuFault(GP, 0);
  cpu.flagsBits &= ~F_IF;
};

/** STI: IF ← 1 when CPL <= IOPL, else #GP(0); setting IF from 0 opens a one-instruction interrupt shadow. */
const sti: Handler = (cpu: Cpu) => {
  if ((cpu.cr0 & CR0_PE) && cpu.cpl > ioplOf(cpu)) throw new CpuFault(GP, 0);
  if (!(cpu.flagsBits & F_IF)) setInterruptShadow(cpu);
  cpu.flagsBits |= F_IF;
};

export const flagsHandlers: Record<string, Handler> = {
  Pushfw: pushf(16), Pushfd: pushf(32), Pushfq: pushf(64),
  Popfw: popf(16), Popfd: popf(32), Popfq: popf(64),
  Cli: cli, Sti: sti,
};
