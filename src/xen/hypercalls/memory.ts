// memory_op for a PV domU (xen/common/memory.c do_memory_op, arch_memory_op): current/maximum reservation,
// maximum_ram_page, memory_map (-ENOSYS: no toolstack e820, as Xen answers PV guests), and the reservation
// ops - increase_reservation / populate_physmap within max_pages, decrease_reservation of owned frames.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, GuestBuf, encodeWord } from '../guest-access';
import {
  DOMID_SELF, EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM, ESRCH, MEMOP_CMD_MASK, MEMOP_EXTENT_SHIFT, XEN_MEMORY_RESERVATION,
  XENMEM_current_reservation, XENMEM_decrease_reservation, XENMEM_increase_reservation, XENMEM_maximum_gpfn,
  XENMEM_maximum_ram_page, XENMEM_maximum_reservation, XENMEM_memory_map, XENMEM_populate_physmap,
} from '../public';
import {
  PGC_allocated, PGT_pinned, INVALID_MFN, INVALID_M2P_ENTRY, getPage, putPage, putPageAndType, setGpfnFromMfn,
} from '../mm';
import { elemVa } from './mmu';

const NAMES: Record<number, string> = {
  0: 'XENMEM_increase_reservation', 1: 'XENMEM_decrease_reservation', 2: 'XENMEM_maximum_ram_page',
  3: 'XENMEM_current_reservation', 4: 'XENMEM_maximum_reservation', 6: 'XENMEM_populate_physmap',
  9: 'XENMEM_memory_map', 14: 'XENMEM_maximum_gpfn',
};
/** Largest extent order a domU may ask for (CONFIG_DOMU_MAX_ORDER). */
const DOMU_MAX_ORDER = 9;

export function decodeMemoryOp(c: HypercallContext): string {
  const cmd = c.u32(0) & MEMOP_CMD_MASK;
  return `${NAMES[cmd] ?? `cmd ${cmd}`}, arg=${c.hex(1)}`;
}

export function doMemoryOp(c: HypercallContext): number {
  const op = c.u32(0) & MEMOP_CMD_MASK, start = c.u32(0) >>> MEMOP_EXTENT_SHIFT, arg = c.ptr(1);
  switch (op) {
    case XENMEM_increase_reservation: case XENMEM_decrease_reservation: case XENMEM_populate_physmap:
      return reservation(c, op, arg, start);
    case XENMEM_maximum_ram_page:
      if (start) return -EINVAL;
      return c.domain.mm.frames.nr - 1;
    case XENMEM_current_reservation: case XENMEM_maximum_reservation: case XENMEM_maximum_gpfn: {
      if (start) return -EINVAL;
      const b = copyFromGuest(c.cpu, arg, 2);
      if (b === null) return c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `memory_op: domid at ${c.hex(1)} is not readable` });
      const domid = new GuestBuf(b).u16(0);
      const rc = checkDomid(c, domid);
      if (rc !== 0) return rc;
      if (op === XENMEM_current_reservation) return c.domain.totPages;
      if (op === XENMEM_maximum_reservation) return c.domain.maxPages;
      return c.domain.image.nrPages - 1;
    }
    case XENMEM_memory_map:
      return c.reject({ rule: 'memory-op', rc: -ENOSYS,
        message: 'XENMEM_memory_map: no e820 was set for this PV domain (guests fall back to nr_pages)' });
    default:
      return c.reject({ rule: 'memory-op', rc: -ENOSYS, message: `memory_op: command ${op} is not implemented` });
  }
}

/** rcu_lock_domain_by_any_id + xsm: only the caller itself. */
function checkDomid(c: HypercallContext, domid: number): number {
  if (domid === DOMID_SELF || domid === c.domain.domid) return 0;
  if (domid === 0) return c.reject({ rule: 'permission', rc: -EPERM, message: `d${c.domain.domid} may not query d0` });
  return c.reject({ rule: 'foreign-domain', rc: -ESRCH, message: `memory_op: unknown domain d${domid}` });
}

