// AT&T operand parser: $imm, %reg, %st(i), *indirect, [%seg:]disp(%base,%index,scale).

import { Token } from './lexer';
import { Expr, ExprHooks, ExprParser } from './expr';
import { lookupRegister, RegInfo, stRegister } from './registers';
import { checkMem, MemOp, ParsedOperand } from './operands';
import { AsmError } from './types';

function regOf(t: Token): RegInfo {
  const r = lookupRegister(t.text);
  if (!r) throw new AsmError(`bad register name '%${t.text}'`, t.col, t.end);
  return r;
}

function exprFrom(toks: Token[], hooks: ExprHooks): Expr {
  const p = new ExprParser(toks, hooks);
  const e = p.parse();
  if (!p.atEnd()) { const t = p.peek()!; throw new AsmError(`junk '${t.text}' in operand`, t.col, t.end); }
  return e;
}

export function parseAttOperand(toks: Token[], hooks: ExprHooks): ParsedOperand {
  if (toks.length === 0) throw new AsmError('missing operand');
  const col = toks[0].col, end = toks[toks.length - 1].end;
  let star = false;
  let i = 0;
  if (toks[0].k === 'punct' && toks[0].text === '*') { star = true; i = 1; }
  const rest = toks.slice(i);
  if (rest.length === 0) throw new AsmError("missing operand after '*'", col, end);
  const t0 = rest[0];
  if (t0.k === 'punct' && t0.text === '$') {
    if (star) throw new AsmError("immediate operand cannot be indirect ('*$')", col, end);
    if (rest.length === 1) throw new AsmError("missing expression after '$'", t0.col, t0.end);
    return { star, op: { k: 'imm', e: exprFrom(rest.slice(1), hooks), col, end } };
  }
  if (t0.k === 'reg') {
    const r = regOf(t0);
    // %st(N)
    if (r.name === 'st' && rest.length >= 2 && rest[1].k === 'punct' && rest[1].text === '(') {
      const n = rest[2];
      if (!n || n.k !== 'num' || rest[3]?.text !== ')' || rest.length !== 4) throw new AsmError('bad %st(N) operand', col, end);
      const st = stRegister(Number(n.value));
      if (!st || n.value! > 7n) throw new AsmError(`invalid FPU register %st(${n.text})`, col, end);
      return { star, op: { k: 'reg', r: st, col, end } };
    }
    if (rest.length === 1) return { star, op: { k: 'reg', r, col, end } };
    // segment override
    if (rest[1].k === 'punct' && rest[1].text === ':') {
      if (r.cls !== 'seg') throw new AsmError(`'%${r.name}' is not a segment register`, t0.col, t0.end);
      const m = parseMem(rest.slice(2), hooks, col, end);
      m.seg = r;
      checkMem(m);
      return { star, op: m };
    }
    throw new AsmError(`junk '${rest[1].text}' after register`, rest[1].col, rest[1].end);
  }
  const m = parseMem(rest, hooks, col, end);
  // `(%dx)` is how GNU as spells the port operand of in/out.
  if (m.base?.name === 'dx' && !m.index && !m.disp) return { star, op: { k: 'reg', r: m.base, col, end } };
  checkMem(m);
  return { star, op: m };
}

/** disp(base,index,scale) — any part optional; a parenthesised group is an address only if it holds a register or a comma. */
function parseMem(toks: Token[], hooks: ExprHooks, col: number, end: number): MemOp {
  const m: MemOp = { k: 'mem', scale: 1, col, end };
  if (toks.length === 0) throw new AsmError('missing memory operand', col, end);
  const last = toks[toks.length - 1];
  let dispToks = toks;
  if (last.k === 'punct' && last.text === ')') {
    // find the matching '('
    let depth = 0, open = -1;
    for (let j = toks.length - 1; j >= 0; j--) {
      const t = toks[j];
      if (t.k === 'punct' && t.text === ')') depth++;
      else if (t.k === 'punct' && t.text === '(') { depth--; if (depth === 0) { open = j; break; } }
    }
    if (open < 0) throw new AsmError("unbalanced ')'", last.col, last.end);
    const inner = toks.slice(open + 1, toks.length - 1);
    const isAddr = inner.length === 0 || inner[0].k === 'reg' || (inner[0].k === 'punct' && inner[0].text === ',');
    if (isAddr) {
      dispToks = toks.slice(0, open);
      parseBaseIndex(inner, m, toks[open]);
    }
  }
  if (dispToks.length > 0) m.disp = exprFrom(dispToks, hooks);
  return m;
}

function parseBaseIndex(inner: Token[], m: MemOp, open: Token): void {
  const parts: Token[][] = [[]];
  for (const t of inner) {
    if (t.k === 'punct' && t.text === ',') parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  if (parts.length > 3) throw new AsmError('too many parts in memory operand', open.col, open.end);
  const [b, x, s] = parts;
  if (b.length > 0) {
    if (b.length !== 1 || b[0].k !== 'reg') throw new AsmError('bad base register in memory operand', b[0].col, b[b.length - 1].end);
    m.base = regOf(b[0]);
  }
  if (x && x.length > 0) {
    if (x.length !== 1 || x[0].k !== 'reg') throw new AsmError('bad index register in memory operand', x[0].col, x[x.length - 1].end);
    m.index = regOf(x[0]);
  }
  if (s && s.length > 0) {
    if (s.length !== 1 || s[0].k !== 'num') throw new AsmError('scale factor must be a number', s[0].col, s[s.length - 1].end);
    m.scale = Number(s[0].value);
  } else if (s && s.length === 0 && !m.index) {
    throw new AsmError('missing scale factor', open.col, open.end);
  }
}
