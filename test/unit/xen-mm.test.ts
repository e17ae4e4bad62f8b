// Unit tests for src/xen/mm: page types, counts, validation rules, mmu_update / mmuext_op and their
// diagnostics, on small pv64 and pv32pae domains whose mfns differ from their pfns.

import * as assert from 'node:assert/strict';
import { MachineMemory } from '../../src/cpu/memory';
import { probe, CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE } from '../../src/cpu/mmu/paging';
import {
  MmState, MmDomain, MmVcpu, createMmDomain, installXenMappings, makePte, writePte, readPteLo, readPteHi,
  doMmuUpdate, doMmuextOp, getPageType, putPageType, getPage, putPage, modL1Entry, checkDescriptor,
  validateSegdescPage, PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table,
  PGT_writable_page, PGT_seg_desc_page, PGT_pinned, PGT_validated, PGT_pae_xen_l2, MmuUpdateReq,
  _PAGE_PRESENT as P, _PAGE_RW as RW, _PAGE_USER as US, _PAGE_ACCESSED as A, _PAGE_DIRTY as D, _PAGE_PCD,
  _PAGE_PSE, _PAGE_GUEST_KERNEL, pteFlags, checkGdtEntries,
} from '../../src/xen/mm';
import {
  MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE, MMUEXT_UNPIN_TABLE,
  MMUEXT_NEW_BASEPTR, MMUEXT_NEW_USER_BASEPTR, MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL, MMUEXT_SET_LDT,
  MMUEXT_CLEAR_PAGE, MMUEXT_COPY_PAGE, MMUEXT_FLUSH_CACHE, MMU_NORMAL_PT_UPDATE, MMU_MACHPHYS_UPDATE,
  MMU_PT_UPDATE_PRESERVE_AD, DOMID_XEN,
} from '../../src/xen/public/xen';
import { EBUSY, EINVAL, EPERM, EACCES, ENOSYS } from '../../src/xen/public/errno';
import { COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT } from '../../src/xen/public/arch-x86';

interface Env { mm: MmState; d: MmDomain; v: MmVcpu; m: (pfn: number) => number; flushes: string[] }

function env(kind: 'pv64' | 'pv32pae', opts: { paeL3Strict?: boolean } = {}): Env {
  const mem = new MachineMemory(8 * 1024 * 1024);
  const flushes: string[] = [];
  const mm = new MmState(mem, { paeL3Strict: opts.paeL3Strict }, { flushTlb: (_v, k, lin) => flushes.push(lin === undefined ? k : `${k}:${lin}`) });
  installXenMappings(mm);
  const d = createMmDomain(mm, { domid: 1, kind, nrPages: 64 });
  return { mm, d, v: d.vcpus[0], m: (pfn: number) => d.p2m[pfn], flushes };
}
function set(e: Env, table: number, i: number, mfn: number, flags: number): void {
  const [lo, hi] = makePte(mfn, flags);
  writePte(e.mm.mem, table, i, lo, hi);
}
const TBL = P | RW | US | A;
function req(e: Env, table: number, i: number, mfn: number, flags: number, cmd = MMU_NORMAL_PT_UPDATE): MmuUpdateReq {
  const [lo, hi] = mfn < 0 ? [0, 0] : makePte(mfn, flags);
  return { ptrLo: (table * 4096 + i * 8 + cmd) >>> 0, ptrHi: 0, valLo: lo, valHi: hi };
}
const op = (cmd: number, arg1 = 0, arg2 = 0) => ({ cmd, arg1, arg2 });
function counts(e: Env, mfn: number): { count: number; type: number; tc: number; flags: number } {
  const f = e.mm.frames;
  return { count: f.count[mfn], type: f.type[mfn], tc: f.typeCount[mfn], flags: f.typeFlags[mfn] };
}
/** Every domain frame is back to its allocation reference only. */
function assertNoLeaks(e: Env): void {
  for (let pfn = 0; pfn < e.d.p2m.length; pfn++) {
    const mfn = e.m(pfn);
    assert.equal(e.mm.frames.count[mfn], 1, `pfn ${pfn} count`);
    assert.equal(e.mm.frames.typeCount[mfn], 0, `pfn ${pfn} type count`);
    assert.equal(e.mm.frames.typeFlags[mfn] & PGT_pinned, 0);
    assert.equal(e.mm.frames.linearPtCount[mfn], 0, `pfn ${pfn} linear count`);
  }
}

// pv64 tree: L4 pfn1 -> L3 pfn2 -> L2 pfn3 -> L1 pfn4 -> data pfn 10..12 (RW) and the tables read-only.
function pv64Tree(e: Env): { l4: number; l3: number; l2: number; l1: number } {
  const l4 = e.m(1), l3 = e.m(2), l2 = e.m(3), l1 = e.m(4);
  set(e, l4, 0, l3, TBL);
  set(e, l3, 0, l2, TBL);
  set(e, l2, 0, l1, TBL);
  for (let i = 0; i < 3; i++) set(e, l1, i, e.m(10 + i), P | RW);
  set(e, l1, 4, l4, P); set(e, l1, 5, l3, P); set(e, l1, 6, l2, P); set(e, l1, 7, l1, P);
  return { l4, l3, l2, l1 };
}

