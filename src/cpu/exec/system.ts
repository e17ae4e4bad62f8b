// Handlers for the system family: merges CPUID, MSRs, flags (PUSHF/POPF/CLI/STI), control registers and
// descriptor-table registers, fast system calls, port I/O; defines the #UD opcodes and reserved-NOP hints here.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, UD } from '../fault';
import { cpuidHandler } from './cpuid';
import { rdmsrHandler, wrmsrHandler } from './msr';
import { flagsHandlers } from './system-flags';
import { controlRegisterHandlers } from './system-cr';
import { fastSystemHandlers } from './system-fast';
import { ioHandlers } from './system-io';

const undefinedOpcode: Handler = () => { throw new CpuFault(UD); };
const nop: Handler = () => {};
/** Cache-line and prefetch hints: only the segmentation/canonical checks of the operand can fault. */
const memoryHint: Handler = (cpu: Cpu, i: Insn) => { if (i.isMem) cpu.linear(i, 1, false); };

function buildSystemHandlers(): Record<string, Handler> {
  const h: Record<string, Handler> = {
    Cpuid: cpuidHandler, Rdmsr: rdmsrHandler,
    Wrmsr: wrmsrHandler,
    Ud0: undefinedOpcode, Ud2: undefinedOpcode, Rsm: undefinedOpcode,
    Clwb_m8: memoryHint, Cldemote_m8: memoryHint,
    // CET indirect-branch tracking is not enabled (CR4.CET = 0), so the landing pads execute as NOPs.
    Endbr32: nop, Endbr64: nop,
  };
  for (const s of ['16', '32', '64']) {
    h[`Ud0_r${s}_rm${s}`] = undefinedOpcode;
    h[`Ud1_r${s}_rm${s}`] = undefinedOpcode;
  }
  // Fences, prefetches and clflush live with the SSE family (sse-fence.ts).
  for (const op of ['0F0D', '0F18', '0F19', '0F1A', '0F1B', '0F1C', '0F1D', '0F1E', '0F1F']) {
    for (const s of ['16', '32', '64']) h[`Reservednop_rm${s}_r${s}_${op}`] = nop;
  }
  return Object.assign(h, flagsHandlers, controlRegisterHandlers, fastSystemHandlers, ioHandlers);
}

export const systemHandlers: Record<string, Handler> = buildSystemHandlers();
