// Xen's own frames that guests see: the machine-to-phys table (64-bit entries for pv64, 32-bit for the
// compat view) and the read-only page tables that map it at 0xFFFF800000000000 (L4 slot 256) and at
// 0xF5800000 (slots 0x1ac.. of a pv32pae top L2). setGpfnFromMfn keeps the tables in guest memory in sync.

import { DOMID_XEN } from '../public/xen';
import { COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT } from '../public/arch-x86';
import { MmState, INVALID_M2P_ENTRY, XenMappingInfo } from './page-info';
import { _PAGE_ACCESSED, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, makePte, writePte, PT_ENTRIES } from './pte';

const LEAF = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
const TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;

function allocXen(mm: MmState, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const mfn = mm.frames.alloc(DOMID_XEN);
    if (mfn < 0) throw new Error('out of machine memory for Xen frames');
    mm.mem.fill(mm.maddr(mfn), 4096, 0);
    out[i] = mfn;
  }
  return out;
}

/**
 * Allocate and fill Xen's M2P tables and their read-only mappings, then record them in mm.xen so that
 * L4 validation (init_xen_l4_slots) and PAE top-L2 validation (init_xen_pae_l2_slots) install them.
 * Call once, before building domains; returns the frames used.
 */
export function installXenMappings(mm: MmState): XenMappingInfo {
  const nr = mm.frames.nr;
  const m2pFrames = allocXen(mm, Math.ceil((nr * 8) / 4096));
  const compatM2pFrames = allocXen(mm, Math.ceil((nr * 4) / 4096));
  // pv64: L3 -> L2 -> L1s -> m2p frames (read-only, user-readable: the pv64 kernel runs in ring 3).
  const l1s = allocXen(mm, Math.ceil(m2pFrames.length / PT_ENTRIES));
  const [l2, l3] = allocXen(mm, 2);
  m2pFrames.forEach((f, i) => { const [lo, hi] = makePte(f, LEAF); writePte(mm.mem, l1s[i >> 9], i & 511, lo, hi); });
  l1s.forEach((f, i) => { const [lo, hi] = makePte(f, TABLE); writePte(mm.mem, l2, i, lo, hi); });
  { const [lo, hi] = makePte(l2, TABLE); writePte(mm.mem, l3, 0, lo, hi); }
  const [roLo, roHi] = makePte(l3, TABLE);
  // pv32pae: L1s mapping the compat table, hooked into the Xen slots of every top L2.
  const cl1s = allocXen(mm, Math.ceil(compatM2pFrames.length / PT_ENTRIES));
  const nslots = PT_ENTRIES - COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT;
  if (cl1s.length > nslots) throw new Error('compat M2P larger than the Xen-reserved PAE area');
  compatM2pFrames.forEach((f, i) => { const [lo, hi] = makePte(f, LEAF); writePte(mm.mem, cl1s[i >> 9], i & 511, lo, hi); });
  const compatL2eLo = new Uint32Array(nslots), compatL2eHi = new Uint32Array(nslots);
  cl1s.forEach((f, i) => { const [lo, hi] = makePte(f, TABLE); compatL2eLo[i] = lo; compatL2eHi[i] = hi; });
  const info: XenMappingInfo = { roMptL4eLo: roLo, roMptL4eHi: roHi, compatL2eLo, compatL2eHi, m2pFrames, compatM2pFrames };
  mm.xen = info;
  for (let mfn = 0; mfn < nr; mfn++) writeM2pTables(mm, mfn, mm.m2p[mfn]);
  return info;
}

function writeM2pTables(mm: MmState, mfn: number, pfn: number): void {
  const x = mm.xen;
  if (!x) return;
  const invalid = pfn === INVALID_M2P_ENTRY;
  mm.mem.write64(mm.maddr(x.m2pFrames[mfn >>> 9]) + (mfn & 511) * 8, pfn, invalid ? 0xffffffff : 0);
  mm.mem.write32(mm.maddr(x.compatM2pFrames[mfn >>> 10]) + (mfn & 1023) * 4, pfn);
}

/** set_gpfn_from_mfn: update the machine-wide M2P and its guest-visible copies. */
export function setGpfnFromMfn(mm: MmState, mfn: number, pfn: number): void {
  mm.m2p[mfn] = pfn >>> 0;
  writeM2pTables(mm, mfn, pfn >>> 0);
}
