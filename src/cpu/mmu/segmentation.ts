// Segmentation value classes: selectors, code/data/system descriptors and gates as small classes over
// their raw bits (SDM Vol 3, 3.4-3.5 and 6.14). Used by segment loads, the hypervisor and the debugger views.

import { TWO32 } from '../../common/bits';

const hex = (v: number, digits = 0): string => '0x' + (v >>> 0).toString(16).padStart(digits, '0');

// ====================================================================================
// Segment selector (16 bits): index 15..3, TI 2, RPL 1..0
// ====================================================================================

export class SegmentSelector {
  static readonly RPL_MASK = 0x0003;
  static readonly TI_MASK = 0x0004;
  static readonly INDEX_MASK = 0xfff8;
  static readonly INDEX_SHIFT = 3;

  /** The 16-bit selector value. */
  readonly value: number;
  constructor(value: number) { this.value = value & 0xffff; }

  /** Descriptor index within its table. */
  get index(): number { return this.value >>> SegmentSelector.INDEX_SHIFT; }
  /** Table indicator: 0 = GDT, 1 = LDT. */
  get ti(): number { return (this.value & SegmentSelector.TI_MASK) >>> 2; }
  /** Requested privilege level. */
  get rpl(): number { return this.value & SegmentSelector.RPL_MASK; }
  /** Null selector: GDT index 0 (any RPL). An LDT selector with index 0 is not null. */
  get isNull(): boolean { return (this.value & 0xfffc) === 0; }
  /** The error code a fault about this selector carries: index and TI, RPL bits cleared (EXT=0, IDT=0). */
  get errorCode(): number { return this.value & 0xfffc; }
  /** Byte offset of the descriptor within its table. */
  get tableOffset(): number { return this.value & SegmentSelector.INDEX_MASK; }
  get tableName(): 'GDT' | 'LDT' { return this.ti ? 'LDT' : 'GDT'; }
  /** Same selector with another RPL. */
  withRpl(rpl: number): SegmentSelector { return new SegmentSelector((this.value & 0xfffc) | (rpl & 3)); }
  /** e.g. "0xe019: GDT index 0x1c03, RPL1"; "0x0000: null selector". */
  toString(): string {
    const v = hex(this.value, 4);
    if (this.isNull) return `${v}: null selector${this.rpl ? `, RPL${this.rpl}` : ''}`;
    return `${v}: ${this.tableName} index ${hex(this.index)}, RPL${this.rpl}`;
  }
}

// ====================================================================================
// Segment descriptor (8 bytes, as low and high dwords)
// ====================================================================================

/** Bits of a descriptor's high dword. */
export const DESC_HI_BASE_MID = 0x000000ff, DESC_HI_TYPE = 0x00000f00, DESC_HI_ACCESSED = 0x00000100;
export const DESC_HI_S = 0x00001000, DESC_HI_DPL = 0x00006000, DESC_HI_P = 0x00008000, DESC_HI_LIMIT = 0x000f0000;
export const DESC_HI_AVL = 0x00100000, DESC_HI_L = 0x00200000, DESC_HI_DB = 0x00400000, DESC_HI_G = 0x00800000;
export const DESC_HI_BASE_HIGH = 0xff000000;

/** System descriptor types (S=0). Values 4..7 and 0xC..0xF are gates. */
export const SYS_TSS16_AVAIL = 0x1, SYS_LDT = 0x2, SYS_TSS16_BUSY = 0x3, SYS_CALL_GATE16 = 0x4, SYS_TASK_GATE = 0x5;
export const SYS_INT_GATE16 = 0x6, SYS_TRAP_GATE16 = 0x7, SYS_TSS_AVAIL = 0x9, SYS_TSS_BUSY = 0xb;
export const SYS_CALL_GATE = 0xc, SYS_INT_GATE = 0xe, SYS_TRAP_GATE = 0xf;

const LEGACY_SYSTEM_NAMES: Record<number, string> = {
  0x1: '16-bit TSS (available)', 0x2: 'LDT', 0x3: '16-bit TSS (busy)', 0x4: '16-bit call gate', 0x5: 'task gate',
  0x6: '16-bit interrupt gate', 0x7: '16-bit trap gate', 0x9: '32-bit TSS (available)', 0xb: '32-bit TSS (busy)',
  0xc: '32-bit call gate', 0xe: '32-bit interrupt gate', 0xf: '32-bit trap gate',
};
const LONG_SYSTEM_NAMES: Record<number, string> = {
  0x2: 'LDT', 0x9: '64-bit TSS (available)', 0xb: '64-bit TSS (busy)', 0xc: '64-bit call gate',
  0xe: '64-bit interrupt gate', 0xf: '64-bit trap gate',
};

