// Handlers for the data instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const dataHandlers: Record<string, Handler> = {};
