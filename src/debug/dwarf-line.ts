// DWARF .debug_line reader (versions 2 to 5, 32- and 64-bit DWARF): runs the line-number programs into
// address ranges so the debugger can map addresses to source lines and source lines to addresses.

import * as path from 'path';
import type { ElfImage } from '../common/elf';

export class DwarfError extends Error {
  constructor(message: string) { super(message); this.name = 'DwarfError'; }
}

/** One row of the line table, covering [address, end). */
export interface LineRow {
  address: number;
  end: number;
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
}

// Standard opcodes (DWARF 5, 6.2.5.2) and extended opcodes (6.2.5.3).
const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6, DW_LNS_const_add_pc = 8, DW_LNS_fixed_advance_pc = 9;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_define_file = 3;
// Entry formats of DWARF 5 directory/file tables.
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;
const DW_FORM_block = 0x09, DW_FORM_block1 = 0x0a, DW_FORM_data1 = 0x0b, DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06;
const DW_FORM_data8 = 0x07, DW_FORM_data16 = 0x1e, DW_FORM_string = 0x08, DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f;
const DW_FORM_line_strp = 0x1f, DW_FORM_sdata = 0x0d, DW_FORM_strx = 0x1a, DW_FORM_strx1 = 0x25, DW_FORM_strx2 = 0x26;
const DW_FORM_strx3 = 0x27, DW_FORM_strx4 = 0x28;

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, start: number, readonly end: number) { this.pos = start; }
  need(n: number): void { if (this.pos + n > this.end) throw new DwarfError(`.debug_line truncated at offset 0x${this.pos.toString(16)}`); }
  u8(): number { this.need(1); return this.b[this.pos++]; }
  u16(): number { this.need(2); const v = this.b[this.pos] | (this.b[this.pos + 1] << 8); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = (this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16) | (this.b[this.pos + 3] << 24)) >>> 0; this.pos += 4; return v; }
  u64(): number { const lo = this.u32(), hi = this.u32(); return hi * 4294967296 + lo; }
  i8(): number { const v = this.u8(); return v >= 0x80 ? v - 0x100 : v; }
  uleb(): number {
    let result = 0, mul = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) return result;
    }
  }
  sleb(): number {
    let result = 0, mul = 1, byte: number;
    do { byte = this.u8(); result += (byte & 0x7f) * mul; mul *= 128; } while (byte & 0x80);
    if (byte & 0x40) result -= mul;
    return result;
  }
  cstr(): string {
    const s = this.pos;
    while (this.pos < this.end && this.b[this.pos] !== 0) this.pos++;
    if (this.pos >= this.end) throw new DwarfError('unterminated string in .debug_line header');
    const out = Buffer.from(this.b.subarray(s, this.pos)).toString('utf8');
    this.pos++;
    return out;
  }
  addr(size: number): number { return size === 8 ? this.u64() : size === 4 ? this.u32() : size === 2 ? this.u16() : this.u8(); }
}

function strAt(sec: Uint8Array | undefined, off: number, what: string): string {
  if (!sec || off >= sec.length) throw new DwarfError(`${what} offset 0x${off.toString(16)} is outside the string section`);
  let e = off;
  while (e < sec.length && sec[e] !== 0) e++;
  return Buffer.from(sec.subarray(off, e)).toString('utf8');
}

interface Sections { line: Uint8Array; lineStr?: Uint8Array; str?: Uint8Array; }

/** Decode every line-number program in .debug_line into rows (sorted by address). */
export function decodeLineSections(secs: Sections, addressSize: number, compDir = ''): LineRow[] {
  const rows: LineRow[] = [];
  const b = secs.line;
  let off = 0;
  while (off < b.length) {
    const r = new Reader(b, off, b.length);
    let unitLength = r.u32();
    let offSize = 4;
    if (unitLength === 0xffffffff) { unitLength = r.u64(); offSize = 8; }
    else if (unitLength >= 0xfffffff0) throw new DwarfError(`reserved unit length 0x${unitLength.toString(16)}`);
    const unitEnd = r.pos + unitLength;
    if (unitEnd > b.length) throw new DwarfError(`line program at 0x${off.toString(16)} extends past .debug_line`);
    decodeUnit(new Reader(b, r.pos, unitEnd), secs, offSize, addressSize, compDir, rows);
    off = unitEnd;
  }
  rows.sort((x, y) => x.address - y.address);
  return rows;
}

