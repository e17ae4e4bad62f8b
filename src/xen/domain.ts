// A PV domain: its image, vCPUs, lifecycle (running, shutdown(reason), crashed(diagnostic)), console, the
// hypercall and bounce logs the debugger shows, event channels with the dom0 backends (xenstored, xenconsoled),
// the grant table, virtual time and timers, and the deterministic round-robin run loop (load_segments on a vCPU
// switch; timers fire at exact virtual times; an idle domain skips to its next timer deadline).

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
import { EventChannels, EvtchnHost } from './event-channels';
import { VirtualTime, TimeHost } from './time';
import { TimerHost, fireDueTimers, nextDeadline, periodicWork } from './timers';
import { encodeRunstate } from './runstate';
import { copyToGuest } from './guest-access';
import { XenstoreBackend } from './xenstore';
import { grantTableOf } from './grant-table';
import { loadSegments } from './failsafe';
import {
  SHUTDOWN_NAMES, VMASST_TYPE_architectural_iopl, VCPU_INFO, XEN_LEGACY_MAX_VCPUS, VIRQ_TIMER, RUNSTATE_running,
  RUNSTATE_runnable, RUNSTATE_blocked, RUNSTATE_offline,
} from './public';

export type DomainState = 'running' | 'shutdown' | 'crashed';

/** Why Domain.run returned. */
/** 'watchpoint': a debugger's data watch was hit (cpu/watch.ts); the host reads the hit from the CPU's watch set. */
export type RunStopReason = 'shutdown' | 'crashed' | 'budget' | 'blocked-forever' | 'breakpoint' | 'hypercall-break' | 'watchpoint' | 'internal';

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
  /** Boot wallclock published in shared_info (seconds since the epoch, UTC); default 2026-01-01T00:00:00Z. */
  wallclock?: number;
  /** Domain name (xenstore `name`); default the image's GUEST_OS note, else 'domU'. */
  name?: string;
}

/** Nominal dom0 ports at the far end of the start-of-day xenstore and console channels. */
export const DOM0_STORE_PORT = 1, DOM0_CONSOLE_PORT = 2;

