// The debug runtime: loads a program into a machine, runs it in time slices (so pause works in a tight guest
// loop), steps, plants breakpoints and decides every stop. Knows nothing about DAP; the session listens to it.

import { EventEmitter } from 'events';
import * as path from 'path';
import type { Cpu } from '../cpu/cpu';
import { setBreakpoints } from '../cpu/runner';
import { ElfError, ElfImage } from '../common/elf';
import { BareDebugMachine, DebugMachine, MachineStop } from './machine';
import { loadProgramFile, ASSEMBLY_EXTENSIONS } from './program';
import { SymbolTable } from './symbols';
import { LineTable, LineRow, readLineTable, normalizePath } from './dwarf-line';
import { BreakpointStore, BreakpointOptions, UserBreakpoint, interpolateMessage } from './breakpoints';
import { Plan, continuePlan, instructionStepPlan, lineStepPlan, stepOutPlan } from './stepping';
import { pcLinear, readLinear, writeLinear, readValue, toHex } from './guest-memory';
import { EvalContext, ExprError, TypedValue, evaluateExpression, formatValue, spaceReference } from './expressions';
import { physicalReader, readReference, writeReference } from './address-spaces';
import { readRegister } from './registers';
import { walkStack } from './stack';
import { Scope } from './variables';
import { generalScope, segmentScope, systemScope } from './registers-view';
import { Disassembler, DisasmLine, DisassemblySyntax } from './disassembly';
import { runReplCommand } from './repl-commands';
import { XenDebugMachine, hasXenNotes } from './xen-machine';
import { XenStopPolicy } from './xen-stops';
import { xenScope, xenReplCommand } from './xen-view';
import { customRequest } from './custom-requests';
import { WatchSet, WatchHit } from '../cpu/watch';
import { DataBreakpoints, DataBpRequest, DataBreakpoint, DataBpInfo, DATA_ACCESS_TYPES, makeDataId, resolveDataTarget } from './watchpoints';
import { checkDomainName, parseWallclock } from './domain-options';
import { toolstackReplCommand } from './xen-toolstack';
import * as fs from 'fs';

export interface LaunchOptions {
  program: string;
  stopOnEntry?: boolean;
  /** Guest memory in MiB (default 64). */
  memory?: number;
  /** Guest console to the debug console (default true); false or 'none' drops it. */
  console?: boolean | string;
  /** Stop the session after this many instructions (default: no limit). */
  maxInstructions?: number;
  disassemblySyntax?: DisassemblySyntax;
  /** Machine kind: 'auto' (default: Xen when the image has Xen ELF notes, else bare), 'xen' or 'bare'. */
  machine?: string;
  /** Xen: number of vCPUs (default 1). */
  vcpus?: number;
  /** Xen: the guest command line (start_info.cmd_line). */
  cmdline?: string;
  /** Xen: path of a boot module (initrd) placed after the kernel. */
  module?: string;
  /** Xen: one output line per hypercall (category 'console'). */
  trace?: boolean;
  /**
   * Xen: the domain's name (xenstore `name`; default: the image's GUEST_OS note, else 'domU'). Not `name`: VS Code
   * sends every launch configuration's own label as `name`.
   */
  domainName?: string;
  /** Xen: the boot wallclock, an ISO date ("2024-02-29T12:00:00Z") or seconds since the epoch (default 2026-01-01). */
  wallclock?: string | number;
  /** Directory relative paths in the line table are resolved against (default: the program's directory). */
  cwd?: string;
}

export class LaunchError extends Error {}

/** Launch progress: what the runtime is doing now and how far it is (0..100). */
export type LaunchProgress = (message: string, percentage: number) => void;

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'pause' | 'exception';

export interface StoppedInfo {
  reason: StopReason;
  threadId: number;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
}

export interface FrameInfo {
  id: number;
  name: string;
  pc: number;
  row?: LineRow;
}

export interface InstructionBpRequest extends BreakpointOptions { address: string; offset?: number; }
export interface SourceBpRequest extends BreakpointOptions { line: number; }
export interface FunctionBpRequest extends BreakpointOptions { name: string; }

const SLICE_MS = 12;
const RUN_CHUNK = 200_000;
const STEP_CHUNK = 20_000;

