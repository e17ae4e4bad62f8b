// Tolerant scanner of one GNU as source document for the editor features: statements, tokens with 0-based
// positions, label/.equ/.macro definitions, symbol references and numeric-label (1f/1b) resolution. Never throws.

import { CommentState, splitOnCommas, splitStatements, stripComments } from '../asm/lexer';

export type TokKind = 'ident' | 'reg' | 'num' | 'numlabel' | 'str' | 'punct' | 'macroarg';

export interface Tok {
  k: TokKind;
  text: string;
  line: number;
  /** 0-based start/end (exclusive) character positions. */
  start: number;
  end: number;
  value?: bigint;
  /** 1f/1b direction. */
  dir?: 'f' | 'b';
  /** Written with a leading '$' (immediate). */
  imm?: boolean;
}

export interface Statement {
  line: number;
  start: number;
  /** Label definitions at the start (name tokens; the ':' is not included). */
  labels: Tok[];
  prefixes: Tok[];
  /** Mnemonic, directive or macro name. */
  op?: Tok;
  /** Tokens after op, split at top-level commas. */
  operands: Tok[][];
  /** Code size in effect (from .code32/.code64). */
  bits: 32 | 64;
}

export type DefKind = 'label' | 'equ' | 'macro' | 'comm';

export interface SymbolDef {
  name: string;
  kind: DefKind;
  tok: Tok;
  /** For .macro: last line of the body (the .endm line). */
  endLine?: number;
  /** For labels: the section they are in. */
  section?: string;
}

export interface NumericLabelDef { n: string; tok: Tok }

export interface SectionMark { name: string; tok: Tok }

export interface ScannedDoc {
  lines: string[];
  statements: Statement[];
  defs: SymbolDef[];
  /** Identifier tokens that may refer to symbols (operands, directive arguments, macro invocations). */
  refs: Tok[];
  numDefs: NumericLabelDef[];
  numRefs: Tok[];
  sections: SectionMark[];
  /** Statements by line (several per line with ';'). */
  byLine: Map<number, Statement[]>;
  /** Default bits: 32 if the first .codeNN is .code32, else 64. */
  bits: 32 | 64;
}

const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'data32', 'addr16', 'addr32', 'rex', 'rex64', 'notrack', 'cs', 'ds', 'es', 'fs', 'gs', 'ss']);
const EQU_DIRS = new Set(['.equ', '.set', '.equiv', '.eqv']);
const PUNCT2 = ['<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '<>'];

const isIdStart = (c: string): boolean => /[A-Za-z_.]/.test(c);
const isIdChar = (c: string): boolean => /[A-Za-z0-9_.$]/.test(c);

/** Tokenize one statement's text (no comments) without ever throwing. */
export function tokenizeStatement(text: string, line: number, col0: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = text.length;
  let dollar = false;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    const start = col0 + i;
    const push = (t: Omit<Tok, 'line' | 'start'>) => { toks.push({ ...t, line, start, imm: dollar || undefined }); dollar = false; };
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      j = Math.min(n, j + 1);
      push({ k: 'str', text: text.slice(i, j), end: col0 + j });
      i = j;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      if (text[j] === '\\') j += 2; else j += 1;
      if (text[j] === "'") j++;
      j = Math.min(n, j);
      const body = text.slice(i + 1, j).replace(/'$/, '');
      let value = body.length ? BigInt(body.codePointAt(0)!) : 0n;
      if (body.startsWith('\\') && body.length > 1) {
        const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, b: 8, f: 12, v: 11, a: 7, e: 27 };
        value = BigInt(esc[body[1]] ?? body.charCodeAt(1));
      }
      push({ k: 'num', text: text.slice(i, j), end: col0 + j, value });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i;
      while (j < n && isIdChar(text[j])) j++;
      const word = text.slice(i, j);
      const lw = word.toLowerCase();
      if (/^[0-9]+[fb]$/.test(lw) && !/^0b[01]+$/.test(lw)) {
        push({ k: 'numlabel', text: word, end: col0 + j, dir: lw.endsWith('f') ? 'f' : 'b' });
      } else {
        let value: bigint | undefined;
        try {
          if (/^0x[0-9a-f]+$/.test(lw) || /^0b[01]+$/.test(lw)) value = BigInt(lw);
          else if (/^0[0-7]+$/.test(lw)) value = BigInt('0o' + lw.slice(1));
          else if (/^[0-9]+$/.test(lw)) value = BigInt(lw);
        } catch { value = undefined; }
        push({ k: 'num', text: word, end: col0 + j, value: value === undefined ? undefined : BigInt.asUintN(64, value) });
      }
      i = j;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdChar(text[j])) j++;
      push({ k: 'ident', text: text.slice(i, j), end: col0 + j });
      i = j;
      continue;
    }
    if (c === '%' && i + 1 < n && /[A-Za-z]/.test(text[i + 1])) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9]/.test(text[j])) j++;
      // %st(3)
      if (text.slice(i + 1, j).toLowerCase() === 'st' && text[j] === '(') {
        const m = /^\(\s*[0-7]\s*\)/.exec(text.slice(j));
        if (m) j += m[0].length;
      }
      push({ k: 'reg', text: text.slice(i + 1, j).toLowerCase(), end: col0 + j });
      i = j;
      continue;
    }
    if (c === '\\' && i + 1 < n && /[A-Za-z_@()]/.test(text[i + 1])) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_@]/.test(text[j])) j++;
      if (j === i + 1) j++;
      push({ k: 'macroarg', text: text.slice(i, j), end: col0 + j });
      i = j;
      continue;
    }
    if (c === '$') { dollar = true; i++; continue; }
    const p2 = PUNCT2.find((p) => text.startsWith(p, i));
    const p = p2 ?? c;
    toks.push({ k: 'punct', text: p, line, start, end: start + p.length });
    i += p.length;
  }
  return toks;
}

