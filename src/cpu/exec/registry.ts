// One map from iced-style Code names to handlers, merged from the handler families. The decoder binds
// each decoded instruction to its handler through handlerFor(); unknown codes raise #UD and are recorded.

import type { Handler } from '../decoder/insn';
import { CpuFault, UD } from '../fault';
import { arithHandlers } from './arith';
import { logicHandlers } from './logic';
import { shiftHandlers } from './shift';
import { bitopsHandlers } from './bitops';
import { dataHandlers } from './data';
import { stackHandlers } from './stack';
import { controlHandlers } from './control';
import { stringHandlers } from './string';
import { systemHandlers } from './system';
import { segmentHandlers } from './segments';
import { sseHandlers } from './sse';
import { x87Handlers } from './x87';

export type HandlerMap = Record<string, Handler>;

export const FAMILIES: Record<string, HandlerMap> = {
  arith: arithHandlers, logic: logicHandlers, shift: shiftHandlers, bitops: bitopsHandlers,
  data: dataHandlers, stack: stackHandlers, control: controlHandlers, string: stringHandlers,
  system: systemHandlers, segments: segmentHandlers, sse: sseHandlers, x87: x87Handlers,
};

const HANDLERS: HandlerMap = Object.create(null);
for (const fam of Object.values(FAMILIES)) Object.assign(HANDLERS, fam);

/** Handler for a Code name, or undefined when no family implements it. */
export function handlerFor(code: string): Handler | undefined { return HANDLERS[code]; }
/** All implemented Code names. */
export function implementedCodes(): string[] { return Object.keys(HANDLERS); }

/** Valid encoding the emulator does not implement: #UD, with the code name kept for diagnostics. */
export const execUnimplemented: Handler = (cpu, i) => {
  cpu.lastUnimplemented = i.code;
  throw new CpuFault(UD);
};
/** Invalid encoding: #UD. */
export const execInvalid: Handler = () => { throw new CpuFault(UD); };
