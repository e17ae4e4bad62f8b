// Public entry point of the guest assembler: assemble(source, options) -> ELF image of a Xen PV guest,
// diagnostics, symbols, line table and listing. No exception escapes for any input.

import { Assembler } from './assembler';
import { buildDebugAbbrev, buildDebugInfo, buildDebugLine, LineSequence } from './dwarf';
import { ElfSectionIn, ElfSymIn, SHT_NOBITS, SHT_NOTE, SHT_PROGBITS, writeElf } from './elf';
import { evalExpr, Val } from './expr';
import { allocateCommons, allocSections, encodeSections, layout } from './layout';
import { buildListing } from './listing';
import { flagString, Section, Sym } from './sections';
import { AsmLine, AsmOptions, AsmResult, AsmSectionInfo, AsmSymbol } from './types';
import { noteValue, parseNotes } from './xen-notes';
import { XEN_ELFNOTE_ENTRY } from '../xen/public/elfnote';

export type { AsmOptions, AsmResult, AsmDiagnostic, AsmSymbol, AsmLine, AsmSectionInfo } from './types';
export { directiveNames } from './directives';
export { parseNotes } from './xen-notes';
export { decodeDebugLine } from './dwarf';
export { predefinedSymbols } from './xen-symbols';

const DEFAULT_BASE = 0x00400000n;

function num(v: bigint): number {
  return Number(BigInt.asUintN(64, v));
}

/** Section a symbol's value is relative to (labels, or equates of labels), undefined for absolute. */
function symSection(asm: Assembler, s: Sym): Section | undefined {
  if (s.kind === 'label') return s.section;
  if (s.kind !== 'equ' || !s.expr) return undefined;
  const look = (name: string): Val => {
    const t = asm.syms.get(name);
    if (!t) return { k: 'unk' };
    if (t.kind === 'label') return { k: 'rel', anchor: String(t.section!.id), off: 0n };
    if (t.kind === 'equ' && t.expr && !t.busy) {
      if (t.value !== undefined && !t.lazy) return { k: 'abs', v: t.value };
      t.busy = true;
      try { return evalExpr(t.expr, look); } finally { t.busy = false; }
    }
    return { k: 'unk' };
  };
  try {
    const v = evalExpr(s.expr, look);
    return v.k === 'rel' ? asm.sections.find((x) => String(x.id) === v.anchor) : undefined;
  } catch { return undefined; }
}