/** Operands of a statement split at top-level commas; no operands for an empty token list. */
function splitCommas(toks: Tok[]): Tok[][] {
  return toks.length === 0 ? [] : splitOnCommas(toks);
}

/** Scan a whole document. Linear in its size; tolerant of any text. */
export function scanDocument(text: string): ScannedDoc {
  const lines = text.split(/\r?\n/);
  const doc: ScannedDoc = { lines, statements: [], defs: [], refs: [], numDefs: [], numRefs: [], sections: [], byLine: new Map(), bits: 64 };
  const st: CommentState = { inBlock: false };
  let bits: 32 | 64 | undefined;
  let section = '.text';
  const sectionStack: string[] = [];
  let openMacro: SymbolDef | undefined;
  for (let ln = 0; ln < lines.length; ln++) {
    let clean: string;
    try { clean = stripComments(lines[ln], st); } catch { clean = ''; }
    let parts: { text: string; col: number }[];
    try { parts = splitStatements(clean); } catch { parts = []; }
    for (const part of parts) {
      const toks = tokenizeStatement(part.text, ln, part.col - 1);
      const s: Statement = { line: ln, start: part.col - 1, labels: [], prefixes: [], operands: [], bits: bits ?? 64 };
      let i = 0;
      // labels: name: / 1:
      while (i + 1 < toks.length && toks[i + 1].k === 'punct' && toks[i + 1].text === ':' &&
        (toks[i].k === 'ident' || (toks[i].k === 'num' && /^[0-9]+$/.test(toks[i].text)))) {
        const t = toks[i];
        s.labels.push(t);
        if (t.k === 'ident') doc.defs.push({ name: t.text, kind: 'label', tok: t, section });
        else doc.numDefs.push({ n: t.text, tok: t });
        i += 2;
      }
      // name = expr
      if (i + 1 < toks.length && toks[i].k === 'ident' && toks[i + 1].k === 'punct' && (toks[i + 1].text === '=' || toks[i + 1].text === '==')) {
        doc.defs.push({ name: toks[i].text, kind: 'equ', tok: toks[i] });
        s.operands = splitCommas(toks.slice(i + 2));
        for (const t of toks.slice(i + 2)) addRef(doc, t);
        pushStatement(doc, s);
        continue;
      }
      while (i < toks.length && toks[i].k === 'ident' && PREFIXES.has(toks[i].text.toLowerCase()) && i + 1 < toks.length && toks[i + 1].k === 'ident') {
        s.prefixes.push(toks[i]);
        i++;
      }
      if (i < toks.length && (toks[i].k === 'ident' || toks[i].k === 'macroarg')) {
        s.op = toks[i];
        i++;
      }
      const rest = toks.slice(i);
      s.operands = splitCommas(rest);
      const op = s.op?.k === 'ident' ? s.op.text.toLowerCase() : '';
      if (op.startsWith('.')) {
        if (EQU_DIRS.has(op) && rest[0]?.k === 'ident') {
          doc.defs.push({ name: rest[0].text, kind: 'equ', tok: rest[0] });
          for (const t of rest.slice(1)) addRef(doc, t);
        } else if (op === '.macro' && rest[0]?.k === 'ident') {
          openMacro = { name: rest[0].text, kind: 'macro', tok: rest[0], endLine: ln };
          doc.defs.push(openMacro);
        } else if (op === '.endm' || op === '.endmacro') {
          if (openMacro) openMacro.endLine = ln;
          openMacro = undefined;
        } else if ((op === '.comm' || op === '.lcomm') && rest[0]?.k === 'ident') {
          doc.defs.push({ name: rest[0].text, kind: 'comm', tok: rest[0] });
          for (const t of rest.slice(1)) addRef(doc, t);
        } else if (op === '.section' || op === '.pushsection') {
          const nameTok = rest[0];
          if (nameTok && (nameTok.k === 'ident' || nameTok.k === 'str')) {
            if (op === '.pushsection') sectionStack.push(section);
            section = nameTok.text.replace(/^"|"$/g, '');
            doc.sections.push({ name: section, tok: s.op! });
          }
        } else if (op === '.popsection' || op === '.previous') {
          section = sectionStack.pop() ?? section;
        } else if (op === '.text' || op === '.data' || op === '.bss' || op === '.rodata') {
          section = op;
          doc.sections.push({ name: op, tok: s.op! });
        } else if (op === '.code32' || op === '.code64' || op === '.code16') {
          const b = op === '.code64' ? 64 : 32;
          if (bits === undefined) doc.bits = b;
          bits = b;
          s.bits = b;
        } else if (op !== '.type' && op !== '.size' && op !== '.file' && op !== '.ident' && op !== '.include' && op !== '.incbin' && op !== '.ascii' && op !== '.asciz' && op !== '.string') {
          for (const t of rest) addRef(doc, t);
        } else if (op === '.type' || op === '.size') {
          if (rest[0]) addRef(doc, rest[0]);
          for (const t of rest.slice(1)) if (op === '.size') addRef(doc, t);
        }
      } else {
        if (s.op?.k === 'ident') doc.refs.push(s.op); // possibly a macro invocation; resolved by name later
        let prevAt = false;
        for (const t of rest) {
          if (!prevAt) addRef(doc, t);
          prevAt = t.k === 'punct' && t.text === '@';
        }
      }
      pushStatement(doc, s);
    }
  }
  return doc;
}