export class DebugRuntime extends EventEmitter {
  machine: DebugMachine | undefined;
  symbols = new SymbolTable([]);
  lines = new LineTable([]);
  private opts: LaunchOptions | undefined;
  private readonly bps = new BreakpointStore();
  private insnRequests: InstructionBpRequest[] = [];
  private fnRequests: FunctionBpRequest[] = [];
  private readonly srcRequests = new Map<string, SourceBpRequest[]>();
  private readonly dataBps = new DataBreakpoints(() => this.bps.newId());
  private watchSet: WatchSet | undefined;
  private plan: Plan | null = null;
  private running = false;
  private ended = false;
  private pauseRequested = false;
  /** The next instruction is the one we stopped at: do not report its breakpoint again. */
  private firstInsn = false;
  /**
   * Set by a data-breakpoint stop (trap-like: after the access) at the linear PC it stopped at: the instruction there
   * has not been reported yet, so resuming does not step over its breakpoint (a rep string stopped mid-way does).
   */
  private dataStopPc: number | null = null;
  private generation = 0;
  private insnsLeft = Infinity;
  private consoleBuf = '';
  private vcpu = 0;
  private exception: (MachineStop & { kind: 'exception' }) | undefined;
  /**
   * The guest's end (shutdown, halt) that came in the same run as a data-breakpoint hit: the hit was reported as a
   * stop first, and continuing ends the session with this (see dataBreakpointStops).
   */
  private deferredExit: (MachineStop & { kind: 'exit' }) | undefined;
  private exceptionRip = 0;
  private disasm: Disassembler | undefined;
  /** pfn:/mfn: reads for expressions (the loaded machine's p2m / machine memory). */
  private readPhysical: EvalContext['readPhysical'];
  private readonly xenPolicy = new XenStopPolicy({
    evalContext: (cpu) => this.evalContext(cpu),
    log: (text, category) => { this.flushConsole(); this.emit('output', text + '\n', category); },
  });

  // ------------------------------------------------------------------ lifecycle
  /** Load the program (throws LaunchError with a readable message). Does not start running. */
  launch(opts: LaunchOptions, progress: LaunchProgress = () => {}): void {
    if (!opts || typeof opts !== 'object') throw new LaunchError('launch attribute "program" is missing (no launch arguments)');
    if (typeof opts.program !== 'string' || opts.program.trim() === '') throw new LaunchError('launch attribute "program" (path to the guest ELF image or assembly source) is missing');
    const memMiB = opts.memory ?? 64;
    if (typeof memMiB !== 'number' || !Number.isInteger(memMiB) || memMiB < 1 || memMiB > 4095) throw new LaunchError(`launch attribute "memory" must be a whole number of MiB from 1 to 4095, got ${JSON.stringify(opts.memory)}`);
    if (opts.maxInstructions !== undefined && (typeof opts.maxInstructions !== 'number' || !(opts.maxInstructions > 0))) throw new LaunchError(`launch attribute "maxInstructions" must be a positive number, got ${JSON.stringify(opts.maxInstructions)}`);
    if (opts.disassemblySyntax !== undefined && opts.disassemblySyntax !== 'att' && opts.disassemblySyntax !== 'intel') throw new LaunchError(`launch attribute "disassemblySyntax" must be "att" or "intel"`);
    const kind = opts.machine ?? 'auto';
    if (kind !== 'bare' && kind !== 'xen' && kind !== 'auto') throw new LaunchError(`launch attribute "machine" must be "auto", "xen" or "bare", got ${JSON.stringify(kind)}`);
    const program = path.resolve(opts.cwd ?? process.cwd(), opts.program);
    let machine: DebugMachine;
    try {
      const name = path.basename(program);
      progress(ASSEMBLY_EXTENSIONS.includes(path.extname(program)) ? `assembling ${name}` : `reading ${name}`, 0);
      const img = loadProgramFile(program);
      const xen = kind === 'xen' || (kind === 'auto' && hasXenNotes(img));
      progress(xen ? `building the Xen domain (${memMiB} MiB, ${opts.vcpus ?? 1} vCPU${(opts.vcpus ?? 1) === 1 ? '' : 's'})` : `loading ${name} into the bare machine (${memMiB} MiB)`, 50);
      machine = xen ? this.makeXenMachine(img, opts, memMiB, program) : new BareDebugMachine(img, memMiB * 1024 * 1024);
      progress('reading symbols and line information', 90);
      this.symbols = SymbolTable.fromImage(img);
      try { this.lines = readLineTable(img, opts.cwd ?? path.dirname(program)); } catch (e) {
        this.lines = new LineTable([]);
        this.emit('output', `warning: cannot read line information: ${(e as Error).message}\n`, 'console');
      }
    } catch (e) {
      if (e instanceof LaunchError) throw e;
      if (e instanceof ElfError) throw new LaunchError(`cannot load ${opts.program}: ${e.message}`);
      throw new LaunchError(`cannot load ${opts.program}: ${(e as Error).message}`);
    }
    this.generation++;
    this.opts = { ...opts, program };
    this.machine = machine;
    this.readPhysical = physicalReader(machine);
    const showConsole = !(opts.console === false || opts.console === 'none');
    machine.console = (t) => { if (showConsole) this.consoleBuf += t; };
    this.insnsLeft = opts.maxInstructions ?? Infinity;
    this.running = false; this.ended = false; this.pauseRequested = false; this.exception = undefined; this.deferredExit = undefined;
    this.disasm?.dispose();
    this.disasm = new Disassembler(opts.disassemblySyntax ?? 'att', this.symbols, this.lines);
    if (machine instanceof XenDebugMachine) {
      const m = machine;
      this.xenPolicy.install(m);
      m.symbolize = (a) => this.symbols.format(a);
      m.scopes = (v) => [xenScope(m, v)];
      if (opts.trace) m.watch.trace = (line) => { this.flushConsole(); this.emit('output', line + '\n', 'console'); };
    }
    const changed = this.reresolveBreakpoints();
    if (changed.length) this.emit('breakpointsChanged', changed);
    this.watchSet = new WatchSet(machine.mem, machine.vcpus);
    machine.watchSet = this.watchSet;
    if (machine instanceof XenDebugMachine) { const m = machine; this.watchSet.context = () => m.hypervisorContext(); }
    this.applyDataBreakpoints();
  }

