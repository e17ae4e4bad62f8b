// L1 (leaf) entries: get_page_from_l1e / put_page_from_l1e, promote/demote of a whole L1 table, and
// mod_l1_entry for mmu_update. A present L1 entry holds a general ref on the mapped frame, plus a
// PGT_writable_page type ref when it is writable. Dropping a read-only mapping of an in-use descriptor page blows
// away the owner's shadow LDTs (hooks.segdescUnmapped).

import { EBUSY, EINVAL, EPERM } from '../public/errno';
import { DOMID_INVALID, MMU_PT_UPDATE_PRESERVE_AD } from '../public/xen';
import { MmState, MmDomain, PGT_NAMES, PGT_writable_page, PGT_l1_page_table, PGT_seg_desc_page } from './page-info';
import { getPageAnyOwner, getPageType, putPage, putPageType } from './page-type';
import {
  PT_ENTRIES, _PAGE_PRESENT, _PAGE_RW, _PAGE_ACCESSED, _PAGE_DIRTY, FASTPATH_FLAG_WHITELIST, adjustGuestL1e,
  l1DisallowMask, pteFlags, pteHasChanged, pteMfn, pteHex, readPteHi, readPteLo, writePte,
} from './pte';
import { EntryContext } from './diagnostics';

const hex = (v: number): string => (v >>> 0).toString(16);
const scratch = new Uint32Array(2);

/**
 * get_page_from_l1e: take the references a present L1 entry needs. Returns 0 or a negative errno
 * (-EINVAL bad flags, -EPERM not RAM, -EBUSY frame not owned / cannot be typed writable).
 */
export function getPageFromL1e(mm: MmState, lo: number, hi: number, l1eOwner: MmDomain, pgOwner: MmDomain = l1eOwner): number {
  const flags = pteFlags(lo, hi);
  if (!(flags & _PAGE_PRESENT)) return 0;
  const disallow = l1DisallowMask(mm.nx);
  if (flags & disallow) {
    mm.diag.report({ rule: 'bad-l1-flags', rc: -EINVAL, domid: l1eOwner.domid, targetMfn: pteMfn(lo, hi),
      message: `Bad L1 flags 0x${hex(flags & disallow)}` });
    return -EINVAL;
  }
  const mfn = pteMfn(lo, hi);
  const f = mm.frames;
  if (!f.valid(mfn)) {
    mm.diag.report({ rule: 'mmio', rc: -EPERM, domid: l1eOwner.domid, targetMfn: mfn,
      message: `d${pgOwner.domid} non-privileged attempt to map MMIO space ${hex(mfn)}` });
    return -EPERM;
  }
  const referenced = getPageAnyOwner(mm, mfn);
  if (!referenced || f.owner[mfn] !== pgOwner.domid) {
    const real = !referenced || f.owner[mfn] === DOMID_INVALID ? -1 : f.owner[mfn];
    mm.diag.report({ rule: 'not-owned', rc: -EBUSY, domid: l1eOwner.domid, targetMfn: mfn,
      message: `pg_owner d${pgOwner.domid} l1e_owner d${l1eOwner.domid}, but real_pg_owner d${real}: ` +
        `Error getting mfn ${hex(mfn)} (pfn ${hex(mm.pfnOf(mfn))}) from L1 entry ${pteHex(lo, hi)}` });
    if (referenced) putPage(mm, mfn);
    return -EBUSY;
  }
  if (flags & _PAGE_RW) {
    const t = f.type[mfn], tc = f.typeCount[mfn];
    if (tc !== 0 && t !== PGT_writable_page) {
      mm.diag.report({ rule: 'writable-pt-mapping', rc: -EBUSY, domid: l1eOwner.domid, targetMfn: mfn,
        message: `Could not get page type PGT_writable_page: mfn ${hex(mfn)} (pfn ${hex(mm.pfnOf(mfn))}) ` +
          `is in use as ${PGT_NAMES[t]} (type count ${tc}); L1 entry ${pteHex(lo, hi)}` });
      putPage(mm, mfn);
      return -EBUSY;
    }
    if (getPageType(mm, mfn, PGT_writable_page) !== 0) { putPage(mm, mfn); return -EBUSY; }
  }
  return 0;
}

/** put_page_from_l1e: drop what getPageFromL1e took. */
export function putPageFromL1e(mm: MmState, lo: number, hi: number): void {
  const flags = pteFlags(lo, hi);
  if (!(flags & _PAGE_PRESENT)) return;
  const mfn = pteMfn(lo, hi);
  if (!mm.frames.valid(mfn)) return;
  if (flags & _PAGE_RW) putPageType(mm, mfn);
  else if (mm.frames.type[mfn] === PGT_seg_desc_page && mm.frames.typeCount[mfn] !== 0) {
    const owner = mm.ownerDomain(mfn);
    if (owner) mm.hooks.segdescUnmapped?.(owner);
  }
  putPage(mm, mfn);
}

