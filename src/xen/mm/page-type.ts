// General and type reference counts (get_page/put_page, get_page_type/put_page_type) and the
// validate/devalidate dispatch that promotes or demotes a frame when its type count crosses 0 <-> 1.

import { EINVAL } from '../public/errno';
import { DOMID_INVALID } from '../public/xen';
import {
  MmState, MmDomain, PGT_NAMES, PGT_count_max, PGC_count_max, PGT_l1_page_table, PGT_l2_page_table,
  PGT_l3_page_table, PGT_l4_page_table, PGT_seg_desc_page, PGT_writable_page, PGT_shared_page, PGT_validated,
  PGT_pae_xen_l2, typeInfoHex,
} from './page-info';
import { promoteL1Table, demoteL1Table } from './l1';
import { promoteL2Table, demoteL2Table } from './l2';
import { promoteL3Table, demoteL3Table } from './l3';
import { promoteL4Table, demoteL4Table } from './l4';
import { validateSegdescPage } from './descriptors';

const hex = (v: number): string => (v >>> 0).toString(16);

/** Take a general reference, without an owner check (page_get_owner_and_reference). False if unallocated. */
export function getPageAnyOwner(mm: MmState, mfn: number): boolean {
  const f = mm.frames;
  if (!f.valid(mfn) || f.count[mfn] === 0 || f.count[mfn] >= PGC_count_max) return false;
  f.count[mfn]++;
  return true;
}

/** get_page: take a general reference on a frame owned by `d`. Records 'not-owned' on failure. */
export function getPage(mm: MmState, mfn: number, d: MmDomain, quiet = false): boolean {
  const f = mm.frames;
  if (f.valid(mfn) && f.count[mfn] !== 0 && f.count[mfn] < PGC_count_max && f.owner[mfn] === d.domid) {
    f.count[mfn]++;
    return true;
  }
  if (!quiet) {
    const od = f.valid(mfn) ? f.owner[mfn] : DOMID_INVALID;
    const owner = !f.valid(mfn) ? 'none (not RAM)' : od === DOMID_INVALID || f.count[mfn] === 0 ? 'none' : `d${od}`;
    mm.diag.report({
      rule: 'not-owned', rc: -EINVAL, targetMfn: mfn, domid: d.domid,
      message: `Error mfn ${hex(mfn)}: rd=d${d.domid} od=${owner}` +
        (f.valid(mfn) ? ` caf=${f.countInfoWord(mfn)} taf=${f.typeInfoWord(mfn)}` : ''),
    });
  }
  return false;
}

/** put_page: drop a general reference; the frame is freed when the count reaches 0. */
export function putPage(mm: MmState, mfn: number): void {
  const f = mm.frames;
  if (!f.valid(mfn) || f.count[mfn] === 0) throw new Error(`putPage on unreferenced mfn ${hex(mfn)}`);
  if (--f.count[mfn] === 0) f.free(mfn);
}

/**
 * get_page_type: take a type reference of `type` (with PGT_pae_xen_l2 when `paeXenL2`). The type may
 * change only at type count 0; the 0 -> 1 transition of a page-table or descriptor type validates the
 * frame. `quiet` suppresses the diagnostic for the cross-level mismatches that may be linear page tables.
 * Returns 0 or a negative errno.
 */
export function getPageType(mm: MmState, mfn: number, type: number, paeXenL2 = false, quiet = false): number {
  const f = mm.frames;
  const x = f.typeCount[mfn], xt = f.type[mfn], xf = f.typeFlags[mfn];
  const wantPae = paeXenL2 ? PGT_pae_xen_l2 : 0;
  if (x >= PGT_count_max) {
    mm.diag.report({ rule: 'type-overflow', rc: -EINVAL, targetMfn: mfn, message: `Type count overflow on mfn ${hex(mfn)}` });
    return -EINVAL;
  }
  if (x === 0) {
    if (xt !== type || wantPae) {
      f.type[mfn] = type;
      f.typeFlags[mfn] = (xf & ~(PGT_validated | PGT_pae_xen_l2)) | wantPae;
    }
  } else if (xt !== type || (xf & PGT_pae_xen_l2) !== wantPae) {
    const recursive = (xt === PGT_l2_page_table && type === PGT_l1_page_table) ||
      (xt === PGT_l3_page_table && type === PGT_l2_page_table) ||
      (xt === PGT_l4_page_table && type === PGT_l3_page_table);
    if (!(recursive && quiet)) {
      mm.diag.report({
        rule: 'type-conflict', rc: -EINVAL, targetMfn: mfn,
        message: `Bad type (saw ${typeInfoHex(xt, xf, x)} != exp ${typeInfoHex(type, wantPae, 0)}) ` +
          `for mfn ${hex(mfn)} (pfn ${hex(mm.pfnOf(mfn))})`,
      });
    }
    return -EINVAL;
  } else if (!(xf & PGT_validated)) {
    // Only reachable through a cycle back into a table being validated (Xen would wait forever).
    mm.diag.report({
      rule: 'type-conflict', rc: -EINVAL, targetMfn: mfn,
      message: `mfn ${hex(mfn)} (pfn ${hex(mm.pfnOf(mfn))}) is being validated as ${PGT_NAMES[xt]}`,
    });
    return -EINVAL;
  }
  f.typeCount[mfn] = x + 1;
  if (f.typeFlags[mfn] & PGT_validated) return 0;
  if (type === PGT_writable_page || type === PGT_shared_page) {
    f.typeFlags[mfn] |= PGT_validated;
    return 0;
  }
  f.linearPtCount[mfn] = 0;
  const rc = validatePage(mm, mfn, type, paeXenL2);
  if (rc === 0) f.typeFlags[mfn] |= PGT_validated;
  else { f.type[mfn] = 0; f.typeFlags[mfn] = 0; f.typeCount[mfn] = 0; }
  return rc;
}

