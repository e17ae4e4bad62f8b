// grant_table_op (do_grant_table_op / compat_grant_table_op): setup_table, query_size, set_version, get_version and
// get_status_frames with Xen's checks — most failures land in the op's `status` (GNTST_*) while the hypercall
// returns 0; -EINVAL/-EFAULT for a bad count or pointer. Grant mapping/copy/transfer ops give -ENOSYS here.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, GuestBuf } from '../guest-access';
import { grantTableOf } from '../grant-table';
import {
  GNTTABOP_setup_table, GNTTABOP_query_size, GNTTABOP_set_version, GNTTABOP_get_version, GNTTABOP_get_status_frames,
  GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_transfer, GNTTABOP_copy, GNTTABOP_unmap_and_replace,
  GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush, GNTST_okay, GNTST_general_error, GNTST_bad_domain,
  GNTST_permission_denied, GNTST_bad_virt_addr, GNTST_address_too_big, DOMID_SELF, HYPERVISOR_VIRT_END,
  HYPERVISOR_COMPAT_VIRT_START, EINVAL, EFAULT, ENOSYS, ESRCH, EPERM,
} from '../public';
import {
  GNTTAB_SETUP_TABLE, GNTTAB_QUERY_SIZE, GNTTAB_SET_VERSION, GNTTAB_GET_VERSION, GNTTAB_GET_STATUS_FRAMES,
  GNTTABOP_NAMES, GNTTABOP_CMD_MASK,
} from '../public/grant-table';

/** guest_handle_okay / array_access_ok: pv64 checks the start address only; compat checks the whole range. */
export function guestHandleOkay(c: HypercallContext, addr: number, count: number, size: number): boolean {
  if (c.is64) return (addr >= 0 && addr < 2 ** 47) || (addr >= HYPERVISOR_VIRT_END && addr < 0);
  if (count >= Math.floor(0xffffffff / size)) return false;
  const bytes = count * size;
  return (addr >>> 0) + (bytes ? bytes - 1 : 0) < HYPERVISOR_COMPAT_VIRT_START;
}

/** rcu_lock_domain_by_any_id + an XSM_TARGET check: 'self', 'other' (exists, not ours: dom0 always does), or null. */
export function domainByAnyId(c: HypercallContext, domid: number): 'self' | 'other' | null {
  if (domid === DOMID_SELF || domid === c.domain.domid) return 'self';
  if (domid === 0 || c.domain.mm.domains.has(domid)) return 'other';
  return null;
}

/** Guest address base + off in the guest's address width. */
export function guestAt(c: HypercallContext, base: number, off: number): number {
  return c.is64 ? base + off : (base + off) >>> 0;
}

function s16(v: number): Uint8Array { const b = new Uint8Array(2); new DataView(b.buffer).setInt16(0, v, true); return b; }
function u32(v: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; }
function u64(v: number): Uint8Array {
  const b = new Uint8Array(8), dv = new DataView(b.buffer);
  dv.setUint32(0, v >>> 0, true); dv.setUint32(4, Math.floor(v / 2 ** 32) >>> 0, true);
  return b;
}

/** Resolve op.dom to the caller's table, or put the failing GNTST_* into *status and explain it. */
function lookup(c: HypercallContext, dom: number, what: string): { status: number } | null {
  const d = domainByAnyId(c, dom);
  if (d === null) { c.diag = `${what}: d${dom} does not exist (GNTST_bad_domain)`; return { status: GNTST_bad_domain }; }
  if (d === 'other') { c.diag = `${what}: d${c.domain.domid} may not act on d${dom}'s grant table (GNTST_permission_denied)`; return { status: GNTST_permission_denied }; }
  return null;
}

