// The files a document pulls in with `.include` (transitively, found where the assembler looks: first the
// including file's folder), scanned so references and rename reach symbols and macros of included files.

import { includeCandidates } from '../asm/include-paths';
import { pathToUri } from './analysis';
import { ScannedDoc, scanDocument } from './document';

export interface IncludedFile { path: string; uri: string; scanned: ScannedDoc }

/** Reads an included file (open editor text first, then the disk), undefined when absent or too large. */
export type IncludeReader = (path: string) => string | undefined;

const MAX_FILES = 32;

/** `.include "name"` operands of a scanned file, in order. */
function includeNames(scanned: ScannedDoc): string[] {
  const out: string[] = [];
  for (const s of scanned.statements) {
    if (s.op?.text.toLowerCase() !== '.include') continue;
    const t = s.operands[0]?.[0];
    if (t?.k === 'str' && t.text.length >= 2 && t.text.endsWith('"')) out.push(t.text.slice(1, -1));
  }
  return out;
}

/** Every file reachable through `.include` from the document at `path` (not the document itself), at most 32. */
export function includedFiles(path: string, scanned: ScannedDoc, read: IncludeReader): IncludedFile[] {
  const seen = new Set<string>([path]);
  const out: IncludedFile[] = [];
  const queue: { from: string; scanned: ScannedDoc }[] = [{ from: path, scanned }];
  while (queue.length && out.length < MAX_FILES) {
    const { from, scanned: s } = queue.shift()!;
    for (const name of includeNames(s)) {
      if (out.length >= MAX_FILES) break;
      let found: { p: string; text: string } | undefined;
      for (const p of includeCandidates(from, name)) {
        let text: string | undefined;
        try { text = read(p); } catch { text = undefined; }
        if (text !== undefined) { found = { p, text }; break; }
      }
      if (!found || seen.has(found.p)) continue;
      seen.add(found.p);
      const f = { path: found.p, uri: pathToUri(found.p), scanned: scanDocument(found.text) };
      out.push(f);
      queue.push({ from: found.p, scanned: f.scanned });
    }
  }
  return out;
}
