// Handlers for the logic instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const logicHandlers: Record<string, Handler> = {};
