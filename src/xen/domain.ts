// A PV domain: its image, vCPUs, lifecycle (running, shutdown(reason), crashed(diagnostic)), console, the
// hypercall and bounce logs the debugger shows, minimal event-channel state, and the deterministic run loop.

import type { MachineMemory } from '../cpu/memory';
import type { DomainImage } from './builder/build';
import { STORE_EVTCHN, CONSOLE_EVTCHN } from './builder/build';
import { Vcpu } from './vcpu';
import type { MmState, MmDomain } from './mm';
import { makeMmDomain, wireMmHooks, typeInitialPagetables } from './domain-mm';
import { BuildError } from './builder/elf-notes';
import { PvHypervisorOps } from './hypervisor';
import { ConsoleRing } from './console';
import type { HypercallLogEntry } from './hypercalls/types';
import type { BounceRecord } from './traps';
import { createBounceFrame, TBF_INTERRUPT } from './traps';
import {
  SHUTDOWN_NAMES, VMASST_TYPE_architectural_iopl, SHARED_INFO, VCPU_INFO, EINVAL,
} from './public';

export type DomainState = 'running' | 'shutdown' | 'crashed';

/** Why Domain.run returned. */
export type RunStopReason = 'shutdown' | 'crashed' | 'budget' | 'blocked-forever' | 'breakpoint' | 'hypercall-break' | 'internal';

export interface RunResult {
  reason: RunStopReason;
  detail: string;
  /** Instructions retired during this call, all vCPUs. */
  instructions: number;
  /** vCPU that stopped (breakpoint, crash). */
  vcpu: number;
}

export interface DomainOptions {
  vcpus?: number;
  /** Console output sink (both console_io and the console ring). */
  onConsole?: (text: string) => void;
  /** Instructions per vCPU slice in the round-robin loop. */
  quantum?: number;
  /** Keep at most this many hypercall log records (oldest dropped). */
  logLimit?: number;
}

export class Domain {
  readonly kind: DomainImage['kind'];
  readonly mem: MachineMemory;
  readonly vcpus: Vcpu[] = [];
  state: DomainState = 'running';
  shutdownReason: number | null = null;
  /** SCHEDOP_shutdown_code. */
  shutdownCode: number | null = null;
  crashDiagnostic = '';
  /** VMASST_TYPE_* bits (below 32). */
  vmAssist = 0;
  m2pStrict = false;
  /** XENFEAT_* bits offered in submap 0 beyond the defaults (phase B adds mm-backed ones). */
  extraFeatures = 0;
  hypercallCount = 0;
  /** d->max_pages and d->tot_pages (memory_op reservations). */
  maxPages: number;
  totPages: number;
  readonly hypercallLog: HypercallLogEntry[] = [];
  readonly bounceLog: BounceRecord[] = [];
  consoleOutput = '';
  readonly consoleInput: number[] = [];
  readonly consoleRing: ConsoleRing;
  /** Stop the run loop after a hypercall when this returns true (hypercall breakpoints). */
  hypercallBreak: ((e: HypercallLogEntry) => boolean) | null = null;
  private readonly onConsole: ((text: string) => void) | null;
  private readonly quantum: number;
  private readonly logLimit: number;
  private rr = 0;
  /** Xen's memory-management state (frame table, types, M2P, diagnostics) and this domain's view in it. */
  readonly mm: MmState;
  readonly domid: number;
  readonly mmDomain: MmDomain;

