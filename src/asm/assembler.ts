// Assembler state and the statement loop: labels, assignments, conditionals, macro/rept collection,
// symbol lookup (parse-time and final), instruction parsing and item emission. Directives live in
// directives.ts; layout/encoding in layout.ts.

import { Register } from 'iced-x86';
import { evalExpr, Expr, ExprHooks, parseExpr, substitute, Val } from './expr';
import { splitOnCommas, Token, tokenize } from './lexer';
import { InsnPlan, matchInstruction } from './matcher';
import { ParsedOperand } from './operands';
import { parseAttOperand } from './operands-att';
import { parseIntelOperand } from './operands-intel';
import { lookupRegister } from './registers';
import { defaultSectionAttrs, Item, LabelItem, Section, SectionFlags, SectionType, Sym } from './sections';
import { MacroDef, macroArgValue, SourceReader, splitMacroArgs as splitArgs, Stmt } from './source';
import { AsmError, AsmOptions, Diagnostics, hex, SourceLoc } from './types';
import { Prefixes } from './encoder';
import { handleDirective } from './directives';
import { abiSymbols, allAbiSymbolNames, predefinedSymbols } from './xen-symbols';

interface CondFrame { active: boolean; taken: boolean; elseSeen: boolean; parentActive: boolean; loc: SourceLoc }
interface Collect { kind: 'macro' | 'rept'; depth: number; body: Stmt[]; start: Stmt; done: (body: Stmt[]) => void }

const PREFIX_BYTES: Record<string, number> = {
  lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2,
  cs: 0x2e, ss: 0x36, ds: 0x3e, es: 0x26, fs: 0x64, gs: 0x65,
  data16: 0x66, data32: 0x66, addr16: 0x67, addr32: 0x67, notrack: 0x3e, bnd: 0xf2, xacquire: 0xf2, xrelease: 0xf3,
};

export const MAX_IMAGE = 64 * 1024 * 1024;

export interface StmtRecord { loc: SourceLoc; text: string }

export class Assembler {
  readonly d = new Diagnostics();
  mode: 32 | 64;
  elfBits?: 32 | 64;
  intel = false;
  sections: Section[] = [];
  cur!: Section;
  prev?: Section;
  sectionStack: { cur: Section; prev?: Section }[] = [];
  syms = new Map<string, Sym>();
  private numLabels = new Map<string, number>();
  macros = new Map<string, MacroDef>();
  reader: SourceReader;
  conds: CondFrame[] = [];
  collect?: Collect;
  stmts: StmtRecord[] = [];
  stmtId = -1;
  macroCounter = 0;
  private dotCounter = 0;
  curStmt!: Stmt;
  outputBytes = 0;
  readonly hooks: ExprHooks;
  /** `.xen_note` and note sections, in order of appearance. */
  noteSection?: Section;

  constructor(public opts: AsmOptions) {
    this.reader = new SourceReader(opts.maxStatements ?? 500_000, 100, Date.now() + (opts.timeLimitMs ?? 60_000));
    this.mode = opts.bits ?? 64;
    this.elfBits = opts.bits;
    this.hooks = {
      dot: () => this.dotSymbol(),
      numLabel: (n, dir, col, end) => this.numLabelRef(n, dir, col, end),
    };
    if (opts.xenSymbols !== false) {
      for (const [name, v] of predefinedSymbols(this.mode)) this.predefine(name, v);
    }
    this.cur = this.getSection('.text');
  }

  private predefine(name: string, v: bigint): void {
    this.syms.set(name, { name, kind: 'equ', value: v, expr: { k: 'num', v }, global: false, weak: false, type: 'notype', predefined: true });
  }