/**
 * put_page_type: drop a type reference. At 0 a validated page table is devalidated (its entries drop
 * their references). `ptpg` is the table whose entry held the reference (for linear page-table counts).
 */
export function putPageType(mm: MmState, mfn: number, ptpg = -1): void {
  const f = mm.frames;
  const x = f.typeCount[mfn];
  if (x === 0) throw new Error(`putPageType on mfn ${hex(mfn)} with type count 0`);
  const t = f.type[mfn];
  const linear = ptpg >= 0 && f.type[ptpg] === t;
  if (x === 1 && t >= PGT_l1_page_table && t <= PGT_l4_page_table && (f.typeFlags[mfn] & PGT_validated)) {
    f.typeFlags[mfn] &= ~PGT_validated;
    devalidatePage(mm, mfn);
    f.typeFlags[mfn] &= ~PGT_pae_xen_l2;
  }
  if (linear) { decLinearUses(mm, mfn); decLinearEntries(mm, ptpg); }
  f.typeCount[mfn] = x - 1;
}

/** get_page_and_type: general ref (owner d) + type ref; nothing held on failure. */
export function getPageAndType(mm: MmState, mfn: number, d: MmDomain, type: number, paeXenL2 = false, quiet = false): number {
  if (!getPage(mm, mfn, d)) return -EINVAL;
  const rc = getPageType(mm, mfn, type, paeXenL2, quiet);
  if (rc !== 0) putPage(mm, mfn);
  return rc;
}

export function putPageAndType(mm: MmState, mfn: number, ptpg = -1): void {
  putPageType(mm, mfn, ptpg);
  putPage(mm, mfn);
}

/** alloc_page_type: audit a frame that becomes a page table / descriptor page. */
export function validatePage(mm: MmState, mfn: number, type: number, paeXenL2 = false): number {
  switch (type) {
    case PGT_l1_page_table: return promoteL1Table(mm, mfn);
    case PGT_l2_page_table: return promoteL2Table(mm, mfn, paeXenL2);
    case PGT_l3_page_table: return promoteL3Table(mm, mfn);
    case PGT_l4_page_table: return promoteL4Table(mm, mfn);
    case PGT_seg_desc_page: return validateSegdescPage(mm, mfn);
    default: return -EINVAL;
  }
}

/** free_page_type: release everything a table's entries hold (type count dropped to 0). */
export function devalidatePage(mm: MmState, mfn: number): void {
  switch (mm.frames.type[mfn]) {
    case PGT_l1_page_table: demoteL1Table(mm, mfn); break;
    case PGT_l2_page_table: demoteL2Table(mm, mfn); break;
    case PGT_l3_page_table: demoteL3Table(mm, mfn); break;
    case PGT_l4_page_table: demoteL4Table(mm, mfn); break;
    default: break;
  }
}

// ---- linear page-table counts (inc_linear_entries / inc_linear_uses) ----
export function incLinearEntries(mm: MmState, ptpg: number): boolean {
  const c = mm.frames.linearPtCount;
  if (c[ptpg] < 0 || c[ptpg] >= 0x7fff) return false;
  c[ptpg]++;
  return true;
}
export function decLinearEntries(mm: MmState, ptpg: number): void { mm.frames.linearPtCount[ptpg]--; }
export function incLinearUses(mm: MmState, pg: number): boolean {
  const c = mm.frames.linearPtCount;
  if (c[pg] > 0 || c[pg] <= -0x8000) return false;
  c[pg]--;
  return true;
}
export function decLinearUses(mm: MmState, pg: number): void { mm.frames.linearPtCount[pg]++; }
