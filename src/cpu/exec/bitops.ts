// Handlers for the bitops instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const bitopsHandlers: Record<string, Handler> = {};
