// event_channel_op and event_channel_op_compat (do_event_channel_op): copy the evtchn_* struct in, run the
// operation on the domain's EventChannels (2-level ABI), copy results out. Domain arguments name ourselves
// (DOMID_SELF or our id); dom0 exists only as the emulated backends, so naming it is -EPERM, anything else -ESRCH.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, GuestBuf } from '../guest-access';
import type { StructLayout } from '../public';
import {
  EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_bind_pirq, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status,
  EVTCHNOP_alloc_unbound, EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset, EVTCHNOP_reset_cont,
  EVTCHNOP_init_control, EVTCHNOP_expand_array, EVTCHNOP_set_priority, EVTCHNOP_NAMES, EVTCHN_ALLOC_UNBOUND,
  EVTCHN_BIND_INTERDOMAIN, EVTCHN_BIND_VIRQ, EVTCHN_BIND_PIRQ, EVTCHN_BIND_IPI, EVTCHN_CLOSE, EVTCHN_SEND, EVTCHN_STATUS,
  EVTCHN_BIND_VCPU, EVTCHN_UNMASK, EVTCHN_RESET, EVTCHN_INIT_CONTROL, EVTCHN_EXPAND_ARRAY, EVTCHN_SET_PRIORITY,
  DOMID_SELF, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, EOPNOTSUPP, virqName,
} from '../public';

/** Read a struct from the guest, or null with -EFAULT's diagnostic set. */
function readArg(c: HypercallContext, arg: number, l: StructLayout): GuestBuf | null {
  const b = copyFromGuest(c.cpu, arg, l.size);
  if (b === null) { c.diag = `struct ${l.name} at 0x${arg.toString(16)} not readable`; return null; }
  return new GuestBuf(b);
}

/** Write a u32 result field back; false (diag set) when the guest memory is not writable. */
function writeU32(c: HypercallContext, arg: number, l: StructLayout, field: string, value: number): boolean {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  const va = c.is64 ? arg + l.fields[field] : (arg + l.fields[field]) >>> 0;
  if (copyToGuest(c.cpu, va, out)) return true;
  c.diag = `struct ${l.name}.${field} not writable`;
  return false;
}

/** rcu_lock_domain_by_any_id + XSM for a domU: only ourselves. 0 = ok, else -errno with diag. */
function checkDom(c: HypercallContext, dom: number, what: string): number {
  if (dom === DOMID_SELF || dom === c.domain.domid) return 0;
  if (dom === 0) { c.diag = `${what}: d${c.domain.domid} is not privileged over d0`; return -EPERM; }
  c.diag = `${what}: no domain ${dom}`;
  return -ESRCH;
}

/** Run an allocation returning a port, store it in `field`, undo it when the result cannot be written. */
function allocPort(c: HypercallContext, arg: number, l: StructLayout, field: string, port: number): number {
  const ev = c.domain.evtchn;
  c.diag = ev.why;
  if (port < 0) return port;
  if (!writeU32(c, arg, l, field, port)) {
    ev.close(port);
    c.diag += `; port ${port} closed again`;
    return -EFAULT;
  }
  return 0;
}

