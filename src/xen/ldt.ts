// The lazily mapped LDT of a PV vCPU (pv/mm.c pv_map_ldt_shadow_page, pv/descriptor-tables.c pv_destroy_ldt,
// traps.c handle_ldt_mapping_fault): up to 16 guest frames typed PGT_seg_desc_page on first use.
//
// MMUEXT_SET_LDT only records (base, entries). The first descriptor load that touches an LDT page looks up the
// guest's *kernel* L1 entry for that linear page; the frame must be present and owned by the domain, and it takes
// a general + PGT_seg_desc_page type reference (validating all 512 descriptors, and failing with a type conflict
// while the frame is mapped writable anywhere). Xen then reads descriptors straight from that frame. A failure is
// reflected to the guest as #PF (error code 0, CR2 = ldt_base + offset), or #GP(offset | TI) when ldt_base + offset
// is not canonical. The references are dropped when the LDT changes (set_ldt), the vCPU is reset
// (VCPUOP_initialise / VCPUOP_down) or the guest removes a read-only mapping of an in-use PGT_seg_desc_page frame
// (put_page_from_l1e -> mm hook segdescUnmapped -> destroy on every vCPU), so the guest may then map it writable.

import type { Cpu } from '../cpu/cpu';
import { CpuFault, GP, PF } from '../cpu/fault';
import { probe } from '../cpu/mmu/paging';
import type { PagingRegs } from '../cpu/mmu/paging';
import { MmState, MmVcpu, PGT_seg_desc_page, getPage, getPageType, putPage, putPageAndType } from './mm';
import { hexAddr } from '../common/bits';

/** LDT_ENTRY_SIZE * 8192 entries = 16 pages (pv_ldt_ptes). */
export const LDT_SHADOW_PAGES = 16;

const hex = (v: number): string => (v >>> 0).toString(16);

function canonical(va: number): boolean { return va >= -0x800000000000 && va < 0x800000000000; }

export class ShadowLdt {
  /** Mapped machine frame per LDT page, or -1. */
  readonly frames = new Int32Array(LDT_SHADOW_PAGES).fill(-1);
  /** Why the last mapping attempt failed (for the bounce log), cleared when read. */
  lastFailure: string | null = null;

  constructor(readonly mm: MmState, readonly mmv: MmVcpu) {}

  get is64(): boolean { return this.mmv.domain.kind === 'pv64'; }

  /** guest_get_eff_kern_l1e: the frame the guest kernel's page tables map at `linear` (4 KiB leaf), or -1. */
  private kernelFrame(cpu: Cpu, linear: number): number {
    const root = this.mmv.guestTable;
    if (root === 0) return -1;
    const regs: PagingRegs = { cr0: cpu.cr0, cr3: root * 4096, cr4: cpu.cr4, efer: cpu.efer };
    const r = probe(cpu.mem, regs, linear);
    if (!r.translation || r.translation.pageSize !== 4096) return -1;
    return r.translation.frame / 4096;
  }

  /**
   * Machine address of LDT byte `offset` (descriptor-aligned), mapping its page on first use. Throws the
   * CpuFault Xen reflects to the guest when the page cannot be mapped.
   */
  maddr(cpu: Cpu, ldtBase: number, offset: number): number {
    const page = Math.floor(offset / 4096);
    let linear = ldtBase + offset;
    if (!this.is64) linear = linear >>> 0;
    const cur = this.frames[page];
    if (cur >= 0) return cur * 4096 + (offset % 4096);
    const mfn = this.mapShadowPage(cpu, linear);
    if (mfn < 0) {
      if (this.is64 && !canonical(ldtBase + offset)) {
        throw new CpuFault(GP, (offset & ~3) | 4);
      }
      throw new CpuFault(PF, 0, linear);
    }
    this.frames[page] = mfn;
    return mfn * 4096 + (offset % 4096);
  }

  /** pv_map_ldt_shadow_page: -1 on failure (lastFailure says why). */
  private mapShadowPage(cpu: Cpu, linear: number): number {
    const d = this.mmv.domain;
    const at = `LDT page at 0x${hexAddr(linear - (((linear % 4096) + 4096) % 4096))}`;
    if (this.is64 && !canonical(linear)) { this.lastFailure = `${at}: non-canonical`; return -1; }
    const mfn = this.kernelFrame(cpu, linear);
    if (mfn < 0) { this.lastFailure = `${at}: not present in the guest kernel's page tables`; return -1; }
    if (!getPage(this.mm, mfn, d, true)) {
      this.lastFailure = `${at}: mfn ${hex(mfn)} is not owned by d${d.domid}`;
      return -1;
    }
    const mark = this.mm.diag.mark();
    if (getPageType(this.mm, mfn, PGT_seg_desc_page) !== 0) {
      putPage(this.mm, mfn);
      const why = this.mm.diag.firstSince(mark);
      this.lastFailure = `${at}: mfn ${hex(mfn)} cannot become seg_desc_page` + (why ? ` (${why.message})` : '');
      return -1;
    }
    return mfn;
  }

  private unmapPage(page: number): void {
    const mfn = this.frames[page];
    if (mfn < 0) return;
    this.frames[page] = -1;
    putPageAndType(this.mm, mfn);
  }

  /** pv_destroy_ldt: drop every mapped page's references; returns how many were mapped. */
  destroy(): number {
    let n = 0;
    for (let i = 0; i < LDT_SHADOW_PAGES; i++) if (this.frames[i] >= 0) { this.unmapPage(i); n++; }
    return n;
  }

  /** Mapped frames (for the debugger), in page order; -1 = not mapped yet. */
  mapped(): number[] { return Array.from(this.frames); }
}