/** increase/decrease_reservation, populate_physmap: returns the number of extents done (Xen's nr_done). */
function reservation(c: HypercallContext, op: number, arg: number, start: number): number {
  const L = XEN_MEMORY_RESERVATION[c.vcpu.kind];
  const b = copyFromGuest(c.cpu, arg, L.size);
  if (b === null) { c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `memory_op: reservation at ${c.hex(1)} is not readable` }); return start; }
  const g = new GuestBuf(b);
  const list = c.is64 ? g.s64(L.fields.extent_start) : g.u32(L.fields.extent_start);
  const nr = c.is64 ? g.s64(L.fields.nr_extents) : g.u32(L.fields.nr_extents);
  const order = g.u32(L.fields.extent_order), domid = g.u16(L.fields.domid);
  if (start >= nr) return start;
  if (checkDomid(c, domid) !== 0) return start;
  if (order > DOMU_MAX_ORDER) {
    c.reject({ rule: 'memory-op', rc: -EPERM, message: `extent_order ${order} exceeds the domU maximum ${DOMU_MAX_ORDER}` });
    return start;
  }
  const word = c.is64 ? 8 : 4, n = 2 ** order;
  let i = start;
  for (; i < nr; i++) {
    const at = elemVa(c, list, i, word);
    if (op === XENMEM_increase_reservation) {
      const mfn = allocExtent(c, n);
      if (mfn < 0) break;
      if (list !== 0 && !copyToGuest(c.cpu, at, encodeWord(mfn, word))) { c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `extent list entry ${i} not writable` }); break; }
      continue;
    }
    const e = copyFromGuest(c.cpu, at, word);
    if (e === null) { c.reject({ rule: 'guest-fault', rc: -EFAULT, index: i, message: `extent list entry ${i} at ${at.toString(16)} not readable` }); break; }
    const val = c.is64 ? new GuestBuf(e).s64(0) : new GuestBuf(e).u32(0);
    if (op === XENMEM_decrease_reservation) {
      let ok = true;
      for (let j = 0; j < n && ok; j++) ok = guestRemovePage(c, val + j);
      if (!ok) break;
    } else {
      const mfn = allocExtent(c, n);
      if (mfn < 0) break;
      for (let j = 0; j < n; j++) {
        setGpfnFromMfn(c.domain.mm, mfn + j, val + j);
        const p2m = c.domain.mmDomain.p2m;
        if (val + j < p2m.length) p2m[val + j] = mfn + j;
      }
      if (!copyToGuest(c.cpu, at, encodeWord(mfn, word))) { c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `extent list entry ${i} not writable` }); break; }
    }
  }
  c.diag = `${i - start}/${nr - start} extents of order ${order}`;
  return i;
}

/** Allocate 2^order contiguous free frames for the domain within max_pages; -1 (with a diagnostic) if not. */
function allocExtent(c: HypercallContext, n: number): number {
  const dom = c.domain, f = dom.mm.frames;
  if (dom.totPages + n > dom.maxPages) {
    c.reject({ rule: 'memory-op', rc: -ENOMEM,
      message: `Over-allocation for d${dom.domid}: ${dom.totPages + n} > ${dom.maxPages}` });
    return -1;
  }
  for (let base = 0; base + n <= f.nr; base += n) {
    let free = true;
    for (let j = 0; j < n && free; j++) free = f.isFree(base + j);
    if (!free) continue;
    for (let j = 0; j < n; j++) { f.assign(base + j, dom.domid); dom.mm.mem.fill((base + j) * 4096, 4096, 0); }
    dom.totPages += n;
    return base;
  }
  c.reject({ rule: 'memory-op', rc: -EINVAL, message: `no ${n} contiguous free machine frames` });
  return -1;
}

/** guest_remove_page for PV: the gmfn is a machine frame; drop pin and allocation refs, forget its M2P entry. */
function guestRemovePage(c: HypercallContext, mfn: number): boolean {
  const dom = c.domain, mm = dom.mm, f = mm.frames;
  const mark = mm.diag.mark();
  if (!getPage(mm, mfn, dom.mmDomain)) { c.noteMm(mm.diag.firstSince(mark)); return false; }
  if (f.typeFlags[mfn] & PGT_pinned) { f.typeFlags[mfn] &= ~PGT_pinned; putPageAndType(mm, mfn); }
  const pfn = mm.m2p[mfn];
  if (pfn !== INVALID_M2P_ENTRY && pfn < dom.mmDomain.p2m.length && dom.mmDomain.p2m[pfn] === mfn) dom.mmDomain.p2m[pfn] = INVALID_MFN;
  setGpfnFromMfn(mm, mfn, INVALID_M2P_ENTRY);
  if (f.countFlags[mfn] & PGC_allocated) {
    f.countFlags[mfn] &= ~PGC_allocated;
    dom.totPages--;
    putPage(mm, mfn);
  }
  putPage(mm, mfn);
  return true;
}
