// Stack handlers: push/pop (register, r/m, immediates), pusha/popa, enter (with nesting levels), leave.
// Every stack access happens before RSP/RBP or any destination register is committed (precise faults).

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI } from '../state';
import { TWO32 } from '../../common/bits';

// ---- push ----
const pushR16: Handler = (c, i) => c.push(16, c.regs[i.reg << 1]);
const pushR32: Handler = (c, i) => c.push(32, c.regs[i.reg << 1]);
const pushR64: Handler = (c, i) => { const k = i.reg << 1; c.push(64, c.regs[k], c.regs[k + 1]); };
const pushRm16: Handler = (c, i) => c.push(16, c.readRM16(i));
const pushRm32: Handler = (c, i) => c.push(32, c.readRM32(i));
const pushRm64: Handler = (c, i) => { const lo = c.readRM64(i); c.push(64, lo, c.rhi); };
const pushImm16: Handler = (c, i) => c.push(16, i.imm);
const pushImm32: Handler = (c, i) => c.push(32, i.imm);
const pushImm64: Handler = (c, i) => c.push(64, i.imm, i.imm >> 31);

// ---- pop ----
const popR16: Handler = (c, i) => c.setReg16(i.reg, c.pop(16));
const popR32: Handler = (c, i) => c.setReg32(i.reg, c.pop(32));
const popR64: Handler = (c, i) => { const lo = c.pop(64); c.setReg64(i.reg, lo, c.rhi); };
/** pop r/m: the destination address is computed after RSP is incremented (SDM); a faulting store restores RSP. */
function popRm(size: number): Handler {
  return (c, i) => {
    const k = RSP << 1, oldLo = c.regs[k], oldHi = c.regs[k + 1];
    const v = c.pop(size), hi = c.rhi;
    if (!i.isMem) { c.setReg(size, i.rm, v, hi); return; }
    try {
      c.writeRM(i, size, v, hi);
    } catch (e) {
      c.regs[k] = oldLo; c.regs[k + 1] = oldHi;
      throw e;
    }
  };
}

// ---- pusha / popa (not in 64-bit mode; the decoder raises #UD there) ----
const PUSHA_ORDER = [RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI];
function pusha(size: number): Handler {
  return (c) => {
    const n = size >> 3;
    const lins: number[] = [];
    // Segment checks for all eight slots first, then the stores, then RSP.
    for (let k = 0; k < 8; k++) lins.push(c.stackLinear(c.spPlus(-(k + 1) * n), n, true));
    for (let k = 0; k < 8; k++) c.writeLin(lins[k], size, c.regs[PUSHA_ORDER[k] << 1]);
    c.setSP(c.spPlus(-8 * n));
  };
}
function popa(size: number): Handler {
  return (c) => {
    const n = size >> 3;
    const vals = new Array<number>(8);
    for (let k = 0; k < 8; k++) vals[k] = c.readLin(c.stackLinear(c.spPlus(k * n), n, false), size);
    const sp = c.spPlus(8 * n);
    for (let k = 0; k < 8; k++) {
      const r = PUSHA_ORDER[7 - k];
      if (r === RSP) continue; // the saved (e)sp is skipped
      c.setReg(size, r, vals[k]);
    }
    c.setSP(sp);
  };
}

// ---- enter / leave ----
function wrapStack(c: Cpu, v: number): number {
  return c.stackSize === 64 ? v : c.stackSize === 32 ? v >>> 0 : v & 0xffff;
}
/** rBP at the stack address size as an offset number. */
function frameBase(c: Cpu): number {
  const k = RBP << 1;
  if (c.stackSize === 64) return c.regs[k + 1] * TWO32 + (c.regs[k] >>> 0);
  return c.stackSize === 32 ? c.regs[k] >>> 0 : c.regs[k] & 0xffff;
}

function enter(size: number): Handler {
  return (c: Cpu, i: Insn) => {
    const n = size >> 3;
    const alloc = i.imm & 0xffff, level = i.imm2 & 31;
    const kb = RBP << 1;
    let sp = wrapStack(c, c.getSP() - n);
    c.writeLin(c.stackLinear(sp, n, true), size, c.regs[kb], c.regs[kb + 1]);
    const frameTemp = sp;
    if (level > 0) {
      let bp = frameBase(c);
      for (let l = 1; l < level; l++) {
        bp = wrapStack(c, bp - n);
        const v = c.readLin(c.stackLinear(bp, n, false), size), vHi = c.rhi;
        sp = wrapStack(c, sp - n);
        c.writeLin(c.stackLinear(sp, n, true), size, v, vHi);
      }
      sp = wrapStack(c, sp - n);
      c.writeLin(c.stackLinear(sp, n, true), size, frameTemp | 0, Math.floor(frameTemp / TWO32) | 0);
    }
    sp = wrapStack(c, sp - alloc);
    c.setReg(size, RBP, frameTemp | 0, Math.floor(frameTemp / TWO32) | 0);
    c.setSP(sp);
  };
}
function leave(size: number): Handler {
  return (c: Cpu) => {
    const n = size >> 3;
    const bp = frameBase(c);
    const v = c.readLin(c.stackLinear(bp, n, false), size), vHi = c.rhi;
    c.setSP(wrapStack(c, bp + n));
    c.setReg(size, RBP, v, vHi);
  };
}

export const stackHandlers: Record<string, Handler> = {
  Push_r16: pushR16, Push_r32: pushR32, Push_r64: pushR64,
  Push_rm16: pushRm16, Push_rm32: pushRm32, Push_rm64: pushRm64,
  Push_imm16: pushImm16, Pushw_imm8: pushImm16, Pushd_imm32: pushImm32, Pushd_imm8: pushImm32,
  Pushq_imm32: pushImm64, Pushq_imm8: pushImm64,
  Pop_r16: popR16, Pop_r32: popR32, Pop_r64: popR64,
  Pop_rm16: popRm(16), Pop_rm32: popRm(32), Pop_rm64: popRm(64),
  Pushaw: pusha(16), Pushad: pusha(32), Popaw: popa(16), Popad: popa(32),
  Enterw_imm16_imm8: enter(16), Enterd_imm16_imm8: enter(32), Enterq_imm16_imm8: enter(64),
  Leavew: leave(16), Leaved: leave(32), Leaveq: leave(64),
};