  /** The Xen machine for a PV kernel image, with the Xen launch options checked. */
  private makeXenMachine(img: ElfImage, opts: LaunchOptions, memMiB: number, program: string): XenDebugMachine {
    if (memMiB < 4 || memMiB > 2048) throw new LaunchError(`launch attribute "memory" must be 4..2048 MiB for a Xen guest, got ${memMiB}`);
    const vcpus = opts.vcpus ?? 1;
    if (typeof vcpus !== 'number' || !Number.isInteger(vcpus) || vcpus < 1 || vcpus > 32) throw new LaunchError(`launch attribute "vcpus" must be 1..32, got ${JSON.stringify(opts.vcpus)}`);
    if (opts.cmdline !== undefined && typeof opts.cmdline !== 'string') throw new LaunchError('launch attribute "cmdline" must be a string');
    let module: Uint8Array | undefined;
    if (opts.module !== undefined) {
      if (typeof opts.module !== 'string') throw new LaunchError('launch attribute "module" must be a file path');
      const file = path.resolve(opts.cwd ?? path.dirname(program), opts.module);
      try { module = new Uint8Array(fs.readFileSync(file)); } catch (e) { throw new LaunchError(`cannot read module ${opts.module}: ${(e as Error).message}`); }
    }
    let name: string | undefined;
    if (opts.domainName !== undefined) {
      const n = checkDomainName(opts.domainName);
      if (typeof n !== 'string') throw new LaunchError(`launch attribute "domainName": ${n.error}`);
      name = n;
    }
    let wallclock: number | undefined;
    if (opts.wallclock !== undefined) {
      const w = parseWallclock(opts.wallclock);
      if (typeof w === 'string') throw new LaunchError(`launch attribute "wallclock": ${w}`);
      wallclock = w;
    }
    try {
      return new XenDebugMachine(img, { memoryMiB: memMiB, vcpus, cmdline: opts.cmdline, module, name, wallclock });
    } catch (e) { throw new LaunchError(`cannot build a Xen domain from ${opts.program}: ${(e as Error).message}`); }
  }

  /** After configuration: stop on entry or run. */
  start(): void {
    if (!this.machine) return;
    if (this.opts?.stopOnEntry) this.stop({ reason: 'entry', threadId: 1, description: 'entry point' });
    else this.resume(continuePlan());
  }

  /**
   * Load the program again (with new launch options when given) and reset hit counts; start() then runs it. A
   * failure leaves the current program as it was.
   */
  restart(progress?: LaunchProgress, opts?: LaunchOptions): void {
    const next = opts ?? this.opts;
    if (!next) throw new LaunchError('nothing to restart: no program launched');
    this.launch(next, progress);
    this.bps.resetHits();
    this.dataBps.resetHits();
  }

  terminate(): void {
    if (this.ended) return;
    this.generation++;
    this.running = false;
    this.ended = true;
    this.flushConsole();
    this.emit('terminated');
  }

  get isRunning(): boolean { return this.running; }
  /** The options of the program launched last (program resolved to an absolute path). */
  get launchOptions(): LaunchOptions | undefined { return this.opts; }
  get isEnded(): boolean { return this.ended; }

  threads(): { id: number; name: string }[] {
    const m = this.machine;
    return m ? m.vcpus.map((_, i) => ({ id: i + 1, name: m.threadName(i) })) : [];
  }

  cpuOf(threadId: number): Cpu {
    const m = this.machine;
    if (!m) throw new Error('no program is loaded');
    const cpu = m.vcpus[threadId - 1];
    if (!cpu) throw new Error(`unknown thread ${threadId}`);
    return cpu;
  }

  // ------------------------------------------------------------------ execution control
  continue(): void { this.resume(continuePlan()); }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  step(kind: 'over' | 'in' | 'out', threadId: number, granularity?: string): void {
    const cpu = this.cpuOf(threadId);
    this.vcpu = threadId - 1;
    const byLine = granularity !== 'instruction' && !this.lines.isEmpty && this.lines.lookup(pcLinear(cpu)) !== undefined;
    const plan = kind === 'out' ? stepOutPlan(cpu)
      : byLine ? lineStepPlan(cpu, this.lines, kind === 'over')
        : instructionStepPlan(cpu, kind === 'over');
    this.resume(plan);
  }

