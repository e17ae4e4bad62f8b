// `xenpv run` for a Xen PV guest: builds the domain, runs it to shutdown/crash, prints the console, the hypercall
// trace (--trace, stderr) and, at a --break hypercall, the registers and the GDT as Xen serves it (exit 5).

import * as fs from 'fs';
import * as path from 'path';
import { ElfError, ElfImage } from '../common/elf';
import { ParsedArgs, UsageError, intOption } from './args';
import { XenDebugMachine } from '../debug/xen-machine';
import { HypercallSpec, parseHypercallSpec, specMatches, describeHypercall, HYPERCALL_PREFIX } from '../debug/xen-hypercalls';
import type { MachineStop } from '../debug/machine';
import { xenReplCommand } from '../debug/xen-view';
import { dumpRegisters } from './dump';

export const EXIT_BREAK = 5, EXIT_LIMIT = 3;

function breakSpecs(p: ParsedArgs): HypercallSpec[] {
  const v = p.options.get('break');
  if (v === undefined) return [];
  if (v === true) throw new UsageError('--break needs a hypercall (e.g. --break hypercall:mmu_update)');
  return v.split(',').map((t) => {
    const text = t.trim().startsWith(HYPERCALL_PREFIX) ? t.trim() : HYPERCALL_PREFIX + t.trim();
    const spec = parseHypercallSpec(text);
    if (typeof spec === 'string') throw new UsageError(`--break: ${spec}`);
    return spec;
  });
}

export function runXen(file: string, img: ElfImage, p: ParsedArgs, memMiB: number, maxInsns: number): number {
  const specs = breakSpecs(p);
  const vcpus = intOption(p, 'vcpus', 1, 32);
  const cmdline = p.options.get('cmdline');
  const modPath = p.options.get('module');
  let module: Uint8Array | undefined;
  if (modPath === true || cmdline === true) throw new UsageError('--module and --cmdline need a value');
  if (modPath !== undefined) {
    try { module = new Uint8Array(fs.readFileSync(modPath)); } catch (e) { throw new UsageError(`cannot read module ${modPath}: ${(e as Error).message}`); }
  }
  if (memMiB < 4 || memMiB > 2048) throw new UsageError(`--memory must be 4..2048 MiB for a Xen guest, got ${memMiB}`);
  let m: XenDebugMachine;
  try { m = new XenDebugMachine(img, { memoryMiB: memMiB, vcpus, cmdline, module }); } catch (e) { throw new ElfError((e as Error).message); }
  m.console = (t) => process.stdout.write(t);
  if (p.options.has('trace')) m.watch.trace = (line) => process.stderr.write(line + '\n');
  if (specs.length) {
    const hit = (e: Parameters<typeof specMatches>[1]): MachineStop | null =>
      specs.some((s) => specMatches(s, e)) ? { kind: 'event', reason: 'function breakpoint', text: describeHypercall(e) } : null;
    m.watch.hypercallEntry = hit;
    m.watch.hypercallExit = hit;
  }
  const name = path.basename(file);
  const t0 = process.hrtime.bigint();
  let left = maxInsns;
  let st: MachineStop | null = null;
  while (left > 0) {
    const before = m.instructions();
    const reason = m.run(0, Math.min(left, 1_000_000));
    left -= Math.max(1, m.instructions() - before);
    if (reason === 'budget') continue;
    st = m.classify(m.stoppedVcpu, reason);
    if (st.kind !== 'continue') break;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const n = m.instructions();
  const ms = `${(secs * 1000).toFixed(1)} ms${n >= 1_000_000 ? `, ${(n / secs / 1e6).toFixed(1)} MIPS` : ''}`;
  const timing = `${n} instructions (${ms})`;
  const vcpu = m.stoppedVcpu;
  const cpu = m.vcpus[vcpu];
  if (st === null || st.kind === 'continue') {
    process.stderr.write(`\n[xenpv] ${name} (${m.kind}): instruction limit reached after ${timing}\n`);
    return EXIT_LIMIT;
  }
  switch (st.kind) {
    case 'exit':
      process.stderr.write(`\n[xenpv] ${name} (${m.kind}): ${st.text} (${ms})\n`);
      return st.exitCode;
    case 'exception':
      process.stderr.write(`\n[xenpv] ${name} (${m.kind}): ${st.text} (${ms})\n`);
      process.stderr.write(dumpRegisters(cpu));
      return st.exitCode;
    case 'event':
      process.stderr.write(`\n[xenpv] ${name} (${m.kind}): stopped at ${st.text} on vCPU ${vcpu} after ${timing}\n`);
      process.stderr.write(dumpRegisters(cpu));
      process.stderr.write((xenReplCommand(m, vcpu, 'gdt') ?? '') + '\n');
      return EXIT_BREAK;
  }
}
