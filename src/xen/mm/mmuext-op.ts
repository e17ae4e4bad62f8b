// HYPERVISOR_mmuext_op (do_mmuext_op): pin/unpin page tables, install base pointers, TLB and cache
// operations, SET_LDT, CLEAR_PAGE and COPY_PAGE. Stops at the first failing op; `done` counts the rest.

import { EACCES, EINVAL, ENOSYS, EOPNOTSUPP } from '../public/errno';
import {
  DOMID_SELF, MMUEXT_CLEAR_PAGE, MMUEXT_COPY_PAGE, MMUEXT_FLUSH_CACHE, MMUEXT_FLUSH_CACHE_GLOBAL,
  MMUEXT_INVLPG_ALL, MMUEXT_INVLPG_LOCAL, MMUEXT_INVLPG_MULTI, MMUEXT_MARK_SUPER, MMUEXT_NEW_BASEPTR,
  MMUEXT_NEW_USER_BASEPTR, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE,
  MMUEXT_SET_LDT, MMUEXT_TLB_FLUSH_ALL, MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_TLB_FLUSH_MULTI, MMUEXT_UNMARK_SUPER,
  MMUEXT_UNPIN_TABLE, VMASST_TYPE_m2p_strict,
} from '../public/xen';
import { HYPERVISOR_VIRT_END } from '../public/arch-x86';
import {
  MmState, MmVcpu, PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table, PGT_pinned,
  PGT_writable_page, vmAssistEnabled,
} from './page-info';
import { getPage, getPageAndType, getPageType, putPage, putPageAndType } from './page-type';
import { fillRoMpt, zapRoMpt } from './l4';
import { MmOpResult } from './mmu-update';

/** One struct mmuext_op: arg1 = mfn or linear address (canonical number), arg2 = nr_ents / src_mfn / mask. */
export interface MmuextOp { cmd: number; arg1: number; arg2: number; }

const hex = (v: number): string => (v >>> 0).toString(16);

/** __addr_ok for a linear address given as a canonical signed number. */
export function addrOk(addr: number): boolean { return (addr >= 0 && addr < 2 ** 47) || (addr < 0 && addr >= HYPERVISOR_VIRT_END); }

function pinPage(mm: MmState, v: MmVcpu, mfn: number, type: number): number {
  const d = v.domain;
  if (!getPage(mm, mfn, d)) return -EINVAL;
  const rc = getPageType(mm, mfn, type);
  if (rc !== 0) { putPage(mm, mfn); return rc; }
  if (mm.frames.typeFlags[mfn] & PGT_pinned) {
    mm.diag.report({ rule: 'already-pinned', rc: -EINVAL, domid: d.domid, mfn, pfn: mm.pfnOf(mfn),
      message: `mfn ${hex(mfn)} already pinned` });
    putPageAndType(mm, mfn);
    return -EINVAL;
  }
  mm.frames.typeFlags[mfn] |= PGT_pinned;
  return 0;
}

function unpinPage(mm: MmState, v: MmVcpu, mfn: number): number {
  const d = v.domain;
  if (!getPage(mm, mfn, d, true)) {
    mm.diag.report({ rule: 'not-owned', rc: -EINVAL, domid: d.domid, targetMfn: mfn,
      message: `mfn ${hex(mfn)} bad, or bad owner d${d.domid}` });
    return -EINVAL;
  }
  if (!(mm.frames.typeFlags[mfn] & PGT_pinned)) {
    putPage(mm, mfn);
    mm.diag.report({ rule: 'not-pinned', rc: -EINVAL, domid: d.domid, mfn, pfn: mm.pfnOf(mfn),
      message: `mfn ${hex(mfn)} not pinned` });
    return -EINVAL;
  }
  mm.frames.typeFlags[mfn] &= ~PGT_pinned;
  putPageAndType(mm, mfn);
  putPage(mm, mfn);
  return 0;
}

