// "Decode Selector / Descriptor / PTE…": an input box that reads a number the way the views and hovers do
// (the language server's decoder ring) and shows the readings in a quick pick.

import * as vscode from 'vscode';
import { parseNumber } from './format';
import { decodeAll, decodingText } from './decode';

export { decodeAll };

/** With a value argument (a number or "0x…" string) it returns the readings without asking (tests, keybindings). */
export async function decodeInputCommand(arg?: unknown): Promise<string[] | undefined> {
  if (typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'bigint') {
    const v = parseNumber(String(arg));
    if (v === undefined) { void vscode.window.showErrorMessage(`Not a 64-bit number: ${String(arg)}`); return undefined; }
    return decodeAll(v).map(decodingText);
  }
  const text = await vscode.window.showInputBox({
    title: 'Decode selector / descriptor / page-table entry',
    prompt: 'A number: 0xe033 (selector), 0x00affa000000ffff (descriptor), 0x8000000012345067 (PTE)',
    validateInput: (t) => (parseNumber(t) === undefined ? 'enter a number (0x…, decimal or 0b…) up to 64 bits' : undefined),
  });
  if (text === undefined) return undefined;
  const v = parseNumber(text);
  if (v === undefined) return undefined;
  const items = decodeAll(v).map((d) => ({ label: d.title, detail: d.details.join(' · '), decoding: d }));
  const pick = await vscode.window.showQuickPick(items, { title: `Readings of 0x${v.toString(16)} (select to copy)`, matchOnDetail: true });
  if (pick) await vscode.env.clipboard.writeText(decodingText(pick.decoding));
  return pick ? [decodingText(pick.decoding)] : undefined;
}
