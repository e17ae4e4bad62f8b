// Layout: allocate .comm symbols, place sections from the base address, relax jmp/jcc (short until a
// target is out of reach, as GNU as does), resolve .org/.skip sizes, then encode every item.

import { evalExpr, Expr, Val } from './expr';
import type { Assembler } from './assembler';
import { MAX_IMAGE, writeLE } from './assembler';
import { buildInstruction, encodeInstruction, nopFill } from './encoder';
import { InsnItem, Item, LabelItem, Section } from './sections';
import { AsmError, hex } from './types';

const PAGE = 0x1000n;

function alignUp(v: bigint, a: bigint): bigint { return a <= 1n ? v : ((v + a - 1n) / a) * a; }

/** Order of alloc sections in memory: code, read-only data, writable data, then nobits. */
function rank(s: Section): number {
  if (s.flags.exec) return 0;
  if (s.type === 'nobits') return 3;
  if (!s.flags.write) return 1;
  return 2;
}

export function allocSections(asm: Assembler): Section[] {
  const alloc = asm.sections.filter((s) => s.flags.alloc && (s.items.length > 0 || s.name === '.text'));
  return alloc.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map((x) => x.s);
}

export function allocateCommons(asm: Assembler): void {
  for (const s of asm.syms.values()) {
    if (s.kind !== 'undef' || !s.common) continue;
    const bss = asm.getSection('.bss');
    const saved = asm.cur;
    asm.cur = bss;
    const c = s.common;
    s.common = undefined;
    try {
      asm.curStmt = { text: '', col: 1, loc: s.loc ?? asm.fileLoc() };
      asm.emitAlign(c.align, 0, 1, 0);
      asm.defineLabel(s.name, 1);
      s.type = 'object';
      s.sizeExpr = { k: 'num', v: c.size };
      asm.emitSpace({ k: 'num', v: c.size }, 1, 0n);
    } finally {
      asm.cur = saved;
    }
  }
}

/** Section of the label an expression is relative to (`sym`, `sym+const`, `const+sym`, `sym-const`). */
function targetSection(asm: Assembler, e: Expr): Section | undefined {
  const look = (name: string): Val => {
    const s = asm.syms.get(name);
    if (!s) return { k: 'unk' };
    if (s.kind === 'label') return { k: 'rel', anchor: String(s.section!.id), off: 0n };
    if (s.kind === 'equ') {
      if (s.value !== undefined && !s.lazy) return { k: 'abs', v: s.value };
      if (!s.expr || s.busy) return { k: 'unk' };
      s.busy = true;
      try { return evalExpr(s.expr, look); } finally { s.busy = false; }
    }
    return { k: 'unk' };
  };
  try {
    const v = evalExpr(e, look);
    if (v.k !== 'rel') return undefined;
    return asm.sections.find((s) => String(s.id) === v.anchor);
  } catch {
    return undefined;
  }
}

interface LayoutState { errors: Map<Item, string> }

/** Lookup where labels of `sec` are section-relative (for .org and .skip). */
function sectionRelLookup(asm: Assembler, sec: Section) {
  const look = (name: string, col: number, end: number): Val => {
    const s = asm.syms.get(name);
    if (s && s.kind === 'label' && s.section === sec) return { k: 'rel', anchor: 'S', off: BigInt(s.item!.off) };
    if (s && s.kind === 'equ' && s.expr && (s.value === undefined || s.lazy)) {
      if (s.busy) throw new AsmError(`symbol '${name}' is defined in terms of itself`, col, end);
      s.busy = true;
      try { return evalExpr(s.expr, look); } finally { s.busy = false; }
    }
    return asm.finalLookup(name, col, end);
  };
  return look;
}

function layoutSection(asm: Assembler, sec: Section, st: LayoutState): void {
  let off = 0;
  const look = sectionRelLookup(asm, sec);
  for (const it of sec.items) {
    it.off = off;
    switch (it.t) {
      case 'label': it.size = 0; break;
      case 'bytes': it.size = it.data.length; break;
      case 'data': it.size = it.unit * it.exprs.length; break;
      case 'insn': it.size = it.plan.isNear && it.plan.near ? it.plan.near.size : it.plan.size; break;
      case 'align': {
        const pad = (it.align - (off % it.align)) % it.align;
        it.size = it.max && pad > it.max ? 0 : pad;
        break;
      }
      case 'org': {
        it.size = 0;
        try {
          const v = evalExpr(it.e, look);
          let target: bigint;
          if (v.k === 'rel') target = v.off;
          else if (v.k === 'abs') target = v.v;
          else throw new AsmError('.org expression cannot be resolved');
          if (target < BigInt(off)) throw new AsmError(`attempt to move .org backwards (from ${hex(BigInt(off))} to ${hex(target)})`);
          if (target > BigInt(MAX_IMAGE)) throw new AsmError(`.org target ${hex(target)} is too large`);
          it.size = Number(target) - off;
          st.errors.delete(it);
        } catch (e) { st.errors.set(it, e instanceof Error ? e.message : String(e)); }
        break;
      }
      case 'space': {
        if (it.repeatCount !== undefined) { it.size = it.repeatCount * it.unit; break; }
        it.size = 0;
        try {
          const v = evalExpr(it.count, look);
          if (v.k !== 'abs') throw new AsmError('space size must be an absolute expression');
          if (v.v < 0n) throw new AsmError('space size is negative');
          if (v.v * BigInt(it.unit) > BigInt(MAX_IMAGE)) throw new AsmError(`space of ${v.v} bytes is too large`);
          it.size = Number(v.v) * it.unit;
          st.errors.delete(it);
        } catch (e) { st.errors.set(it, e instanceof Error ? e.message : String(e)); }
        break;
      }
    }
    off += it.size;
  }
  sec.size = off;
}