describe('xen mm: setup', () => {
  it('the factory gives a domain frames whose mfn differs from the pfn, with m2p filled', () => {
    const e = env('pv64');
    let different = 0;
    for (let pfn = 0; pfn < 64; pfn++) {
      assert.equal(e.mm.m2p[e.m(pfn)], pfn);
      assert.equal(e.mm.frames.owner[e.m(pfn)], 1);
      if (e.m(pfn) !== pfn) different++;
    }
    assert.equal(different, 64);
    assert.equal(e.mm.frames.owner[e.mm.xen!.m2pFrames[0]], DOMID_XEN);
  });
});

describe('xen mm: pv64 page-table tree', () => {
  it('PIN_L4 validates the whole tree with one type ref per entry, and UNPIN releases everything', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]);
    assert.deepEqual([r.rc, r.done], [0, 1]);
    assert.deepEqual(counts(e, t.l4), { count: 3, type: PGT_l4_page_table, tc: 1, flags: PGT_pinned | PGT_validated });
    assert.deepEqual(counts(e, t.l3), { count: 3, type: PGT_l3_page_table, tc: 1, flags: PGT_validated });
    assert.deepEqual(counts(e, t.l2), { count: 3, type: PGT_l2_page_table, tc: 1, flags: PGT_validated });
    assert.deepEqual(counts(e, t.l1), { count: 3, type: PGT_l1_page_table, tc: 1, flags: PGT_validated });
    assert.deepEqual(counts(e, e.m(10)), { count: 2, type: PGT_writable_page, tc: 1, flags: PGT_validated });
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l4)]).rc, 0);
    assertNoLeaks(e);
  });

  it('fills Xen slot 256 with the read-only M2P and readers at 0xFFFF800000000000 see machine_to_phys', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    set(e, t.l4, 260, e.m(20), TBL); // guest junk in a Xen slot is ignored and cleared
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4), op(MMUEXT_NEW_BASEPTR, t.l4)]).rc, 0);
    assert.equal(readPteLo(e.mm.mem, t.l4, 256), e.mm.xen!.roMptL4eLo);
    assert.equal(readPteLo(e.mm.mem, t.l4, 260), 0);
    assert.equal(e.mm.frames.count[e.m(20)], 1, 'no reference taken for a Xen slot');
    const regs = { cr0: CR0_PE | CR0_PG, cr3: t.l4 * 4096, cr4: CR4_PAE, efer: EFER_LME | EFER_LMA | EFER_NXE };
    const mfn = e.m(7);
    const pr = probe(e.mm.mem, regs, -0x800000000000 + mfn * 8);
    assert.ok(pr.translation, pr.stop);
    assert.equal(pr.translation!.writable, false);
    assert.equal(pr.translation!.user, true);
    assert.equal(e.mm.mem.read32(pr.phys!), 7);
  });

  it('adjusts pv64 entries like adjust_guest_lNe (USER everywhere, kernel L1s tagged)', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    set(e, t.l1, 8, e.m(13), P | US);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    const f0 = pteFlags(readPteLo(e.mm.mem, t.l1, 0), readPteHi(e.mm.mem, t.l1, 0));
    assert.ok((f0 & US) && (f0 & _PAGE_GUEST_KERNEL), 'kernel mapping gets USER + GUEST_KERNEL');
    const f8 = pteFlags(readPteLo(e.mm.mem, t.l1, 8), readPteHi(e.mm.mem, t.l1, 8));
    assert.ok((f8 & 0x100) && !(f8 & _PAGE_GUEST_KERNEL), 'user mapping gets GLOBAL');
    assert.ok(readPteLo(e.mm.mem, t.l2, 0) & US);
    assert.ok(readPteLo(e.mm.mem, t.l4, 0) & (US | A));
  });

  it('NEW_BASEPTR holds one L4 type ref and drops the old base when switching', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    const other = e.m(30);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_NEW_BASEPTR, t.l4)]).rc, 0);
    assert.equal(e.v.guestTable, t.l4);
    assert.deepEqual([e.mm.frames.typeCount[t.l4], e.mm.frames.count[t.l4]], [1, 3]);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_NEW_BASEPTR, other)]).rc, 0);
    assert.equal(e.mm.frames.typeCount[t.l4], 0);
    assert.equal(e.mm.frames.typeCount[t.l3], 0, 'old tree demoted');
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_NEW_USER_BASEPTR, t.l4)]).rc, 0);
    assert.equal(e.v.guestTableUser, t.l4);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_NEW_USER_BASEPTR, 0)]).rc, 0);
    assert.equal(e.mm.frames.typeCount[t.l4], 0);
    // A frame that is no L4 cannot be a base pointer.
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, t.l1), op(MMUEXT_NEW_BASEPTR, t.l1)]);
    assert.deepEqual([r.rc, r.done], [-EINVAL, 1]);
    assert.equal(r.diag!.rule, 'type-conflict');
    assert.equal(e.v.guestTable, other);
  });
});

