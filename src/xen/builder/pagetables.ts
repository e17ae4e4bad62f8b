// Bootstrap page tables as libxenguest builds them: pv64 L4/L3/L2/L1 and pv32pae L3(PDPT)/L2/L1 mapping the
// bootstrap region 1:1 onto pfns (through the p2m), page-table frames read-only, everything else writable.

import type { MachineMemory } from '../../cpu/memory';
import { PTE_P, PTE_RW, PTE_US, PTE_A, PTE_D } from '../../cpu/mmu/paging';
import type { GuestKind } from './elf-notes';
import { PAGE, VirtLayout } from './layout';

/** One bootstrap page-table frame: level 4..1 (PAE: 3 is the PDPT). */
export interface PtFrame { pfn: number; mfn: number; level: number; }

/** Upper-level and leaf protections (xg_dom_x86.c lvl_prot). pv64 kernels run at CPL3, so every level is _PAGE_USER. */
const UPPER = PTE_P | PTE_RW | PTE_A | PTE_D | PTE_US;
const L1_64 = PTE_P | PTE_RW | PTE_A | PTE_US;
const L1_PAE = PTE_P | PTE_RW | PTE_A;
/**
 * PAE PDPT entries carry only _PAGE_PRESENT here: libxenguest also sets RW|A|D|USER because 64-bit Xen runs
 * 32-bit guests with the PDPT as a long-mode L3, but our CPU walks real PAE, where those bits are reserved.
 */
const L3_PAE = PTE_P;

function index(va: number, shift: number): number {
  return ((Math.floor(va / 2 ** shift) % 512) + 512) % 512;
}

function writeEntry(mem: MachineMemory, table: number, idx: number, mfn: number, flags: number): void {
  const addr = mfn * PAGE;
  mem.write64(table * PAGE + idx * 8, (addr | flags) >>> 0, Math.floor(addr / 2 ** 32));
}

function readEntryMfn(mem: MachineMemory, table: number, idx: number): number {
  const lo = mem.read32(table * PAGE + idx * 8), hi = mem.read32(table * PAGE + idx * 8 + 4);
  if (!(lo & PTE_P)) return -1;
  return (hi & 0xff) * 2 ** 20 + (lo >>> 12);
}

export interface BuiltPagetables {
  /** Machine frame of the top level (CR3). */
  rootMfn: number;
  frames: PtFrame[];
  /** pv32pae: the L2 of PDPT slot 3 (Xen's private slots live in it). */
  topL2Mfn: number;
}

/**
 * Build the bootstrap tables in the pagetables segment. p2m maps pfn → mfn. Frames are handed out in
 * order: top level first, then lower levels as each is first needed.
 */
export function buildPagetables(mem: MachineMemory, kind: GuestKind, virtBase: number, layout: VirtLayout,
  p2m: Int32Array): BuiltPagetables {
  const frames: PtFrame[] = [];
  let nextPt = layout.pagetables.pfn;
  const ptEnd = layout.pagetables.pfn + layout.pagetables.pages;
  const alloc = (level: number): number => {
    if (nextPt >= ptEnd) throw new Error('bootstrap page-table segment exhausted (layout miscount)');
    const pfn = nextPt++;
    const mfn = p2m[pfn];
    mem.fill(mfn * PAGE, PAGE, 0);
    frames.push({ pfn, mfn, level });
    return mfn;
  };
  const isPt = (pfn: number): boolean => pfn >= layout.pagetables.pfn && pfn < ptEnd;
  const levels = kind === 'pv64' ? 4 : 3;
  const rootMfn = alloc(levels);
  const upper = (level: number): number => (kind === 'pv32pae' && level === 3 ? L3_PAE : UPPER);
  const leaf = kind === 'pv64' ? L1_64 : L1_PAE;
  const descend = (table: number, idx: number, level: number): number => {
    let m = readEntryMfn(mem, table, idx);
    if (m < 0) {
      m = alloc(level - 1);
      writeEntry(mem, table, idx, m, upper(level));
    }
    return m;
  };
  let topL2Mfn = -1;
  if (kind === 'pv32pae') {
    // The slot-3 L2 always exists: it carries Xen's private mappings (compat m2p).
    topL2Mfn = descend(rootMfn, 3, 3);
  }
  for (let pfn = 0; pfn < layout.mappedPages; pfn++) {
    const va = virtBase + pfn * PAGE;
    let table = rootMfn;
    for (let level = levels; level > 1; level--) table = descend(table, index(va, 12 + 9 * (level - 1)), level);
    const flags = isPt(pfn) ? leaf & ~PTE_RW : leaf;
    writeEntry(mem, table, index(va, 12), p2m[pfn], flags);
  }
  if (kind === 'pv32pae' && topL2Mfn < 0) topL2Mfn = readEntryMfn(mem, rootMfn, 3);
  return { rootMfn, frames, topL2Mfn };
}
