// Assembler directives: sections, symbols, data, alignment, modes, macros/repeats, conditionals,
// .include and the Xen `.xen_note` convenience directive.

import type { Assembler } from './assembler';
import { Expr } from './expr';
import { splitOnCommas, Token, tokenize } from './lexer';
import { defaultSectionAttrs, SectionFlags, SectionType } from './sections';
import { MacroParam, macroArgValue, splitMacroArgs, substituteParams } from './source';
import { includeCandidates } from './include-paths';
import { emitXenNote } from './xen-notes';
import { nopFill } from './encoder';
import { AsmError } from './types';

type Handler = (asm: Assembler, a: Args) => void;

/** Arguments of a directive: raw text and lazily tokenized comma groups. */
class Args {
  private toks?: Token[];
  constructor(private asm: Assembler, readonly text: string, readonly col: number, readonly name: string, readonly dirCol: number) {}
  tokens(): Token[] { return (this.toks ??= tokenize(this.text, this.col, this.asm.intel)); }
  groups(): Token[][] {
    const t = this.tokens();
    return t.length === 0 ? [] : splitOnCommas(t);
  }
  exprs(): Expr[] {
    return this.groups().map((g) => {
      if (g.length === 0) throw new AsmError(`missing expression in ${this.name}`, this.col);
      return this.asm.parseExprToks(g);
    });
  }
  expr(g: Token[]): Expr {
    if (g.length === 0) throw new AsmError(`missing expression in ${this.name}`, this.col);
    return this.asm.parseExprToks(g);
  }
  constant(g: Token[], what: string): bigint {
    return this.asm.constant(this.expr(g), what, g[0]?.col, g[g.length - 1]?.end);
  }
  empty(): boolean { return this.text.trim() === ''; }
  ident(g: Token[] | undefined, what: string): string {
    if (!g || g.length !== 1 || g[0].k !== 'ident') throw new AsmError(`expected ${what}`, g?.[0]?.col ?? this.col, g?.[0]?.end);
    return g[0].text;
  }
  strings(): number[][] {
    return this.groups().map((g) => {
      if (g.length !== 1 || g[0].k !== 'str') throw new AsmError(`${this.name} expects string literals`, g[0]?.col ?? this.col, g[g.length - 1]?.end);
      return g[0].bytes!;
    });
  }
  err(msg: string): AsmError { return new AsmError(msg, this.dirCol, this.dirCol + this.name.length); }
}

function sectionDirective(name: string): Handler {
  return (asm) => asm.switchSection(asm.getSection(name));
}

function data(unit: 1 | 2 | 4 | 8): Handler {
  return (asm, a) => {
    // Each value is emitted before the next is parsed so that `.` means the address of that value.
    let pending: Expr[] = [];
    const flush = () => { if (pending.length) asm.emitData(unit, pending); pending = []; };
    for (const g of a.groups()) {
      if (g.some((t) => t.k === 'ident' && t.text === '.')) flush();
      pending.push(a.expr(g));
    }
    flush();
  };
}

function ascii(zero: boolean): Handler {
  return (asm, a) => {
    for (const s of a.strings()) asm.emitBytes(Uint8Array.from(zero ? [...s, 0] : s));
  };
}

function align(kind: 'byte' | 'p2', fillSize = 1): Handler {
  return (asm, a) => {
    const g = a.groups();
    if (g.length === 0 || g[0].length === 0) throw a.err(`${a.name} needs an alignment`);
    let n = a.constant(g[0], 'alignment');
    if (kind === 'p2') { if (n < 0n || n > 30n) throw new AsmError('alignment too large', g[0][0].col); n = 1n << n; }
    if (n <= 0n) return;
    if ((n & (n - 1n)) !== 0n) throw new AsmError(`alignment ${n} is not a power of 2`, g[0][0].col, g[0][g[0].length - 1].end);
    if (n > 1n << 30n) throw new AsmError('alignment too large', g[0][0].col);
    const fill = g[1] && g[1].length ? Number(BigInt.asUintN(32, a.constant(g[1], 'fill value'))) : null;
    const max = g[2] && g[2].length ? Number(a.constant(g[2], 'maximum padding')) : 0;
    asm.emitAlign(Number(n), fill, fillSize, max);
  };
}

