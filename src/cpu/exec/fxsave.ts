// FXSAVE/FXRSTOR (legacy 32-bit and REX.W 64-bit 512-byte layouts, SDM Vol 1 Tables 10-2 and 10-3) and
// LDMXCSR/STMXCSR: the whole x87 + SSE state round-trips through memory byte-exactly.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import { sseCheck, fpuCheck, memLinear, readBytes, writeBytes, MXCSR_MASK } from './sse-common';
import { fpuPointers, getSt, setSt, fpuSyncSummary } from './x87-state';

/** Byte offsets in the FXSAVE area. */
export const FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FCS = 12, FX_FDP = 16, FX_FDS = 20;
export const FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_ST0 = 32, FX_XMM0 = 160, FX_SIZE = 512;

const img = new Uint8Array(FX_SIZE);
const view = new DataView(img.buffer);

/** Bytes written by fxsave: the header, the 8 ST slots and the XMM registers of the mode (8, or 16 in 64-bit mode). */
function savedLength(cpu: Cpu): number { return FX_XMM0 + 16 * (cpu.mode === 64 ? 16 : 8); }

/** Fill `img` with the current state in the 32-bit (rexW false) or 64-bit (rexW true) layout. */
export function buildFxImage(cpu: Cpu, rexW: boolean): number {
  const n = savedLength(cpu);
  img.fill(0, 0, n);
  view.setUint16(FX_FCW, cpu.fcw, true);
  view.setUint16(FX_FSW, cpu.fsw, true);
  img[FX_FTW] = cpu.ftw & 0xff;
  view.setUint16(FX_FOP, cpu.fop & 0x7ff, true);
  const p = fpuPointers(cpu);
  view.setInt32(FX_FIP, p.fipLo, true);
  view.setInt32(FX_FDP, p.fdpLo, true);
  if (rexW) {
    view.setInt32(FX_FIP + 4, p.fipHi, true);
    view.setInt32(FX_FDP + 4, p.fdpHi, true);
  } else {
    view.setUint16(FX_FCS, p.fcs, true);
    view.setUint16(FX_FDS, p.fds, true);
  }
  view.setInt32(FX_MXCSR, cpu.mxcsr, true);
  view.setInt32(FX_MXCSR_MASK, MXCSR_MASK, true);
  for (let st = 0; st < 8; st++) getSt(cpu, st, img, FX_ST0 + 16 * st);
  const nx = (n - FX_XMM0) >> 2;
  for (let k = 0; k < nx; k++) view.setInt32(FX_XMM0 + 4 * k, cpu.xmm[k], true);
  return n;
}

/** Load the state from `img` (already read from memory and checked). */
function loadFxImage(cpu: Cpu, rexW: boolean): void {
  cpu.fcw = view.getUint16(FX_FCW, true);
  cpu.fsw = view.getUint16(FX_FSW, true);
  cpu.ftw = img[FX_FTW];
  cpu.fop = view.getUint16(FX_FOP, true) & 0x7ff;
  const p = fpuPointers(cpu);
  p.fipLo = view.getInt32(FX_FIP, true);
  p.fdpLo = view.getInt32(FX_FDP, true);
  if (rexW) {
    p.fipHi = view.getInt32(FX_FIP + 4, true); p.fdpHi = view.getInt32(FX_FDP + 4, true);
    p.fcs = 0; p.fds = 0;
  } else {
    p.fipHi = 0; p.fdpHi = 0;
    p.fcs = view.getUint16(FX_FCS, true); p.fds = view.getUint16(FX_FDS, true);
  }
  cpu.mxcsr = view.getInt32(FX_MXCSR, true);
  // ST slots are in stack order, so TOP (just loaded with FSW) picks the physical registers.
  for (let st = 0; st < 8; st++) setSt(cpu, st, img, FX_ST0 + 16 * st);
  const nx = (savedLength(cpu) - FX_XMM0) >> 2;
  for (let k = 0; k < nx; k++) cpu.xmm[k] = view.getInt32(FX_XMM0 + 4 * k, true);
  fpuSyncSummary(cpu);
}

/** fxsave m512: #NM when CR0.EM or CR0.TS, #GP(0) unless 16-byte aligned; bytes 288/416..511 are left untouched. */
function fxsave(rexW: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    fpuCheck(cpu);
    const lin = memLinear(cpu, i, FX_SIZE, true, 16);
    const n = buildFxImage(cpu, rexW);
    writeBytes(cpu, lin, img, n);
  };
}
/** fxrstor m512: as fxsave, plus #GP(0) when the image's MXCSR sets bits outside MXCSR_MASK (nothing is loaded then). */
function fxrstor(rexW: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    fpuCheck(cpu);
    const lin = memLinear(cpu, i, FX_SIZE, false, 16);
    readBytes(cpu, lin, img, savedLength(cpu));
    if ((view.getInt32(FX_MXCSR, true) & ~MXCSR_MASK) !== 0) throw new CpuFault(GP, 0);
    loadFxImage(cpu, rexW);
  };
}

const ldmxcsr: Handler = (cpu, i) => {
  sseCheck(cpu);
  const v = cpu.readLin32(cpu.linear(i, 4, false));
  if ((v & ~MXCSR_MASK) !== 0) throw new CpuFault(GP, 0);
  cpu.mxcsr = v;
};
const stmxcsr: Handler = (cpu, i) => {
  sseCheck(cpu);
  cpu.writeLin32(cpu.linear(i, 4, true), cpu.mxcsr);
};

export const fxsaveHandlers: Record<string, Handler> = {
  Fxsave_m512byte: fxsave(false), Fxsave64_m512byte: fxsave(true),
  Fxrstor_m512byte: fxrstor(false), Fxrstor64_m512byte: fxrstor(true),
  Ldmxcsr_m32: ldmxcsr, Stmxcsr_m32: stmxcsr,
};
