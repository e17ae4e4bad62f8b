// SETcc and CMOVcc (all 16 conditions, every size) and the flag instructions LAHF SAHF CLC STC CMC CLD STD.
// CMOVcc always reads its source (a memory source faults even when the condition is false).

import type { Handler } from '../decoder/insn';
import { F_AF, F_CF, F_DF, F_PF, F_SF, F_ZF, getCF, getFlags, setFlags, testCC } from '../flags';
import { HandlerMap, lockUD, putFlags } from './alu-common';

export const CC_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function setcc(cc: number): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const v = testCC(c, cc) ? 1 : 0;
    if (i.isMem) c.writeLin8(c.linear(i, 1, true), v); else c.setReg8(i.rm, v);
  };
}

function cmov16(cc: number): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const v = c.readRM16(i);
    if (testCC(c, cc)) c.setReg16(i.reg, v);
  };
}
function cmov32(cc: number): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const v = c.readRM32(i), k = i.reg << 1;
    // Either way the 32-bit destination is written, so its upper half is cleared.
    c.regs[k] = testCC(c, cc) ? v : c.regs[k];
    c.regs[k + 1] = 0;
  };
}
function cmov64(cc: number): Handler {
  return (c, i) => {
    if (i.lock) lockUD();
    const lo = c.readRM64(i), hi = c.rhi;
    if (testCC(c, cc)) c.setReg64(i.reg, lo, hi);
  };
}

const SAHF_MASK = F_SF | F_ZF | F_AF | F_PF | F_CF;

function noLock(fn: Handler): Handler {
  return (c, i) => { if (i.lock) lockUD(); fn(c, i); };
}

function build(): HandlerMap {
  const h: HandlerMap = {};
  for (let cc = 0; cc < 16; cc++) {
    const n = CC_NAMES[cc];
    h[`Set${n}_rm8`] = setcc(cc);
    h[`Cmov${n}_r16_rm16`] = cmov16(cc);
    h[`Cmov${n}_r32_rm32`] = cmov32(cc);
    h[`Cmov${n}_r64_rm64`] = cmov64(cc);
  }
  h.Lahf = noLock((c) => { c.regs[0] = (c.regs[0] & ~0xff00) | ((getFlags(c) & 0xff) << 8); });
  h.Sahf = noLock((c) => { setFlags(c, (c.regs[0] >> 8) & 0xff, SAHF_MASK); });
  h.Clc = noLock((c) => putFlags(c, 0, F_CF));
  h.Stc = noLock((c) => putFlags(c, F_CF, F_CF));
  h.Cmc = noLock((c) => putFlags(c, getCF(c) ? 0 : F_CF, F_CF));
  h.Cld = noLock((c) => { c.flagsBits &= ~F_DF; });
  h.Std = noLock((c) => { c.flagsBits |= F_DF; });
  return h;
}

export const ccHandlers: HandlerMap = build();
