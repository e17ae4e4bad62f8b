// Debugger benchmarks (`bench --only debugger`): launch -> first stop on the sample guest, step -> stopped latency
// (runtime API and a DAP session in-process), and the cost of inactive breakpoints on a compute loop (target < 5%).

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { DebugRuntime } from '../debug/runtime';
import { XenDebugSession } from '../debug/session';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** A pv64 guest: `iterations` of an ALU loop, then poweroff; 100 never-called functions f0..f99 to plant breakpoints in. */
export function loopGuest(iterations: number): string {
  const fns = Array.from({ length: 100 }, (_, i) => `        .globl f${i}\nf${i}:\n        inc %rax\n        add $${i}, %rbx\n        ret`).join('\n');
  return `# debugger benchmark guest
        .xen_note XEN_ELFNOTE_GUEST_OS, "bench"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0x400000
        .xen_note XEN_ELFNOTE_PADDR_OFFSET, 0x400000
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
        .code64
        .text
        .globl _start
_start:
        mov $${iterations}, %ecx
        mov $1, %eax
        mov $0x12345, %edx
        xor %esi, %esi
loop:
        add %edx, %eax
        xor %ecx, %edx
        sub %eax, %esi
        shr $3, %edx
        or %esi, %ebx
        and $0x7fffffff, %eax
        dec %ecx
        jnz loop
        mov $SCHEDOP_shutdown, %edi
        lea reason(%rip), %rsi
        call hypercall_page + __HYPERVISOR_sched_op * 32
        ud2
${fns}
reason: .long SHUTDOWN_poweroff
        .balign 4096
hypercall_page:
        .fill 4096, 1, 0xcc
`;
}

type Ev = 'stopped' | 'exited';

/** Resolve on the next runtime event of a kind. */
function next(rt: DebugRuntime, ev: Ev): Promise<void> {
  return new Promise((resolve) => rt.once(ev, () => resolve()));
}

async function launchStopped(program: string): Promise<DebugRuntime> {
  const rt = new DebugRuntime();
  const stopped = next(rt, 'stopped');
  rt.launch({ program, stopOnEntry: true, console: false });
  rt.start();
  await stopped;
  return rt;
}

/** Launch -> first stop (stopOnEntry), ms per run, including assembling the sample. */
async function launchLatency(sample: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    const rt = await launchStopped(sample);
    out.push(now() - t0);
    rt.dispose();
  }
  return out;
}

/** Instruction step -> stopped through the runtime API. */
async function stepLatency(program: string, steps: number): Promise<number[]> {
  const rt = await launchStopped(program);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = now();
    const st = next(rt, 'stopped');
    rt.step('in', 1, 'instruction');
    await st;
    out.push(now() - t0);
  }
  rt.dispose();
  return out;
}

/** A DAP session in-process over streams: send requests, await responses and events. */
class InProcessDap {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private readonly waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  private readonly input = new PassThrough();
  private readonly output = new PassThrough();
  readonly session = new XenDebugSession();

  constructor() {
    this.output.on('data', (d: Buffer) => this.feed(d));
    this.session.start(this.input, this.output);
  }

  private feed(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const h = this.buf.indexOf('\r\n\r\n');
      if (h < 0) return;
      const len = Number(/Content-Length: (\d+)/.exec(this.buf.subarray(0, h).toString())?.[1]);
      if (this.buf.length < h + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(h + 4, h + 4 + len).toString()) as Record<string, unknown>;
      this.buf = this.buf.subarray(h + 4 + len);
      const k = this.waiters.findIndex((w) => w.match(msg));
      if (k >= 0) this.waiters.splice(k, 1)[0].resolve(msg);
    }
  }

  wait(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  request(command: string, args: unknown): Promise<Record<string, unknown>> {
    const seq = this.seq++;
    const p = this.wait((m) => m.type === 'response' && m.request_seq === seq);
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.input.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return p;
  }

  event(name: string): Promise<Record<string, unknown>> { return this.wait((m) => m.type === 'event' && m.event === name); }
}

/** Instruction step -> stopped through a DAP session (request/response/event plumbing included). */
async function dapStepLatency(program: string, steps: number): Promise<number[]> {
  const dap = new InProcessDap();
  await dap.request('initialize', { adapterID: 'xenpv', linesStartAt1: true, columnsStartAt1: true });
  const stopped = dap.event('stopped');
  await dap.request('launch', { program, stopOnEntry: true, console: false });
  await dap.request('configurationDone', {});
  await stopped;
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = now();
    const st = dap.event('stopped');
    await dap.request('stepIn', { threadId: 1, granularity: 'instruction' });
    await st;
    out.push(now() - t0);
  }
  const term = dap.event('terminated');
  await dap.request('disconnect', { terminateDebuggee: true });
  await Promise.race([term, new Promise((r) => setTimeout(r, 200))]);
  return out;
}

export type BreakpointLoad = 'none' | 'instruction' | 'line' | 'function' | 'hypercall';

