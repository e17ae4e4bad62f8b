// Intel (`.intel_syntax noprefix`) operand parser: registers, `dword ptr [base+index*scale+disp]`,
// `fs:[...]`, `offset sym`, `st(i)`, far pointers `sel:off`, and bare expressions.

import { Token } from './lexer';
import { Expr, ExprHooks, ExprParser } from './expr';
import { lookupRegister, RegInfo, stRegister } from './registers';
import { checkMem, MemOp, ParsedOperand } from './operands';
import { AsmError } from './types';

const SIZES: Record<string, number> = {
  byte: 1, word: 2, dword: 4, fword: 6, qword: 8, mmword: 8, tbyte: 10, tword: 10,
  oword: 16, xmmword: 16, ymmword: 32, zmmword: 64,
};

function isPunct(t: Token | undefined, p: string): boolean {
  return !!t && t.k === 'punct' && t.text === p;
}

function regIdent(t: Token | undefined): RegInfo | undefined {
  if (!t || t.k !== 'ident') return undefined;
  return lookupRegister(t.text);
}

function exprFrom(toks: Token[], hooks: ExprHooks): Expr {
  if (toks.length === 0) throw new AsmError('missing expression');
  const p = new ExprParser(toks, hooks);
  const e = p.parse();
  if (!p.atEnd()) { const t = p.peek()!; throw new AsmError(`junk '${t.text}' in operand`, t.col, t.end); }
  return e;
}

export function parseIntelOperand(toks: Token[], hooks: ExprHooks): ParsedOperand {
  if (toks.length === 0) throw new AsmError('missing operand');
  const col = toks[0].col, end = toks[toks.length - 1].end;
  let i = 0;
  let size: number | undefined;
  // size keyword: `dword ptr`
  const w = toks[0].k === 'ident' ? toks[0].text.toLowerCase() : '';
  if (SIZES[w] !== undefined && (toks.length > 1) && !regIdent(toks[0])) {
    size = SIZES[w];
    i = 1;
    if (toks[i]?.k === 'ident' && toks[i].text.toLowerCase() === 'ptr') i++;
  }
  let rest = toks.slice(i);
  while (rest.length > 1 && rest[0].k === 'ident' && ['short', 'near'].includes(rest[0].text.toLowerCase())) rest = rest.slice(1);
  if (rest.length === 0) throw new AsmError('missing operand after size keyword', col, end);
  if (rest[0].k === 'ident' && rest[0].text.toLowerCase() === 'offset') {
    let r2 = rest.slice(1);
    if (r2.length >= 2 && r2[0].k === 'ident' && r2[0].text.toLowerCase() === 'flat' && isPunct(r2[1], ':')) r2 = r2.slice(2);
    return { star: false, op: { k: 'imm', e: exprFrom(r2, hooks), col, end } };
  }
  // register or st(i)
  const r0 = regIdent(rest[0]);
  if (r0 && rest.length === 1 && size === undefined) return { star: false, op: { k: 'reg', r: r0, col, end } };
  if (r0 && r0.name === 'st' && isPunct(rest[1], '(')) {
    const n = rest[2];
    if (!n || n.k !== 'num' || !isPunct(rest[3], ')') || rest.length !== 4) throw new AsmError('bad st(N) operand', col, end);
    const st = stRegister(Number(n.value));
    if (!st || n.value! > 7n) throw new AsmError(`invalid FPU register st(${n.text})`, col, end);
    return { star: false, op: { k: 'reg', r: st, col, end } };
  }
  let seg: RegInfo | undefined;
  if (r0 && r0.cls === 'seg' && isPunct(rest[1], ':')) { seg = r0; rest = rest.slice(2); }
  const hasBracket = rest.some((t) => isPunct(t, '['));
  if (!hasBracket) {
    if (seg || size !== undefined) {
      // `dword ptr sym` / `fs:0x10`: absolute memory
      const m: MemOp = { k: 'mem', seg, scale: 1, size, disp: exprFrom(rest, hooks), col, end };
      checkMem(m);
      return { star: false, op: m };
    }
    // far pointer sel:off
    const colon = rest.findIndex((t) => isPunct(t, ':'));
    if (colon > 0) {
      return { star: false, op: { k: 'far', sel: exprFrom(rest.slice(0, colon), hooks), off: exprFrom(rest.slice(colon + 1), hooks), col, end } };
    }
    const rr = regIdent(rest[0]);
    if (rr && rest.length === 1) return { star: false, op: { k: 'reg', r: rr, col, end } };
    return { star: false, op: { k: 'imm', e: exprFrom(rest, hooks), col, end, bare: true } };
  }
  const m: MemOp = { k: 'mem', seg, scale: 1, size, col, end };
  const dispParts: { neg: boolean; toks: Token[] }[] = [];
  let j = 0;
  const outside: Token[] = [];
  while (j < rest.length) {
    if (isPunct(rest[j], '[')) {
      let depth = 0, k = j;
      for (; k < rest.length; k++) {
        if (isPunct(rest[k], '[')) depth++;
        else if (isPunct(rest[k], ']')) { depth--; if (depth === 0) break; }
      }
      if (k >= rest.length) throw new AsmError("missing ']'", rest[j].col, end);
      parseBracket(rest.slice(j + 1, k), m, dispParts);
      j = k + 1;
    } else {
      outside.push(rest[j]);
      j++;
    }
  }
  if (outside.length > 0) {
    // displacement written outside the brackets: `sym[eax]` or `[eax]+8`
    let toksOut = outside;
    let neg = false;
    if (isPunct(toksOut[0], '+')) toksOut = toksOut.slice(1);
    else if (isPunct(toksOut[0], '-')) { toksOut = toksOut.slice(1); neg = true; }
    if (toksOut.length > 0) dispParts.push({ neg, toks: toksOut });
  }
  let disp: Expr | undefined;
  for (const p of dispParts) {
    const e = exprFrom(p.toks, hooks);
    if (!disp) disp = p.neg ? { k: 'un', op: '-', e } : e;
    else disp = { k: 'bin', op: p.neg ? '-' : '+', a: disp, b: e, col: p.toks[0].col };
  }
  m.disp = disp;
  checkMem(m);
  return { star: false, op: m };
}

