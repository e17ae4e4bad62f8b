// A domain's event channels with the 2-level ABI (xen/common/event_channel.c + event_2l.c): port states and
// bindings, per-vCPU VIRQ tables, and the shared_info pending/mask bitmaps with evtchn_pending_sel and
// evtchn_upcall_pending in the notify vCPU's vcpu_info. Interdomain ports end at emulated dom0 backends.

import type { MachineMemory } from '../cpu/memory';
import type { GuestKind } from './builder/elf-notes';
import {
  SHARED_INFO, VCPU_INFO, EVTCHN_2L_NR_CHANNELS_PV64, EVTCHN_2L_NR_CHANNELS_PV32, NR_VIRQS, EVTCHNSTAT_closed,
  EVTCHNSTAT_unbound, EVTCHNSTAT_interdomain, EVTCHNSTAT_pirq, EVTCHNSTAT_virq, EVTCHNSTAT_ipi, DOMID_SELF,
  EINVAL, ENOENT, EEXIST, ENOSPC, EBUSY, virqType, virqName,
} from './public';

/** Xen's ECS_* channel states. */
export const ECS_FREE = 0, ECS_RESERVED = 1, ECS_UNBOUND = 2, ECS_INTERDOMAIN = 3, ECS_PIRQ = 4, ECS_VIRQ = 5, ECS_IPI = 6;
const STATE_NAMES = ['free', 'reserved', 'unbound', 'interdomain', 'pirq', 'virq', 'ipi'] as const;

export type EvtchnState = 'unbound' | 'interdomain' | 'virq' | 'ipi' | 'pirq';

/** One bound port as the debugger shows it. */
export interface EvtchnInfo {
  port: number;
  state: EvtchnState;
  /** Notify vCPU (the vCPU whose vcpu_info gets the selector bit and the upcall). */
  vcpu: number;
  remoteDomain?: number;
  remotePort?: number;
  virq?: number;
  virqName?: string;
  pending: boolean;
  masked: boolean;
  /** The emulated backend at the other end of an interdomain port ('console', 'xenstore'). */
  backend?: string;
}

/** struct evtchn_status contents. */
export interface EvtchnStatus { status: number; vcpu: number; dom?: number; port?: number; virq?: number; pirq?: number; }

/** What the event channels need from their domain. */
export interface EvtchnHost {
  readonly kind: GuestKind;
  readonly mem: MachineMemory;
  readonly domid: number;
  readonly sharedInfoPa: number;
  readonly vcpuCount: number;
  /** Machine address of vCPU `id`'s vcpu_info (follows VCPUOP_register_vcpu_info). */
  vcpuInfoPaOf(id: number): number;
  /** vcpu_kick: vCPU `id`'s evtchn_upcall_pending went 0 -> 1. */
  kick(id: number): void;
  /** evtchn_check_pollers: wake vCPUs polling `port` (SCHEDOP_poll). */
  checkPollers(port: number): void;
}

/** Called when the guest sends on an interdomain port whose remote end is an emulated backend. */
export type BackendHandler = (port: number) => void;

export class EventChannels {
  /** Ports of the 2-level ABI: 64*64 (pv64) or 32*32 (pv32). */
  readonly nr: number;
  /** Bits per xen_ulong_t word (selector granularity). */
  readonly wordBits: number;
  private readonly state: Uint8Array;
  private readonly notify: Uint16Array;
  private readonly remoteDom: Int32Array;
  private readonly remotePort: Int32Array;
  private readonly virq: Int8Array;
  private readonly virqToEvtchn: Int32Array;
  private readonly backends = new Map<number, { name: string; handler: BackendHandler }>();
  /** Why the last operation failed (or what it did), for the hypercall log. */
  why = '';