  private resume(plan: Plan): void {
    if (!this.machine || this.ended) return;
    if (this.deferredExit) { const x = this.deferredExit; this.deferredExit = undefined; this.end(x.exitCode, x.text); return; }
    if (this.exception) {
      const cpu = this.machine.vcpus[this.vcpu];
      // "every vCPU blocked" is final unless something woke a vCPU while stopped (the toolstack's xs-write)
      const woken = this.exception.id === 'blocked' && this.machine instanceof XenDebugMachine && this.machine.hasRunnableVcpu();
      if (!woken && (this.exception.fatal || (!this.exception.resumable && cpu.rip === this.exceptionRip))) { this.end(this.exception.exitCode, `${this.exception.text}; the guest cannot continue`); return; }
      this.exception = undefined;
    }
    if (this.watchSet?.pending && this.hitsWhileStopped('before continuing')) return;
    this.plan = plan;
    this.running = true;
    this.pauseRequested = false;
    const cpu = this.machine.vcpus[this.vcpu];
    this.firstInsn = !(this.dataStopPc !== null && cpu !== undefined && pcLinear(cpu) === this.dataStopPc);
    this.dataStopPc = null;
    this.schedule();
  }

  private schedule(): void {
    const gen = this.generation;
    setImmediate(() => { if (gen === this.generation && this.running) this.slice(); });
  }

  private slice(): void {
    const deadline = Date.now() + SLICE_MS;
    try {
      do {
        if (this.pauseRequested) { this.stop({ reason: 'pause', threadId: this.vcpu + 1, description: 'paused' }); return; }
        if (this.insnsLeft <= 0) { this.end(3, `instruction limit (${this.opts?.maxInstructions}) reached`); return; }
        const done = this.plan!.mode === 'run' ? this.runChunk() : this.stepChunk();
        if (done) return;
      } while (Date.now() < deadline);
    } catch (e) {
      const text = `debugger error: ${(e as Error).stack ?? String(e)}`;
      this.exception = { kind: 'exception', id: 'internal', text, exitCode: 70 };
      this.exceptionRip = this.machine!.vcpus[this.vcpu].rip;
      this.stop({ reason: 'exception', threadId: this.vcpu + 1, description: 'debugger error', text });
      return;
    }
    this.flushConsole();
    this.schedule();
  }

  /** Plant user + temporary breakpoints in the CPU when they changed. */
  private syncBreakpoints(cpu: Cpu, temps: Set<number>): void {
    const want = this.bps.addresses();
    for (const t of temps) want.add(t);
    if (want.size === cpu.breakpoints.size && [...want].every((a) => cpu.breakpoints.has(a))) return;
    setBreakpoints(cpu, want);
  }

  private runChunk(): boolean {
    const m = this.machine!, plan = this.plan!;
    let cpu = m.vcpus[this.vcpu];
    for (const c of m.vcpus) this.syncBreakpoints(c, plan.temps);
    if (this.firstInsn) {
      const lin = pcLinear(cpu);
      if (cpu.breakpoints.has(lin)) cpu.skipBreakpointAt = lin;
      this.firstInsn = false;
    }
    const before = totalInstructions(m);
    const reason = m.run(this.vcpu, Math.min(RUN_CHUNK, this.insnsLeft));
    cpu.skipBreakpointAt = null;
    this.insnsLeft -= totalInstructions(m) - before;
    if (m.stoppedVcpu !== undefined && reason !== 'budget') { this.vcpu = m.stoppedVcpu; cpu = m.vcpus[this.vcpu]; }
    if (this.watchSet?.pending && this.dataBreakpointStops(reason)) return true;
    if (reason === 'budget' || reason === 'watchpoint') return false;
    if (reason === 'breakpoint') return this.atBreakpoint(cpu, plan);
    return this.machineStop(reason);
  }

  private atBreakpoint(cpu: Cpu, plan: Plan): boolean {
    const lin = pcLinear(cpu);
    if (plan.temps.has(lin) && plan.atTemp(lin)) { this.stop({ reason: 'step', threadId: this.vcpu + 1 }); return true; }
    if (this.userBreakpointStops(cpu, lin)) return true;
    this.firstInsn = true; // go on over it
    return false;
  }

  /** Evaluate the user breakpoints at lin; true when the runtime stopped. */
  private userBreakpointStops(cpu: Cpu, lin: number): boolean {
    if (!this.bps.addresses().has(lin)) return false;
    const ctx = this.evalContext(cpu);
    const d = this.bps.decide(lin, (expr) => evaluateExpression(expr, ctx).value,
      (msg) => interpolateMessage(msg, (expr) => this.formatForLog(evaluateExpression(expr, ctx))));
    if (d.logs.length) { this.flushConsole(); for (const l of d.logs) this.emit('output', l + '\n', 'console'); }
    for (const err of d.errors) this.emit('output', err + '\n', 'stderr');
    if (d.stop.length === 0) return false;
    const kind = d.stop[0].kind;
    const reason: StopReason = kind === 'function' ? 'function breakpoint' : kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
    this.stop({ reason, threadId: this.vcpu + 1, hitBreakpointIds: d.stop.map((b) => b.id), text: d.errors.join('\n') || undefined });
    return true;
  }

  private formatForLog(v: TypedValue): string { return v.signed ? v.value.toString() : formatValue(v); }

