// String instructions movs/stos/lods/cmps/scas (b/w/d/q) with rep/repe/repne. Each iteration is complete
// on its own: a fault leaves rCX/rSI/rDI describing the remaining work; long reps resume via re-execution.

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import { RAX, RCX, RSI, RDI, ES } from '../state';
import { F_DF, F_TF } from '../flags';
import { TWO32 } from '../../common/bits';
import { getIndex, setIndex, wrapAddr, implicitLinear } from './ea';
import { recordSub } from './data-common';
import { MAX_ITER, movsChunk, stosChunk } from './string-fast';

/** rCX at the address size, as a count; for 64-bit counts of 2^32 or more returns a value above MAX_ITER. */
function repCount(c: Cpu, asize: number): number {
  const k = RCX << 1;
  if (asize === 16) return c.regs[k] & 0xffff;
  if (asize === 32 || c.regs[k + 1] === 0) return c.regs[k] >>> 0;
  return TWO32;
}
/** rCX -= done at the address size. */
function subCount(c: Cpu, asize: number, done: number): void {
  const k = RCX << 1;
  if (asize === 16) c.setReg16(RCX, c.regs[k] - done);
  else if (asize === 32) c.setReg32(RCX, (c.regs[k] >>> 0) - done);
  else {
    let lo = (c.regs[k] >>> 0) - done, hi = c.regs[k + 1];
    if (lo < 0) { lo += TWO32; hi = (hi - 1) | 0; }
    c.setReg64(RCX, lo | 0, hi);
  }
}
/** Per-element step: ±n by DF. */
function stepOf(c: Cpu, n: number): number { return (c.flagsBits & F_DF) ? -n : n; }

/**
 * Start of a rep: returns this call's iteration budget (0: nothing to do). A long rep sets RIP back to
 * itself to resume; the decoder marks rep-prefixed string instructions as ending a straight-line run.
 */
function repStart(c: Cpu, i: Insn, max = SLOW_ITER): number {
  const total = repCount(c, i.asize);
  if (total === 0) return 0;
  if (c.flagsBits & F_TF) return 1; // single-stepping: #DB after each iteration, as on hardware
  return total > max ? max : total;
}
/** Iterations per execution for element-by-element loops (lods/cmps/scas, and movs/stos off the fast path):
 *  small enough that an instruction budget of N bounds the work to about 256*N elements. */
const SLOW_ITER = 256;
/** After a rep call that did not fault: resume the instruction if work remains and it did not terminate. */
function repResume(c: Cpu, asize: number, terminated: boolean): void {
  if (!terminated && repCount(c, asize) !== 0) c.rip = c.insnRip;
}

// ---- movs ----
function movs(c: Cpu, i: Insn, n: number): void {
  const as = i.asize, bits = n << 3, seg = i.seg, step = stepOf(c, n);
  let si = getIndex(c, RSI, as), di = getIndex(c, RDI, as);
  if (i.rep === 0) {
    const v = c.readLin(implicitLinear(c, seg, si, n, false), bits), vh = c.rhi;
    c.writeLin(implicitLinear(c, ES, di, n, true), bits, v, vh);
    setIndex(c, RSI, as, wrapAddr(si + step, as));
    setIndex(c, RDI, as, wrapAddr(di + step, as));
    return;
  }
  const todo = repStart(c, i, MAX_ITER);
  if (todo === 0) return;
  let done = 0, slow = 0;
  try {
    while (done < todo) {
      const k = movsChunk(c, seg, n, as, si, di, todo - done, step < 0);
      if (k > 0) { done += k; si = wrapAddr(si + k * step, as); di = wrapAddr(di + k * step, as); continue; }
      if (slow++ === SLOW_ITER) break;
      const v = c.readLin(implicitLinear(c, seg, si, n, false), bits), vh = c.rhi;
      c.writeLin(implicitLinear(c, ES, di, n, true), bits, v, vh);
      done++; si = wrapAddr(si + step, as); di = wrapAddr(di + step, as);
    }
  } finally {
    // Iterations completed so far are architecturally done (also when one faulted).
    if (done > 0) { setIndex(c, RSI, as, si); setIndex(c, RDI, as, di); subCount(c, as, done); }
  }
  repResume(c, as, false);
}

// ---- stos ----
function stos(c: Cpu, i: Insn, n: number): void {
  const as = i.asize, bits = n << 3, step = stepOf(c, n);
  const lo = c.regs[RAX << 1], hi = c.regs[(RAX << 1) + 1];
  let di = getIndex(c, RDI, as);
  if (i.rep === 0) {
    c.writeLin(implicitLinear(c, ES, di, n, true), bits, lo, hi);
    setIndex(c, RDI, as, wrapAddr(di + step, as));
    return;
  }
  const todo = repStart(c, i, MAX_ITER);
  if (todo === 0) return;
  let done = 0, slow = 0;
  try {
    while (done < todo) {
      const k = stosChunk(c, n, as, di, todo - done, lo, hi, step < 0);
      if (k > 0) { done += k; di = wrapAddr(di + k * step, as); continue; }
      if (slow++ === SLOW_ITER) break;
      c.writeLin(implicitLinear(c, ES, di, n, true), bits, lo, hi);
      done++; di = wrapAddr(di + step, as);
    }
  } finally {
    // Iterations completed so far are architecturally done (also when one faulted).
    if (done > 0) { setIndex(c, RDI, as, di); subCount(c, as, done); }
  }
  repResume(c, as, false);
}

