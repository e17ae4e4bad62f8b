// x86 paging walker (SDM Vol 3, chapter 4): 32-bit, PAE and 4-level walks with the exact #PF error code,
// Accessed/Dirty updates for CPU accesses, and a side-effect-free probe for the debugger. No BigInt.

import { MachineMemory } from '../memory';
import { pageFault, PFEC_PRESENT, PFEC_WRITE, PFEC_USER, PFEC_RSVD, PFEC_INSN } from '../fault';

// ---- Control-register bits (cr0 is treated as an unsigned number; `&` works for signed values too) ----
export const CR0_PE = 1, CR0_WP = 1 << 16, CR0_PG = 0x80000000;
export const CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21;
export const EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

/** Physical-address width in bits; reserved-bit checks use it and cpuid reports it. Must be in 32..52. */
export const MAXPHYADDR = 40;

export const ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2;

// ---- Paging-structure entry bits (low 32-bit half; XD is bit 31 of the high half) ----
export const PTE_P = 1 << 0, PTE_RW = 1 << 1, PTE_US = 1 << 2, PTE_PWT = 1 << 3, PTE_PCD = 1 << 4;
export const PTE_A = 1 << 5, PTE_D = 1 << 6, PTE_PS = 1 << 7, PTE_G = 1 << 8;
/** Large-page PAT bit (bit 12 of a PS=1 PDE/PDPTE); bit 7 is PAT in a 4 KiB PTE. */
export const PTE_PAT_LARGE = 1 << 12;
/** XD (bit 63) within the high half of a 64-bit entry. */
export const PTE_HI_XD = 0x80000000;

export const PAGE_4K = 4096, PAGE_2M = 0x200000, PAGE_4M = 0x400000, PAGE_1G = 0x40000000;

export interface PagingRegs { cr0: number; cr3: number; cr4: number; efer: number; }

export interface Translation {
  /** Machine address of the 4 KiB page containing lin (large pages: the 4K slice). */
  frame: number;
  /** Effective R/W: AND over all levels (PAE PDPTEs count as writable). */
  writable: boolean;
  /** Effective U/S: AND over all levels (PAE PDPTEs count as user). */
  user: boolean;
  /** Effective XD: OR over all levels (only meaningful when EFER.NXE; always false in 32-bit paging). */
  nx: boolean;
  /** G bit of the leaf entry, and CR4.PGE set. */
  global: boolean;
  /** 4096, 2 MiB, 4 MiB or 1 GiB. */
  pageSize: number;
}

export interface ProbeLevel {
  /** 4..1 (the PAE PDPT is 3, the 32-bit page directory is 2). */
  level: number;
  /** Xen's name of the table: 'L4' | 'L3' | 'L2' | 'L1'. */
  name: string;
  /** Machine address of the table holding this entry. */
  tableAddr: number;
  index: number;
  /** Entry value halves (entryHi is 0 for 32-bit paging). */
  entryLo: number;
  entryHi: number;
  present: boolean;
  /** True when this entry maps the page (L1 entry, or a PS=1 large-page entry). */
  leaf: boolean;
}

export interface ProbeResult {
  levels: ProbeLevel[];
  translation?: Translation;
  /** Machine address of lin itself. */
  phys?: number;
  /** Why the walk stopped (absent on success). */
  stop?: string;
}

export type PagingModeName = 'none' | '32bit' | 'pae' | 'long4';

/** Paging mode from the control registers: 'none' | '32bit' | 'pae' | 'long4'. */
export function pagingMode(regs: PagingRegs): PagingModeName {
  if (!(regs.cr0 & CR0_PG)) return 'none';
  if (!(regs.cr4 & CR4_PAE)) return '32bit';
  return regs.efer & EFER_LMA ? 'long4' : 'pae';
}

