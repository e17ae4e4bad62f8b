// Shared helpers for the integer ALU families: LOCK checks, read-modify-write addressing (write permission
// proven before the read), materialised-flag updates, and the size-generic group-1 operation kernel.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, UD } from '../fault';
import { ACC_WRITE } from '../mmu/paging';
import {
  getCF, getFlags, F_FIXED, LOP_ADC, LOP_ADD, LOP_LOGIC, LOP_NONE, LOP_SBB, LOP_SUB,
} from '../flags';

export type HandlerMap = Record<string, Handler>;

/** #UD for a LOCK prefix that is not allowed (register destination, or a non-lockable instruction). */
export function lockUD(): never { throw new CpuFault(UD); }

/** Linear address of a read-modify-write memory operand of `bytes` bytes; #PF for the write is raised before the read. */
export function rmwLin(c: Cpu, i: Insn, bytes: number): number {
  const lin = c.linear(i, bytes, true);
  const vpn = Math.floor(lin / 4096);
  if (c.tagW[vpn & 4095] !== vpn || (lin & 0xfff) > 4096 - bytes) probeWrite(c, lin, bytes);
  return lin;
}

function probeWrite(c: Cpu, lin: number, bytes: number): void {
  c.translate(lin, ACC_WRITE);
  if ((lin & 0xfff) + bytes > 4096) {
    const last = lin + bytes - 1;
    c.translate(c.mode === 64 ? last : last >>> 0, ACC_WRITE);
  }
}

/** Replace the arithmetic flags in `mask` by `value`, keeping the others (computed lazily until now). */
export function putFlags(c: Cpu, value: number, mask: number): void {
  const cur = c.lop === LOP_NONE ? c.flagsBits : getFlags(c);
  c.flagsBits = ((cur & ~mask) | (value & mask) | F_FIXED) >>> 0;
  c.lop = LOP_NONE;
}

// ---- group-1 operation numbers (ModRM.reg order of 80/81/83) ----
export const OP_ADD = 0, OP_OR = 1, OP_ADC = 2, OP_SBB = 3, OP_AND = 4, OP_SUB = 5, OP_XOR = 6, OP_CMP = 7;
/** TEST: AND without a store. */
export const OP_TEST = 8;
export const GROUP1_NAMES = ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor', 'Cmp'];

/** Lazy op recorded by the last alu() call (read by record()). */
let pendingLop = 0;

/**
 * Group-1 op on values of size 8/16/32 (mask 0xff/0xffff/-1; 8/16-bit inputs zero-extended, 32-bit int32).
 * Returns the result in the same representation; call record() once the result is stored.
 */
export function alu(c: Cpu, op: number, a: number, b: number, mask: number): number {
  switch (op) {
    case OP_ADD: pendingLop = LOP_ADD; return (a + b) & mask;
    case OP_OR: pendingLop = LOP_LOGIC; return (a | b) & mask;
    case OP_ADC:
      if (getCF(c)) { pendingLop = LOP_ADC; return (a + b + 1) & mask; }
      pendingLop = LOP_ADD; return (a + b) & mask;
    case OP_SBB:
      if (getCF(c)) { pendingLop = LOP_SBB; return (a - b - 1) & mask; }
      pendingLop = LOP_SUB; return (a - b) & mask;
    case OP_AND: case OP_TEST: pendingLop = LOP_LOGIC; return a & b & mask;
    case OP_XOR: pendingLop = LOP_LOGIC; return (a ^ b) & mask;
    default: pendingLop = LOP_SUB; return (a - b) & mask;
  }
}

/** Record the lazy flags of the last alu() call. */
export function record(c: Cpu, size: number, a: number, b: number, r: number): void {
  c.lop = pendingLop; c.lsize = size; c.ldst = a; c.lsrc = b; c.lres = r;
}

/** Group-1 op on 64-bit halves; returns the low half, high half in c.rhi; call record64() after the store. */
export function alu64(c: Cpu, op: number, alo: number, ahi: number, blo: number, bhi: number): number {
  switch (op) {
    case OP_OR: pendingLop = LOP_LOGIC; c.rhi = ahi | bhi; return alo | blo;
    case OP_AND: case OP_TEST: pendingLop = LOP_LOGIC; c.rhi = ahi & bhi; return alo & blo;
    case OP_XOR: pendingLop = LOP_LOGIC; c.rhi = ahi ^ bhi; return alo ^ blo;
    case OP_ADD: case OP_ADC: {
      const cin = op === OP_ADC && getCF(c) ? 1 : 0;
      pendingLop = cin ? LOP_ADC : LOP_ADD;
      const s = (alo >>> 0) + (blo >>> 0) + cin;
      c.rhi = (ahi + bhi + (s > 0xffffffff ? 1 : 0)) | 0;
      return s | 0;
    }
    default: {
      const cin = op === OP_SBB && getCF(c) ? 1 : 0;
      pendingLop = cin ? LOP_SBB : LOP_SUB;
      const s = (alo >>> 0) - (blo >>> 0) - cin;
      c.rhi = (ahi - bhi - (s < 0 ? 1 : 0)) | 0;
      return s | 0;
    }
  }
}

export function record64(c: Cpu, alo: number, ahi: number, blo: number, bhi: number, rlo: number, rhi: number): void {
  c.lop = pendingLop; c.lsize = 64;
  c.ldst = alo; c.ldstHi = ahi; c.lsrc = blo; c.lsrcHi = bhi; c.lres = rlo; c.lresHi = rhi;
}

/** Mask for an operand size in bits. */
export function sizeMask(size: number): number { return size === 8 ? 0xff : size === 16 ? 0xffff : -1; }