describe('xen mm: invariants and rejections', () => {
  it('rejects a writable mapping of a page-table frame (-EBUSY) and rolls back the whole promotion', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    set(e, t.l1, 6, t.l2, P | RW);
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]);
    assert.deepEqual([r.rc, r.done], [-EBUSY, 0]);
    assert.equal(r.diag!.rule, 'writable-pt-mapping');
    assert.equal(r.diag!.mfn, t.l1);
    assert.equal(r.diag!.pfn, 4);
    assert.equal(r.diag!.index, 6);
    assert.equal(r.diag!.level, 1);
    assert.equal(r.diag!.targetMfn, t.l2);
    assert.equal(r.diag!.value, makePte(t.l2, P | RW)[1].toString(16).padStart(8, '0') + makePte(t.l2, P | RW)[0].toString(16).padStart(8, '0'));
    assertNoLeaks(e);
  });

  it('rejects turning a writably-mapped frame into a page table (type conflict)', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, e.m(10))]);
    assert.equal(r.rc, -EINVAL);
    assert.equal(r.diag!.rule, 'type-conflict');
    assert.match(r.diag!.message, /^Bad type \(saw e400000000000001 != exp 2000000000000000\) for mfn [0-9a-f]+ \(pfn a\)$/);
    // and an mmu_update making an L1 entry writable onto the L4 is refused, entry unchanged
    const before = readPteLo(e.mm.mem, t.l1, 4);
    const u = doMmuUpdate(e.mm, e.v, [req(e, t.l1, 4, t.l4, P | RW)]);
    assert.deepEqual([u.rc, u.done], [-EBUSY, 0]);
    assert.equal(u.diag!.rule, 'writable-pt-mapping');
    assert.equal(readPteLo(e.mm.mem, t.l1, 4), before);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l4)]).rc, 0);
    assertNoLeaks(e);
  });

  it('rejects mapping frames the domain does not own, and non-RAM frames', () => {
    const e = env('pv64');
    const l1 = e.m(4);
    set(e, l1, 9, e.mm.xen!.m2pFrames[0], P);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]);
    assert.equal(r.rc, -EBUSY);
    assert.equal(r.diag!.rule, 'not-owned');
    assert.deepEqual([r.diag!.mfn, r.diag!.index, r.diag!.pfn, r.diag!.targetMfn], [l1, 9, 4, e.mm.xen!.m2pFrames[0]]);
    assert.match(r.diag!.message, /real_pg_owner d32754/);
    set(e, l1, 9, 0x12345, P);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]);
    assert.equal(r.rc, -EPERM);
    assert.equal(r.diag!.rule, 'mmio');
    // a free frame (nobody's)
    const free = e.mm.frames.alloc(5); putPage(e.mm, free);
    set(e, l1, 9, free, P);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]);
    assert.deepEqual([r.rc, r.diag!.rule], [-EBUSY, 'not-owned']);
    assertNoLeaks(e);
  });

  it('rejects disallowed flag bits at every level with Xen\'s messages', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    set(e, t.l1, 1, e.m(11), P | RW | _PAGE_PCD);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message, r.diag!.index, r.diag!.mfn], [-EINVAL, 'bad-l1-flags', 'Bad L1 flags 0x10', 1, t.l1]);
    assertNoLeaks(e);
    set(e, t.l1, 1, e.m(11), P | RW);
    set(e, t.l2, 1, e.m(40), P | RW | _PAGE_PSE);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message, r.diag!.index, r.diag!.level], [-EINVAL, 'bad-l2-flags', 'Bad L2 flags 80', 1, 2]);
    assertNoLeaks(e);
    set(e, t.l2, 1, 0, 0);
    set(e, t.l4, 1, e.m(41), TBL | 0x100);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message], [-EINVAL, 'bad-l4-flags', 'Bad L4 flags 100']);
    assertNoLeaks(e);
  });

  it('protects Xen\'s L4 slots 256..271 from mmu_update', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    const before = readPteLo(e.mm.mem, t.l4, 256);
    const r = doMmuUpdate(e.mm, e.v, [req(e, t.l4, 256, e.m(50), P)]);
    assert.deepEqual([r.rc, r.done, r.diag!.rule, r.diag!.index, r.diag!.mfn], [-EINVAL, 0, 'xen-slot', 256, t.l4]);
    assert.equal(r.diag!.message, 'L4 update in Xen-private area, slot 0x100');
    assert.equal(readPteLo(e.mm.mem, t.l4, 256), before);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, t.l4, 272, -1, 0)]).rc, 0, 'slot 272 is the guest\'s');
  });

  it('pin twice -> -EINVAL, unpin of an unpinned table -> -EINVAL, counts unchanged', () => {
    const e = env('pv64');
    const l1 = e.m(4);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    const snap = counts(e, l1);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.mfn, r.diag!.pfn], [-EINVAL, 'already-pinned', l1, 4]);
    assert.deepEqual(counts(e, l1), snap);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l1)]).rc, 0);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l1)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message], [-EINVAL, 'not-pinned', `mfn ${l1.toString(16)} not pinned`]);
    assertNoLeaks(e);
  });

  it('a pinned L1 cannot be used as an L2 (type conflict), pin of the wrong level fails', () => {
    const e = env('pv64');
    const l1 = e.m(4);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L2_TABLE, l1)]);
    assert.equal(r.rc, -EINVAL);
    assert.equal(r.diag!.rule, 'type-conflict');
    assert.match(r.diag!.message, /^Bad type \(saw 2c00000000000001 != exp 4000000000000000\) for mfn [0-9a-f]+ \(pfn 4\)$/);
    // an L2 whose entry points at an L3-typed frame
    const l3 = e.m(2), l2 = e.m(3);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, l3)]).rc, 0);
    set(e, l2, 0, l3, TBL);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L2_TABLE, l2)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.index, r.diag!.mfn], [-EINVAL, 'type-conflict', 0, l2]);
    doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l1), op(MMUEXT_UNPIN_TABLE, l3)]);
    assertNoLeaks(e);
  });

  it('linear page tables: read-only self-maps and maps of validated same-level tables only', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    set(e, t.l4, 5, t.l4, P | US | A); // self map, read-only
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    assert.equal(e.mm.frames.typeCount[t.l4], 1, 'self map holds no reference');
    // writable self map refused
    let r = doMmuUpdate(e.mm, e.v, [req(e, t.l4, 6, t.l4, TBL)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message], [-EINVAL, 'linear-pt', 'Attempt to create linear p.t. with write perms']);
    // L2 -> another validated L2, read-only: accepted, takes a type ref and linear counts
    const l2b = e.m(20);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L2_TABLE, l2b)]).rc, 0);
    r = doMmuUpdate(e.mm, e.v, [req(e, t.l2, 9, l2b, P | A)]);
    assert.equal(r.rc, 0);
    assert.deepEqual([e.mm.frames.typeCount[l2b], e.mm.frames.linearPtCount[l2b], e.mm.frames.linearPtCount[t.l2]], [2, -1, 1]);
    // a table that has linear entries cannot itself be mapped linearly (one level deep only)
    const l2c = e.m(21);
    set(e, l2c, 0, t.l2, P | A);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L2_TABLE, l2c)]);
    assert.deepEqual([r.rc, r.diag!.rule], [-EINVAL, 'linear-pt']);
    // an entry onto a table frame whose type count is 0 simply retypes it one level down (as Xen does)
    const l2d = e.m(22);
    set(e, l2c, 0, l2d, P | A);
    set(e, l2d, 0, e.m(23), P | A);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L2_TABLE, l2c)]);
    assert.equal(r.rc, 0, 'l2d becomes an L1 here, which is legal');
    assert.equal(e.mm.frames.type[l2d], PGT_l1_page_table);
    doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l2c)]);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, t.l2, 9, -1, 0)]).rc, 0);
    assert.deepEqual([e.mm.frames.linearPtCount[l2b], e.mm.frames.linearPtCount[t.l2]], [0, 0]);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l2b), op(MMUEXT_UNPIN_TABLE, t.l4)]).rc, 0);
    assertNoLeaks(e);
  });
});

