// `xenpv run` for a Xen PV guest: builds the domain, runs it to shutdown/crash, prints the console, the hypercall
// trace (--trace, stderr) and, at a --break hypercall, the registers and the GDT as Xen serves it (exit 5);
// --xs-write PATH=VALUE writes xenstore nodes as dom0's toolstack once the guest waits with every vCPU blocked.

import * as fs from 'fs';
import * as path from 'path';
import { ElfError, ElfImage } from '../common/elf';
import { ParsedArgs, UsageError, intOption } from './args';
import { XenDebugMachine } from '../debug/xen-machine';
import { HypercallSpec, parseHypercallSpec, specMatches, describeHypercall, HYPERCALL_PREFIX } from '../debug/xen-hypercalls';
import type { MachineStop } from '../debug/machine';
import { xenReplCommand } from '../debug/xen-view';
import { dumpRegisters } from './dump';
import { checkDomainName, parseWallclock } from '../debug/domain-options';
import { absolutePath, toolstackWrite } from '../debug/xen-toolstack';

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

/** --xs-write PATH=VALUE, in order (the first '=' separates; the value may be empty or contain '='). */
function xsWrites(p: ParsedArgs): { path: string; value: string }[] {
  return (p.all.get('xs-write') ?? []).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`--xs-write needs PATH=VALUE (e.g. --xs-write control/shutdown=poweroff), got '${w}'`);
    return { path: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** --name and --wallclock, checked. */
function domainOptions(p: ParsedArgs): { name?: string; wallclock?: number } {
  const out: { name?: string; wallclock?: number } = {};
  const name = p.options.get('name'), wc = p.options.get('wallclock');
  if (name !== undefined) {
    const n = checkDomainName(name);
    if (typeof n !== 'string') throw new UsageError(`--name: ${n.error}`);
    out.name = n;
  }
  if (wc !== undefined) {
    const w = parseWallclock(wc);
    if (typeof w === 'string') throw new UsageError(`--wallclock: ${w}`);
    out.wallclock = w;
  }
  return out;
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
  const dom = domainOptions(p);
  const writes = xsWrites(p);
  let m: XenDebugMachine;
  try { m = new XenDebugMachine(img, { memoryMiB: memMiB, vcpus, cmdline, module, ...dom }); } catch (e) { throw new ElfError((e as Error).message); }
  for (const w of writes) {
    try { absolutePath(m, w.path); } catch (e) { throw new UsageError(`--xs-write: ${(e as Error).message}`); }
  }
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
    if (reason === 'blocked-forever' && writes.length) {
      // the guest waits for the outside world: the toolstack makes its writes now (xl shutdown, xl block-attach…)
      for (const w of writes.splice(0)) {
        try { process.stderr.write(`[xenpv] ${toolstackWrite(m, w.path, w.value).replace(/ The guest sees it when continued\.$/, '')}\n`); } catch (e) {
          process.stderr.write(`[xenpv] --xs-write ${w.path}: ${(e as Error).message}\n`);
        }
      }
      continue;
    }
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
