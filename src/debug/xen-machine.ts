// A DebugMachine over an emulated Xen PV domain: vCPUs as threads, console, shutdown/crash classification, and the
// hooks hypercall breakpoints, exception filters and the trace need (hypercall entry/exit, software interrupts and
// guest faults before the bounce).

import type { Cpu, StopReason } from '../cpu/cpu';
import type { CpuOps } from '../cpu/ops';
import type { MachineMemory } from '../cpu/memory';
import type { WatchSet } from '../cpu/watch';
import { elfNotes, ElfImage } from '../common/elf';
import { hexAddr } from '../common/bits';
import { VECTOR_NAMES } from '../cpu/fault';
import { createDomainFromElf, Domain } from '../xen';
import type { HypercallLogEntry } from '../xen';
import type { Vcpu } from '../xen/vcpu';
import { copyFromGuest } from '../xen/guest-access';
import type { DebugMachine, MachineStop } from './machine';
import type { Scope } from './variables';
import { HypercallEvent, entryEvent, exitEvent, describeHypercall } from './xen-hypercalls';

/** True when the image carries Xen ELF notes (name "Xen"): it is a PV kernel for the Xen machine. */
export function hasXenNotes(img: ElfImage): boolean {
  try { return elfNotes(img).some((n) => n.name === 'Xen'); } catch { return false; }
}

export interface XenMachineOptions {
  memoryMiB?: number;
  vcpus?: number;
  cmdline?: string;
  /** Boot module (initrd) bytes. */
  module?: Uint8Array;
  /** Domain name (xenstore `name`; default: the image's GUEST_OS note, else 'domU'). */
  name?: string;
  /** Boot wallclock in seconds since the epoch (default 2026-01-01T00:00:00Z). */
  wallclock?: number;
}

export interface GuestFaultEvent { vcpu: number; vector: number; name: string; errorCode: number; rip: number; cr2: number; }

/** int3 / into / int1 / `int $n` (not a hypercall) about to reach the hypervisor; rip is the instruction's own. */
export interface SoftwareInterruptEvent { vcpu: number; vector: number; rip: number; }

/** What the runtime wants to hear about while the domain runs; a returned stop stops the run, null goes on. */
export interface XenWatch {
  hypercallEntry?: (e: HypercallEvent, cpu: Cpu) => MachineStop | null;
  hypercallExit?: (e: HypercallEvent, cpu: Cpu) => MachineStop | null;
  guestFault?: (e: GuestFaultEvent, cpu: Cpu) => MachineStop | null;
  /** Before Xen delivers a software interrupt (int3, into, int1, `int $n`); a stop leaves RIP on the instruction. */
  softwareInterrupt?: (e: SoftwareInterruptEvent, cpu: Cpu) => MachineStop | null;
  /** One line per completed hypercall (launch option `trace`). */
  trace?: (line: string) => void;
}

/** Exit codes by SHUTDOWN_* reason (poweroff, reboot, suspend, crash, watchdog, soft_reset); the CLI uses them too. */
export const SHUTDOWN_EXIT_CODES: Record<number, number> = { 0: 0, 1: 6, 2: 7, 3: 2, 4: 8, 5: 9 };
export const SHUTDOWN_NAMES = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];
/** Exit code of a domain Xen crashed (domain_crash) and of a domain whose vCPUs all block with nothing to wake them. */
export const EXIT_DOMAIN_CRASHED = 2, EXIT_BLOCKED_FOREVER = 4, EXIT_INTERNAL = 70;

/** The CPU reason the machine returns when a watch asked to stop. */
const WATCH_STOP = 'xen-watch';
const FORCED_EMUL = [0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2];

