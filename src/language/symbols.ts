// Document symbols (outline): sections containing their labels, macros and .equ/.set constants. A label's
// range runs to the line before the next label or section switch, so the outline follows the cursor.

import { DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { ScannedDoc, Tok } from './document';

const pos = (line: number, character: number) => ({ line, character });
const sel = (t: Tok) => ({ start: pos(t.line, t.start), end: pos(t.line, t.end) });

export function documentSymbols(doc: ScannedDoc): DocumentSymbol[] {
  const lastLine = Math.max(0, doc.lines.length - 1);
  type Ev = { line: number; kind: 'section' | 'label' | 'macro' | 'equ'; name: string; tok: Tok; endLine?: number };
  const evs: Ev[] = [];
  for (const s of doc.sections) evs.push({ line: s.tok.line, kind: 'section', name: s.name, tok: s.tok });
  for (const d of doc.defs) {
    if (d.kind === 'label') evs.push({ line: d.tok.line, kind: 'label', name: d.name, tok: d.tok });
    else if (d.kind === 'macro') evs.push({ line: d.tok.line, kind: 'macro', name: d.name, tok: d.tok, endLine: d.endLine });
    else evs.push({ line: d.tok.line, kind: 'equ', name: d.name, tok: d.tok });
  }
  evs.sort((a, b) => a.line - b.line || a.tok.start - b.tok.start);

  const out: DocumentSymbol[] = [];
  let section: DocumentSymbol | undefined;
  let label: DocumentSymbol | undefined;
  const closeLabel = (endLine: number) => {
    if (label) label.range.end = pos(Math.max(label.range.start.line, endLine), 0);
    label = undefined;
  };
  const closeSection = (endLine: number) => {
    closeLabel(endLine);
    if (section) section.range.end = pos(Math.max(section.range.start.line, endLine), 0);
    section = undefined;
  };
  for (const e of evs) {
    if (e.kind === 'section') {
      closeSection(e.line);
      section = { name: e.name, kind: SymbolKind.Namespace, range: { start: pos(e.line, 0), end: pos(e.line, 0) }, selectionRange: sel(e.tok), children: [] };
      out.push(section);
    } else if (e.kind === 'label') {
      closeLabel(e.line);
      label = { name: e.name, kind: e.name.startsWith('.L') ? SymbolKind.Key : SymbolKind.Function, range: { start: pos(e.line, 0), end: pos(e.line, 0) }, selectionRange: sel(e.tok) };
      (section?.children ?? out).push(label);
    } else if (e.kind === 'macro') {
      const end = e.endLine ?? e.line;
      out.push({ name: e.name, detail: 'macro', kind: SymbolKind.Method, range: { start: pos(e.line, 0), end: pos(end, (doc.lines[end] ?? '').length) }, selectionRange: sel(e.tok) });
    } else {
      const sym: DocumentSymbol = { name: e.name, detail: (doc.lines[e.line] ?? '').trim().slice(0, 80), kind: SymbolKind.Constant, range: { start: pos(e.line, 0), end: pos(e.line, (doc.lines[e.line] ?? '').length) }, selectionRange: sel(e.tok) };
      (section?.children ?? out).push(sym);
    }
  }
  closeSection(lastLine);
  // selectionRange must lie inside range.
  const fix = (s: DocumentSymbol) => {
    if (s.range.end.line < s.selectionRange.end.line || (s.range.end.line === s.selectionRange.end.line && s.range.end.character < s.selectionRange.end.character)) {
      s.range.end = { ...s.selectionRange.end };
    }
    s.children?.forEach(fix);
  };
  out.forEach(fix);
  return out;
}
