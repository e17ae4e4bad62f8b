// Far RET (SDM RET operation, Vol 3 5.8.6): same-level returns and returns to an outer privilege level
// (pops SS:SP, invalidates data segments the outer level may not use). Shared stack-frame readers for IRET.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import { CS, RSP } from '../state';
import { CR0_PE } from '../mmu/paging';
import { TWO32 } from '../../common/bits';
import {
  D_P, dplOfHi, isCodeHi, isConformingCodeHi, isLongAndDefault32, isLongMode, targetIs64,
  gpSel, npSel, fetchDescriptor, checkTargetRip, checkReturnStack, touchAccessed, commitCs, commitSs, invalidateOuterSegments,
} from './segments-load';

/** Frame read from the stack: item values (lo, hi halves), filled by readFrame. */
export const frameLo = new Int32Array(8);
export const frameHi = new Int32Array(8);

/**
 * Read `count` stack items of `size` bits starting `skip` bytes above the stack pointer, without popping.
 * Faults (#SS(0) for limits, #PF) happen here, before any state change.
 */
export function readFrame(cpu: Cpu, size: number, count: number, skip: number, first = 0): void {
  const bytes = size >> 3;
  for (let n = 0; n < count; n++) {
    const lin = cpu.stackLinear(cpu.spPlus(skip + n * bytes), bytes, false);
    frameLo[first + n] = cpu.readLin(lin, size);
    frameHi[first + n] = size === 64 ? cpu.rhi : 0;
  }
}

/** Checks on the CS selector popped by RETF/IRET (SDM: RETURN-FROM-PROCEDURE / PROTECTED-MODE-RETURN). */
export function checkReturnCode(cpu: Cpu, sel: number, out: Int32Array): void {
  if ((sel & 0xfffc) === 0) throw new CpuFault(GP, 0);
  fetchDescriptor(cpu, sel, out);
  const hi = out[1], rpl = sel & 3, dpl = dplOfHi(hi);
  if (!isCodeHi(hi) || rpl < cpu.cpl) throw gpSel(sel);
  if (isConformingCodeHi(hi) ? dpl > rpl : dpl !== rpl) throw gpSel(sel);
  if (!(hi & D_P)) throw npSel(sel);
  if (isLongMode(cpu) && isLongAndDefault32(hi)) throw gpSel(sel);
}

/** Set the stack pointer after a return: 16-bit operand size replaces SP only, otherwise the whole pointer. */
export function setReturnSp(cpu: Cpu, opsize: number, lo: number, hi: number, add: number): void {
  const k = RSP << 1;
  if (opsize === 16) { cpu.regs[k] = (cpu.regs[k] & ~0xffff) | ((lo + add) & 0xffff); return; }
  if (cpu.stackSize === 64) {
    const v = (hi | 0) * TWO32 + (lo >>> 0) + add;
    cpu.regs[k] = v | 0; cpu.regs[k + 1] = Math.floor(v / TWO32) | 0;
  } else if (cpu.stackSize === 32) { cpu.regs[k] = (lo + add) | 0; cpu.regs[k + 1] = 0; }
  else cpu.regs[k] = (cpu.regs[k] & ~0xffff) | ((lo + add) & 0xffff);
}

const codeDesc = new Int32Array(4);
const stackDesc = new Int32Array(4);

/** RETF [imm16] with operand size 16/32/64. */
export function farReturn(cpu: Cpu, opsize: number, imm: number): void {
  const item = opsize >> 3;
  readFrame(cpu, opsize, 2, 0);
  const ripL = frameLo[0], ripH = frameHi[0], sel = frameLo[1] & 0xffff;
  if (!(cpu.cr0 & CR0_PE)) {
    cpu.setSegment(CS, sel, sel * 16, cpu.segLimit[CS], cpu.segAttr[CS], true);
    cpu.rip = opsize === 16 ? ripL & 0xffff : ripL >>> 0;
    cpu.setSP(cpu.spPlus(2 * item + imm));
    return;
  }
  checkReturnCode(cpu, sel, codeDesc);
  const lo = codeDesc[0], hi = codeDesc[1], rpl = sel & 3;
  const offLo = opsize === 16 ? ripL & 0xffff : ripL, offHi = opsize === 64 ? ripH : 0;
  if (rpl === cpu.cpl) {
    const rip = checkTargetRip(cpu, lo, hi, offLo, offHi);
    const h = touchAccessed(cpu, sel, hi);
    const sp = cpu.spPlus(2 * item + imm);
    commitCs(cpu, sel, lo, h, rpl);
    cpu.setSP(sp);
    cpu.rip = rip;
    return;
  }
  // Return to an outer (less privileged) level: SS:SP follow the parameters on the old stack.
  readFrame(cpu, opsize, 2, 2 * item + imm, 2);
  const ssSel = frameLo[3] & 0xffff;
  const notNull = checkReturnStack(cpu, ssSel, rpl, stackDesc, targetIs64(cpu, hi));
  const rip = checkTargetRip(cpu, lo, hi, offLo, offHi);
  const h = touchAccessed(cpu, sel, hi);
  const sh = notNull ? touchAccessed(cpu, ssSel, stackDesc[1]) : 0;
  commitCs(cpu, sel, lo, h, rpl);
  commitSs(cpu, ssSel, stackDesc[0], sh, !notNull, rpl);
  setReturnSp(cpu, opsize, frameLo[2], frameHi[2], imm);
  cpu.rip = rip;
  invalidateOuterSegments(cpu);
}

const retf = (opsize: number, withImm: boolean): Handler => (cpu: Cpu, i: Insn) => {
  farReturn(cpu, opsize, withImm ? i.imm & 0xffff : 0);
};

export const farReturnHandlers: Record<string, Handler> = {
  Retfw: retf(16, false), Retfd: retf(32, false), Retfq: retf(64, false),
  Retfw_imm16: retf(16, true), Retfd_imm16: retf(32, true), Retfq_imm16: retf(64, true),
};
