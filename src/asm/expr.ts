// Expression parser and evaluator (GNU as precedence, 64-bit two's complement arithmetic in BigInt).
// Values are absolute, relative to an anchor (label position known at parse time), or unknown.

import { AsmError } from './types';
import { Token } from './lexer';

export type Expr =
  | { k: 'num'; v: bigint }
  | { k: 'sym'; name: string; col: number; end: number }
  | { k: 'un'; op: string; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr; col: number };

export type Val =
  | { k: 'abs'; v: bigint }
  | { k: 'rel'; anchor: string; off: bigint }
  | { k: 'unk' };

export interface ExprHooks {
  /** `.` was used: return the name of a symbol standing for the current location. */
  dot(): string;
  /** `1f` / `1b`: return the internal symbol name. */
  numLabel(n: bigint, dir: 'f' | 'b', col: number, end: number): string;
}

const BIN_PREC: Record<string, number> = {
  '*': 4, '/': 4, '%': 4, '<<': 4, '>>': 4,
  '|': 3, '&': 3, '^': 3, '!': 3,
  '+': 2, '-': 2, '==': 2, '<>': 2, '!=': 2, '<': 2, '>': 2, '>=': 2, '<=': 2,
  '&&': 1, '||': 1,
};

const MAX_DEPTH = 200;

export class ExprParser {
  pos = 0;
  private depth = 0;
  constructor(private toks: Token[], private hooks: ExprHooks, start = 0) { this.pos = start; }

  atEnd(): boolean { return this.pos >= this.toks.length; }
  peek(): Token | undefined { return this.toks[this.pos]; }

  parse(): Expr {
    return this.parseBin(1);
  }

  private parseBin(minPrec: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.toks[this.pos];
      if (!t || t.k !== 'punct') break;
      const prec = BIN_PREC[t.text];
      if (prec === undefined || prec < minPrec) break;
      this.pos++;
      const right = this.parseBin(prec + 1);
      left = { k: 'bin', op: t.text, a: left, b: right, col: t.col };
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.toks[this.pos];
    if (!t) {
      const last = this.toks[this.toks.length - 1];
      throw new AsmError('missing expression', last ? last.end : undefined);
    }
    if (++this.depth > MAX_DEPTH) throw new AsmError('expression too deeply nested', t.col, t.end);
    try {
      if (t.k === 'punct' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
        this.pos++;
        const e = this.parseUnary();
        return t.text === '+' ? e : { k: 'un', op: t.text, e };
      }
      if (t.k === 'punct' && t.text === '(') {
        this.pos++;
        const e = this.parseBin(1);
        const c = this.toks[this.pos];
        if (!c || c.k !== 'punct' || c.text !== ')') throw new AsmError("missing ')'", c ? c.col : t.col, c ? c.end : t.end);
        this.pos++;
        return e;
      }
      if (t.k === 'num') { this.pos++; return { k: 'num', v: t.value! }; }
      if (t.k === 'numlabel') {
        this.pos++;
        return { k: 'sym', name: this.hooks.numLabel(t.value!, t.dir!, t.col, t.end), col: t.col, end: t.end };
      }
      if (t.k === 'ident') {
        this.pos++;
        if (t.text === '.') return { k: 'sym', name: this.hooks.dot(), col: t.col, end: t.end };
        return { k: 'sym', name: t.text, col: t.col, end: t.end };
      }
      if (t.k === 'str' && t.bytes && t.bytes.length === 1) { this.pos++; return { k: 'num', v: BigInt(t.bytes[0]) }; }
      if (t.k === 'reg') throw new AsmError(`register '%${t.text}' not allowed in an expression`, t.col, t.end);
      if (t.k === 'str') throw new AsmError('unexpected string in expression', t.col, t.end);
      throw new AsmError(`unexpected '${t.text}' in expression`, t.col, t.end);
    } finally {
      this.depth--;
    }
  }
}

/** Parse a complete expression from tokens; error if tokens remain. */
export function parseExpr(toks: Token[], hooks: ExprHooks): Expr {
  if (toks.length === 0) throw new AsmError('missing expression');
  const p = new ExprParser(toks, hooks);
  const e = p.parse();
  if (!p.atEnd()) {
    const t = p.peek()!;
    throw new AsmError(`junk '${t.text}' after expression`, t.col, t.end);
  }
  return e;
}

export type Lookup = (name: string, col: number, end: number) => Val;

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => v & M64;