/** new_guest_cr3: pv64 takes an L4 type ref, pv32pae an L3 one; the shadow LDT goes; the old base is released after. */
export function newGuestCr3(mm: MmState, v: MmVcpu, mfn: number): number {
  const d = v.domain;
  const old = v.guestTable;
  if (old === mfn && old !== 0) { mm.hooks.baseptrChanged?.(v, false); return 0; }
  const type = d.kind === 'pv64' ? PGT_l4_page_table : PGT_l3_page_table;
  const rc = getPageAndType(mm, mfn, d, type);
  if (rc !== 0) {
    mm.diag.report({ rule: 'bad-baseptr', rc, domid: d.domid, targetMfn: mfn,
      message: `Error while installing new baseptr ${hex(mfn)}` });
    return rc;
  }
  if (d.kind === 'pv64' && !vmAssistEnabled(d, VMASST_TYPE_m2p_strict)) fillRoMpt(mm, mfn);
  v.guestTable = mfn;
  mm.hooks.destroyLdt?.(v);
  mm.hooks.baseptrChanged?.(v, false);
  mm.hooks.flushTlb?.(v, 'all');
  if (old !== 0) putPageAndType(mm, old);
  return 0;
}

function newUserBaseptr(mm: MmState, v: MmVcpu, mfn: number): number {
  const d = v.domain;
  if (d.kind !== 'pv64') {
    mm.diag.report({ rule: 'bad-mmuext-cmd', rc: -EINVAL, domid: d.domid, message: 'NEW_USER_BASEPTR is for pv64 guests only' });
    return -EINVAL;
  }
  const old = v.guestTableUser;
  if (old === mfn) return 0;
  if (mfn !== 0) {
    const rc = getPageAndType(mm, mfn, d, PGT_l4_page_table);
    if (rc !== 0) {
      mm.diag.report({ rule: 'bad-baseptr', rc, domid: d.domid, targetMfn: mfn,
        message: `Error ${rc} installing new mfn ${hex(mfn)}` });
      return rc;
    }
    if (vmAssistEnabled(d, VMASST_TYPE_m2p_strict)) zapRoMpt(mm, mfn);
  }
  v.guestTableUser = mfn;
  mm.hooks.baseptrChanged?.(v, true);
  if (old !== 0) putPageAndType(mm, old);
  return 0;
}

function setLdt(mm: MmState, v: MmVcpu, ptr: number, ents: number): number {
  ents >>>= 0;
  if (ents > 8192 || (ents && ((ptr % 4096) !== 0 || !addrOk(ptr)))) {
    mm.diag.report({ rule: 'bad-ldt', rc: -EINVAL, domid: v.domain.domid,
      message: `Bad args to SET_LDT: ptr=${ptr < 0 ? '-' : ''}${Math.abs(ptr).toString(16)}, ents=${ents.toString(16)}` });
    return -EINVAL;
  }
  const base = ents ? ptr : 0;
  if (v.ldtEnts !== ents || v.ldtBase !== base) {
    v.ldtBase = base;
    v.ldtEnts = ents;
    mm.hooks.ldtChanged?.(v);
    mm.hooks.flushTlb?.(v, 'all');
  }
  return 0;
}

function clearPage(mm: MmState, v: MmVcpu, mfn: number): number {
  if (getPageAndType(mm, mfn, v.domain, PGT_writable_page) !== 0) {
    mm.diag.report({ rule: 'type-conflict', rc: -EINVAL, domid: v.domain.domid, targetMfn: mfn, message: `Error clearing mfn ${hex(mfn)}` });
    return -EINVAL;
  }
  mm.mem.fill(mm.maddr(mfn), 4096, 0);
  putPageAndType(mm, mfn);
  return 0;
}