  constructor(private readonly host: EvtchnHost) {
    this.nr = host.kind === 'pv64' ? EVTCHN_2L_NR_CHANNELS_PV64 : EVTCHN_2L_NR_CHANNELS_PV32;
    this.wordBits = host.kind === 'pv64' ? 64 : 32;
    this.state = new Uint8Array(this.nr);
    this.notify = new Uint16Array(this.nr);
    this.remoteDom = new Int32Array(this.nr);
    this.remotePort = new Int32Array(this.nr);
    this.virq = new Int8Array(this.nr);
    this.virqToEvtchn = new Int32Array(host.vcpuCount * NR_VIRQS);
    this.state[0] = ECS_RESERVED; // evtchn_init: port 0 is never handed out
  }

  private fail(rc: number, why: string): number { this.why = why; return rc; }
  valid(port: number): boolean { return Number.isInteger(port) && port >= 0 && port < this.nr; }
  stateName(port: number): string { return this.valid(port) ? STATE_NAMES[this.state[port]] : 'invalid'; }
  notifyVcpu(port: number): number { return this.notify[port]; }

  // ---- 2-level bitmaps (event_2l.c) ----
  private pendingPa(): number { return this.host.sharedInfoPa + SHARED_INFO[this.host.kind].fields.evtchn_pending; }
  private maskPa(): number { return this.host.sharedInfoPa + SHARED_INFO[this.host.kind].fields.evtchn_mask; }
  private testBit(base: number, n: number): boolean { return (this.host.mem.read8(base + (n >> 3)) & (1 << (n & 7))) !== 0; }
  private testAndSet(base: number, n: number): boolean {
    const a = base + (n >> 3), b = this.host.mem.read8(a), m = 1 << (n & 7);
    if (!(b & m)) this.host.mem.write8(a, b | m);
    return (b & m) !== 0;
  }
  private testAndClear(base: number, n: number): boolean {
    const a = base + (n >> 3), b = this.host.mem.read8(a), m = 1 << (n & 7);
    if (b & m) this.host.mem.write8(a, b & ~m);
    return (b & m) !== 0;
  }

  isPending(port: number): boolean { return this.valid(port) && this.testBit(this.pendingPa(), port); }
  isMasked(port: number): boolean { return this.valid(port) && this.testBit(this.maskPa(), port); }

  /** vcpu_mark_events_pending: set evtchn_upcall_pending and kick the vCPU on a 0 -> 1 transition. */
  markEventsPending(vcpu: number): void {
    const pa = this.host.vcpuInfoPaOf(vcpu) + VCPU_INFO[this.host.kind].fields.evtchn_upcall_pending;
    if (this.testAndSet(pa, 0)) return;
    this.host.kick(vcpu);
  }

  /** evtchn_2l_set_pending on vCPU `vcpu`. */
  private setPendingOn(vcpu: number, port: number): void {
    if (this.testAndSet(this.pendingPa(), port)) return;
    const sel = this.host.vcpuInfoPaOf(vcpu) + VCPU_INFO[this.host.kind].fields.evtchn_pending_sel;
    if (!this.testBit(this.maskPa(), port) && !this.testAndSet(sel, Math.floor(port / this.wordBits))) this.markEventsPending(vcpu);
    this.host.checkPollers(port);
  }

  /** evtchn_port_set_pending on the channel's notify vCPU (IPI send, backend notification). */
  setPending(port: number): void { if (this.valid(port)) this.setPendingOn(this.notify[port], port); }

  /** evtchn_2l_unmask: clear the mask; a pending port then sets the selector and the upcall on its notify vCPU. */
  unmask(port: number): number {
    if (!this.valid(port)) return this.fail(-EINVAL, `port ${port} out of range (0..${this.nr - 1})`);
    const v = this.notify[port];
    const sel = this.host.vcpuInfoPaOf(v) + VCPU_INFO[this.host.kind].fields.evtchn_pending_sel;
    const wasMasked = this.testAndClear(this.maskPa(), port);
    if (wasMasked && this.testBit(this.pendingPa(), port) && !this.testAndSet(sel, Math.floor(port / this.wordBits))) {
      this.markEventsPending(v);
      this.why = `port ${port} unmasked while pending: upcall raised on vCPU ${v}`;
    } else this.why = `port ${port} ${wasMasked ? 'unmasked' : 'was not masked'}`;
    return 0;
  }