export function evalExpr(e: Expr, look: Lookup, depth = 0): Val {
  if (depth > MAX_DEPTH) throw new AsmError('expression too deeply nested');
  switch (e.k) {
    case 'num': return { k: 'abs', v: s64(e.v) };
    case 'sym': return look(e.name, e.col, e.end);
    case 'un': {
      const a = evalExpr(e.e, look, depth + 1);
      if (a.k !== 'abs') return { k: 'unk' };
      switch (e.op) {
        case '-': return { k: 'abs', v: s64(-a.v) };
        case '~': return { k: 'abs', v: s64(~a.v) };
        case '!': return { k: 'abs', v: a.v === 0n ? 1n : 0n };
      }
      return { k: 'unk' };
    }
    case 'bin': {
      const a = evalExpr(e.a, look, depth + 1);
      const b = evalExpr(e.b, look, depth + 1);
      if (e.op === '+') {
        if (a.k === 'abs' && b.k === 'abs') return { k: 'abs', v: s64(a.v + b.v) };
        if (a.k === 'rel' && b.k === 'abs') return { k: 'rel', anchor: a.anchor, off: a.off + b.v };
        if (a.k === 'abs' && b.k === 'rel') return { k: 'rel', anchor: b.anchor, off: b.off + a.v };
        return { k: 'unk' };
      }
      if (e.op === '-') {
        if (a.k === 'abs' && b.k === 'abs') return { k: 'abs', v: s64(a.v - b.v) };
        if (a.k === 'rel' && b.k === 'abs') return { k: 'rel', anchor: a.anchor, off: a.off - b.v };
        if (a.k === 'rel' && b.k === 'rel' && a.anchor === b.anchor) return { k: 'abs', v: s64(a.off - b.off) };
        return { k: 'unk' };
      }
      if (a.k !== 'abs' || b.k !== 'abs') return { k: 'unk' };
      const x = a.v, y = b.v;
      switch (e.op) {
        case '*': return { k: 'abs', v: s64(x * y) };
        case '/':
          if (y === 0n) throw new AsmError('division by zero', e.col, e.col + 1);
          return { k: 'abs', v: s64(x / y) };
        case '%':
          if (y === 0n) throw new AsmError('division by zero', e.col, e.col + 1);
          return { k: 'abs', v: s64(x % y) };
        case '<<': return { k: 'abs', v: u64(y) >= 64n ? 0n : s64(x << u64(y)) };
        case '>>': return { k: 'abs', v: u64(y) >= 64n ? 0n : s64(u64(x) >> u64(y)) };
        case '&': return { k: 'abs', v: s64(x & y) };
        case '|': return { k: 'abs', v: s64(x | y) };
        case '^': return { k: 'abs', v: s64(x ^ y) };
        case '!': return { k: 'abs', v: s64(x | ~y) };
        case '==': return { k: 'abs', v: x === y ? -1n : 0n };
        case '!=': case '<>': return { k: 'abs', v: x !== y ? -1n : 0n };
        case '<': return { k: 'abs', v: x < y ? -1n : 0n };
        case '>': return { k: 'abs', v: x > y ? -1n : 0n };
        case '<=': return { k: 'abs', v: x <= y ? -1n : 0n };
        case '>=': return { k: 'abs', v: x >= y ? -1n : 0n };
        case '&&': return { k: 'abs', v: x !== 0n && y !== 0n ? 1n : 0n };
        case '||': return { k: 'abs', v: x !== 0n || y !== 0n ? 1n : 0n };
      }
      return { k: 'unk' };
    }
  }
}

/** Replace symbols for which `known` returns a value by that constant (used for .set semantics). */
export function substitute(e: Expr, known: (name: string) => bigint | undefined): Expr {
  switch (e.k) {
    case 'num': return e;
    case 'sym': { const v = known(e.name); return v === undefined ? e : { k: 'num', v }; }
    case 'un': { const x = substitute(e.e, known); return x === e.e ? e : { k: 'un', op: e.op, e: x }; }
    case 'bin': {
      const a = substitute(e.a, known), b = substitute(e.b, known);
      return a === e.a && b === e.b ? e : { k: 'bin', op: e.op, a, b, col: e.col };
    }
  }
}

/** All symbol names referenced by an expression. */
export function exprSymbols(e: Expr, out: string[] = []): string[] {
  if (e.k === 'sym') out.push(e.name);
  else if (e.k === 'un') exprSymbols(e.e, out);
  else if (e.k === 'bin') { exprSymbols(e.a, out); exprSymbols(e.b, out); }
  return out;
}

/** First column of an expression (for diagnostics), if known. */
export function exprCol(e: Expr): number | undefined {
  if (e.k === 'sym') return e.col;
  if (e.k === 'bin') return exprCol(e.a) ?? e.col;
  if (e.k === 'un') return exprCol(e.e);
  return undefined;
}