  private stepChunk(): boolean {
    const m = this.machine!, cpu = m.vcpus[this.vcpu], plan = this.plan!;
    this.syncBreakpoints(cpu, new Set());
    for (let n = 0; n < STEP_CHUNK && this.insnsLeft > 0; n++) {
      if (plan.mode !== 'step') return false;
      const lin = pcLinear(cpu);
      if (!this.firstInsn && this.userBreakpointStops(cpu, lin)) return true;
      this.firstInsn = false;
      plan.beforeStep();
      if (plan.mode !== 'step') { this.firstInsn = true; return false; }
      if (cpu.breakpoints.has(lin)) cpu.skipBreakpointAt = lin;
      const before = totalInstructions(m);
      const reason = m.run(this.vcpu, 1);
      cpu.skipBreakpointAt = null;
      this.insnsLeft -= Math.max(1, totalInstructions(m) - before);
      if (m.stoppedVcpu !== undefined && reason !== 'budget' && reason !== 'breakpoint') this.vcpu = m.stoppedVcpu;
      if (this.watchSet?.pending && this.dataBreakpointStops(reason)) return true;
      if (reason !== 'budget' && reason !== 'breakpoint' && reason !== 'watchpoint') return this.machineStop(reason);
      if (plan.afterStep()) { this.stop({ reason: 'step', threadId: this.vcpu + 1 }); return true; }
    }
    return false;
  }

  private machineStop(reason: string): boolean {
    const m = this.machine!;
    const st = m.classify(this.vcpu, reason);
    switch (st.kind) {
      case 'continue': return false;
      case 'exit': this.end(st.exitCode, st.text); return true;
      case 'exception': {
        this.exception = st;
        this.exceptionRip = m.vcpus[this.vcpu].rip;
        const hint = st.id === 'blocked' && m instanceof XenDebugMachine
          ? ' (if the guest waits for the toolstack, e.g. for control/shutdown: `xs-write <path> <value>` in the Debug Console, then continue)' : '';
        this.stop({ reason: 'exception', threadId: this.vcpu + 1, description: st.description ?? `Exception ${st.id}`, text: st.text + hint });
        return true;
      }
      case 'event':
        this.stop({ reason: st.reason as StopReason, threadId: this.vcpu + 1, description: st.text, text: st.text, hitBreakpointIds: st.hitBreakpointIds });
        return true;
    }
  }

  private stop(info: StoppedInfo): void {
    this.running = false;
    this.pauseRequested = false;
    this.flushConsole();
    this.applyDataBreakpoints();
    this.emit('stopped', info);
  }

  // ------------------------------------------------------------------ data breakpoints
  /**
   * Hits of data watches after a run: conditions and hit counts decide. True when the runtime stopped ('data
   * breakpoint'); when the machine stopped for its own reason too (shutdown, a hypercall breakpoint…) that stop is
   * reported instead and the data breakpoint text goes to the debug console.
   */
  private dataBreakpointStops(reason: string): boolean {
    const m = this.machine!, ws = this.watchSet!;
    const stoppedVcpu = this.vcpu;
    const hits = ws.takeHits();
    this.applyDataBreakpoints(); // the run may have changed the mappings (conditions read through them)
    const vcpuOf = (h: WatchHit): number => { const i = h.cpu ? m.vcpus.indexOf(h.cpu) : -1; return i >= 0 ? i : this.vcpu; };
    const d = this.dataBps.decide(hits, (expr, h) => evaluateExpression(expr, this.evalContext(m.vcpus[vcpuOf(h)])).value);
    for (const err of d.errors) this.emit('output', err + '\n', 'stderr');
    if (d.stop.length === 0) return false;
    const first = d.stop[0].hit;
    this.vcpu = vcpuOf(first);
    const cpu = m.vcpus[this.vcpu];
    const texts = d.stop.map((s) => this.dataBps.describe(s.hit, ws, m.vcpus[vcpuOf(s.hit)]));
    const description = texts.join('; ');
    const own = reason !== 'watchpoint' && reason !== 'budget' && reason !== 'breakpoint';
    // The guest's own end in the same run (a multicall whose write hit the watch, then SCHEDOP_shutdown): a user who
    // set the watch expects to see the state after that write, so the hit is the stop and the end comes on continue.
    // Any other machine stop (hypercall breakpoint, exception filter, crash) is itself a stop: it wins, and the hit
    // is told in the console.
    const end = own ? m.classify(stoppedVcpu, reason) : undefined;
    this.flushConsole();
    d.stop.forEach((s, i) => {
      const at = s.hit.source === 'cpu' ? ` (instruction at 0x${toHex(s.hit.rip)}; stopped at 0x${toHex(pcLinear(cpu))})` : ` (stopped at 0x${toHex(pcLinear(cpu))})`;
      this.emit('output', `[xenpv] data breakpoint ${s.bp.id} (${s.bp.access} ${s.bp.dataId}): ${texts[i]}${at}\n`, 'console');
    });
    if (end && end.kind !== 'exit') return false;
    if (end?.kind === 'exit') this.deferredExit = end;
    this.dataStopPc = first.source === 'cpu' && first.cpu === cpu && cpu.rip === first.rip ? null : pcLinear(cpu);
    const then = end?.kind === 'exit' ? `\nthen ${end.text}: continue to end the session` : '';
    this.stop({
      reason: 'data breakpoint', threadId: this.vcpu + 1, description, hitBreakpointIds: d.stop.map((s) => s.bp.id),
      text: [description + then, ...d.errors].join('\n'),
    });
    return true;
  }

