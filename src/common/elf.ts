// ELF32/ELF64 little-endian x86 image reader: headers, program headers, sections, symbols and notes.
// Malformed input yields an ElfError naming the problem; nothing here trusts a field before checking it.

export class ElfError extends Error {
  constructor(message: string) { super(message); this.name = 'ElfError'; }
}

export const PT_LOAD = 1, PT_NOTE = 4;
export const SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOTE = 7, SHT_NOBITS = 8;
export const EM_386 = 3, EM_X86_64 = 62;

export interface ElfSegment { type: number; flags: number; offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; align: number; }
export interface ElfSection { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number; }
export interface ElfSymbol { name: string; value: number; size: number; type: number; bind: number; shndx: number; }
export interface ElfNote { name: string; type: number; desc: Uint8Array; }

export interface ElfImage {
  bits: 32 | 64;
  machine: number;
  type: number;
  /** Entry point. 64-bit addresses (entry, vaddr, paddr, section addr, symbol values) are canonical signed numbers. */
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  bytes: Uint8Array;
}

const MAX_HEADERS = 4096;

/** Unsigned 64-bit little-endian field (sizes, offsets); exact below 2^53, which any real file satisfies. */
function u64(v: DataView, off: number): number {
  return v.getUint32(off + 4, true) * 4294967296 + v.getUint32(off, true);
}
/**
 * 64-bit address field as a canonical signed number (the representation the CPU uses for linear
 * addresses): 0xffffffff80001234 becomes -0x7fffedcc, exact for every canonical address.
 */
function a64(v: DataView, off: number): number {
  return v.getInt32(off + 4, true) * 4294967296 + v.getUint32(off, true);
}

