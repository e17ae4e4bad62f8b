// DWARF call-frame information (.eh_frame and .debug_frame: CIEs, FDEs, DW_CFA_* programs) for the stack walk:
// for a pc, the rule giving the caller's CFA, return address and saved registers (what gcc -O2 emits, with or
// without -fomit-frame-pointer). Malformed data ends parsing of that section (CfiError), never a crash or a hang.

import type { ElfImage } from '../common/elf';

export class CfiError extends Error {
  constructor(message: string) { super(message); this.name = 'CfiError'; }
}

// DW_CFA_* (DWARF 5, 6.4.2): high two bits carry an operand for advance_loc, offset, restore.
const DW_CFA_advance_loc = 0x40, DW_CFA_offset = 0x80, DW_CFA_restore = 0xc0;
const DW_CFA_nop = 0x00, DW_CFA_set_loc = 0x01, DW_CFA_advance_loc1 = 0x02, DW_CFA_advance_loc2 = 0x03, DW_CFA_advance_loc4 = 0x04;
const DW_CFA_offset_extended = 0x05, DW_CFA_restore_extended = 0x06, DW_CFA_undefined = 0x07, DW_CFA_same_value = 0x08;
const DW_CFA_register = 0x09, DW_CFA_remember_state = 0x0a, DW_CFA_restore_state = 0x0b, DW_CFA_def_cfa = 0x0c;
const DW_CFA_def_cfa_register = 0x0d, DW_CFA_def_cfa_offset = 0x0e, DW_CFA_def_cfa_expression = 0x0f, DW_CFA_expression = 0x10;
const DW_CFA_offset_extended_sf = 0x11, DW_CFA_def_cfa_sf = 0x12, DW_CFA_def_cfa_offset_sf = 0x13, DW_CFA_val_offset = 0x14;
const DW_CFA_val_offset_sf = 0x15, DW_CFA_val_expression = 0x16, DW_CFA_GNU_args_size = 0x2e, DW_CFA_GNU_negative_offset_extended = 0x2f;
// DW_EH_PE_* pointer encodings (LSB: format, then application).
const DW_EH_PE_omit = 0xff, DW_EH_PE_absptr = 0x00, DW_EH_PE_uleb128 = 0x01, DW_EH_PE_udata2 = 0x02, DW_EH_PE_udata4 = 0x03;
const DW_EH_PE_udata8 = 0x04, DW_EH_PE_sleb128 = 0x09, DW_EH_PE_sdata2 = 0x0a, DW_EH_PE_sdata4 = 0x0b, DW_EH_PE_sdata8 = 0x0c;
const DW_EH_PE_pcrel = 0x10, DW_EH_PE_datarel = 0x30, DW_EH_PE_indirect = 0x80;

/** How a register of the caller is recovered. */
export type RegRule =
  | { kind: 'undefined' } | { kind: 'same' }
  | { kind: 'offset'; offset: number } /** saved at CFA + offset */
  | { kind: 'val_offset'; offset: number } /** value is CFA + offset */
  | { kind: 'register'; reg: number } /** in another register */
  | { kind: 'expression' }; /** DWARF expressions: not evaluated (unknown) */

export interface CfiRow {
  /** CFA = register + offset, or an expression (unsupported: the walk falls back). */
  cfaReg: number;
  cfaOffset: number;
  cfaExpression: boolean;
  /** Rules by DWARF register number; missing = same value (callee-saved) or as the CIE said. */
  regs: Map<number, RegRule>;
  /** DWARF number of the return-address column. */
  raReg: number;
}

interface Cie { codeAlign: number; dataAlign: number; raReg: number; fdeEncoding: number; initial: Uint8Array; addressSize: number; signal: boolean; augmentationData: boolean; }
interface Fde { start: number; end: number; cie: Cie; program: Uint8Array; }