export class XenDebugMachine implements DebugMachine {
  readonly kind: string;
  readonly mem: MachineMemory;
  readonly vcpus: readonly Cpu[];
  readonly domain: Domain;
  console: (text: string) => void = () => {};
  watch: XenWatch = {};
  /** Stop (exception 'domain_crash') when Xen crashes the domain; false ends the session at once. */
  stopOnCrash = true;
  /** Symbol lookup for views (set by the runtime). */
  symbolize: (addr: number) => string | undefined = () => undefined;
  /** Extra scopes (the Xen scope) — installed by the runtime so views stay in their own file. */
  scopes: ((vcpu: number) => Scope[]) | null = null;
  stoppedVcpu = 0;
  /** Data watchpoints (set by the runtime); hypervisor writes to watched frames are attributed to `context`. */
  watchSet: WatchSet | null = null;
  private context: string | undefined;
  private pending: MachineStop | null = null;
  private deferredFault: { vcpu: number; vector: number; errorCode: number } | null = null;
  private skipEntry: { vcpu: number; rip: number } | null = null;
  private tracedSeq = 0;
  private readonly inner: CpuOps[] = [];

  constructor(readonly image: ElfImage, opts: XenMachineOptions = {}) {
    this.domain = createDomainFromElf(image.bytes, {
      memoryMiB: opts.memoryMiB, vcpus: opts.vcpus, cmdline: opts.cmdline, module: opts.module,
      name: opts.name, wallclock: opts.wallclock,
      onConsole: (t) => this.console(t),
    });
    this.kind = this.domain.kind;
    this.mem = this.domain.mem;
    this.vcpus = this.domain.vcpus.map((v) => v.cpu);
    for (const v of this.domain.vcpus) {
      this.inner[v.id] = v.cpu.ops;
      v.cpu.ops = new WatchOps(this, v, v.cpu.ops);
    }
    this.domain.hypercallBreak = (e) => this.afterHypercall(e);
  }

  vcpu(i: number): Vcpu { return this.domain.vcpus[i]; }

  run(_vcpu: number, budget: number): StopReason {
    const f = this.deferredFault;
    if (f) {
      this.deferredFault = null;
      const cpu = this.vcpus[f.vcpu];
      if (this.domain.state === 'running') {
        this.asHypervisor(() => deliveryText(f.vector), () => this.inner[f.vcpu].exception(cpu, f.vector, f.errorCode));
        // the bounce frame Xen just wrote hit a watch: report it before the guest runs on
        if (this.watchSet?.pending && this.domain.state === 'running') { this.stoppedVcpu = f.vcpu; return 'watchpoint'; }
      }
    }
    const skip = this.skipEntry;
    if (skip && this.vcpus[skip.vcpu].rip !== skip.rip) this.skipEntry = null;
    this.pending = null;
    const r = this.domain.run(budget);
    this.stoppedVcpu = r.vcpu;
    this.flushTrace();
    if (this.pending) return WATCH_STOP;
    if (this.watchSet?.pending && this.domain.state === 'running') return 'watchpoint';
    return r.reason;
  }

  /**
   * Run fn as hypervisor work (a hypercall, a bounce): while data watches cover machine frames, their hits name it.
   * describe runs first, before the work changes the registers it reads.
   */
  asHypervisor<T>(describe: () => string, fn: () => T): T {
    const ws = this.watchSet;
    if (!ws || ws.machineRanges().length === 0) return fn();
    const prev = this.context;
    this.context = describe();
    try { return fn(); } finally { this.context = prev; }
  }

  /** What the hypervisor is doing right now (for hits of hypervisor writes). */
  hypervisorContext(): string | undefined { return this.context; }

  /** The hypercall vCPU v is about to make, as a hit describes it. */
  hypercallText(v: Vcpu): string { return describeHypercall(entryEvent(this.domain, v)); }