function copyPage(mm: MmState, v: MmVcpu, dst: number, src: number): number {
  const d = v.domain;
  if (!getPage(mm, src, d)) {
    mm.diag.report({ rule: 'not-owned', rc: -EINVAL, domid: d.domid, targetMfn: src, message: `Error copying from mfn ${hex(src)}` });
    return -EINVAL;
  }
  if (getPageAndType(mm, dst, d, PGT_writable_page) !== 0) {
    putPage(mm, src);
    mm.diag.report({ rule: 'type-conflict', rc: -EINVAL, domid: d.domid, targetMfn: dst, message: `Error copying to mfn ${hex(dst)}` });
    return -EINVAL;
  }
  mm.mem.writeBytes(mm.maddr(dst), mm.mem.readBytes(mm.maddr(src), 4096));
  putPageAndType(mm, dst);
  putPage(mm, src);
  return 0;
}

/** do_mmuext_op(uops, count, pdone, foreigndom); only DOMID_SELF (or the caller's id) as foreigndom. */
export function doMmuextOp(mm: MmState, v: MmVcpu, ops: readonly MmuextOp[], count = ops.length,
  foreigndom = DOMID_SELF): MmOpResult {
  const mark = mm.diag.mark();
  const d = v.domain;
  let rc = 0, i = 0;
  if (foreigndom !== DOMID_SELF && foreigndom !== d.domid) {
    mm.diag.report({ rule: 'foreign-domain', rc: -EINVAL, domid: d.domid, message: `foreigndom ${foreigndom}: not supported` });
    return { rc: -EINVAL, done: 0, diag: mm.diag.firstSince(mark) };
  }
  for (; i < count && i < ops.length; i++) {
    const op = ops[i];
    switch (op.cmd) {
      case MMUEXT_PIN_L1_TABLE: rc = pinPage(mm, v, op.arg1, PGT_l1_page_table); break;
      case MMUEXT_PIN_L2_TABLE: rc = pinPage(mm, v, op.arg1, PGT_l2_page_table); break;
      case MMUEXT_PIN_L3_TABLE: rc = pinPage(mm, v, op.arg1, PGT_l3_page_table); break;
      case MMUEXT_PIN_L4_TABLE: rc = d.kind === 'pv32pae' ? 0 : pinPage(mm, v, op.arg1, PGT_l4_page_table); break;
      case MMUEXT_UNPIN_TABLE: rc = unpinPage(mm, v, op.arg1); break;
      case MMUEXT_NEW_BASEPTR: rc = newGuestCr3(mm, v, op.arg1); break;
      case MMUEXT_NEW_USER_BASEPTR: rc = newUserBaseptr(mm, v, op.arg1); break;
      case MMUEXT_TLB_FLUSH_LOCAL: case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_TLB_FLUSH_ALL:
        mm.hooks.flushTlb?.(v, 'all'); rc = 0; break;
      case MMUEXT_INVLPG_LOCAL: case MMUEXT_INVLPG_MULTI: case MMUEXT_INVLPG_ALL:
        if (addrOk(op.arg1)) mm.hooks.flushTlb?.(v, 'one', op.arg1);
        rc = 0; break;
      case MMUEXT_FLUSH_CACHE: case MMUEXT_FLUSH_CACHE_GLOBAL:
        mm.diag.report({ rule: 'permission', rc: -EACCES, domid: d.domid, message: `d${d.domid} may not flush caches` });
        rc = -EACCES; break;
      case MMUEXT_SET_LDT: rc = setLdt(mm, v, op.arg1, op.arg2); break;
      case MMUEXT_CLEAR_PAGE: rc = clearPage(mm, v, op.arg1); break;
      case MMUEXT_COPY_PAGE: rc = copyPage(mm, v, op.arg1, op.arg2); break;
      case MMUEXT_MARK_SUPER: case MMUEXT_UNMARK_SUPER: rc = -EOPNOTSUPP;
        mm.diag.report({ rule: 'bad-mmuext-cmd', rc, domid: d.domid, message: 'superpage marking is not supported' }); break;
      default:
        rc = -ENOSYS;
        mm.diag.report({ rule: 'bad-mmuext-cmd', rc, domid: d.domid, index: i, message: `mmuext_op: unknown command ${op.cmd}` });
    }
    if (rc !== 0) break;
  }
  return { rc, done: i, diag: rc ? mm.diag.firstSince(mark) : undefined };
}
