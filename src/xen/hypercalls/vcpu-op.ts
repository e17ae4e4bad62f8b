// vcpu_op (do_vcpu_op / common_vcpu_op / compat_vcpu_op): bring vCPUs up and down, VCPUOP_initialise (see
// vcpu-context.ts), runstate queries and areas, single-shot and periodic timers, vcpu_info relocation, and the
// x86 extras (send_nmi, get_physid, time areas). Unknown commands give -ENOSYS.

import type { HypercallContext } from './types';
import type { Vcpu } from '../vcpu';
import { copyFromGuest, copyToGuest, GuestBuf } from '../guest-access';
import { setInfoGuest } from './vcpu-context';
import { encodeRunstate } from '../runstate';
import { periodicWork } from '../timers';
import { getPage, getPageType, putPage, addrOk, PGT_writable_page } from '../mm';
import { hexAddr } from '../../common/bits';
import {
  VCPUOP_initialise, VCPUOP_up, VCPUOP_down, VCPUOP_is_up, VCPUOP_get_runstate_info, VCPUOP_register_runstate_memory_area,
  VCPUOP_set_periodic_timer, VCPUOP_stop_periodic_timer, VCPUOP_set_singleshot_timer, VCPUOP_stop_singleshot_timer,
  VCPUOP_register_vcpu_info, VCPUOP_send_nmi, VCPUOP_get_physid, VCPUOP_register_vcpu_time_memory_area,
  VCPUOP_register_runstate_phys_area, VCPUOP_register_vcpu_time_phys_area, VCPUOP_NAMES, VCPU_GUEST_CONTEXT,
  VCPU_SET_SINGLESHOT_TIMER, VCPU_SET_PERIODIC_TIMER, VCPU_REGISTER_VCPU_INFO, VCPU_REGISTER_AREA, VCPU_INFO,
  VCPU_RUNSTATE_INFO, VCPU_TIME_INFO, HYPERVISOR_COMPAT_VIRT_START, VCPU_SSHOTTMR_future, MILLISECS_1, STIME_DELTA_MAX, RUNSTATE_NAMES, SHUTDOWN_poweroff,
  EFAULT, EINVAL, ENOENT, EEXIST, EBUSY, ENXIO, EACCES, ETIME, ENOSYS,
} from '../public';

function read(c: HypercallContext, arg: number, size: number, what: string): GuestBuf | null {
  const b = copyFromGuest(c.cpu, arg, size);
  if (b === null) { c.diag = `${what} at 0x${hexAddr(arg)} not readable`; return null; }
  return new GuestBuf(b);
}
const u64 = (g: GuestBuf, o: number): number => g.u32(o) + g.u32(o + 4) * 2 ** 32;

/** A guest handle for the register_*_memory_area ops: pv32 needs the upper half clear; then access_ok. */
function areaHandle(c: HypercallContext, arg: number, what: string, size: number): number | null {
  const g = read(c, arg, VCPU_REGISTER_AREA.size, what);
  if (g === null) return null;
  const va = c.is64 ? g.s64(0) : g.u32(0);
  if (!c.is64 && g.u32(4) !== 0) { c.diag = `${what}: address 0x${g.u32(4).toString(16)}${g.u32(0).toString(16).padStart(8, '0')} is not a 32-bit handle`; return null; }
  const end = va + size - 1;
  if (c.is64 ? !addrOk(va) || !addrOk(end) : end >= HYPERVISOR_COMPAT_VIRT_START) {
    c.diag = `${what}: 0x${hexAddr(va)} is not a guest address (inside Xen's area)`;
    return null;
  }
  return va;
}

