// Near control transfers: jmp (relative, indirect), jcc, call (relative, indirect), ret (with imm16),
// loop/loope/loopne, jcxz/jecxz/jrcxz and bound. Targets are validated before anything is committed.

import type { Handler, Insn } from '../decoder/insn';
import type { Cpu } from '../cpu';
import { RCX } from '../state';
import { testCC, getZF } from '../flags';
import { nearTarget, target64 } from './ea';
import { TWO32 } from '../../common/bits';
import { CpuFault, BR } from '../fault';

/** Push the return address (the next instruction) at an operand size. */
function pushReturn(c: Cpu, size: number): void {
  const r = c.rip;
  if (size === 64) c.push(64, r | 0, Math.floor(r / TWO32) | 0);
  else c.push(size, r | 0);
}

// ---- jmp / call relative ----
function jmpRel(size: number): Handler {
  return (c, i) => { c.rip = nearTarget(c, c.rip + i.imm, size); };
}
function callRel(size: number): Handler {
  return (c, i) => {
    const t = nearTarget(c, c.rip + i.imm, size);
    pushReturn(c, size);
    c.rip = t;
  };
}

// ---- jmp / call indirect through r/m ----
function indirectTarget(c: Cpu, i: Insn, size: number): number {
  if (size === 64) { const lo = c.readRM64(i); return target64(lo, c.rhi); }
  return nearTarget(c, size === 32 ? c.readRM32(i) >>> 0 : c.readRM16(i), size);
}
function jmpRm(size: number): Handler {
  return (c, i) => { c.rip = indirectTarget(c, i, size); };
}
function callRm(size: number): Handler {
  return (c, i) => {
    const t = indirectTarget(c, i, size);
    pushReturn(c, size);
    c.rip = t;
  };
}

// ---- ret near: read the return address, validate, then release the stack ----
function ret(size: number, withImm: boolean): Handler {
  return (c, i) => {
    const n = size >> 3;
    const sp = c.getSP();
    const lo = c.readLin(c.stackLinear(sp, n, false), size);
    const t = size === 64 ? target64(lo, c.rhi) : nearTarget(c, size === 32 ? lo >>> 0 : lo, size);
    c.setSP(c.spPlus(n + (withImm ? i.imm & 0xffff : 0)));
    c.rip = t;
  };
}

// ---- jcc ----
function jcc(cc: number, size: number): Handler {
  return (c, i) => { if (testCC(c, cc)) c.rip = nearTarget(c, c.rip + i.imm, size); };
}

// ---- loop family and jcxz: the counter width is the address size (from the code name) ----
const LOOP = 0, LOOPE = 1, LOOPNE = 2;
function loop(kind: number, opsize: number, cwidth: number): Handler {
  return (c, i) => {
    const k = RCX << 1;
    let lo: number, hi = 0, zero: boolean;
    if (cwidth === 16) { lo = (c.regs[k] - 1) & 0xffff; zero = lo === 0; }
    else if (cwidth === 32) { lo = (c.regs[k] - 1) | 0; zero = lo === 0; }
    else {
      lo = (c.regs[k] - 1) | 0;
      hi = c.regs[k] === 0 ? (c.regs[k + 1] - 1) | 0 : c.regs[k + 1];
      zero = lo === 0 && hi === 0;
    }
    let take = !zero;
    if (take && kind === LOOPE) take = getZF(c);
    else if (take && kind === LOOPNE) take = !getZF(c);
    const t = take ? nearTarget(c, c.rip + i.imm, opsize) : 0;
    if (cwidth === 16) c.setReg16(RCX, lo);
    else if (cwidth === 32) c.setReg32(RCX, lo);
    else c.setReg64(RCX, lo, hi);
    if (take) c.rip = t;
  };
}
function jcxz(opsize: number, cwidth: number): Handler {
  return (c, i) => {
    const k = RCX << 1;
    const zero = cwidth === 16 ? (c.regs[k] & 0xffff) === 0 : cwidth === 32 ? c.regs[k] === 0 : c.regs[k] === 0 && c.regs[k + 1] === 0;
    if (zero) c.rip = nearTarget(c, c.rip + i.imm, opsize);
  };
}