  constructor(readonly image: DomainImage, options: DomainOptions = {}) {
    this.kind = image.kind;
    this.mem = image.mem;
    this.onConsole = options.onConsole ?? null;
    this.quantum = options.quantum ?? 20000;
    this.logLimit = options.logLimit ?? 100000;
    this.consoleRing = new ConsoleRing(this.mem, image.consoleMfn);
    this.maxPages = image.nrPages;
    this.totPages = image.nrPages;
    this.mm = image.mm;
    this.domid = image.domid;
    this.mmDomain = makeMmDomain(this);
    this.mm.domains.set(this.domid, this.mmDomain);
    const n = options.vcpus ?? 1;
    for (let i = 0; i < n; i++) {
      const v = new Vcpu(i, image.kind, this.mem, image.sharedInfoMfn * 4096, this.mmDomain);
      v.domain = this;
      v.cpu.ops = new PvHypervisorOps(this, v);
      this.vcpus.push(v);
    }
    wireMmHooks(this.mm, this);
    const bad = typeInitialPagetables(this.mm, this.vcpus[0].mmv, image.rootMfn);
    if (bad !== null) throw new BuildError(`bootstrap page tables rejected: ${typeof bad === 'string' ? bad : `${bad.rule}: ${bad.message}`}`);
    // Only vCPU 0 runs at start of day; the others wait for VCPUOP_initialise/up (not yet implemented).
    this.vcpus[0].startOfDay(image.params.entry, image.bootStackTop, image.startInfoVa, image.rootMfn);
    for (let i = 1; i < n; i++) this.vcpus[i].blocked = true;
  }

  get vmAssistArchitecturalIopl(): boolean { return (this.vmAssist & (1 << VMASST_TYPE_architectural_iopl)) !== 0; }
  get shutdownReasonName(): string { return this.shutdownReason === null ? '' : SHUTDOWN_NAMES[this.shutdownReason] ?? String(this.shutdownReason); }

  /** pfn of a machine frame owned by the guest, or -1. */
  pfnOfMfn(mfn: number): number {
    const f = this.mm.frames;
    if (!f.valid(mfn) || f.owner[mfn] !== this.domid || f.count[mfn] === 0) return -1;
    const pfn = this.mm.m2p[mfn];
    return pfn === 0xffffffff ? -1 : pfn;
  }

  consoleWrite(text: string): void {
    if (text.length === 0) return;
    this.consoleOutput += text;
    this.onConsole?.(text);
  }

  private stopAll(reason: string): void { for (const v of this.vcpus) v.cpu.requestStop(reason); }

  shutdown(reason: number): void {
    if (this.state !== 'running') return;
    this.consoleWrite(this.consoleRing.consume());
    this.state = 'shutdown';
    this.shutdownReason = reason;
    this.stopAll('shutdown');
  }

  crash(diagnostic: string): void {
    if (this.state !== 'running') return;
    this.consoleWrite(this.consoleRing.consume());
    this.state = 'crashed';
    this.crashDiagnostic = diagnostic;
    this.stopAll('crashed');
  }

  blockVcpu(v: Vcpu): void {
    v.blocked = true;
    v.cpu.requestStop('blocked');
  }

  logHypercall(e: HypercallLogEntry): void {
    this.hypercallLog.push(e);
    if (this.hypercallLog.length > this.logLimit) this.hypercallLog.splice(0, this.hypercallLog.length - this.logLimit);
  }
  logBounce(r: BounceRecord): void {
    this.bounceLog.push(r);
    if (this.bounceLog.length > this.logLimit) this.bounceLog.splice(0, this.bounceLog.length - this.logLimit);
  }

  /** Hypercall exit (test_all_events): hypercall breakpoints, then a pending event upcall. */
  afterHypercall(v: Vcpu): void {
    const last = this.hypercallLog[this.hypercallLog.length - 1];
    if (this.state === 'running' && this.hypercallBreak && last && this.hypercallBreak(last)) v.cpu.requestStop('hypercall-break');
    this.checkEvents(v);
  }

  /** Deliver the event upcall when events are pending and unmasked and a callback is registered. */
  checkEvents(v: Vcpu): void {
    if (this.state !== 'running' || v.blocked) return;
    if (!v.upcallPending || v.upcallMask || v.event.address === 0) return;
    const r = createBounceFrame(v, { flags: TBF_INTERRUPT, errorCode: 0, cs: v.event.cs, eip: v.event.address });
    if (r !== null) this.crash(`event callback: ${r}`);
    else this.logBounce({ vector: -1, kind: 'event', errorCode: -1, frameSp: v.cpu.getSP(), frame: [], handler: v.event.address, fromUser: false });
  }

  // ---- minimal event channels: the console and xenstore ports are interdomain-bound to backends ----

  private wordBits(): number { return this.kind === 'pv64' ? 64 : 32; }

