// Effective-address arithmetic without segmentation (lea), plus implicit-operand address helpers shared by
// data/stack/control/string handlers: index registers at an address size, their linear addresses, wrapping.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder/insn';
import { REG_RIP } from '../decoder/insn';
import { CpuFault, GP, SS as SS_FAULT } from '../fault';
import { FS, SS, CS } from '../state';
import { TWO32, isCanonicalHi } from '../../common/bits';

/**
 * Effective address of i's memory operand: base + index*scale + disp at the address size, with no
 * segment base and no canonical check (what lea computes). Returns the low half; the high half is in cpu.rhi
 * (0 for 16/32-bit address sizes, whose result is zero-extended).
 */
export function effectiveAddress(cpu: Cpu, i: Insn): number {
  const as = i.asize;
  if (as === 64) {
    let lo = i.disp, hi = i.dispHi, s: number;
    const b = i.base;
    if (b >= 0) {
      let blo: number, bhi: number;
      if (b === REG_RIP) { const r = cpu.rip; blo = r | 0; bhi = Math.floor(r / TWO32) | 0; }
      else { blo = cpu.regs[b << 1]; bhi = cpu.regs[(b << 1) + 1]; }
      s = (lo >>> 0) + (blo >>> 0);
      hi = (hi + bhi + (s >= TWO32 ? 1 : 0)) | 0; lo = s | 0;
    }
    const x = i.index;
    if (x >= 0) {
      let xlo = cpu.regs[x << 1], xhi = cpu.regs[(x << 1) + 1];
      const sc = i.scale;
      if (sc) { xhi = (xhi << sc) | (xlo >>> (32 - sc)); xlo = xlo << sc; }
      s = (lo >>> 0) + (xlo >>> 0);
      hi = (hi + xhi + (s >= TWO32 ? 1 : 0)) | 0; lo = s | 0;
    }
    cpu.rhi = hi;
    return lo;
  }
  let off = i.disp;
  if (i.base >= 0) off = (off + (i.base === REG_RIP ? cpu.rip | 0 : cpu.regs[i.base << 1])) | 0;
  if (i.index >= 0) off = (off + (cpu.regs[i.index << 1] << i.scale)) | 0;
  cpu.rhi = 0;
  return as === 16 ? off & 0xffff : off;
}

/** An index register (rSI/rDI/rBX/rCX...) as an offset number at an address size: 16/32 unsigned; 64 signed (exact when canonical). */
export function getIndex(cpu: Cpu, reg: number, asize: number): number {
  const k = reg << 1;
  if (asize === 64) return cpu.regs[k + 1] * TWO32 + (cpu.regs[k] >>> 0);
  return asize === 32 ? cpu.regs[k] >>> 0 : cpu.regs[k] & 0xffff;
}

/** Write an index register at an address size: 16 keeps the upper bits, 32 zero-extends, 64 from a signed number. */
export function setIndex(cpu: Cpu, reg: number, asize: number, v: number): void {
  const k = reg << 1;
  if (asize === 64) { cpu.regs[k] = v | 0; cpu.regs[k + 1] = Math.floor(v / TWO32) | 0; }
  else if (asize === 32) { cpu.regs[k] = v | 0; cpu.regs[k + 1] = 0; }
  else cpu.regs[k] = (cpu.regs[k] & ~0xffff) | (v & 0xffff);
}

/** Wrap an offset number to an address size (64: unchanged; offsets stay near canonical space). */
export function wrapAddr(v: number, asize: number): number {
  return asize === 64 ? v : asize === 32 ? v >>> 0 : v & 0xffff;
}

/**
 * Linear address of seg:off for an implicit operand (string instructions, xlat) of `size` bytes:
 * in 64-bit mode a canonical check (on the sum with the FS/GS base), otherwise the segment checks.
 * 64-bit offsets come from getIndex: a non-canonical register yields a number outside the canonical range.
 */
export function implicitLinear(cpu: Cpu, seg: number, off: number, size: number, write: boolean): number {
  if (cpu.mode === 64) {
    if (seg >= FS) return cpu.segmentOffset(seg, off, size, write);
    if (off < -0x800000000000 || off >= 0x800000000000) throw new CpuFault(seg === SS ? SS_FAULT : GP, 0);
    return off;
  }
  return cpu.segmentOffset(seg, off, size, write);
}

/**
 * Validate a near branch target and return the new RIP. opsize 16 truncates to 16 bits; 32 to 32 bits;
 * 64 requires a canonical address. Outside 64-bit mode the target must lie within the CS limit. #GP(0) otherwise.
 */
export function nearTarget(cpu: Cpu, target: number, opsize: number): number {
  let t: number;
  if (opsize === 16) t = target & 0xffff;
  else if (opsize === 32) t = target >>> 0;
  else {
    if (target < -0x800000000000 || target >= 0x800000000000) throw new CpuFault(GP, 0);
    t = target;
  }
  if (cpu.mode !== 64 && t > cpu.segLimit[CS]) throw new CpuFault(GP, 0);
  return t;
}

/** A 64-bit target given as halves: #GP(0) when non-canonical, else the signed number. */
export function target64(lo: number, hi: number): number {
  if (!isCanonicalHi(hi)) throw new CpuFault(GP, 0);
  return hi * TWO32 + (lo >>> 0);
}
