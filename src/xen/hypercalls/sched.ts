// sched_op and sched_op_compat (do_sched_op): yield (ends the slice), block (enables event delivery first, wakes on
// an event or a timer), shutdown with a reason, shutdown_code, and poll (do_poll: ports, optional absolute timeout).

import type { HypercallContext } from './types';
import { copyFromGuest, GuestBuf } from '../guest-access';
import {
  SCHED_POLL,
  SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_poll, SCHEDOP_shutdown_code, SCHEDOP_remote_shutdown,
  SCHEDOP_watchdog, SHUTDOWN_NAMES, SHUTDOWN_soft_reset, EFAULT, EINVAL, ENOSYS, EPERM,
} from '../public';

export const SCHEDOP_NAMES = ['SCHEDOP_yield', 'SCHEDOP_block', 'SCHEDOP_shutdown', 'SCHEDOP_poll',
  'SCHEDOP_remote_shutdown', 'SCHEDOP_shutdown_code', 'SCHEDOP_watchdog', 'SCHEDOP_pin_override'];

function block(c: HypercallContext): number {
  // vcpu_block_enable_events: local_event_delivery_enable(); then block unless an event is already pending.
  c.vcpu.upcallMask = 0;
  if (c.vcpu.upcallPending) { c.diag = 'event pending: not blocked'; return 0; }
  c.domain.blockVcpu(c.vcpu);
  const t = c.vcpu.timers;
  c.diag = t.singleshot >= 0 ? `blocked until an event (single-shot timer at ${t.singleshot} ns)` : 'blocked until an event';
  return 0;
}

function yieldCpu(c: HypercallContext): number {
  c.cpu.requestStop('yield');
  return 0;
}

/** do_poll: block until one of the ports is pending, an unmasked event arrives, or the absolute timeout passes. */
function poll(c: HypercallContext, arg: number): number {
  const L = SCHED_POLL[c.vcpu.kind];
  const b = copyFromGuest(c.cpu, arg, L.size);
  if (b === null) { c.diag = 'struct sched_poll not readable'; return -EFAULT; }
  const g = new GuestBuf(b);
  const portsPtr = c.is64 ? g.s64(L.fields.ports) : g.u32(L.fields.ports);
  const nr = g.u32(L.fields.nr_ports);
  const timeout = g.u32(L.fields.timeout) + g.u32(L.fields.timeout + 4) * 2 ** 32;
  if (nr > 128) { c.diag = `nr_ports ${nr} > 128`; return -EINVAL; }
  const pb = copyFromGuest(c.cpu, portsPtr, nr * 4);
  if (pb === null) { c.diag = `ports array (${nr} entries) not readable`; return -EFAULT; }
  const pg = new GuestBuf(pb);
  const v = c.vcpu, ev = c.domain.evtchn;
  if (v.upcallPending && !v.upcallMask) { c.diag = 'unmasked event already pending: not blocked'; return 0; }
  let port = 0;
  for (let i = 0; i < nr; i++) {
    port = pg.u32(i * 4);
    if (!ev.valid(port)) { c.diag = `ports[${i}] = ${port} is not a valid port`; return -EINVAL; }
    if (ev.isPending(port)) { c.diag = `port ${port} pending: not blocked`; return 0; }
  }
  v.pollEvtchn = nr === 1 && port !== 0 ? port : -1;
  if (timeout !== 0) v.timers.pollDeadline = timeout;
  c.domain.blockVcpu(v);
  if (timeout !== 0) c.domain.timersChanged();
  c.diag = `polling ${nr === 1 ? `port ${port}` : `${nr} ports`}${timeout !== 0 ? ` until ${timeout} ns` : ''}: blocked`;
  return 0;
}

function shutdown(c: HypercallContext, reason: number): number {
  if (reason < 0 || reason > SHUTDOWN_soft_reset) { c.diag = `invalid shutdown reason ${reason}`; return -EINVAL; }
  c.domain.shutdown(reason);
  c.diag = `reason ${SHUTDOWN_NAMES[reason]}`;
  return 0;
}

export function doSchedOp(c: HypercallContext): number {
  const cmd = c.s32(0), arg = c.ptr(1);
  switch (cmd) {
    case SCHEDOP_yield: return yieldCpu(c);
    case SCHEDOP_block: return block(c);
    case SCHEDOP_shutdown: {
      const b = copyFromGuest(c.cpu, arg, 4);
      if (b === null) { c.diag = 'struct sched_shutdown not readable'; return -EFAULT; }
      return shutdown(c, new GuestBuf(b).u32(0));
    }
    case SCHEDOP_shutdown_code: {
      const b = copyFromGuest(c.cpu, arg, 4);
      if (b === null) { c.diag = 'struct sched_shutdown not readable'; return -EFAULT; }
      const reason = new GuestBuf(b).u32(0);
      if (reason > SHUTDOWN_soft_reset) { c.diag = `invalid shutdown reason ${reason}`; return -EINVAL; }
      c.domain.shutdownCode = reason;
      c.diag = `shutdown code ${SHUTDOWN_NAMES[reason]}`;
      return 0;
    }
    case SCHEDOP_poll: return poll(c, arg);
    case SCHEDOP_remote_shutdown:
      c.diag = 'remote_shutdown needs a privileged domain';
      return -EPERM;
    case SCHEDOP_watchdog:
      c.diag = 'watchdogs are not implemented';
      return -ENOSYS;
    default:
      c.diag = `unknown sched_op ${cmd}`;
      return -ENOSYS;
  }
}

/** sched_op_compat: the argument is the value itself (shutdown reason), not a pointer. */
export function doSchedOpCompat(c: HypercallContext): number {
  const cmd = c.s32(0);
  switch (cmd) {
    case SCHEDOP_yield: return yieldCpu(c);
    case SCHEDOP_block: return block(c);
    case SCHEDOP_shutdown: return shutdown(c, c.u32(1));
    default:
      c.diag = `unknown sched_op_compat ${cmd}`;
      return -ENOSYS;
  }
}

export function decodeSchedOp(c: HypercallContext): string {
  const cmd = c.s32(0);
  return `${SCHEDOP_NAMES[cmd] ?? `cmd ${cmd}`}, ${c.hex(1)}`;
}