/** promote_l1_table: validate all 512 entries, taking their references; full rollback on failure. */
export function promoteL1Table(mm: MmState, mfn: number): number {
  const d = mm.ownerDomain(mfn);
  if (!d) return -EINVAL;
  const mem = mm.mem;
  const saved = mm.diag.ctx;
  const ctx: EntryContext = { mfn, level: 1, index: 0, lo: 0, hi: 0 };
  mm.diag.ctx = ctx;
  let i = 0, rc = 0;
  for (; i < PT_ENTRIES; i++) {
    const lo = readPteLo(mem, mfn, i), hi = readPteHi(mem, mfn, i);
    if (!(lo & _PAGE_PRESENT)) continue;
    ctx.index = i; ctx.lo = lo; ctx.hi = hi;
    rc = getPageFromL1e(mm, lo, hi, d, d);
    if (rc < 0) break;
    adjustGuestL1e(d.kind, lo, hi, scratch);
    if (scratch[0] !== lo || scratch[1] !== hi) writePte(mem, mfn, i, scratch[0], scratch[1]);
  }
  mm.diag.ctx = saved;
  if (rc < 0) {
    while (i-- > 0) putPageFromL1e(mm, readPteLo(mem, mfn, i), readPteHi(mem, mfn, i));
    return rc;
  }
  return 0;
}

/** demote_l1_table: every entry drops its references. */
export function demoteL1Table(mm: MmState, mfn: number): void {
  for (let i = 0; i < PT_ENTRIES; i++) putPageFromL1e(mm, readPteLo(mm.mem, mfn, i), readPteHi(mm.mem, mfn, i));
}

/**
 * mod_l1_entry: replace entry `index` of validated L1 `l1mfn` with (nlo, nhi). The new entry's
 * references are taken before the old entry's are dropped. `cmd` MMU_PT_UPDATE_PRESERVE_AD keeps the
 * old A/D bits.
 */
export function modL1Entry(mm: MmState, l1mfn: number, index: number, nlo: number, nhi: number, cmd: number,
  ptDom: MmDomain, pgDom: MmDomain = ptDom): number {
  const mem = mm.mem;
  const olo = readPteLo(mem, l1mfn, index), ohi = readPteHi(mem, l1mfn, index);
  const preserveAd = cmd === MMU_PT_UPDATE_PRESERVE_AD;
  const saved = mm.diag.ctx;
  mm.diag.ctx = { mfn: l1mfn, level: 1, index, lo: nlo >>> 0, hi: nhi >>> 0 };
  try {
    if (pteFlags(nlo, nhi) & _PAGE_PRESENT) {
      const flags = pteFlags(nlo, nhi), disallow = l1DisallowMask(mm.nx);
      if (flags & disallow) {
        mm.diag.report({ rule: 'bad-l1-flags', rc: -EINVAL, domid: ptDom.domid, targetMfn: pteMfn(nlo, nhi),
          message: `Bad L1 flags 0x${hex(flags & disallow)}` });
        return -EINVAL;
      }
      adjustGuestL1e(ptDom.kind, nlo, nhi, scratch);
      nlo = scratch[0]; nhi = scratch[1];
      if (!pteHasChanged(olo, ohi, nlo, nhi, FASTPATH_FLAG_WHITELIST)) {
        writeEntry(mm, l1mfn, index, olo, ohi, nlo, nhi, preserveAd);
        return 0;
      }
      const rc = getPageFromL1e(mm, nlo, nhi, ptDom, pgDom);
      if (rc < 0) return rc;
    }
    writeEntry(mm, l1mfn, index, olo, ohi, nlo, nhi, preserveAd);
    putPageFromL1e(mm, olo, ohi);
    return 0;
  } finally {
    mm.diag.ctx = saved;
  }
}

/** update_intpte: write the entry, ORing in the old A/D bits when asked. */
export function writeEntry(mm: MmState, mfn: number, index: number, olo: number, _ohi: number,
  nlo: number, nhi: number, preserveAd: boolean): void {
  const lo = preserveAd ? (nlo | (olo & (_PAGE_ACCESSED | _PAGE_DIRTY))) >>> 0 : nlo >>> 0;
  writePte(mm.mem, mfn, index, lo, nhi >>> 0);
}

/** Is `mfn` a validated L1 (for callers that want to check before modL1Entry)? */
export function isValidatedL1(mm: MmState, mfn: number): boolean {
  return mm.frames.type[mfn] === PGT_l1_page_table && mm.frames.typeCount[mfn] > 0;
}
