// L3 entries: each present entry holds an L2 type ref. pv64 may use linear L3s; pv32pae (PAE) L3s keep
// only 4 entries (Xen zeroes 4..511), slot 3 must map the L2 that carries Xen's mappings (PGT_pae_xen_l2,
// not shared) and can never be changed afterwards; L3 flags use the compat disallow mask 0xFFFFF198.

import { EINVAL } from '../public/errno';
import { PAE_XEN_L3_SLOT } from '../public/arch-x86';
import { MmState, MmDomain, PGT_l2_page_table, PGT_l3_page_table } from './page-info';
import { getPageAndType, putPageAndType } from './page-type';
import { getLinearPagetable } from './linear';
import { writeEntry } from './l1';
import {
  PT_ENTRIES, _PAGE_PRESENT, FASTPATH_FLAG_WHITELIST, adjustGuestL3e, l3DisallowMask, pteFlags, pteHasChanged,
  pteMfn, readPteHi, readPteLo, writePte,
} from './pte';

const hex = (v: number): string => (v >>> 0).toString(16);
const scratch = new Uint32Array(2);

function badL3Flags(mm: MmState, d: MmDomain, lo: number, hi: number): number {
  const mask = l3DisallowMask(mm.nx, d.kind, mm.paeL3Strict);
  return pteFlags(lo, hi) & mask;
}

/** get_page_from_l3e for a present entry of L3 `l3mfn`. */
export function getPageFromL3e(mm: MmState, lo: number, hi: number, l3mfn: number, d: MmDomain): number {
  const bad = badL3Flags(mm, d, lo, hi);
  if (bad) {
    mm.diag.report({ rule: 'bad-l3-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(lo, hi),
      message: `Bad L3 flags ${hex(bad)}` });
    return -EINVAL;
  }
  const rc = getPageAndType(mm, pteMfn(lo, hi), d, PGT_l2_page_table, false, true);
  if (rc === -EINVAL && d.kind === 'pv64' && getLinearPagetable(mm, PGT_l3_page_table, lo, hi, l3mfn, d)) return 0;
  return rc;
}

export function putPageFromL3e(mm: MmState, lo: number, hi: number, l3mfn: number): void {
  if (!(lo & _PAGE_PRESENT)) return;
  const mfn = pteMfn(lo, hi);
  if (mfn === l3mfn) return;
  putPageAndType(mm, mfn, l3mfn);
}

/** pv32pae slot 3: present, allowed flags, an unshared L2 typed PGT_l2_page_table|PGT_pae_xen_l2. */
function getPaeXenL2(mm: MmState, lo: number, hi: number, d: MmDomain): number {
  if (!(lo & _PAGE_PRESENT)) {
    mm.diag.report({ rule: 'pae-l3', rc: -EINVAL, domid: d.domid,
      message: 'PAE L3 slot 3 must be present (it holds the L2 with Xen\'s mappings)' });
    return -EINVAL;
  }
  const bad = badL3Flags(mm, d, lo, hi);
  if (bad) {
    mm.diag.report({ rule: 'bad-l3-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(lo, hi),
      message: `Bad L3 flags ${hex(bad)}` });
    return -EINVAL;
  }
  const l2 = pteMfn(lo, hi);
  const rc = getPageAndType(mm, l2, d, PGT_l2_page_table, true);
  if (rc < 0) return rc;
  if (mm.frames.typeCount[l2] !== 1) {
    mm.diag.report({ rule: 'pae-l2-shared', rc: -EINVAL, domid: d.domid, targetMfn: l2, message: 'PAE L3 3rd slot is shared' });
    putPageAndType(mm, l2);
    return -EINVAL;
  }
  return 0;
}

