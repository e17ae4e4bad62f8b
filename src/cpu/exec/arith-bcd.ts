// Decimal-adjust instructions (DAA DAS AAA AAS AAM AAD) and SALC: 16/32-bit mode only (#UD in 64-bit mode).
// Flags follow the SDM pseudocode; the flags it leaves undefined are cleared (OF) or computed from AL.

import type { Cpu } from '../cpu';
import type { Handler } from '../decoder/insn';
import { CpuFault, DE, UD } from '../fault';
import { getAF, getCF, setResultFlags } from '../flags';
import { HandlerMap } from './alu-common';

function check(c: Cpu, lock: boolean): void {
  if (c.mode === 64 || lock) throw new CpuFault(UD);
}
function setAL(c: Cpu, v: number): void { c.regs[0] = (c.regs[0] & ~0xff) | (v & 0xff); }

const daa: Handler = (c, i) => {
  check(c, i.lock);
  const oldAL = c.regs[0] & 0xff, oldCF = getCF(c);
  let al = oldAL, cf = false, af = false;
  if ((al & 0xf) > 9 || getAF(c)) { al += 6; cf = oldCF || al > 0xff; af = true; }
  if (oldAL > 0x99 || oldCF) { al += 0x60; cf = true; } else cf = false;
  al &= 0xff;
  setAL(c, al);
  setResultFlags(c, 8, al, 0, cf, false, af);
};
const das: Handler = (c, i) => {
  check(c, i.lock);
  const oldAL = c.regs[0] & 0xff, oldCF = getCF(c);
  let al = oldAL, cf = false, af = false;
  if ((al & 0xf) > 9 || getAF(c)) { cf = oldCF || al < 6; al -= 6; af = true; }
  if (oldAL > 0x99 || oldCF) { al -= 0x60; cf = true; }
  al &= 0xff;
  setAL(c, al);
  setResultFlags(c, 8, al, 0, cf, false, af);
};
const aaa: Handler = (c, i) => {
  check(c, i.lock);
  let ax = c.regs[0] & 0xffff;
  const adj = (ax & 0xf) > 9 || getAF(c);
  if (adj) ax = (ax + 0x106) & 0xffff;
  ax &= 0xff0f;
  c.setReg16(0, ax);
  setResultFlags(c, 8, ax & 0xff, 0, adj, false, adj);
};
const aas: Handler = (c, i) => {
  check(c, i.lock);
  let ax = c.regs[0] & 0xffff;
  const adj = (ax & 0xf) > 9 || getAF(c);
  if (adj) ax = (ax - 0x106) & 0xffff; // AX - 6 (borrow into AH), then AH - 1
  ax &= 0xff0f;
  c.setReg16(0, ax);
  setResultFlags(c, 8, ax & 0xff, 0, adj, false, adj);
};
const aam: Handler = (c, i) => {
  check(c, i.lock);
  const base = i.imm & 0xff;
  if (base === 0) throw new CpuFault(DE);
  const al = c.regs[0] & 0xff, q = Math.floor(al / base), r = al - q * base;
  c.setReg16(0, (q << 8) | r);
  setResultFlags(c, 8, r, 0, false, false, false);
};
const aad: Handler = (c, i) => {
  check(c, i.lock);
  const ax = c.regs[0] & 0xffff, al = ((ax & 0xff) + (ax >> 8) * (i.imm & 0xff)) & 0xff;
  c.setReg16(0, al);
  setResultFlags(c, 8, al, 0, false, false, false);
};
const salc: Handler = (c, i) => {
  check(c, i.lock);
  setAL(c, getCF(c) ? 0xff : 0);
};

export const bcdHandlers: HandlerMap = {
  Daa: daa, Das: das, Aaa: aaa, Aas: aas, Aam_imm8: aam, Aad_imm8: aad, Salc: salc,
};
