// Handlers for the control instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const controlHandlers: Record<string, Handler> = {};