  // ---- allocation and binding ----
  private getFreePort(): number {
    for (let p = 1; p < this.nr; p++) if (this.state[p] === ECS_FREE) return p;
    return this.fail(-ENOSPC, `all ${this.nr - 1} ports are in use`);
  }

  /** evtchn_alloc_unbound (the caller checked `dom`). */
  allocUnbound(remoteDom: number): number {
    const port = this.getFreePort();
    if (port < 0) return port;
    this.state[port] = ECS_UNBOUND;
    this.notify[port] = 0;
    this.remoteDom[port] = remoteDom === DOMID_SELF ? this.host.domid : remoteDom;
    this.why = `port ${port} unbound, for d${this.remoteDom[port]}`;
    return port;
  }

  /** A start-of-day interdomain port to an emulated backend in domain `remoteDom` (console, xenstore). */
  bindBackend(port: number, remoteDom: number, remotePort: number, name: string, handler: BackendHandler): void {
    this.state[port] = ECS_INTERDOMAIN;
    this.notify[port] = 0;
    this.remoteDom[port] = remoteDom;
    this.remotePort[port] = remotePort;
    this.backends.set(port, { name, handler });
  }

  /** Replace the backend behind an interdomain port (e.g. a xenstore implementation). */
  setBackend(port: number, name: string, handler: BackendHandler): void {
    if (this.valid(port) && this.state[port] === ECS_INTERDOMAIN) this.backends.set(port, { name, handler });
  }

  /**
   * evtchn_bind_interdomain with this domain as the remote end (loopback): `rport` must be unbound and offered to
   * us. Both ends become interdomain; the new local port is marked pending (Xen's conservative notification).
   */
  bindInterdomainLocal(rport: number): number {
    if (!this.valid(rport)) return this.fail(-EINVAL, `remote port ${rport} out of range (0..${this.nr - 1})`);
    if (this.state[rport] !== ECS_UNBOUND || this.remoteDom[rport] !== this.host.domid) {
      return this.fail(-EINVAL, `remote port ${rport} is ${this.stateName(rport)}${this.state[rport] === ECS_UNBOUND ? ` for d${this.remoteDom[rport]}` : ''}, not unbound for d${this.host.domid}`);
    }
    const port = this.getFreePort();
    if (port < 0) return port;
    this.state[port] = ECS_INTERDOMAIN; this.notify[port] = 0;
    this.remoteDom[port] = this.host.domid; this.remotePort[port] = rport;
    this.state[rport] = ECS_INTERDOMAIN; this.remotePort[rport] = port;
    this.setPending(port);
    this.why = `port ${port} <-> d${this.host.domid} port ${rport}`;
    return port;
  }

  /** evtchn_bind_virq. */
  bindVirq(virq: number, vcpu: number): number {
    if (!Number.isInteger(virq) || virq < 0 || virq >= NR_VIRQS) return this.fail(-EINVAL, `virq ${virq} out of range (0..${NR_VIRQS - 1})`);
    const type = virqType(virq);
    if (type !== 'vcpu' && vcpu !== 0) return this.fail(-EINVAL, `${virqName(virq)} is a ${type} VIRQ: it binds on vCPU 0 only (asked ${vcpu})`);
    if (vcpu < 0 || vcpu >= this.host.vcpuCount) return this.fail(-ENOENT, `no vCPU ${vcpu} (domain has ${this.host.vcpuCount})`);
    if (type === 'global') return this.fail(-EBUSY, `${virqName(virq)} is a global VIRQ and its handler is dom0, not d${this.host.domid}`);
    const slot = vcpu * NR_VIRQS + virq;
    if (this.virqToEvtchn[slot] !== 0) return this.fail(-EEXIST, `${virqName(virq)} already bound on vCPU ${vcpu} to port ${this.virqToEvtchn[slot]}`);
    const port = this.getFreePort();
    if (port < 0) return port;
    this.state[port] = ECS_VIRQ;
    this.notify[port] = vcpu;
    this.virq[port] = virq;
    this.virqToEvtchn[slot] = port;
    this.why = `${virqName(virq)} on vCPU ${vcpu} -> port ${port}`;
    return port;
  }

