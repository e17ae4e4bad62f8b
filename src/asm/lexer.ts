// Lexer for GNU-as style source: comment stripping, statement splitting on ';', and tokenizing one
// statement into identifiers, numbers, strings, character constants, %registers and punctuation.

import { AsmError } from './types';

export type TokKind = 'ident' | 'num' | 'str' | 'reg' | 'punct' | 'numlabel';

export interface Token {
  k: TokKind;
  /** Source text of the token (for 'reg': the name without '%'; for 'str': the decoded string). */
  text: string;
  /** 1-based column of the first character, and of one past the last. */
  col: number;
  end: number;
  /** Numbers and character constants. */
  value?: bigint;
  /** 'numlabel' (1f / 1b): direction. */
  dir?: 'f' | 'b';
  /** Strings: decoded bytes. */
  bytes?: number[];
}

export interface CommentState { inBlock: boolean }

/**
 * Remove comments from one physical line, replacing them with spaces so columns stay valid.
 * Handles `#` and `//` to end of line and `/* ... *\/` (possibly spanning lines, tracked in `st`).
 */
export function stripComments(line: string, st: CommentState): string {
  let out = '';
  let i = 0;
  const n = line.length;
  while (i < n) {
    if (st.inBlock) {
      const e = line.indexOf('*/', i);
      if (e < 0) { out += ' '.repeat(n - i); return out; }
      out += ' '.repeat(e + 2 - i);
      i = e + 2;
      st.inBlock = false;
      continue;
    }
    const c = line[i];
    if (c === '"') {
      const j = skipString(line, i);
      out += line.slice(i, j);
      i = j;
      continue;
    }
    if (c === "'") {
      const j = skipChar(line, i);
      out += line.slice(i, j);
      i = j;
      continue;
    }
    if (c === '#') { out += ' '.repeat(n - i); return out; }
    if (c === '/' && line[i + 1] === '/') { out += ' '.repeat(n - i); return out; }
    if (c === '/' && line[i + 1] === '*') { st.inBlock = true; out += '  '; i += 2; continue; }
    out += c;
    i++;
  }
  return out;
}

/** Index just past a string literal starting at `i` (which holds '"'). Unterminated: end of line. */
export function skipString(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === '\\') { j += 2; continue; }
    if (s[j] === '"') return j + 1;
    j++;
  }
  return s.length;
}

/** Index just past a character constant `'c`, `'c'` or `'\n'` starting at `i`. */
export function skipChar(s: string, i: number): number {
  let j = i + 1;
  if (j >= s.length) return j;
  if (s[j] === '\\') {
    j++;
    if (j < s.length && (s[j] === 'x' || s[j] === 'X')) { j++; while (j < s.length && /[0-9a-fA-F]/.test(s[j])) j++; }
    else if (j < s.length && /[0-7]/.test(s[j])) { let k = 0; while (j < s.length && k < 3 && /[0-7]/.test(s[j])) { j++; k++; } }
    else j++;
  } else j++;
  if (s[j] === "'") j++;
  return Math.min(j, s.length);
}

export interface StatementText { text: string; col: number }

/** Split a comment-free line into statements on ';' (outside strings and character constants). */
export function splitStatements(line: string): StatementText[] {
  const out: StatementText[] = [];
  let start = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') { i = skipString(line, i); continue; }
    if (c === "'") { i = skipChar(line, i); continue; }
    if (c === ';') {
      out.push({ text: line.slice(start, i), col: start + 1 });
      start = i + 1;
    }
    i++;
  }
  out.push({ text: line.slice(start), col: start + 1 });
  return out.filter((s) => s.text.trim() !== '');
}

const PUNCT3 = ['<<=', '>>='];
const PUNCT2 = ['<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '<>'];
const PUNCT1 = '+-*/%&|^~!()[],:$=<>@{}\\?';

export function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.';
}
export function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}

/** Decode backslash escapes of a string or character body starting at s[i] === '\\'. Returns [byte, next]. */
function decodeEscape(s: string, i: number): [number, number] {
  const c = s[i + 1];
  if (c === undefined) return [92, i + 1];
  switch (c) {
    case 'n': return [10, i + 2];
    case 't': return [9, i + 2];
    case 'r': return [13, i + 2];
    case 'b': return [8, i + 2];
    case 'f': return [12, i + 2];
    case 'v': return [11, i + 2];
    case 'a': return [7, i + 2];
    case 'e': return [27, i + 2];
    case '\\': return [92, i + 2];
    case '"': return [34, i + 2];
    case "'": return [39, i + 2];
    case 'x': case 'X': {
      let j = i + 2; let v = 0; let any = false;
      while (j < s.length && /[0-9a-fA-F]/.test(s[j])) { v = ((v << 4) | parseInt(s[j], 16)) & 0xff; j++; any = true; }
      return [any ? v : 120, j];
    }
    default:
      if (c >= '0' && c <= '7') {
        let j = i + 1; let v = 0; let k = 0;
        while (j < s.length && k < 3 && s[j] >= '0' && s[j] <= '7') { v = v * 8 + (s.charCodeAt(j) - 48); j++; k++; }
        return [v & 0xff, j];
      }
      return [c.charCodeAt(0) & 0xff, i + 2];
  }
}

