#!/usr/bin/env node
// xenpv command line: `run` executes a guest program headless and prints its console; exit status tells how it ended.

import * as path from 'path';
import { parseArgs, intOption, UsageError, ParsedArgs } from './args';
import { ElfError } from '../common/elf';
import { loadProgram } from './load-program';
import { runDapCommand, DAP_USAGE } from './dap';
import { loadBare } from '../debug/bare-machine';
import { hexAddr } from '../common/bits';
import { dumpRegisters } from './dump';
import type { Cpu } from '../cpu/cpu';
import { hasXenNotes } from '../debug/xen-machine';
import { runXen } from './run-xen';

const USAGE = `usage: xenpv run <program.elf | program.s> [--bare] [--memory MiB] [--max-instructions N]
                 [--cmdline TEXT] [--module FILE] [--vcpus N] [--name NAME] [--wallclock DATE|SECONDS]
                 [--xs-write PATH=VALUE]... [--trace] [--break hypercall:NAME[:SUBOP][@exit]]

  run   load a guest program and run it headless; prints the guest's console output.
        An image with Xen ELF notes (a PV kernel, pv64 or pv32pae) runs as a domain on the
        emulated Xen hypervisor; any other program runs on the bare machine.
        --bare                 force the bare machine: plain x86 on the CPU alone, flat CPL0,
                               paging off, console on I/O port 0xe9, stops at hlt
        --memory MiB           guest memory (default 64; 4..2048 for Xen guests)
        --max-instructions N   stop after N instructions (default 200000000)
        --cmdline TEXT         Xen: the guest command line (start_info.cmd_line)
        --module FILE          Xen: a boot module (initrd) placed after the kernel
        --vcpus N              Xen: number of vCPUs (default 1)
        --name NAME            Xen: the domain's name (xenstore \`name\`; default: the image's GUEST_OS
                               note, else domU)
        --wallclock WHEN       Xen: boot wallclock, an ISO date (2024-02-29T12:00:00Z; UTC when no zone)
                               or seconds since the epoch (default 2026-01-01T00:00:00Z)
        --xs-write PATH=VALUE  Xen: as dom0's toolstack, write a xenstore node when the guest first waits
                               with every vCPU blocked (e.g. control/shutdown=poweroff, like xl shutdown);
                               relative paths are under the domain's home; may repeat (written in order)
        --trace                Xen: print every hypercall (decoded arguments, result, Xen's
                               diagnostic) to stderr
        --break hypercall:NAME Xen: stop at that hypercall (hypercall:29, hypercall:sched_op:shutdown,
                               @exit to stop after it; several separated by commas), print the
                               registers and the GDT as Xen serves it, and exit with status 5

exit status: 0 halted (bare) or shut down with poweroff, 2 guest fault (bare), guest crash (SHUTDOWN_crash)
             or domain crashed by Xen (the diagnostic is printed), 3 instruction limit reached,
             4 every vCPU blocked with nothing to wake it, 5 stopped at --break, 6 reboot, 7 suspend,
             8 watchdog, 9 soft_reset, 64 usage error, 65 bad image, 70 internal error

${DAP_USAGE}`;

function main(argv: string[]): number | Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE + '\n'); return cmd ? 0 : 64; }
  if (cmd === 'dap') return runDapCommand(rest);
  if (cmd !== 'run') throw new UsageError(`unknown command '${cmd}'`);
  const p = parseArgs(rest, new Set(['memory', 'max-instructions', 'cmdline', 'module', 'vcpus', 'break', 'name', 'wallclock', 'xs-write']), new Set(['bare', 'trace']));
  if (p.positional.length !== 1) throw new UsageError('run needs exactly one program');
  return runCommand(p);
}

function runCommand(p: ParsedArgs): number {
  const file = p.positional[0];
  const memMiB = intOption(p, 'memory', 64, 4095);
  const maxInsns = intOption(p, 'max-instructions', 200_000_000);
  const img = loadProgram(file);
  const xenOnly = ['cmdline', 'module', 'vcpus', 'trace', 'break', 'name', 'wallclock', 'xs-write'].filter((o) => p.options.has(o));
  if (!p.options.has('bare') && hasXenNotes(img)) return runXen(file, img, p, memMiB, maxInsns);
  if (xenOnly.length) throw new UsageError(`--${xenOnly[0]} needs a Xen PV guest (${p.options.has('bare') ? 'not --bare' : 'an image with Xen ELF notes'})`);
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

export { dumpRegisters };

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
