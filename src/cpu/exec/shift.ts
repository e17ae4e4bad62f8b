// Handlers for the shift instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const shiftHandlers: Record<string, Handler> = {};
