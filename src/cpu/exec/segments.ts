// Handlers for the segments instruction family (placeholder until the family is implemented).

import type { Handler } from '../decoder/insn';

export const segmentHandlers: Record<string, Handler> = {};