  /**
   * `.code32`/`.code64`: the first one fixes the ELF class (unless the bits option did) and with it the guest
   * ABI, so the predefined FLAT_* selectors and virtual ranges switch to that ABI's header (a source
   * definition of the same name is left alone).
   */
  setCodeBits(bits: 32 | 64): void {
    this.mode = bits;
    if (this.elfBits !== undefined) return;
    this.elfBits = bits;
    if (this.opts.xenSymbols === false || bits === (this.opts.bits ?? 64)) return;
    const next = abiSymbols(bits);
    for (const name of allAbiSymbolNames()) {
      const s = this.syms.get(name);
      if (s && !s.predefined) continue;
      const v = next.get(name);
      if (v === undefined) this.syms.delete(name); else this.predefine(name, v);
    }
  }

  // ---------------------------------------------------------------- sections
  getSection(name: string, type?: SectionType, flags?: SectionFlags): Section {
    let s = this.sections.find((x) => x.name === name);
    if (!s) {
      const def = defaultSectionAttrs(name);
      s = new Section(name, type ?? def.type, flags ?? def.flags);
      const fixed = this.opts.sectionAddresses?.[name];
      if (fixed !== undefined) s.fixedAddr = BigInt(fixed);
      this.sections.push(s);
    }
    return s;
  }

  switchSection(s: Section): void {
    if (s !== this.cur) { this.prev = this.cur; this.cur = s; }
  }

