// Handlers for the arith instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const arithHandlers: Record<string, Handler> = {};
