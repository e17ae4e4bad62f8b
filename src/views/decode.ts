// The readings of one number for "Decode Selector / Descriptor / PTE…": selector (pv64 and pv32 names when it fits
// in 16 bits), descriptor and page-table entry, through the language server's decoder ring. Pure (no `vscode`).

import { decodeDescriptor, decodePte, decodeSelector, Decoding } from '../language/decoder-ring';

/** Readings of a value: selector (if 16-bit), descriptor (long and legacy tables) and PTE. */
export function decodeAll(v: bigint): Decoding[] {
  const out: Decoding[] = [];
  if (v <= 0xffffn) {
    out.push(decodeSelector(Number(v), 'pv64'));
    const pv32 = decodeSelector(Number(v), 'pv32');
    if (pv32.title !== out[0].title) out.push(pv32);
  }
  out.push(decodeDescriptor(v, true));
  out.push(decodePte(v));
  return out;
}

/** What selecting a reading copies: its title, then one line per detail. */
export function decodingText(d: Decoding): string {
  return [d.title, ...d.details].join('\n');
}