class Reader {
  constructor(readonly b: Uint8Array, public pos: number, readonly end: number) {}
  private need(n: number): void { if (this.pos + n > this.end) throw new CfiError(`CFI record truncated at offset 0x${this.pos.toString(16)}`); }
  u8(): number { this.need(1); return this.b[this.pos++]; }
  u16(): number { this.need(2); const v = this.b[this.pos] | (this.b[this.pos + 1] << 8); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = (this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16) | (this.b[this.pos + 3] << 24)) >>> 0; this.pos += 4; return v; }
  /** Signed 64-bit as a number (canonical addresses stay exact). */
  s64(): number { const lo = this.u32(), hi = this.u32() | 0; return hi * 4294967296 + lo; }
  uleb(): number {
    let v = 0, shift = 0;
    for (;;) {
      const b = this.u8();
      if (shift < 53) v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return v;
      if (shift > 70) throw new CfiError('LEB128 number too long');
    }
  }
  sleb(): number {
    let v = 0, shift = 0, b: number;
    do {
      b = this.u8();
      if (shift < 53) v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (shift > 70) throw new CfiError('LEB128 number too long');
    } while (b & 0x80);
    if (b & 0x40 && shift < 64) v -= 2 ** shift;
    return v;
  }
  cstr(): string {
    let s = '';
    for (;;) { const c = this.u8(); if (c === 0) return s; s += String.fromCharCode(c); if (s.length > 64) throw new CfiError('augmentation string too long'); }
  }
}

/** Read an encoded pointer; `secAddr` is the address of the section byte at reader offset 0. */
function readEncoded(r: Reader, enc: number, secAddr: number, addressSize: number): number {
  if (enc === DW_EH_PE_omit) return 0;
  const at = secAddr + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case DW_EH_PE_absptr: v = addressSize === 8 ? r.s64() : r.u32(); break;
    case DW_EH_PE_uleb128: v = r.uleb(); break;
    case DW_EH_PE_udata2: v = r.u16(); break;
    case DW_EH_PE_udata4: v = r.u32(); break;
    case DW_EH_PE_udata8: v = r.s64(); break;
    case DW_EH_PE_sleb128: v = r.sleb(); break;
    case DW_EH_PE_sdata2: v = (r.u16() << 16) >> 16; break;
    case DW_EH_PE_sdata4: v = r.u32() | 0; break;
    case DW_EH_PE_sdata8: v = r.s64(); break;
    default: throw new CfiError(`unsupported pointer encoding 0x${enc.toString(16)}`);
  }
  const app = enc & 0x70;
  if (app === DW_EH_PE_pcrel) v += at;
  else if (app !== 0 && app !== DW_EH_PE_datarel) throw new CfiError(`unsupported pointer application 0x${app.toString(16)}`);
  if (enc & DW_EH_PE_indirect) throw new CfiError('indirect pointer encodings are not supported');
  return addressSize === 4 ? v >>> 0 : v;
}

/** Parse one CFI section into FDEs. eh: .eh_frame rules (CIE id 0, pointers relative), else .debug_frame. */
function parseSection(bytes: Uint8Array, secAddr: number, eh: boolean, addressSize: number, out: Fde[]): void {
  const cies = new Map<number, Cie>();
  const cieAt = (off: number): Cie => {
    const hit = cies.get(off);
    if (hit) return hit;
    const c = parseCie(bytes, off, secAddr, eh, addressSize);
    cies.set(off, c);
    return c;
  };
  let pos = 0, guard = 0;
  while (pos + 4 <= bytes.length && guard++ < 1_000_000) {
    const r = new Reader(bytes, pos, bytes.length);
    let len = r.u32();
    if (len === 0) { if (eh) break; pos += 4; continue; } // .eh_frame terminator
    let is64 = false;
    if (len === 0xffffffff) { len = r.s64(); is64 = true; }
    const bodyStart = r.pos, end = bodyStart + len;
    if (end > bytes.length || len < 4) throw new CfiError(`CFI record at 0x${pos.toString(16)} overruns its section`);
    const idPos = r.pos;
    const id = is64 ? r.s64() : r.u32();
    const isCie = eh ? id === 0 : (is64 ? id === -1 : id === 0xffffffff);
    if (!isCie) {
      const ciePos = eh ? idPos - id : id;
      if (ciePos < 0 || ciePos >= bytes.length) throw new CfiError(`FDE at 0x${pos.toString(16)} names a CIE outside the section`);
      const cie = cieAt(ciePos);
      const rr = new Reader(bytes, r.pos, end);
      const enc = eh ? cie.fdeEncoding : DW_EH_PE_absptr;
      const start = readEncoded(rr, enc, secAddr, cie.addressSize);
      const range = readEncoded(rr, enc & 0x0f, 0, cie.addressSize);
      if (eh && cie.augmentationData) rr.pos += rr.uleb();
      if (rr.pos > end) throw new CfiError(`FDE at 0x${pos.toString(16)} is truncated`);
      if (range > 0) out.push({ start, end: start + range, cie, program: bytes.subarray(rr.pos, end) });
    }
    pos = end;
  }
}