// ---- Reserved-bit masks derived from MAXPHYADDR ----
const TWO32 = 0x1_0000_0000;
/** Address bits 39:32 (MAXPHYADDR-1:32) inside the high half of an entry. */
const ADDR_HI = ((1 << (MAXPHYADDR - 32)) - 1) >>> 0;
/** 4-level entries: bits 51:MAXPHYADDR (bits 62:52 are ignored / protection keys). */
const RSVD_HI_LONG = (0x000fffff & ~ADDR_HI) >>> 0;
/** PAE PDEs/PTEs: bits 62:MAXPHYADDR. */
const RSVD_HI_PAE = (0x7fffffff & ~ADDR_HI) >>> 0;
/** PAE PDPTEs: bits 63:MAXPHYADDR, and low bits 2:1 and 8:5. */
const RSVD_HI_PDPTE = (0xffffffff & ~ADDR_HI) >>> 0;
const RSVD_LO_PDPTE = 0x1e6;
/** PS=1 entries: bits 20:13 of a 2 MiB PDE, bits 29:13 of a 1 GiB PDPTE. */
const RSVD_LO_2M = 0x001fe000;
const RSVD_LO_1G = 0x3fffe000;
/** 32-bit 4 MiB PDE: bit 21, and the PSE-36 address bits 20:13 above min(MAXPHYADDR, 40). */
const PSE36_BITS = Math.min(MAXPHYADDR, 40) - 32;
const RSVD_LO_4M = (0x00200000 | (0x001fe000 & ~(((1 << PSE36_BITS) - 1) << 13))) >>> 0;

// ---- Walk core: shared by walk() and probe(), results left in module-level scratch ----
// The core never writes memory. It records each entry it read (levels 4..1 in order) and leaves
// the effective permissions and the frame of a successful walk. Single-threaded, not re-entrant.
const ST_OK = 0, ST_NOT_PRESENT = 1, ST_RESERVED = 2;

let sDepth = 0;
const sLevel = new Int32Array(4);
const sTable = new Float64Array(4);
const sIndex = new Int32Array(4);
const sLo = new Float64Array(4);
const sHi = new Float64Array(4);
/** 1 when the entry has an Accessed bit (PAE PDPTEs do not: bit 5 is reserved there). */
const sHasA = new Uint8Array(4);
let sFrame = 0, sPageSize = 0;
let sRW = 1, sUS = 1, sXD = 0, sG = 0;
/** Reserved bits found set (for the probe's message). */
let sBadLo = 0, sBadHi = 0;

function record(level: number, table: number, index: number, lo: number, hi: number, hasA: number): void {
  const i = sDepth++;
  sLevel[i] = level; sTable[i] = table; sIndex[i] = index; sLo[i] = lo; sHi[i] = hi; sHasA[i] = hasA;
}

function resetScratch(): void {
  sDepth = 0; sFrame = 0; sPageSize = 0; sRW = 1; sUS = 1; sXD = 0; sG = 0; sBadLo = 0; sBadHi = 0;
}

/** Address bits M-1:12 of a 64-bit entry. */
function entryAddr(lo: number, hi: number): number {
  return ((lo & 0xfffff000) >>> 0) + (hi & ADDR_HI) * TWO32;
}

/** 4-level walk. lin: canonical sign-extended (or unsigned 64-bit representable) linear address. */
function coreLong(mem: MachineMemory, regs: PagingRegs, lin: number): number {
  resetScratch();
  const lo = lin >>> 0;
  const hi = Math.floor(lin / TWO32) >>> 0;
  const nxe = (regs.efer & EFER_NXE) !== 0;
  const rsvdHi = nxe ? RSVD_HI_LONG : (RSVD_HI_LONG | PTE_HI_XD) >>> 0;
  const cr3 = regs.cr3;
  let table = ((cr3 >>> 0) & 0xfffff000) + (Math.floor(cr3 / TWO32) & ADDR_HI) * TWO32;
  for (let level = 4; level >= 1; level--) {
    let index: number;
    if (level === 4) index = (hi >>> 7) & 0x1ff;
    else if (level === 3) index = ((hi & 0x7f) << 2) | (lo >>> 30);
    else if (level === 2) index = (lo >>> 21) & 0x1ff;
    else index = (lo >>> 12) & 0x1ff;
    const ea = table + index * 8;
    const elo = mem.read32(ea), ehi = mem.read32(ea + 4);
    record(level, table, index, elo, ehi, 1);
    if (!(elo & PTE_P)) return ST_NOT_PRESENT;
    const ps = (elo & PTE_PS) !== 0;
    let rsvdLo = 0;
    if (level === 4) rsvdLo = PTE_PS;
    else if (level === 3 && ps) rsvdLo = RSVD_LO_1G;
    else if (level === 2 && ps) rsvdLo = RSVD_LO_2M;
    const badLo = elo & rsvdLo, badHi = (ehi & rsvdHi) >>> 0;
    if (badLo | badHi) { sBadLo = badLo; sBadHi = badHi; return ST_RESERVED; }
    sRW &= elo >>> 1; sUS &= elo >>> 2; sXD |= ehi >>> 31;
    if (level === 1 || (ps && level <= 3)) {
      const base = entryAddr(elo, ehi);
      if (level === 3) { sFrame = (base - (base % PAGE_1G)) + (lo & 0x3ffff000); sPageSize = PAGE_1G; }
      else if (level === 2) { sFrame = (base - (base % PAGE_2M)) + (lo & 0x001ff000); sPageSize = PAGE_2M; }
      else { sFrame = base; sPageSize = PAGE_4K; }
      sG = (elo >>> 8) & 1;
      return ST_OK;
    }
    table = entryAddr(elo, ehi);
  }
  return ST_OK; // unreachable: level 1 always returns above
}

