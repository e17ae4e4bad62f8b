// Handlers for the logic family: and or xor test (every encoding and size, incl. the F6/F7 /1 test aliases)
// and not. Logic ops record LOP_LOGIC (CF=OF=AF=0, SF/ZF/PF from the result); NOT changes no flags.

import type { Handler } from '../decoder/insn';
import { HandlerMap, lockUD, rmwLin, sizeMask, OP_AND, OP_OR, OP_XOR } from './alu-common';
import { group1Handlers, testHandlers } from './alu-group1';
import { hot32Handlers } from './alu-hot32';
import { hot64Handlers } from './alu-hot64';

const LOGIC_PREFIXES = /^(And|Or|Xor|Test)_/;

function hotLogic(): HandlerMap {
  const h: HandlerMap = {};
  for (const m of [hot32Handlers, hot64Handlers]) {
    for (const [k, v] of Object.entries(m)) if (LOGIC_PREFIXES.test(k)) h[k] = v;
  }
  return h;
}

function notRm(size: number): Handler {
  const mask = sizeMask(size), bytes = size >> 3;
  return (c, i) => {
    if (i.isMem) {
      const lin = rmwLin(c, i, bytes);
      c.writeLin(lin, size, ~c.readLin(lin, size) & mask);
      return;
    }
    if (i.lock) lockUD();
    c.setReg(size, i.rm, ~c.getReg(size, i.rm) & mask);
  };
}
const not64: Handler = (c, i) => {
  if (i.isMem) {
    const lin = rmwLin(c, i, 8), lo = c.readLin64(lin);
    c.writeLin64(lin, ~lo, ~c.rhi);
    return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1;
  c.regs[k] = ~c.regs[k]; c.regs[k + 1] = ~c.regs[k + 1];
};

export const logicHandlers: Record<string, Handler> = {
  ...group1Handlers(OP_AND), ...group1Handlers(OP_OR), ...group1Handlers(OP_XOR), ...testHandlers(),
  ...hotLogic(),
  Not_rm8: notRm(8), Not_rm16: notRm(16), Not_rm32: notRm(32), Not_rm64: not64,
};