// ---- lods ----
function lods(c: Cpu, i: Insn, n: number): void {
  const as = i.asize, bits = n << 3, seg = i.seg, step = stepOf(c, n);
  let si = getIndex(c, RSI, as);
  if (i.rep === 0) {
    const v = c.readLin(implicitLinear(c, seg, si, n, false), bits);
    c.setReg(bits, RAX, v, c.rhi);
    setIndex(c, RSI, as, wrapAddr(si + step, as));
    return;
  }
  const todo = repStart(c, i);
  if (todo === 0) return;
  let done = 0;
  try {
    while (done < todo) {
      const v = c.readLin(implicitLinear(c, seg, si, n, false), bits);
      c.setReg(bits, RAX, v, c.rhi);
      done++; si = wrapAddr(si + step, as);
    }
  } finally {
    // Iterations completed so far are architecturally done (also when one faulted).
    if (done > 0) { setIndex(c, RSI, as, si); subCount(c, as, done); }
  }
  repResume(c, as, false);
}

// ---- cmps: flags as cmp [seg:rSI], [ES:rDI]; repe stops on mismatch, repne on match ----
function cmps(c: Cpu, i: Insn, n: number): void {
  const as = i.asize, bits = n << 3, seg = i.seg, step = stepOf(c, n);
  let si = getIndex(c, RSI, as), di = getIndex(c, RDI, as);
  if (i.rep === 0) {
    const a = c.readLin(implicitLinear(c, seg, si, n, false), bits), ah = c.rhi;
    const b = c.readLin(implicitLinear(c, ES, di, n, false), bits), bh = c.rhi;
    recordSub(c, bits, a, ah, b, bh);
    setIndex(c, RSI, as, wrapAddr(si + step, as));
    setIndex(c, RDI, as, wrapAddr(di + step, as));
    return;
  }
  const todo = repStart(c, i);
  if (todo === 0) return;
  const untilEqual = i.rep === 2;
  let done = 0, terminated = false;
  try {
    while (done < todo) {
      const a = c.readLin(implicitLinear(c, seg, si, n, false), bits), ah = c.rhi;
      const b = c.readLin(implicitLinear(c, ES, di, n, false), bits), bh = c.rhi;
      const eq = recordSub(c, bits, a, ah, b, bh);
      done++; si = wrapAddr(si + step, as); di = wrapAddr(di + step, as);
      if (eq === untilEqual) { terminated = true; break; }
    }
  } finally {
    // Iterations completed so far are architecturally done (also when one faulted).
    if (done > 0) { setIndex(c, RSI, as, si); setIndex(c, RDI, as, di); subCount(c, as, done); }
  }
  repResume(c, as, terminated);
}

// ---- scas: flags as cmp rAX, [ES:rDI] ----
function scas(c: Cpu, i: Insn, n: number): void {
  const as = i.asize, bits = n << 3, step = stepOf(c, n);
  const a = c.getReg(bits, RAX), ah = c.rhi;
  let di = getIndex(c, RDI, as);
  if (i.rep === 0) {
    const b = c.readLin(implicitLinear(c, ES, di, n, false), bits), bh = c.rhi;
    recordSub(c, bits, a, ah, b, bh);
    setIndex(c, RDI, as, wrapAddr(di + step, as));
    return;
  }
  const todo = repStart(c, i);
  if (todo === 0) return;
  const untilEqual = i.rep === 2;
  let done = 0, terminated = false;
  try {
    while (done < todo) {
      const b = c.readLin(implicitLinear(c, ES, di, n, false), bits), bh = c.rhi;
      const eq = recordSub(c, bits, a, ah, b, bh);
      done++; di = wrapAddr(di + step, as);
      if (eq === untilEqual) { terminated = true; break; }
    }
  } finally {
    // Iterations completed so far are architecturally done (also when one faulted).
    if (done > 0) { setIndex(c, RDI, as, di); subCount(c, as, done); }
  }
  repResume(c, as, terminated);
}

function sized(f: (c: Cpu, i: Insn, n: number) => void, n: number): Handler {
  return (c, i) => f(c, i, n);
}

export const stringHandlers: Record<string, Handler> = {
  Movsb_m8_m8: sized(movs, 1), Movsw_m16_m16: sized(movs, 2), Movsd_m32_m32: sized(movs, 4), Movsq_m64_m64: sized(movs, 8),
  Stosb_m8_AL: sized(stos, 1), Stosw_m16_AX: sized(stos, 2), Stosd_m32_EAX: sized(stos, 4), Stosq_m64_RAX: sized(stos, 8),
  Lodsb_AL_m8: sized(lods, 1), Lodsw_AX_m16: sized(lods, 2), Lodsd_EAX_m32: sized(lods, 4), Lodsq_RAX_m64: sized(lods, 8),
  Cmpsb_m8_m8: sized(cmps, 1), Cmpsw_m16_m16: sized(cmps, 2), Cmpsd_m32_m32: sized(cmps, 4), Cmpsq_m64_m64: sized(cmps, 8),
  Scasb_AL_m8: sized(scas, 1), Scasw_AX_m16: sized(scas, 2), Scasd_EAX_m32: sized(scas, 4), Scasq_RAX_m64: sized(scas, 8),
};
