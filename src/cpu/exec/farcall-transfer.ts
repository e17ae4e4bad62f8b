// Far JMP and far CALL (SDM JMP/CALL operation, Vol 3 5.8): direct to code segments, through call gates
// (16/32-bit legacy, 64-bit IA-32e), with the TSS stack switch and parameter copy for inner-level calls.
// Task gates and TSS targets (task switches) are not supported: they raise #GP(selector).

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP, TS, UD, SS as SS_FAULT } from '../fault';
import { CS, SS, RSP, TR } from '../state';
import { CR0_PE } from '../mmu/paging';
import { readDescriptor, readDescriptor16 } from '../mmu/descriptor-tables';
import { TWO32 } from '../../common/bits';
import {
  D_P, D_S, D_WRITABLE_READABLE, dplOfHi, isCodeHi, isDataHi, isConformingCodeHi, isLongAndDefault32, isLongMode,
  gpSel, npSel, ssSel, fetchDescriptor, checkTargetRip, touchAccessed, commitCs, commitSs, stackDescLinear, D_L, D_DB,
} from './segments-load';

const desc = new Int32Array(4);
const gate = new Int32Array(4);
const ssDesc = new Int32Array(4);

/** Scratch for frames written to a not-yet-loaded stack: linear address, size, value halves. */
const fLin = new Float64Array(40), fSize = new Int32Array(40), fLo = new Int32Array(40), fHi = new Int32Array(40);

const ripLo = (r: number): number => r | 0;
const ripHi = (r: number): number => Math.floor(r / TWO32) | 0;

/** Real-address mode far transfer: CS base = sel * 16. */
function realModeFar(cpu: Cpu, sel: number, off: number, opsize: number, isCall: boolean): void {
  if (isCall) pushReturn(cpu, opsize);
  cpu.setSegment(CS, sel, sel * 16, cpu.segLimit[CS], cpu.segAttr[CS], true);
  cpu.rip = opsize === 16 ? off & 0xffff : off >>> 0;
}

/** Push CS and the return RIP at `size` bits on the current stack; RSP is restored if the second push faults. */
function pushReturn(cpu: Cpu, size: number): void {
  const k = RSP << 1, sLo = cpu.regs[k], sHi = cpu.regs[k + 1];
  try {
    cpu.push(size, cpu.segSel[CS]);
    const r = cpu.rip;
    cpu.push(size, ripLo(r), ripHi(r));
  } catch (e) {
    cpu.regs[k] = sLo; cpu.regs[k + 1] = sHi;
    throw e;
  }
}

/**
 * Far JMP/CALL to selector:offset. opsize 16/32/64 is the operand size (offset width, and the push
 * size of a direct far call); offHi is the upper half of a 64-bit offset.
 */
export function farTransfer(cpu: Cpu, selector: number, offLo: number, offHi: number, opsize: number, isCall: boolean): void {
  const sel = selector & 0xffff;
  if (opsize === 16) { offLo &= 0xffff; offHi = 0; } else if (opsize === 32) offHi = 0;
  if (!(cpu.cr0 & CR0_PE)) { realModeFar(cpu, sel, offLo, opsize, isCall); return; }
  if ((sel & 0xfffc) === 0) throw new CpuFault(GP, 0);
  fetchDescriptor(cpu, sel, desc);
  const lo = desc[0], hi = desc[1];
  const cpl = cpu.cpl, rpl = sel & 3, dpl = dplOfHi(hi);
  if (hi & D_S) {
    if (!isCodeHi(hi)) throw gpSel(sel);
    if (isConformingCodeHi(hi)) { if (dpl > cpl) throw gpSel(sel); }
    else if (rpl > cpl || dpl !== cpl) throw gpSel(sel);
    if (isLongMode(cpu) && isLongAndDefault32(hi)) throw gpSel(sel);
    if (!(hi & D_P)) throw npSel(sel);
    const rip = checkTargetRip(cpu, lo, hi, offLo, offHi);
    const h = touchAccessed(cpu, sel, hi);
    if (isCall) pushReturn(cpu, opsize);
    commitCs(cpu, sel, lo, h, cpl);
    cpu.rip = rip;
    return;
  }
  const type = (hi >>> 8) & 0xf;
  const long = isLongMode(cpu);
  if (long ? type !== 0xc : type !== 0xc && type !== 0x4) throw gpSel(sel); // task gates, TSSs: no task switches
  callGate(cpu, sel, isCall);
}

