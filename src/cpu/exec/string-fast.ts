// Fast paths for rep movs/stos (either direction): whole runs within one page are copied or filled directly in
// machine memory (after the same segment, paging and code-cache checks the per-element path performs).

import type { Cpu } from '../cpu';
import { ACC_READ, ACC_WRITE } from '../mmu/paging';
import { ES } from '../state';
import { TWO32 } from '../../common/bits';
import { implicitLinear } from './ea';

/** At most this many elements per handler call; the rest is re-executed by the step loop. */
export const MAX_ITER = 4096;

/** Machine address for a linear address (TLB hit or a page walk that may raise #PF). */
function physFor(c: Cpu, lin: number, write: boolean): number {
  const vpn = Math.floor(lin / 4096), k = vpn & 4095;
  if ((write ? c.tagW[k] : c.tagR[k]) === vpn) return c.tphys[k] + (lin & 0xfff);
  return c.translate(lin, write ? ACC_WRITE : ACC_READ);
}

/** Drop decoded instructions whose bytes lie in [pa, pa+len) (the same precision as Cpu's byte stores). */
export function touchCode(c: Cpu, pa: number, len: number): void {
  const mem = c.mem;
  const f0 = Math.floor(pa / 4096), f1 = Math.floor((pa + len - 1) / 4096);
  for (let f = f0; f <= f1; f++) {
    if (!mem.codeFrames[f]) continue;
    const cover = c.codeBytes[f];
    let hit = cover === undefined;
    if (!hit && cover !== undefined) {
      const from = f === f0 ? pa & 0xfff : 0, to = f === f1 ? ((pa + len - 1) & 0xfff) + 1 : 4096;
      for (let o = from; o < to; o++) if (cover[o]) { hit = true; break; }
    }
    if (hit) c.invalidateCodeFrame(f);
  }
}

/** Elements (of n bytes) that fit from offset `off` before the address-size wrap. */
function roomBeforeWrap(off: number, asize: number, n: number): number {
  if (asize === 64) return Infinity;
  return Math.floor(((asize === 32 ? TWO32 : 0x10000) - off) / n);
}

/** Whole run of k elements (k*n bytes) at off in seg is within the segment (protected mode); false if not. */
function segmentRunOk(c: Cpu, seg: number, off: number, len: number, write: boolean): boolean {
  if (c.mode === 64 || c.segFlat[seg] === 1) return true;
  try { c.checkSegmentAccess(seg, off, len, write); return true; } catch { return false; }
}

/**
 * Elements of n bytes that can be processed as one run starting with the element at (lin, off): within the
 * first element's page and without wrapping the address size; forward runs go up, backward (DF=1) runs go down.
 */
function runRoom(lin: number, off: number, asize: number, n: number, back: boolean): number {
  const o = lin & 0xfff;
  if (!back) return Math.min(Math.floor((4096 - o) / n), roomBeforeWrap(off, asize, n));
  if (o + n > 4096) return 0;
  return Math.min(Math.floor(o / n) + 1, asize === 64 ? Infinity : Math.floor(off / n) + 1);
}

/**
 * Copy up to `max` elements from seg:si to ES:di (downwards when back, i.e. DF=1) within one source page and one
 * destination page. Returns the number of elements copied; 0 when the run cannot be done here (the caller does
 * one element the slow way). May throw only before anything is copied (the first element's segment/paging checks).
 */
export function movsChunk(c: Cpu, seg: number, n: number, asize: number, si: number, di: number, max: number, back: boolean): number {
  const sl = implicitLinear(c, seg, si, n, false);
  const dl = implicitLinear(c, ES, di, n, true);
  const k = Math.min(max, runRoom(sl, si, asize, n, back), runRoom(dl, di, asize, n, back));
  if (k < 2) return 0;
  const len = k * n, down = back ? (k - 1) * n : 0;
  if (!segmentRunOk(c, seg, si - down, len, false) || !segmentRunOk(c, ES, di - down, len, true)) return 0;
  const ps = physFor(c, sl, false) - down;
  const pd = physFor(c, dl, true) - down;
  const size = c.mem.size;
  if (ps < 0 || ps + len > size || pd < 0 || pd + len > size) return 0;
  const bytes = c.mem.bytes;
  const d = pd - ps;
  if (!back && d > 0 && d < len) {
    // Destination overlaps ahead of the source: element-wise forward copy equals byte-wise forward copy
    // when the distance is at least one element; copy in blocks of d bytes (each block's source is final).
    if (d < n) return 0;
    touchCode(c, pd, len);
    for (let o = 0; o < len; o += d) bytes.copyWithin(pd + o, ps + o, ps + o + Math.min(d, len - o));
  } else if (back && d < 0 && d > -len) {
    // Backward copy onto a destination below the source replicates data: leave it to the element loop.
    return 0;
  } else {
    // No overlap, or overlap in the direction of travel: identical to memmove.
    touchCode(c, pd, len);
    bytes.copyWithin(pd, ps, ps + len);
  }
  return k;
}

/** Fill up to `max` elements at ES:di (downwards when back) with (lo, hi) within one page; contract as movsChunk. */
export function stosChunk(c: Cpu, n: number, asize: number, di: number, max: number, lo: number, hi: number, back: boolean): number {
  const dl = implicitLinear(c, ES, di, n, true);
  const k = Math.min(max, runRoom(dl, di, asize, n, back));
  if (k < 2) return 0;
  const len = k * n, down = back ? (k - 1) * n : 0;
  if (!segmentRunOk(c, ES, di - down, len, true)) return 0;
  const pd = physFor(c, dl, true) - down;
  if (pd < 0 || pd + len > c.mem.size) return 0;
  touchCode(c, pd, len);
  const bytes = c.mem.bytes;
  if (n === 1) { bytes.fill(lo & 0xff, pd, pd + len); return k; }
  const view = c.mem.view;
  if (n === 2) view.setUint16(pd, lo & 0xffff, true);
  else { view.setInt32(pd, lo, true); if (n === 8) view.setInt32(pd + 4, hi, true); }
  let filled = n;
  while (filled < len) {
    const cp = Math.min(filled, len - filled);
    bytes.copyWithin(pd + filled, pd, pd + cp);
    filled += cp;
  }
  return k;
}
