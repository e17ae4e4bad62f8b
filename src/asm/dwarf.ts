// DWARF 4 writer: .debug_line (one sequence per code section, every instruction address mapped to its
// file and line, include files included) plus a minimal .debug_info/.debug_abbrev compile unit.

export interface LineRow { addr: bigint; file: string; line: number }
export interface LineSequence { rows: LineRow[]; end: bigint }

class Buf {
  private a: number[] = [];
  get length(): number { return this.a.length; }
  u8(v: number): this { this.a.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >>> 8); }
  u32(v: number): this { return this.u16(v & 0xffff).u16(v >>> 16); }
  addr(v: bigint, size: number): this {
    let x = BigInt.asUintN(64, v);
    for (let i = 0; i < size; i++) { this.u8(Number(x & 0xffn)); x >>= 8n; }
    return this;
  }
  uleb(v: number | bigint): this {
    let x = BigInt(v);
    do { let b = Number(x & 0x7fn); x >>= 7n; if (x !== 0n) b |= 0x80; this.u8(b); } while (x !== 0n);
    return this;
  }
  sleb(v: number): this {
    let x = BigInt(v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && !(b & 0x40)) || (x === -1n && !!(b & 0x40));
      this.u8(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  str(s: string): this { for (const b of new TextEncoder().encode(s)) this.u8(b); return this.u8(0); }
  bytes(b: ArrayLike<number>): this { for (let i = 0; i < b.length; i++) this.u8(b[i]); return this; }
  setU32(at: number, v: number): void { this.a[at] = v & 0xff; this.a[at + 1] = (v >>> 8) & 0xff; this.a[at + 2] = (v >>> 16) & 0xff; this.a[at + 3] = (v >>> 24) & 0xff; }
  out(): Uint8Array { return Uint8Array.from(this.a); }
}

function splitPath(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  return i < 0 ? ['', p] : [p.slice(0, i), p.slice(i + 1)];
}

export function buildDebugLine(seqs: LineSequence[], addrSize: number): Uint8Array {
  const files: string[] = [];
  const dirs: string[] = [];
  const fileIndex = new Map<string, number>();
  for (const s of seqs) for (const r of s.rows) {
    if (!fileIndex.has(r.file)) { files.push(r.file); fileIndex.set(r.file, files.length); }
  }
  const b = new Buf();
  b.u32(0); // unit_length
  b.u16(4); // version
  const hlenAt = b.length;
  b.u32(0); // header_length
  const hstart = b.length;
  b.u8(1).u8(1).u8(1); // min insn length, max ops per insn, default_is_stmt
  b.u8(-5 & 0xff).u8(14).u8(13); // line_base, line_range, opcode_base
  b.bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
  const fileDir: number[] = [];
  for (const f of files) {
    const [d] = splitPath(f);
    if (d === '') { fileDir.push(0); continue; }
    let di = dirs.indexOf(d);
    if (di < 0) { dirs.push(d); di = dirs.length - 1; }
    fileDir.push(di + 1);
  }
  for (const d of dirs) b.str(d);
  b.u8(0);
  files.forEach((f, i) => { b.str(splitPath(f)[1]).uleb(fileDir[i]).uleb(0).uleb(0); });
  b.u8(0);
  b.setU32(hlenAt, b.length - hstart);
  for (const s of seqs) {
    if (s.rows.length === 0) continue;
    let addr = s.rows[0].addr;
    let file = 1, line = 1;
    b.u8(0).uleb(1 + addrSize).u8(2).addr(addr, addrSize); // DW_LNE_set_address
    for (const r of s.rows) {
      const fi = fileIndex.get(r.file)!;
      if (fi !== file) { b.u8(4).uleb(fi); file = fi; }
      if (r.line !== line) { b.u8(3).sleb(r.line - line); line = r.line; }
      if (r.addr !== addr) { b.u8(2).uleb(r.addr - addr); addr = r.addr; }
      b.u8(1); // DW_LNS_copy
    }
    if (s.end > addr) b.u8(2).uleb(s.end - addr);
    b.u8(0).uleb(1).u8(1); // DW_LNE_end_sequence
  }
  b.setU32(0, b.length - 4);
  return b.out();
}

export function buildDebugAbbrev(): Uint8Array {
  const b = new Buf();
  b.uleb(1).uleb(0x11).u8(0); // DW_TAG_compile_unit, no children
  b.uleb(0x10).uleb(0x17); // DW_AT_stmt_list, DW_FORM_sec_offset
  b.uleb(0x11).uleb(0x01); // DW_AT_low_pc, DW_FORM_addr
  b.uleb(0x12).uleb(0x07); // DW_AT_high_pc, DW_FORM_data8 (offset from low_pc)
  b.uleb(0x03).uleb(0x08); // DW_AT_name, DW_FORM_string
  b.uleb(0x1b).uleb(0x08); // DW_AT_comp_dir
  b.uleb(0x25).uleb(0x08); // DW_AT_producer
  b.uleb(0x13).uleb(0x05); // DW_AT_language, DW_FORM_data2
  b.uleb(0).uleb(0);
  b.uleb(0);
  return b.out();
}

export function buildDebugInfo(addrSize: number, low: bigint, high: bigint, name: string, compDir: string, producer: string): Uint8Array {
  const b = new Buf();
  b.u32(0).u16(4).u32(0).u8(addrSize);
  b.uleb(1);
  b.u32(0); // stmt_list -> offset 0 in .debug_line
  b.addr(low, addrSize);
  b.addr(high - low, 8);
  b.str(name).str(compDir).str(producer);
  b.u16(0x8001); // DW_LANG_Mips_Assembler
  b.setU32(0, b.length - 4);
  return b.out();
}

/** Minimal reader used by tests and tools: decode .debug_line rows (addr, file, line). */
export function decodeDebugLine(data: Uint8Array, addrSize: number): { addr: bigint; file: string; line: number; end: boolean }[] {
  const rows: { addr: bigint; file: string; line: number; end: boolean }[] = [];
  let p = 0;
  const u8 = () => data[p++];
  const u16 = () => { const v = data[p] | (data[p + 1] << 8); p += 2; return v; };
  const u32 = () => { const v = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16)) + data[p + 3] * 0x1000000; p += 4; return v; };
  const uleb = () => { let r = 0n, s = 0n; for (;;) { const b = u8(); r |= BigInt(b & 0x7f) << s; s += 7n; if (!(b & 0x80)) return r; } };
  const sleb = () => { let r = 0n, s = 0n, b = 0; do { b = u8(); r |= BigInt(b & 0x7f) << s; s += 7n; } while (b & 0x80); if (b & 0x40) r -= 1n << s; return r; };
  const str = () => { const st = p; while (data[p] !== 0) p++; return new TextDecoder().decode(data.slice(st, p++)); };
  while (p < data.length) {
    const len = u32(); const end = p + len;
    u16(); const hl = u32(); const progStart = p + hl;
    u8(); u8(); u8(); const lineBase = (u8() << 24) >> 24; const lineRange = u8(); const opBase = u8();
    const lens: number[] = []; for (let i = 1; i < opBase; i++) lens.push(u8());
    const dirs = ['']; for (;;) { const s = str(); if (!s) break; dirs.push(s); }
    const files = ['']; for (;;) { const s = str(); if (!s) break; const d = Number(uleb()); uleb(); uleb(); files.push(d ? `${dirs[d]}/${s}` : s); }
    p = progStart;
    let addr = 0n, file = 1, line = 1;
    while (p < end) {
      const op = u8();
      if (op >= opBase) { const adj = op - opBase; addr += BigInt(Math.floor(adj / lineRange)); line += lineBase + (adj % lineRange); rows.push({ addr, file: files[file], line, end: false }); continue; }
      switch (op) {
        case 0: { const l = Number(uleb()); const sub = u8(); if (sub === 1) { rows.push({ addr, file: files[file], line, end: true }); addr = 0n; file = 1; line = 1; } else if (sub === 2) { let a = 0n; for (let i = 0; i < addrSize; i++) a |= BigInt(u8()) << BigInt(8 * i); addr = a; } else p += l - 1; break; }
        case 1: rows.push({ addr, file: files[file], line, end: false }); break;
        case 2: addr += uleb(); break;
        case 3: line += Number(sleb()); break;
        case 4: file = Number(uleb()); break;
        case 9: addr += BigInt(u16()); break;
        default: for (let i = 0; i < (lens[op - 1] ?? 0); i++) uleb();
      }
    }
    p = end;
  }
  return rows;
}
