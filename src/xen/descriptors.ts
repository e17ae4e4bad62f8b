// The GDT/LDT a PV vCPU's segment loads see (cpu.descriptors): the guest's GDT frames (set_gdt) below
// FIRST_RESERVED_GDT_ENTRY, Xen's reserved flat descriptors from 0x1c00 on, and the guest's LDT (MMUEXT_SET_LDT),
// whose pages are typed PGT_seg_desc_page on first use (ldt.ts) once the domain's mm is attached.

import type { Cpu } from '../cpu/cpu';
import type { DescriptorSource } from '../cpu/ops';
import type { GuestKind } from './builder/elf-notes';
import { FIRST_RESERVED_GDT_ENTRY, LAST_RESERVED_GDT_ENTRY } from './public';
import { copyFromGuest, guestTranslate } from './guest-access';
import { ShadowLdt } from './ldt';
import type { MmState, MmVcpu } from './mm';

/**
 * Xen's reserved entries for each guest kind as (selector, descriptor hi, lo). The ABI fixes the ring-1 and
 * ring-3 ones (xen/arch/x86/desc.c: boot_gdt / boot_compat_gdt); they are served with the accessed bit clear
 * and get it set on first load, as hardware does.
 */
const RESERVED_64: [number, number, number][] = [
  [0xe008, 0x00af9a00, 0x0000ffff], // ring 0 code, 64-bit
  [0xe010, 0x00cf9200, 0x0000ffff], // ring 0 data
  [0xe023, 0x00cffa00, 0x0000ffff], // FLAT_RING3_CS32: ring 3 code, compatibility
  [0xe02b, 0x00cff200, 0x0000ffff], // FLAT_RING3_DS32 / SS: ring 3 data
  [0xe033, 0x00affa00, 0x0000ffff], // FLAT_RING3_CS64: ring 3 code, 64-bit
];
const RESERVED_32: [number, number, number][] = [
  [0xe008, 0x00af9a00, 0x0000ffff], // ring 0 code, 64-bit
  [0xe010, 0x00cf9200, 0x0000ffff], // ring 0 data
  [0xe019, 0x00cfba00, 0x0000ffff], // FLAT_RING1_CS: ring 1 code
  [0xe021, 0x00cfb200, 0x0000ffff], // FLAT_RING1_DS / SS: ring 1 data
  [0xe02b, 0x00cffa00, 0x0000ffff], // FLAT_RING3_CS: ring 3 code
  [0xe033, 0x00cff200, 0x0000ffff], // FLAT_RING3_DS / SS: ring 3 data
];

export const RESERVED_GDT_COUNT = LAST_RESERVED_GDT_ENTRY - FIRST_RESERVED_GDT_ENTRY + 1;

export class XenDescriptorSource implements DescriptorSource {
  /** Reserved entries as (lo, hi) pairs, index - FIRST_RESERVED_GDT_ENTRY. */
  readonly reserved = new Int32Array(RESERVED_GDT_COUNT * 2);
  /** Guest GDT frames (machine frame numbers) and entry count, from set_gdt. */
  gdtFrames: number[] = [];
  gdtEntries = 0;
  /** Guest LDT pages mapped on demand (null until attachMm: then LDT entries are read from the guest directly). */
  shadowLdt: ShadowLdt | null = null;
  private ldtBaseV = 0;
  private ldtEntriesV = 0;

  constructor(kind: GuestKind) {
    for (const [sel, hi, lo] of kind === 'pv64' ? RESERVED_64 : RESERVED_32) {
      const i = (sel >> 3) - FIRST_RESERVED_GDT_ENTRY;
      this.reserved[i * 2] = lo; this.reserved[i * 2 + 1] = hi;
    }
  }

  /** Give the LDT Xen's lazy typing rules (called once per vCPU by the hypervisor entry). */
  attachMm(mm: MmState, mmv: MmVcpu): void { this.shadowLdt = new ShadowLdt(mm, mmv); }

