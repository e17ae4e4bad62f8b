// "Decode Selector / Descriptor / PTE…": an input box that reads a number the way the views and hovers do
// (the language server's decoder ring) and shows the readings in a quick pick.

import * as vscode from 'vscode';
import { decodeDescriptor, decodePte, decodeSelector, Decoding } from '../language/decoder-ring';
import { parseNumber } from './format';

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

export async function decodeInputCommand(): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: 'Decode selector / descriptor / page-table entry',
    prompt: 'A number: 0xe033 (selector), 0x00affa000000ffff (descriptor), 0x8000000012345067 (PTE)',
    validateInput: (t) => (parseNumber(t) === undefined ? 'enter a number (0x…, decimal or 0b…) up to 64 bits' : undefined),
  });
  if (text === undefined) return;
  const v = parseNumber(text);
  if (v === undefined) return;
  const items = decodeAll(v).map((d) => ({ label: d.title, detail: d.details.join(' · '), decoding: d }));
  const pick = await vscode.window.showQuickPick(items, { title: `Readings of 0x${v.toString(16)} (select to copy)`, matchOnDetail: true });
  if (pick) await vscode.env.clipboard.writeText([pick.decoding.title, ...pick.decoding.details].join('\n'));
}