  // ---------------------------------------------------------------- main loop
  run(source: string): void {
    this.reader.pushFile(this.opts.fileName, source);
    for (;;) {
      const st = this.reader.next();
      if (!st) break;
      this.curStmt = st;
      try {
        this.processStmt(st);
      } catch (e) {
        if (e instanceof AsmError) this.d.error(st.loc, e.message, e.column, e.endColumn);
        else this.d.error(st.loc, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.outputBytes > MAX_IMAGE) {
        this.d.error(st.loc, `output exceeds ${MAX_IMAGE} bytes`);
        break;
      }
    }
    if (this.reader.limitHit || this.reader.timeHit) {
      this.d.error(this.curStmt?.loc ?? this.fileLoc(), this.reader.timeHit ? 'assembly stopped: time limit exceeded'
        : `too many statements: runaway .rept/.macro expansion (limit ${this.reader.maxStatements})`);
      this.collect = undefined;
      this.conds = [];
    }
    if (this.collect) {
      this.d.error(this.collect.start.loc, this.collect.kind === 'macro' ? "missing '.endm'" : "missing '.endr'");
      this.collect = undefined;
    }
    for (const c of this.conds) this.d.error(c.loc, "missing '.endif'");
  }

  fileLoc(): SourceLoc { return { file: this.opts.fileName, line: 1, column: 1 }; }

  get active(): boolean {
    const top = this.conds[this.conds.length - 1];
    return !top || (top.active && top.parentActive);
  }

  private firstWord(text: string): string {
    const m = /^\s*([A-Za-z_.$][\w.$]*)/.exec(text);
    return m ? m[1].toLowerCase() : '';
  }

  processStmt(st: Stmt): void {
    if (this.collect) { this.collectStmt(st); return; }
    const word = this.firstWord(st.text);
    if (!this.active) {
      if (word.startsWith('.if')) this.conds.push({ active: false, taken: true, elseSeen: false, parentActive: false, loc: st.loc });
      else if (word === '.else' || word === '.elseif' || word === '.endif') this.directiveLine(st);
      return;
    }
    let text = st.text;
    let col = st.col;
    // labels
    for (;;) {
      const m = /^(\s*)([A-Za-z_.$][\w.$]*|\d+)(\s*):(?![:=])/.exec(text);
      if (!m) break;
      const name = m[2];
      const lcol = col + m[1].length;
      this.recordStmt(st);
      this.defineLabel(name, lcol, lcol + name.length);
      const used = m[0].length;
      text = text.slice(used);
      col += used;
    }
    if (text.trim() === '') return;
    this.recordStmt(st, text, col);
    // assignment: sym = expr / sym == expr
    const a = /^(\s*)([A-Za-z_.$][\w.$]*)\s*(==|=)(?!=)(.*)$/.exec(text);
    if (a) {
      const toks = tokenize(a[4], col + text.length - a[4].length, this.intel);
      this.defineEquate(a[2], this.parseExprToks(toks), a[3] === '==' ? 'eqv' : 'set', col + a[1].length);
      return;
    }
    const w = this.firstWord(text);
    if (this.macros.has(w) || this.macros.has(this.firstWordCase(text))) { this.invokeMacro(text, col); return; }
    if (w.startsWith('.')) { this.directiveText(text, col); return; }
    this.instruction(text, col);
  }

  private firstWordCase(text: string): string {
    const m = /^\s*([A-Za-z_.$][\w.$]*)/.exec(text);
    return m ? m[1] : '';
  }

  private recordStmt(st: Stmt, text?: string, col?: number): void {
    if (this.stmts.length && this.stmts[this.stmtId]?.loc === st.loc) return;
    if (this.stmts.length >= 200000) { this.stmtId = this.stmts.length - 1; return; }
    this.stmts.push({ loc: st.loc, text: text !== undefined ? ' '.repeat(Math.max(0, (col ?? 1) - 1)) + text : st.text });
    this.stmtId = this.stmts.length - 1;
  }

  private directiveLine(st: Stmt): void {
    this.directiveText(st.text, st.col);
  }

  private directiveText(text: string, col: number): void {
    const m = /^(\s*)(\.[\w.$]*)/.exec(text)!;
    const name = m[2].toLowerCase();
    const restCol = col + m[0].length;
    const rest = text.slice(m[0].length);
    handleDirective(this, name, rest, restCol, col + m[1].length);
  }

  // ---------------------------------------------------------------- collection (.macro / .rept bodies)
  beginCollect(kind: 'macro' | 'rept', start: Stmt, done: (body: Stmt[]) => void): void {
    this.collect = { kind, depth: 1, body: [], start, done };
  }

  private collectStmt(st: Stmt): void {
    const c = this.collect!;
    const text = st.text.replace(/^\s*(?:[A-Za-z_.$][\w.$]*|\d+)\s*:(?![:=])/, '');
    const w = this.firstWord(text);
    if (c.kind === 'macro') {
      if (w === '.macro') c.depth++;
      else if (w === '.endm') c.depth--;
    } else {
      if (w === '.rept' || w === '.irp' || w === '.irpc') c.depth++;
      else if (w === '.endr') c.depth--;
    }
    if (c.depth === 0) {
      this.collect = undefined;
      c.done(c.body);
      return;
    }
    if (c.body.length > 100000) {
      this.collect = undefined;
      throw new AsmError('macro or repeat body too long');
    }
    c.body.push(st);
  }

  // ---------------------------------------------------------------- conditionals
  pushCond(value: boolean, loc: SourceLoc): void {
    const parentActive = this.active;
    this.conds.push({ active: value, taken: value, elseSeen: false, parentActive, loc });
  }

  // ---------------------------------------------------------------- macros
  invokeMacro(text: string, col: number): void {
    const m = /^(\s*)([A-Za-z_.$][\w.$]*)/.exec(text)!;
    const def = this.macros.get(m[2]) ?? this.macros.get(m[2].toLowerCase())!;
    if (this.reader.macroDepth() >= 100) throw new AsmError(`macro '${def.name}' nested too deeply (recursion?)`, col, col + m[0].length);
    const argText = text.slice(m[0].length);
    const args = bindMacroArgs(def, argText, col + m[0].length);
    const loc = this.curStmt.loc;
    const via = loc.via ?? { file: loc.file, line: loc.line, column: col + m[1].length, macro: def.name };
    this.reader.pushMacro(def, args, this.macroCounter++, via);
  }

  // ---------------------------------------------------------------- expressions and symbols
  parseExprToks(toks: Token[]): Expr {
    const e = parseExpr(toks, this.hooks);
    return this.fold(e);
  }

  /** Replace symbols with known absolute values (GNU as evaluates .set symbols at use). */
  fold(e: Expr): Expr {
    return substitute(e, (name) => {
      const s = this.syms.get(name);
      if (s && s.kind === 'equ' && !s.lazy && s.value !== undefined) return s.value;
      return undefined;
    });
  }

  parseExprText(text: string, col: number): Expr {
    return this.parseExprToks(tokenize(text, col, this.intel));
  }

  /** Parse-time value: absolute, anchored to a fragment (labels), or unknown. */
  parseLookup = (name: string): Val => {
    const s = this.syms.get(name);
    if (!s) return { k: 'unk' };
    if (s.kind === 'label') return s.anchor !== undefined ? { k: 'rel', anchor: s.anchor, off: BigInt(s.anchorOff ?? 0) } : { k: 'unk' };
    if (s.kind === 'equ') {
      if (s.value !== undefined && !s.lazy) return { k: 'abs', v: s.value };
      if (!s.expr || s.busy) return { k: 'unk' };
      s.busy = true;
      try { return evalExpr(s.expr, this.parseLookup); } finally { s.busy = false; }
    }
    return { k: 'unk' };
  };

  known(e: Expr): bigint | undefined {
    const v = evalExpr(e, this.parseLookup);
    return v.k === 'abs' ? v.v : undefined;
  }

  /** Value that must be an absolute constant now (e.g. .rept count). */
  constant(e: Expr, what: string, col?: number, end?: number): bigint {
    const v = this.known(e);
    if (v === undefined) throw new AsmError(`${what} must be an absolute expression known at this point`, col, end);
    return v;
  }

  /** Final value lookup after layout; throws for undefined symbols. */
  finalLookup = (name: string, col: number, end: number): Val => {
    const s = this.syms.get(name);
    if (!s || s.kind === 'undef') {
      if (s?.common) throw new AsmError(`common symbol '${name}' was not allocated`, col, end);
      throw new AsmError(`undefined symbol '${displayName(name)}'`, col, end);
    }
    if (s.kind === 'label') return { k: 'abs', v: BigInt.asIntN(64, s.section!.addr + BigInt(s.item!.off)) };
    if (s.value !== undefined && !s.lazy) return { k: 'abs', v: s.value };
    if (!s.expr) throw new AsmError(`undefined symbol '${name}'`, col, end);
    if (s.busy) throw new AsmError(`symbol '${name}' is defined in terms of itself`, col, end);
    s.busy = true;
    try {
      return evalExpr(s.expr, this.finalLookup);
    } catch (e) {
      // report at the use in the current statement, not inside the definition
      if (e instanceof AsmError) throw new AsmError(e.message, col, end);
      throw e;
    } finally { s.busy = false; }
  };

  finalValue(e: Expr): bigint {
    const v = evalExpr(e, this.finalLookup);
    if (v.k !== 'abs') throw new AsmError('expression cannot be resolved');
    return v.v;
  }

  private dotSymbol(): string {
    const name = `\u0001dot${++this.dotCounter}`;
    this.defineLabel(name, this.curStmt?.col ?? 1, undefined, true);
    return name;
  }

  private numLabelRef(n: bigint, dir: 'f' | 'b', col: number, end: number): string {
    const key = n.toString();
    const count = this.numLabels.get(key) ?? 0;
    if (dir === 'b') {
      if (count === 0) throw new AsmError(`undefined local label '${key}b'`, col, end);
      return `\u0002${key}#${count - 1}`;
    }
    return `\u0002${key}#${count}`;
  }

  getSym(name: string): Sym {
    let s = this.syms.get(name);
    if (!s) {
      s = { name, kind: 'undef', global: false, weak: false, type: 'notype' };
      this.syms.set(name, s);
    }
    return s;
  }

  defineLabel(name: string, col: number, end?: number, hidden = false): void {
    let symName = name;
    if (/^\d+$/.test(name)) {
      const count = this.numLabels.get(name) ?? 0;
      symName = `\u0002${name}#${count}`;
      this.numLabels.set(name, count + 1);
      hidden = true;
    }
    let s = this.syms.get(symName);
    if (s && s.predefined) { this.syms.delete(symName); s = undefined; }
    if (s && s.kind !== 'undef') {
      throw new AsmError(`symbol '${name}' is already defined${s.loc ? ` at ${s.loc.file}:${s.loc.line}` : ''}`, col, end ?? col + name.length);
    }
    s = s ?? this.getSym(symName);
    const item: LabelItem = { t: 'label', sym: s, off: 0, size: 0, loc: { ...this.curStmt.loc, column: col }, stmt: this.stmtId };
    s.kind = 'label';
    s.section = this.cur;
    s.item = item;
    s.anchor = this.cur.anchor;
    s.anchorOff = this.cur.fragOff;
    s.loc = item.loc;
    s.hidden = hidden || s.hidden;
    s.common = undefined;
    this.cur.items.push(item);
  }

  defineEquate(name: string, e: Expr, kind: 'set' | 'equ' | 'eqv' | 'equiv', col: number): void {
    let s = this.syms.get(name);
    if (s && s.predefined) { this.syms.delete(name); s = undefined; }
    if (s && s.kind === 'label') throw new AsmError(`symbol '${name}' is already defined as a label`, col, col + name.length);
    if (s && s.kind === 'equ' && kind === 'equiv') throw new AsmError(`symbol '${name}' is already defined`, col, col + name.length);
    s = s ?? this.getSym(name);
    s.kind = 'equ';
    s.loc = { ...this.curStmt.loc, column: col };
    if (kind === 'eqv') {
      s.lazy = true; s.expr = e; s.value = undefined;
      return;
    }
    s.lazy = false;
    const v = this.known(e);
    if (v !== undefined) { s.value = v; s.expr = { k: 'num', v }; }
    else { s.value = undefined; s.expr = e; }
  }

  // ---------------------------------------------------------------- emission
  private push(item: Item, fixed: boolean): void {
    this.cur.items.push(item);
    if (fixed) this.cur.advance(item.size);
    else this.cur.breakFrag();
    this.outputBytes += item.size;
  }

  itemLoc(): SourceLoc { return this.curStmt.loc; }

  emitBytes(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.cur.type === 'nobits') {
      if (data.some((b) => b !== 0)) throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
      this.push({ t: 'space', count: { k: 'num', v: BigInt(data.length) }, unit: 1, value: 0n, repeatCount: data.length, off: 0, size: data.length, loc: this.itemLoc(), stmt: this.stmtId }, true);
      return;
    }
    this.push({ t: 'bytes', data, off: 0, size: data.length, loc: this.itemLoc(), stmt: this.stmtId }, true);
  }