export function doVcpuOp(c: HypercallContext): number {
  const cmd = c.s32(0), id = c.u32(1), arg = c.ptr(2);
  const d = c.domain;
  const v = d.vcpus[id];
  if (v === undefined) { c.diag = `no vCPU ${id} (domain has ${d.vcpus.length})`; return -ENOENT; }
  const now = d.time.nowNs();
  switch (cmd) {
    case VCPUOP_initialise: {
      const size = VCPU_GUEST_CONTEXT[v.kind].size;
      const b = copyFromGuest(c.cpu, arg, size);
      if (b === null) { c.diag = `vcpu_guest_context (${size} bytes) at 0x${hexAddr(arg)} not readable`; return -EFAULT; }
      if (v.initialised) { c.diag = `vCPU ${id} is already initialised`; return -EEXIST; }
      return setInfoGuest(c, v, b);
    }
    case VCPUOP_up:
      if (!v.initialised) { c.diag = `vCPU ${id} has no context yet (VCPUOP_initialise first)`; return -EINVAL; }
      c.diag = v.online ? `vCPU ${id} already up` : `vCPU ${id} up`;
      d.vcpuUp(v);
      return 0;
    case VCPUOP_down: {
      if (!d.vcpus.some((o) => o !== v && o.online)) {
        d.shutdown(SHUTDOWN_poweroff);
        c.diag = `vCPU ${id} was the last one up: domain shut down (poweroff)`;
        return 0;
      }
      d.vcpuDown(v);
      c.diag = `vCPU ${id} down`;
      return 0;
    }
    case VCPUOP_is_up:
      return v.online ? 1 : 0;
    case VCPUOP_get_runstate_info: {
      const r = v.runstate.snapshot(now);
      if (!copyToGuest(c.cpu, arg, encodeRunstate(v.kind, r))) { c.diag = 'vcpu_runstate_info not writable'; return -EFAULT; }
      c.diag = `vCPU ${id} ${RUNSTATE_NAMES[r.state]} since ${r.stateEntryTime} ns`;
      return 0;
    }
    case VCPUOP_register_runstate_memory_area: {
      const va = areaHandle(c, arg, 'vcpu_register_runstate_memory_area', VCPU_RUNSTATE_INFO[v.kind].size);
      if (va === null) return -EFAULT;
      v.runstateAreaVa = va;
      copyToGuest(c.cpu, va, encodeRunstate(v.kind, v.runstate.snapshot(now)));
      c.diag = `vCPU ${id} runstate at 0x${hexAddr(va)} (updated when it is scheduled)`;
      return 0;
    }
    case VCPUOP_register_vcpu_time_memory_area: {
      const va = areaHandle(c, arg, 'vcpu_register_time_memory_area', VCPU_TIME_INFO.size);
      if (va === null) return -EFAULT;
      v.timeAreaVa = va;
      d.time.publish(v);
      c.diag = `vCPU ${id} secondary vcpu_time_info at 0x${hexAddr(va)}`;
      return 0;
    }
    case VCPUOP_set_periodic_timer: {
      const g = read(c, arg, VCPU_SET_PERIODIC_TIMER.size, 'vcpu_set_periodic_timer');
      if (g === null) return -EFAULT;
      const period = u64(g, 0);
      if (period < MILLISECS_1) { c.diag = `period ${period} ns is below Xen's minimum of 1 ms`; return -EINVAL; }
      if (period > STIME_DELTA_MAX) { c.diag = `period ${period} ns exceeds STIME_DELTA_MAX`; return -EINVAL; }
      v.timers.periodic = period;
      periodicWork(d, v, now);
      d.timersChanged();
      c.diag = `vCPU ${id} periodic timer every ${period} ns, next at ${v.timers.periodicNext} ns (ticks only while it runs)`;
      return 0;
    }
    case VCPUOP_stop_periodic_timer:
      v.timers.periodic = 0;
      c.diag = `vCPU ${id} periodic timer stopped`;
      return 0;
    case VCPUOP_set_singleshot_timer: return setSingleshot(c, v, arg, now);
    case VCPUOP_stop_singleshot_timer:
      if (v !== c.vcpu) { c.diag = `only vCPU ${id} itself may stop its single-shot timer`; return -EINVAL; }
      v.timers.singleshot = -1;
      c.diag = 'single-shot timer stopped';
      return 0;
    case VCPUOP_register_vcpu_info: return registerVcpuInfo(c, v, arg);
    case VCPUOP_send_nmi:
      if (arg !== 0) { c.diag = 'send_nmi takes no argument (NULL)'; return -EINVAL; }
      c.diag = 'NMI delivery to PV vCPUs is not modelled';
      return -ENOSYS;
    case VCPUOP_get_physid:
      c.diag = `vCPU ${id} is not a pinned vCPU of the hardware domain: no physical CPU id`;
      return -EINVAL;
    case VCPUOP_register_runstate_phys_area: case VCPUOP_register_vcpu_time_phys_area:
      c.diag = `${VCPUOP_NAMES[cmd]} is not modelled (XENFEAT_runstate_phys_area / vcpu_time_phys_area are not offered)`;
      return -ENOSYS;
    default:
      c.diag = `unknown vcpu_op ${cmd}`;
      return -ENOSYS;
  }
}

