// Handlers for the x87 instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const x87Handlers: Record<string, Handler> = {};
