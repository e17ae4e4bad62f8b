// Xen's per-frame bookkeeping (struct page_info) as typed arrays over machine frames, the domain/vcpu
// views the mm code works on, and the MmState that ties memory, frames, domains and diagnostics together.
/*
 * ---------------------------------------------------------------------------------------------------
 *  How the emulated hypervisor keeps PV page tables safe (our model of xen/arch/x86/mm.c)
 * ---------------------------------------------------------------------------------------------------
 * A PV guest builds its own page tables out of ordinary frames it owns and asks Xen to use them. Xen
 * must never let the guest write a live page table or descriptor table directly, nor map a frame it
 * does not own. It enforces that with two reference counts per machine frame:
 *
 *  - the general count (count_info): every use of the frame - a mapping in an L1, a page-table entry
 *    pointing at it, a pin, a base pointer, the allocation itself (PGC_allocated) - holds one. While it
 *    is non-zero the frame stays owned by its domain. getPage/putPage move it; getPage also checks that
 *    the frame belongs to the expected domain.
 *
 *  - the type count (type_info): a frame is used as exactly one of PGT_none, PGT_l1..l4_page_table,
 *    PGT_seg_desc_page or PGT_writable_page, and the type count says how many uses of that type exist.
 *    The type may change only while the type count is 0. getPageType/putPageType move it. A writable
 *    mapping takes a PGT_writable_page reference, so a frame that is in use as a page table (type count
 *    > 0 with a table type) can never be mapped writable, and a frame mapped writable can never become a
 *    page table: the request fails with a type conflict.
 *
 * Validate / devalidate. When the type count of a table type goes 0 -> 1, Xen audits the whole frame
 * (validatePage, Xen's alloc_page_type): each present entry is checked and "promoted" - it takes the
 * reference the entry needs (promoteL1Table .. promoteL4Table): an L1 entry takes a general ref on the
 * mapped frame (plus a writable type ref when RW), an L2 entry takes an L1 type ref on the frame it
 * points at, L3 -> L2, L4 -> L3. Success sets PGT_validated. If one entry is bad, everything taken so
 * far is released again (`while (i-- > 0) putPageFromL1e(...)`) and the type goes back to none. When
 * the type count goes 1 -> 0, devalidatePage (free_page_type) "demotes" the table: every entry drops
 * the reference it held. Type refs on lower tables therefore form a tree: pinning or installing an L4
 * validates the whole hierarchy below it, and unpinning it tears it all down again.
 *
 * Pins and base pointers. MMUEXT_PIN_Ln_TABLE takes one type ref (+ general ref) and sets PGT_pinned so
 * the type cannot drop to 0 while the guest edits the tables; MMUEXT_UNPIN_TABLE drops it. A vcpu's
 * base pointer (NEW_BASEPTR: an L4 for pv64, the PAE L3 for pv32pae) holds one more.
 *
 * Updates. A validated table is changed only through mmu_update: modL1Entry .. modL4Entry validate the
 * new entry, take its reference BEFORE dropping the old entry's reference (so remapping an entry to the
 * same frame never lets a count touch 0), and leave the table untouched on failure. Entries that only
 * differ in "harmless" bits (A/D/US/G/NX/available bits) take a fast path without new references.
 *
 * Xen's own slots. A pv64 L4 reserves slots 256..271 for Xen; the guest's values there are ignored at
 * validation and replaced by Xen's (init_xen_l4_slots: slot 256 maps the read-only M2P so the guest can
 * read machine_to_phys at 0xFFFF800000000000). A pv32pae guest's L3 slot 3 must point at an L2 that gets
 * the extra type bit PGT_pae_xen_l2; slots 0x1ac..511 of that L2 belong to Xen (compat M2P at
 * 0xF5800000). Guests cannot write these slots.
 *
 * Linear page tables. An L2/L3/L4 entry may point at a table of its own level only read-only, only at an
 * already validated table, and only one level of recursion deep (linearPtCount: positive = this table
 * has N such entries, negative = this table is mapped N times that way; the two never mix). A self-map
 * holds no reference at all.
 *
 * Invariants (checked by the unit tests):
 *   I1 typeCount > 0 with a table/segdesc type  =>  no writable L1 mapping of the frame exists.
 *   I2 every present entry of a validated table holds exactly one reference on its target.
 *   I3 a frame's type changes only at typeCount == 0; PGT_validated implies typeCount > 0 or segdesc.
 *   I4 a failed operation leaves every count as it was (rollback), and returns a negative Xen errno.
 *   I5 after unpin/demote of everything, counts return to the allocation reference (count 1, type 0).
 *
 * Differences from Xen, on purpose: validation is never preempted (no -ERESTART, no PGT_partial, no
 * old_guest_table): a failure rolls back completely at once. No shadow paging, grant, MMIO or
 * foreign-domain mappings (foreigndom must be DOMID_SELF). Xen's type_info/count_info words are split
 * into typed arrays; typeInfoWord()/countInfoWord() rebuild Xen's 64-bit layout for messages.
 */

