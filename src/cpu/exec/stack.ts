// Handlers for the stack instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const stackHandlers: Record<string, Handler> = {};
