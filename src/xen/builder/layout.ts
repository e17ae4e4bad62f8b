// The initial virtual layout of a PV domain, in libxenguest's order (xg_dom_x86.c, xen.h "start of day"):
// kernel, module, p2m list (mfn_list), start_info, xenstore, console, bootstrap page tables, boot stack,
// then at least 512 KiB of mapped padding, the whole region rounded up to 4 MiB.

import type { GuestKind } from './elf-notes';
import { BuildError } from './elf-notes';

export const PAGE = 4096;

export interface Segment { pfn: number; pages: number; }

export interface VirtLayout {
  kernel: Segment;
  module: Segment | null;
  p2m: Segment;
  startInfo: number;
  xenstore: number;
  console: number;
  pagetables: Segment;
  bootStack: number;
  /** Pages mapped from virt_base (pfn 0 .. mappedPages-1). */
  mappedPages: number;
  /** Page-table frames per level, counted for the mapped region (pv64: [l4, l3, l2, l1]; pae: [l3, l2, l1]). */
  ptCounts: number[];
}

const MiB4 = 4 << 20;

function roundUp(v: number, a: number): number { return Math.ceil(v / a) * a; }

/** Count page-table frames needed to map [virtBase, virtBase + pages*4096). */
export function countPagetables(kind: GuestKind, virtBase: number, pages: number): number[] {
  const start = virtBase, end = virtBase + pages * PAGE;
  const span = (size: number): number => Math.floor((end - 1) / size) - Math.floor(start / size) + 1;
  if (kind === 'pv64') {
    return [1, span(2 ** 39), span(2 ** 30), span(2 ** 21)];
  }
  // PAE: one L3 (PDPT), L2 per 1 GiB slot (plus the slot-3 L2 holding Xen's private entries), L1 per 2 MiB.
  const l2Slots = new Set<number>();
  for (let s = Math.floor(start / 2 ** 30); s <= Math.floor((end - 1) / 2 ** 30); s++) l2Slots.add(s);
  l2Slots.add(3);
  return [1, l2Slots.size, span(2 ** 21)];
}

/** Lay out the bootstrap region. kernelPages counts from pfn 0 (virt_base) to the end of the kernel. */
export function computeLayout(kind: GuestKind, virtBase: number, kernelEndPfn: number, moduleLen: number,
  nrPages: number): VirtLayout {
  const word = kind === 'pv64' ? 8 : 4;
  let next = kernelEndPfn;
  const kernel: Segment = { pfn: 0, pages: kernelEndPfn };
  let module: Segment | null = null;
  if (moduleLen > 0) { module = { pfn: next, pages: Math.ceil(moduleLen / PAGE) }; next += module.pages; }
  const p2m: Segment = { pfn: next, pages: Math.ceil((nrPages * word) / PAGE) };
  next += p2m.pages;
  const startInfo = next++;
  const xenstore = next++;
  const console = next++;
  const ptStart = next;
  // Fixed point: the page tables map themselves, the stack and the padding.
  let ptPages = 1;
  for (let iter = 0; iter < 16; iter++) {
    const stack = ptStart + ptPages;
    const mappedBytes = roundUp((stack + 1) * PAGE + 512 * 1024, MiB4);
    const counts = countPagetables(kind, virtBase, mappedBytes / PAGE);
    const need = counts.reduce((a, b) => a + b, 0);
    if (need <= ptPages) {
      const mappedPages = mappedBytes / PAGE;
      if (mappedPages > nrPages) {
        throw new BuildError(`the bootstrap region needs ${mappedPages} pages (${mappedPages >> 8} MiB) but the domain has only ${nrPages}`);
      }
      return { kernel, module, p2m, startInfo, xenstore, console, pagetables: { pfn: ptStart, pages: ptPages },
        bootStack: stack, mappedPages, ptCounts: counts };
    }
    ptPages = need;
  }
  throw new BuildError('could not size the bootstrap page tables');
}