function parseSectionArgs(asm: Assembler, a: Args): void {
  const g = a.groups();
  if (g.length === 0 || g[0].length === 0) throw a.err('.section needs a name');
  const nameToks = g[0];
  let name: string;
  if (nameToks[0].k === 'str') name = nameToks[0].text;
  else name = a.text.slice(nameToks[0].col - a.col, nameToks[nameToks.length - 1].end - a.col).replace(/\s+/g, '');
  if (!/^[\w.$-]+$/.test(name)) throw new AsmError(`bad section name '${name}'`, nameToks[0].col, nameToks[nameToks.length - 1].end);
  const def = defaultSectionAttrs(name);
  let type: SectionType = def.type;
  let flags: SectionFlags = { ...def.flags };
  let explicitFlags = false;
  if (g[1] && g[1].length) {
    const f = g[1][0];
    if (f.k !== 'str') throw new AsmError('section flags must be a string like "ax"', f.col, f.end);
    flags = { alloc: false, write: false, exec: false };
    explicitFlags = true;
    for (const c of f.text) {
      if (c === 'a') flags.alloc = true;
      else if (c === 'w') flags.write = true;
      else if (c === 'x') flags.exec = true;
      else if (!'MSGTRoedy?'.includes(c)) throw new AsmError(`unknown section flag '${c}'`, f.col, f.end);
    }
  }
  if (g[2] && g[2].length) {
    const t = g[2];
    const word = t[t.length - 1].text.toLowerCase();
    if (word === 'progbits') type = 'progbits';
    else if (word === 'nobits') type = 'nobits';
    else if (word === 'note') type = 'note';
    else throw new AsmError(`unsupported section type '${word}'`, t[0].col, t[t.length - 1].end);
  }
  const existing = asm.sections.find((s) => s.name === name);
  if (existing) {
    if (explicitFlags && (existing.flags.alloc !== flags.alloc || existing.flags.write !== flags.write || existing.flags.exec !== flags.exec) && existing.items.length > 0) {
      asm.d.warning(asm.itemLoc(), `ignoring changed section attributes for ${name}`);
    } else if (explicitFlags) existing.flags = flags;
    asm.switchSection(existing);
  } else {
    asm.switchSection(asm.getSection(name, type, flags));
  }
}

function symbolList(asm: Assembler, a: Args, f: (name: string, t: Token) => void): void {
  for (const g of a.groups()) {
    if (g.length !== 1 || g[0].k !== 'ident') throw new AsmError(`${a.name} expects symbol names`, g[0]?.col ?? a.col, g[g.length - 1]?.end);
    f(g[0].text, g[0]);
  }
}

function equate(kind: 'set' | 'equ' | 'eqv' | 'equiv'): Handler {
  return (asm, a) => {
    const g = a.groups();
    if (g.length < 2) throw a.err(`${a.name} needs a symbol and an expression`);
    const name = a.ident(g[0], 'a symbol name');
    const rest = a.tokens().slice(g[0].length + 1);
    asm.defineEquate(name, asm.parseExprToks(rest), kind, g[0][0].col);
  };
}

function condition(test: (asm: Assembler, a: Args) => boolean): Handler {
  return (asm, a) => {
    let v = false;
    try {
      v = asm.active ? test(asm, a) : false;
    } finally {
      // an erroneous condition still opens a (false) block so its .else/.endif match up
      asm.pushCond(v, asm.curStmt.loc);
    }
  };
}

