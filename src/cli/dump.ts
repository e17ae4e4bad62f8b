// Register dump for the CLI's fault, crash and --break reports.

import type { Cpu } from '../cpu/cpu';
import { GPR_NAMES64, SEG_NAMES } from '../cpu/state';
import { getFlags } from '../cpu/flags';
import { hexAddr, hex64 } from '../common/bits';

export function dumpRegisters(cpu: Cpu): string {
  const lines: string[] = [];
  for (let r = 0; r < 16; r += 2) {
    lines.push(`  ${GPR_NAMES64[r].padEnd(3)} ${hex64(cpu.regs[2 * r + 1], cpu.regs[2 * r])}   ${GPR_NAMES64[r + 1].padEnd(3)} ${hex64(cpu.regs[2 * r + 3], cpu.regs[2 * r + 2])}`);
  }
  lines.push(`  rip ${hexAddr(cpu.rip, 16)}   rflags ${getFlags(cpu).toString(16).padStart(8, '0')}   cpl ${cpu.cpl}   mode ${cpu.mode}-bit`);
  lines.push('  ' + SEG_NAMES.slice(0, 6).map((n, s) => `${n}=${cpu.segSel[s].toString(16).padStart(4, '0')}`).join(' '));
  return lines.join('\n') + '\n';
}