describe('xen mm: pv32pae', () => {
  function paeTree(e: Env): { l3: number; l2top: number; l2: number; l1: number } {
    const l3 = e.m(1), l2top = e.m(2), l2 = e.m(3), l1 = e.m(4);
    set(e, l3, 0, l2, P);
    set(e, l3, 3, l2top, P);
    set(e, l3, 7, e.m(30), P); // beyond slot 3: zeroed by Xen
    set(e, l2, 0, l1, P | RW | A);
    set(e, l1, 0, e.m(10), P | RW);
    set(e, l2top, COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT + 2, e.m(31), P | RW); // guest junk in Xen area
    return { l3, l2top, l2, l1 };
  }

  it('L3 pin: slot 3 L2 becomes pae_xen_l2 with Xen\'s compat M2P slots; counts return after unpin', () => {
    const e = env('pv32pae');
    const t = paeTree(e);
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3), op(MMUEXT_NEW_BASEPTR, t.l3)]);
    assert.deepEqual([r.rc, r.done], [0, 2]);
    assert.equal(readPteLo(e.mm.mem, t.l3, 7), 0);
    assert.equal(e.mm.frames.count[e.m(30)], 1);
    assert.deepEqual(counts(e, t.l2top), { count: 2, type: PGT_l2_page_table, tc: 1, flags: PGT_validated | PGT_pae_xen_l2 });
    assert.equal(readPteLo(e.mm.mem, t.l2top, COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT), e.mm.xen!.compatL2eLo[0]);
    assert.equal(readPteLo(e.mm.mem, t.l2top, COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT + 2), 0);
    assert.equal(readPteLo(e.mm.mem, t.l3, 0) & (RW | US), 0, 'no adjust: our CPU loads these as PDPTEs');
    // The guest reads the compat M2P at 0xF5800000 through its own PAE tables.
    const pr = probe(e.mm.mem, { cr0: CR0_PE | CR0_PG, cr3: t.l3 * 4096, cr4: CR4_PAE, efer: 0 }, 0xf5800000 + e.m(9) * 4);
    assert.ok(pr.translation, pr.stop);
    assert.equal(e.mm.mem.read32(pr.phys!), 9);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l3)]).rc, 0, 'PIN_L4 is ignored for pv32');
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l3), op(MMUEXT_NEW_BASEPTR, e.m(40))]).rc, -EINVAL);
    assert.equal(e.v.guestTable, t.l3);
  });

  it('L3 rules: slot 3 required, RW/US rejected (strict PDPTE), slot >= 3 and the Xen L2 area immutable', () => {
    const e = env('pv32pae');
    const t = paeTree(e);
    set(e, t.l3, 3, 0, 0);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.index], [-EINVAL, 'pae-l3', 3]);
    assertNoLeaks(e);
    set(e, t.l3, 3, t.l2top, P);
    set(e, t.l3, 0, t.l2, P | RW);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message, r.diag!.index], [-EINVAL, 'bad-l3-flags', 'Bad L3 flags 2', 0]);
    set(e, t.l3, 0, t.l2, P | 0x100);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]);
    assert.deepEqual([r.rc, r.diag!.message], [-EINVAL, 'Bad L3 flags 100']);
    assertNoLeaks(e);
    set(e, t.l3, 0, t.l2, P);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]).rc, 0);
    r = doMmuUpdate(e.mm, e.v, [req(e, t.l3, 3, t.l2, P)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.index], [-EINVAL, 'xen-slot', 3]);
    r = doMmuUpdate(e.mm, e.v, [req(e, t.l2top, COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT, e.m(12), P)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message], [-EPERM, 'xen-slot', 'L2 update in Xen-private area, slot 0x1ac']);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, t.l2top, 5, e.m(13), P | RW)]).rc, 0, 'guest part of the top L2');
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, t.l3, 1, e.m(14), P)]).rc, 0);
    assert.equal(e.mm.frames.type[e.m(14)], PGT_l2_page_table);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l3)]).rc, 0);
    assertNoLeaks(e);
  });

  it('Xen\'s own compat mask (paeL3Strict off) allows RW/US in L3 entries', () => {
    const e = env('pv32pae', { paeL3Strict: false });
    const t = paeTree(e);
    set(e, t.l3, 0, t.l2, P | RW | US | A);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]).rc, 0);
  });

  it('the slot-3 L2 may not be shared by two L3s', () => {
    const e = env('pv32pae');
    const t = paeTree(e);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, t.l3)]).rc, 0);
    const l3b = e.m(5);
    set(e, l3b, 3, t.l2top, P);
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L3_TABLE, l3b)]);
    assert.deepEqual([r.rc, r.diag!.rule, r.diag!.message], [-EINVAL, 'pae-l2-shared', 'PAE L3 3rd slot is shared']);
    assert.equal(e.mm.frames.typeCount[t.l2top], 1);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l3)]).rc, 0);
    assertNoLeaks(e);
  });
});