/** Contents of one `[...]`: optional `seg:`, then `+`/`-` separated terms. */
function parseBracket(toks: Token[], m: MemOp, disp: { neg: boolean; toks: Token[] }[]): void {
  let ts = toks;
  const r0 = regIdent(ts[0]);
  if (r0 && r0.cls === 'seg' && isPunct(ts[1], ':')) { m.seg = r0; ts = ts.slice(2); }
  // split into terms at top-level + / -
  const terms: { neg: boolean; toks: Token[] }[] = [];
  let cur: Token[] = [];
  let neg = false;
  let depth = 0;
  for (const t of ts) {
    if (t.k === 'punct' && t.text === '(') depth++;
    if (t.k === 'punct' && t.text === ')') depth--;
    if (depth === 0 && t.k === 'punct' && (t.text === '+' || t.text === '-') && cur.length > 0) {
      terms.push({ neg, toks: cur });
      cur = [];
      neg = t.text === '-';
      continue;
    }
    if (depth === 0 && t.k === 'punct' && (t.text === '+' || t.text === '-') && cur.length === 0) {
      if (t.text === '-') neg = !neg;
      continue;
    }
    cur.push(t);
  }
  if (cur.length > 0) terms.push({ neg, toks: cur });
  for (const term of terms) {
    const t = term.toks;
    const r = regIdent(t[0]);
    if (r && t.length === 1) {
      if (term.neg) throw new AsmError(`register '${r.name}' cannot be subtracted`, t[0].col, t[0].end);
      if (r.cls === 'ip' || !m.base) { if (m.base) throw new AsmError('too many base registers', t[0].col, t[0].end); m.base = r; }
      else if (!m.index) m.index = r;
      else throw new AsmError('too many registers in memory operand', t[0].col, t[0].end);
      continue;
    }
    // reg*scale or scale*reg
    if (t.length === 3 && isPunct(t[1], '*')) {
      const ra = regIdent(t[0]), rb = regIdent(t[2]);
      const reg = ra ?? rb;
      const num = ra ? t[2] : t[0];
      if (reg && num.k === 'num') {
        if (m.index) throw new AsmError('too many index registers', t[0].col, t[2].end);
        m.index = reg;
        m.scale = Number(num.value);
        continue;
      }
    }
    if (t.some((x) => regIdent(x))) {
      const bad = t.find((x) => regIdent(x))!;
      throw new AsmError(`register '${bad.text}' not allowed in this part of a memory operand`, bad.col, bad.end);
    }
    disp.push(term);
  }
}