  classify(vcpu: number, reason: StopReason): MachineStop {
    const d = this.domain;
    const cpu = this.vcpus[vcpu];
    switch (reason) {
      case WATCH_STOP: return this.pending ?? { kind: 'continue' };
      case 'shutdown': {
        const r = d.shutdownReason ?? 0;
        const name = SHUTDOWN_NAMES[r] ?? `reason ${r}`;
        const code = d.shutdownCode !== null ? ` (shutdown code ${SHUTDOWN_NAMES[d.shutdownCode] ?? d.shutdownCode})` : '';
        const exitCode = SHUTDOWN_EXIT_CODES[r] ?? 10 + r;
        if (r === 3) {
          return { kind: 'exception', id: 'SHUTDOWN_crash', fatal: true, exitCode, description: 'guest crash',
            text: `guest shut down with reason crash${code} at rip 0x${hexAddr(cpu.rip)} after ${cpu.icount} instructions` };
        }
        return { kind: 'exit', exitCode, text: `domain shut down: ${name}${code} after ${this.instructions()} instructions` };
      }
      case 'crashed':
        if (!this.stopOnCrash) return { kind: 'exit', exitCode: EXIT_DOMAIN_CRASHED, text: `domain crashed: ${d.crashDiagnostic}` };
        return { kind: 'exception', id: 'domain_crash', fatal: true, exitCode: EXIT_DOMAIN_CRASHED, description: 'domain crashed',
          text: `domain crashed: ${d.crashDiagnostic}` };
      case 'internal':
        return { kind: 'exception', id: 'internal', fatal: true, exitCode: EXIT_INTERNAL, text: `emulator error: ${d.crashDiagnostic || cpu.stopDetail}` };
      case 'blocked-forever':
        return { kind: 'exception', id: 'blocked', fatal: true, exitCode: EXIT_BLOCKED_FOREVER, description: 'all vCPUs blocked',
          text: 'every vCPU is blocked and no event source can wake one' };
      default: return { kind: 'event', reason: 'pause', text: `${reason}${cpu.stopDetail ? ': ' + cpu.stopDetail : ''}` };
    }
  }

  threadName(i: number): string {
    const v = this.domain.vcpus[i];
    const mode = v.guestKernelMode() ? 'kernel' : 'user';
    return `vCPU ${i} (${mode}${v.blocked ? ', blocked' : ''})`;
  }

  extraScopes(vcpu: number): Scope[] { return this.scopes ? this.scopes(vcpu) : []; }

  /** Some vCPU could run now (e.g. a toolstack write woke a vCPU the 'blocked' stop reported as stuck). */
  hasRunnableVcpu(): boolean {
    return this.domain.state === 'running' && this.domain.vcpus.some((v) => v.online && !v.blocked);
  }

  instructions(): number { return this.vcpus.reduce((n, c) => n + c.icount, 0); }

  // ---------------------------------------------------------------- hooks
  /** A hypercall instruction is about to run on v: true to stop before it (RIP is rewound onto it). */
  hypercallEntry(v: Vcpu, cpu: Cpu): boolean {
    const w = this.watch.hypercallEntry;
    return this.stopBeforeInsn(v, cpu, w && (() => w(entryEvent(this.domain, v), cpu)));
  }

  /**
   * A software interrupt (int3, into, int1, `int $n`; not a hypercall) is about to be delivered on v: true to stop
   * before it (RIP is rewound onto the instruction, nothing is delivered; the resumed run delivers it once).
   */
  softwareInterruptEntry(v: Vcpu, cpu: Cpu, vector: number): boolean {
    const w = this.watch.softwareInterrupt;
    return this.stopBeforeInsn(v, cpu, w && (() => w({ vcpu: v.id, vector, rip: cpu.insnRip }, cpu)));
  }

  /**
   * The stop-before-an-instruction protocol of the entry hooks: ask (unless this is the instruction the last such
   * stop resumed at, which runs once without asking), and on a stop rewind RIP onto the instruction.
   */
  private stopBeforeInsn(v: Vcpu, cpu: Cpu, ask: (() => MachineStop | null) | undefined): boolean {
    const skip = this.skipEntry;
    if (skip && skip.vcpu === v.id && skip.rip === cpu.insnRip) { this.skipEntry = null; return false; }
    if (!ask) return false;
    const st = ask();
    if (!st) return false;
    this.pending = st;
    this.skipEntry = { vcpu: v.id, rip: cpu.insnRip };
    cpu.rip = cpu.insnRip;
    cpu.requestStop(WATCH_STOP);
    return true;
  }