describe('xen mm: mmu_update', () => {
  it('modL1Entry takes the new reference before dropping the old: remap to the same frame keeps counts exact', () => {
    const e = env('pv64');
    const l1 = e.m(4), x = e.m(10);
    set(e, l1, 0, x, P | RW);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    assert.deepEqual([e.mm.frames.count[x], e.mm.frames.typeCount[x]], [2, 1]);
    // Drop the allocation reference: now the mapping is the only one that keeps x alive.
    e.mm.frames.countFlags[x] = 0; putPage(e.mm, x);
    const [lo, hi] = makePte(x, P);
    assert.equal(modL1Entry(e.mm, l1, 0, lo, hi, MMU_NORMAL_PT_UPDATE, e.d), 0);
    assert.deepEqual([e.mm.frames.owner[x], e.mm.frames.count[x], e.mm.frames.typeCount[x]], [1, 1, 0]);
    const [lo2, hi2] = makePte(x, P | RW);
    assert.equal(modL1Entry(e.mm, l1, 0, lo2, hi2, MMU_NORMAL_PT_UPDATE, e.d), 0);
    assert.deepEqual([e.mm.frames.count[x], e.mm.frames.type[x], e.mm.frames.typeCount[x]], [1, PGT_writable_page, 1]);
    // fast path: only A/D/US differ -> no new references
    const [lo3, hi3] = makePte(x, P | RW | A | D);
    assert.equal(modL1Entry(e.mm, l1, 0, lo3, hi3, MMU_NORMAL_PT_UPDATE, e.d), 0);
    assert.deepEqual([e.mm.frames.count[x], e.mm.frames.typeCount[x]], [1, 1]);
    // Clearing the entry frees x.
    assert.equal(modL1Entry(e.mm, l1, 0, 0, 0, MMU_NORMAL_PT_UPDATE, e.d), 0);
    assert.equal(e.mm.frames.owner[x], 0x7ff4);
  });

  it('MMU_PT_UPDATE_PRESERVE_AD keeps the accessed/dirty bits already in the entry', () => {
    const e = env('pv64');
    const l1 = e.m(4);
    set(e, l1, 0, e.m(10), P | RW | A | D);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, l1, 0, e.m(11), P | RW, MMU_PT_UPDATE_PRESERVE_AD)]).rc, 0);
    assert.equal(readPteLo(e.mm.mem, l1, 0) & (A | D), A | D);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, l1, 0, e.m(12), P | RW)]).rc, 0);
    assert.equal(readPteLo(e.mm.mem, l1, 0) & (A | D), 0);
    assert.deepEqual([e.mm.frames.typeCount[e.m(10)], e.mm.frames.typeCount[e.m(11)], e.mm.frames.typeCount[e.m(12)]], [0, 0, 1]);
  });

  it('a partial batch reports success_count, keeps earlier updates and leaves the failing entry untouched', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    const before = [readPteLo(e.mm.mem, t.l1, 1), readPteHi(e.mm.mem, t.l1, 1)];
    const snap11 = counts(e, e.m(11));
    const r = doMmuUpdate(e.mm, e.v, [
      req(e, t.l1, 20, e.m(20), P | RW),
      req(e, t.l1, 1, e.m(21), P | RW | _PAGE_PCD),
      req(e, t.l1, 21, e.m(22), P | RW),
    ]);
    assert.deepEqual([r.rc, r.done], [-EINVAL, 1]);
    assert.deepEqual([r.diag!.rule, r.diag!.mfn, r.diag!.index, r.diag!.level], ['bad-l1-flags', t.l1, 1, 1]);
    assert.equal(r.diag!.value, makePte(e.m(21), P | RW | _PAGE_PCD)[1].toString(16).padStart(8, '0') + makePte(e.m(21), P | RW | _PAGE_PCD)[0].toString(16).padStart(8, '0'));
    assert.equal(e.mm.frames.typeCount[e.m(20)], 1, 'first request applied');
    assert.deepEqual([readPteLo(e.mm.mem, t.l1, 1), readPteHi(e.mm.mem, t.l1, 1)], before);
    assert.deepEqual(counts(e, e.m(11)), snap11);
    assert.equal(e.mm.frames.count[e.m(21)], 1);
    assert.equal(readPteLo(e.mm.mem, t.l1, 21), 0, 'third request not applied');
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l4)]).rc, 0);
    assertNoLeaks(e);
  });

  it('updates at L2/L3/L4 level validate the new subtree and flush the TLB', () => {
    const e = env('pv64');
    const t = pv64Tree(e);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L4_TABLE, t.l4)]).rc, 0);
    const nl3 = e.m(30), nl2 = e.m(31), nl1 = e.m(32);
    set(e, nl3, 0, nl2, TBL); set(e, nl2, 0, nl1, TBL); set(e, nl1, 0, e.m(33), P | RW);
    e.flushes.length = 0;
    const r = doMmuUpdate(e.mm, e.v, [req(e, t.l4, 1, nl3, TBL)]);
    assert.equal(r.rc, 0);
    assert.ok(r.flushed);
    assert.deepEqual(e.flushes, ['all']);
    assert.deepEqual([e.mm.frames.typeCount[nl3], e.mm.frames.typeCount[nl2], e.mm.frames.typeCount[nl1]], [1, 1, 1]);
    assert.equal(doMmuUpdate(e.mm, e.v, [req(e, t.l4, 1, -1, 0)]).rc, 0);
    assert.deepEqual([e.mm.frames.typeCount[nl3], e.mm.frames.typeCount[nl1]], [0, 0]);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, t.l4)]).rc, 0);
    assertNoLeaks(e);
  });

  it('writes to an untyped frame go through as a writable page; descriptor pages are refused', () => {
    const e = env('pv64');
    const f = e.m(40);
    assert.equal(doMmuUpdate(e.mm, e.v, [{ ptrLo: f * 4096 + 16, ptrHi: 0, valLo: 0x1234, valHi: 0x5678 }]).rc, 0);
    assert.deepEqual([e.mm.mem.read32(f * 4096 + 16), e.mm.mem.read32(f * 4096 + 20)], [0x1234, 0x5678]);
    assert.equal(getPageType(e.mm, f, PGT_seg_desc_page), 0);
    const r = doMmuUpdate(e.mm, e.v, [{ ptrLo: f * 4096, ptrHi: 0, valLo: 1, valHi: 0 }]);
    assert.deepEqual([r.rc, r.diag!.rule], [-EINVAL, 'not-a-page-table']);
    putPageType(e.mm, f);
    const u = doMmuUpdate(e.mm, e.v, [{ ptrLo: f * 4096 + 7, ptrHi: 0, valLo: 0, valHi: 0 }]);
    assert.deepEqual([u.rc, u.diag!.rule], [-ENOSYS, 'bad-mmu-cmd']);
  });

  it('MMU_MACHPHYS_UPDATE updates the M2P (and its guest-visible tables) for owned frames only', () => {
    const e = env('pv32pae');
    const mfn = e.m(5);
    const r = doMmuUpdate(e.mm, e.v, [{ ptrLo: mfn * 4096 + MMU_MACHPHYS_UPDATE, ptrHi: 0, valLo: 0x33, valHi: 0 }]);
    assert.deepEqual([r.rc, r.done], [0, 1]);
    assert.equal(e.mm.m2p[mfn], 0x33);
    const x = e.mm.xen!;
    assert.equal(e.mm.mem.read32(x.compatM2pFrames[mfn >>> 10] * 4096 + (mfn & 1023) * 4), 0x33);
    assert.equal(e.mm.mem.read32(x.m2pFrames[mfn >>> 9] * 4096 + (mfn & 511) * 8), 0x33);
    const bad = doMmuUpdate(e.mm, e.v, [{ ptrLo: x.m2pFrames[0] * 4096 + MMU_MACHPHYS_UPDATE, ptrHi: 0, valLo: 1, valHi: 0 }]);
    assert.deepEqual([bad.rc, bad.done, bad.diag!.rule, bad.diag!.targetMfn], [-EINVAL, 0, 'not-owned', x.m2pFrames[0]]);
  });
});

