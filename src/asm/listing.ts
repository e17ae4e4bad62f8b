// Listing (address, bytes, source line per statement) and symbol map text.

import type { Assembler } from './assembler';
import { Item, Section } from './sections';
import { AsmSymbol } from './types';

function hexAddr(v: bigint, bits: number): string {
  return BigInt.asUintN(bits, v).toString(16).padStart(bits / 4, '0');
}

function itemBytes(it: Item, contents: Uint8Array | undefined): Uint8Array | undefined {
  if (it.size === 0 || !contents || contents.length === 0) return undefined;
  return contents.subarray(it.off, it.off + it.size);
}

export function buildListing(asm: Assembler, ordered: Section[], contents: Map<Section, Uint8Array>, symbols: AsmSymbol[], bits: 32 | 64): string {
  const lines: string[] = [];
  const MAXB = 12;
  for (const sec of ordered) {
    if (sec.items.length === 0) continue;
    lines.push(`Section ${sec.name} at 0x${hexAddr(sec.addr, bits)}, ${sec.size} bytes${sec.type === 'nobits' ? ' (nobits)' : ''}`);
    const data = contents.get(sec);
    let i = 0;
    while (i < sec.items.length) {
      const first = sec.items[i];
      let j = i;
      let size = 0;
      const chunks: Uint8Array[] = [];
      while (j < sec.items.length && sec.items[j].stmt === first.stmt) {
        const b = itemBytes(sec.items[j], data);
        if (b) chunks.push(b);
        size += sec.items[j].size;
        j++;
      }
      const rec = asm.stmts[first.stmt];
      const addr = sec.addr + BigInt(first.off);
      let hex = '';
      let n = 0;
      for (const c of chunks) for (const b of c) { if (n < MAXB) hex += b.toString(16).padStart(2, '0'); n++; }
      if (n > MAXB) hex += '…';
      if (sec.type === 'nobits' && size > 0) hex = `(${size} bytes)`;
      const loc = rec ? `${rec.loc.file}:${rec.loc.line}` : '';
      const text = rec ? rec.text.trim() : '';
      lines.push(`  ${hexAddr(addr, bits)}  ${hex.padEnd(2 * MAXB + 1)}  ${loc.padEnd(20)}  ${text}`);
      i = j;
    }
    lines.push('');
  }
  lines.push('Symbols:');
  const sorted = [...symbols].sort((a, b) => (a.valueBig < b.valueBig ? -1 : a.valueBig > b.valueBig ? 1 : a.name.localeCompare(b.name)));
  for (const s of sorted) {
    lines.push(`  ${hexAddr(s.valueBig, bits)}  ${s.global ? 'G' : 'L'}  ${s.section.padEnd(12)}  ${s.name}`);
  }
  return lines.join('\n') + '\n';
}
