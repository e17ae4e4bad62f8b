// x87 control and state instructions: finit/fninit, fstcw/fldcw, fstsw (m16, AX), fclex, fwait, fnop, emms,
// fstenv/fldenv and fsave/frstor (protected-mode 16/32-bit layouts); fxsave/fxrstor live in fxsave.ts.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { fpuCheck, mmxCheck, readBytes, writeBytes } from './sse-common';
import {
  fpuPointers, fpuReset, fwaitCheck, checkPendingMF, fpuSyncSummary, fullTagWord, abridgeTagWord, getSt, setSt,
} from './x87-state';
import { fxsaveHandlers } from './fxsave';

/** Non-waiting forms check only EM/TS; the waiting (F...) forms run the fwait checks first. */
function waiting(h: Handler): Handler {
  return (cpu, i) => { fwaitCheck(cpu); h(cpu, i); };
}

const fninit: Handler = (cpu) => { fpuCheck(cpu); fpuReset(cpu); };
const fnstcw: Handler = (cpu, i) => { fpuCheck(cpu); cpu.writeLin16(cpu.linear(i, 2, true), cpu.fcw); };
const fldcw: Handler = (cpu, i) => {
  fpuCheck(cpu);
  checkPendingMF(cpu);
  cpu.fcw = cpu.readLin16(cpu.linear(i, 2, false));
  fpuSyncSummary(cpu);
};
const fnstswM: Handler = (cpu, i) => { fpuCheck(cpu); cpu.writeLin16(cpu.linear(i, 2, true), cpu.fsw); };
const fnstswAX: Handler = (cpu) => { fpuCheck(cpu); cpu.setReg16(0, cpu.fsw); };
/** fnclex: clears the exception flags, SF, ES and B. */
const fnclex: Handler = (cpu) => { fpuCheck(cpu); cpu.fsw &= 0x7f00; };
const fwait: Handler = (cpu) => { fwaitCheck(cpu); };
const fnop: Handler = (cpu) => { fpuCheck(cpu); checkPendingMF(cpu); };
/** emms: all tags empty (MMX-class checks: EM -> #UD, TS -> #NM, then a pending x87 exception -> #MF). */
const emms: Handler = (cpu) => { mmxCheck(cpu); checkPendingMF(cpu); cpu.ftw = 0; };

// ---- fstenv/fldenv, fsave/frstor: protected-mode layouts. 32-bit: 7 dwords; 16-bit: 7 words. ----
const buf = new Uint8Array(108);
const view = new DataView(buf.buffer);

/** Store the environment into buf; returns its size (28 or 14). Upper halves of the 32-bit format read 0xffff. */
function buildEnv(cpu: Cpu, wide: boolean): number {
  const p = fpuPointers(cpu), tag = fullTagWord(cpu);
  if (wide) {
    view.setUint32(0, 0xffff0000 | cpu.fcw, true);
    view.setUint32(4, 0xffff0000 | cpu.fsw, true);
    view.setUint32(8, 0xffff0000 | tag, true);
    view.setInt32(12, p.fipLo, true);
    view.setUint32(16, (p.fcs & 0xffff) | ((cpu.fop & 0x7ff) << 16), true);
    view.setInt32(20, p.fdpLo, true);
    view.setUint32(24, 0xffff0000 | (p.fds & 0xffff), true);
    return 28;
  }
  view.setUint16(0, cpu.fcw, true); view.setUint16(2, cpu.fsw, true); view.setUint16(4, tag, true);
  view.setUint16(6, p.fipLo & 0xffff, true); view.setUint16(8, p.fcs, true);
  view.setUint16(10, p.fdpLo & 0xffff, true); view.setUint16(12, p.fds, true);
  return 14;
}
/** Load the environment from buf (the register stack, if any, follows). */
function loadEnv(cpu: Cpu, wide: boolean): void {
  const p = fpuPointers(cpu);
  if (wide) {
    cpu.fcw = view.getUint16(0, true); cpu.fsw = view.getUint16(4, true);
    cpu.ftw = abridgeTagWord(view.getUint16(8, true));
    p.fipLo = view.getInt32(12, true); p.fcs = view.getUint16(16, true);
    cpu.fop = view.getUint16(18, true) & 0x7ff;
    p.fdpLo = view.getInt32(20, true); p.fds = view.getUint16(24, true);
  } else {
    cpu.fcw = view.getUint16(0, true); cpu.fsw = view.getUint16(2, true);
    cpu.ftw = abridgeTagWord(view.getUint16(4, true));
    p.fipLo = view.getUint16(6, true); p.fcs = view.getUint16(8, true);
    p.fdpLo = view.getUint16(10, true); p.fds = view.getUint16(12, true);
  }
  p.fipHi = 0; p.fdpHi = 0;
  fpuSyncSummary(cpu);
}

function isWide(i: Insn): boolean { return i.code.endsWith('m28byte') || i.code.endsWith('m108byte'); }

/** fnstenv: store the environment, then mask all exceptions. */
const fnstenv: Handler = (cpu, i) => {
  fpuCheck(cpu);
  const wide = isWide(i), n = buildEnv(cpu, wide);
  writeBytes(cpu, cpu.linear(i, n, true), buf, n);
  cpu.fcw |= 0x3f;
};
const fldenv: Handler = (cpu, i) => {
  fpuCheck(cpu);
  const wide = isWide(i), n = wide ? 28 : 14;
  readBytes(cpu, cpu.linear(i, n, false), buf, n);
  loadEnv(cpu, wide);
};
/** fnsave: environment + ST0..ST7 (10 bytes each), then the fninit state. */
const fnsave: Handler = (cpu, i) => {
  fpuCheck(cpu);
  const wide = isWide(i), n = buildEnv(cpu, wide);
  for (let st = 0; st < 8; st++) getSt(cpu, st, buf, n + 10 * st);
  writeBytes(cpu, cpu.linear(i, n + 80, true), buf, n + 80);
  fpuReset(cpu);
};
const frstor: Handler = (cpu, i) => {
  fpuCheck(cpu);
  const wide = isWide(i), n = wide ? 28 : 14;
  readBytes(cpu, cpu.linear(i, n + 80, false), buf, n + 80);
  loadEnv(cpu, wide);
  for (let st = 0; st < 8; st++) setSt(cpu, st, buf, n + 10 * st);
};

export const x87Handlers: Record<string, Handler> = {
  Fninit: fninit, Finit: waiting(fninit),
  Fnstcw_m2byte: fnstcw, Fstcw_m2byte: waiting(fnstcw), Fldcw_m2byte: fldcw,
  Fnstsw_m2byte: fnstswM, Fstsw_m2byte: waiting(fnstswM), Fnstsw_AX: fnstswAX, Fstsw_AX: waiting(fnstswAX),
  Fnclex: fnclex, Fclex: waiting(fnclex),
  Wait: fwait, Fnop: fnop, Emms: emms,
  Fnstenv_m14byte: fnstenv, Fnstenv_m28byte: fnstenv, Fstenv_m14byte: waiting(fnstenv), Fstenv_m28byte: waiting(fnstenv),
  Fldenv_m14byte: fldenv, Fldenv_m28byte: fldenv,
  Fnsave_m94byte: fnsave, Fnsave_m108byte: fnsave, Fsave_m94byte: waiting(fnsave), Fsave_m108byte: waiting(fnsave),
  Frstor_m94byte: frstor, Frstor_m108byte: frstor,
  ...fxsaveHandlers,
};