function decodeUnit(r: Reader, secs: Sections, offSize: number, defaultAddrSize: number, compDir: string, rows: LineRow[]): void {
  const version = r.u16();
  if (version < 2 || version > 5) throw new DwarfError(`unsupported .debug_line version ${version}`);
  let addrSize = defaultAddrSize;
  if (version >= 5) { addrSize = r.u8(); r.u8(); /* segment selector size */ }
  const headerLength = offSize === 8 ? r.u64() : r.u32();
  const programStart = r.pos + headerLength;
  const minInsnLength = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction (VLIW only)
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new DwarfError('line_range is 0');
  const stdLengths: number[] = [0];
  for (let k = 1; k < opcodeBase; k++) stdLengths.push(r.u8());

  const dirs: string[] = [];
  const files: string[] = [];
  const join = (dir: string, name: string): string => path.isAbsolute(name) ? name : path.resolve(path.isAbsolute(dir) ? dir : path.join(compDir || '/', dir), name);
  if (version >= 5) {
    const readTable = (): { path: string; dir: number }[] => {
      const fmtCount = r.u8();
      const fmt: [number, number][] = [];
      for (let k = 0; k < fmtCount; k++) fmt.push([r.uleb(), r.uleb()]);
      const n = r.uleb();
      const out: { path: string; dir: number }[] = [];
      for (let k = 0; k < n; k++) {
        const e = { path: '', dir: 0 };
        for (const [ct, form] of fmt) {
          const v = readForm(r, form, offSize, secs);
          if (ct === DW_LNCT_path && typeof v === 'string') e.path = v;
          else if (ct === DW_LNCT_directory_index && typeof v === 'number') e.dir = v;
        }
        out.push(e);
      }
      return out;
    };
    for (const d of readTable()) dirs.push(d.path);
    for (const f of readTable()) files.push(join(dirs[f.dir] ?? '', f.path));
  } else {
    dirs.push(compDir);
    for (;;) { const d = r.cstr(); if (d === '') break; dirs.push(d); }
    files.push(''); // file numbers start at 1 before DWARF 5
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb(); r.uleb(); r.uleb();
      files.push(join(dirs[dir] ?? '', name));
    }
  }

  r.pos = programStart;
  let address = 0, file = 1, line = 1, column = 0, isStmt = defaultIsStmt;
  let seq: LineRow[] = [];
  const reset = (): void => { address = 0; file = 1; line = 1; column = 0; isStmt = defaultIsStmt; };
  const emit = (): void => {
    const prev = seq[seq.length - 1];
    if (prev) prev.end = address;
    seq.push({ address, end: address, file: files[file] ?? `<file ${file}>`, line, column, isStmt });
  };
  while (r.pos < r.end) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInsnLength;
      line += lineBase + (adj % lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.pos + len;
        if (len === 0) break;
        const sub = r.u8();
        if (sub === DW_LNE_end_sequence) {
          const prev = seq[seq.length - 1];
          if (prev) prev.end = address;
          for (const row of seq) if (row.end > row.address) rows.push(row);
          seq = [];
          reset();
        } else if (sub === DW_LNE_set_address) {
          address = r.addr(len - 1 || addrSize);
        } else if (sub === DW_LNE_define_file) {
          const name = r.cstr(); const dir = r.uleb();
          files.push(join(dirs[dir] ?? '', name));
        }
        r.pos = next;
        break;
      }
      case DW_LNS_copy: emit(); break;
      case DW_LNS_advance_pc: address += r.uleb() * minInsnLength; break;
      case DW_LNS_advance_line: line += r.sleb(); break;
      case DW_LNS_set_file: file = r.uleb(); break;
      case DW_LNS_set_column: column = r.uleb(); break;
      case DW_LNS_negate_stmt: isStmt = !isStmt; break;
      case DW_LNS_const_add_pc: address += Math.floor((255 - opcodeBase) / lineRange) * minInsnLength; break;
      case DW_LNS_fixed_advance_pc: address += r.u16(); break;
      default:
        // set_basic_block, set_prologue_end, set_epilogue_begin, set_isa and unknown opcodes: skip operands
        for (let k = 0; k < (stdLengths[op] ?? 0); k++) r.uleb();
    }
  }
}