/** promote_l3_table. */
export function promoteL3Table(mm: MmState, mfn: number): number {
  const d = mm.ownerDomain(mfn);
  if (!d) return -EINVAL;
  const mem = mm.mem;
  const pae = d.kind === 'pv32pae';
  if (pae) for (let i = 4; i < PT_ENTRIES; i++) writePte(mem, mfn, i, 0, 0);
  const n = pae ? 4 : PT_ENTRIES;
  const saved = mm.diag.ctx;
  const ctx = { mfn, level: 3, index: 0, lo: 0, hi: 0 };
  let i = 0, rc = 0;
  for (; i < n; i++) {
    const lo = readPteLo(mem, mfn, i), hi = readPteHi(mem, mfn, i);
    const xenSlot = pae && i === PAE_XEN_L3_SLOT;
    if (!xenSlot && !(lo & _PAGE_PRESENT)) continue;
    ctx.index = i; ctx.lo = lo; ctx.hi = hi;
    mm.diag.ctx = ctx;
    rc = xenSlot ? getPaeXenL2(mm, lo, hi, d) : getPageFromL3e(mm, lo, hi, mfn, d);
    mm.diag.ctx = saved;
    if (rc < 0) break;
    adjustGuestL3e(d.kind, lo, hi, scratch);
    if (scratch[0] !== lo) writePte(mem, mfn, i, scratch[0], scratch[1]);
  }
  if (rc < 0) {
    while (i-- > 0) putPageFromL3e(mm, readPteLo(mem, mfn, i), readPteHi(mem, mfn, i), mfn);
    return rc;
  }
  return 0;
}

export function demoteL3Table(mm: MmState, mfn: number): void {
  const d = mm.ownerDomain(mfn);
  const n = d && d.kind === 'pv32pae' ? 4 : PT_ENTRIES;
  for (let i = n - 1; i >= 0; i--) putPageFromL3e(mm, readPteLo(mm.mem, mfn, i), readPteHi(mm.mem, mfn, i), mfn);
}

/** mod_l3_entry: pv32pae slots >= 3 are fixed (-EINVAL). */
export function modL3Entry(mm: MmState, l3mfn: number, index: number, nlo: number, nhi: number, preserveAd: boolean,
  d: MmDomain): number {
  const saved = mm.diag.ctx;
  mm.diag.ctx = { mfn: l3mfn, level: 3, index, lo: nlo >>> 0, hi: nhi >>> 0 };
  try {
    if (index >= PAE_XEN_L3_SLOT && d.kind === 'pv32pae') {
      mm.diag.report({ rule: 'xen-slot', rc: -EINVAL, domid: d.domid,
        message: `PAE L3 update of slot 0x${hex(index)} refused (slot 3 holds Xen's mappings; 4..511 unused)` });
      return -EINVAL;
    }
    const olo = readPteLo(mm.mem, l3mfn, index), ohi = readPteHi(mm.mem, l3mfn, index);
    if (nlo & _PAGE_PRESENT) {
      const bad = badL3Flags(mm, d, nlo, nhi);
      if (bad) {
        mm.diag.report({ rule: 'bad-l3-flags', rc: -EINVAL, domid: d.domid, targetMfn: pteMfn(nlo, nhi),
          message: `Bad L3 flags ${hex(bad)}` });
        return -EINVAL;
      }
      adjustGuestL3e(d.kind, nlo, nhi, scratch);
      nlo = scratch[0]; nhi = scratch[1];
      if (!pteHasChanged(olo, ohi, nlo, nhi, FASTPATH_FLAG_WHITELIST)) {
        writeEntry(mm, l3mfn, index, olo, ohi, nlo, nhi, preserveAd);
        return 0;
      }
      const rc = getPageFromL3e(mm, nlo, nhi, l3mfn, d);
      if (rc < 0) return rc;
    }
    writeEntry(mm, l3mfn, index, olo, ohi, nlo, nhi, preserveAd);
    putPageFromL3e(mm, olo, ohi, l3mfn);
    return 0;
  } finally {
    mm.diag.ctx = saved;
  }
}