export function evtchnOp(c: HypercallContext, cmd: number, arg: number): number {
  const ev = c.domain.evtchn;
  switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
      const g = readArg(c, arg, EVTCHN_ALLOC_UNBOUND);
      if (g === null) return -EFAULT;
      const rc = checkDom(c, g.u16(0), 'alloc_unbound');
      if (rc) return rc;
      return allocPort(c, arg, EVTCHN_ALLOC_UNBOUND, 'port', ev.allocUnbound(g.u16(2)));
    }
    case EVTCHNOP_bind_interdomain: {
      const g = readArg(c, arg, EVTCHN_BIND_INTERDOMAIN);
      if (g === null) return -EFAULT;
      const rdom = g.u16(0), rport = g.u32(4);
      if (rdom === 0) { c.diag = `d0 has no unbound port ${rport} offered to d${c.domain.domid} (its backends are pre-bound)`; return -EINVAL; }
      if (rdom !== DOMID_SELF && rdom !== c.domain.domid) { c.diag = `no domain ${rdom}`; return -ESRCH; }
      return allocPort(c, arg, EVTCHN_BIND_INTERDOMAIN, 'local_port', ev.bindInterdomainLocal(rport));
    }
    case EVTCHNOP_bind_virq: {
      const g = readArg(c, arg, EVTCHN_BIND_VIRQ);
      if (g === null) return -EFAULT;
      return allocPort(c, arg, EVTCHN_BIND_VIRQ, 'port', ev.bindVirq(g.view.getInt32(0, true), g.view.getInt32(4, true)));
    }
    case EVTCHNOP_bind_ipi: {
      const g = readArg(c, arg, EVTCHN_BIND_IPI);
      if (g === null) return -EFAULT;
      return allocPort(c, arg, EVTCHN_BIND_IPI, 'port', ev.bindIpi(g.u32(0)));
    }
    case EVTCHNOP_bind_pirq: {
      const g = readArg(c, arg, EVTCHN_BIND_PIRQ);
      if (g === null) return -EFAULT;
      c.diag = `pirq ${g.u32(0)}: d${c.domain.domid} has no physical IRQ access (no passthrough devices)`;
      return -EPERM;
    }
    case EVTCHNOP_close: {
      const g = readArg(c, arg, EVTCHN_CLOSE);
      if (g === null) return -EFAULT;
      const rc = ev.close(g.u32(0));
      c.diag = ev.why;
      return rc;
    }
    case EVTCHNOP_send: {
      const g = readArg(c, arg, EVTCHN_SEND);
      if (g === null) return -EFAULT;
      const rc = c.domain.evtchnSend(g.u32(0));
      c.diag = ev.why;
      return rc;
    }
    case EVTCHNOP_status: return status(c, arg);
    case EVTCHNOP_bind_vcpu: {
      const g = readArg(c, arg, EVTCHN_BIND_VCPU);
      if (g === null) return -EFAULT;
      const rc = ev.bindVcpu(g.u32(0), g.u32(4));
      c.diag = ev.why;
      return rc;
    }
    case EVTCHNOP_unmask: {
      const g = readArg(c, arg, EVTCHN_UNMASK);
      if (g === null) return -EFAULT;
      const rc = ev.unmask(g.u32(0));
      c.diag = ev.why;
      return rc;
    }
    case EVTCHNOP_reset: case EVTCHNOP_reset_cont: {
      const g = readArg(c, arg, EVTCHN_RESET);
      if (g === null) return -EFAULT;
      const rc = checkDom(c, g.u16(0), 'reset');
      if (rc) return rc;
      const r = ev.reset();
      c.diag = ev.why;
      return r;
    }
    case EVTCHNOP_init_control: {
      if (readArg(c, arg, EVTCHN_INIT_CONTROL) === null) return -EFAULT;
      c.diag = 'the FIFO event-channel ABI is not implemented: keep using the 2-level ABI';
      return -ENOSYS;
    }
    case EVTCHNOP_expand_array: {
      if (readArg(c, arg, EVTCHN_EXPAND_ARRAY) === null) return -EFAULT;
      c.diag = 'expand_array needs the FIFO ABI (init_control), which this domain does not use';
      return -EOPNOTSUPP;
    }
    case EVTCHNOP_set_priority: {
      const g = readArg(c, arg, EVTCHN_SET_PRIORITY);
      if (g === null) return -EFAULT;
      if (!ev.valid(g.u32(0))) { c.diag = `port ${g.u32(0)} out of range`; return -EINVAL; }
      c.diag = 'the 2-level ABI has no event priorities';
      return -ENOSYS;
    }
    default:
      c.diag = `unknown event_channel_op ${cmd}`;
      return -ENOSYS;
  }
}

function status(c: HypercallContext, arg: number): number {
  const l = EVTCHN_STATUS;
  const g = readArg(c, arg, l);
  if (g === null) return -EFAULT;
  const rc = checkDom(c, g.u16(0), 'status');
  if (rc) return rc;
  const port = g.u32(4);
  const st = c.domain.evtchn.status(port);
  if (typeof st === 'number') { c.diag = c.domain.evtchn.why; return st; }
  const out = new Uint8Array(g.bytes);
  const dv = new DataView(out.buffer);
  dv.setUint32(l.fields.status, st.status, true);
  dv.setUint32(l.fields.vcpu, st.vcpu, true);
  dv.setUint32(16, 0, true); dv.setUint32(20, 0, true);
  if (st.dom !== undefined) dv.setUint16(l.fields['u.unbound.dom'], st.dom, true);
  if (st.port !== undefined) dv.setUint32(l.fields['u.interdomain.port'], st.port, true);
  if (st.virq !== undefined) dv.setUint32(l.fields['u.virq'], st.virq, true);
  if (st.pirq !== undefined) dv.setUint32(l.fields['u.pirq'], st.pirq, true);
  if (!copyToGuest(c.cpu, arg, out)) { c.diag = 'struct evtchn_status not writable'; return -EFAULT; }
  c.diag = `port ${port}: ${c.domain.evtchn.stateName(port)}` + (st.virq !== undefined ? ` ${virqName(st.virq)}` : '') +
    (st.dom !== undefined ? ` d${st.dom}` : '') + (st.port !== undefined ? ` port ${st.port}` : '') + `, vCPU ${st.vcpu}`;
  return 0;
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
