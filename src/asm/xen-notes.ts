// Xen ELF notes: the `.xen_note TYPE, value[, size]` convenience directive (emits a "Xen" note into
// .note.Xen) and a reader for encoded note sections (entry-point fallback, listings, tests).

import type { Assembler } from './assembler';
import { Expr } from './expr';
import { AsmError } from './types';

export const NOTE_SECTION = '.note.Xen';

/**
 * Emit one note. `desc` is either a string (stored NUL-terminated) or an expression stored in `size`
 * bytes (default: pointer size of the current code mode, 8 for .code64 and 4 for .code32).
 */
export function emitXenNote(asm: Assembler, type: bigint, desc: { str: number[] } | { e: Expr; size: number }): void {
  if (type < 0n || type > 0xffffffffn) throw new AsmError('note type must fit in 32 bits');
  const saved = asm.cur;
  const sec = asm.getSection(NOTE_SECTION, 'note', { alloc: true, write: false, exec: false });
  asm.cur = sec;
  try {
    asm.emitAlign(4, 0, 1, 0);
    const descBytes = 'str' in desc ? [...desc.str, 0] : undefined;
    const descsz = descBytes ? descBytes.length : (desc as { size: number }).size;
    const hdr = new Uint8Array(16);
    const dv = new DataView(hdr.buffer);
    dv.setUint32(0, 4, true);
    dv.setUint32(4, descsz, true);
    dv.setUint32(8, Number(type), true);
    hdr.set([0x58, 0x65, 0x6e, 0x00], 12); // "Xen\0"
    asm.emitBytes(hdr);
    if (descBytes) {
      const pad = (4 - (descBytes.length % 4)) % 4;
      asm.emitBytes(Uint8Array.from([...descBytes, ...new Array(pad).fill(0)]));
    } else {
      const e = (desc as { e: Expr; size: number });
      asm.emitData(e.size as 1 | 2 | 4 | 8, [e.e]);
      const pad = (4 - (e.size % 4)) % 4;
      if (pad) asm.emitBytes(new Uint8Array(pad));
    }
  } finally {
    asm.cur = saved;
  }
}

export interface ParsedNote { name: string; type: number; desc: Uint8Array; offset: number }

/** Parse ELF notes (4-byte aligned name and descriptor). Stops at the first malformed entry. */
export function parseNotes(data: Uint8Array): ParsedNote[] {
  const out: ParsedNote[] = [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  const al = (n: number) => (n + 3) & ~3;
  while (off + 12 <= data.length) {
    const namesz = dv.getUint32(off, true), descsz = dv.getUint32(off + 4, true), type = dv.getUint32(off + 8, true);
    const nameOff = off + 12, descOff = nameOff + al(namesz), next = descOff + al(descsz);
    if (next > data.length || namesz > 4096) break;
    let name = '';
    for (let i = 0; i < namesz && data[nameOff + i] !== 0; i++) name += String.fromCharCode(data[nameOff + i]);
    out.push({ name, type, desc: data.slice(descOff, descOff + descsz), offset: off });
    off = next;
  }
  return out;
}

/** Numeric value of a note descriptor (little endian, 1..8 bytes). */
export function noteValue(desc: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(desc.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(desc[i]);
  return v;
}