  private afterHypercall(e: HypercallLogEntry): boolean {
    this.flushTrace();
    const w = this.watch.hypercallExit;
    if (!w) return false;
    const st = w(exitEvent(e), this.vcpus[e.vcpu]);
    if (!st) return false;
    this.pending = st;
    return true;
  }

  /** A CPU fault the hypervisor is about to bounce: true when a watch keeps it back (delivered on the next run). */
  guestFault(v: Vcpu, cpu: Cpu, vector: number, errorCode: number): boolean {
    const w = this.watch.guestFault;
    if (!w || this.domain.state !== 'running') return false;
    if (vector === 6) {
      const b = copyFromGuest(cpu, cpu.rip, FORCED_EMUL.length);
      if (b && FORCED_EMUL.every((x, i) => b[i] === x)) return false; // forced emulation, not a fault
    }
    const st = w({ vcpu: v.id, vector, name: VECTOR_NAMES[vector] ?? `vector ${vector}`, errorCode, rip: cpu.rip, cr2: cpu.cr2 }, cpu);
    if (!st) return false;
    this.pending = st;
    this.deferredFault = { vcpu: v.id, vector, errorCode };
    cpu.requestStop(WATCH_STOP);
    return true;
  }

  /** Emit trace lines for log entries not traced yet. */
  private flushTrace(): void {
    const t = this.watch.trace;
    const log = this.domain.hypercallLog;
    if (!t) { this.tracedSeq = this.domain.hypercallCount; return; }
    let k = log.length;
    while (k > 0 && log[k - 1].seq >= this.tracedSeq) k--;
    for (; k < log.length; k++) {
      const e = log[k];
      t(`[hypercall #${e.seq} vcpu${e.vcpu} rip 0x${hexAddr(e.rip)}] ${describeHypercall(exitEvent(e))}`);
    }
    this.tracedSeq = this.domain.hypercallCount;
  }
}

/** The hypervisor's CpuOps with the debugger's hooks in front (hypercall entry, software interrupts and faults before the bounce). */
class WatchOps implements CpuOps {
  constructor(private readonly m: XenDebugMachine, private readonly v: Vcpu, private readonly inner: CpuOps) {}
  exception(cpu: Cpu, vector: number, errorCode: number): void {
    if (this.m.guestFault(this.v, cpu, vector, errorCode)) return;
    this.m.asHypervisor(() => deliveryText(vector), () => this.inner.exception(cpu, vector, errorCode));
  }
  softwareInterrupt(cpu: Cpu, vector: number): boolean {
    const hypercall = !this.v.is64 && vector === 0x82 && this.v.guestKernelMode();
    if (hypercall ? this.m.hypercallEntry(this.v, cpu) : this.m.softwareInterruptEntry(this.v, cpu, vector)) return true;
    return this.m.asHypervisor(() => hypercall ? this.m.hypercallText(this.v) : `the delivery of int $0x${vector.toString(16)}`,
      () => this.inner.softwareInterrupt(cpu, vector));
  }
  syscall(cpu: Cpu): boolean {
    const hypercall = this.v.is64 && this.v.kernelMode;
    if (hypercall && this.m.hypercallEntry(this.v, cpu)) return true;
    return this.m.asHypervisor(() => hypercall ? this.m.hypercallText(this.v) : 'the syscall bounce to the guest kernel',
      () => this.inner.syscall(cpu));
  }
  sysenter(cpu: Cpu): boolean { return this.inner.sysenter(cpu); }
  halt(cpu: Cpu): void { this.inner.halt(cpu); }
  ioRead(cpu: Cpu, port: number, size: number): number { return this.inner.ioRead(cpu, port, size); }
  ioWrite(cpu: Cpu, port: number, size: number, value: number): void { this.inner.ioWrite(cpu, port, size, value); }
}

function deliveryText(vector: number): string {
  return `the delivery of ${VECTOR_NAMES[vector] ?? `vector ${vector}`} to the guest (bounce frame)`;
}