  /** Guest LDT: linear base and entry count (MMUEXT_SET_LDT). A change drops the mapped pages (pv_destroy_ldt). */
  get ldtBase(): number { return this.ldtBaseV; }
  set ldtBase(v: number) { if (v !== this.ldtBaseV) { this.destroyLdt(); this.ldtBaseV = v; } }
  get ldtEntries(): number { return this.ldtEntriesV; }
  set ldtEntries(v: number) { if (v !== this.ldtEntriesV) { this.destroyLdt(); this.ldtEntriesV = v; } }

  /** pv_destroy_ldt: release the type references of the mapped LDT pages (LDT change, vCPU reset). */
  destroyLdt(): number { return this.shadowLdt?.destroy() ?? 0; }

  /** Why the last LDT page mapping failed (cleared by reading), for the bounce log. */
  takeLdtFailure(): string | null {
    const s = this.shadowLdt;
    if (!s || s.lastFailure === null) return null;
    const r = s.lastFailure;
    s.lastFailure = null;
    return r;
  }

  /** The reserved descriptor for a selector as [lo, hi] (for start-of-day loads and the debugger). */
  reservedEntry(sel: number): [number, number] {
    const i = (sel >> 3) - FIRST_RESERVED_GDT_ENTRY;
    return [this.reserved[i * 2], this.reserved[i * 2 + 1]];
  }

  read(cpu: Cpu, ti: number, index: number, out: Int32Array): boolean {
    if (ti === 0) {
      if (index >= FIRST_RESERVED_GDT_ENTRY) {
        if (index > LAST_RESERVED_GDT_ENTRY) return false;
        const i = index - FIRST_RESERVED_GDT_ENTRY;
        out[0] = this.reserved[i * 2]; out[1] = this.reserved[i * 2 + 1];
        return true;
      }
      if (index >= this.gdtEntries) return false;
      const pa = this.gdtFrames[index >> 9] * 4096 + (index & 511) * 8;
      out[0] = cpu.mem.read32(pa) | 0; out[1] = cpu.mem.read32(pa + 4) | 0;
      return true;
    }
    if (index >= this.ldtEntries) return false;
    if (this.shadowLdt) {
      const pa = this.shadowLdt.maddr(cpu, this.ldtBase, index * 8);
      out[0] = cpu.mem.read32(pa) | 0; out[1] = cpu.mem.read32(pa + 4) | 0;
      return true;
    }
    const b = copyFromGuest(cpu, this.ldtBase + index * 8, 8);
    if (b === null) return false;
    const v = new DataView(b.buffer);
    out[0] = v.getInt32(0, true); out[1] = v.getInt32(4, true);
    return true;
  }

  setAccessed(cpu: Cpu, ti: number, index: number): void {
    if (ti === 0) {
      if (index >= FIRST_RESERVED_GDT_ENTRY) {
        const i = index - FIRST_RESERVED_GDT_ENTRY;
        if (i < RESERVED_GDT_COUNT) this.reserved[i * 2 + 1] |= 0x100;
        return;
      }
      if (index >= this.gdtEntries) return;
      const pa = this.gdtFrames[index >> 9] * 4096 + (index & 511) * 8 + 4;
      const hi = cpu.mem.read32(pa);
      if (!(hi & 0x100)) cpu.mem.write32(pa, hi | 0x100);
      return;
    }
    if (index >= this.ldtEntries) return;
    if (this.shadowLdt) {
      const fr = this.shadowLdt.frames[(index * 8) >> 12];
      if (fr < 0) return;
      const a = fr * 4096 + ((index * 8) & 0xfff) + 4;
      const hi = cpu.mem.read32(a);
      if (!(hi & 0x100)) cpu.mem.write32(a, hi | 0x100);
      return;
    }
    const pa = guestTranslate(cpu, this.ldtBase + index * 8 + 4, true);
    if (pa >= 0) { const hi = cpu.mem.read32(pa); if (!(hi & 0x100)) cpu.mem.write32(pa, hi | 0x100); }
  }
}