/** Name of a system descriptor type in legacy/compatibility tables or IA-32e tables ('reserved' when invalid). */
export function systemTypeName(type: number, longMode = false): string {
  return (longMode ? LONG_SYSTEM_NAMES : LEGACY_SYSTEM_NAMES)[type & 0xf] ?? `reserved system type ${type & 0xf}`;
}

/**
 * A code, data or system segment descriptor. Fields decode lazily from the two dwords, which are
 * kept as int32 (`lo` = bytes 0..3, `hi` = bytes 4..7).
 */
export class SegmentDescriptor {
  readonly lo: number;
  readonly hi: number;
  constructor(lo: number, hi: number) { this.lo = lo | 0; this.hi = hi | 0; }

  /** From a 64-bit value given as a JS number (exact below 2^53; fine for tests and literal tables). */
  static fromNumber(v: number): SegmentDescriptor {
    return new SegmentDescriptor(v % TWO32, Math.floor(v / TWO32));
  }
  /** Build a descriptor from its fields (limit is the raw 20-bit field; access = high-dword bits 8..15; flags = G,DB,L,AVL nibble). */
  static build(base: number, rawLimit: number, access: number, flags: number): SegmentDescriptor {
    const lo = ((base & 0xffff) << 16) | (rawLimit & 0xffff);
    const hi = ((base >>> 16) & 0xff) | ((access & 0xff) << 8) | (rawLimit & 0xf0000) | ((flags & 0xf) << 20) | (base & 0xff000000);
    return new SegmentDescriptor(lo, hi);
  }

  /** 32-bit base address. */
  get base(): number { return ((this.lo >>> 16) | ((this.hi & 0xff) << 16) | (this.hi & 0xff000000)) >>> 0; }
  /** The raw 20-bit limit field. */
  get rawLimit(): number { return (this.lo & 0xffff) | (this.hi & 0xf0000); }
  /** Effective byte-granular limit (inclusive) with the granularity applied. */
  get limit(): number { const l = this.rawLimit; return this.granularity ? ((l << 12) | 0xfff) >>> 0 : l; }
  /** 4-bit type field (for code/data the accessed bit is bit 0). */
  get type(): number { return (this.hi >>> 8) & 0xf; }
  /** Descriptor-type flag: true for code/data, false for system segments and gates. */
  get s(): boolean { return (this.hi & DESC_HI_S) !== 0; }
  get dpl(): number { return (this.hi >>> 13) & 3; }
  get present(): boolean { return (this.hi & DESC_HI_P) !== 0; }
  get avl(): boolean { return (this.hi & DESC_HI_AVL) !== 0; }
  /** L: 64-bit code segment (meaningful for code in IA-32e mode). */
  get long(): boolean { return (this.hi & DESC_HI_L) !== 0; }
  /** D/B: default operation size 32 (code), big stack / upper bound 4 GiB (data). */
  get db(): boolean { return (this.hi & DESC_HI_DB) !== 0; }
  get granularity(): boolean { return (this.hi & DESC_HI_G) !== 0; }
  /** Attribute word in Cpu.segAttr layout (high dword bits 8..23 >> 8, limit bits removed). */
  get attr(): number { return (this.hi >>> 8) & 0xf0ff; }

  get isSystem(): boolean { return !this.s; }
  get isCode(): boolean { return this.s && (this.hi & 0x800) !== 0; }
  get isData(): boolean { return this.s && (this.hi & 0x800) === 0; }
  get isConforming(): boolean { return this.isCode && (this.hi & 0x400) !== 0; }
  /** Code: readable bit. Data segments are always readable. */
  get isReadable(): boolean { return this.isData || (this.isCode && (this.hi & 0x200) !== 0); }
  /** Data: writable bit (code is never writable). */
  get isWritable(): boolean { return this.isData && (this.hi & 0x200) !== 0; }
  get isExpandDown(): boolean { return this.isData && (this.hi & 0x400) !== 0; }
  get isAccessed(): boolean { return this.s && (this.hi & DESC_HI_ACCESSED) !== 0; }

