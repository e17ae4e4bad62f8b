// The GDT/LDT a PV vCPU's segment loads see (cpu.descriptors): the guest's GDT frames (set_gdt) below
// FIRST_RESERVED_GDT_ENTRY, Xen's reserved flat descriptors from 0x1c00 on, and the guest's LDT (MMUEXT_SET_LDT).

import type { Cpu } from '../cpu/cpu';
import type { DescriptorSource } from '../cpu/ops';
import type { GuestKind } from './builder/elf-notes';
import { FIRST_RESERVED_GDT_ENTRY, LAST_RESERVED_GDT_ENTRY } from './public';
import { copyFromGuest, guestTranslate } from './guest-access';

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
  /** Guest LDT: linear base and entry count (MMUEXT_SET_LDT). */
  ldtBase = 0;
  ldtEntries = 0;

  constructor(kind: GuestKind) {
    for (const [sel, hi, lo] of kind === 'pv64' ? RESERVED_64 : RESERVED_32) {
      const i = (sel >> 3) - FIRST_RESERVED_GDT_ENTRY;
      this.reserved[i * 2] = lo; this.reserved[i * 2 + 1] = hi;
    }
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
    const pa = guestTranslate(cpu, this.ldtBase + index * 8 + 4, true);
    if (pa >= 0) { const hi = cpu.mem.read32(pa); if (!(hi & 0x100)) cpu.mem.write32(pa, hi | 0x100); }
  }
}
