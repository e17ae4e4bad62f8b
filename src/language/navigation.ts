// Go to definition, find references and rename for labels, .equ/.set symbols and macros, including local
// numeric labels (1: with 1f/1b resolved the way GNU as does), across the document and the files it .includes.

import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { DocState, pathToUri } from './analysis';
import { defsOf, scanDocument, NumericLabelDef, numericRefsTo, resolveNumericRef, ScannedDoc, Tok, tokenAt } from './document';
import { includedFiles } from './includes';

const rangeOf = (t: Tok, trimEnd = 0): Range => ({ start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end - trimEnd } });
export const IDENT_RE = /^[A-Za-z_.][A-Za-z0-9_.$]*$/;

type Target =
  | { kind: 'symbol'; name: string; tok: Tok }
  | { kind: 'numeric'; def: NumericLabelDef; tok: Tok };

/** The document and every file it includes, each with its scanned text. */
function filesOf(doc: DocState): { uri: string; scanned: ScannedDoc }[] {
  const inc = doc.includeReader ? includedFiles(doc.path, doc.scanned, doc.includeReader) : [];
  return [{ uri: doc.uri, scanned: doc.scanned }, ...inc];
}

/** What the token under the cursor names: a symbol by name, or one specific numeric label definition. */
function targetAt(doc: DocState, line: number, character: number, files = filesOf(doc)): Target | undefined {
  const hit = tokenAt(doc.scanned, line, character);
  if (!hit) return undefined;
  const { tok, stmt } = hit;
  if (tok.k === 'numlabel') {
    const def = resolveNumericRef(doc.scanned, tok);
    return def ? { kind: 'numeric', def, tok } : undefined;
  }
  if (tok.k === 'num' && stmt.labels.includes(tok)) {
    const def = doc.scanned.numDefs.find((d) => d.tok === tok);
    return def ? { kind: 'numeric', def, tok } : undefined;
  }
  if (tok.k !== 'ident' || tok.text === '.') return undefined;
  // A mnemonic is only a symbol when a macro of that name exists.
  if (tok === stmt.op && !files.some((f) => defsOf(f.scanned, tok.text).some((d) => d.kind === 'macro'))) return undefined;
  return { kind: 'symbol', name: tok.text, tok };
}

/** Occurrences of a named symbol in the scanned text: definitions first, then references. */
function occurrences(scanned: ScannedDoc, name: string): { defs: Tok[]; refs: Tok[] } {
  return {
    defs: scanned.defs.filter((d) => d.name === name).map((d) => d.tok),
    refs: scanned.refs.filter((t) => t.text === name),
  };
}

export function findDefinition(doc: DocState, line: number, character: number): Location[] {
  const files = filesOf(doc);
  const t = targetAt(doc, line, character, files);
  if (!t) return [];
  if (t.kind === 'numeric') return [{ uri: doc.uri, range: rangeOf(t.def.tok) }];
  for (const f of files) {
    const defs = defsOf(f.scanned, t.name);
    if (defs.length) return defs.map((d) => ({ uri: f.uri, range: rangeOf(d.tok) }));
  }
  // Defined somewhere the scanner does not reach (an include path of the assembler): the assembler knows where.
  const sym = doc.symbol(t.name);
  if (sym && sym.file && sym.line > 0 && sym.file !== doc.path) {
    return [{ uri: pathToUri(sym.file), range: { start: { line: sym.line - 1, character: 0 }, end: { line: sym.line - 1, character: 0 } } }];
  }
  return [];
}

