// Handlers for the system instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const systemHandlers: Record<string, Handler> = {};