function setupTable(c: HypercallContext, uop: number, count: number): number {
  const L = GNTTAB_SETUP_TABLE[c.vcpu.kind], compat = !c.is64;
  if (compat) {
    if (!guestHandleOkay(c, uop, count, L.size)) { c.diag = 'gnttab_setup_table array outside the guest range'; return -EFAULT; }
    if ((count | 0) < 0 || count > 1) { c.diag = `setup_table takes count 1 (got ${count})`; return -EINVAL; }
    if (count === 0) { c.diag = 'count 0: nothing to do'; return 0; }
  } else if (count !== 1) { c.diag = `setup_table takes count 1 (got ${count | 0})`; return -EINVAL; }
  const raw = copyFromGuest(c.cpu, uop, L.size);
  if (raw === null) { c.diag = 'struct gnttab_setup_table not readable'; return -EFAULT; }
  const b = new GuestBuf(raw);
  const dom = b.u16(L.fields.dom), nr = b.u32(L.fields.nr_frames);
  const list = compat ? b.u32(L.fields.frame_list) : b.s64(L.fields.frame_list);
  const esize = compat ? 4 : 8;
  if (!guestHandleOkay(c, list, nr, esize)) { c.diag = `frame_list 0x${list.toString(16)} outside the guest range`; return -EFAULT; }
  const gt = grantTableOf(c.domain);
  let status = GNTST_okay;
  const bad = lookup(c, dom, 'setup_table');
  if (bad) status = bad.status;
  else if (nr > gt.maxFrames) {
    status = GNTST_general_error;
    c.diag = `d${c.domain.domid} is limited to ${gt.maxFrames} grant-table frames (asked ${nr})`;
  } else if (nr > gt.nrFrames && gt.grow(nr) !== 0) {
    status = GNTST_general_error;
    c.diag = `Expand grant table of d${c.domain.domid} to ${nr} failed. Current: ${gt.nrFrames} Max: ${gt.maxFrames} ` +
      `(Xen heap exhausted: ${gt.heap.available()} frames left)`;
  } else {
    for (let i = 0; i < nr; i++) {
      const mfn = gt.frames[i];
      if (compat && mfn >= 2 ** 32) { status = GNTST_address_too_big; c.diag = `frame ${i} (mfn 0x${mfn.toString(16)}) above 4G`; break; }
      if (!copyToGuest(c.cpu, guestAt(c, list, i * esize), compat ? u32(mfn) : u64(mfn))) {
        status = GNTST_bad_virt_addr;
        c.diag = `frame_list[${i}] at 0x${guestAt(c, list, i * esize).toString(16)} not writable (GNTST_bad_virt_addr)`;
        break;
      }
    }
    if (status === GNTST_okay) c.diag = `${nr} of ${gt.nrFrames} frames: mfn ${gt.frames.slice(0, nr).map((m) => '0x' + m.toString(16)).join(' ')}`;
  }
  // Native Xen writes back only the status field; compat copies the whole translated struct back.
  let ok: boolean;
  if (compat) { raw.set(s16(status), L.fields.status); ok = copyToGuest(c.cpu, uop, raw); } else ok = copyToGuest(c.cpu, guestAt(c, uop, L.fields.status), s16(status));
  if (!ok) { c.diag = 'gnttab_setup_table.status not writable'; return -EFAULT; }
  return 0;
}

function querySize(c: HypercallContext, uop: number, count: number): number {
  const L = GNTTAB_QUERY_SIZE;
  if (count !== 1) { c.diag = `query_size takes count 1 (got ${count | 0})`; return -EINVAL; }
  const raw = copyFromGuest(c.cpu, uop, L.size);
  if (raw === null) { c.diag = 'struct gnttab_query_size not readable'; return -EFAULT; }
  const b = new GuestBuf(raw), dv = new DataView(raw.buffer);
  const bad = lookup(c, b.u16(L.fields.dom), 'query_size');
  if (bad) dv.setInt16(L.fields.status, bad.status, true);
  else {
    const gt = grantTableOf(c.domain);
    dv.setUint32(L.fields.nr_frames, gt.nrFrames, true);
    dv.setUint32(L.fields.max_nr_frames, gt.maxFrames, true);
    dv.setInt16(L.fields.status, GNTST_okay, true);
    c.diag = `nr_frames ${gt.nrFrames}, max_nr_frames ${gt.maxFrames}`;
  }
  if (!copyToGuest(c.cpu, uop, raw)) { c.diag = 'struct gnttab_query_size not writable'; return -EFAULT; }
  return 0;
}

function setVersion(c: HypercallContext, uop: number): number {
  const raw = copyFromGuest(c.cpu, uop, GNTTAB_SET_VERSION.size);
  if (raw === null) { c.diag = 'struct gnttab_set_version not readable'; return -EFAULT; }
  const gt = grantTableOf(c.domain);
  const want = new GuestBuf(raw).u32(0);
  let res: number;
  if (want !== 1 && want !== 2) { res = -EINVAL; c.diag = `grant table version ${want} does not exist (1 or 2)`; }
  else if (want > gt.maxVersion) { res = -ENOSYS; c.diag = `d${c.domain.domid} is limited to grant table version ${gt.maxVersion}`; }
  else { res = 0; c.diag = `version ${gt.version}`; }
  if (!copyToGuest(c.cpu, uop, u32(gt.version))) { c.diag = 'struct gnttab_set_version not writable'; return -EFAULT; }
  return res;
}