describe('xen mm: mmuext_op misc', () => {
  it('TLB ops return 0 and call the flush hook; FLUSH_CACHE is refused for a domU', () => {
    const e = env('pv64');
    const r = doMmuextOp(e.mm, e.v, [op(MMUEXT_TLB_FLUSH_LOCAL), op(MMUEXT_INVLPG_LOCAL, 0x401000)]);
    assert.deepEqual([r.rc, r.done], [0, 2]);
    assert.deepEqual(e.flushes, ['all', 'one:4198400']);
    const c = doMmuextOp(e.mm, e.v, [op(MMUEXT_FLUSH_CACHE)]);
    assert.equal(c.rc, -EACCES);
    assert.equal(doMmuextOp(e.mm, e.v, [op(99)]).rc, -ENOSYS);
  });

  it('SET_LDT checks alignment, size and address range', () => {
    const e = env('pv64');
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_SET_LDT, 0x10000, 16)]).rc, 0);
    assert.deepEqual([e.v.ldtBase, e.v.ldtEnts], [0x10000, 16]);
    let r = doMmuextOp(e.mm, e.v, [op(MMUEXT_SET_LDT, 0x10008, 16)]);
    assert.deepEqual([r.rc, r.diag!.rule], [-EINVAL, 'bad-ldt']);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_SET_LDT, 0x10000, 8193)]);
    assert.equal(r.rc, -EINVAL);
    r = doMmuextOp(e.mm, e.v, [op(MMUEXT_SET_LDT, -0x800000000000, 1)]);
    assert.equal(r.rc, -EINVAL, 'inside Xen\'s range');
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_SET_LDT, 0, 0)]).rc, 0);
    assert.equal(e.v.ldtEnts, 0);
  });

  it('CLEAR_PAGE / COPY_PAGE need a writable-typeable destination', () => {
    const e = env('pv64');
    const a = e.m(20), b = e.m(21), l1 = e.m(4);
    e.mm.mem.fill(a * 4096, 4096, 0xab);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_COPY_PAGE, b, a)]).rc, 0);
    assert.equal(e.mm.mem.read8(b * 4096 + 100), 0xab);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_CLEAR_PAGE, b)]).rc, 0);
    assert.equal(e.mm.mem.read8(b * 4096 + 100), 0);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_CLEAR_PAGE, l1)]).rc, -EINVAL);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_COPY_PAGE, l1, a)]).rc, -EINVAL);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_CLEAR_PAGE, e.mm.xen!.m2pFrames[0])]).rc, -EINVAL);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_UNPIN_TABLE, l1)]).rc, 0);
    assertNoLeaks(e);
  });
});

