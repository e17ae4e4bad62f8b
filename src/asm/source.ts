// Statement source: a stack of input frames (files, macro expansions, .rept/.irp bodies) with
// comment stripping, ';' splitting, macro argument substitution and expansion limits.

import { CommentState, splitStatements, stripComments } from './lexer';
import { SourceLoc } from './types';

export interface Stmt { text: string; col: number; loc: SourceLoc }

export interface MacroParam { name: string; def?: string; req: boolean; vararg: boolean }
export interface MacroDef { name: string; params: MacroParam[]; body: Stmt[]; loc: SourceLoc }

interface Frame { kind: 'file' | 'macro' | 'body'; next(): Stmt | undefined; name?: string }

class FileFrame implements Frame {
  kind = 'file' as const;
  private lines: string[];
  private i = 0;
  private queue: Stmt[] = [];
  private cs: CommentState = { inBlock: false };
  constructor(public file: string, text: string) {
    this.lines = text.split(/\r\n|\n|\r/);
  }
  next(): Stmt | undefined {
    while (this.queue.length === 0) {
      if (this.i >= this.lines.length) return undefined;
      const lineNo = ++this.i;
      const raw = this.lines[lineNo - 1];
      const clean = stripComments(raw, this.cs);
      for (const s of splitStatements(clean)) {
        const lead = s.text.length - s.text.trimStart().length;
        this.queue.push({ text: s.text, col: s.col, loc: { file: this.file, line: lineNo, column: s.col + lead, endColumn: s.col + s.text.trimEnd().length } });
      }
    }
    return this.queue.shift();
  }
}

class BodyFrame implements Frame {
  private iter = 0;
  private idx = 0;
  constructor(
    public kind: 'macro' | 'body',
    private body: Stmt[],
    private reps: number,
    private subst: ((text: string, iter: number) => string) | undefined,
    private via: SourceLoc['via'] | undefined,
    public name?: string,
  ) {}
  next(): Stmt | undefined {
    if (this.body.length === 0) return undefined;
    if (this.idx >= this.body.length) { this.iter++; this.idx = 0; }
    if (this.iter >= this.reps) return undefined;
    const s = this.body[this.idx++];
    const text = this.subst ? this.subst(s.text, this.iter) : s.text;
    const via = s.loc.via ?? this.via;
    return { text, col: s.col, loc: via ? { ...s.loc, via } : s.loc };
  }
}

export class SourceReader {
  private frames: Frame[] = [];
  private count = 0;
  limitHit = false;
  timeHit = false;
  constructor(public readonly maxStatements = 500_000, public readonly maxDepth = 100, private readonly deadline = Infinity) {}

  get depth(): number { return this.frames.length; }
  fileDepth(): number { return this.frames.filter((f) => f.kind === 'file').length; }
  macroDepth(): number { return this.frames.filter((f) => f.kind === 'macro').length; }
  currentFile(): string | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) { const f = this.frames[i]; if (f instanceof FileFrame) return f.file; }
    return undefined;
  }

  pushFile(file: string, text: string): void { this.frames.push(new FileFrame(file, text)); }

  pushMacro(def: MacroDef, args: Map<string, string>, counter: number, via: NonNullable<SourceLoc['via']>): void {
    this.frames.push(new BodyFrame('macro', def.body, 1, (t) => substituteParams(t, args, counter), via, def.name));
  }

  pushBody(body: Stmt[], reps: number, subst?: (text: string, iter: number) => string): void {
    this.frames.push(new BodyFrame('body', body, reps, subst, undefined));
  }

  /** `.end`: stop reading input. */
  stop(): void { this.frames.length = 0; }

  /** `.exitm`: drop everything up to and including the innermost macro frame. */
  exitMacro(): boolean {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i].kind === 'macro') { this.frames.length = i; return true; }
    }
    return false;
  }

  next(): Stmt | undefined {
    while (this.frames.length > 0) {
      const s = this.frames[this.frames.length - 1].next();
      if (s) {
        if (++this.count > this.maxStatements) { this.limitHit = true; this.frames.length = 0; return undefined; }
        if ((this.count & 1023) === 0 && Date.now() > this.deadline) { this.timeHit = true; this.frames.length = 0; return undefined; }
        return s;
      }
      this.frames.pop();
    }
    return undefined;
  }
}

const PARAM_CHAR = /[A-Za-z0-9_$]/;

/** Replace `\name`, `\()` and `\@` in macro body text. */
export function substituteParams(text: string, args: Map<string, string>, counter: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '\\') { out += c; i++; continue; }
    if (text[i + 1] === '(' && text[i + 2] === ')') { i += 3; continue; }
    if (text[i + 1] === '@') { out += String(counter); i += 2; continue; }
    let j = i + 1;
    while (j < text.length && PARAM_CHAR.test(text[j])) j++;
    const name = text.slice(i + 1, j);
    if (name && args.has(name)) { out += args.get(name)!; i = j; continue; }
    out += c;
    i++;
  }
  return out;
}

/**
 * Value of one macro/.irp argument as GNU as binds it (macro.c getstring): an argument that starts with a
 * quote loses its quotes (`"xen-3.0"` -> `xen-3.0`, a doubled `""` inside stands for one quote, escapes are kept),
 * so `.asciz "\str"` in the body re-quotes it. Anything else is bound as written.
 */
export function macroArgValue(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  let out = '';
  let i = 0;
  while (raw[i] === '"') {
    i++;
    let escaped = false;
    while (i < raw.length) {
      const c = raw[i];
      if (c === '"' && !escaped) {
        i++;
        if (raw[i] !== '"') break;
      }
      escaped = c === '\\' ? !escaped : false;
      out += raw[i] ?? '';
      i++;
    }
  }
  return out + raw.slice(i);
}

/** Split macro invocation arguments: on top-level commas, else on whitespace (GNU as accepts both). */
export function splitMacroArgs(text: string): string[] {
  const t = text.trim();
  if (t === '') return [];
  const parts: string[] = [];
  let depth = 0, cur = '', inStr = false, sawComma = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (inStr) {
      cur += c;
      if (c === '\\' && i + 1 < t.length) { cur += t[++i]; continue; }
      if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') { inStr = true; cur += c; continue; }
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) { parts.push(cur.trim()); cur = ''; sawComma = true; continue; }
    cur += c;
  }
  parts.push(cur.trim());
  if (!sawComma && parts.length === 1) {
    // whitespace-separated arguments, unless they look like an expression with operators
    const ws = splitOnBlanks(parts[0]);
    if (ws.length > 1 && !ws.some((w) => /^[-+*/%&|^<>=!]+$/.test(w))) return ws;
  }
  return parts;
}

function splitOnBlanks(s: string): string[] {
  const out: string[] = [];
  let cur = '', inStr = false, depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) { cur += c; if (c === '\\' && i + 1 < s.length) cur += s[++i]; else if (c === '"') inStr = false; continue; }
    if (c === '"') { inStr = true; cur += c; continue; }
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    if ((c === ' ' || c === '\t') && depth === 0) { if (cur) out.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}