  emitData(unit: 1 | 2 | 4 | 8, exprs: Expr[]): void {
    if (exprs.length === 0) return;
    const vals = exprs.map((e) => this.known(e));
    if (vals.every((v) => v !== undefined)) {
      const out = new Uint8Array(unit * exprs.length);
      vals.forEach((v, i) => writeLE(out, i * unit, unit, this.truncate(v!, unit)));
      this.emitBytes(out);
      return;
    }
    if (this.cur.type === 'nobits') throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
    this.push({ t: 'data', unit, exprs, off: 0, size: unit * exprs.length, loc: this.itemLoc(), stmt: this.stmtId }, true);
  }

  /** Truncate a data value to `unit` bytes, warning like GNU as when bits are lost. */
  truncate(v: bigint, unit: number, loc?: SourceLoc): bigint {
    if (unit >= 8) return BigInt.asUintN(64, v);
    const bits = BigInt(unit * 8);
    const lo = -(1n << (bits - 1n)), hi = (1n << bits) - 1n;
    const t = BigInt.asUintN(Number(bits), v);
    if (v < lo || v > hi) this.d.warning(loc ?? this.itemLoc(), `value ${hex(v)} truncated to ${hex(t)}`);
    return t;
  }

  emitSpace(count: Expr, unit: number, value: bigint): void {
    const n = this.known(count);
    if (n !== undefined) {
      if (n < 0n) { this.d.warning(this.itemLoc(), 'repeat count is negative; ignored'); return; }
      if (n * BigInt(unit) > BigInt(MAX_IMAGE)) throw new AsmError(`space of ${n} bytes is too large`);
      const size = Number(n) * unit;
      if (size === 0) return;
      if (this.cur.type === 'nobits' && value !== 0n) throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
      this.push({ t: 'space', count, unit, value, repeatCount: Number(n), off: 0, size, loc: this.itemLoc(), stmt: this.stmtId }, true);
      return;
    }
    if (this.cur.type === 'nobits' && value !== 0n) throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
    this.push({ t: 'space', count, unit, value, off: 0, size: 0, loc: this.itemLoc(), stmt: this.stmtId }, false);
  }