import { MachineMemory, PAGE_SHIFT } from '../../cpu/memory';
import { DOMID_INVALID, DOMID_XEN } from '../public/xen';
import { MmDiagnostics } from './diagnostics';

// ---- page types (values of FrameTable.type; Xen keeps them in type_info bits 63..61) ----
export const PGT_none = 0;
export const PGT_l1_page_table = 1;
export const PGT_l2_page_table = 2;
export const PGT_l3_page_table = 3;
export const PGT_l4_page_table = 4;
export const PGT_seg_desc_page = 5;
export const PGT_shared_page = 6;
export const PGT_writable_page = 7;
export const PGT_NAMES: readonly string[] = Object.freeze([
  'none', 'l1_page_table', 'l2_page_table', 'l3_page_table', 'l4_page_table', 'seg_desc_page', 'shared_page',
  'writable_page',
]);

// ---- type flags (FrameTable.typeFlags) ----
export const PGT_pinned = 1;
export const PGT_validated = 2;
export const PGT_pae_xen_l2 = 4;
export const PGT_partial = 8;
/** Largest type count (Xen's PGT_count_mask is wider; any overflow check needs a bound). */
export const PGT_count_max = 0x7fffffff;

// ---- count flags (FrameTable.countFlags) ----
export const PGC_allocated = 1;
export const PGC_xen_heap = 2;
export const PGC_count_max = 0x7fffffff;

/** Invalid entry of the M2P / P2M (INVALID_M2P_ENTRY is ~0UL; we keep 32 bits). */
export const INVALID_M2P_ENTRY = 0xffffffff;
export const INVALID_MFN = 0xffffffff;

export type GuestKind = 'pv64' | 'pv32pae';

/** Per-vcpu state the mm code reads and writes (the rest of the vcpu lives elsewhere). */
export interface MmVcpu {
  readonly id: number;
  readonly domain: MmDomain;
  /** MFN of the kernel base table (pv64 L4, pv32pae L3); 0 when none. Holds a type ref + general ref. */
  guestTable: number;
  /** pv64: MFN of the user-mode L4 (NEW_USER_BASEPTR); 0 when none. */
  guestTableUser: number;
  /** LDT linear base and entry count (MMUEXT_SET_LDT). */
  ldtBase: number;
  ldtEnts: number;
}

/** The minimal view of a domain the mm code needs. */
export interface MmDomain {
  readonly domid: number;
  readonly kind: GuestKind;
  /** pfn -> mfn of the domain's pseudo-physical memory (INVALID_MFN for holes). */
  readonly p2m: Uint32Array;
  /** Machine-wide mfn -> pfn table (shared by all domains, as Xen's machine_to_phys_mapping). */
  readonly m2p: Uint32Array;
  /** VMASST_TYPE_* bits enabled by vm_assist. */
  vmAssist: number;
  readonly vcpus: MmVcpu[];
}