  // ---- system descriptors ----
  get isLdt(): boolean { return !this.s && this.type === SYS_LDT; }
  /** Any TSS (16/32/64-bit, available or busy). */
  get isTss(): boolean { const t = this.type; return !this.s && (t === 1 || t === 3 || t === 9 || t === 0xb); }
  get isTssBusy(): boolean { const t = this.type; return !this.s && (t === 3 || t === 0xb); }
  get isCallGate(): boolean { const t = this.type; return !this.s && (t === SYS_CALL_GATE || t === SYS_CALL_GATE16); }
  get isTaskGate(): boolean { return !this.s && this.type === SYS_TASK_GATE; }
  get isInterruptGate(): boolean { const t = this.type; return !this.s && (t === SYS_INT_GATE || t === SYS_INT_GATE16); }
  get isTrapGate(): boolean { const t = this.type; return !this.s && (t === SYS_TRAP_GATE || t === SYS_TRAP_GATE16); }
  get isGate(): boolean { return !this.s && (this.type & 4) !== 0; }
  /** True for system descriptors that occupy 16 bytes in IA-32e mode (LDT, TSS, gates). */
  get isLongSystem(): boolean { return !this.s && this.type !== 0; }

  /** Copy with the accessed bit set. */
  withAccessed(): SegmentDescriptor { return new SegmentDescriptor(this.lo, this.hi | DESC_HI_ACCESSED); }

  /** "code (execute/read, conforming)", "data (read/write, expand-down)", "32-bit TSS (busy)"... */
  typeName(longMode = false): string {
    if (!this.s) return systemTypeName(this.type, longMode);
    const t = this.type;
    if (t & 8) {
      const parts = [(t & 2) ? 'execute/read' : 'execute-only'];
      if (t & 4) parts.push('conforming');
      if (t & 1) parts.push('accessed');
      return `code (${parts.join(', ')})`;
    }
    const parts = [(t & 2) ? 'read/write' : 'read-only'];
    if (t & 4) parts.push('expand-down');
    if (t & 1) parts.push('accessed');
    return `data (${parts.join(', ')})`;
  }

  /** One-line summary for the debugger. */
  toString(longMode = false): string {
    const raw = '0x' + (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
    if (!this.s && this.isGate) return `${raw}: ${GateDescriptor.fromDwords(this.lo, this.hi).toString(longMode)}`;
    const flags: string[] = [];
    if (this.s && this.isCode && this.long) flags.push('L');
    if (this.db) flags.push(this.isCode ? 'D' : 'B');
    if (this.granularity) flags.push('G');
    if (this.avl) flags.push('AVL');
    return `${raw}: ${this.typeName(longMode)}, base ${hex(this.base, 8)}, limit ${hex(this.limit)}, DPL${this.dpl}` +
      `${this.present ? '' : ', not present'}${flags.length ? ', ' + flags.join(' ') : ''}`;
  }
}

// ====================================================================================
// Gate descriptors: call/interrupt/trap gates (8 bytes legacy, 16 bytes in IA-32e mode) and task gates
// ====================================================================================

export type GateKind = 'call' | 'interrupt' | 'trap' | 'task';

export class GateDescriptor {
  /** Dwords 0..3 (dw2/dw3 are the upper 8 bytes of a 16-byte IA-32e gate; 0 otherwise). */
  readonly lo: number;
  readonly hi: number;
  readonly dw2: number;
  readonly dw3: number;
  /** Size of the gate: 16 (types 4/6/7), 32 (types 0xC/0xE/0xF in legacy tables) or 64 (IA-32e tables). */
  readonly size: 16 | 32 | 64;

