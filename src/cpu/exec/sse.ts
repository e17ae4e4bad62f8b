// Handlers for the SSE/SSE2 family (XMM forms only; MMX forms #UD as unimplemented), merged from the
// sse-*.ts files: data movement, packed integer, shuffles/shifts, scalar/packed floating point, fences.

import type { Handler } from '../decoder/insn';
import { sseMoveHandlers } from './sse-move';
import { sseIntHandlers } from './sse-int';
import { sseShuffleHandlers } from './sse-shuffle';
import { sseFloatHandlers } from './sse-float';
import { sseFenceHandlers } from './sse-fence';

export const sseHandlers: Record<string, Handler> = {
  ...sseMoveHandlers,
  ...sseIntHandlers,
  ...sseShuffleHandlers,
  ...sseFloatHandlers,
  ...sseFenceHandlers,
};