function isDefined(asm: Assembler, name: string): boolean {
  const s = asm.syms.get(name);
  return !!s && s.kind !== 'undef';
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function readInclude(asm: Assembler, file: string, a: Args): { path: string; text: string } {
  const rf = asm.opts.readFile;
  const c0 = a.col + (a.text.length - a.text.trimStart().length), c1 = a.col + a.text.trimEnd().length;
  if (!rf) throw new AsmError(`cannot open include file '${file}' (no file reader was provided)`, c0, c1);
  for (const c of includeCandidates(asm.curStmt.loc.file, file, asm.opts.includePaths)) {
    let text: string | undefined;
    try { text = rf(c); } catch { text = undefined; }
    if (text !== undefined) return { path: c, text };
  }
  throw new AsmError(`cannot open include file '${file}'`, c0, c1);
}

function parseMacroParams(text: string): MacroParam[] {
  const params: MacroParam[] = [];
  const parts = text.includes(',') ? text.split(',') : text.trim().split(/\s+/);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    const m = /^([A-Za-z_][\w$]*)\s*(?::\s*(req|vararg))?\s*(?:=\s*(.*))?$/s.exec(p);
    if (!m) throw new AsmError(`bad macro parameter '${p}'`);
    params.push({ name: m[1], req: m[2] === 'req', vararg: m[2] === 'vararg', def: m[3] === undefined ? undefined : macroArgValue(m[3].trim()) });
  }
  return params;
}

