// Handlers for the segments family: MOV to/from Sreg, PUSH/POP Sreg, LDS/LES/LFS/LGS/LSS, plus the far
// transfers (farcall-*.ts), IRET and INT n (interrupts-*.ts) and LAR/LSL/VERR/VERW/ARPL (segments-query.ts).

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, UD } from '../fault';
import { CS, SS, DS, ES, FS, GS } from '../state';
import { loadSegment } from './segments-load';
import { farTransferHandlers } from './farcall-transfer';
import { farReturnHandlers } from './farcall-return';
import { iretHandlers } from './interrupts-iret';
import { intHandlers } from './interrupts-int';
import { segmentQueryHandlers } from './segments-query';

/** Interrupt shadow after MOV SS / POP SS / STI: the icount of the instruction it covers (read by event delivery). */
export function setInterruptShadow(cpu: Cpu): void { cpu.intShadowAt = cpu.icount + 1; }
/** True while the instruction following MOV SS/POP SS/STI executes (or is about to). */
export function inInterruptShadow(cpu: Cpu): boolean { return cpu.intShadowAt === cpu.icount; }

/** MOV Sreg, r/m16: CS (and invalid sreg numbers) raise #UD. */
const movToSreg: Handler = (cpu: Cpu, i: Insn) => {
  const seg = i.reg;
  if (seg === CS || seg < 0 || seg > GS) throw new CpuFault(UD);
  const sel = cpu.readRM16(i);
  loadSegment(cpu, seg, sel);
  if (seg === SS) setInterruptShadow(cpu);
};

/** MOV r/m, Sreg: memory stores 16 bits; a register destination is written at `size` (zero-extended). */
const movFromSreg = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  const seg = i.reg;
  if (seg < 0 || seg > GS) throw new CpuFault(UD);
  const v = cpu.segSel[seg];
  if (i.isMem) cpu.writeLin16(cpu.linear(i, 2, true), v);
  else if (size === 16) cpu.setReg16(i.rm, v);
  else if (size === 32) cpu.setReg32(i.rm, v);
  else cpu.setReg64(i.rm, v, 0);
};

/** PUSH Sreg: the selector zero-extended to the operand size. */
const pushSreg = (seg: number, size: number): Handler => (cpu: Cpu) => { cpu.push(size, cpu.segSel[seg]); };

/** POP Sreg: load first (all checks), then release the stack slot. */
const popSreg = (seg: number, size: number): Handler => (cpu: Cpu) => {
  const bytes = size >> 3;
  const v = cpu.readLin(cpu.stackLinear(cpu.getSP(), bytes, false), size) & 0xffff;
  loadSegment(cpu, seg, v);
  cpu.setSP(cpu.spPlus(bytes));
  if (seg === SS) setInterruptShadow(cpu);
};

/** LDS/LES/LFS/LGS/LSS r, m16:xx — offset then selector; the segment loads before the register is written. */
const loadFarPointer = (seg: number, size: number): Handler => (cpu: Cpu, i: Insn) => {
  if (!i.isMem) throw new CpuFault(UD);
  const bytes = size >> 3;
  const lin = cpu.linear(i, bytes + 2, false);
  let lo: number, hi = 0;
  if (size === 64) { lo = cpu.readLin64(lin); hi = cpu.rhi; } else lo = cpu.readLin(lin, size);
  const sel = cpu.readLin16(cpu.mode === 64 ? lin + bytes : (lin + bytes) >>> 0);
  loadSegment(cpu, seg, sel);
  cpu.setReg(size, i.reg, lo, hi);
  if (seg === SS) setInterruptShadow(cpu);
};

const SEG_CODE_NAMES: [number, string][] = [[ES, 'ES'], [CS, 'CS'], [SS, 'SS'], [DS, 'DS'], [FS, 'FS'], [GS, 'GS']];

function buildSegmentHandlers(): Record<string, Handler> {
  const h: Record<string, Handler> = {
    Mov_Sreg_rm16: movToSreg, Mov_Sreg_r32m16: movToSreg, Mov_Sreg_r64m16: movToSreg,
    Mov_rm16_Sreg: movFromSreg(16), Mov_r32m16_Sreg: movFromSreg(32), Mov_r64m16_Sreg: movFromSreg(64),
    Popw_CS: () => { throw new CpuFault(UD); },
  };
  for (const [seg, name] of SEG_CODE_NAMES) {
    h[`Pushw_${name}`] = pushSreg(seg, 16);
    h[`Pushd_${name}`] = pushSreg(seg, 32);
    if (seg >= FS) h[`Pushq_${name}`] = pushSreg(seg, 64);
    if (seg === CS) continue;
    h[`Popw_${name}`] = popSreg(seg, 16);
    h[`Popd_${name}`] = popSreg(seg, 32);
    if (seg >= FS) h[`Popq_${name}`] = popSreg(seg, 64);
  }
  for (const [seg, name] of [[DS, 'Lds'], [ES, 'Les'], [SS, 'Lss'], [FS, 'Lfs'], [GS, 'Lgs']] as [number, string][]) {
    h[`${name}_r16_m1616`] = loadFarPointer(seg, 16);
    h[`${name}_r32_m1632`] = loadFarPointer(seg, 32);
    if (seg === SS || seg >= FS) h[`${name}_r64_m1664`] = loadFarPointer(seg, 64);
  }
  return Object.assign(h, farTransferHandlers, farReturnHandlers, iretHandlers, intHandlers, segmentQueryHandlers);
}

export const segmentHandlers: Record<string, Handler> = buildSegmentHandlers();
