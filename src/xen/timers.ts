// Per-vCPU timers on the virtual clock (xen/common/sched/core.c): the single-shot timer (set_timer_op,
// VCPUOP_set_singleshot_timer), the periodic timer (PV default 10 ms; like Xen it is stopped while its vCPU is
// descheduled and catches up when scheduled in) and the SCHEDOP_poll timeout. Expiry raises VIRQ_TIMER.

import type { Vcpu } from './vcpu';
import { PV_DEFAULT_PERIODIC_NS } from './public';

export class VcpuTimers {
  /** Single-shot deadline (system time, ns); -1 = stopped. */
  singleshot = -1;
  /** Periodic period (ns; 0 = stopped) and the system time of its last event (periodic_last_event). */
  periodic = PV_DEFAULT_PERIODIC_NS;
  periodicLast = 0;
  /** SCHEDOP_poll timeout (ns); -1 = none. */
  pollDeadline = -1;
  /** Timer events sent to this vCPU (single-shot + periodic), for the debugger and tests. */
  fired = 0;

  get periodicNext(): number { return this.periodic ? this.periodicLast + this.periodic : -1; }
}

export interface TimerHost {
  readonly vcpus: readonly Vcpu[];
  /** send_timer_event: send_guest_vcpu_virq(v, VIRQ_TIMER). */
  sendTimerEvent(v: Vcpu): void;
  /** poll_timer_fn: end v's SCHEDOP_poll. */
  pollTimeout(v: Vcpu): void;
}

/** vcpu_periodic_timer_work: send a tick when a period has passed since the last one. */
export function periodicWork(h: TimerHost, v: Vcpu, now: number): void {
  const t = v.timers;
  if (t.periodic === 0 || now < t.periodicLast + t.periodic) return;
  t.periodicLast = now;
  t.fired++;
  h.sendTimerEvent(v);
}

/**
 * Fire every timer expired at `now`, in vCPU order (deterministic). The periodic timer only ticks for `scheduled`
 * (the vCPU that is, or just was, running). Returns how many timers fired.
 */
export function fireDueTimers(h: TimerHost, now: number, scheduled: Vcpu | null): number {
  let n = 0;
  for (const v of h.vcpus) {
    const t = v.timers;
    if (t.singleshot >= 0 && t.singleshot <= now) { t.singleshot = -1; t.fired++; n++; h.sendTimerEvent(v); }
    if (t.pollDeadline >= 0 && t.pollDeadline <= now) { t.pollDeadline = -1; n++; h.pollTimeout(v); }
  }
  if (scheduled !== null) {
    const before = scheduled.timers.fired;
    periodicWork(h, scheduled, now);
    n += scheduled.timers.fired - before;
  }
  return n;
}

/** Earliest deadline of any single-shot or poll timer, plus the periodic timer of `scheduled`; -1 = none. */
export function nextDeadline(h: TimerHost, scheduled: Vcpu | null): number {
  let best = -1;
  const take = (d: number): void => { if (d >= 0 && (best < 0 || d < best)) best = d; };
  for (const v of h.vcpus) { take(v.timers.singleshot); take(v.timers.pollDeadline); }
  if (scheduled !== null) take(scheduled.timers.periodicNext);
  return best;
}
