// sched_op and sched_op_compat (do_sched_op): yield, block (enables event delivery first), shutdown with a
// reason, shutdown_code, and a minimal poll (returns at once when a polled port is pending, else blocks).

import type { HypercallContext } from './types';
import { copyFromGuest, GuestBuf } from '../guest-access';
import {
  SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_poll, SCHEDOP_shutdown_code, SCHEDOP_remote_shutdown,
  SCHEDOP_watchdog, SHUTDOWN_NAMES, SHUTDOWN_soft_reset, EFAULT, EINVAL, ENOSYS, EPERM,
} from '../public';

export const SCHEDOP_NAMES = ['SCHEDOP_yield', 'SCHEDOP_block', 'SCHEDOP_shutdown', 'SCHEDOP_poll',
  'SCHEDOP_remote_shutdown', 'SCHEDOP_shutdown_code', 'SCHEDOP_watchdog', 'SCHEDOP_pin_override'];

function block(c: HypercallContext): number {
  // local_event_delivery_enable(); then block unless an event is already pending.
  c.vcpu.upcallMask = 0;
  if (c.vcpu.upcallPending) { c.diag = 'event pending: not blocked'; return 0; }
  c.domain.blockVcpu(c.vcpu);
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
    case SCHEDOP_yield: return 0;
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
    case SCHEDOP_poll: {
      // struct sched_poll { XEN_GUEST_HANDLE(evtchn_port_t) ports; unsigned int nr_ports; uint64_t timeout; }
      const size = c.is64 ? 24 : 16;
      const b = copyFromGuest(c.cpu, arg, size);
      if (b === null) { c.diag = 'struct sched_poll not readable'; return -EFAULT; }
      const g = new GuestBuf(b);
      const portsPtr = c.is64 ? g.s64(0) : g.u32(0);
      const nr = c.is64 ? g.u32(8) : g.u32(4);
      if (nr > 128) { c.diag = `nr_ports ${nr} > 128`; return -EINVAL; }
      const pb = copyFromGuest(c.cpu, portsPtr, nr * 4);
      if (pb === null) { c.diag = 'ports array not readable'; return -EFAULT; }
      const pg = new GuestBuf(pb);
      for (let i = 0; i < nr; i++) if (c.domain.evtchnPending(pg.u32(i * 4))) { c.diag = `port ${pg.u32(i * 4)} pending`; return 0; }
      c.domain.blockVcpu(c.vcpu);
      c.diag = 'no polled port pending: blocked';
      return 0;
    }
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
    case SCHEDOP_yield: return 0;
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
