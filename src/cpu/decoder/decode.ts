// Placeholder decoder (being replaced by the table-driven decoder): every byte decodes as an invalid 1-byte instruction.

import { Insn } from './insn';
import { execInvalid } from '../exec/registry';

export function decode(buf: Uint8Array, avail: number, mode: number): Insn | null {
  if (avail < 1) return null;
  const i = new Insn(execInvalid, 'INVALID');
  i.len = 1; i.mode = mode; i.bytes = buf.slice(0, 1);
  return i;
}