  private constructor(lo: number, hi: number, dw2: number, dw3: number, size: 16 | 32 | 64) {
    this.lo = lo | 0; this.hi = hi | 0; this.dw2 = dw2 | 0; this.dw3 = dw3 | 0; this.size = size;
  }
  /** An 8-byte legacy gate (16- or 32-bit by its type). */
  static fromDwords(lo: number, hi: number): GateDescriptor {
    const t = (hi >>> 8) & 0xf;
    return new GateDescriptor(lo, hi, 0, 0, t === SYS_CALL_GATE16 || t === SYS_INT_GATE16 || t === SYS_TRAP_GATE16 ? 16 : 32);
  }
  /** A 16-byte IA-32e gate (dw2 = offset bits 63..32, dw3 = reserved dword whose type field must be 0). */
  static fromDwords64(lo: number, hi: number, dw2: number, dw3: number): GateDescriptor {
    return new GateDescriptor(lo, hi, dw2, dw3, 64);
  }
  /** Build a gate (offset as a canonical number; for 16/32-bit gates the low bits are used). */
  static build(kind: Exclude<GateKind, 'task'>, size: 16 | 32 | 64, selector: number, offset: number, dpl: number,
    opts: { present?: boolean; paramCount?: number; ist?: number } = {}): GateDescriptor {
    const lo32 = offset >>> 0, hi32 = Math.floor(offset / TWO32) | 0;
    const base = kind === 'call' ? 0x4 : kind === 'interrupt' ? 0x6 : 0x7;
    const type = size === 16 ? base : base | 8;
    const lo = ((selector & 0xffff) << 16) | (lo32 & 0xffff);
    const extra = kind === 'call' ? (opts.paramCount ?? 0) & 0x1f : (opts.ist ?? 0) & 7;
    const hi = (lo32 & 0xffff0000) | ((opts.present ?? true) ? DESC_HI_P : 0) | ((dpl & 3) << 13) | (type << 8) | extra;
    return new GateDescriptor(lo, hi, size === 64 ? hi32 : 0, 0, size);
  }

  get type(): number { return (this.hi >>> 8) & 0xf; }
  /** False when the S bit is set (not a system descriptor at all). */
  get isSystem(): boolean { return (this.hi & DESC_HI_S) === 0; }
  get kind(): GateKind | null {
    if (!this.isSystem) return null;
    switch (this.type) {
      case SYS_CALL_GATE: case SYS_CALL_GATE16: return 'call';
      case SYS_INT_GATE: case SYS_INT_GATE16: return 'interrupt';
      case SYS_TRAP_GATE: case SYS_TRAP_GATE16: return 'trap';
      case SYS_TASK_GATE: return this.size === 64 ? null : 'task';
      default: return null;
    }
  }
  /** Target code-segment selector (task gates: the TSS selector). */
  get selector(): number { return (this.lo >>> 16) & 0xffff; }
  /** Low 32 bits of the target offset (16-bit gates: 16 bits). */
  get offsetLo(): number { return this.size === 16 ? this.lo & 0xffff : ((this.hi & 0xffff0000) | (this.lo & 0xffff)) >>> 0; }
  /** High 32 bits of the target offset (64-bit gates), as int32. */
  get offsetHi(): number { return this.size === 64 ? this.dw2 : 0; }
  /** Target offset as a number (64-bit gates: canonical signed form when the gate is canonical). */
  get offset(): number { return this.size === 64 ? this.dw2 * TWO32 + this.offsetLo : this.offsetLo; }
  get dpl(): number { return (this.hi >>> 13) & 3; }
  get present(): boolean { return (this.hi & DESC_HI_P) !== 0; }
  /** Call gates (16/32-bit): number of stack parameters to copy on a privilege change (words/dwords). */
  get paramCount(): number { return this.hi & 0x1f; }
  /** IA-32e interrupt/trap gates: interrupt stack table index (0 = none). */
  get ist(): number { return this.size === 64 ? this.hi & 7 : 0; }
  /** IA-32e gates: the type field of the upper 8 bytes, which must be 0. */
  get upperType(): number { return (this.dw3 >>> 8) & 0x1f; }

  toString(longMode = this.size === 64): string {
    const k = this.kind;
    const name = systemTypeName(this.type, longMode);
    if (k === null) return name;
    if (k === 'task') return `${name} → TSS ${new SegmentSelector(this.selector)}, DPL${this.dpl}${this.present ? '' : ', not present'}`;
    const off = this.size === 64
      ? '0x' + (this.dw2 >>> 0).toString(16).padStart(8, '0') + this.offsetLo.toString(16).padStart(8, '0')
      : hex(this.offsetLo);
    const extra = k === 'call' ? (this.size === 64 ? '' : `, ${this.paramCount} params`) : (this.ist ? `, IST${this.ist}` : '');
    return `${name} → ${hex(this.selector, 4)}:${off}, DPL${this.dpl}${extra}${this.present ? '' : ', not present'}`;
  }
}