  /**
   * Data-breakpoint hits made while the guest was stopped: the toolstack's `xs-write` (xenstored putting a watch event
   * in the store ring, the store port's pending bit in shared_info) or anything else that writes guest memory between
   * runs — the debugger's own writes are muted and never hit. The guest is already stopped right after such an access,
   * so it is reported at once as a new 'data breakpoint' stop at the same place, with why. Left pending, the next run
   * would report it late, somewhere else, or — when the guest then shuts down in that run — only as a console line.
   * True when it stopped (conditions and hit counts decide, as for any hit).
   */
  private hitsWhileStopped(when: string): boolean {
    const m = this.machine!, ws = this.watchSet!;
    const hits = ws.takeHits();
    const d = this.dataBps.decide(hits, (expr, h) => evaluateExpression(expr, this.evalContext(h.cpu ?? m.vcpus[this.vcpu])).value);
    for (const err of d.errors) this.emit('output', err + '\n', 'stderr');
    if (d.stop.length === 0) return false;
    const cpu = m.vcpus[this.vcpu];
    const texts = d.stop.map((s) => this.dataBps.describe(s.hit, ws, s.hit.cpu ?? cpu));
    const description = `${texts.join('; ')} (while the guest was stopped)`;
    this.flushConsole();
    d.stop.forEach((s, i) => this.emit('output', `[xenpv] data breakpoint ${s.bp.id} (${s.bp.access} ${s.bp.dataId}): ${texts[i]}, while the guest was stopped (reported ${when}; the guest stays at 0x${toHex(pcLinear(cpu))})\n`, 'console'));
    this.stop({
      reason: 'data breakpoint', threadId: this.vcpu + 1, description, hitBreakpointIds: d.stop.map((s) => s.bp.id),
      text: [description, ...d.errors].join('\n'),
    });
    return true;
  }

  /** Arm the data breakpoints in the current machine (re-mapping them to machine frames) and report changes. */
  private applyDataBreakpoints(): void {
    const m = this.machine;
    const changed = this.dataBps.apply(this.watchSet, m && !this.ended ? m.vcpus[this.vcpu] ?? m.vcpus[0] : undefined);
    if (changed.length) this.emit('dataBreakpointsChanged', changed);
  }

  /** DAP setDataBreakpoints: replaces the set. */
  setDataBreakpoints(reqs: DataBpRequest[]): DataBreakpoint[] {
    const out = this.dataBps.set(reqs);
    const m = this.machine;
    this.dataBps.apply(this.watchSet, m && !this.ended ? m.vcpus[this.vcpu] ?? m.vcpus[0] : undefined);
    return out;
  }

  /** DAP dataBreakpointInfo for an expression or address (registers are not memory: dataId null). */
  dataBreakpointInfo(name: unknown, threadId = 1, bytes?: number, asAddress?: boolean): DataBpInfo {
    if (!this.machine || this.ended) return { dataId: null, description: 'no program is running' };
    const cpu = this.cpuOf(threadId);
    const r = resolveDataTarget(name, this.evalContext(cpu), {
      bytes, asAddress, defaultSize: cpu.mode === 64 ? 8 : 4,
      isRegister: (n) => readRegister(cpu, n) !== undefined,
      symbolSize: (n) => this.symbols.symbol(n)?.size,
    });
    if ('error' in r) return { dataId: null, description: r.error };
    return { dataId: makeDataId(r.lin, r.len), description: r.what, accessTypes: DATA_ACCESS_TYPES, canPersist: true };
  }

  private end(exitCode: number, text: string): void {
    this.running = false;
    this.flushConsole();
    this.emit('output', `[xenpv] ${text}\n`, 'console');
    this.ended = true;
    this.generation++;
    this.emit('exited', exitCode);
    this.emit('terminated');
  }

  private flushConsole(): void {
    if (this.consoleBuf) { const t = this.consoleBuf; this.consoleBuf = ''; this.emit('output', t, 'stdout'); }
  }

  /** Details of the exception the last stop reported. */
  exceptionInfo(): { id: string; text: string } | undefined {
    return this.exception ? { id: this.exception.id, text: this.exception.text } : undefined;
  }

  // ------------------------------------------------------------------ breakpoints
  setInstructionBreakpoints(reqs: InstructionBpRequest[]): UserBreakpoint[] {
    this.insnRequests = reqs;
    const out = reqs.map((r) => {
      try {
        const base = this.addressOf(r.address);
        return this.bps.make('instruction', [base + (r.offset ?? 0)], r);
      } catch (e) { return this.bps.make('instruction', [], r, (e as Error).message); }
    });
    this.bps.setInstruction(out);
    return out;
  }

