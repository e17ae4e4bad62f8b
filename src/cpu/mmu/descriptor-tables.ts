// The default DescriptorSource: GDT/LDT entries read through GDTR and the LDTR cache with implicit
// supervisor accesses (SDM Vol 3, 3.5.1), plus the helpers segment loads use to fetch descriptors.

import type { Cpu } from '../cpu';
import type { DescriptorSource } from '../ops';
import { LDTR } from '../state';
import { EFER_LMA } from './paging';

/** Linear address of descriptor `index` in the GDT (ti=0) or LDT (ti=1), or NaN when beyond the table limit / no LDT. */
export function descriptorLinear(cpu: Cpu, ti: number, index: number): number {
  let base: number, limit: number;
  if (ti === 0) { base = cpu.gdtrBase; limit = cpu.gdtrLimit; }
  else {
    if (cpu.segValid[LDTR] === 0) return NaN;
    base = cpu.segBase[LDTR]; limit = cpu.segLimit[LDTR];
  }
  const off = index * 8;
  if (off + 7 > limit) return NaN;
  const lin = base + off;
  return (cpu.efer & EFER_LMA) !== 0 ? lin : lin >>> 0;
}

/** Reads the tables the CPU registers point at, as the hardware does. */
export class TableDescriptorSource implements DescriptorSource {
  read(cpu: Cpu, ti: number, index: number, out: Int32Array): boolean {
    const lin = descriptorLinear(cpu, ti, index);
    if (Number.isNaN(lin)) return false;
    out[0] = cpu.readSys32(lin);
    out[1] = cpu.readSys32(lin + 4);
    return true;
  }
  setAccessed(cpu: Cpu, ti: number, index: number): void {
    const lin = descriptorLinear(cpu, ti, index);
    if (Number.isNaN(lin)) return;
    const b = (cpu.readSys32(lin + 4) >>> 8) & 0xff;
    if ((b & 1) === 0) cpu.writeSys8(lin + 5, b | 1);
  }
  setBusy(cpu: Cpu, ti: number, index: number): void {
    const lin = descriptorLinear(cpu, ti, index);
    if (Number.isNaN(lin)) return;
    const b = (cpu.readSys32(lin + 4) >>> 8) & 0xff;
    if ((b & 2) === 0) cpu.writeSys8(lin + 5, b | 2);
  }
}

export const defaultDescriptorSource = new TableDescriptorSource();

/** The source segment loads use: the hypervisor's override, else the CPU's own tables. */
export function descriptorSource(cpu: Cpu): DescriptorSource { return cpu.descriptors ?? defaultDescriptorSource; }

/**
 * Read the descriptor a selector names into out[0], out[1]. False when the index is beyond the table
 * limit (or an LDT selector while LDTR is null). May throw #PF from the table read.
 */
export function readDescriptor(cpu: Cpu, sel: number, out: Int32Array): boolean {
  return descriptorSource(cpu).read(cpu, (sel >> 2) & 1, (sel & 0xffff) >>> 3, out);
}

/**
 * Read a 16-byte IA-32e system descriptor (LDT, TSS, call gate): dwords 0..3 into out[0..3]. The upper
 * half is entry index+1 of the same table; false when either half is beyond the limit.
 */
export function readDescriptor16(cpu: Cpu, sel: number, out: Int32Array): boolean {
  const src = descriptorSource(cpu), ti = (sel >> 2) & 1, index = (sel & 0xffff) >>> 3;
  if (!src.read(cpu, ti, index, out)) return false;
  const lo = out[0], hi = out[1];
  if (!src.read(cpu, ti, index + 1, out)) { out[0] = lo; out[1] = hi; return false; }
  out[2] = out[0]; out[3] = out[1];
  out[0] = lo; out[1] = hi;
  return true;
}

/** Set the accessed bit of the descriptor a selector names (after a successful load). */
export function markAccessed(cpu: Cpu, sel: number): void {
  descriptorSource(cpu).setAccessed(cpu, (sel >> 2) & 1, (sel & 0xffff) >>> 3);
}

/** Set the busy bit of a TSS descriptor (ltr), when the source supports it. */
export function markBusy(cpu: Cpu, sel: number): void {
  descriptorSource(cpu).setBusy?.(cpu, (sel >> 2) & 1, (sel & 0xffff) >>> 3);
}
