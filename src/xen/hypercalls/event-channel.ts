// event_channel_op (minimal): EVTCHNOP_send on the console port drains the console ring (the backend then
// notifies back: the port becomes pending); the xenstore port is accepted; other ports are not bound (-EINVAL).
// Full event channels (bind, unmask, upcalls) come later.

import type { HypercallContext } from './types';
import { copyFromGuest, GuestBuf } from '../guest-access';
import { EVTCHNOP_send, EFAULT, EINVAL, ENOSYS } from '../public';

const EVTCHNOP_NAMES = ['EVTCHNOP_bind_interdomain', 'EVTCHNOP_bind_virq', 'EVTCHNOP_bind_pirq', 'EVTCHNOP_close',
  'EVTCHNOP_send', 'EVTCHNOP_status', 'EVTCHNOP_alloc_unbound', 'EVTCHNOP_bind_ipi', 'EVTCHNOP_bind_vcpu', 'EVTCHNOP_unmask'];

export function evtchnOp(c: HypercallContext, cmd: number, arg: number): number {
  switch (cmd) {
    case EVTCHNOP_send: {
      const b = copyFromGuest(c.cpu, arg, 4);
      if (b === null) { c.diag = 'struct evtchn_send not readable'; return -EFAULT; }
      const port = new GuestBuf(b).u32(0);
      const r = c.domain.evtchnSend(port);
      c.diag = r === 0 ? `port ${port}` : `port ${port} is not bound`;
      return r;
    }
    default:
      c.diag = `${EVTCHNOP_NAMES[cmd] ?? `cmd ${cmd}`} not implemented yet`;
      return -ENOSYS;
  }
}

export function doEventChannelOp(c: HypercallContext): number { return evtchnOp(c, c.s32(0), c.ptr(1)); }

/** event_channel_op_compat: one pointer to struct evtchn_op { uint32_t cmd; union u; }. */
export function doEventChannelOpCompat(c: HypercallContext): number {
  const arg = c.ptr(0);
  const b = copyFromGuest(c.cpu, arg, 4);
  if (b === null) { c.diag = 'struct evtchn_op not readable'; return -EFAULT; }
  const cmd = new GuestBuf(b).u32(0);
  return evtchnOp(c, cmd, c.is64 ? arg + 4 : (arg + 4) >>> 0);
}

export function decodeEventChannelOp(c: HypercallContext): string {
  const cmd = c.s32(0);
  return `${EVTCHNOP_NAMES[cmd] ?? `cmd ${cmd}`}, ${c.hex(1)}`;
}

export { EINVAL };