const HANDLERS: Record<string, Handler> = {
  '.text': sectionDirective('.text'),
  '.data': sectionDirective('.data'),
  '.bss': sectionDirective('.bss'),
  '.rodata': sectionDirective('.rodata'),
  '.section': parseSectionArgs,
  '.pushsection': (asm, a) => { asm.sectionStack.push({ cur: asm.cur, prev: asm.prev }); parseSectionArgs(asm, a); },
  '.popsection': (asm, a) => {
    const top = asm.sectionStack.pop();
    if (!top) throw a.err('.popsection without .pushsection');
    asm.cur = top.cur; asm.prev = top.prev;
  },
  '.previous': (asm, a) => {
    if (!asm.prev) throw a.err('.previous without a previous section');
    const p = asm.prev; asm.prev = asm.cur; asm.cur = p;
  },
  '.subsection': () => { /* subsections are merged */ },

  '.globl': (asm, a) => symbolList(asm, a, (n) => { asm.getSym(n).global = true; }),
  '.global': (asm, a) => symbolList(asm, a, (n) => { asm.getSym(n).global = true; }),
  '.local': (asm, a) => symbolList(asm, a, (n) => { asm.getSym(n).global = false; }),
  '.weak': (asm, a) => symbolList(asm, a, (n) => { const s = asm.getSym(n); s.weak = true; s.global = true; }),
  '.hidden': (asm, a) => symbolList(asm, a, () => undefined),
  '.protected': (asm, a) => symbolList(asm, a, () => undefined),
  '.internal': (asm, a) => symbolList(asm, a, () => undefined),
  '.extern': () => undefined,
  '.type': (asm, a) => {
    const g = a.groups();
    const name = a.ident(g[0], 'a symbol name');
    const t = (g[1] ?? []).map((x) => x.text).join('').replace(/^[@%]/, '').replace(/"/g, '').toLowerCase();
    const s = asm.getSym(name);
    if (t === 'function' || t === 'stt_func') s.type = 'func';
    else if (t === 'object' || t === 'stt_object') s.type = 'object';
    else if (t === 'notype' || t === 'stt_notype' || t === '') s.type = 'notype';
  },
  '.size': (asm, a) => {
    const g = a.groups();
    if (g.length !== 2) throw a.err('.size needs a symbol and an expression');
    asm.getSym(a.ident(g[0], 'a symbol name')).sizeExpr = a.expr(g[1]);
  },
  '.comm': (asm, a) => common(asm, a, true),
  '.lcomm': (asm, a) => common(asm, a, false),
  '.set': equate('set'),
  '.equ': equate('equ'),
  '.eqv': equate('eqv'),
  '.equiv': equate('equiv'),

  '.byte': data(1),
  '.word': data(2), '.short': data(2), '.value': data(2), '.2byte': data(2), '.hword': data(2),
  '.long': data(4), '.int': data(4), '.4byte': data(4),
  '.quad': data(8), '.8byte': data(8),
  '.ascii': ascii(false),
  '.asciz': ascii(true), '.string': ascii(true),
  '.uleb128': (asm, a) => { for (const g of a.groups()) asm.emitBytes(leb(a.constant(g, '.uleb128 value'), false)); },
  '.sleb128': (asm, a) => { for (const g of a.groups()) asm.emitBytes(leb(a.constant(g, '.sleb128 value'), true)); },
  '.float': (asm, a) => floats(asm, a, 4), '.single': (asm, a) => floats(asm, a, 4), '.double': (asm, a) => floats(asm, a, 8),
  '.fill': (asm, a) => {
    const g = a.groups();
    if (g.length === 0) throw a.err('.fill needs a repeat count');
    let size = g[1] && g[1].length ? Number(a.constant(g[1], '.fill size')) : 1;
    const value = g[2] && g[2].length ? a.constant(g[2], '.fill value') : 0n;
    if (size < 0) throw new AsmError('.fill size must not be negative', g[1][0].col);
    if (size > 8) { asm.d.warning(asm.itemLoc(), '.fill size clamped to 8'); size = 8; }
    if (size === 0) return;
    asm.emitSpace(a.expr(g[0]), size, value);
  },
  '.skip': (asm, a) => space(asm, a), '.space': (asm, a) => space(asm, a),
  '.zero': (asm, a) => {
    const g = a.groups();
    if (g.length !== 1) throw a.err('.zero needs a size');
    asm.emitSpace(a.expr(g[0]), 1, 0n);
  },
  '.nops': (asm, a) => {
    const g = a.groups();
    const n = Number(a.constant(g[0] ?? [], '.nops size'));
    if (n < 0 || n > 1 << 20) throw a.err('.nops size out of range');
    asm.emitBytes(nopFill(n, asm.mode));
  },
  '.align': align('byte'), '.balign': align('byte'), '.p2align': align('p2'),
  '.balignw': align('byte', 2), '.balignl': align('byte', 4), '.p2alignw': align('p2', 2), '.p2alignl': align('p2', 4),
  '.org': (asm, a) => {
    const g = a.groups();
    if (g.length === 0) throw a.err('.org needs an expression');
    const fill = g[1] && g[1].length ? Number(BigInt.asUintN(8, a.constant(g[1], '.org fill'))) : 0;
    asm.emitOrg(a.expr(g[0]), fill);
  },
  '.incbin': (asm, a) => {
    const g = a.groups();
    if (!g[0] || g[0].length !== 1 || g[0][0].k !== 'str') throw a.err('.incbin needs a file name string');
    const { text } = readInclude(asm, g[0][0].text, a);
    let bytes = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    const skip = g[1] && g[1].length ? Number(a.constant(g[1], '.incbin skip')) : 0;
    const count = g[2] && g[2].length ? Number(a.constant(g[2], '.incbin count')) : bytes.length - skip;
    bytes = bytes.slice(skip, skip + Math.max(0, count));
    asm.emitBytes(bytes);
  },

  '.code32': (asm) => asm.setCodeBits(32),
  '.code64': (asm) => asm.setCodeBits(64),
  '.code16': (asm, a) => { throw a.err('16-bit code (.code16) is not supported'); },
  '.intel_syntax': (asm) => { asm.intel = true; },
  '.att_syntax': (asm) => { asm.intel = false; },
  '.intel_mnemonic': () => undefined, '.att_mnemonic': () => undefined,
  '.arch': () => undefined, '.file': () => undefined, '.loc': () => undefined, '.ident': () => undefined,
  '.loc_mark_labels': () => undefined, '.version': () => undefined,

  '.macro': (asm, a) => {
    const m = /^\s*([A-Za-z_.$][\w.$]*)\s*,?(.*)$/s.exec(a.text);
    if (!m) throw a.err('.macro needs a name');
    const name = m[1];
    const params = parseMacroParams(m[2]);
    const start = asm.curStmt;
    asm.beginCollect('macro', start, (body) => {
      if (asm.macros.has(name)) asm.d.warning(start.loc, `macro '${name}' redefined`);
      asm.macros.set(name, { name, params, body, loc: start.loc });
    });
  },
  '.endm': (asm, a) => { throw a.err("'.endm' without '.macro'"); },
  '.exitm': (asm, a) => { if (!asm.reader.exitMacro()) throw a.err("'.exitm' outside a macro"); },
  '.purgem': (asm, a) => { const n = a.text.trim(); if (!asm.macros.delete(n)) throw a.err(`macro '${n}' is not defined`); },
  '.rept': (asm, a) => {
    let n = 0n;
    try {
      const g = a.groups();
      if (g.length !== 1) throw a.err('.rept needs a count');
      n = a.constant(g[0], '.rept count');
      if (n < 0n) n = 0n;
      if (n > 10_000_000n) { n = 0n; throw new AsmError('.rept count is too large', g[0][0].col, g[0][g[0].length - 1].end); }
    } finally {
      // the body is collected (and dropped) even when the count is bad, so .endr matches
      asm.beginCollect('rept', asm.curStmt, (body) => asm.reader.pushBody(body, Number(n)));
    }
  },
  '.irp': (asm, a) => irp(asm, a, false),
  '.irpc': (asm, a) => irp(asm, a, true),
  '.endr': (asm, a) => { throw a.err("'.endr' without '.rept'"); },

  '.if': condition((asm, a) => a.constant(a.tokens(), '.if condition') !== 0n),
  '.ifeq': condition((asm, a) => a.constant(a.tokens(), '.ifeq condition') === 0n),
  '.ifne': condition((asm, a) => a.constant(a.tokens(), '.ifne condition') !== 0n),
  '.ifgt': condition((asm, a) => a.constant(a.tokens(), '.ifgt condition') > 0n),
  '.ifge': condition((asm, a) => a.constant(a.tokens(), '.ifge condition') >= 0n),
  '.iflt': condition((asm, a) => a.constant(a.tokens(), '.iflt condition') < 0n),
  '.ifle': condition((asm, a) => a.constant(a.tokens(), '.ifle condition') <= 0n),
  '.ifdef': condition((asm, a) => isDefined(asm, a.text.trim())),
  '.ifndef': condition((asm, a) => !isDefined(asm, a.text.trim())),
  '.ifnotdef': condition((asm, a) => !isDefined(asm, a.text.trim())),
  '.ifb': condition((asm, a) => a.text.trim() === ''),
  '.ifnb': condition((asm, a) => a.text.trim() !== ''),
  '.ifc': condition((asm, a) => { const p = splitMacroArgs(a.text); return unquote(p[0] ?? '') === unquote(p[1] ?? ''); }),
  '.ifnc': condition((asm, a) => { const p = splitMacroArgs(a.text); return unquote(p[0] ?? '') !== unquote(p[1] ?? ''); }),
  '.ifeqs': condition((asm, a) => { const s = a.strings(); return String(s[0]) === String(s[1]); }),
  '.ifnes': condition((asm, a) => { const s = a.strings(); return String(s[0]) !== String(s[1]); }),
  '.elseif': (asm, a) => {
    const top = asm.conds[asm.conds.length - 1];
    if (!top) throw a.err("'.elseif' without '.if'");
    if (top.elseSeen) throw a.err("'.elseif' after '.else'");
    if (!top.parentActive || top.taken) { top.active = false; return; }
    const v = a.constant(a.tokens(), '.elseif condition') !== 0n;
    top.active = v; top.taken = v;
  },
  '.else': (asm, a) => {
    const top = asm.conds[asm.conds.length - 1];
    if (!top) throw a.err("'.else' without '.if'");
    if (top.elseSeen) throw a.err("duplicate '.else'");
    top.elseSeen = true;
    top.active = !top.taken;
    top.taken = true;
  },
  '.endif': (asm, a) => { if (!asm.conds.pop()) throw a.err("'.endif' without '.if'"); },

  '.include': (asm, a) => {
    const g = a.groups();
    if (!g[0] || g[0].length !== 1 || g[0][0].k !== 'str') throw a.err('.include needs a file name string');
    if (asm.reader.fileDepth() >= 32) throw a.err('.include nested too deeply');
    const { path, text } = readInclude(asm, g[0][0].text, a);
    asm.reader.pushFile(path, text);
  },
  '.end': (asm) => asm.reader.stop(),
  '.err': (asm, a) => { throw a.err('.err encountered'); },
  '.error': (asm, a) => { throw new AsmError(a.strings()[0] ? String.fromCharCode(...a.strings()[0]) : '.error directive invoked', a.dirCol); },
  '.warning': (asm, a) => { asm.d.warning(asm.itemLoc(), a.strings()[0] ? String.fromCharCode(...a.strings()[0]) : '.warning directive invoked', a.dirCol); },
  '.print': () => undefined,

  '.xen_note': xenNote, '.xen_elfnote': xenNote,
};

function xenNote(asm: Assembler, a: Args): void {
  const g = a.groups();
  if (g.length < 2 || g.length > 3) throw a.err('usage: .xen_note TYPE, "string" | value[, size]');
  const type = a.constant(g[0], 'note type');
  if (g[1].length === 1 && g[1][0].k === 'str') {
    if (g[2]) throw a.err('string notes take no size');
    emitXenNote(asm, type, { str: g[1][0].bytes! });
    return;
  }
  const size = g[2] ? Number(a.constant(g[2], 'note size')) : asm.mode / 8;
  if (![1, 2, 4, 8].includes(size)) throw new AsmError('note value size must be 1, 2, 4 or 8', g[2]?.[0].col);
  emitXenNote(asm, type, { e: a.expr(g[1]), size });
}

function common(asm: Assembler, a: Args, global: boolean): void {
  const g = a.groups();
  if (g.length < 2) throw a.err(`${a.name} needs a symbol and a size`);
  const name = a.ident(g[0], 'a symbol name');
  const size = a.constant(g[1], 'common size');
  const al = g[2] ? Number(a.constant(g[2], 'common alignment')) : Math.min(32, 1 << Math.floor(Math.log2(Math.max(1, Number(size)))));
  const s = asm.getSym(name);
  if (s.kind !== 'undef') throw new AsmError(`symbol '${name}' is already defined`, g[0][0].col, g[0][0].end);
  if (size < 0n || size > 1n << 28n) throw new AsmError('common size out of range', g[1][0].col);
  s.common = { size, align: Math.max(1, al) };
  if (global) s.global = true;
  s.loc = asm.curStmt.loc;
}

function space(asm: Assembler, a: Args): void {
  const g = a.groups();
  if (g.length === 0) throw a.err(`${a.name} needs a size`);
  const fill = g[1] && g[1].length ? BigInt.asUintN(8, a.constant(g[1], 'fill value')) : 0n;
  asm.emitSpace(a.expr(g[0]), 1, fill);
}

function irp(asm: Assembler, a: Args, chars: boolean): void {
  const m = /^\s*([A-Za-z_][\w$]*)\s*,?(.*)$/s.exec(a.text);
  if (!m) throw a.err(`${a.name} needs a parameter name`);
  const param = m[1];
  const values = chars ? [...m[2].trim()] : splitMacroArgs(m[2]).map(macroArgValue);
  const vals = values.length ? values : [''];
  const counter = asm.macroCounter++;
  asm.beginCollect('rept', asm.curStmt, (body) =>
    asm.reader.pushBody(body, vals.length, (t, i) => substituteParams(t, new Map([[param, vals[i]]]), counter)));
}

function floats(asm: Assembler, a: Args, size: 4 | 8): void {
  for (const part of a.text.split(',')) {
    const t = part.trim().replace(/^0[fFdD]/, '');
    const v = Number(t);
    if (t === '' || Number.isNaN(v)) throw new AsmError(`bad floating point number '${part.trim()}'`, a.col);
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    if (size === 4) dv.setFloat32(0, v, true); else dv.setFloat64(0, v, true);
    asm.emitBytes(b);
  }
}

function leb(v: bigint, signed: boolean): Uint8Array {
  const out: number[] = [];
  let x = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    const done = signed ? (x === 0n && !(byte & 0x40)) || (x === -1n && !!(byte & 0x40)) : x === 0n;
    out.push(done ? byte : byte | 0x80);
    if (done) break;
  }
  return Uint8Array.from(out);
}

export function handleDirective(asm: Assembler, name: string, rest: string, restCol: number, dirCol: number): void {
  const h = HANDLERS[name];
  const a = new Args(asm, rest, restCol, name, dirCol);
  if (!h) {
    if (name.startsWith('.cfi_')) return;
    throw new AsmError(`unknown directive '${name}'`, dirCol, dirCol + name.length);
  }
  h(asm, a);
}

/** Names of all supported directives (for completion in the language server). */
export function directiveNames(): string[] {
  return Object.keys(HANDLERS).sort();
}