/** Far transfer through the call gate `sel` (SDM CALL "CALL-GATE"; JMP through call gate). */
function callGate(cpu: Cpu, sel: number, isCall: boolean): void {
  const long = isLongMode(cpu);
  let gLo: number, gHi: number, gOffHi = 0;
  if (long) {
    if (!readDescriptor16(cpu, sel, gate)) throw gpSel(sel);
    if (((gate[3] >>> 8) & 0x1f) !== 0) throw gpSel(sel);
    gLo = gate[0]; gHi = gate[1]; gOffHi = gate[2];
  } else {
    fetchDescriptor(cpu, sel, gate);
    gLo = gate[0]; gHi = gate[1];
  }
  const cpl = cpu.cpl, gateDpl = dplOfHi(gHi);
  if (gateDpl < cpl || gateDpl < (sel & 3)) throw gpSel(sel);
  if (!(gHi & D_P)) throw npSel(sel);
  const gateSize = long ? 64 : ((gHi >>> 8) & 0xf) === 0x4 ? 16 : 32;
  const codeSel = (gLo >>> 16) & 0xffff;
  if ((codeSel & 0xfffc) === 0) throw new CpuFault(GP, 0);
  fetchDescriptor(cpu, codeSel, desc);
  const lo = desc[0], hi = desc[1], dpl = dplOfHi(hi);
  if (!isCodeHi(hi)) throw gpSel(codeSel);
  if (isCall) { if (dpl > cpl) throw gpSel(codeSel); }
  else if (isConformingCodeHi(hi) ? dpl > cpl : dpl !== cpl) throw gpSel(codeSel);
  if (long && (!(hi & D_L) || (hi & D_DB))) throw gpSel(codeSel);
  if (!(hi & D_P)) throw npSel(codeSel);
  const offLo = gateSize === 16 ? gLo & 0xffff : ((gHi & 0xffff0000) | (gLo & 0xffff)) >>> 0;
  if (isCall && !isConformingCodeHi(hi) && dpl < cpl) {
    callInner(cpu, codeSel, lo, hi, dpl, offLo, gOffHi, gateSize, gHi & 0x1f);
    return;
  }
  const rip = checkTargetRip(cpu, lo, hi, offLo, gOffHi);
  const h = touchAccessed(cpu, codeSel, hi);
  if (isCall) pushReturn(cpu, gateSize);
  commitCs(cpu, codeSel, lo, h, cpl);
  cpu.rip = rip;
}

/** Read the inner stack pointer for privilege `dpl` from the current TSS: [ss, spLo, spHi]. */
function tssStack(cpu: Cpu, dpl: number, long: boolean): [number, number, number] {
  const trSel = cpu.segSel[TR];
  if (!cpu.segValid[TR]) throw new CpuFault(TS, trSel & 0xfffc);
  const base = cpu.segBase[TR], limit = cpu.segLimit[TR], tss32 = (cpu.segAttr[TR] & 8) !== 0;
  const lin = (o: number): number => (long ? base + o : (base + o) >>> 0);
  if (long) {
    const off = 4 + 8 * dpl;
    if (off + 7 > limit) throw new CpuFault(TS, trSel & 0xfffc);
    return [dpl, cpu.readSys32(lin(off)), cpu.readSys32(lin(off + 4))];
  }
  if (tss32) {
    const off = 4 + 8 * dpl;
    if (off + 5 > limit) throw new CpuFault(TS, trSel & 0xfffc);
    return [cpu.readSys32(lin(off + 4)) & 0xffff, cpu.readSys32(lin(off)), 0];
  }
  const off = 2 + 4 * dpl;
  if (off + 3 > limit) throw new CpuFault(TS, trSel & 0xfffc);
  const v = cpu.readSys32(lin(off));
  return [(v >>> 16) & 0xffff, v & 0xffff, 0];
}