function addRef(doc: ScannedDoc, t: Tok): void {
  if (t.k === 'ident' && t.text !== '.') doc.refs.push(t);
  else if (t.k === 'numlabel') doc.numRefs.push(t);
}

function pushStatement(doc: ScannedDoc, s: Statement): void {
  doc.statements.push(s);
  const l = doc.byLine.get(s.line);
  if (l) l.push(s); else doc.byLine.set(s.line, [s]);
}

function before(a: Tok, b: Tok): boolean {
  return a.line < b.line || (a.line === b.line && a.start < b.start);
}

/** The definition a 1f/1b reference resolves to (GNU as: nearest following / preceding definition). */
export function resolveNumericRef(doc: ScannedDoc, ref: Tok): NumericLabelDef | undefined {
  const n = String(BigInt(ref.text.slice(0, -1)));
  const defs = doc.numDefs.filter((d) => String(BigInt(d.n)) === n);
  if (ref.dir === 'b') {
    let best: NumericLabelDef | undefined;
    for (const d of defs) if (before(d.tok, ref)) best = d;
    return best;
  }
  return defs.find((d) => before(ref, d.tok));
}

/** References (1f/1b) that resolve to a numeric-label definition. */
export function numericRefsTo(doc: ScannedDoc, def: NumericLabelDef): Tok[] {
  return doc.numRefs.filter((r) => resolveNumericRef(doc, r) === def);
}

/** Token at a 0-based position (inclusive of the end so the cursor just after a word still hits it). */
export function tokenAt(doc: ScannedDoc, line: number, character: number): { tok: Tok; stmt: Statement } | undefined {
  const stmts = doc.byLine.get(line);
  if (!stmts) return undefined;
  let hit: { tok: Tok; stmt: Statement } | undefined;
  for (const s of stmts) {
    const all = [...s.labels, ...s.prefixes, ...(s.op ? [s.op] : []), ...s.operands.flat()];
    for (const t of all) {
      if (character >= t.start && character < t.end) return { tok: t, stmt: s };
      if (character === t.end && t.k !== 'punct') hit = { tok: t, stmt: s };
    }
  }
  return hit;
}

/** Definitions of a name (labels, equates, macros, .comm). */
export function defsOf(doc: ScannedDoc, name: string): SymbolDef[] {
  return doc.defs.filter((d) => d.name === name);
}

/** Nearest named label defined at or before a line (for the decoder ring's context). */
export function labelAbove(doc: ScannedDoc, line: number): string | undefined {
  let best: SymbolDef | undefined;
  for (const d of doc.defs) {
    if (d.kind !== 'label' || d.tok.line > line) continue;
    if (!best || d.tok.line >= best.tok.line) best = d;
  }
  return best?.name;
}
