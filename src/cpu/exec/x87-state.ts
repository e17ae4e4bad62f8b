// x87 state helpers shared by x87.ts and fxsave.ts: the last-instruction/operand pointers (Cpu fields),
// TOP, tag-word conversions, and the pending-exception (#MF) and wait checks.

import type { Cpu } from '../cpu';
import { CpuFault, NM, MF } from '../fault';
import { CR0_MP, CR0_TS, CR0_NE } from './sse-common';

/** FPU instruction/data pointers: 64-bit offsets as halves plus the 16-bit selectors of the 32-bit layouts. */
export interface FpuPointers { fipLo: number; fipHi: number; fcs: number; fdpLo: number; fdpHi: number; fds: number; }

/** The FPU pointer registers of `cpu` (fields of the Cpu itself). */
export function fpuPointers(cpu: Cpu): FpuPointers { return cpu; }

/** FSW bits. */
export const FSW_ES = 1 << 7, FSW_SF = 1 << 6, FSW_B = 1 << 15, FSW_TOP_SHIFT = 11;
/** FCW/FSW exception bits IE DE ZE OE UE PE. */
export const FPU_EXC = 0x3f;

export function fpuTop(cpu: Cpu): number { return (cpu.fsw >>> FSW_TOP_SHIFT) & 7; }

/** Unmasked exception flags are set: the next waiting x87 instruction reports #MF. */
export function fpuPending(cpu: Cpu): boolean { return (cpu.fsw & ~cpu.fcw & FPU_EXC) !== 0; }
/** Recompute FSW.ES and FSW.B from the flags and the masks (after FCW or FSW loads). */
export function fpuSyncSummary(cpu: Cpu): void {
  cpu.fsw = fpuPending(cpu) ? (cpu.fsw | FSW_ES | FSW_B) & 0xffff : cpu.fsw & ~(FSW_ES | FSW_B) & 0xffff;
}
/** Report a pending x87 exception: #MF when CR0.NE=1 (the legacy FERR# path of NE=0 is not modelled). */
export function checkPendingMF(cpu: Cpu): void {
  if ((cpu.cr0 & CR0_NE) !== 0 && fpuPending(cpu)) throw new CpuFault(MF);
}
/** fwait / the wait half of finit, fstcw, fstsw, fsave, fstenv: #NM when MP and TS are both set, then #MF. */
export function fwaitCheck(cpu: Cpu): void {
  if ((cpu.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) throw new CpuFault(NM);
  checkPendingMF(cpu);
}

/** FNINIT state: FCW=037F, FSW=0, all tags empty, FOP and the pointers cleared; registers keep their contents. */
export function fpuReset(cpu: Cpu): void {
  cpu.fcw = 0x037f; cpu.fsw = 0; cpu.ftw = 0; cpu.fop = 0;
  const p = fpuPointers(cpu);
  p.fipLo = 0; p.fipHi = 0; p.fcs = 0; p.fdpLo = 0; p.fdpHi = 0; p.fds = 0;
}

/** Tag of physical register r from its contents: 0 valid, 1 zero, 2 special (NaN, inf, denormal, unnormal). */
function classify(cpu: Cpu, r: number): number {
  const b = cpu.fpuRegs, o = r * 10;
  const exp = (b[o + 8] | (b[o + 9] << 8)) & 0x7fff;
  let mantZero = true;
  for (let k = 0; k < 8; k++) if (b[o + k] !== 0) { mantZero = false; break; }
  if (exp === 0x7fff) return 2;
  if (exp === 0) return mantZero ? 1 : 2;
  return (b[o + 7] & 0x80) !== 0 ? 0 : 2;
}
/** Full 16-bit tag word (fnsave/fnstenv) from the abridged tags and the register contents. */
export function fullTagWord(cpu: Cpu): number {
  let t = 0;
  for (let r = 0; r < 8; r++) t |= ((cpu.ftw >>> r) & 1 ? classify(cpu, r) : 3) << (2 * r);
  return t;
}
/** Abridged tags (1 = non-empty) from a full tag word. */
export function abridgeTagWord(full: number): number {
  let a = 0;
  for (let r = 0; r < 8; r++) if (((full >>> (2 * r)) & 3) !== 3) a |= 1 << r;
  return a;
}

/** Copy ST(i) (physical register (TOP+i) mod 8) to/from 10 bytes of `buf` at `off`. */
export function getSt(cpu: Cpu, i: number, buf: Uint8Array, off: number): void {
  const o = ((fpuTop(cpu) + i) & 7) * 10;
  for (let k = 0; k < 10; k++) buf[off + k] = cpu.fpuRegs[o + k];
}
export function setSt(cpu: Cpu, i: number, buf: Uint8Array, off: number): void {
  const o = ((fpuTop(cpu) + i) & 7) * 10;
  for (let k = 0; k < 10; k++) cpu.fpuRegs[o + k] = buf[off + k];
}