function parseCie(bytes: Uint8Array, off: number, secAddr: number, eh: boolean, addressSize: number): Cie {
  const r = new Reader(bytes, off, bytes.length);
  let len = r.u32(), is64 = false;
  if (len === 0xffffffff) { len = r.s64(); is64 = true; }
  const end = r.pos + len;
  if (end > bytes.length) throw new CfiError(`CIE at 0x${off.toString(16)} overruns its section`);
  const rr = new Reader(bytes, r.pos, end);
  if (is64) rr.s64(); else rr.u32(); // CIE id
  const version = rr.u8();
  if (version !== 1 && version !== 3 && version !== 4) throw new CfiError(`CIE version ${version} is not supported`);
  const aug = rr.cstr();
  let asize = addressSize;
  if (version === 4) { asize = rr.u8(); rr.u8(); /* segment selector size */ }
  if (aug.includes('eh')) rr.pos += asize; // old GCC eh_ptr
  const codeAlign = rr.uleb(), dataAlign = rr.sleb();
  const raReg = version === 1 ? rr.u8() : rr.uleb();
  let fdeEncoding = DW_EH_PE_absptr, signal = false, augmentationData = false;
  if (aug.startsWith('z')) {
    augmentationData = true;
    const alen = rr.uleb(), aend = rr.pos + alen;
    for (const ch of aug.slice(1)) {
      if (ch === 'R') fdeEncoding = rr.u8();
      else if (ch === 'P') { const e = rr.u8(); readEncoded(rr, e & ~DW_EH_PE_indirect, secAddr, asize); }
      else if (ch === 'L') rr.u8();
      else if (ch === 'S') signal = true;
      else break;
    }
    rr.pos = aend;
  } else if (eh && aug !== '' && aug !== 'eh') throw new CfiError(`unknown CIE augmentation "${aug}"`);
  if (rr.pos > end) throw new CfiError(`CIE at 0x${off.toString(16)} is truncated`);
  return { codeAlign, dataAlign, raReg, fdeEncoding, initial: bytes.subarray(rr.pos, end), addressSize: asize, signal, augmentationData };
}