function getVersion(c: HypercallContext, uop: number): number {
  const L = GNTTAB_GET_VERSION;
  const raw = copyFromGuest(c.cpu, uop, L.size);
  if (raw === null) { c.diag = 'struct gnttab_get_version not readable'; return -EFAULT; }
  const dom = new GuestBuf(raw).u16(L.fields.dom);
  const d = domainByAnyId(c, dom);
  if (d === null) { c.diag = `d${dom} does not exist`; return -ESRCH; }
  if (d === 'other') { c.diag = `d${c.domain.domid} may not query d${dom}'s grant table`; return -EPERM; }
  const gt = grantTableOf(c.domain);
  if (!copyToGuest(c.cpu, guestAt(c, uop, L.fields.version), u32(gt.version))) { c.diag = 'gnttab_get_version.version not writable'; return -EFAULT; }
  c.diag = `version ${gt.version}`;
  return 0;
}

function getStatusFrames(c: HypercallContext, uop: number, count: number): number {
  const L = GNTTAB_GET_STATUS_FRAMES[c.vcpu.kind];
  if (count !== 1) { c.diag = `get_status_frames takes count 1 (got ${count | 0})`; return -EINVAL; }
  const raw = copyFromGuest(c.cpu, uop, L.size);
  if (raw === null) { c.diag = 'struct gnttab_get_status_frames not readable'; return -EFAULT; }
  const b = new GuestBuf(raw);
  const nr = b.u32(L.fields.nr_frames);
  const list = c.is64 ? b.s64(L.fields.frame_list) : b.u32(L.fields.frame_list);
  if (!guestHandleOkay(c, list, nr, 8)) { c.diag = 'frame_list outside the guest range'; return -EFAULT; }
  let status = GNTST_okay;
  const bad = lookup(c, b.u16(L.fields.dom), 'get_status_frames');
  if (bad) status = bad.status;
  else if (nr > 0) {
    // Status frames exist only for version 2 tables; this domain's table is version 1 (nr_status_frames = 0).
    status = GNTST_general_error;
    c.diag = `asked ${nr} grant status frames, but d${c.domain.domid} has 0 (grant table version 1)`;
  }
  if (!copyToGuest(c.cpu, guestAt(c, uop, L.fields.status), s16(status))) { c.diag = 'status not writable'; return -EFAULT; }
  return 0;
}

/** do_grant_table_op(cmd, uop, count). */
export function doGrantTableOp(c: HypercallContext): number {
  const cmdFull = c.u32(0), uop = c.ptr(1), count = c.u32(2);
  const cmd = cmdFull & GNTTABOP_CMD_MASK;
  if ((count | 0) < 0) { c.diag = `count ${count | 0} is negative`; return -EINVAL; }
  if (cmd !== GNTTABOP_cache_flush && cmdFull !== cmd) { c.diag = `continuation bits 0x${(cmdFull >>> 12).toString(16)} set on ${opName(cmd)}`; return -EINVAL; }
  switch (cmd) {
    case GNTTABOP_setup_table: return setupTable(c, uop, count);
    case GNTTABOP_query_size: return querySize(c, uop, count);
    case GNTTABOP_set_version: return setVersion(c, uop);
    case GNTTABOP_get_version: return getVersion(c, uop);
    case GNTTABOP_get_status_frames: return getStatusFrames(c, uop, count);
    case GNTTABOP_map_grant_ref: case GNTTABOP_unmap_grant_ref: case GNTTABOP_unmap_and_replace:
    case GNTTABOP_transfer: case GNTTABOP_copy: case GNTTABOP_swap_grant_ref:
      c.diag = `${opName(cmd)} is not implemented by the emulated hypervisor (one domain: no grant mappings or copies)`;
      return -ENOSYS;
    default:
      c.diag = cmd === GNTTABOP_cache_flush ? 'GNTTABOP_cache_flush is Arm-only (no CONFIG_HAS_GRANT_CACHE_FLUSH on x86)'
        : `${opName(cmd)}: no such grant table op`;
      return -ENOSYS;
  }
}

function opName(cmd: number): string { return GNTTABOP_NAMES[cmd] ?? `GNTTABOP ${cmd}`; }

export function decodeGrantTableOp(c: HypercallContext): string {
  const cmd = c.u32(0);
  const high = (cmd & ~GNTTABOP_CMD_MASK) >>> 0;
  const name = opName(cmd & GNTTABOP_CMD_MASK) + (high ? ` | 0x${high.toString(16)}` : '');
  return `${name}, ${c.hex(1)}, ${c.s32(2)}`;
}
