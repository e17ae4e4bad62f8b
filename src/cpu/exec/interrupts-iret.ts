// IRET/IRETD/IRETQ in protected and IA-32e mode (SDM IRET operation): same-level and outer-level returns,
// 64-bit returns (SS:RSP always popped) including to compatibility mode, and the RFLAGS update rules.
// Not supported: NT=1 task returns (#GP(0), as IA-32e mode does) and returns to virtual-8086 mode (#GP(0)).

import type { Cpu } from '../cpu';
import type { Handler } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import { CS } from '../state';
import { CR0_PE } from '../mmu/paging';
import { F_AC, F_ARITH, F_DF, F_ID, F_IF, F_IOPL, F_NT, F_RF, F_TF, F_VIF, F_VIP, F_VM, setFlags } from '../flags';
import {
  isLongMode, targetIs64, checkTargetRip, checkReturnStack, touchAccessed, commitCs, commitSs, invalidateOuterSegments,
} from './segments-load';
import { readFrame, frameLo, frameHi, checkReturnCode, setReturnSp } from './farcall-return';

const codeDesc = new Int32Array(4);
const stackDesc = new Int32Array(4);

/**
 * Which RFLAGS bits a flags image popped by IRET may change, given the privilege level the IRET
 * executed at (SDM IRET: IF needs CPL <= IOPL; IOPL, VIF, VIP need CPL 0; 16-bit forms touch bits 0-15).
 */
export function iretFlagsMask(cpl: number, iopl: number, opsize: number): number {
  let mask = F_ARITH | F_TF | F_DF | F_NT;
  if (cpl <= iopl) mask |= F_IF;
  if (cpl === 0) mask |= F_IOPL;
  if (opsize !== 16) {
    mask |= F_RF | F_AC | F_ID;
    if (cpl === 0) mask |= F_VIF | F_VIP;
  }
  return mask;
}

/** IRET with operand size 16/32/64. */
export function iret(cpu: Cpu, opsize: number): void {
  const item = opsize >> 3;
  const flags = cpu.flagsBits;
  if (!(cpu.cr0 & CR0_PE)) {
    readFrame(cpu, opsize, 3, 0);
    const sel = frameLo[1] & 0xffff;
    cpu.setSegment(CS, sel, sel * 16, cpu.segLimit[CS], cpu.segAttr[CS], true);
    cpu.rip = opsize === 16 ? frameLo[0] & 0xffff : frameLo[0] >>> 0;
    cpu.setSP(cpu.spPlus(3 * item));
    setFlags(cpu, frameLo[2], iretFlagsMask(0, 3, opsize));
    return;
  }
  if (flags & F_VM) throw new CpuFault(GP, 0);        // virtual-8086 mode is not emulated
  if (flags & F_NT) throw new CpuFault(GP, 0);        // nested-task return: task switches are not emulated
  readFrame(cpu, opsize, 3, 0);
  const long = isLongMode(cpu), in64 = cpu.mode === 64;
  const cpl = cpu.cpl, iopl = (flags & F_IOPL) >>> 12;
  const tempFlags = opsize === 16 ? frameLo[2] & 0xffff : frameLo[2];
  if (!long && opsize === 32 && (tempFlags & F_VM) && cpl === 0) throw new CpuFault(GP, 0); // return to V86: unsupported
  const sel = frameLo[1] & 0xffff;
  checkReturnCode(cpu, sel, codeDesc);
  const lo = codeDesc[0], hi = codeDesc[1], rpl = sel & 3;
  const popStack = rpl > cpl || in64;
  let notNull = false;
  const ssSel = popStack ? (readFrame(cpu, opsize, 2, 3 * item, 3), frameLo[4] & 0xffff) : 0;
  if (popStack) notNull = checkReturnStack(cpu, ssSel, rpl, stackDesc, long && targetIs64(cpu, hi));
  const offLo = opsize === 16 ? frameLo[0] & 0xffff : frameLo[0], offHi = opsize === 64 ? frameHi[0] : 0;
  const rip = checkTargetRip(cpu, lo, hi, offLo, offHi);
  const h = touchAccessed(cpu, sel, hi);
  const sh = notNull ? touchAccessed(cpu, ssSel, stackDesc[1]) : 0;
  const sameSp = popStack ? 0 : cpu.spPlus(3 * item);
  commitCs(cpu, sel, lo, h, rpl);
  if (popStack) {
    commitSs(cpu, ssSel, stackDesc[0], sh, !notNull, rpl);
    setReturnSp(cpu, opsize, frameLo[3], frameHi[3], 0);
  } else cpu.setSP(sameSp);
  setFlags(cpu, tempFlags, iretFlagsMask(cpl, iopl, opsize));
  cpu.rip = rip;
  if (rpl > cpl) invalidateOuterSegments(cpu);
}

export const iretHandlers: Record<string, Handler> = {
  Iretw: (cpu) => iret(cpu, 16),
  Iretd: (cpu) => iret(cpu, 32),
  Iretq: (cpu) => iret(cpu, 64),
};