export function findReferences(doc: DocState, line: number, character: number, includeDeclaration: boolean): Location[] {
  const files = filesOf(doc);
  const t = targetAt(doc, line, character, files);
  if (!t) return [];
  if (t.kind === 'numeric') {
    const refs = numericRefsTo(doc.scanned, t.def).map((r) => ({ uri: doc.uri, range: rangeOf(r) }));
    return includeDeclaration ? [{ uri: doc.uri, range: rangeOf(t.def.tok) }, ...refs] : refs;
  }
  const defs: Location[] = [], refs: Location[] = [];
  for (const f of files) {
    const o = occurrences(f.scanned, t.name);
    defs.push(...o.defs.map((tk) => ({ uri: f.uri, range: rangeOf(tk) })));
    refs.push(...o.refs.map((tk) => ({ uri: f.uri, range: rangeOf(tk) })));
  }
  return includeDeclaration ? [...defs, ...refs] : refs;
}

export interface RenameCheck { range: Range; placeholder: string }

/** Only user-defined symbols of this document (not registers, mnemonics, numbers or predefined constants). */
export function prepareRename(doc: DocState, line: number, character: number): RenameCheck | null {
  const files = filesOf(doc);
  const t = targetAt(doc, line, character, files);
  if (!t) return null;
  if (t.kind === 'numeric') {
    const n = t.def.n;
    return { range: { start: { line: t.tok.line, character: t.tok.start }, end: { line: t.tok.line, character: t.tok.start + n.length } }, placeholder: n };
  }
  if (!files.some((f) => defsOf(f.scanned, t.name).length > 0)) return null;
  return { range: rangeOf(t.tok), placeholder: t.name };
}

export function rename(doc: DocState, line: number, character: number, newName: string): WorkspaceEdit | null {
  const files = filesOf(doc);
  const t = targetAt(doc, line, character, files);
  if (!t) return null;
  const edits: TextEdit[] = [];
  if (t.kind === 'numeric') {
    // Renumbering a local label keeps 1f/1b resolution only if the new number does not capture other references.
    if (!/^[0-9]+$/.test(newName)) throw new Error(`'${newName}' is not a local label number`);
    const n = t.def.n.length;
    edits.push({ range: { start: { line: t.def.tok.line, character: t.def.tok.start }, end: { line: t.def.tok.line, character: t.def.tok.start + n } }, newText: newName });
    for (const r of numericRefsTo(doc.scanned, t.def)) edits.push({ range: rangeOf(r, 1), newText: newName });
    if (!numericRenameSafe(doc.scanned, edits)) throw new Error(`renumbering to ${newName} would change which label other 1f/1b references reach`);
    return { changes: { [doc.uri]: edits } };
  }
  if (!IDENT_RE.test(newName) || /^[0-9]/.test(newName)) throw new Error(`'${newName}' is not a valid symbol name`);
  if (!files.some((f) => defsOf(f.scanned, t.name).length > 0)) return null;
  if (newName !== t.name && files.some((f) => defsOf(f.scanned, newName).length > 0)) throw new Error(`'${newName}' is already defined`);
  const changes: Record<string, TextEdit[]> = {};
  for (const f of files) {
    const o = occurrences(f.scanned, t.name);
    const fileEdits = [...o.defs, ...o.refs].map((tk) => ({ range: rangeOf(tk), newText: newName }));
    if (fileEdits.length) changes[f.uri] = fileEdits;
  }
  return { changes };
}

/** Apply single-line edits and check every numeric reference still reaches the "same" definition. */
function numericRenameSafe(scanned: ScannedDoc, edits: TextEdit[]): boolean {
  const lines = scanned.lines.slice();
  const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const e of sorted) {
    const l = lines[e.range.start.line];
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  }
  const after = scanDocument(lines.join('\n'));
  if (after.numRefs.length !== scanned.numRefs.length || after.numDefs.length !== scanned.numDefs.length) return false;
  const defIndex = (d: ScannedDoc, def: NumericLabelDef | undefined) => (def ? d.numDefs.indexOf(def) : -1);
  for (let i = 0; i < scanned.numRefs.length; i++) {
    if (defIndex(scanned, resolveNumericRef(scanned, scanned.numRefs[i])) !== defIndex(after, resolveNumericRef(after, after.numRefs[i]))) return false;
  }
  return true;
}