/** CPU time of this process in ms (user + system): less disturbed than wall time on a machine shared with other jobs. */
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** One run of the compute loop to the end with the given inactive breakpoints; CPU ms. */
async function loopRun(program: string, lines: number[], load: BreakpointLoad): Promise<number> {
  const rt = await launchStopped(program);
  const fns = Array.from({ length: 100 }, (_, i) => `f${i}`);
  if (load === 'instruction') rt.setInstructionBreakpoints(fns.map((f) => ({ address: `0x${(rt.symbols.address(f)! + 2).toString(16)}` })));
  if (load === 'function') rt.setFunctionBreakpoints(fns.map((name) => ({ name })));
  if (load === 'line') rt.setSourceBreakpoints(program, lines.map((line) => ({ line })));
  if (load === 'hypercall') {
    rt.setFunctionBreakpoints(['mmu_update', 'mmuext_op', 'update_va_mapping', 'set_gdt', 'update_descriptor', 'memory_op', 'multicall',
      'event_channel_op', 'set_trap_table', 'console_io'].map((n) => ({ name: `hypercall:${n}` })));
  }
  const t0 = cpuMs();
  const done = next(rt, 'exited');
  const stop = next(rt, 'stopped').then(() => { throw new Error(`${load}: an inactive breakpoint stopped the guest`); });
  rt.continue();
  await Promise.race([done, stop]);
  const ms = cpuMs() - t0;
  rt.dispose();
  return ms;
}

export interface DebuggerBenchResult {
  launchMs: number; stepMs: number; dapStepMs: number; loopInstructions: number; loopMs: number;
  ratios: Record<Exclude<BreakpointLoad, 'none'>, number>;
}

export async function runDebuggerBench(opts: { runs: number; scale: number; json: boolean }): Promise<DebuggerBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-bench-'));
  const sample = [path.resolve(__dirname, '../samples/hello-pv64.s'), path.resolve(__dirname, '../../samples/hello-pv64.s')].find((p) => fs.existsSync(p));
  if (!sample) throw new Error('samples/hello-pv64.s not found');
  const iterations = Math.round(2_500_000 * opts.scale);
  const program = path.join(dir, 'loop.s');
  fs.writeFileSync(program, loopGuest(iterations));
  const src = fs.readFileSync(program, 'utf8').split('\n');
  const lines = src.map((l, i) => (/^\s+(inc|add \$\d+, %rbx|ret)\b/.test(l) ? i + 1 : 0)).filter((n) => n > 0).slice(0, 100);

  const launch = await launchLatency(sample, Math.max(opts.runs, 9));
  const steps = await stepLatency(program, 200);
  const dapSteps = await dapStepLatency(program, 200);
  await loopRun(program, lines, 'none'); // warm-up
  const loads: BreakpointLoad[] = ['none', 'instruction', 'line', 'function', 'hypercall'];
  // rounds rotate the order so every configuration runs equally often in every position (GC and JIT effects of
  // the previous launch land on whichever run comes next)
  const loopRuns = Math.ceil(Math.max(opts.runs, 10) / loads.length) * loads.length;
  const times = new Map<BreakpointLoad, number[]>(loads.map((l) => [l, []]));
  for (let r = 0; r < loopRuns; r++) {
    for (let k = 0; k < loads.length; k++) { const l = loads[(k + r) % loads.length]; times.get(l)!.push(await loopRun(program, lines, l)); }
  }
  const base = median(times.get('none')!);
  const ratio = (l: BreakpointLoad): number => median(times.get(l)!) / base;
  const res: DebuggerBenchResult = {
    launchMs: median(launch), stepMs: median(steps), dapStepMs: median(dapSteps), loopInstructions: iterations * 8 + 4, loopMs: base,
    ratios: { instruction: ratio('instruction'), line: ratio('line'), function: ratio('function'), hypercall: ratio('hypercall') },
  };
  fs.rmSync(dir, { recursive: true, force: true });
  if (opts.json) { console.log(JSON.stringify(res, null, 2)); return res; }
  console.log(`debugger benchmark: medians (${times.get('none')!.length} rotated loop runs per configuration, 200 steps); node ${process.version}`);
  console.log(`  launch -> first stop (hello-pv64.s, assembled): ${res.launchMs.toFixed(1)} ms`);
  console.log(`  step -> stopped, runtime API:                   ${res.stepMs.toFixed(3)} ms`);
  console.log(`  step -> stopped, DAP session in-process:        ${res.dapStepMs.toFixed(3)} ms`);
  console.log(`  compute loop, no breakpoints: ${res.loopMs.toFixed(1)} CPU ms (${(res.loopInstructions / res.loopMs / 1000).toFixed(1)} MIPS); slowdown ratios by CPU time:`);
  for (const [k, v] of Object.entries(res.ratios)) {
    const what = k === 'hypercall' ? '10 hypercall breakpoints that never match' : `100 inactive ${k} breakpoints`;
    console.log(`  ${what.padEnd(44)} x${v.toFixed(3)} (${((v - 1) * 100).toFixed(1)}%) ${v < 1.05 ? 'OK' : 'ABOVE 5% TARGET'}`);
  }
  return res;
}