/** Per machine frame bookkeeping, one entry per MachineMemory frame. */
export class FrameTable {
  readonly nr: number;
  /** Owning domain id; DOMID_INVALID = free, DOMID_XEN = hypervisor. */
  readonly owner: Uint16Array;
  /** General reference count (count_info & PGC_count_mask). */
  readonly count: Uint32Array;
  readonly countFlags: Uint8Array;
  /** PGT_* type. */
  readonly type: Uint8Array;
  readonly typeFlags: Uint8Array;
  readonly typeCount: Uint32Array;
  /** Xen's linear_pt_count: >0 entries of this table mapping same-level tables, <0 uses as such. */
  readonly linearPtCount: Int16Array;
  /** Next frame to look at when allocating. */
  private cursor = 0;

  constructor(nr: number) {
    this.nr = nr;
    this.owner = new Uint16Array(nr).fill(DOMID_INVALID);
    this.count = new Uint32Array(nr);
    this.countFlags = new Uint8Array(nr);
    this.type = new Uint8Array(nr);
    this.typeFlags = new Uint8Array(nr);
    this.typeCount = new Uint32Array(nr);
    this.linearPtCount = new Int16Array(nr);
  }

  valid(mfn: number): boolean { return Number.isInteger(mfn) && mfn >= 0 && mfn < this.nr; }
  isFree(mfn: number): boolean { return this.owner[mfn] === DOMID_INVALID && this.count[mfn] === 0; }

  /** Give a free frame to `domid` with the allocation reference (count 1, PGC_allocated). */
  assign(mfn: number, domid: number): void {
    if (!this.isFree(mfn)) throw new Error(`mfn ${mfn.toString(16)} is not free`);
    this.owner[mfn] = domid;
    this.count[mfn] = 1;
    this.countFlags[mfn] = PGC_allocated | (domid === DOMID_XEN ? PGC_xen_heap : 0);
    this.type[mfn] = PGT_none;
    this.typeFlags[mfn] = 0;
    this.typeCount[mfn] = 0;
    this.linearPtCount[mfn] = 0;
  }

  /** Allocate the lowest free frame at or above the cursor for `domid`; -1 when memory is full. */
  alloc(domid: number): number {
    for (let n = 0; n < this.nr; n++) {
      const mfn = (this.cursor + n) % this.nr;
      if (this.isFree(mfn)) { this.assign(mfn, domid); this.cursor = mfn + 1; return mfn; }
    }
    return -1;
  }

  /** Return a frame to the free pool (count reached 0). */
  free(mfn: number): void {
    this.owner[mfn] = DOMID_INVALID;
    this.count[mfn] = 0;
    this.countFlags[mfn] = 0;
    this.type[mfn] = PGT_none;
    this.typeFlags[mfn] = 0;
    this.typeCount[mfn] = 0;
    this.linearPtCount[mfn] = 0;
  }

  /** Xen's 64-bit type_info word as 16 hex digits (type in 63..61, pinned 59, validated 58, pae_xen_l2 57). */
  typeInfoWord(mfn: number): string { return typeInfoHex(this.type[mfn], this.typeFlags[mfn], this.typeCount[mfn]); }
  /** Xen's count_info word (PGC_allocated bit 63, PGC_xen_heap bit 62, count below). */
  countInfoWord(mfn: number): string {
    const f = this.countFlags[mfn];
    const hi = ((f & PGC_allocated ? 0x80000000 : 0) | (f & PGC_xen_heap ? 0x40000000 : 0)) >>> 0;
    return hi.toString(16).padStart(8, '0') + this.count[mfn].toString(16).padStart(8, '0');
  }
}

/** Compose Xen's type_info value as hex from our split fields (used in messages "saw ... != exp ..."). */
export function typeInfoHex(type: number, flags: number, count: number): string {
  const hi = ((type << 29) | (flags & PGT_pinned ? 1 << 27 : 0) | (flags & PGT_validated ? 1 << 26 : 0) |
    (flags & PGT_pae_xen_l2 ? 1 << 25 : 0) | (flags & PGT_partial ? 1 << 24 : 0)) >>> 0;
  return hi.toString(16).padStart(8, '0') + (count >>> 0).toString(16).padStart(8, '0');
}