export function assemble(source: string, opts: AsmOptions): AsmResult {
  const fileName = opts?.fileName ?? '<input>';
  const fail = (message: string, bits: 32 | 64 = 64): AsmResult => ({
    ok: false, bits, entry: 0, entryBig: 0n, symbols: [], lines: [], listing: '', sections: [],
    diagnostics: [{ file: fileName, line: 1, column: 1, severity: 'error', message }],
  });
  let asm: Assembler;
  const optErrors: string[] = [];
  const addrOk = (v: unknown) => (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) && BigInt(v as number) >= 0n && BigInt(v as number) < 1n << 64n;
  const o: AsmOptions = { ...(opts ?? { fileName }), fileName };
  if (o.bits !== undefined && o.bits !== 32 && o.bits !== 64) { optErrors.push(`option bits must be 32 or 64 (got ${String(o.bits)})`); o.bits = undefined; }
  if (o.base !== undefined && !addrOk(o.base)) { optErrors.push(`option base is not a valid address (${String(o.base)})`); o.base = undefined; }
  if (o.sectionAddresses) {
    const sa: Record<string, number | bigint> = {};
    for (const [k, v] of Object.entries(o.sectionAddresses)) {
      if (addrOk(v)) sa[k] = v; else optErrors.push(`sectionAddresses['${k}'] is not a valid address (${String(v)})`);
    }
    o.sectionAddresses = sa;
  }
  try {
    asm = new Assembler(o);
    for (const m of optErrors) asm.d.error(asm.fileLoc(), m);
  } catch (e) {
    return fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    asm.run(typeof source === 'string' ? source : String(source ?? ''));
    allocateCommons(asm);
    const bits: 32 | 64 = asm.elfBits ?? 64;
    const base = o.base !== undefined ? BigInt(o.base) : DEFAULT_BASE;
    const placed = layout(asm, base);
    const contents = placed ? encodeSections(asm) : new Map<Section, Uint8Array>();
    const ordered = allocSections(asm).filter((s) => s.size > 0 || s.items.length > 0);
    const nonAlloc = asm.sections.filter((s) => !s.flags.alloc && s.items.length > 0);

    // symbols
    const symbols: AsmSymbol[] = [];
    const elfSyms: { sym: Sym; value: bigint; size: bigint; sec?: Section }[] = [];
    for (const s of asm.syms.values()) {
      if (s.predefined || s.hidden || s.kind === 'undef' || s.name.startsWith('.L')) continue;
      let value: bigint;
      try { value = placed ? asm.finalValue({ k: 'sym', name: s.name, col: 0, end: 0 }) : 0n; } catch { continue; }
      let size = 0n;
      if (s.sizeExpr && placed) {
        try { size = asm.finalValue(s.sizeExpr); } catch (e) { if (s.loc) asm.d.error(s.loc, `bad .size for '${s.name}': ${e instanceof Error ? e.message : e}`); }
      }
      const sec = symSection(asm, s);
      symbols.push({
        name: s.name, value: num(value), valueBig: BigInt.asUintN(64, value), section: sec ? sec.name : '*ABS*', global: s.global,
        file: s.loc?.via?.file ?? s.loc?.file ?? fileName, line: s.loc?.via?.line ?? s.loc?.line ?? 0,
      });
      elfSyms.push({ sym: s, value, size, sec });
    }

    // entry point: entry symbol, else the Xen ENTRY note, else start of .text
    let entry: bigint | undefined;
    const entryName = o.entrySymbol ?? '_start';
    const es = asm.syms.get(entryName);
    if (es && es.kind !== 'undef' && placed) { try { entry = asm.finalValue({ k: 'sym', name: entryName, col: 0, end: 0 }); } catch { /* reported elsewhere */ } }
    if (entry === undefined) {
      for (const s of asm.sections) {
        if (s.type !== 'note') continue;
        for (const n of parseNotes(contents.get(s) ?? new Uint8Array(0))) {
          if (n.name === 'Xen' && n.type === XEN_ELFNOTE_ENTRY && entry === undefined) entry = noteValue(n.desc);
        }
      }
    }
    if (entry === undefined) entry = asm.sections.find((s) => s.name === '.text')?.addr ?? base;
    entry = BigInt.asUintN(bits, entry);

    // line table: every instruction / data item in code sections
    const lines: AsmLine[] = [];
    const seqs: LineSequence[] = [];
    for (const sec of ordered) {
      if (!sec.flags.exec) continue;
      const rows: LineSequence['rows'] = [];
      for (const it of sec.items) {
        if (it.size === 0 || (it.t !== 'insn' && it.t !== 'bytes' && it.t !== 'data')) continue;
        const where = it.loc.via ?? it.loc;
        const addr = sec.addr + BigInt(it.off);
        lines.push({ address: num(addr), addressBig: BigInt.asUintN(64, addr), file: where.file, line: where.line, length: it.size, kind: it.t === 'insn' ? 'insn' : 'data' });
        rows.push({ addr, file: where.file, line: where.line });
      }
      if (rows.length) seqs.push({ rows, end: sec.addr + BigInt(sec.size) });
    }

    const sections: AsmSectionInfo[] = ordered.map((s) => ({ name: s.name, address: num(s.addr), addressBig: s.addr, size: s.size, flags: flagString(s) }));
    const listing = placed ? safeListing(asm, [...ordered, ...nonAlloc], contents, symbols, bits) : '';

    let elf: Uint8Array | undefined;
    if (asm.d.errors === 0 && placed) {
      const elfSecs: ElfSectionIn[] = [];
      const secIndex = new Map<Section, number>();
      for (const s of [...ordered, ...nonAlloc]) {
        if (s.size === 0 && s.name !== '.text') continue;
        secIndex.set(s, elfSecs.length);
        elfSecs.push({
          name: s.name, type: s.type === 'nobits' ? SHT_NOBITS : s.type === 'note' ? SHT_NOTE : SHT_PROGBITS,
          alloc: s.flags.alloc, write: s.flags.write, exec: s.flags.exec, addr: s.addr,
          data: contents.get(s) ?? new Uint8Array(0), size: s.size, align: s.type === 'note' ? Math.max(4, s.align) : s.align,
        });
      }
      if (o.debugInfo !== false && seqs.length > 0) {
        const addrSize = bits / 8;
        const low = seqs.reduce((m, q) => (q.rows[0].addr < m ? q.rows[0].addr : m), seqs[0].rows[0].addr);
        const high = seqs.reduce((m, q) => (q.end > m ? q.end : m), seqs[0].end);
        const dbg = (name: string, data: Uint8Array) => elfSecs.push({ name, type: SHT_PROGBITS, alloc: false, write: false, exec: false, addr: 0n, data, size: data.length, align: 1 });
        dbg('.debug_abbrev', buildDebugAbbrev());
        dbg('.debug_info', buildDebugInfo(addrSize, low, high, fileName, '', 'xenpv-asm'));
        dbg('.debug_line', buildDebugLine(seqs, addrSize));
      }
      const es2: ElfSymIn[] = elfSyms.map(({ sym, value, size, sec }) => ({
        name: sym.name, value: BigInt.asUintN(bits, value), size, section: sec && secIndex.has(sec) ? secIndex.get(sec)! : 'abs',
        global: sym.global, weak: sym.weak, type: sym.type,
      }));
      elf = writeElf({ bits, entry, sections: elfSecs, symbols: es2, fileName });
    }
    return {
      ok: asm.d.errors === 0 && !!elf,
      diagnostics: asm.d.sorted(),
      elf,
      bits,
      entry: num(entry),
      entryBig: entry,
      symbols,
      lines,
      listing,
      sections,
    };
  } catch (e) {
    const r = fail(`internal error: ${e instanceof Error ? e.message : String(e)}`, asm.elfBits ?? 64);
    r.diagnostics = [...asm.d.list, ...r.diagnostics];
    return r;
  }
}

function safeListing(asm: Assembler, ordered: Section[], contents: Map<Section, Uint8Array>, symbols: AsmSymbol[], bits: 32 | 64): string {
  try { return buildListing(asm, ordered, contents, symbols, bits); } catch (e) { return `listing unavailable: ${e instanceof Error ? e.message : e}\n`; }
}
