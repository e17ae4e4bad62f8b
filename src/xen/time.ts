// Deterministic virtual time (the xen/arch/x86/time.c model, never the wall clock): one domain clock in virtual
// TSC ticks advanced by retired instructions (vCPUs time-share it), per-vCPU vcpu_time_info, shared_info wallclock.
//
// The virtual TSC runs at 1 GHz and one instruction is one tick (Cpu.tscPerInsn = 1), so system time (ns since
// the domain was built) equals the TSC: tsc_to_system_mul = 2^31, tsc_shift = 1. Only one vCPU runs at a time; on
// entry to its slice its Cpu.tscOffset is set so that its rdtsc continues the domain clock, hence every vCPU reads
// the same monotonic TSC and `system_time + ((tsc - tsc_timestamp) << shift) * mul >> 32` agrees across vCPUs.
// When every vCPU is blocked the run loop jumps the clock to the next timer deadline (advanceTo).

import type { MachineMemory } from '../cpu/memory';
import type { GuestKind } from './builder/elf-notes';
import type { Vcpu } from './vcpu';
import { copyToGuest } from './guest-access';
import { SHARED_INFO, VCPU_INFO, VCPU_TIME_INFO, XEN_PVCLOCK_TSC_STABLE_BIT } from './public';

export const TSC_HZ = 1_000_000_000;
export const TSC_TO_SYSTEM_MUL = 0x80000000;
export const TSC_SHIFT = 1;
/** Default boot wallclock: 2026-01-01T00:00:00Z. */
export const DEFAULT_WALLCLOCK_SEC = Date.UTC(2026, 0, 1) / 1000;

export interface TimeHost {
  readonly kind: GuestKind;
  readonly mem: MachineMemory;
  readonly sharedInfoPa: number;
}

export class VirtualTime {
  /** Domain clock (TSC ticks) while no vCPU is inside a slice. */
  private clock = 0;
  private running: Vcpu | null = null;

  constructor(private readonly host: TimeHost, readonly wallclockSec = DEFAULT_WALLCLOCK_SEC, readonly wallclockNsec = 0) {}

  /** The vCPU inside its slice, if any. */
  get current(): Vcpu | null { return this.running; }
  /** Current TSC: the running vCPU's (it advances per instruction), else the stored domain clock. */
  nowTsc(): number { return this.running ? this.running.cpu.tsc() : this.clock; }
  /** NOW(): system time in ns. */
  nowNs(): number { return tscToNs(this.nowTsc()); }

  /** Schedule v in: continue the domain clock on its TSC. */
  enter(v: Vcpu): void {
    const cpu = v.cpu;
    cpu.tscPerInsn = 1;
    cpu.tscOffset = this.clock - cpu.icount;
    this.running = v;
  }

  /** Schedule v out: the domain clock is where its TSC got to. */
  leave(v: Vcpu): void {
    if (this.running !== v) return;
    this.clock = v.cpu.tsc();
    this.running = null;
  }

  /** Jump the idle domain clock forward to `ns` (never backwards). */
  advanceTo(ns: number): void {
    if (this.running === null && ns > this.clock) this.clock = nsToTsc(ns);
  }

  /** update_vcpu_system_time: write v's vcpu_info.time (version odd while updating) and its secondary copy. */
  publish(v: Vcpu): void {
    const mem = this.host.mem;
    const pa = v.vcpuInfoPa + VCPU_INFO[this.host.kind].fields.time, f = VCPU_TIME_INFO.fields;
    const tsc = this.nowTsc(), ns = tscToNs(tsc);
    const version = mem.read32(pa + f.version);
    const odd = (version + 1) | 1;
    mem.write32(pa + f.version, odd >>> 0);
    mem.write64(pa + f.tsc_timestamp, tsc % 2 ** 32 | 0, Math.floor(tsc / 2 ** 32) | 0);
    mem.write64(pa + f.system_time, ns % 2 ** 32 | 0, Math.floor(ns / 2 ** 32) | 0);
    mem.write32(pa + f.tsc_to_system_mul, TSC_TO_SYSTEM_MUL);
    mem.write8(pa + f.tsc_shift, TSC_SHIFT & 0xff);
    mem.write8(pa + f.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
    mem.write32(pa + f.version, (odd + 1) >>> 0);
    if (v.timeAreaVa !== null) copyToGuest(v.cpu, v.timeAreaVa, mem.readBytes(pa, VCPU_TIME_INFO.size));
  }

  /** update_domain_wallclock_time: wc_sec/wc_nsec (+ wc_sec_hi) = the wallclock at system time 0. */
  publishWallclock(): void {
    const mem = this.host.mem, k = this.host.kind, f = SHARED_INFO[k].fields, sh = this.host.sharedInfoPa;
    const ver = mem.read32(sh + f.wc_version);
    const odd = (ver + 1) | 1;
    mem.write32(sh + f.wc_version, odd >>> 0);
    mem.write32(sh + f.wc_sec, this.wallclockSec % 2 ** 32);
    mem.write32(sh + f.wc_nsec, this.wallclockNsec >>> 0);
    mem.write32(sh + (k === 'pv64' ? f.wc_sec_hi : f['arch.wc_sec_hi']), Math.floor(this.wallclockSec / 2 ** 32));
    mem.write32(sh + f.wc_version, (odd + 1) >>> 0);
  }
}

/** 1 GHz: one TSC tick is one nanosecond. */
export function tscToNs(tsc: number): number { return tsc; }
export function nsToTsc(ns: number): number { return ns; }