/** Callbacks to the rest of the hypervisor / CPU. */
export interface MmHooks {
  /** A TLB flush Xen would perform (or the guest asked for): 'all', or 'one' with a linear address. */
  flushTlb?(v: MmVcpu | null, kind: 'all' | 'one', linear?: number): void;
  /** The vcpu's base pointer changed (reload CR3 on the CPU). */
  baseptrChanged?(v: MmVcpu, user: boolean): void;
  /** The vcpu's LDT changed. */
  ldtChanged?(v: MmVcpu): void;
  /**
   * put_page_from_l1e dropped a read-only mapping of a descriptor frame in use (PGT_seg_desc_page, type count > 0)
   * owned by `d`: Xen then destroys the shadow LDT of every vCPU of `d` (pv_destroy_ldt), "we expect this is rare".
   */
  segdescUnmapped?(d: MmDomain): void;
  /** new_guest_cr3 installed a different base: pv_destroy_ldt on that vcpu (its LDT pages are mapped again lazily). */
  destroyLdt?(v: MmVcpu): void;
}

export interface MmOptions {
  /** Diagnostics ring size (default 256). */
  diagCapacity?: number;
  /** CPU supports NX: bit 63 allowed in entries (default true). */
  nx?: boolean;
  /**
   * pv32pae: additionally reject L3 bits a hardware PDPTE reserves (RW, US, A, D), because this
   * emulator loads the guest's L3 as real PAE PDPTEs (Xen runs compat L3s under a 64-bit L4 and
   * allows them). Default true.
   */
  paeL3Strict?: boolean;
}

/** Everything the mm operations work on. */
export class MmState {
  readonly mem: MachineMemory;
  readonly frames: FrameTable;
  /** Machine-wide M2P (mfn -> pfn). */
  readonly m2p: Uint32Array;
  readonly domains = new Map<number, MmDomain>();
  readonly diag: MmDiagnostics;
  readonly hooks: MmHooks;
  readonly nx: boolean;
  readonly paeL3Strict: boolean;
  /** Xen's own mappings (read-only M2P); installed by XenMappings.install. */
  xen: XenMappingInfo | null = null;

  constructor(mem: MachineMemory, opts: MmOptions = {}, hooks: MmHooks = {}) {
    this.mem = mem;
    this.frames = new FrameTable(mem.frames);
    this.m2p = new Uint32Array(mem.frames).fill(INVALID_M2P_ENTRY);
    this.diag = new MmDiagnostics(opts.diagCapacity ?? 256);
    this.diag.pfnOf = (mfn) => this.pfnOf(mfn);
    this.hooks = hooks;
    this.nx = opts.nx ?? true;
    this.paeL3Strict = opts.paeL3Strict ?? true;
  }

  domain(domid: number): MmDomain | undefined { return this.domains.get(domid); }
  /** Owner domain of a frame, if it is a registered guest domain. */
  ownerDomain(mfn: number): MmDomain | undefined {
    return this.frames.valid(mfn) ? this.domains.get(this.frames.owner[mfn]) : undefined;
  }
  /** pfn of a frame for messages (Xen's get_gpfn_from_mfn); INVALID_M2P_ENTRY when unknown. */
  pfnOf(mfn: number): number { return this.frames.valid(mfn) ? this.m2p[mfn] : INVALID_M2P_ENTRY; }
  /** Byte address of frame mfn. */
  maddr(mfn: number): number { return mfn * (1 << PAGE_SHIFT); }
}

/** Frames and entries of Xen's read-only M2P mappings (see xen-mappings.ts). */
export interface XenMappingInfo {
  /** pv64: L4 entry (lo, hi) Xen puts in slot 256. */
  readonly roMptL4eLo: number;
  readonly roMptL4eHi: number;
  /** pv32pae: L2 entries (lo, hi) for slots COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT..511. */
  readonly compatL2eLo: Uint32Array;
  readonly compatL2eHi: Uint32Array;
  /** Frames holding the 64-bit and the compat M2P tables. */
  readonly m2pFrames: Uint32Array;
  readonly compatM2pFrames: Uint32Array;
}

/** VM_ASSIST(d, type): bit `type` of the domain's vm_assist bitmap (type may be >= 32, e.g. m2p_strict). */
export function vmAssistEnabled(d: MmDomain, type: number): boolean {
  return Math.floor(d.vmAssist / 2 ** type) % 2 === 1;
}
