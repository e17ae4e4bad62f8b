// set_timer_op (do_set_timer_op, sched/core.c): arm or stop the caller's single-shot timer at an absolute system
// time in ns (pv64: one 64-bit argument; pv32: low and high halves). Wrapped or absurdly distant timeouts get
// Xen's Linux workaround: a timer event 100 ms from now.

import type { HypercallContext } from './types';
import { TWO32 } from '../../common/bits';

/** 2^50 ns (about 13 days): the distance beyond which set_timer_op treats a timeout as a wrapped value. */
const HUGE_TIMEOUT_NS = 2 ** 50;
const HUNDRED_MS = 100_000_000;

/** The s_time_t argument: pv64 rdi; pv32 (ebx = low, ecx = high). */
function timeoutArg(c: HypercallContext): number {
  return c.is64 ? (c.hi[0] | 0) * TWO32 + (c.lo[0] >>> 0) : (c.lo[1] | 0) * TWO32 + (c.lo[0] >>> 0);
}

export function doSetTimerOp(c: HypercallContext): number {
  const v = c.vcpu, now = c.domain.time.nowNs();
  const timeout = timeoutArg(c);
  if (timeout === 0) {
    v.timers.singleshot = -1;
    c.diag = 'single-shot timer stopped';
    return 0;
  }
  const offset = timeout - now;
  if (timeout < 0 || offset >= HUGE_TIMEOUT_NS) {
    v.timers.singleshot = now + HUNDRED_MS;
    c.diag = `huge timeout ${timeout} ns (now ${now}): timer event in 100 ms instead, at ${v.timers.singleshot} ns`;
  } else {
    v.timers.singleshot = timeout;
    c.diag = offset <= 0 ? `timeout ${timeout} ns already passed (now ${now}): timer event now` : `vCPU ${v.id} timer at ${timeout} ns (in ${offset} ns)`;
  }
  c.domain.timersChanged();
  return 0;
}

export function decodeSetTimerOp(c: HypercallContext): string {
  const t = timeoutArg(c);
  return t === 0 ? '0 (stop)' : `${t} ns`;
}
