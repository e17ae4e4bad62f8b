// L2 entries: each present entry holds an L1 type ref on the frame it points at (or a linear ref on an
// L2). PSE superpages are rejected for PV (_PAGE_PSE is in L2_DISALLOW_MASK). A pv32pae top L2
// (PGT_pae_xen_l2) reserves slots COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT..511 for Xen.

import { EINVAL, EPERM } from '../public/errno';
import { COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT } from '../public/arch-x86';
import { MmState, MmDomain, PGT_l1_page_table, PGT_l2_page_table, PGT_pae_xen_l2 } from './page-info';
import { getPageAndType, putPageAndType } from './page-type';
import { getLinearPagetable } from './linear';
import { writeEntry } from './l1';
import {
  PT_ENTRIES, _PAGE_PRESENT, FASTPATH_FLAG_WHITELIST, adjustGuestL2e, l2DisallowMask, pteFlags, pteHasChanged,
  pteMfn, readPteHi, readPteLo, writePte,
} from './pte';

const hex = (v: number): string => (v >>> 0).toString(16);
const scratch = new Uint32Array(2);

/** is_guest_l2_slot: false for Xen's slots of a pv32pae top L2. */
export function isGuestL2Slot(mm: MmState, l2mfn: number, slot: number): boolean {
  return !(mm.frames.typeFlags[l2mfn] & PGT_pae_xen_l2) || slot < COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT;
}

/** get_page_from_l2e for a present entry of L2 `l2mfn`. */
export function getPageFromL2e(mm: MmState, lo: number, hi: number, l2mfn: number, d: MmDomain): number {
  const flags = pteFlags(lo, hi), disallow = l2DisallowMask(mm.nx);
  if (flags & disallow) {
    mm.diag.report({ rule: 'bad-l2-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(lo, hi),
      message: `Bad L2 flags ${hex(flags & disallow)}` });
    return -EINVAL;
  }
  const mfn = pteMfn(lo, hi);
  const rc = getPageAndType(mm, mfn, d, PGT_l1_page_table, false, true);
  if (rc === -EINVAL && getLinearPagetable(mm, PGT_l2_page_table, lo, hi, l2mfn, d)) return 0;
  return rc;
}

/** put_page_from_l2e: self-maps hold nothing; otherwise drop the type ref + general ref. */
export function putPageFromL2e(mm: MmState, lo: number, hi: number, l2mfn: number): void {
  if (!(lo & _PAGE_PRESENT)) return;
  const mfn = pteMfn(lo, hi);
  if (mfn === l2mfn) return;
  putPageAndType(mm, mfn, l2mfn);
}

/** promote_l2_table; `paeXenL2` marks the pv32pae top L2 whose Xen slots are then filled in. */
export function promoteL2Table(mm: MmState, mfn: number, paeXenL2: boolean): number {
  const d = mm.ownerDomain(mfn);
  if (!d) return -EINVAL;
  const mem = mm.mem;
  const saved = mm.diag.ctx;
  const ctx = { mfn, level: 2, index: 0, lo: 0, hi: 0 };
  const guestSlots = paeXenL2 ? COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT : PT_ENTRIES;
  let i = 0, rc = 0;
  for (; i < guestSlots; i++) {
    const lo = readPteLo(mem, mfn, i), hi = readPteHi(mem, mfn, i);
    if (!(lo & _PAGE_PRESENT)) continue;
    ctx.index = i; ctx.lo = lo; ctx.hi = hi;
    mm.diag.ctx = ctx;
    rc = getPageFromL2e(mm, lo, hi, mfn, d);
    mm.diag.ctx = saved;
    if (rc < 0) break;
    adjustGuestL2e(d.kind, lo, hi, scratch);
    if (scratch[0] !== lo) writePte(mem, mfn, i, scratch[0], scratch[1]);
  }
  if (rc < 0) {
    while (i-- > 0) putPageFromL2e(mm, readPteLo(mem, mfn, i), readPteHi(mem, mfn, i), mfn);
    return rc;
  }
  if (paeXenL2) initXenPaeL2Slots(mm, mfn);
  return 0;
}

/** demote_l2_table. */
export function demoteL2Table(mm: MmState, mfn: number): void {
  const n = (mm.frames.typeFlags[mfn] & PGT_pae_xen_l2) ? COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT : PT_ENTRIES;
  for (let i = n - 1; i >= 0; i--) putPageFromL2e(mm, readPteLo(mm.mem, mfn, i), readPteHi(mm.mem, mfn, i), mfn);
}

/** init_xen_pae_l2_slots: Xen's compat M2P mappings in slots 0x1ac..511 (empty when not installed). */
export function initXenPaeL2Slots(mm: MmState, mfn: number): void {
  const x = mm.xen;
  for (let s = COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT; s < PT_ENTRIES; s++) {
    const k = s - COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT;
    writePte(mm.mem, mfn, s, x ? x.compatL2eLo[k] : 0, x ? x.compatL2eHi[k] : 0);
  }
}

/** mod_l2_entry: Xen slots -> -EPERM; new reference before the old one is dropped. */
export function modL2Entry(mm: MmState, l2mfn: number, index: number, nlo: number, nhi: number, preserveAd: boolean,
  d: MmDomain): number {
  const saved = mm.diag.ctx;
  mm.diag.ctx = { mfn: l2mfn, level: 2, index, lo: nlo >>> 0, hi: nhi >>> 0 };
  try {
    if (!isGuestL2Slot(mm, l2mfn, index)) {
      mm.diag.report({ rule: 'xen-slot', rc: -EPERM, domid: d.domid,
        message: `L2 update in Xen-private area, slot 0x${hex(index)}` });
      return -EPERM;
    }
    const olo = readPteLo(mm.mem, l2mfn, index), ohi = readPteHi(mm.mem, l2mfn, index);
    if (nlo & _PAGE_PRESENT) {
      const flags = pteFlags(nlo, nhi), disallow = l2DisallowMask(mm.nx);
      if (flags & disallow) {
        mm.diag.report({ rule: 'bad-l2-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(nlo, nhi),
          message: `Bad L2 flags ${hex(flags & disallow)}` });
        return -EINVAL;
      }
      adjustGuestL2e(d.kind, nlo, nhi, scratch);
      nlo = scratch[0]; nhi = scratch[1];
      if (!pteHasChanged(olo, ohi, nlo, nhi, FASTPATH_FLAG_WHITELIST)) {
        writeEntry(mm, l2mfn, index, olo, ohi, nlo, nhi, preserveAd);
        return 0;
      }
      const rc = getPageFromL2e(mm, nlo, nhi, l2mfn, d);
      if (rc < 0) return rc;
    }
    writeEntry(mm, l2mfn, index, olo, ohi, nlo, nhi, preserveAd);
    putPageFromL2e(mm, olo, ohi, l2mfn);
    return 0;
  } finally {
    mm.diag.ctx = saved;
  }
}