/** Run CFA instructions up to (not past) `pc`; `initial` is the CIE's row for DW_CFA_restore. */
function execute(program: Uint8Array, cie: Cie, row: CfiRow, startLoc: number, pc: number, initial: CfiRow | null): void {
  const r = new Reader(program, 0, program.length);
  let loc = startLoc;
  const stack: CfiRow[] = [];
  const set = (reg: number, rule: RegRule): void => { row.regs.set(reg, rule); };
  const restore = (reg: number): void => {
    const rule = initial?.regs.get(reg);
    if (rule) row.regs.set(reg, rule); else row.regs.delete(reg);
  };
  let steps = 0;
  while (r.pos < r.end) {
    if (++steps > 100000) throw new CfiError('CFA program too long');
    const op = r.u8();
    const hi = op & 0xc0, low = op & 0x3f;
    if (hi === DW_CFA_advance_loc) { loc += low * cie.codeAlign; if (loc > pc) return; continue; }
    if (hi === DW_CFA_offset) { set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
    if (hi === DW_CFA_restore) { restore(low); continue; }
    switch (op) {
      case DW_CFA_nop: break;
      case DW_CFA_set_loc: loc = cie.addressSize === 8 ? r.s64() : r.u32(); if (loc > pc) return; break;
      case DW_CFA_advance_loc1: loc += r.u8() * cie.codeAlign; if (loc > pc) return; break;
      case DW_CFA_advance_loc2: loc += r.u16() * cie.codeAlign; if (loc > pc) return; break;
      case DW_CFA_advance_loc4: loc += r.u32() * cie.codeAlign; if (loc > pc) return; break;
      case DW_CFA_offset_extended: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
      case DW_CFA_offset_extended_sf: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case DW_CFA_GNU_negative_offset_extended: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      case DW_CFA_val_offset: { const reg = r.uleb(); set(reg, { kind: 'val_offset', offset: r.uleb() * cie.dataAlign }); break; }
      case DW_CFA_val_offset_sf: { const reg = r.uleb(); set(reg, { kind: 'val_offset', offset: r.sleb() * cie.dataAlign }); break; }
      case DW_CFA_restore_extended: restore(r.uleb()); break;
      case DW_CFA_undefined: set(r.uleb(), { kind: 'undefined' }); break;
      case DW_CFA_same_value: set(r.uleb(), { kind: 'same' }); break;
      case DW_CFA_register: { const reg = r.uleb(); set(reg, { kind: 'register', reg: r.uleb() }); break; }
      case DW_CFA_remember_state:
        if (stack.length > 64) throw new CfiError('DW_CFA_remember_state nested too deeply');
        stack.push({ ...row, regs: new Map(row.regs) }); break;
      case DW_CFA_restore_state: {
        const s = stack.pop();
        if (!s) throw new CfiError('DW_CFA_restore_state without remember_state');
        row.cfaReg = s.cfaReg; row.cfaOffset = s.cfaOffset; row.cfaExpression = s.cfaExpression; row.regs = s.regs;
        break;
      }
      case DW_CFA_def_cfa: row.cfaReg = r.uleb(); row.cfaOffset = r.uleb(); row.cfaExpression = false; break;
      case DW_CFA_def_cfa_sf: row.cfaReg = r.uleb(); row.cfaOffset = r.sleb() * cie.dataAlign; row.cfaExpression = false; break;
      case DW_CFA_def_cfa_register: row.cfaReg = r.uleb(); row.cfaExpression = false; break;
      case DW_CFA_def_cfa_offset: row.cfaOffset = r.uleb(); break;
      case DW_CFA_def_cfa_offset_sf: row.cfaOffset = r.sleb() * cie.dataAlign; break;
      case DW_CFA_def_cfa_expression: r.pos += r.uleb(); row.cfaExpression = true; break;
      case DW_CFA_expression: case DW_CFA_val_expression: { const reg = r.uleb(); r.pos += r.uleb(); set(reg, { kind: 'expression' }); break; }
      case DW_CFA_GNU_args_size: r.uleb(); break;
      default: throw new CfiError(`unknown DW_CFA opcode 0x${op.toString(16)}`);
    }
    if (r.pos > r.end) throw new CfiError('CFA instruction truncated');
  }
}

/** Unwind tables of one ELF image. */
export class CfiTable {
  /** FDEs sorted by start address. */
  private readonly fdes: Fde[];
  /** Sections that could not be parsed, with why (the rest still works). */
  readonly problems: string[];

  constructor(fdes: Fde[], problems: string[] = []) {
    this.fdes = fdes.sort((a, b) => a.start - b.start);
    this.problems = problems;
  }

  get size(): number { return this.fdes.length; }

  /** The FDE covering pc. */
  private find(pc: number): Fde | undefined {
    let lo = 0, hi = this.fdes.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.fdes[mid].start <= pc) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let k = best; k >= 0 && k > best - 8; k--) if (pc >= this.fdes[k].start && pc < this.fdes[k].end) return this.fdes[k];
    return undefined;
  }

  has(pc: number): boolean { return this.find(pc) !== undefined; }

  /** The unwind row in effect at pc, or undefined when no FDE covers it (or its program is malformed). */
  rowAt(pc: number): CfiRow | undefined {
    const f = this.find(pc);
    if (!f) return undefined;
    const row: CfiRow = { cfaReg: -1, cfaOffset: 0, cfaExpression: false, regs: new Map(), raReg: f.cie.raReg };
    try {
      execute(f.cie.initial, f.cie, row, f.start, Number.MAX_SAFE_INTEGER, null);
      const initial: CfiRow = { ...row, regs: new Map(row.regs) };
      execute(f.program, f.cie, row, f.start, pc, initial);
    } catch { return undefined; }
    return row.cfaReg < 0 ? undefined : row;
  }
}

/** .eh_frame and .debug_frame of an image (a section that fails to parse is skipped and noted). */
export function readCfi(img: ElfImage): CfiTable {
  const fdes: Fde[] = [], problems: string[] = [];
  const asize = img.bits === 64 ? 8 : 4;
  for (const [name, eh] of [['.eh_frame', true], ['.debug_frame', false]] as const) {
    const s = img.sections.find((x) => x.name === name);
    if (!s || s.type === 8 /* SHT_NOBITS */ || s.offset + s.size > img.bytes.length) continue;
    const part: Fde[] = [];
    try {
      parseSection(img.bytes.subarray(s.offset, s.offset + s.size), s.addr, eh, asize, part);
    } catch (e) { problems.push(`${name}: ${(e as Error).message}`); }
    fdes.push(...part);
  }
  return new CfiTable(fdes, problems);
}
