// Per-document state of the language server: the scanned text (always current) and the latest assembler
// outcome (symbols, diagnostics), plus conversion of assembler diagnostics to LSP diagnostics and URI paths.

import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { AsmDiagnostic, AsmSymbol } from '../asm/index';
import type { AssembleOutcome } from './assemble-runner';
import { ScannedDoc, scanDocument } from './document';

/** file:///a/b%20c.s -> /a/b c.s; other schemes map to a pseudo path that never resolves includes. */
export function uriToPath(uri: string): string {
  const m = /^file:\/\/[^/]*(\/.*)$/.exec(uri);
  if (m) {
    try { return decodeURIComponent(m[1]).replace(/^\/([A-Za-z]:)/, '$1'); } catch { return m[1]; }
  }
  return '/__' + uri.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function pathToUri(p: string): string {
  const norm = p.replace(/\\/g, '/');
  return 'file://' + (norm.startsWith('/') ? '' : '/') + norm.split('/').map((s) => encodeURIComponent(s).replace(/%3A/g, ':')).join('/');
}

export class DocState {
  private scan?: ScannedDoc;
  outcome?: AssembleOutcome;
  /** Version the outcome belongs to. */
  outcomeVersion = -1;
  /** Reads files this document `.include`s (set by the server: open editors first, then the disk). */
  includeReader?: (path: string) => string | undefined;
  constructor(readonly uri: string, public text: string, public version: number) {}
  /** The scanned text, computed on first use after each change (typing does not pay for it). */
  get scanned(): ScannedDoc {
    return (this.scan ??= scanDocument(this.text));
  }
  get path(): string { return uriToPath(this.uri); }
  update(text: string, version: number): void {
    this.text = text;
    this.version = version;
    this.scan = undefined;
  }
  /** Bits for decoding: the assembler's verdict, else the document's first .codeNN. */
  get bits(): 32 | 64 {
    return this.outcome?.bits ?? this.scanned.bits;
  }
  /** Assembler symbols by name (empty until the first assembly finished). */
  symbol(name: string): AsmSymbol | undefined {
    return this.outcome?.symbols.find((s) => s.name === name);
  }
}

/** Convert assembler diagnostics (1-based) for this document into LSP diagnostics (0-based). */
export function toLspDiagnostics(doc: DocState, diags: AsmDiagnostic[]): Diagnostic[] {
  const self = doc.path;
  const out: Diagnostic[] = [];
  const lines = doc.scanned.lines;
  for (const d of diags) {
    const severity = d.severity === 'error' ? 1 : 2;
    if (d.file === self) {
      const line = Math.min(Math.max(0, d.line - 1), Math.max(0, lines.length - 1));
      const text = lines[line] ?? '';
      const start = Math.min(Math.max(0, d.column - 1), text.length);
      let end: number;
      if (d.endColumn !== undefined && d.endColumn - 1 > start) end = Math.min(d.endColumn - 1, Math.max(text.length, start + 1));
      else {
        // No end given: the word at the column, else the rest of the statement.
        const m = /^[^\s,;#]+/.exec(text.slice(start));
        end = m ? start + m[0].length : Math.max(start + 1, text.trimEnd().length);
      }
      out.push({ range: { start: { line, character: start }, end: { line, character: end } }, severity, source: 'xen-asm', message: d.message });
    } else {
      // A diagnostic inside an included file: show it on the .include line that pulled the file in.
      const base = d.file.split('/').pop() ?? d.file;
      let line = 0, start = 0, end = 0;
      for (const s of doc.scanned.statements) {
        if (s.op?.text === '.include' && s.operands.flat().some((t) => t.k === 'str' && t.text.includes(base))) {
          line = s.line; start = s.op.start; end = (lines[line] ?? '').trimEnd().length;
          break;
        }
      }
      out.push({ range: { start: { line, character: start }, end: { line, character: Math.max(end, start) } }, severity, source: 'xen-asm', message: `${d.file}:${d.line}:${d.column}: ${d.message}` });
    }
  }
  return out;
}
