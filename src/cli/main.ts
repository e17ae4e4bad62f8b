#!/usr/bin/env node
// xenpv command line: `run` executes a guest program headless and prints its console; exit status tells how it ended.

import * as path from 'path';
import { parseArgs, intOption, UsageError, ParsedArgs } from './args';
import { ElfError } from '../common/elf';
import { loadProgram } from './load-program';
import { runDapCommand, DAP_USAGE } from './dap';
import { loadBare } from '../debug/bare-machine';
import { GPR_NAMES64, SEG_NAMES } from '../cpu/state';
import { getFlags } from '../cpu/flags';
import { hexAddr, hex64 } from '../common/bits';
import type { Cpu } from '../cpu/cpu';

const USAGE = `usage: xenpv run <program.elf | program.s> [--bare] [--memory MiB] [--max-instructions N]

  run   load a guest program and run it headless; prints the guest's console output.
        --bare                 plain x86 program on the CPU alone: flat CPL0, paging off,
                               console on I/O port 0xe9, stops at hlt (the default until
                               the hypervisor lands)
        --memory MiB           guest memory (default 64)
        --max-instructions N   stop after N instructions (default 200000000)

exit status: 0 halted/shut down normally, 2 guest fault, 3 instruction limit reached, 64 usage error, 65 bad image

${DAP_USAGE}`;

function main(argv: string[]): number | Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE + '\n'); return cmd ? 0 : 64; }
  if (cmd === 'dap') return runDapCommand(rest);
  if (cmd !== 'run') throw new UsageError(`unknown command '${cmd}'`);
  const p = parseArgs(rest, new Set(['memory', 'max-instructions']), new Set(['bare']));
  if (p.positional.length !== 1) throw new UsageError('run needs exactly one program');
  return runCommand(p);
}

function runCommand(p: ParsedArgs): number {
  const file = p.positional[0];
  const memMiB = intOption(p, 'memory', 64, 4095);
  const maxInsns = intOption(p, 'max-instructions', 200_000_000);
  const img = loadProgram(file);
  const m = loadBare(img, memMiB * 1024 * 1024, (t) => process.stdout.write(t));
  const t0 = process.hrtime.bigint();
  let reason = 'budget';
  let left = maxInsns;
  while (left > 0) {
    const slice = Math.min(left, 1_000_000);
    const before = m.cpu.icount;
    reason = m.cpu.run(slice);
    left -= Math.max(1, m.cpu.icount - before);
    if (reason !== 'budget') break;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = m.cpu.icount >= 1_000_000 ? `, ${(m.cpu.icount / secs / 1e6).toFixed(1)} MIPS` : '';
  process.stderr.write(`\n[xenpv] ${path.basename(file)}: ${describe(reason, m.cpu)} after ${m.cpu.icount} instructions (${(secs * 1000).toFixed(1)} ms${rate})\n`);
  if (reason === 'halt') return 0;
  if (reason === 'budget') return 3;
  process.stderr.write(dumpRegisters(m.cpu));
  return 2;
}

function describe(reason: string, cpu: Cpu): string {
  switch (reason) {
    case 'halt': return 'halted';
    case 'budget': return 'instruction limit reached';
    case 'exception': return `guest fault ${cpu.stopDetail} at rip 0x${hexAddr(cpu.rip)}`;
    case 'internal': return `emulator error: ${cpu.stopDetail}`;
    default: return `${reason}${cpu.stopDetail ? ': ' + cpu.stopDetail : ''}`;
  }
}

export function dumpRegisters(cpu: Cpu): string {
  const lines: string[] = [];
  for (let r = 0; r < 16; r += 2) {
    lines.push(`  ${GPR_NAMES64[r].padEnd(3)} ${hex64(cpu.regs[2 * r + 1], cpu.regs[2 * r])}   ${GPR_NAMES64[r + 1].padEnd(3)} ${hex64(cpu.regs[2 * r + 3], cpu.regs[2 * r + 2])}`);
  }
  lines.push(`  rip ${hexAddr(cpu.rip, 16)}   rflags ${getFlags(cpu).toString(16).padStart(8, '0')}   cpl ${cpu.cpl}   mode ${cpu.mode}-bit`);
  lines.push('  ' + SEG_NAMES.slice(0, 6).map((n, s) => `${n}=${cpu.segSel[s].toString(16).padStart(4, '0')}`).join(' '));
  return lines.join('\n') + '\n';
}

try {
  const r = main(process.argv.slice(2));
  // `dap` serves until its connection ends; its promise settles only when the server cannot start.
  if (typeof r === 'number') process.exitCode = r; else r.then((code) => { process.exitCode = code; }, fail);
} catch (e) { fail(e); }

function fail(e: unknown): void {
  if (e instanceof UsageError) { process.stderr.write(`xenpv: ${e.message}\n${USAGE}\n`); process.exitCode = 64; }
  else if (e instanceof ElfError) { process.stderr.write(`xenpv: bad guest image: ${e.message}\n`); process.exitCode = 65; }
  else { process.stderr.write(`xenpv: ${(e as Error).message}\n`); process.exitCode = 70; }
}