  emitAlign(align: number, fill: number | null, fillSize: number, max: number): void {
    if (align <= 1) return;
    this.cur.align = Math.max(this.cur.align, align);
    this.push({ t: 'align', align, fill, fillSize, max, bits: this.mode, off: 0, size: 0, loc: this.itemLoc(), stmt: this.stmtId }, false);
  }

  emitOrg(e: Expr, fill: number): void {
    this.push({ t: 'org', e, fill, off: 0, size: 0, loc: this.itemLoc(), stmt: this.stmtId }, false);
  }

  // ---------------------------------------------------------------- instructions
  /** Plans of instructions without symbols, keyed by mode and text (a .rept of `nop` matches once). */
  private planCache = new Map<string, InsnPlan>();

  private instruction(text: string, col: number): void {
    const cacheKey = `${this.mode}|${this.intel ? 'i' : 'a'}|${col}|${text}`;
    const cached = this.planCache.get(cacheKey);
    if (cached) {
      if (this.cur.type === 'nobits') throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
      this.push({ t: 'insn', plan: { ...cached }, relaxable: false, off: 0, size: cached.size, loc: this.itemLoc(), stmt: this.stmtId }, true);
      return;
    }
    const toks = tokenize(text, col, this.intel);
    if (toks.length === 0) return;
    const pfx: Prefixes = { lock: false, raw: [] };
    let i = 0;
    while (i < toks.length && toks[i].k === 'ident') {
      const w = toks[i].text.toLowerCase();
      const isRex = /^rex(\.[wrxb]+)?$/.test(w);
      if (PREFIX_BYTES[w] === undefined && !isRex) break;
      const more = i + 1 < toks.length;
      if (!more) break;
      // `fs` etc. are prefixes only when followed by a mnemonic (not `fs:`)
      if (toks[i + 1].k !== 'ident') break;
      this.applyPrefix(w, pfx);
      i++;
    }
    const mt = toks[i];
    if (!mt || mt.k !== 'ident') throw new AsmError(`expected an instruction mnemonic, found '${mt ? mt.text : ''}'`, mt?.col ?? col, mt?.end);
    const mn = mt.text;
    const lw = mn.toLowerCase();
    if (i === toks.length - 1 && (PREFIX_BYTES[lw] !== undefined || /^rex(\.[wrxb]+)?$/.test(lw))) {
      // a prefix on its own line (`rep; movsb`, `lock`)
      const p: Prefixes = { lock: false, raw: [] };
      this.applyPrefix(lw, p, true);
      this.emitCode(Uint8Array.from(p.raw));
      return;
    }
    const opToks = toks.slice(i + 1);
    const groups = opToks.length ? splitOnCommas(opToks) : [];
    const ops: ParsedOperand[] = [];
    for (const g of groups) {
      if (g.length === 0) throw new AsmError('missing operand', opToks[0]?.col, opToks[opToks.length - 1]?.end);
      ops.push(this.intel ? parseIntelOperand(g, this.hooks) : parseAttOperand(g, this.hooks));
    }
    for (const p of ops) foldOperand(p, this);
    if (!this.intel && !/^(bound[wl]?|invlpga)$/i.test(mn)) {
      ops.reverse();
      // GNU as keeps the source order of consecutive immediates (enter $size,$level; ljmp $sel,$off).
      for (let k = 0; k + 1 < ops.length; k++) {
        if (ops[k].op.k === 'imm' && ops[k + 1].op.k === 'imm') { const t = ops[k]; ops[k] = ops[k + 1]; ops[k + 1] = t; k++; }
      }
    }
    const plan = matchInstruction(mn, ops, pfx, { bits: this.mode, intel: this.intel, known: (e) => this.known(e) }, mt.col, mt.end);
    if (this.cur.type === 'nobits') throw new AsmError(`attempt to store non-zero value in section '${this.cur.name}'`);
    if (!plan.near && !this.intel && toks.slice(i + 1).every((t) => t.k !== 'ident' && t.k !== 'numlabel') && this.planCache.size < 10000) {
      this.planCache.set(cacheKey, plan);
    }
    this.push({ t: 'insn', plan, relaxable: !!plan.near, off: 0, size: plan.size, loc: this.itemLoc(), stmt: this.stmtId }, !plan.near);
  }