/** PAE 3-level walk. lin: unsigned 32-bit linear address. The PDPTEs are read from memory on each walk. */
function corePae(mem: MachineMemory, regs: PagingRegs, lin: number): number {
  resetScratch();
  const lo = lin >>> 0;
  const nxe = (regs.efer & EFER_NXE) !== 0;
  // PDPT: CR3 bits 31:5.
  const pdpt = (regs.cr3 >>> 0) & 0xffffffe0;
  const i3 = lo >>> 30;
  const plo = mem.read32(pdpt + i3 * 8), phi = mem.read32(pdpt + i3 * 8 + 4);
  record(3, pdpt, i3, plo, phi, 0);
  if (!(plo & PTE_P)) return ST_NOT_PRESENT;
  {
    const badLo = plo & RSVD_LO_PDPTE, badHi = (phi & RSVD_HI_PDPTE) >>> 0;
    if (badLo | badHi) { sBadLo = badLo; sBadHi = badHi; return ST_RESERVED; }
  }
  const rsvdHi = nxe ? RSVD_HI_PAE : (RSVD_HI_PAE | PTE_HI_XD) >>> 0;
  // Page directory.
  const pd = entryAddr(plo, phi);
  const i2 = (lo >>> 21) & 0x1ff;
  const dlo = mem.read32(pd + i2 * 8), dhi = mem.read32(pd + i2 * 8 + 4);
  record(2, pd, i2, dlo, dhi, 1);
  if (!(dlo & PTE_P)) return ST_NOT_PRESENT;
  const ps = (dlo & PTE_PS) !== 0;
  {
    const badLo = ps ? dlo & RSVD_LO_2M : 0, badHi = (dhi & rsvdHi) >>> 0;
    if (badLo | badHi) { sBadLo = badLo; sBadHi = badHi; return ST_RESERVED; }
  }
  sRW = (dlo >>> 1) & 1; sUS = (dlo >>> 2) & 1; sXD = dhi >>> 31;
  if (ps) {
    const base = entryAddr(dlo, dhi);
    sFrame = (base - (base % PAGE_2M)) + (lo & 0x001ff000); sPageSize = PAGE_2M;
    sG = (dlo >>> 8) & 1;
    return ST_OK;
  }
  // Page table.
  const pt = entryAddr(dlo, dhi);
  const i1 = (lo >>> 12) & 0x1ff;
  const tlo = mem.read32(pt + i1 * 8), thi = mem.read32(pt + i1 * 8 + 4);
  record(1, pt, i1, tlo, thi, 1);
  if (!(tlo & PTE_P)) return ST_NOT_PRESENT;
  {
    const badHi = (thi & rsvdHi) >>> 0;
    if (badHi) { sBadLo = 0; sBadHi = badHi; return ST_RESERVED; }
  }
  sRW &= tlo >>> 1; sUS &= tlo >>> 2; sXD |= thi >>> 31;
  sFrame = entryAddr(tlo, thi); sPageSize = PAGE_4K;
  sG = (tlo >>> 8) & 1;
  return ST_OK;
}

