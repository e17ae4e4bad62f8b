// Page-table entries as (lo, hi) 32-bit halves: Xen's 24-bit flag view (pte[63:52] -> bits 23..12,
// pte[11:0] -> bits 11..0), the 40-bit frame number, the per-level disallow masks and the guest
// adjustments Xen applies to pv64 entries (adjust_guest_lNe).

import { MachineMemory } from '../../cpu/memory';
import { GuestKind } from './page-info';

// ---- Xen's 24-bit flag view ----
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_PWT = 0x008;
export const _PAGE_PCD = 0x010;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PAT = 0x080;
export const _PAGE_PSE = 0x080;
export const _PAGE_GLOBAL = 0x100;
export const _PAGE_AVAIL = 0xe00;
/** Flag bit 12 = pte bit 52; pv64 kernel mappings (set by Xen). */
export const _PAGE_GUEST_KERNEL = 0x1000;
export const _PAGE_AVAIL_HIGH = 0x7ff000;
/** Flag bit 23 = pte bit 63. */
export const _PAGE_NX_BIT = 0x800000;

/** Guest-accessible flags: P, RW, US, A, D, AVAIL, AVAIL_HIGH, NX (arch_init_memory's base_disallow_mask). */
export function baseDisallowMask(nx: boolean): number {
  return (~(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_AVAIL |
    _PAGE_AVAIL_HIGH | (nx ? _PAGE_NX_BIT : 0)) & 0xffffff) >>> 0;
}
/** L1: base without GLOBAL (release builds: _PAGE_GNTTAB is 0). A domU without cache-flush rights
 *  may not set cache attributes (PWT/PCD/PAT) either. */
export function l1DisallowMask(nx: boolean): number { return (baseDisallowMask(nx) & ~_PAGE_GLOBAL) >>> 0; }
export function l2DisallowMask(nx: boolean): number { return baseDisallowMask(nx); }
/** L3: pv32 (compat) guests use 0xFFFFF198; in the 24-bit view that is 0xfff198. */
export function l3DisallowMask(nx: boolean, kind: GuestKind, paeStrict: boolean): number {
  if (kind === 'pv64') return baseDisallowMask(nx);
  return (0xfff198 | (paeStrict ? _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY : 0)) >>> 0;
}
export function l4DisallowMask(nx: boolean): number { return baseDisallowMask(nx); }

/** Flags a guest may change without revalidation (FASTPATH_FLAG_WHITELIST; same for PDEs with linear PTs). */
export const FASTPATH_FLAG_WHITELIST = _PAGE_NX_BIT | _PAGE_AVAIL_HIGH | _PAGE_AVAIL | _PAGE_GLOBAL |
  _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_USER;

/** 24-bit flags of an entry. */
export function pteFlags(lo: number, hi: number): number { return (((hi >>> 8) & 0xfff000) | (lo & 0xfff)) >>> 0; }
/** Frame number (pte bits 51..12) as a number. */
export function pteMfn(lo: number, hi: number): number { return (lo >>> 12) + (hi & 0xfffff) * 0x100000; }
/** Low half with 24-bit flags ORed in. */
export function loWithFlags(lo: number, flags: number): number { return (lo | (flags & 0xfff)) >>> 0; }
export function hiWithFlags(hi: number, flags: number): number { return (hi | ((flags & 0xfff000) << 8)) >>> 0; }
/** Entry for mfn with 24-bit flags: lo, hi. */
export function makePte(mfn: number, flags: number): [number, number] {
  const lo = (((mfn % 0x100000) << 12) | (flags & 0xfff)) >>> 0;
  const hi = ((Math.floor(mfn / 0x100000) & 0xfffff) | ((flags & 0xfff000) << 8)) >>> 0;
  return [lo, hi];
}

/** True when the two entries differ in frame or in flags outside `whitelist` (l1e_has_changed). */
export function pteHasChanged(olo: number, ohi: number, nlo: number, nhi: number, whitelist: number): boolean {
  const keep = (~whitelist) & 0xffffff;
  const loMask = (0xfffff000 | (keep & 0xfff)) >>> 0;
  const hiMask = (0x000fffff | ((keep & 0xfff000) << 8)) >>> 0;
  return (((olo ^ nlo) & loMask) >>> 0) !== 0 || (((ohi ^ nhi) & hiMask) >>> 0) !== 0;
}

/** 16 hex digits of an entry. */
export function pteHex(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Entries per table (8-byte entries for both PAE and 4-level). */
export const PT_ENTRIES = 512;

export function readPteLo(mem: MachineMemory, mfn: number, i: number): number { return mem.read32(mfn * 4096 + i * 8); }
export function readPteHi(mem: MachineMemory, mfn: number, i: number): number { return mem.read32(mfn * 4096 + i * 8 + 4); }
export function writePte(mem: MachineMemory, mfn: number, i: number, lo: number, hi: number): void {
  mem.write64(mfn * 4096 + i * 8, lo, hi);
}

// ---- adjust_guest_lNe: what Xen ORs into present entries of pv64 guests (kernel runs in ring 3) ----
/** Returns the adjusted low/high halves through `out`. */
export function adjustGuestL1e(kind: GuestKind, lo: number, hi: number, out: Uint32Array): void {
  let f = pteFlags(lo, hi);
  if ((f & _PAGE_PRESENT) && kind === 'pv64') {
    if (!(f & _PAGE_USER)) f |= _PAGE_GUEST_KERNEL | _PAGE_USER;
    if (!(f & _PAGE_GUEST_KERNEL)) f |= _PAGE_GLOBAL | _PAGE_USER;
  }
  out[0] = loWithFlags(lo, f); out[1] = hiWithFlags(hi, f);
}
export function adjustGuestL2e(kind: GuestKind, lo: number, hi: number, out: Uint32Array): void {
  const add = (lo & _PAGE_PRESENT) && kind === 'pv64' ? _PAGE_USER : 0;
  out[0] = (lo | add) >>> 0; out[1] = hi >>> 0;
}
/** pv32: Xen adds USER|RW for its compat L3 under a 64-bit L4; our CPU uses the L3 as PDPTEs, so nothing. */
export function adjustGuestL3e(kind: GuestKind, lo: number, hi: number, out: Uint32Array): void {
  const add = (lo & _PAGE_PRESENT) && kind === 'pv64' ? _PAGE_USER : 0;
  out[0] = (lo | add) >>> 0; out[1] = hi >>> 0;
}
export function adjustGuestL4e(kind: GuestKind, lo: number, hi: number, out: Uint32Array): void {
  const add = (lo & _PAGE_PRESENT) ? _PAGE_ACCESSED | (kind === 'pv64' ? _PAGE_USER : 0) : 0;
  out[0] = (lo | add) >>> 0; out[1] = hi >>> 0;
}
