// Handlers for the arith family: add adc sub sbb cmp (every encoding and size), inc dec neg, mul imul,
// div idiv and the decimal adjusts. Generic group-1 handlers first, then the specialised 32/64-bit hot paths.

import type { Handler } from '../decoder/insn';
import { OP_ADC, OP_ADD, OP_CMP, OP_SBB, OP_SUB } from './alu-common';
import { group1Handlers } from './alu-group1';
import { hot32Handlers } from './alu-hot32';
import { hot64Handlers } from './alu-hot64';
import { incDecHandlers } from './arith-incdec';
import { mulHandlers } from './arith-mul';
import { divHandlers } from './arith-div';
import { bcdHandlers } from './arith-bcd';

const ARITH_PREFIXES = /^(Add|Adc|Sub|Sbb|Cmp)_/;

function hotArith(): Record<string, Handler> {
  const h: Record<string, Handler> = {};
  for (const m of [hot32Handlers, hot64Handlers]) {
    for (const [k, v] of Object.entries(m)) if (ARITH_PREFIXES.test(k)) h[k] = v;
  }
  return h;
}

export const arithHandlers: Record<string, Handler> = {
  ...group1Handlers(OP_ADD), ...group1Handlers(OP_ADC), ...group1Handlers(OP_SUB),
  ...group1Handlers(OP_SBB), ...group1Handlers(OP_CMP),
  ...hotArith(),
  ...incDecHandlers, ...mulHandlers, ...divHandlers, ...bcdHandlers,
};
