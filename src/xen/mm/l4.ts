// L4 entries (pv64 only): each present guest entry holds an L3 type ref (or a linear L4 ref); slots
// 256..271 belong to Xen - ignored at validation, overwritten with Xen's entries (init_xen_l4_slots),
// and never writable by the guest.

import { EINVAL } from '../public/errno';
import { ROOT_PAGETABLE_FIRST_XEN_SLOT, ROOT_PAGETABLE_LAST_XEN_SLOT, RO_MPT_L4_SLOT } from '../public/arch-x86';
import { VMASST_TYPE_m2p_strict } from '../public/xen';
import { MmState, MmDomain, PGT_l3_page_table, PGT_l4_page_table, vmAssistEnabled } from './page-info';
import { getPageAndType, putPageAndType } from './page-type';
import { getLinearPagetable } from './linear';
import { writeEntry } from './l1';
import {
  PT_ENTRIES, _PAGE_PRESENT, FASTPATH_FLAG_WHITELIST, adjustGuestL4e, l4DisallowMask, pteFlags, pteHasChanged,
  pteMfn, readPteHi, readPteLo, writePte,
} from './pte';

const hex = (v: number): string => (v >>> 0).toString(16);
const scratch = new Uint32Array(2);

/** is_guest_l4_slot for pv64. */
export function isGuestL4Slot(slot: number): boolean {
  return slot < ROOT_PAGETABLE_FIRST_XEN_SLOT || slot > ROOT_PAGETABLE_LAST_XEN_SLOT;
}

export function getPageFromL4e(mm: MmState, lo: number, hi: number, l4mfn: number, d: MmDomain): number {
  const flags = pteFlags(lo, hi), disallow = l4DisallowMask(mm.nx);
  if (flags & disallow) {
    mm.diag.report({ rule: 'bad-l4-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(lo, hi),
      message: `Bad L4 flags ${hex(flags & disallow)}` });
    return -EINVAL;
  }
  const rc = getPageAndType(mm, pteMfn(lo, hi), d, PGT_l3_page_table, false, true);
  if (rc === -EINVAL && getLinearPagetable(mm, PGT_l4_page_table, lo, hi, l4mfn, d)) return 0;
  return rc;
}

export function putPageFromL4e(mm: MmState, lo: number, hi: number, l4mfn: number): void {
  if (!(lo & _PAGE_PRESENT)) return;
  const mfn = pteMfn(lo, hi);
  if (mfn === l4mfn) return;
  putPageAndType(mm, mfn, l4mfn);
}

/** init_xen_l4_slots: slot 256 = read-only M2P (unless m2p_strict), the rest of 256..271 cleared. */
export function initXenL4Slots(mm: MmState, l4mfn: number, roMpt: boolean): void {
  for (let s = ROOT_PAGETABLE_FIRST_XEN_SLOT; s <= ROOT_PAGETABLE_LAST_XEN_SLOT; s++) writePte(mm.mem, l4mfn, s, 0, 0);
  if (roMpt && mm.xen) writePte(mm.mem, l4mfn, RO_MPT_L4_SLOT, mm.xen.roMptL4eLo, mm.xen.roMptL4eHi);
}

/** fill_ro_mpt: install the RO M2P slot if empty (NEW_BASEPTR without m2p_strict). */
export function fillRoMpt(mm: MmState, l4mfn: number): void {
  if (mm.xen && readPteLo(mm.mem, l4mfn, RO_MPT_L4_SLOT) === 0 && readPteHi(mm.mem, l4mfn, RO_MPT_L4_SLOT) === 0) {
    writePte(mm.mem, l4mfn, RO_MPT_L4_SLOT, mm.xen.roMptL4eLo, mm.xen.roMptL4eHi);
  }
}
/** zap_ro_mpt: clear the RO M2P slot (user L4 with m2p_strict). */
export function zapRoMpt(mm: MmState, l4mfn: number): void { writePte(mm.mem, l4mfn, RO_MPT_L4_SLOT, 0, 0); }