export class Domain implements EvtchnHost, TimeHost, TimerHost {
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
  /** Event channels (2-level ABI). */
  readonly evtchn: EventChannels;
  /** The domain's virtual clock and time publication. */
  readonly time: VirtualTime;
  readonly sharedInfoPa: number;
  /** The domain's name (libxl's c_info.name, xenstore `name`). */
  readonly name: string;
  /** The emulated xenstored at the far end of the store event channel. */
  readonly xenstore: XenstoreBackend;
  private readonly onConsole: ((text: string) => void) | null;
  private readonly quantum: number;
  private readonly logLimit: number;
  private rr = 0;
  /** The vCPU that ran last (Xen's per-CPU curr): switching away from it makes the next one load_segments. */
  private lastRun: Vcpu | null = null;
  /** vCPUs that have been on the CPU at least once (a first run has no saved segment state to reload). */
  private readonly hasRun = new Set<Vcpu>();
  /** System time (ns) at which the running slice ends; a timer armed before it cuts the slice. */
  private sliceEndNs = -1;
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
    this.sharedInfoPa = image.sharedInfoMfn * 4096;
    this.mmDomain = makeMmDomain(this);
    this.mm.domains.set(this.domid, this.mmDomain);
    const n = options.vcpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > XEN_LEGACY_MAX_VCPUS) {
      throw new BuildError(`vcpus ${n} out of range (1..${XEN_LEGACY_MAX_VCPUS}: vcpu_info slots in shared_info)`);
    }
    for (let i = 0; i < n; i++) {
      const v = new Vcpu(i, image.kind, this.mem, this.sharedInfoPa, this.mmDomain);
      v.domain = this;
      v.cpu.ops = new PvHypervisorOps(this, v);
      this.vcpus.push(v);
    }
    wireMmHooks(this.mm, this);
    const bad = typeInitialPagetables(this.mm, this.vcpus[0].mmv, image.rootMfn);
    if (bad !== null) throw new BuildError(`bootstrap page tables rejected: ${typeof bad === 'string' ? bad : `${bad.rule}: ${bad.message}`}`);
    // libxenguest masks events in every legacy vcpu_info slot; only vCPU 0 runs at start of day, the others wait
    // for VCPUOP_initialise + VCPUOP_up.
    for (let i = 0; i < XEN_LEGACY_MAX_VCPUS; i++) this.mem.write8(this.sharedInfoPa + i * VCPU_INFO[this.kind].size + VCPU_INFO[this.kind].fields.evtchn_upcall_mask, 1);
    this.vcpus[0].startOfDay(image.params.entry, image.bootStackTop, image.startInfoVa, image.rootMfn);
    this.vcpus[0].runstate.change(RUNSTATE_runnable, 0);
    this.evtchn = new EventChannels(this);
    this.name = options.name ?? (image.params.guestOs || 'domU');
    this.xenstore = new XenstoreBackend(this.mem, image.storeMfn * 4096, this.domid, this.name, {
      vcpus: n, memoryKiB: image.nrPages * 4, storeMfn: image.storeMfn, storePort: STORE_EVTCHN,
      consoleMfn: image.consoleMfn, consolePort: CONSOLE_EVTCHN,
    });
    this.evtchn.bindBackend(STORE_EVTCHN, 0, DOM0_STORE_PORT, 'xenstore', (port) => {
      // xenstored: answer complete requests, then notify the guest back when the ring indexes moved.
      if (this.xenstore.onNotify()) this.evtchn.setPending(port);
    });
    this.evtchn.bindBackend(CONSOLE_EVTCHN, 0, DOM0_CONSOLE_PORT, 'console', (port) => {
      // xenconsoled: drain the ring, then notify the guest back.
      this.consoleWrite(this.consoleRing.consume());
      this.evtchn.setPending(port);
    });
    this.time = new VirtualTime(this, options.wallclock);
    this.time.publishWallclock();
    for (const v of this.vcpus) this.time.publish(v);
    // grant_table_init: the first grant frames exist from domain creation on.
    grantTableOf(this);
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
    if (this.state !== 'running' || v.blocked || !v.online) return;
    if (!v.upcallPending || v.upcallMask || v.event.address === 0) return;
    const r = createBounceFrame(v, { flags: TBF_INTERRUPT, errorCode: 0, cs: v.event.cs, eip: v.event.address });
    if (r !== null) this.crash(`event callback: ${r}`);
    else this.logBounce({ vector: -1, kind: 'event', errorCode: -1, frameSp: v.cpu.getSP(), frame: [], handler: v.event.address, fromUser: false });
  }

  // ---- scheduling state: block, wake, up/down ----

  private runstateOf(v: Vcpu): number {
    if (!v.online) return RUNSTATE_offline;
    if (v.blocked) return RUNSTATE_blocked;
    return this.time.current === v ? RUNSTATE_running : RUNSTATE_runnable;
  }
  private noteRunstate(v: Vcpu): void { v.runstate.change(this.runstateOf(v), this.time.nowNs()); }

  /** vcpu_block: stop v after the current instruction until an event wakes it. */
  blockVcpu(v: Vcpu): void {
    v.blocked = true;
    v.cpu.requestStop('blocked');
  }

  /** vcpu_unblock: end a block or poll (the vCPU runs again if it is up). */
  wake(v: Vcpu): void {
    if (!v.blocked) return;
    v.blocked = false;
    v.pollEvtchn = 0;
    v.timers.pollDeadline = -1;
    this.noteRunstate(v);
    if (v.online) this.time.publish(v);
  }

  /** VCPUOP_up: make an initialised vCPU runnable. */
  vcpuUp(v: Vcpu): void {
    if (v.online) return;
    v.online = true;
    this.noteRunstate(v);
    this.time.publish(v);
  }

  /** VCPUOP_down: take v off the CPU (at once when it is the caller). */
  vcpuDown(v: Vcpu): void {
    if (!v.online) return;
    v.online = false;
    if (this.time.current === v) v.cpu.requestStop('down');
    else this.noteRunstate(v);
  }

  // ---- EvtchnHost / TimerHost ----
  get vcpuCount(): number { return this.vcpus.length; }
  vcpuInfoPaOf(id: number): number { return this.vcpus[id].vcpuInfoPa; }
  kick(id: number): void { const v = this.vcpus[id]; if (v) this.wake(v); }
  checkPollers(port: number): void {
    for (const v of this.vcpus) if (v.blocked && v.pollEvtchn !== 0 && (v.pollEvtchn < 0 || v.pollEvtchn === port)) this.wake(v);
  }
  sendTimerEvent(v: Vcpu): void { this.evtchn.sendVirq(v.id, VIRQ_TIMER); }
  pollTimeout(v: Vcpu): void { if (v.blocked && v.pollEvtchn !== 0) this.wake(v); }

  /**
   * A timer of some vCPU was armed or changed during a hypercall: fire it at once when already expired, and end
   * the running slice early when its deadline falls inside it (expiry stays exact to the instruction).
   */
  timersChanged(): void {
    const now = this.time.nowNs();
    const cur = this.time.current;
    fireDueTimers(this, now, cur);
    const dl = nextDeadline(this, cur);
    if (cur !== null && dl >= 0 && dl < this.sliceEndNs) cur.cpu.requestStop('timer');
  }

  /**
   * The toolstack (xl in dom0) writes a xenstore node, e.g. control/shutdown = "poweroff": watches fire, and the
   * store port is notified when xenstored queued output for the guest (and the port is still connected).
   */
  toolstackWrite(path: string, value: string): void {
    if (this.xenstore.toolstackWrite(path, value) && this.evtchn.stateName(STORE_EVTCHN) === 'interdomain') this.evtchn.setPending(STORE_EVTCHN);
  }

  // ---- event channels: the entries kept for the rest of the hypervisor ----

  /** Mark a port pending (evtchn_port_set_pending on its notify vCPU), waking a blocked vCPU. */
  setEvtchnPending(port: number): void { this.evtchn.setPending(port); }

  evtchnPending(port: number): boolean { return this.evtchn.isPending(port); }

  /** EVTCHNOP_send: the single entry for a guest's send (interdomain ports reach the emulated backends). */
  evtchnSend(port: number): number { return this.evtchn.send(port); }

  // ---- the run loop ----

  private pickRunnable(): Vcpu | null {
    const n = this.vcpus.length;
    for (let k = 0; k < n; k++) {
      const cand = this.vcpus[(this.rr + k) % n];
      if (cand.online && !cand.blocked) { this.rr = (this.rr + k) % n; return cand; }
    }
    return null;
  }

  /** Every vCPU is idle: jump the clock to the next single-shot or poll deadline and fire it. False if none. */
  private idleToNextDeadline(): boolean {
    const dl = nextDeadline(this, null);
    if (dl < 0) return false;
    this.time.advanceTo(dl);
    fireDueTimers(this, this.time.nowNs(), null);
    return true;
  }

  /**
   * context_switch to v: when another vCPU ran last and v has run before, Xen's load_segments reloads v's data
   * segment selectors; one that no longer loads sends v into its failsafe callback (or crashes the domain).
   */
  private switchTo(v: Vcpu): void {
    const prev = this.lastRun;
    this.lastRun = v;
    if (!this.hasRun.has(v)) { this.hasRun.add(v); return; }
    if (prev === null || prev === v) return;
    const r = loadSegments(v);
    if (r.crash !== null) this.crash(r.crash);
    else if (r.record !== null) this.logBounce(r.record);
  }

  /** Schedule v in: catch-up periodic tick, pending upcall, TSC continuation, runstate and its guest copy. */
  private scheduleIn(v: Vcpu): void {
    this.switchTo(v);
    if (this.state !== 'running') return;
    const now = this.time.nowNs();
    periodicWork(this, v, now);
    this.checkEvents(v);
    this.time.enter(v);
    v.runstate.change(RUNSTATE_running, now);
    if (v.runstateAreaVa !== null) copyToGuest(v.cpu, v.runstateAreaVa, encodeRunstate(this.kind, v.runstate.snapshot(now)));
  }

  /**
   * Run up to `budget` instructions over the vCPUs, round-robin in fixed slices (deterministic: the same image
   * and budget always give the same instruction stream and hypercall log). Slices end early at timer deadlines.
   */
  run(budget: number): RunResult {
    let instructions = 0;
    const result = (reason: RunStopReason, detail = '', vcpu = 0): RunResult => ({ reason, detail, instructions, vcpu });
    if (this.state === 'shutdown') return result('shutdown', `reason ${this.shutdownReasonName}`);
    if (this.state === 'crashed') return result('crashed', this.crashDiagnostic);
    let remaining = budget;
    while (remaining > 0) {
      fireDueTimers(this, this.time.nowNs(), null);
      const n = this.vcpus.length;
      const v = this.pickRunnable();
      if (v === null) {
        if (this.idleToNextDeadline()) continue;
        return result('blocked-forever', 'every vCPU is blocked and no event source can wake one');
      }
      this.scheduleIn(v);
      if (this.state !== 'running') {
        this.time.leave(v);
        return this.state === 'crashed' ? result('crashed', this.crashDiagnostic, v.id) : result('shutdown', `reason ${this.shutdownReasonName}`, v.id);
      }
      const now = this.time.nowNs();
      let slice = Math.min(this.quantum, remaining);
      const dl = nextDeadline(this, v);
      if (dl >= 0) slice = Math.max(1, Math.min(slice, dl - now));
      this.sliceEndNs = now + slice;
      const before = v.cpu.icount;
      const r = v.cpu.run(slice);
      this.time.leave(v);
      this.sliceEndNs = -1;
      this.noteRunstate(v);
      fireDueTimers(this, this.time.nowNs(), v);
      const ran = v.cpu.icount - before;
      instructions += ran;
      const st = this.state as DomainState;
      if (st === 'shutdown') return result('shutdown', `reason ${this.shutdownReasonName}`, v.id);
      if (st === 'crashed') return result('crashed', this.crashDiagnostic, v.id);
      if (r === 'budget') { remaining -= slice; this.rr = (this.rr + 1) % n; continue; }
      remaining -= Math.max(ran, 1);
      if (r === 'breakpoint') return result('breakpoint', v.cpu.stopDetail, v.id);
      if (r === 'watchpoint') return result('watchpoint', v.cpu.stopDetail, v.id);
      if (r === 'hypercall-break') {
        const e = this.hypercallLog[this.hypercallLog.length - 1];
        return result('hypercall-break', e ? `${e.name}(${e.decoded}) = ${e.resultText}` : '', v.id);
      }
      if (r === 'internal') { this.crash(v.cpu.stopDetail); return result('internal', v.cpu.stopDetail, v.id); }
      if (r === 'blocked' || r === 'timer' || r === 'yield' || r === 'down') { this.rr = (this.rr + 1) % n; continue; }
      if (r !== 'none') return result('internal', `unexpected CPU stop '${r}' ${v.cpu.stopDetail}`, v.id);
    }
    return result('budget');
  }
}