function readForm(r: Reader, form: number, offSize: number, secs: Sections): string | number {
  switch (form) {
    case DW_FORM_string: return r.cstr();
    case DW_FORM_line_strp: return strAt(secs.lineStr, offSize === 8 ? r.u64() : r.u32(), '.debug_line_str');
    case DW_FORM_strp: return strAt(secs.str, offSize === 8 ? r.u64() : r.u32(), '.debug_str');
    case DW_FORM_udata: return r.uleb();
    case DW_FORM_sdata: return r.sleb();
    case DW_FORM_data1: return r.u8();
    case DW_FORM_data2: return r.u16();
    case DW_FORM_data4: return r.u32();
    case DW_FORM_data8: return r.u64();
    case DW_FORM_data16: r.need(16); r.pos += 16; return 0;
    case DW_FORM_block: { const n = r.uleb(); r.need(n); r.pos += n; return 0; }
    case DW_FORM_block1: { const n = r.u8(); r.need(n); r.pos += n; return 0; }
    case DW_FORM_strx: r.uleb(); return '';
    case DW_FORM_strx1: r.u8(); return '';
    case DW_FORM_strx2: r.u16(); return '';
    case DW_FORM_strx3: r.need(3); r.pos += 3; return '';
    case DW_FORM_strx4: r.u32(); return '';
    default: throw new DwarfError(`unsupported form 0x${form.toString(16)} in a .debug_line entry format`);
  }
}

/** Address <-> source line lookups over the decoded rows of an image. */
export class LineTable {
  private readonly byFile = new Map<string, LineRow[]>();
  constructor(readonly rows: LineRow[]) {
    for (const row of rows) {
      let list = this.byFile.get(row.file);
      if (!list) { list = []; this.byFile.set(row.file, list); }
      list.push(row);
    }
  }
  get isEmpty(): boolean { return this.rows.length === 0; }
  get files(): string[] { return [...this.byFile.keys()]; }

  /** The row covering addr, or undefined. */
  lookup(addr: number): LineRow | undefined {
    const rows = this.rows;
    let lo = 0, hi = rows.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].address <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // several rows may start at the same address; prefer the last (the one the program settled on)
    for (let k = best; k >= 0 && rows[k].address <= addr; k--) if (addr < rows[k].end) return rows[k];
    return undefined;
  }

  /** True when addr starts a statement row (a place a line step may stop). */
  isStatementStart(addr: number): boolean {
    const row = this.lookup(addr);
    return row !== undefined && row.address === addr && row.isStmt;
  }

  /**
   * Addresses for a source line: the statement rows of that line, or, when the line has no code, of the
   * next line that has (line reports where the breakpoint really is). undefined when nothing follows.
   */
  addressesFor(file: string, line: number): { line: number; addresses: number[] } | undefined {
    const list = this.byFile.get(normalizePath(file)) ?? this.findFileBySuffix(file);
    if (!list) return undefined;
    let bestLine = Infinity;
    for (const row of list) if (row.line >= line && row.line < bestLine && row.isStmt) bestLine = row.line;
    if (bestLine === Infinity || bestLine > line + 50) return undefined;
    const addrs: number[] = [];
    // one address per contiguous block of rows of this line (the first row of each block)
    for (const row of list) {
      if (row.line !== bestLine || !row.isStmt) continue;
      const prev = this.lookup(row.address - 1);
      if (prev && prev.line === bestLine && prev.file === row.file && prev.end === row.address) continue;
      addrs.push(row.address);
    }
    return { line: bestLine, addresses: [...new Set(addrs)].sort((a, b) => a - b) };
  }

  private findFileBySuffix(file: string): LineRow[] | undefined {
    const base = path.basename(file);
    const hits = [...this.byFile.keys()].filter((f) => path.basename(f) === base);
    return hits.length === 1 ? this.byFile.get(hits[0]) : undefined;
  }
}

export function normalizePath(p: string): string { return path.resolve(p); }

/** Line table of an ELF image (empty when it has no .debug_line); compDir resolves relative names. */
export function readLineTable(img: ElfImage, compDir: string): LineTable {
  const sec = (name: string): Uint8Array | undefined => {
    const s = img.sections.find((x) => x.name === name);
    return s && s.type !== 8 ? img.bytes.subarray(s.offset, s.offset + s.size) : undefined;
  };
  const line = sec('.debug_line');
  if (!line) return new LineTable([]);
  return new LineTable(decodeLineSections({ line, lineStr: sec('.debug_line_str'), str: sec('.debug_str') }, img.bits === 64 ? 8 : 4, compDir));
}
