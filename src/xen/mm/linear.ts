// Linear (recursive) page tables: an L2/L3/L4 entry pointing at a table of its own level, allowed by Xen
// only read-only, only onto an already validated table, and only one level deep (get_lN_linear_pagetable).

import { EINVAL } from '../public/errno';
import { MmState, MmDomain, PGT_NAMES, PGT_validated, PGT_count_max } from './page-info';
import { getPage, putPage, incLinearEntries, incLinearUses, decLinearEntries, decLinearUses } from './page-type';
import { _PAGE_RW, pteFlags, pteMfn } from './pte';

const hex = (v: number): string => (v >>> 0).toString(16);

/**
 * Try to accept entry (lo, hi) of table `ptMfn` (type `level`) as a linear page-table entry. Returns true
 * when accepted (a type ref on the target is taken unless it is a self-map). Diagnostics are recorded only
 * when the entry genuinely tries to be linear (target is a table of the same level, or itself).
 */
export function getLinearPagetable(mm: MmState, level: number, lo: number, hi: number, ptMfn: number, d: MmDomain): boolean {
  const f = mm.frames;
  const mfn = pteMfn(lo, hi);
  const attempt = mfn === ptMfn || (f.valid(mfn) && f.type[mfn] === level && f.typeCount[mfn] > 0);
  const fail = (why: string): boolean => {
    if (attempt) mm.diag.report({ rule: 'linear-pt', rc: -EINVAL, domid: d.domid, targetMfn: mfn, message: why });
    return false;
  };
  if (pteFlags(lo, hi) & _PAGE_RW) return fail('Attempt to create linear p.t. with write perms');
  if (mfn === ptMfn) return true;
  if (f.owner[ptMfn] !== d.domid) return fail(`linear p.t.: table mfn ${hex(ptMfn)} not owned by d${d.domid}`);
  if (!getPage(mm, mfn, d, !attempt)) return false;
  if (!incLinearEntries(mm, ptMfn)) {
    putPage(mm, mfn);
    return fail(`linear p.t.: mfn ${hex(ptMfn)} is itself mapped as a linear p.t. elsewhere`);
  }
  if (!incLinearUses(mm, mfn)) {
    decLinearEntries(mm, ptMfn); putPage(mm, mfn);
    return fail(`linear p.t.: target mfn ${hex(mfn)} has linear entries of its own`);
  }
  const tc = f.typeCount[mfn];
  if (tc >= PGT_count_max || f.type[mfn] !== level || !(f.typeFlags[mfn] & PGT_validated) || tc === 0) {
    decLinearUses(mm, mfn); decLinearEntries(mm, ptMfn); putPage(mm, mfn);
    return fail(`linear p.t.: target mfn ${hex(mfn)} is not a validated ${PGT_NAMES[level]} ` +
      `(saw ${PGT_NAMES[f.type[mfn]]}, count ${tc})`);
  }
  f.typeCount[mfn] = tc + 1;
  return true;
}