/** promote_l4_table. */
export function promoteL4Table(mm: MmState, mfn: number): number {
  const d = mm.ownerDomain(mfn);
  if (!d) return -EINVAL;
  if (d.kind !== 'pv64') {
    mm.diag.report({ rule: 'type-conflict', rc: -EINVAL, domid: d.domid, mfn, pfn: mm.pfnOf(mfn),
      message: `d${d.domid} is pv32pae: no L4 tables` });
    return -EINVAL;
  }
  const mem = mm.mem;
  const saved = mm.diag.ctx;
  const ctx = { mfn, level: 4, index: 0, lo: 0, hi: 0 };
  let i = 0, rc = 0;
  for (; i < PT_ENTRIES; i++) {
    if (!isGuestL4Slot(i)) continue;
    const lo = readPteLo(mem, mfn, i), hi = readPteHi(mem, mfn, i);
    if (!(lo & _PAGE_PRESENT)) continue;
    ctx.index = i; ctx.lo = lo; ctx.hi = hi;
    mm.diag.ctx = ctx;
    rc = getPageFromL4e(mm, lo, hi, mfn, d);
    mm.diag.ctx = saved;
    if (rc < 0) break;
    adjustGuestL4e(d.kind, lo, hi, scratch);
    if (scratch[0] !== lo) writePte(mem, mfn, i, scratch[0], scratch[1]);
  }
  if (rc < 0) {
    while (i-- > 0) if (isGuestL4Slot(i)) putPageFromL4e(mm, readPteLo(mem, mfn, i), readPteHi(mem, mfn, i), mfn);
    return rc;
  }
  initXenL4Slots(mm, mfn, !vmAssistEnabled(d, VMASST_TYPE_m2p_strict));
  return 0;
}

export function demoteL4Table(mm: MmState, mfn: number): void {
  for (let i = PT_ENTRIES - 1; i >= 0; i--) {
    if (isGuestL4Slot(i)) putPageFromL4e(mm, readPteLo(mm.mem, mfn, i), readPteHi(mm.mem, mfn, i), mfn);
  }
}

/** mod_l4_entry: Xen slots -> -EINVAL. */
export function modL4Entry(mm: MmState, l4mfn: number, index: number, nlo: number, nhi: number, preserveAd: boolean,
  d: MmDomain): number {
  const saved = mm.diag.ctx;
  mm.diag.ctx = { mfn: l4mfn, level: 4, index, lo: nlo >>> 0, hi: nhi >>> 0 };
  try {
    if (!isGuestL4Slot(index)) {
      mm.diag.report({ rule: 'xen-slot', rc: -EINVAL, domid: d.domid,
        message: `L4 update in Xen-private area, slot 0x${hex(index)}` });
      return -EINVAL;
    }
    const olo = readPteLo(mm.mem, l4mfn, index), ohi = readPteHi(mm.mem, l4mfn, index);
    if (nlo & _PAGE_PRESENT) {
      const flags = pteFlags(nlo, nhi), disallow = l4DisallowMask(mm.nx);
      if (flags & disallow) {
        mm.diag.report({ rule: 'bad-l4-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(nlo, nhi),
          message: `Bad L4 flags ${hex(flags & disallow)}` });
        return -EINVAL;
      }
      adjustGuestL4e(d.kind, nlo, nhi, scratch);
      nlo = scratch[0]; nhi = scratch[1];
      if (!pteHasChanged(olo, ohi, nlo, nhi, FASTPATH_FLAG_WHITELIST)) {
        writeEntry(mm, l4mfn, index, olo, ohi, nlo, nhi, preserveAd);
        return 0;
      }
      const rc = getPageFromL4e(mm, nlo, nhi, l4mfn, d);
      if (rc < 0) return rc;
    }
    writeEntry(mm, l4mfn, index, olo, ohi, nlo, nhi, preserveAd);
    putPageFromL4e(mm, olo, ohi, l4mfn);
    return 0;
  } finally {
    mm.diag.ctx = saved;
  }
}