/** Legacy 32-bit 2-level walk, with 4 MiB (PSE-36) pages when CR4.PSE. lin: unsigned 32-bit. */
function core32(mem: MachineMemory, regs: PagingRegs, lin: number): number {
  resetScratch();
  const lo = lin >>> 0;
  const pd = (regs.cr3 >>> 0) & 0xfffff000;
  const i2 = lo >>> 22;
  const dlo = mem.read32(pd + i2 * 4);
  record(2, pd, i2, dlo, 0, 1);
  if (!(dlo & PTE_P)) return ST_NOT_PRESENT;
  sRW = (dlo >>> 1) & 1; sUS = (dlo >>> 2) & 1;
  if ((dlo & PTE_PS) && (regs.cr4 & CR4_PSE)) {
    const badLo = (dlo & RSVD_LO_4M) >>> 0;
    if (badLo) { sBadLo = badLo; sBadHi = 0; return ST_RESERVED; }
    // Bits 31:22 of the page address from bits 31:22, bits 39:32 from bits 20:13 (PSE-36).
    sFrame = ((dlo & 0xffc00000) >>> 0) + ((dlo >>> 13) & 0xff) * TWO32 + (lo & 0x003ff000);
    sPageSize = PAGE_4M;
    sG = (dlo >>> 8) & 1;
    return ST_OK;
  }
  const pt = (dlo & 0xfffff000) >>> 0;
  const i1 = (lo >>> 12) & 0x3ff;
  const tlo = mem.read32(pt + i1 * 4);
  record(1, pt, i1, tlo, 0, 1);
  if (!(tlo & PTE_P)) return ST_NOT_PRESENT;
  sRW &= tlo >>> 1; sUS &= tlo >>> 2;
  sFrame = (tlo & 0xfffff000) >>> 0; sPageSize = PAGE_4K;
  sG = (tlo >>> 8) & 1;
  return ST_OK;
}

function makeTranslation(regs: PagingRegs): Translation {
  return {
    frame: sFrame,
    writable: (sRW & 1) !== 0,
    user: (sUS & 1) !== 0,
    nx: (sXD & 1) !== 0,
    global: (sG & 1) !== 0 && (regs.cr4 & CR4_PGE) !== 0,
    pageSize: sPageSize,
  };
}

// ---- Hardware walk ----

/**
 * Hardware walk for an access by the CPU. user = access at CPL3 (implicit supervisor accesses such as
 * descriptor-table reads pass false). Checks permissions (U/S, R/W with CR0.WP, NX with EFER.NXE, SMEP/SMAP
 * if enabled), reserved bits (-> PFEC_RSVD|PFEC_PRESENT), not-present. On success sets Accessed on every
 * level (not on PAE PDPTEs, where bit 5 is reserved) and Dirty on the leaf for writes, writing them back to
 * memory; a faulting walk writes nothing. On failure throws pageFault(lin, ec) with the SDM error code
 * (P, W/R, U/S, RSVD, I/D — I/D only for fetches with CR4.SMEP, or with CR4.PAE and EFER.NXE).
 * smapAllowed: the access is an explicit supervisor data access with EFLAGS.AC=1 (SMAP lets it touch user
 * pages); leave false for implicit accesses.
 * Paging off: identity (unsigned 32-bit, or the value itself if it is a non-negative number), all allowed.
 */
export function walk(mem: MachineMemory, regs: PagingRegs, lin: number, access: number, user: boolean,
  smapAllowed = false): Translation {
  const cr0 = regs.cr0, cr4 = regs.cr4, efer = regs.efer;
  if (!(cr0 & CR0_PG)) {
    const pa = lin < 0 ? lin >>> 0 : lin;
    return { frame: pa - (pa % PAGE_4K), writable: true, user: true, nx: false, global: false, pageSize: PAGE_4K };
  }
  const pae = (cr4 & CR4_PAE) !== 0;
  const status = !pae ? core32(mem, regs, lin) : (efer & EFER_LMA) ? coreLong(mem, regs, lin) : corePae(mem, regs, lin);

  const write = access === ACC_WRITE, fetch = access === ACC_EXEC;
  let ec = (write ? PFEC_WRITE : 0) | (user ? PFEC_USER : 0);
  if (fetch && ((cr4 & CR4_SMEP) || (pae && (efer & EFER_NXE)))) ec |= PFEC_INSN;
  if (status === ST_NOT_PRESENT) throw pageFault(lin, ec);
  if (status === ST_RESERVED) throw pageFault(lin, ec | PFEC_PRESENT | PFEC_RSVD);

  // Access rights (SDM 4.6).
  const rw = (sRW & 1) !== 0, us = (sUS & 1) !== 0;
  let ok: boolean;
  if (user) {
    ok = us && (!write || rw);
  } else if (fetch) {
    ok = !(us && (cr4 & CR4_SMEP));
  } else {
    ok = (!write || rw || !(cr0 & CR0_WP)) && !(us && (cr4 & CR4_SMAP) && !smapAllowed);
  }
  if (fetch && pae && (efer & EFER_NXE) && (sXD & 1)) ok = false;
  if (!ok) throw pageFault(lin, ec | PFEC_PRESENT);

  // Accessed on every level, Dirty on the leaf for writes. Re-read each entry before the update so an
  // entry used at more than one level (recursive mappings) keeps every bit set on it.
  const last = sDepth - 1;
  for (let i = 0; i <= last; i++) {
    if (!sHasA[i]) continue;
    const bits = i === last && write ? PTE_A | PTE_D : PTE_A;
    if ((sLo[i] & bits) === bits) continue;
    const ea = sTable[i] + sIndex[i] * (pae ? 8 : 4);
    const cur = mem.read32(ea);
    if ((cur & bits) !== bits) mem.write32(ea, cur | bits);
  }
  return makeTranslation(regs);
}