describe('xen mm: descriptors', () => {
  it('checkDescriptor: code/data accepted with DPL raised to the guest kernel RPL', () => {
    let c = checkDescriptor('pv32pae', 0x0000ffff, 0x00cf9a00); // ring-0 flat code
    assert.ok(c.ok);
    assert.equal(c.hi, 0x00cfba00, 'DPL 0 -> 1');
    c = checkDescriptor('pv64', 0x0000ffff, 0x00af9a00);
    assert.ok(c.ok);
    assert.equal(c.hi, 0x00affa00, 'DPL 0 -> 3');
    c = checkDescriptor('pv32pae', 0x0000ffff, 0x00af9a00);
    assert.ok(!c.ok, 'L bit in a 32-bit guest');
    c = checkDescriptor('pv32pae', 0x0000ffff, 0x00cfb200);
    assert.deepEqual([c.ok, c.lo, c.hi], [true, 0x0000ffff, 0x00cfb200]);
    c = checkDescriptor('pv32pae', 0x000067ff, 0x00cfb200); // limit 0xf67fffff widened to 4 GiB
    assert.deepEqual([c.ok, c.lo, c.hi], [true, 0x0000ffff, 0x00cfb200]);
    assert.ok(checkDescriptor('pv64', 0x12345678, 0x00004200).ok, 'not present is always fine');
    assert.ok(checkDescriptor('pv64', 0, 0x00008000).ok, 'type 0 (upper half of a gate)');
  });

  it('checkDescriptor: call gates checked, other system descriptors rejected', () => {
    let c = checkDescriptor('pv32pae', (0x0061 << 16) | 0x1000, 0x0000ec00); // call gate DPL3 to 0x61
    assert.ok(c.ok);
    assert.equal(c.hi & 0x6000, 0, 'gate DPL forced to 0');
    assert.equal(c.lo >>> 16, 0x0063, 'original DPL kept in the selector RPL');
    c = checkDescriptor('pv32pae', (0xe008 << 16), 0x0000ec00);
    assert.ok(!c.ok, 'gate to a Xen-reserved selector');
    assert.ok(checkDescriptor('pv32pae', (0xe019 << 16), 0x0000ec00).ok, 'FLAT_RING1_CS allowed');
    assert.ok(checkDescriptor('pv64', (0xe033 << 16), 0x0000ec00).ok, 'FLAT_KERNEL_CS allowed');
    assert.ok(!checkDescriptor('pv32pae', (0x61 << 16), 0x0000ec20).ok, 'reserved bits');
    assert.ok(!checkDescriptor('pv64', (0x61 << 16), 0x0000ec01).ok, 'pv64: param count bits reserved');
    assert.ok(!checkDescriptor('pv32pae', 0, 0x00008900).ok, 'TSS');
    assert.ok(!checkDescriptor('pv32pae', 0, 0x00008200).ok, 'LDT');
    assert.ok(!checkDescriptor('pv64', 0, 0x00008e00).ok, 'interrupt gate');
  });

  it('validateSegdescPage fixes DPLs in place and reports the first bad descriptor', () => {
    const e = env('pv32pae');
    const g = e.m(8);
    e.mm.mem.write64(g * 4096 + 8, 0x0000ffff, 0x00cf9a00);
    assert.equal(getPageType(e.mm, g, PGT_seg_desc_page), 0);
    assert.equal(e.mm.mem.read32(g * 4096 + 12), 0x00cfba00);
    putPageType(e.mm, g);
    e.mm.mem.write64(g * 4096 + 16 * 8, 0, 0x00008900);
    const mark = e.mm.diag.mark();
    assert.equal(validateSegdescPage(e.mm, g), -EINVAL);
    const dg = e.mm.diag.firstSince(mark)!;
    assert.deepEqual([dg.rule, dg.mfn, dg.pfn, dg.index, dg.value], ['bad-descriptor', g, 8, 16, '0000890000000000']);
    // a frame mapped writable cannot become a descriptor page
    const l1 = e.m(4);
    set(e, l1, 0, g, P | RW);
    assert.equal(doMmuextOp(e.mm, e.v, [op(MMUEXT_PIN_L1_TABLE, l1)]).rc, 0);
    assert.equal(getPageType(e.mm, g, PGT_seg_desc_page), -EINVAL);
    assert.equal(checkGdtEntries(e.mm, 0x1c00), 0);
    assert.equal(checkGdtEntries(e.mm, 0x1c01), -EINVAL);
  });
});

describe('xen mm: diagnostics ring', () => {
  it('keeps the last N and getPage reports foreign ownership', () => {
    const mem = new MachineMemory(1024 * 1024);
    const mm = new MmState(mem, { diagCapacity: 4 });
    const d = createMmDomain(mm, { domid: 3, kind: 'pv64', nrPages: 4 });
    const other = mm.frames.alloc(9);
    for (let i = 0; i < 6; i++) assert.equal(getPage(mm, other, d), false);
    const all = mm.diag.all();
    assert.equal(all.length, 4);
    assert.equal(all[3].seq, 6);
    assert.equal(all[0].rule, 'not-owned');
    assert.match(all[0].message, /rd=d3 od=d9/);
  });
});
