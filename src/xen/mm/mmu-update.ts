// HYPERVISOR_mmu_update (do_mmu_update): a batch of (ptr, val) requests - checked page-table writes at
// any level, with or without A/D preservation, and machine-to-phys updates. Stops at the first failure;
// `done` counts the requests that took effect (the failing one changed nothing).

import { EINVAL, ENOSYS, ESRCH } from '../public/errno';
import {
  DOMID_SELF, MMU_MACHPHYS_UPDATE, MMU_NORMAL_PT_UPDATE, MMU_PT_UPDATE_NO_TRANSLATE, MMU_PT_UPDATE_PRESERVE_AD,
} from '../public/xen';
import {
  MmState, MmVcpu, PGT_NAMES, PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table,
  PGT_validated, PGT_writable_page,
} from './page-info';
import { getPage, getPageType, putPage, putPageType } from './page-type';
import { modL1Entry } from './l1';
import { modL2Entry } from './l2';
import { modL3Entry } from './l3';
import { modL4Entry } from './l4';
import { setGpfnFromMfn } from './xen-mappings';
import { MmDiagnostic } from './diagnostics';

/** One struct mmu_update, as 32-bit halves. */
export interface MmuUpdateReq { ptrLo: number; ptrHi: number; valLo: number; valHi: number; }

export interface MmOpResult {
  /** 0 or a negative Xen errno. */
  rc: number;
  /** Requests completed (the value written to *pdone). */
  done: number;
  /** Root-cause diagnostic of a failure. */
  diag?: MmDiagnostic;
  /** A TLB flush Xen performed (also reported through mm.hooks.flushTlb). */
  flushed?: boolean;
}

/** Resolve foreigndom: only the caller's own domain is supported (DOMID_SELF or its id, PFD 0). */
function checkForeign(mm: MmState, v: MmVcpu, foreigndom: number): number {
  const fd = foreigndom & 0xffff, pfd = foreigndom >>> 16;
  if ((fd === DOMID_SELF || fd === v.domain.domid) && (pfd === 0 || pfd - 1 === v.domain.domid)) return 0;
  mm.diag.report({ rule: 'foreign-domain', rc: -ESRCH, domid: v.domain.domid,
    message: `foreigndom 0x${(foreigndom >>> 0).toString(16)}: foreign domains are not supported` });
  return -ESRCH;
}

/** do_mmu_update(reqs, count, pdone, foreigndom). */
export function doMmuUpdate(mm: MmState, v: MmVcpu, reqs: readonly MmuUpdateReq[], count = reqs.length,
  foreigndom = DOMID_SELF): MmOpResult {
  const mark = mm.diag.mark();
  const d = v.domain;
  let rc = checkForeign(mm, v, foreigndom);
  let i = 0, flush = false;
  if (rc === 0) {
    for (; i < count && i < reqs.length; i++) {
      const req = reqs[i];
      const cmd = req.ptrLo & 7;
      const ptrLo = (req.ptrLo - cmd) >>> 0;
      const mfn = (ptrLo >>> 12) + (req.ptrHi >>> 0) * 0x100000;
      const index = (ptrLo & 0xfff) >>> 3;
      switch (cmd) {
        case MMU_NORMAL_PT_UPDATE: case MMU_PT_UPDATE_PRESERVE_AD: case MMU_PT_UPDATE_NO_TRANSLATE: {
          rc = -EINVAL;
          if (!getPage(mm, mfn, d)) break;
          const f = mm.frames;
          const pad = cmd === MMU_PT_UPDATE_PRESERVE_AD;
          if (f.typeCount[mfn] > 0 && (f.typeFlags[mfn] & PGT_validated)) {
            switch (f.type[mfn]) {
              case PGT_l1_page_table: rc = modL1Entry(mm, mfn, index, req.valLo, req.valHi, cmd, d); break;
              case PGT_l2_page_table: rc = modL2Entry(mm, mfn, index, req.valLo, req.valHi, pad, d); flush = flush || rc === 0; break;
              case PGT_l3_page_table: rc = modL3Entry(mm, mfn, index, req.valLo, req.valHi, pad, d); flush = flush || rc === 0; break;
              case PGT_l4_page_table: rc = modL4Entry(mm, mfn, index, req.valLo, req.valHi, pad, d); flush = flush || rc === 0; break;
              case PGT_writable_page:
                mm.mem.write64(mm.maddr(mfn) + index * 8, req.valLo, req.valHi); rc = 0; break;
              default:
                mm.diag.report({ rule: 'not-a-page-table', rc: -EINVAL, domid: d.domid, mfn, pfn: mm.pfnOf(mfn), index,
                  valueLo: req.valLo, valueHi: req.valHi,
                  message: `mmu_update to mfn ${mfn.toString(16)} (pfn ${mm.pfnOf(mfn).toString(16)}), ` +
                    `which is in use as ${PGT_NAMES[f.type[mfn]]}` });
                break;
            }
          } else if (getPageType(mm, mfn, PGT_writable_page) === 0) {
            mm.mem.write64(mm.maddr(mfn) + index * 8, req.valLo, req.valHi);
            putPageType(mm, mfn);
            rc = 0;
          }
          putPage(mm, mfn);
          break;
        }
        case MMU_MACHPHYS_UPDATE: {
          const m = Math.floor(((req.ptrHi >>> 0) * 0x100000000 + ptrLo) / 4096);
          if (!getPage(mm, m, d, true)) {
            mm.diag.report({ rule: 'not-owned', rc: -EINVAL, domid: d.domid, targetMfn: m, index: i,
              message: `Could not get page for mach->phys update (mfn ${m.toString(16)})` });
            rc = -EINVAL;
            break;
          }
          setGpfnFromMfn(mm, m, req.valLo);
          putPage(mm, m);
          rc = 0;
          break;
        }
        default:
          mm.diag.report({ rule: 'bad-mmu-cmd', rc: -ENOSYS, domid: d.domid, index: i,
            message: `mmu_update: unknown command ${cmd}` });
          rc = -ENOSYS;
      }
      if (rc !== 0) break;
    }
  }
  if (flush) mm.hooks.flushTlb?.(v, 'all');
  return { rc, done: i, diag: rc ? mm.diag.firstSince(mark) : undefined, flushed: flush };
}