function utf8(ch: string): number[] {
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return [code];
  return Array.from(new TextEncoder().encode(ch));
}

/**
 * Tokenize one statement. `col0` is the 1-based column of text[0] in the physical line.
 * `intel` enables `10h`-style hex numbers and disables `%reg` tokens.
 */
export function tokenize(text: string, col0: number, intel = false): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    const col = col0 + i;
    if (c === '"') {
      const bytes: number[] = [];
      let j = i + 1;
      let closed = false;
      while (j < n) {
        if (text[j] === '\\') { const [b, nj] = decodeEscape(text, j); bytes.push(b); j = nj; continue; }
        if (text[j] === '"') { closed = true; j++; break; }
        const cp = text.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        bytes.push(...utf8(ch));
        j += ch.length;
      }
      if (!closed) throw new AsmError('unterminated string', col, col0 + n);
      toks.push({ k: 'str', text: String.fromCharCode(...bytes.slice(0, 4096)), col, end: col0 + j, bytes });
      i = j;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let v = 0;
      if (j >= n) throw new AsmError('bad character constant', col, col + 1);
      if (text[j] === '\\') { const [b, nj] = decodeEscape(text, j); v = b; j = nj; }
      else { v = text.codePointAt(j)!; j += String.fromCodePoint(v).length; }
      if (text[j] === "'") j++;
      toks.push({ k: 'num', text: text.slice(i, j), col, end: col0 + j, value: BigInt(v) });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i;
      while (j < n && isIdentChar(text[j])) j++;
      const word = text.slice(i, j);
      toks.push(parseNumber(word, col, col0 + j, intel));
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text[j])) j++;
      toks.push({ k: 'ident', text: text.slice(i, j), col, end: col0 + j });
      i = j;
      continue;
    }
    if (c === '%' && intel && i + 1 < n && isIdentStart(text[i + 1]) && text[i + 1] !== '.') {
      // `.intel_syntax prefix`: %eax is the register eax
      i++;
      continue;
    }
    if (c === '%' && !intel && i + 1 < n && isIdentStart(text[i + 1]) && text[i + 1] !== '.') {
      let j = i + 2;
      while (j < n && isIdentChar(text[j])) j++;
      toks.push({ k: 'reg', text: text.slice(i + 1, j).toLowerCase(), col, end: col0 + j });
      i = j;
      continue;
    }
    let p = '';
    for (const cand of PUNCT3) if (text.startsWith(cand, i)) { p = cand; break; }
    if (!p) for (const cand of PUNCT2) if (text.startsWith(cand, i)) { p = cand; break; }
    if (!p && PUNCT1.includes(c)) p = c;
    if (!p) throw new AsmError(`unexpected character '${c}'`, col, col + 1);
    toks.push({ k: 'punct', text: p, col, end: col + p.length });
    i += p.length;
  }
  return toks;
}

function parseNumber(word: string, col: number, end: number, intel: boolean): Token {
  const lw = word.toLowerCase();
  const bad = (): never => { throw new AsmError(`invalid number '${word}'`, col, end); };
  let v: bigint;
  if (/^[0-9]+[fb]$/.test(lw) && !/^0b[01]+$/.test(lw)) {
    return { k: 'numlabel', text: word, col, end, value: BigInt(lw.slice(0, -1)), dir: lw.endsWith('f') ? 'f' : 'b' };
  }
  if (lw.startsWith('0x')) {
    if (!/^0x[0-9a-f]+$/.test(lw)) bad();
    v = BigInt(lw);
  } else if (/^0b[01]+$/.test(lw)) {
    v = BigInt(lw);
  } else if (intel && /^[0-9][0-9a-f]*h$/.test(lw)) {
    v = BigInt('0x' + lw.slice(0, -1));
  } else if (/^0[0-7]+$/.test(lw)) {
    v = BigInt('0o' + lw.slice(1));
  } else if (/^[0-9]+$/.test(lw)) {
    v = BigInt(lw);
  } else {
    return bad();
  }
  return { k: 'num', text: word, col, end, value: BigInt.asUintN(64, v) };
}

/** Split tokens at top-level commas (not inside (), [] or {}). */
export function splitOnCommas<T extends { k: string; text: string }>(toks: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let depth = 0;
  for (const t of toks) {
    if (t.k === 'punct') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth = Math.max(0, depth - 1);
      else if (t.text === ',' && depth === 0) { out.push(cur); cur = []; continue; }
    }
    cur.push(t);
  }
  out.push(cur);
  return out;
}