/** CALL through a gate to a more privileged non-conforming segment: stack switch from the TSS. */
function callInner(cpu: Cpu, codeSel: number, lo: number, hi: number, dpl: number, offLo: number, offHi: number,
  gateSize: number, paramCount: number): void {
  const long = isLongMode(cpu);
  const [newSs, spLo, spHi] = tssStack(cpu, dpl, long);
  const oldSs = cpu.segSel[SS], oldCs = cpu.segSel[CS], oldRip = cpu.rip;
  const k = RSP << 1, oldSpLo = cpu.regs[k], oldSpHi = cpu.regs[k + 1];
  const item = gateSize >> 3;
  let n = 0;
  let ssLo = 0, ssHi = 0, newSp: number;
  if (long) {
    // IA-32e: SS becomes a null selector with RPL = new CPL; no parameters; 8-byte pushes.
    let sp = spHi * TWO32 + (spLo >>> 0);
    const vals: number[][] = [[oldSs, 0], [oldSpLo, cpu.mode === 64 ? oldSpHi : 0], [oldCs, 0], [ripLo(oldRip), ripHi(oldRip)]];
    for (const [vlo, vhi] of vals) {
      sp -= 8;
      if (sp < -0x800000000000 || sp >= 0x800000000000) throw new CpuFault(SS_FAULT, 0);
      fLin[n] = sp; fSize[n] = 64; fLo[n] = vlo; fHi[n] = vhi; n++;
    }
    newSp = sp;
  } else {
    if ((newSs & 0xfffc) === 0) throw new CpuFault(TS, 0);
    if (!readDescriptor(cpu, newSs, ssDesc)) throw new CpuFault(TS, newSs & 0xfffc);
    ssLo = ssDesc[0]; ssHi = ssDesc[1];
    if ((newSs & 3) !== dpl || dplOfHi(ssHi) !== dpl || !isDataHi(ssHi) || !(ssHi & D_WRITABLE_READABLE)) throw new CpuFault(TS, newSs & 0xfffc);
    if (!(ssHi & D_P)) throw ssSel(newSs);
    const big = (ssHi & D_DB) !== 0;
    const wrap = (v: number): number => (big ? v >>> 0 : v & 0xffff);
    // Parameters from the caller's stack (read at the caller's privilege), deepest first.
    const params: number[] = [];
    for (let p = paramCount - 1; p >= 0; p--) {
      params.push(cpu.readLin(cpu.stackLinear(cpu.spPlus(p * item), item, false), gateSize));
    }
    const vals = [oldSs, cpu.stackSize === 16 ? oldSpLo & 0xffff : oldSpLo, ...params, oldCs, ripLo(oldRip)];
    let sp = big ? spLo >>> 0 : spLo & 0xffff;
    for (const v of vals) {
      sp = wrap(sp - item);
      fLin[n] = stackDescLinear(ssLo, ssHi, sp, item, newSs); fSize[n] = gateSize; fLo[n] = v; fHi[n] = 0; n++;
    }
    newSp = big ? sp : ((spLo & ~0xffff) | sp) >>> 0;
  }
  const rip = checkTargetRip(cpu, lo, hi, offLo, offHi);
  const h = touchAccessed(cpu, codeSel, hi);
  const sh = long ? 0 : touchAccessed(cpu, newSs, ssHi);
  const oldCpl = cpu.cpl;
  cpu.setCpl(dpl);
  try {
    for (let j = 0; j < n; j++) cpu.writeLin(fLin[j], fSize[j], fLo[j], fHi[j]);
  } catch (e) {
    cpu.setCpl(oldCpl);
    throw e;
  }
  commitSs(cpu, newSs, ssLo, sh, long, dpl);
  commitCs(cpu, codeSel, lo, h, dpl);
  cpu.regs[k] = newSp | 0;
  cpu.regs[k + 1] = long ? Math.floor(newSp / TWO32) | 0 : 0;
  cpu.rip = rip;
}

// ---- handlers ----

/** ptr16:16 / ptr16:32 operand: imm = offset, imm2 = selector. */
const direct = (opsize: number, isCall: boolean): Handler => (cpu: Cpu, i: Insn) => {
  farTransfer(cpu, i.imm2, i.imm, 0, opsize, isCall);
};

/** m16:16 / m16:32 / m16:64 operand: offset first, selector after it. */
const indirect = (opsize: number, isCall: boolean): Handler => (cpu: Cpu, i: Insn) => {
  if (!i.isMem) throw new CpuFault(UD);
  const bytes = opsize >> 3;
  const lin = cpu.linear(i, bytes + 2, false);
  let offLo: number, offHi = 0;
  if (opsize === 64) { offLo = cpu.readLin64(lin); offHi = cpu.rhi; }
  else offLo = opsize === 32 ? cpu.readLin32(lin) : cpu.readLin16(lin);
  const sel = cpu.readLin16(cpu.mode === 64 ? lin + bytes : (lin + bytes) >>> 0);
  farTransfer(cpu, sel, offLo, offHi, opsize, isCall);
};

export const farTransferHandlers: Record<string, Handler> = {
  Jmp_ptr1616: direct(16, false), Jmp_ptr1632: direct(32, false),
  Call_ptr1616: direct(16, true), Call_ptr1632: direct(32, true),
  Jmp_m1616: indirect(16, false), Jmp_m1632: indirect(32, false), Jmp_m1664: indirect(64, false),
  Call_m1616: indirect(16, true), Call_m1632: indirect(32, true), Call_m1664: indirect(64, true),
};
