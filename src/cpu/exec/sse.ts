// Handlers for the sse instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const sseHandlers: Record<string, Handler> = {};