  setFunctionBreakpoints(reqs: FunctionBpRequest[]): UserBreakpoint[] {
    this.fnRequests = reqs;
    this.xenPolicy.clearBreakpoints();
    const out = reqs.map((r) => {
      if (XenStopPolicy.isHypercallName(r.name)) return this.xenPolicy.makeBreakpoint(this.bps, r.name, r, this.machine instanceof XenDebugMachine);
      const addr = this.symbols.address(r.name);
      if (addr !== undefined) return this.bps.make('function', [addr], r);
      try { return this.bps.make('function', [this.addressOf(r.name)], r); } catch {
        return this.bps.make('function', [], r, `no symbol '${r.name}' in the program`);
      }
    });
    this.bps.setFunctions(out);
    return out;
  }

  setSourceBreakpoints(file: string, reqs: SourceBpRequest[]): UserBreakpoint[] {
    const key = normalizePath(file);
    this.srcRequests.set(key, reqs);
    const out = reqs.map((r) => {
      const hit = this.lines.addressesFor(key, r.line);
      const bp = this.bps.make('source', hit ? hit.addresses : [], r,
        hit ? undefined : this.lines.isEmpty ? 'the program has no line information (assemble with -g)' : `no code at or after line ${r.line} of ${path.basename(file)}`);
      bp.file = key;
      bp.line = hit ? hit.line : r.line;
      return bp;
    });
    this.bps.setSource(key, out);
    return out;
  }

  /** setExceptionBreakpoints: the Xen exception filters (throws on an unknown filter). */
  setExceptionFilters(filters: string[], options: { filterId: string; condition?: string }[] = []): void {
    this.xenPolicy.setFilters(filters, options);
    this.xenPolicy.update(this.machine instanceof XenDebugMachine ? this.machine : undefined);
  }

  /** Xen custom requests (xen/segments, xen/gdt...): side-effect-free reads (see custom-requests.ts). */
  customRequest(command: string, args: Record<string, unknown> | undefined): unknown {
    if (!this.machine) throw new Error('no program is loaded');
    return customRequest(this, command, args ?? {});
  }

  /** Resolve every breakpoint request again (new program or restart), keeping the ids the client knows. */
  private reresolveBreakpoints(): UserBreakpoint[] {
    const keep = (olds: UserBreakpoint[], news: UserBreakpoint[]): UserBreakpoint[] => {
      news.forEach((b, i) => { if (olds[i]) b.id = olds[i].id; });
      return news;
    };
    const out: UserBreakpoint[] = [];
    const oldAll = this.bps.all();
    const oldOf = (kind: string, file?: string): UserBreakpoint[] => oldAll.filter((b) => b.kind === kind && b.file === file);
    if (this.insnRequests.length) out.push(...keep(oldOf('instruction'), this.setInstructionBreakpoints(this.insnRequests)));
    if (this.fnRequests.length) out.push(...keep(oldOf('function'), this.setFunctionBreakpoints(this.fnRequests)));
    for (const [file, reqs] of this.srcRequests) out.push(...keep(oldOf('source', file), this.setSourceBreakpoints(file, reqs)));
    return out;
  }

  // ------------------------------------------------------------------ inspection
  evalContext(cpu: Cpu): EvalContext {
    return {
      register: (name) => readRegister(cpu, name),
      symbol: (name) => { const a = this.symbols.address(name); return a === undefined ? undefined : BigInt.asUintN(64, BigInt(a)); },
      readMemory: (addr, size) => readValue(cpu, addrNumber(addr), size),
      pointerSize: cpu.mode === 64 ? 8 : 4,
      readPhysical: this.readPhysical,
    };
  }

  /** An address expression ("0x1000", "sym+4", "rsp") as a linear address number. */
  addressOf(expr: string, threadId = 1): number {
    if (typeof expr !== 'string') throw new ExprError('address must be a string');
    const cpu = this.machine ? this.cpuOf(threadId) : undefined;
    const ctx: EvalContext = cpu ? this.evalContext(cpu) : {
      register: () => undefined, symbol: (n) => { const a = this.symbols.address(n); return a === undefined ? undefined : BigInt(a); },
      readMemory: () => { throw new ExprError('no program loaded'); }, pointerSize: 8,
    };
    const v = evaluateExpression(expr, ctx);
    if (v.space) throw new ExprError(`${expr.trim()} is a ${v.space}: address, not guest-linear (read it with *(u64*)(${expr.trim()}) or as a memory reference)`);
    return addrNumber(v.value);
  }