export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 52) throw new ElfError(`file too small for an ELF header (${bytes.length} bytes)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new ElfError('not an ELF file (bad magic)');
  const cls = bytes[4];
  if (cls !== 1 && cls !== 2) throw new ElfError(`unknown ELF class ${cls}`);
  if (bytes[5] !== 1) throw new ElfError('big-endian ELF images are not x86 guests');
  const bits: 32 | 64 = cls === 2 ? 64 : 32;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bits === 64 && bytes.length < 64) throw new ElfError('file too small for an ELF64 header');
  const type = v.getUint16(16, true);
  const machine = v.getUint16(18, true);
  if (bits === 64 && machine !== EM_X86_64) throw new ElfError(`ELF64 machine ${machine} is not x86-64 (62)`);
  if (bits === 32 && machine !== EM_386) throw new ElfError(`ELF32 machine ${machine} is not i386 (3)`);
  const entry = bits === 64 ? a64(v, 24) : v.getUint32(24, true);
  const phoff = bits === 64 ? u64(v, 32) : v.getUint32(28, true);
  const shoff = bits === 64 ? u64(v, 40) : v.getUint32(32, true);
  const phentsize = v.getUint16(bits === 64 ? 54 : 42, true);
  const phnum = v.getUint16(bits === 64 ? 56 : 44, true);
  const shentsize = v.getUint16(bits === 64 ? 58 : 46, true);
  const shnum = v.getUint16(bits === 64 ? 60 : 48, true);
  const shstrndx = v.getUint16(bits === 64 ? 62 : 50, true);

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    const want = bits === 64 ? 56 : 32;
    if (phentsize < want) throw new ElfError(`program header entry size ${phentsize} is smaller than ${want}`);
    if (phnum > MAX_HEADERS) throw new ElfError(`too many program headers (${phnum})`);
    if (phoff + phnum * phentsize > bytes.length) throw new ElfError('program headers extend past the end of the file');
    for (let k = 0; k < phnum; k++) {
      const o = phoff + k * phentsize;
      const seg: ElfSegment = bits === 64
        ? { type: v.getUint32(o, true), flags: v.getUint32(o + 4, true), offset: u64(v, o + 8), vaddr: a64(v, o + 16), paddr: a64(v, o + 24), filesz: u64(v, o + 32), memsz: u64(v, o + 40), align: u64(v, o + 48) }
        : { type: v.getUint32(o, true), offset: v.getUint32(o + 4, true), vaddr: v.getUint32(o + 8, true), paddr: v.getUint32(o + 12, true), filesz: v.getUint32(o + 16, true), memsz: v.getUint32(o + 20, true), flags: v.getUint32(o + 24, true), align: v.getUint32(o + 28, true) };
      if (seg.type === PT_LOAD || seg.type === PT_NOTE) {
        if (seg.offset + seg.filesz > bytes.length) throw new ElfError(`segment ${k} (file bytes 0x${seg.offset.toString(16)}+0x${seg.filesz.toString(16)}) extends past the end of the file`);
        if (seg.type === PT_LOAD && seg.memsz < seg.filesz) throw new ElfError(`segment ${k} has memsz 0x${seg.memsz.toString(16)} smaller than filesz 0x${seg.filesz.toString(16)}`);
      }
      segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  if (shnum > 0 && shoff > 0) {
    const want = bits === 64 ? 64 : 40;
    if (shentsize < want) throw new ElfError(`section header entry size ${shentsize} is smaller than ${want}`);
    if (shnum > MAX_HEADERS * 4) throw new ElfError(`too many section headers (${shnum})`);
    if (shoff + shnum * shentsize > bytes.length) throw new ElfError('section headers extend past the end of the file');
    const raw: (Omit<ElfSection, 'name'> & { nameOff: number })[] = [];
    for (let k = 0; k < shnum; k++) {
      const o = shoff + k * shentsize;
      raw.push(bits === 64
        ? { nameOff: v.getUint32(o, true), type: v.getUint32(o + 4, true), flags: u64(v, o + 8), addr: a64(v, o + 16), offset: u64(v, o + 24), size: u64(v, o + 32), link: v.getUint32(o + 40, true), entsize: u64(v, o + 56) }
        : { nameOff: v.getUint32(o, true), type: v.getUint32(o + 4, true), flags: v.getUint32(o + 8, true), addr: v.getUint32(o + 12, true), offset: v.getUint32(o + 16, true), size: v.getUint32(o + 20, true), link: v.getUint32(o + 24, true), entsize: v.getUint32(o + 36, true) });
    }
    const strtab = shstrndx < raw.length ? raw[shstrndx] : undefined;
    for (const s of raw) {
      if (s.type !== SHT_NOBITS && s.type !== 0 && s.offset + s.size > bytes.length) throw new ElfError(`section data (0x${s.offset.toString(16)}+0x${s.size.toString(16)}) extends past the end of the file`);
      const name = strtab ? readString(bytes, strtab.offset + s.nameOff, strtab.offset + strtab.size) : '';
      sections.push({ name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size, link: s.link, entsize: s.entsize });
    }
  }
  return { bits, machine, type, entry, segments, sections, bytes };
}

function readString(bytes: Uint8Array, start: number, end: number): string {
  if (start >= end || start >= bytes.length) return '';
  let e = start;
  const lim = Math.min(end, bytes.length);
  while (e < lim && bytes[e] !== 0) e++;
  return Buffer.from(bytes.subarray(start, e)).toString('latin1');
}

/** Symbols from .symtab (falls back to none). */
export function elfSymbols(img: ElfImage): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  const symtab = img.sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return out;
  const str = img.sections[symtab.link];
  if (!str) return out;
  const v = new DataView(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  const entsize = img.bits === 64 ? 24 : 16;
  const n = Math.floor(symtab.size / entsize);
  for (let k = 1; k < n; k++) {
    const o = symtab.offset + k * entsize;
    const nameOff = v.getUint32(o, true);
    const sym: ElfSymbol = img.bits === 64
      ? { name: '', value: a64(v, o + 8), size: u64(v, o + 16), type: img.bytes[o + 4] & 0xf, bind: img.bytes[o + 4] >> 4, shndx: v.getUint16(o + 6, true) }
      : { name: '', value: v.getUint32(o + 4, true), size: v.getUint32(o + 8, true), type: img.bytes[o + 12] & 0xf, bind: img.bytes[o + 12] >> 4, shndx: v.getUint16(o + 14, true) };
    sym.name = readString(img.bytes, str.offset + nameOff, str.offset + str.size);
    if (sym.name) out.push(sym);
  }
  return out;
}

/** All notes from PT_NOTE segments (or SHT_NOTE sections when there are no note segments). */
export function elfNotes(img: ElfImage): ElfNote[] {
  const areas: { offset: number; size: number }[] = img.segments.filter((s) => s.type === PT_NOTE).map((s) => ({ offset: s.offset, size: s.filesz }));
  if (areas.length === 0) for (const s of img.sections) if (s.type === SHT_NOTE) areas.push({ offset: s.offset, size: s.size });
  const notes: ElfNote[] = [];
  const v = new DataView(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  for (const a of areas) {
    let o = a.offset;
    const end = a.offset + a.size;
    while (o + 12 <= end) {
      const namesz = v.getUint32(o, true), descsz = v.getUint32(o + 4, true), type = v.getUint32(o + 8, true);
      const nameStart = o + 12, descStart = nameStart + align4(namesz), next = descStart + align4(descsz);
      if (namesz > a.size || descsz > a.size || next > end) throw new ElfError(`malformed ELF note at file offset 0x${o.toString(16)} (name ${namesz} / desc ${descsz} bytes overrun the note area)`);
      const name = readString(img.bytes, nameStart, nameStart + namesz);
      notes.push({ name, type, desc: img.bytes.slice(descStart, descStart + descsz) });
      o = next;
    }
  }
  return notes;
}

function align4(n: number): number { return (n + 3) & ~3; }
