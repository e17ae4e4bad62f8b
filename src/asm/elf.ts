// ELF32/ELF64 executable writer: PT_LOAD per permission run of alloc sections (file offset congruent to
// the address modulo the page size), PT_NOTE per note section, section headers, .symtab/.strtab.

export const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOTE = 7, SHT_NOBITS = 8;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const PT_LOAD = 1, PT_NOTE = 4;
const PF_X = 1, PF_W = 2, PF_R = 4;
const PAGE = 0x1000;

export interface ElfSectionIn {
  name: string;
  type: number;
  alloc: boolean;
  write: boolean;
  exec: boolean;
  addr: bigint;
  /** Contents (ignored for SHT_NOBITS). */
  data: Uint8Array;
  size: number;
  align: number;
}

export interface ElfSymIn {
  name: string;
  value: bigint;
  size: bigint;
  /** Index into the sections array given to writeElf, or 'abs'. */
  section: number | 'abs';
  global: boolean;
  weak: boolean;
  type: 'func' | 'object' | 'notype';
}

export interface ElfIn {
  bits: 32 | 64;
  entry: bigint;
  sections: ElfSectionIn[];
  symbols: ElfSymIn[];
  fileName: string;
}

class Out {
  buf = new Uint8Array(4096);
  len = 0;
  ensure(n: number): void {
    if (n <= this.buf.length) return;
    let c = this.buf.length;
    while (c < n) c *= 2;
    const b = new Uint8Array(c);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  at(off: number, bytes: Uint8Array): void { this.ensure(off + bytes.length); this.buf.set(bytes, off); this.len = Math.max(this.len, off + bytes.length); }
  pad(to: number): void { this.ensure(to); this.len = Math.max(this.len, to); }
  result(): Uint8Array { return this.buf.slice(0, this.len); }
}

class Fields {
  private dv: DataView;
  readonly bytes: Uint8Array;
  p = 0;
  constructor(size: number, private is64: boolean) { this.bytes = new Uint8Array(size); this.dv = new DataView(this.bytes.buffer); }
  u8(v: number): this { this.dv.setUint8(this.p, v); this.p += 1; return this; }
  u16(v: number): this { this.dv.setUint16(this.p, v, true); this.p += 2; return this; }
  u32(v: number): this { this.dv.setUint32(this.p, v >>> 0, true); this.p += 4; return this; }
  u64(v: bigint): this { this.dv.setBigUint64(this.p, BigInt.asUintN(64, v), true); this.p += 8; return this; }
  /** Address/offset sized field (Elf32_Addr or Elf64_Addr). */
  word(v: bigint | number): this { return this.is64 ? this.u64(BigInt(v)) : this.u32(Number(BigInt.asUintN(32, BigInt(v)))); }
}

function strtab(names: string[]): { data: Uint8Array; offsets: number[] } {
  const enc = new TextEncoder();
  const parts: number[] = [0];
  const offsets: number[] = [];
  const seen = new Map<string, number>();
  for (const n of names) {
    if (n === '') { offsets.push(0); continue; }
    const s = seen.get(n);
    if (s !== undefined) { offsets.push(s); continue; }
    offsets.push(parts.length);
    seen.set(n, parts.length);
    for (const b of enc.encode(n)) parts.push(b);
    parts.push(0);
  }
  return { data: Uint8Array.from(parts), offsets };
}

interface Seg { type: number; flags: number; offset: number; vaddr: bigint; filesz: number; memsz: number; align: number }

export function writeElf(inp: ElfIn): Uint8Array {
  const is64 = inp.bits === 64;
  const ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, shentsize = is64 ? 64 : 40;
  const secs = inp.sections;
  const alloc = secs.map((s, i) => ({ s, i })).filter((x) => x.s.alloc).sort((a, b) => (a.s.addr < b.s.addr ? -1 : a.s.addr > b.s.addr ? 1 : a.i - b.i));

  // Group alloc sections into loadable segments.
  const groups: { idx: number[]; flags: number }[] = [];
  let last: ElfSectionIn | undefined;
  for (const { s, i } of alloc) {
    const flags = PF_R | (s.write ? PF_W : 0) | (s.exec ? PF_X : 0);
    const g = groups[groups.length - 1];
    const lastEnd = last ? last.addr + BigInt(last.size) : 0n;
    const contiguous = last && s.addr >= lastEnd && s.addr - lastEnd < BigInt(PAGE) && !(last.type === SHT_NOBITS && s.type !== SHT_NOBITS);
    if (g && g.flags === flags && contiguous) g.idx.push(i);
    else groups.push({ idx: [i], flags });
    last = s;
  }
  const notes = secs.map((s, i) => ({ s, i })).filter((x) => x.s.type === SHT_NOTE && x.s.size > 0);
  const nph = groups.length + notes.length;

  const out = new Out();
  const fileOff = new Array<number>(secs.length).fill(0);
  let off = ehsize + nph * phentsize;
  const segs: Seg[] = [];
  for (const g of groups) {
    const first = secs[g.idx[0]];
    const mod = Number(first.addr % BigInt(PAGE));
    const minOff = off;
    off = off - (off % PAGE) + mod;
    if (off < minOff) off += PAGE;
    const base = off;
    let filesz = 0, memsz = 0;
    for (const i of g.idx) {
      const s = secs[i];
      const rel = Number(s.addr - first.addr);
      fileOff[i] = base + rel;
      if (s.type !== SHT_NOBITS) {
        out.at(base + rel, s.data.subarray(0, s.size));
        filesz = rel + s.size;
      } else fileOff[i] = base + filesz;
      memsz = rel + s.size;
    }
    segs.push({ type: PT_LOAD, flags: g.flags, offset: base, vaddr: first.addr, filesz, memsz, align: PAGE });
    off = base + Math.max(filesz, 0);
    out.pad(off);
  }
  // Non-alloc sections after the loadable image.
  off = Math.max(off, out.len);
  for (let i = 0; i < secs.length; i++) {
    const s = secs[i];
    if (s.alloc) continue;
    const al = Math.max(1, s.align);
    off = Math.ceil(off / al) * al;
    fileOff[i] = off;
    if (s.type !== SHT_NOBITS) { out.at(off, s.data.subarray(0, s.size)); off += s.size; }
  }
  for (const { s, i } of notes) {
    segs.push({ type: PT_NOTE, flags: PF_R, offset: fileOff[i], vaddr: s.alloc ? s.addr : 0n, filesz: s.size, memsz: s.alloc ? s.size : 0, align: 4 });
  }

  // Symbol table: null, file, locals, then globals.
  const syms = [...inp.symbols.filter((s) => !s.global), ...inp.symbols.filter((s) => s.global)];
  const symNames = ['', inp.fileName.split('/').pop() ?? inp.fileName, ...syms.map((s) => s.name)];
  const str = strtab(symNames);
  const symEnt = is64 ? 24 : 16;
  const symtab = new Fields(symEnt * (syms.length + 2), is64);
  const firstSecIndex = 1;
  const writeSym = (name: number, value: bigint, size: bigint, info: number, shndx: number) => {
    if (is64) symtab.u32(name).u8(info).u8(0).u16(shndx).u64(value).u64(size);
    else symtab.u32(name).u32(Number(BigInt.asUintN(32, value))).u32(Number(BigInt.asUintN(32, size))).u8(info).u8(0).u16(shndx);
  };
  writeSym(0, 0n, 0n, 0, 0);
  writeSym(str.offsets[1], 0n, 0n, (0 << 4) | 4 /* STT_FILE */, 0xfff1);
  syms.forEach((s, k) => {
    const bind = s.weak ? 2 : s.global ? 1 : 0;
    const type = s.type === 'func' ? 2 : s.type === 'object' ? 1 : 0;
    const shndx = s.section === 'abs' ? 0xfff1 : s.section + firstSecIndex;
    writeSym(str.offsets[k + 2], s.value, s.size, (bind << 4) | type, shndx);
  });
  const firstGlobal = 2 + syms.filter((s) => !s.global).length;

  const allNames = [...secs.map((s) => s.name), '.symtab', '.strtab', '.shstrtab'];
  const shstr = strtab(allNames);
  const align8 = (v: number) => Math.ceil(v / 8) * 8;
  off = align8(off);
  const symOff = off; out.at(symOff, symtab.bytes); off += symtab.bytes.length;
  const strOff = off; out.at(strOff, str.data); off += str.data.length;
  const shstrOff = off; out.at(shstrOff, shstr.data); off += shstr.data.length;
  off = align8(off);
  const shoff = off;
  const shnum = secs.length + 4;

  const sh = new Fields(shentsize * shnum, is64);
  const writeSh = (name: number, type: number, flags: number, addr: bigint, offset: number, size: number, link: number, info: number, align: number, entsize: number) => {
    sh.u32(name).u32(type).word(flags).word(addr).word(offset).word(size).u32(link).u32(info).word(align).word(entsize);
  };
  writeSh(0, 0, 0, 0n, 0, 0, 0, 0, 0, 0);
  secs.forEach((s, i) => {
    const flags = (s.alloc ? SHF_ALLOC : 0) | (s.write ? SHF_WRITE : 0) | (s.exec ? SHF_EXECINSTR : 0);
    writeSh(shstr.offsets[i], s.type, flags, s.alloc ? s.addr : 0n, fileOff[i], s.size, 0, 0, Math.max(1, s.align), 0);
  });
  const symtabIndex = secs.length + 1, strtabIndex = secs.length + 2, shstrIndex = secs.length + 3;
  writeSh(shstr.offsets[secs.length], SHT_SYMTAB, 0, 0n, symOff, symtab.bytes.length, strtabIndex, firstGlobal, is64 ? 8 : 4, symEnt);
  writeSh(shstr.offsets[secs.length + 1], SHT_STRTAB, 0, 0n, strOff, str.data.length, 0, 0, 1, 0);
  writeSh(shstr.offsets[secs.length + 2], SHT_STRTAB, 0, 0n, shstrOff, shstr.data.length, 0, 0, 1, 0);
  void symtabIndex;
  out.at(shoff, sh.bytes);

  // ELF header
  const eh = new Fields(ehsize, is64);
  eh.u8(0x7f).u8(0x45).u8(0x4c).u8(0x46).u8(is64 ? 2 : 1).u8(1).u8(1).u8(0);
  eh.u32(0).u32(0); // padding to 16
  eh.u16(2 /* ET_EXEC */).u16(is64 ? 62 : 3).u32(1);
  eh.word(inp.entry).word(nph ? ehsize : 0).word(shoff);
  eh.u32(0).u16(ehsize).u16(phentsize).u16(nph).u16(shentsize).u16(shnum).u16(shstrIndex);
  out.at(0, eh.bytes);

  const ph = new Fields(phentsize * nph, is64);
  for (const sg of segs) {
    if (is64) ph.u32(sg.type).u32(sg.flags).u64(BigInt(sg.offset)).u64(sg.vaddr).u64(sg.vaddr).u64(BigInt(sg.filesz)).u64(BigInt(sg.memsz)).u64(BigInt(sg.align));
    else ph.u32(sg.type).u32(sg.offset).u32(Number(BigInt.asUintN(32, sg.vaddr))).u32(Number(BigInt.asUintN(32, sg.vaddr))).u32(sg.filesz).u32(sg.memsz).u32(sg.flags).u32(sg.align);
  }
  out.at(ehsize, ph.bytes);
  return out.result();
}