/** Place all sections, relaxing branches until nothing changes. Returns false when the image is too large. */
export function layout(asm: Assembler, base: bigint): boolean {
  const allocs = allocSections(asm);
  const others = asm.sections.filter((s) => !allocs.includes(s));
  // Branches relax only when the target is a label in the same section (as GNU as).
  const branches: { it: InsnItem; sec: Section }[] = [];
  for (const sec of asm.sections) {
    for (const it of sec.items) {
      if (it.t !== 'insn' || !it.plan.near) continue;
      const tsec = it.plan.target ? targetSection(asm, it.plan.target) : undefined;
      if (tsec === sec) branches.push({ it, sec });
      else it.plan.isNear = true;
    }
  }
  const st: LayoutState = { errors: new Map() };
  for (let iter = 0; iter < 64; iter++) {
    let cur = base;
    let prevRank = -1;
    for (const s of allocs) {
      if (s.fixedAddr !== undefined) s.addr = s.fixedAddr;
      else {
        const r = rank(s);
        if (prevRank >= 0 && r !== prevRank && !(r === 3 && prevRank === 2)) cur = alignUp(cur, PAGE);
        s.addr = alignUp(cur, BigInt(s.align));
        prevRank = r;
      }
      layoutSection(asm, s, st);
      cur = s.addr + BigInt(s.size);
      if (s.size > MAX_IMAGE) { asm.d.error(asm.fileLoc(), `section ${s.name} is too large`); return false; }
    }
    for (const s of others) { s.addr = 0n; layoutSection(asm, s, st); }
    let changed = false;
    for (const { it, sec } of branches) {
      if (it.plan.isNear) continue;
      let target: bigint;
      try { target = asm.finalValue(it.plan.target!); } catch { it.plan.isNear = true; changed = true; continue; }
      const next = sec.addr + BigInt(it.off + it.plan.size);
      const disp = BigInt.asIntN(64, target - next);
      if (disp < -128n || disp > 127n) { it.plan.isNear = true; changed = true; }
    }
    if (!changed) {
      for (const [item, msg] of st.errors) asm.d.error(item.loc, msg);
      return true;
    }
  }
  asm.d.error(asm.fileLoc(), 'layout did not converge (.org/.skip expressions depend on each other)');
  return false;
}

/** Encode all items of all sections into section contents. */
export function encodeSections(asm: Assembler): Map<Section, Uint8Array> {
  const out = new Map<Section, Uint8Array>();
  for (const sec of asm.sections) {
    const nobits = sec.type === 'nobits';
    const buf = nobits ? new Uint8Array(0) : new Uint8Array(sec.size);
    for (const it of sec.items) {
      try {
        const bytes = encodeItem(asm, sec, it);
        if (bytes && !nobits) {
          if (bytes.length !== it.size) throw new AsmError(`internal error: item size changed (planned ${it.size}, encoded ${bytes.length})`);
          buf.set(bytes, it.off);
        }
      } catch (e) {
        if (e instanceof AsmError) asm.d.error(it.loc, e.message, e.column, e.endColumn);
        else asm.d.error(it.loc, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    out.set(sec, buf);
  }
  return out;
}

function encodeItem(asm: Assembler, sec: Section, it: Item): Uint8Array | undefined {
  const addr = sec.addr + BigInt(it.off);
  switch (it.t) {
    case 'label': return undefined;
    case 'bytes': return it.data;
    case 'data': {
      const b = new Uint8Array(it.size);
      it.exprs.forEach((e, i) => writeLE(b, i * it.unit, it.unit, asm.truncate(asm.finalValue(e), it.unit, it.loc)));
      it.out = b;
      return b;
    }
    case 'insn': {
      const p = it.plan;
      const form = p.isNear && p.near ? p.near : { ci: p.ci, binds: p.binds, size: p.size };
      const ins = buildInstruction(form.ci, form.binds, p.pfx, { placeholder: false, value: (e) => asm.finalValue(e) }, addr + BigInt(p.pfx.raw.length), form.size - p.pfx.raw.length, p.bits);
      try {
        const b = encodeInstruction(ins, addr + BigInt(p.pfx.raw.length), p.bits, p.pfx.raw, form.ci.mandatory);
        it.out = b;
        return b;
      } finally { ins.free(); }
    }
    case 'align': {
      if (it.size === 0) return new Uint8Array(0);
      if (it.fill === null && sec.flags.exec) return nopFill(it.size, it.bits);
      return pattern(it.size, BigInt(it.fill ?? 0), it.fillSize);
    }
    case 'org': return pattern(it.size, BigInt(it.fill), 1);
    case 'space': return pattern(it.size, it.value, it.unit);
  }
}

function pattern(size: number, value: bigint, unit: number): Uint8Array {
  const b = new Uint8Array(size);
  if (value === 0n) return b;
  const u = new Uint8Array(unit);
  writeLE(u, 0, unit, value);
  for (let i = 0; i < size; i++) b[i] = u[i % unit];
  return b;
}

export function labelAddress(it: LabelItem): bigint {
  return it.sym.section!.addr + BigInt(it.off);
}
