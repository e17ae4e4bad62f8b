// Handlers for the string instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const stringHandlers: Record<string, Handler> = {};