  /** evtchn_bind_ipi. */
  bindIpi(vcpu: number): number {
    if (vcpu < 0 || vcpu >= this.host.vcpuCount) return this.fail(-ENOENT, `no vCPU ${vcpu} (domain has ${this.host.vcpuCount})`);
    const port = this.getFreePort();
    if (port < 0) return port;
    this.state[port] = ECS_IPI;
    this.notify[port] = vcpu;
    this.why = `IPI to vCPU ${vcpu} -> port ${port}`;
    return port;
  }

  /** evtchn_bind_vcpu: VIRQ (non per-vCPU), unbound and interdomain ports may change their notify vCPU. */
  bindVcpu(port: number, vcpu: number): number {
    if (vcpu < 0 || vcpu >= this.host.vcpuCount) return this.fail(-ENOENT, `no vCPU ${vcpu} (domain has ${this.host.vcpuCount})`);
    if (!this.valid(port)) return this.fail(-EINVAL, `port ${port} out of range (0..${this.nr - 1})`);
    switch (this.state[port]) {
      case ECS_VIRQ:
        if (virqType(this.virq[port]) === 'vcpu') return this.fail(-EINVAL, `port ${port} is per-vCPU ${virqName(this.virq[port])}: rebind it with bind_virq instead`);
        break;
      case ECS_UNBOUND: case ECS_INTERDOMAIN: break;
      default: return this.fail(-EINVAL, `port ${port} is ${this.stateName(port)}: only VIRQ, unbound and interdomain ports can move`);
    }
    this.notify[port] = vcpu;
    this.why = `port ${port} now notifies vCPU ${vcpu}`;
    return 0;
  }

  /** evtchn_close (guest request). */
  close(port: number): number {
    if (!this.valid(port)) return this.fail(-EINVAL, `port ${port} out of range (0..${this.nr - 1})`);
    const st = this.state[port];
    if (st === ECS_FREE || st === ECS_RESERVED) return this.fail(-EINVAL, `port ${port} is ${this.stateName(port)}`);
    if (st === ECS_VIRQ) {
      const v = virqType(this.virq[port]) === 'vcpu' ? this.notify[port] : 0;
      this.virqToEvtchn[v * NR_VIRQS + this.virq[port]] = 0;
    }
    const was = this.stateName(port);
    if (st === ECS_INTERDOMAIN) {
      this.backends.delete(port);
      const rp = this.remotePort[port];
      // A loopback channel: the other end goes back to unbound, offered to us again.
      if (this.remoteDom[port] === this.host.domid && this.state[rp] === ECS_INTERDOMAIN && this.remotePort[rp] === port) {
        this.state[rp] = ECS_UNBOUND;
        this.remotePort[rp] = 0;
      }
    }
    this.free(port);
    this.why = `port ${port} (${was}) closed`;
    return 0;
  }

  /** evtchn_free: clear the pending bit, back to free, notify vCPU 0. */
  private free(port: number): void {
    this.testAndClear(this.pendingPa(), port);
    this.state[port] = ECS_FREE;
    this.notify[port] = 0;
    this.virq[port] = 0;
    this.remoteDom[port] = 0;
    this.remotePort[port] = 0;
  }