  private emitCode(bytes: Uint8Array): void {
    this.emitBytes(bytes);
  }

  private applyPrefix(w: string, pfx: Prefixes, raw = false): void {
    if (/^rex/.test(w)) {
      if (this.mode !== 64) throw new AsmError(`'${w}' is only valid in 64-bit mode`);
      let b = 0x40;
      const f = w.split('.')[1] ?? '';
      if (f.includes('w')) b |= 8;
      if (f.includes('r')) b |= 4;
      if (f.includes('x')) b |= 2;
      if (f.includes('b')) b |= 1;
      pfx.raw.push(b);
      return;
    }
    if (raw) { pfx.raw.push(PREFIX_BYTES[w]); return; }
    switch (w) {
      case 'lock': pfx.lock = true; return;
      case 'rep': case 'repe': case 'repz': pfx.rep = w === 'rep' ? 'rep' : 'repe'; return;
      case 'repne': case 'repnz': pfx.rep = 'repne'; return;
      case 'cs': case 'ds': case 'es': case 'fs': case 'gs': case 'ss':
        pfx.seg = lookupRegister(w)!.reg as Register; return;
      default: pfx.raw.push(PREFIX_BYTES[w]);
    }
  }
}

function foldOperand(p: ParsedOperand, asm: Assembler): void {
  const op = p.op;
  if (op.k === 'imm') op.e = asm.fold(op.e);
  else if (op.k === 'mem' && op.disp) op.disp = asm.fold(op.disp);
  else if (op.k === 'far') { op.sel = asm.fold(op.sel); op.off = asm.fold(op.off); }
}