function setSingleshot(c: HypercallContext, v: Vcpu, arg: number, now: number): number {
  if (v !== c.vcpu) { c.diag = `vCPU ${c.vcpu.id} may not set vCPU ${v.id}'s single-shot timer`; return -EINVAL; }
  const L = VCPU_SET_SINGLESHOT_TIMER[v.kind];
  const g = read(c, arg, L.size, 'vcpu_set_singleshot_timer');
  if (g === null) return -EFAULT;
  const timeout = u64(g, L.fields.timeout_abs_ns), flags = g.u32(L.fields.flags);
  if (timeout < now) {
    if (flags & VCPU_SSHOTTMR_future) {
      c.diag = `timeout ${timeout} ns is in the past (now ${now} ns) and VCPU_SSHOTTMR_future is set`;
      return -ETIME;
    }
    v.timers.singleshot = -1;
    v.timers.fired++;
    c.domain.sendTimerEvent(v);
    c.diag = `timeout ${timeout} ns already passed (now ${now} ns): timer event sent now`;
    return 0;
  }
  v.timers.singleshot = timeout;
  c.domain.timersChanged();
  c.diag = `vCPU ${v.id} single-shot timer at ${timeout} ns (in ${timeout - now} ns)`;
  return 0;
}

/** VCPUOP_register_vcpu_info + map_guest_area: move vcpu_info into a writable guest frame, once. */
function registerVcpuInfo(c: HypercallContext, v: Vcpu, arg: number): number {
  const g = read(c, arg, VCPU_REGISTER_VCPU_INFO.size, 'vcpu_register_vcpu_info');
  if (g === null) return -EFAULT;
  const mfn = u64(g, 0), offset = g.u32(8);
  const mm = c.domain.mm, size = VCPU_INFO[v.kind].size, align = v.is64 ? 8 : 4;
  if (offset >= 4096 || mfn >= 2 ** 40) { c.diag = `mfn 0x${mfn.toString(16)} + offset 0x${offset.toString(16)} is not an address in that frame`; return -EINVAL; }
  if (v.vcpuInfoArea !== null) { c.diag = `vCPU ${v.id} already registered its vcpu_info (mfn 0x${v.vcpuInfoArea.mfn.toString(16)})`; return -EBUSY; }
  if (offset + size > 4096) { c.diag = `vcpu_info at offset 0x${offset.toString(16)} would cross the page`; return -ENXIO; }
  if (offset % align) { c.diag = `offset 0x${offset.toString(16)} is not ${align}-byte aligned`; return -ENXIO; }
  const mark = mm.diag.mark();
  if (!getPage(mm, mfn, c.domain.mmDomain)) {
    c.noteMm(mm.diag.firstSince(mark));
    c.diag = `mfn 0x${mfn.toString(16)} is not a page of d${c.domain.domid}`;
    return -EINVAL;
  }
  if (getPageType(mm, mfn, PGT_writable_page) !== 0) {
    putPage(mm, mfn);
    c.noteMm(mm.diag.firstSince(mark));
    c.diag = `mfn 0x${mfn.toString(16)} cannot be written (it is a page table or descriptor page)`;
    return -EACCES;
  }
  const mem = c.domain.mem, old = v.vcpuInfoPa, pa = mfn * 4096 + offset;
  mem.writeBytes(pa, mem.readBytes(old, size));
  v.vcpuInfoArea = { mfn, offset };
  // Mark everything pending so that nothing gets lost across the move (a spurious upcall the guest copes with).
  const sel = pa + VCPU_INFO[v.kind].fields.evtchn_pending_sel;
  mem.write32(sel, 0xffffffff);
  if (v.is64) mem.write32(sel + 4, 0xffffffff);
  c.domain.evtchn.markEventsPending(v.id);
  c.domain.time.publish(v);
  c.diag = `vCPU ${v.id} vcpu_info now at mfn 0x${mfn.toString(16)} + 0x${offset.toString(16)}`;
  return 0;
}

export function decodeVcpuOp(c: HypercallContext): string {
  const cmd = c.s32(0);
  return `${VCPUOP_NAMES[cmd] ?? `cmd ${cmd}`}, vCPU ${c.u32(1)}, ${c.hex(2)}`;
}
