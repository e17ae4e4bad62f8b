// Benchmark machine: a bare CPU with paging ON, like a PV guest: 64-bit long mode at CPL3 over 4-level
// identity page tables, or 32-bit protected mode at CPL1 over PAE identity page tables (4 KiB pages).

import { Cpu } from '../cpu/cpu';
import { MachineMemory } from '../cpu/memory';
import { BareOps } from '../cpu/ops';
import { CS, SS, DS, ES, FS, GS, RSP, RDI } from '../cpu/state';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, PTE_P, PTE_RW, PTE_US } from '../cpu/mmu/paging';
import { setFlags, F_ARITH } from '../cpu/flags';

export const MEM_BYTES = 32 * 1024 * 1024;
/** Identity-mapped with 4 KiB pages: the first 16 MiB. */
const MAPPED = 16 * 1024 * 1024;
export const STUB = 0x100000;
export const CODE = 0x101000;
export const DATA = 0x200000;
export const STACK_TOP = 0x800000;
const PT_BASE = 0x10000; // page tables live at 0x10000..

export interface BenchMachine { cpu: Cpu; mem: MachineMemory; ops: BareOps; bits: 32 | 64; }

function entry(mem: MachineMemory, table: number, index: number, addr: number, flags: number): void {
  mem.write64(table + index * 8, (addr | flags) >>> 0, 0);
}

/** Identity page tables for [0, MAPPED) with P|RW|US at every level; returns CR3. */
function buildTables(mem: MachineMemory, bits: 32 | 64): number {
  const f = PTE_P | PTE_RW | PTE_US;
  const nPt = MAPPED / 0x200000;
  let next = PT_BASE;
  const alloc = (): number => { const a = next; next += 0x1000; mem.fill(a, 0x1000, 0); return a; };
  const pd = (): number => {
    const d = alloc();
    for (let k = 0; k < nPt; k++) {
      const pt = alloc();
      for (let e = 0; e < 512; e++) entry(mem, pt, e, k * 0x200000 + e * 0x1000, f);
      entry(mem, d, k, pt, f);
    }
    return d;
  };
  if (bits === 64) {
    const l4 = alloc(), l3 = alloc();
    entry(mem, l4, 0, l3, f);
    entry(mem, l3, 0, pd(), f);
    return l4;
  }
  // PAE: the PDPT holds 4 entries with only P (R/W and U/S are reserved there).
  const pdpt = alloc();
  entry(mem, pdpt, 0, pd(), PTE_P);
  return pdpt;
}

export function makeBenchMachine(bits: 32 | 64): BenchMachine {
  const mem = new MachineMemory(MEM_BYTES);
  const ops = new BareOps();
  const cpu = new Cpu(mem, ops);
  const cr3 = buildTables(mem, bits);
  cpu.cr3 = cr3;
  cpu.cr4 = CR4_PAE;
  if (bits === 64) {
    cpu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    cpu.cr0 = CR0_PE | CR0_PG | CR0_WP | 0x10;
    // PV64: guest kernel and user both run at CPL3 (FLAT_RING3_CS64 / FLAT_RING3_SS64).
    cpu.setSegment(CS, 0xe033, 0, 0xffffffff, 0xa0fb);
    cpu.setSegment(SS, 0xe02b, 0, 0xffffffff, 0xc0f3);
    for (const s of [DS, ES, FS, GS]) cpu.setSegment(s, 0, 0, 0xffffffff, 0xc0f3);
    cpu.setCpl(3);
  } else {
    cpu.efer = EFER_NXE;
    cpu.cr0 = CR0_PE | CR0_PG | CR0_WP | 0x10;
    // PV32: kernel at ring 1 (FLAT_RING1_CS / FLAT_RING1_DS).
    cpu.setSegment(CS, 0xe019, 0, 0xffffffff, 0xc0bb);
    for (const s of [SS, DS, ES, FS, GS]) cpu.setSegment(s, 0xe021, 0, 0xffffffff, 0xc0b3);
    cpu.setCpl(1);
  }
  cpu.updateMode();
  cpu.flushTlb();
  return { cpu, mem, ops, bits };
}

/** Load the stub (`mov edi, DATA; call CODE; ud2`) and a workload's bytes. */
export function loadWorkload(m: BenchMachine, stub: Uint8Array, code: Uint8Array): void {
  m.mem.writeBytes(STUB, stub);
  m.mem.writeBytes(CODE, code);
}

/** Reset registers for one run (the decode cache and TLB stay warm, as in a long-running guest). */
export function resetForRun(m: BenchMachine): void {
  const { cpu } = m;
  for (let r = 0; r < 16; r++) cpu.setReg64(r, 0, 0);
  cpu.setReg64(RSP, STACK_TOP, 0);
  cpu.setReg64(RDI, DATA, 0);
  setFlags(cpu, 0, F_ARITH);
  cpu.rip = STUB;
  cpu.halted = false;
  m.ops.lastException = null;
}