  evaluate(expr: string, threadId: number, context: string | undefined): { result: string; memoryReference?: string } {
    const cpu = this.cpuOf(threadId);
    if (context === 'repl') {
      if (this.machine instanceof XenDebugMachine) {
        const ts = toolstackReplCommand(this.machine, expr, this.running);
        if (ts !== undefined) {
          // a toolstack write that hit a data breakpoint is reported now, as a stop (after this REPL answer's text)
          if (this.watchSet?.pending) setImmediate(() => { if (!this.running && !this.ended && this.watchSet?.pending) this.hitsWhileStopped('after the REPL command'); });
          return { result: ts };
        }
        const x = xenReplCommand(this.machine, threadId - 1, expr, (e) => this.addressOf(e, threadId));
        if (x !== undefined) return { result: x };
      }
      const cmd = runReplCommand({
        cpu,
        address: (e) => this.addressOf(e, threadId),
        disassemble: (a, n) => this.disassemble(a, 0, n, threadId).map((l) => `${l.symbol ? `<${l.symbol}> ` : ''}0x${toHex(l.address)}: ${l.bytes.padEnd(20)} ${l.text}`),
      }, expr);
      if (cmd !== undefined) return { result: cmd };
    }
    const v = evaluateExpression(expr, this.evalContext(cpu));
    if (v.space) {
      const ref = spaceReference(v.space, BigInt.asUintN(64, v.value));
      return { result: `${formatValue(v)} (${ref})`, memoryReference: ref };
    }
    let result = formatValue(v);
    const asAddr = addrNumber(v.value);
    const sym = v.size === 8 && !v.signed ? this.symbols.format(asAddr) : undefined;
    if (sym && context !== 'watch') result += ` <${sym}>`;
    const readable = readLinear(cpu, asAddr, 1).unreadable === 0;
    return { result, memoryReference: readable && v.value !== 0n ? `0x${toHex(asAddr)}` : undefined };
  }

  stack(threadId: number): FrameInfo[] {
    const cpu = this.cpuOf(threadId);
    return walkStack(cpu, this.symbols).map((f, i) => {
      const look = i === 0 ? f.pc : f.pc - 1;
      return { id: ((threadId - 1) << 16) | i, pc: f.pc, name: this.symbols.format(f.pc, true) ?? `0x${toHex(f.pc)}`, row: this.lines.lookup(look) };
    });
  }

  scopes(threadId: number): Scope[] {
    const cpu = this.cpuOf(threadId);
    const parse = (expr: string): bigint => evaluateExpression(expr, this.evalContext(cpu)).value;
    const extra = this.machine?.extraScopes?.(threadId - 1) ?? [];
    return [generalScope(cpu, parse), segmentScope(cpu), systemScope(cpu), ...extra];
  }

  readMemory(addr: number, count: number, threadId = 1): { data: Uint8Array; unreadable: number } {
    const r = readLinear(this.cpuOf(threadId), addr, count);
    return { data: r.data, unreadable: r.unreadable };
  }

  writeMemory(addr: number, data: Uint8Array, threadId = 1): void {
    const ws = this.watchSet;
    if (ws) ws.muted++;
    try { writeLinear(this.cpuOf(threadId), addr, data); } finally { if (ws) ws.muted--; }
    this.emit('memory', `0x${toHex(addr)}`, 0, data.length);
  }

  /**
   * DAP readMemory for a memory reference in any space: an address expression ("0x…", "msg", "rsp+8": guest-linear)
   * or "pfn:N…" / "mfn:N…" (pseudo-physical / machine). address is where the data starts, in the same form.
   */
  readMemoryRef(ref: string, offset: number, count: number, threadId = 1): { address: string; data: Uint8Array; unreadable: number } {
    const cpu = this.cpuOf(threadId);
    return readReference(this.machine, cpu, this.evalContext(cpu), ref, offset, count);
  }

  /**
   * DAP writeMemory for a memory reference in any space; all or nothing (throws naming the address that is not
   * there). Debugger writes are not guest accesses: data breakpoints do not see them. Emits 'memory' (reference,
   * offset, count): the resolved "0x…" address for guest-linear writes, the client's own reference for pfn:/mfn:.
   */
  writeMemoryRef(ref: string, offset: number, data: Uint8Array, threadId = 1): void {
    const cpu = this.cpuOf(threadId);
    const ws = this.watchSet;
    let r: { space: string; address: number };
    if (ws) ws.muted++;
    try { r = writeReference(this.machine, cpu, this.evalContext(cpu), ref, offset, data); } finally { if (ws) ws.muted--; }
    if (r.space === 'linear') this.emit('memory', `0x${toHex(r.address)}`, 0, data.length);
    else this.emit('memory', ref, offset, data.length);
  }

  disassemble(addr: number, instructionOffset: number, count: number, threadId = 1): DisasmLine[] {
    const cpu = this.cpuOf(threadId);
    return this.disasm!.disassemble(cpu, addr, instructionOffset, count, cpu.mode);
  }

  dispose(): void {
    this.generation++;
    this.running = false;
    this.disasm?.dispose();
    this.disasm = undefined;
  }
}

function totalInstructions(m: DebugMachine): number {
  let n = 0;
  for (const c of m.vcpus) n += c.icount;
  return n;
}

/** A bigint address as the CPU's address number (canonical negative form above 2^63). */
export function addrNumber(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u);
}