export function displayName(name: string): string {
  if (name.startsWith('\u0002')) { const n = name.slice(1).split('#')[0]; return `${n}f`; }
  if (name.startsWith('\u0001')) return '.';
  return name;
}

export function writeLE(out: Uint8Array, off: number, unit: number, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < unit; i++) { out[off + i] = Number(x & 0xffn); x >>= 8n; }
}

/** Bind macro invocation arguments to parameters (positional, keyword `name=value`, defaults, vararg). */
export function bindMacroArgs(def: MacroDef, text: string, col: number): Map<string, string> {
  const args = new Map<string, string>();
  const parts = text.trim() === '' ? [] : splitArgs(text);
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const kw = /^([A-Za-z_][\w$]*)\s*=(?!=)(.*)$/s.exec(p);
    if (kw && def.params.some((x) => x.name === kw[1])) { args.set(kw[1], macroArgValue(kw[2].trim())); continue; }
    const param = def.params[pos];
    if (!param) throw new AsmError(`too many arguments for macro '${def.name}'`, col);
    if (param.vararg) { args.set(param.name, parts.slice(i).join(', ')); pos = def.params.length; break; }
    args.set(param.name, macroArgValue(p));
    pos++;
  }
  for (const p of def.params) {
    if (!args.has(p.name) || args.get(p.name) === '') {
      if (p.req && !args.get(p.name)) throw new AsmError(`missing value for required parameter '${p.name}' of macro '${def.name}'`, col);
      if (!args.has(p.name) || (args.get(p.name) === '' && p.def !== undefined)) args.set(p.name, p.def ?? '');
    }
  }
  return args;
}