// ---- Debugger probe ----

const LEVEL_NAMES = ['', 'L1', 'L2', 'L3', 'L4'];

function hex(v: number): string { return '0x' + v.toString(16); }
function hex64(lo: number, hi: number): string {
  return hi ? '0x' + (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0') : hex(lo >>> 0);
}

/** Side-effect-free walk for the debugger: never throws, never sets A/D, checks no access rights. Long mode
 *  accepts the sign-extended form or the unsigned 64-bit form (0xffff800000000000 as a number). */
export function probe(mem: MachineMemory, regs: PagingRegs, lin: number): ProbeResult {
  try {
    return probeInner(mem, regs, lin);
  } catch (e) {
    return { levels: [], stop: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function probeInner(mem: MachineMemory, regs: PagingRegs, lin: number): ProbeResult {
  if (typeof lin !== 'number' || !Number.isInteger(lin)) return { levels: [], stop: `invalid address ${String(lin)}` };
  const mode = pagingMode(regs);
  if (mode === 'none') {
    // Identity; addresses above 4 GiB are allowed (the emulator can run 64-bit code with paging off).
    if (lin < 0 || lin >= 2 ** 52) return { levels: [], stop: 'paging off: address outside the physical range' };
    const translation: Translation = {
      frame: lin - (lin % PAGE_4K), writable: true, user: true, nx: false, global: false, pageSize: PAGE_4K,
    };
    return { levels: [], translation, phys: lin };
  }
  let status: number;
  if (mode === 'long4') {
    if (lin >= 2 ** 63) lin -= 2 ** 64;
    if (lin < -(2 ** 47) || lin >= 2 ** 47) return { levels: [], stop: 'non-canonical address' };
    status = coreLong(mem, regs, lin);
  } else {
    if (lin < 0 || lin >= TWO32) return { levels: [], stop: 'address beyond 32 bits' };
    status = mode === 'pae' ? corePae(mem, regs, lin) : core32(mem, regs, lin);
  }
  const levels: ProbeLevel[] = [];
  for (let i = 0; i < sDepth; i++) {
    const level = sLevel[i], lo = sLo[i], hi = sHi[i];
    const present = (lo & PTE_P) !== 0;
    const isLast = i === sDepth - 1;
    levels.push({
      level, name: LEVEL_NAMES[level], tableAddr: sTable[i], index: sIndex[i], entryLo: lo, entryHi: hi,
      present, leaf: status === ST_OK && isLast,
    });
  }
  const lastLevel = levels[levels.length - 1];
  if (status === ST_NOT_PRESENT) {
    return { levels, stop: `not present at ${lastLevel.name} index ${lastLevel.index}` };
  }
  if (status === ST_RESERVED) {
    return {
      levels,
      stop: `reserved bits set at ${lastLevel.name} index ${lastLevel.index} ` +
        `(entry ${hex64(lastLevel.entryLo, lastLevel.entryHi)}, reserved ${hex64(sBadLo, sBadHi)})`,
    };
  }
  const translation = makeTranslation(regs);
  return { levels, translation, phys: translation.frame + (lin >>> 0) % PAGE_4K };
}
