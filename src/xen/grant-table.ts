// A domain's grant table (struct grant_table, common/grant_table.c): its shared frames are Xen-heap pages shared
// writable with the guest (share_xen_page_with_guest), grown on demand up to max_grant_frames; version 1 only.
//
// Where the frames come from: Xen allocates them from its heap. Here the Xen heap is (a) machine frames nobody owns
// and (b) the spare frames of the builder's Xen range (owned by DOMID_XEN but holding neither the M2P nor its
// mapping tables). When both are exhausted a grow fails like alloc_xenheap_page() failing (GNTST_general_error).

import type { Domain } from './domain';
import type { MmState } from './mm';
import { PGC_allocated, PGC_xen_heap, PGT_validated, PGT_writable_page, PGT_none, INVALID_M2P_ENTRY } from './mm';
import { DOMID_XEN, ENOMEM } from './public';
import { GRANT_ENTRY_V1, INITIAL_NR_GRANT_FRAMES } from './public/grant-table';

/** max_grant_frames: libxl's default for a domU (LIBXL_MAX_GRANT_FRAMES_DEFAULT); Xen's own default is 64. */
export const MAX_GRANT_FRAMES = 32;
/** max_grant_version: 1, as `xl` with max_grant_version=1 (set_version(2) then gives -ENOSYS, as before v2 existed). */
export const MAX_GRANT_VERSION = 1;

/** Frames of the Xen heap: alloc gives an mfn (or -1), free hands it back. */
export interface XenHeap {
  alloc(): number;
  free(mfn: number): void;
  /** Frames still available. */
  available(): number;
}

/** The Xen heap of a built machine: free frames first, then spare frames of the builder's Xen range. */
export function xenHeapOf(domain: Domain): XenHeap {
  let heap = heaps.get(domain.mm);
  if (!heap) { heap = makeXenHeap(domain); heaps.set(domain.mm, heap); }
  return heap;
}
const heaps = new WeakMap<MmState, XenHeap>();

function makeXenHeap(domain: Domain): XenHeap {
  const mm = domain.mm, f = mm.frames, img = domain.image;
  const busy = new Set<number>([0, img.sharedInfoMfn, ...img.m2pTableMfns]);
  if (mm.xen) { for (const m of mm.xen.m2pFrames) busy.add(m); for (const m of mm.xen.compatM2pFrames) busy.add(m); }
  /** Spare Xen frames handed out and not yet given back (reserved even before the caller shares them). */
  const taken = new Set<number>();
  const spareXen = (mfn: number): boolean => mfn < img.xenFrames && !busy.has(mfn) && !taken.has(mfn) &&
    f.owner[mfn] === DOMID_XEN && f.count[mfn] === 1 && f.typeCount[mfn] === 0;
  const fromFree = new Set<number>();
  return {
    alloc(): number {
      for (let mfn = 0; mfn < f.nr; mfn++) if (f.isFree(mfn)) { f.assign(mfn, DOMID_XEN); fromFree.add(mfn); return mfn; }
      for (let mfn = 2; mfn < img.xenFrames; mfn++) if (spareXen(mfn)) { taken.add(mfn); return mfn; }
      return -1;
    },
    free(mfn: number): void {
      mm.m2p[mfn] = INVALID_M2P_ENTRY;
      if (fromFree.delete(mfn)) { f.free(mfn); return; }
      taken.delete(mfn);
      f.owner[mfn] = DOMID_XEN; f.count[mfn] = 1; f.countFlags[mfn] = PGC_allocated | PGC_xen_heap;
      f.type[mfn] = PGT_none; f.typeFlags[mfn] = 0; f.typeCount[mfn] = 0; f.linearPtCount[mfn] = 0;
    },
    available(): number {
      let n = 0;
      for (let mfn = 0; mfn < f.nr; mfn++) if (f.isFree(mfn) || spareXen(mfn)) n++;
      return n;
    },
  };
}

/**
 * share_xen_page_with_guest(page, d, SHARE_rw): the frame becomes d's with PGC_xen_heap | PGC_allocated and count 1,
 * and a permanent PGT_writable_page type reference (so it can be mapped writable but never become a page table);
 * its M2P entry is invalid (it is not part of the guest's pseudo-physical memory).
 */
export function shareXenPageWithGuest(mm: MmState, mfn: number, domid: number): void {
  const f = mm.frames;
  f.owner[mfn] = domid;
  f.count[mfn] = 1;
  f.countFlags[mfn] = PGC_allocated | PGC_xen_heap;
  f.type[mfn] = PGT_writable_page;
  f.typeFlags[mfn] = PGT_validated;
  f.typeCount[mfn] = 1;
  f.linearPtCount[mfn] = 0;
  mm.m2p[mfn] = INVALID_M2P_ENTRY;
}

/** One in-use v1 grant entry, decoded for the debugger. */
export interface GrantEntryView { ref: number; flags: number; domid: number; frame: number; }

export class GrantTable {
  /** Machine frames of the shared table (shared_raw), in order. */
  readonly frames: number[] = [];
  /** gt_version. */
  version = 1;
  constructor(readonly mm: MmState, readonly domid: number, readonly heap: XenHeap,
    readonly maxFrames = MAX_GRANT_FRAMES, readonly maxVersion = MAX_GRANT_VERSION) {}

  get nrFrames(): number { return this.frames.length; }
  /** Entries the current frames hold (nr_grant_entries). */
  get nrEntries(): number { return this.frames.length * (4096 / GRANT_ENTRY_V1.size); }

  /**
   * gnttab_grow_table: allocate, clear and share frames up to `req` (at least INITIAL_NR_GRANT_FRAMES). All or
   * nothing: on an allocation failure the frames taken by this call go back to the heap. 0 or -ENOMEM.
   */
  grow(req: number): number {
    req = Math.max(req, INITIAL_NR_GRANT_FRAMES);
    if (req > this.maxFrames) return -ENOMEM;
    const got: number[] = [];
    for (let i = this.frames.length; i < req; i++) {
      const mfn = this.heap.alloc();
      if (mfn < 0) {
        while (got.length > 0) this.heap.free(got.pop() as number);
        return -ENOMEM;
      }
      this.mm.mem.fill(mfn * 4096, 4096, 0);
      shareXenPageWithGuest(this.mm, mfn, this.domid);
      got.push(mfn);
    }
    this.frames.push(...got);
    return 0;
  }

  /** The v1 entries that are not GTF_invalid (what the guest has granted), for the debugger. */
  entries(limit = 4096): GrantEntryView[] {
    const out: GrantEntryView[] = [];
    const per = 4096 / GRANT_ENTRY_V1.size;
    for (let ref = 0; ref < this.nrEntries && out.length < limit; ref++) {
      const pa = this.frames[Math.floor(ref / per)] * 4096 + (ref % per) * GRANT_ENTRY_V1.size;
      const flags = this.mm.mem.read16(pa);
      if (flags === 0) continue; // GTF_invalid with no other bits: a free entry
      out.push({ ref, flags, domid: this.mm.mem.read16(pa + 2), frame: this.mm.mem.read32(pa + 4) >>> 0 });
    }
    return out;
  }
}

const tables = new WeakMap<Domain, GrantTable>();

/** d->grant_table: created with the domain (grant_table_init grows it to INITIAL_NR_GRANT_FRAMES). */
export function grantTableOf(domain: Domain): GrantTable {
  let gt = tables.get(domain);
  if (!gt) {
    gt = new GrantTable(domain.mm, domain.domid, xenHeapOf(domain));
    gt.grow(INITIAL_NR_GRANT_FRAMES);
    tables.set(domain, gt);
  }
  return gt;
}