  /** evtchn_send: interdomain -> the remote end (our backends), IPI -> set pending, unbound -> dropped. */
  send(port: number): number {
    if (!this.valid(port)) return this.fail(-EINVAL, `port ${port} out of range (0..${this.nr - 1})`);
    switch (this.state[port]) {
      case ECS_INTERDOMAIN: {
        const be = this.backends.get(port);
        if (!be && this.remoteDom[port] === this.host.domid) {
          this.setPending(this.remotePort[port]);
          this.why = `port ${port}: to our port ${this.remotePort[port]} (vCPU ${this.notify[this.remotePort[port]]})`;
          return 0;
        }
        // The emulated backend is named in the port list (describe()); the log keeps the plain "port N".
        this.why = be ? `port ${port}` : `port ${port}: d${this.remoteDom[port]} port ${this.remotePort[port]} has no emulated backend (dropped)`;
        be?.handler(port);
        return 0;
      }
      case ECS_IPI:
        this.setPending(port);
        this.why = `port ${port}: IPI to vCPU ${this.notify[port]}`;
        return 0;
      case ECS_UNBOUND:
        this.why = `port ${port}: unbound, notification silently dropped`;
        return 0;
      default:
        return this.fail(-EINVAL, `port ${port} is ${this.stateName(port)}: cannot send on it`);
    }
  }

  /** evtchn_status for this domain. */
  status(port: number): EvtchnStatus | number {
    if (!this.valid(port)) return this.fail(-EINVAL, `port ${port} out of range (0..${this.nr - 1})`);
    const vcpu = this.notify[port];
    switch (this.state[port]) {
      case ECS_UNBOUND: return { status: EVTCHNSTAT_unbound, vcpu, dom: this.remoteDom[port] };
      case ECS_INTERDOMAIN: return { status: EVTCHNSTAT_interdomain, vcpu, dom: this.remoteDom[port], port: this.remotePort[port] };
      case ECS_PIRQ: return { status: EVTCHNSTAT_pirq, vcpu, pirq: 0 };
      case ECS_VIRQ: return { status: EVTCHNSTAT_virq, vcpu, virq: this.virq[port] };
      case ECS_IPI: return { status: EVTCHNSTAT_ipi, vcpu };
      default: return { status: EVTCHNSTAT_closed, vcpu };
    }
  }

  /** send_guest_vcpu_virq / send_guest_domain_virq: raise `virq` if the guest bound it. Returns the port or 0. */
  sendVirq(vcpu: number, virq: number): number {
    if (virqType(virq) === 'vcpu') {
      const port = this.virqToEvtchn[vcpu * NR_VIRQS + virq];
      if (port !== 0) this.setPendingOn(vcpu, port);
      return port;
    }
    const port = this.virqToEvtchn[virq];
    if (port !== 0) this.setPending(port);
    return port;
  }

  /** The port bound to `virq` on `vcpu` (0 = none). */
  virqPort(vcpu: number, virq: number): number {
    return this.virqToEvtchn[(virqType(virq) === 'vcpu' ? vcpu : 0) * NR_VIRQS + virq];
  }

  /** evtchn_reset on ourselves: close every port (start-of-day backends included, as on Xen). */
  reset(): number {
    let n = 0;
    for (let p = 1; p < this.nr; p++) {
      if (this.state[p] !== ECS_FREE && this.state[p] !== ECS_RESERVED) { this.close(p); n++; }
    }
    this.why = `${n} port${n === 1 ? '' : 's'} closed`;
    return 0;
  }

  /** Every bound port, for the debugger. */
  describe(): EvtchnInfo[] {
    const out: EvtchnInfo[] = [];
    for (let p = 0; p < this.nr; p++) {
      const st = this.state[p];
      if (st === ECS_FREE || st === ECS_RESERVED) continue;
      const e: EvtchnInfo = { port: p, state: STATE_NAMES[st] as EvtchnState, vcpu: this.notify[p], pending: this.isPending(p), masked: this.isMasked(p) };
      if (st === ECS_UNBOUND) e.remoteDomain = this.remoteDom[p];
      if (st === ECS_INTERDOMAIN) {
        e.remoteDomain = this.remoteDom[p]; e.remotePort = this.remotePort[p];
        const be = this.backends.get(p);
        if (be) e.backend = be.name;
      }
      if (st === ECS_VIRQ) { e.virq = this.virq[p]; e.virqName = virqName(this.virq[p]); }
      out.push(e);
    }
    return out;
  }
}
