// Port I/O: IN/OUT (imm8 and DX forms) and INS/OUTS (with REP) through ops.ioRead/ioWrite.
// Permission is CPL <= IOPL only: the TSS I/O permission bitmap is not consulted (a refused access is #GP(0)).

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import { ES, RAX, RCX, RDX, RSI, RDI } from '../state';
import { CR0_PE, ACC_WRITE } from '../mmu/paging';
import { F_DF } from '../flags';
import { ioplOf } from './system-flags';
import { getIndex, setIndex, wrapAddr, implicitLinear } from './ea';

/** #GP(0) unless CPL <= IOPL (protected mode). */
export function checkIoPermission(cpu: Cpu): void {
  if ((cpu.cr0 & CR0_PE) && cpu.cpl > ioplOf(cpu)) throw new CpuFault(GP, 0);
}

const mask = (bytes: number, v: number): number => (bytes === 1 ? v & 0xff : bytes === 2 ? v & 0xffff : v | 0);

function setAcc(cpu: Cpu, bytes: number, v: number): void {
  if (bytes === 1) cpu.setReg8(RAX, v); else if (bytes === 2) cpu.setReg16(RAX, v); else cpu.setReg32(RAX, v);
}

const inImm = (bytes: number): Handler => (cpu: Cpu, i: Insn) => {
  checkIoPermission(cpu);
  setAcc(cpu, bytes, cpu.ops.ioRead(cpu, i.imm & 0xff, bytes));
};
const inDx = (bytes: number): Handler => (cpu: Cpu) => {
  checkIoPermission(cpu);
  setAcc(cpu, bytes, cpu.ops.ioRead(cpu, cpu.getReg16(RDX), bytes));
};
const outImm = (bytes: number): Handler => (cpu: Cpu, i: Insn) => {
  checkIoPermission(cpu);
  cpu.ops.ioWrite(cpu, i.imm & 0xff, bytes, mask(bytes, cpu.getReg32(RAX)));
};
const outDx = (bytes: number): Handler => (cpu: Cpu) => {
  checkIoPermission(cpu);
  cpu.ops.ioWrite(cpu, cpu.getReg16(RDX), bytes, mask(bytes, cpu.getReg32(RAX)));
};

/** Port I/O iterations per execution of a rep ins/outs; the rest re-executes so the step loop keeps control. */
const REP_IO_CHUNK = 256;
/** Leave RIP on the instruction so the remaining iterations run on its next execution. */
function resumeRep(cpu: Cpu): void {
  cpu.rip = cpu.insnRip;
}

/** INS: ES:[rDI] ← port DX; the destination is translated before the port is read. */
const ins = (bytes: number): Handler => (cpu: Cpu, i: Insn) => {
  checkIoPermission(cpu);
  const as = i.asize, delta = (cpu.flagsBits & F_DF) ? -bytes : bytes, port = cpu.getReg16(RDX);
  let count = i.rep ? getIndex(cpu, RCX, as) : 1;
  let budget = REP_IO_CHUNK;
  while (count > 0) {
    if (budget-- === 0) { resumeRep(cpu); return; }
    const di = getIndex(cpu, RDI, as);
    const lin = implicitLinear(cpu, ES, di, bytes, true);
    cpu.translate(lin, ACC_WRITE);
    if (bytes > 1 && (lin % 4096) + bytes > 4096) cpu.translate(lin + bytes - 1, ACC_WRITE);
    cpu.writeLin(lin, bytes * 8, mask(bytes, cpu.ops.ioRead(cpu, port, bytes)));
    setIndex(cpu, RDI, as, wrapAddr(di + delta, as));
    count--;
    if (i.rep) setIndex(cpu, RCX, as, count);
  }
};

/** OUTS: port DX ← seg:[rSI] (segment override allowed). */
const outs = (bytes: number): Handler => (cpu: Cpu, i: Insn) => {
  checkIoPermission(cpu);
  const as = i.asize, delta = (cpu.flagsBits & F_DF) ? -bytes : bytes, port = cpu.getReg16(RDX);
  let count = i.rep ? getIndex(cpu, RCX, as) : 1;
  let budget = REP_IO_CHUNK;
  while (count > 0) {
    if (budget-- === 0) { resumeRep(cpu); return; }
    const si = getIndex(cpu, RSI, as);
    const lin = implicitLinear(cpu, i.seg, si, bytes, false);
    const v = cpu.readLin(lin, bytes * 8);
    cpu.ops.ioWrite(cpu, port, bytes, mask(bytes, v));
    setIndex(cpu, RSI, as, wrapAddr(si + delta, as));
    count--;
    if (i.rep) setIndex(cpu, RCX, as, count);
  }
};

export const ioHandlers: Record<string, Handler> = {
  In_AL_imm8: inImm(1), In_AX_imm8: inImm(2), In_EAX_imm8: inImm(4),
  In_AL_DX: inDx(1), In_AX_DX: inDx(2), In_EAX_DX: inDx(4),
  Out_imm8_AL: outImm(1), Out_imm8_AX: outImm(2), Out_imm8_EAX: outImm(4),
  Out_DX_AL: outDx(1), Out_DX_AX: outDx(2), Out_DX_EAX: outDx(4),
  Insb_m8_DX: ins(1), Insw_m16_DX: ins(2), Insd_m32_DX: ins(4),
  Outsb_DX_m8: outs(1), Outsw_DX_m16: outs(2), Outsd_DX_m32: outs(4),
};