  /** Mark a port pending in shared_info (evtchn_set_pending) and wake blocked vCPUs. */
  setEvtchnPending(port: number): void {
    const sh = this.image.sharedInfoMfn * 4096;
    const shl = SHARED_INFO[this.kind].fields;
    const byte = sh + shl.evtchn_pending + (port >> 3);
    this.mem.write8(byte, this.mem.read8(byte) | (1 << (port & 7)));
    const maskOff = shl.evtchn_mask;
    if (this.mem.read8(sh + maskOff + (port >> 3)) & (1 << (port & 7))) return;
    const v = this.vcpus[0];
    const sel = Math.floor(port / this.wordBits());
    const selByte = v.vcpuInfoPa + VCPU_INFO[this.kind].fields.evtchn_pending_sel + (sel >> 3);
    this.mem.write8(selByte, this.mem.read8(selByte) | (1 << (sel & 7)));
    this.mem.write8(v.vcpuInfoPa + VCPU_INFO[this.kind].fields.evtchn_upcall_pending, 1);
    for (const u of this.vcpus) if (u.blocked && u.id === 0) u.blocked = false;
  }

  evtchnPending(port: number): boolean {
    if (port < 0 || port >= 4096) return false;
    const sh = this.image.sharedInfoMfn * 4096;
    return (this.mem.read8(sh + SHARED_INFO[this.kind].fields.evtchn_pending + (port >> 3)) & (1 << (port & 7))) !== 0;
  }

  /** EVTCHNOP_send: the console backend drains the ring and notifies back; xenstore has no backend yet. */
  evtchnSend(port: number): number {
    if (port === CONSOLE_EVTCHN) {
      this.consoleWrite(this.consoleRing.consume());
      this.setEvtchnPending(CONSOLE_EVTCHN);
      return 0;
    }
    if (port === STORE_EVTCHN) return 0;
    return -EINVAL;
  }

  /**
   * Run up to `budget` instructions over the vCPUs, round-robin in fixed slices (deterministic: the same image
   * and budget always give the same instruction stream and hypercall log).
   */
  run(budget: number): RunResult {
    let instructions = 0;
    const result = (reason: RunStopReason, detail = '', vcpu = 0): RunResult => ({ reason, detail, instructions, vcpu });
    if (this.state === 'shutdown') return result('shutdown', `reason ${this.shutdownReasonName}`);
    if (this.state === 'crashed') return result('crashed', this.crashDiagnostic);
    let remaining = budget;
    while (remaining > 0) {
      const n = this.vcpus.length;
      let v: Vcpu | null = null;
      for (let k = 0; k < n; k++) {
        const cand = this.vcpus[(this.rr + k) % n];
        if (!cand.blocked) { v = cand; this.rr = (this.rr + k) % n; break; }
      }
      if (v === null) return result('blocked-forever', 'every vCPU is blocked and no event source can wake one');
      const slice = Math.min(this.quantum, remaining);
      const before = v.cpu.icount;
      const r = v.cpu.run(slice);
      const ran = v.cpu.icount - before;
      instructions += ran;
      const st = this.state as DomainState;
      if (st === 'shutdown') return result('shutdown', `reason ${this.shutdownReasonName}`, v.id);
      if (st === 'crashed') return result('crashed', this.crashDiagnostic, v.id);
      if (r === 'budget') { remaining -= slice; this.rr = (this.rr + 1) % n; continue; }
      remaining -= Math.max(ran, 1);
      if (r === 'breakpoint') return result('breakpoint', v.cpu.stopDetail, v.id);
      if (r === 'hypercall-break') {
        const e = this.hypercallLog[this.hypercallLog.length - 1];
        return result('hypercall-break', e ? `${e.name}(${e.decoded}) = ${e.resultText}` : '', v.id);
      }
      if (r === 'internal') { this.crash(v.cpu.stopDetail); return result('internal', v.cpu.stopDetail, v.id); }
      if (r === 'blocked') { this.rr = (this.rr + 1) % n; continue; }
      if (r !== 'none') return result('internal', `unexpected CPU stop '${r}' ${v.cpu.stopDetail}`, v.id);
    }
    return result('budget');
  }
}