// ---- bound (16/32-bit modes): #BR unless lower <= index <= upper (signed), bounds pair in memory ----
function bound(size: number): Handler {
  return (c, i) => {
    const n = size >> 3;
    const lin = c.linear(i, 2 * n, false);
    const lo = c.readLin(lin, size), hi = c.readLin(lin + n, size);
    const idx = c.getReg(size, i.reg);
    const sx = (v: number) => (size === 16 ? (v << 16) >> 16 : v | 0);
    if (sx(idx) < sx(lo) || sx(idx) > sx(hi)) throw new CpuFault(BR);
  };
}

const CC_NAMES = ['Jo', 'Jno', 'Jb', 'Jae', 'Je', 'Jne', 'Jbe', 'Ja', 'Js', 'Jns', 'Jp', 'Jnp', 'Jl', 'Jge', 'Jle', 'Jg'];

function build(): Record<string, Handler> {
  const h: Record<string, Handler> = {
    Jmp_rel8_16: jmpRel(16), Jmp_rel8_32: jmpRel(32), Jmp_rel8_64: jmpRel(64),
    Jmp_rel16: jmpRel(16), Jmp_rel32_32: jmpRel(32), Jmp_rel32_64: jmpRel(64),
    Jmp_rm16: jmpRm(16), Jmp_rm32: jmpRm(32), Jmp_rm64: jmpRm(64),
    Call_rel16: callRel(16), Call_rel32_32: callRel(32), Call_rel32_64: callRel(64),
    Call_rm16: callRm(16), Call_rm32: callRm(32), Call_rm64: callRm(64),
    Retnw: ret(16, false), Retnd: ret(32, false), Retnq: ret(64, false),
    Retnw_imm16: ret(16, true), Retnd_imm16: ret(32, true), Retnq_imm16: ret(64, true),
    Jcxz_rel8_16: jcxz(16, 16), Jcxz_rel8_32: jcxz(32, 16),
    Jecxz_rel8_16: jcxz(16, 32), Jecxz_rel8_32: jcxz(32, 32), Jecxz_rel8_64: jcxz(64, 32),
    Jrcxz_rel8_16: jcxz(16, 64), Jrcxz_rel8_64: jcxz(64, 64),
    Bound_r16_m1616: bound(16), Bound_r32_m3232: bound(32),
  };
  CC_NAMES.forEach((name, cc) => {
    h[`${name}_rel8_16`] = jcc(cc, 16); h[`${name}_rel8_32`] = jcc(cc, 32); h[`${name}_rel8_64`] = jcc(cc, 64);
    h[`${name}_rel16`] = jcc(cc, 16); h[`${name}_rel32_32`] = jcc(cc, 32); h[`${name}_rel32_64`] = jcc(cc, 64);
  });
  const kinds: [string, number][] = [['Loop', LOOP], ['Loope', LOOPE], ['Loopne', LOOPNE]];
  for (const [name, kind] of kinds) {
    h[`${name}_rel8_16_CX`] = loop(kind, 16, 16); h[`${name}_rel8_32_CX`] = loop(kind, 32, 16);
    h[`${name}_rel8_16_ECX`] = loop(kind, 16, 32); h[`${name}_rel8_32_ECX`] = loop(kind, 32, 32);
    h[`${name}_rel8_64_ECX`] = loop(kind, 64, 32);
    h[`${name}_rel8_16_RCX`] = loop(kind, 16, 64); h[`${name}_rel8_64_RCX`] = loop(kind, 64, 64);
  }
  return h;
}

export const controlHandlers: Record<string, Handler> = build();
