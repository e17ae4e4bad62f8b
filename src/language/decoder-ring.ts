// The hover "decoder ring": reads a number as a segment selector, a segment/gate descriptor, a page-table
// entry, a hypercall number or a plain value, ranks the readings by the context it appears in and renders them.

import { GateDescriptor, SegmentDescriptor, SegmentSelector } from '../cpu/mmu/segmentation';
import { PTE_A, PTE_D, PTE_G, PTE_P, PTE_PCD, PTE_PS, PTE_PWT, PTE_RW, PTE_US } from '../cpu/mmu/paging';
import {
  FIRST_RESERVED_GDT_ENTRY, GuestKind, hypercallByNumber, hypercallSignature, LAST_RESERVED_GDT_ENTRY,
  PV32_SELECTORS, PV64_SELECTORS, xenSelector,
} from './xen-facts';

export type DecodingKind = 'selector' | 'descriptor' | 'pte' | 'hypercall' | 'number';

export interface Decoding {
  kind: DecodingKind;
  /** One-line reading, e.g. "selector: GDT index 0x1c03 (Xen reserved), RPL1 — FLAT_RING1_CS". */
  title: string;
  /** Further detail lines for the primary reading. */
  details: string[];
  score: number;
}

/** What surrounds the number in the source (all optional; the more is known, the better the ranking). */
export interface NumberContext {
  bits: 32 | 64;
  /** Data directive the number is an argument of (".quad", ".long"...). */
  directive?: string;
  /** Instruction mnemonic (lower case) when the number is an operand. */
  mnemonic?: string;
  /** True when written as an immediate ($...). */
  immediate?: boolean;
  /** Destination register of the instruction (without %), when there is one. */
  destReg?: string;
  /** Index of the operand within the instruction or directive. */
  operandIndex?: number;
  /** Nearest label defined above the number (data tables: gdt, l1_pt...). */
  label?: string;
  /** Mnemonics of the next few statements (hypercall sequences: mov $N,%eax; syscall). */
  following?: string[];
}

const hex = (v: bigint | number, digits = 0): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(digits, '0');
const SEG_REGS = new Set(['cs', 'ds', 'es', 'fs', 'gs', 'ss']);
const GDT_LABEL = /gdt|ldt|desc|seg/i;
const PT_LABEL = /(^|[^a-z])(pt|pte|ptes|pde|pgd|pmd|pud|pml[1-5]|l[1-4]|l[1-4]e)([^a-z]|$)|page_?tab|pagetable|pgtable|ident_?map|l[1-4]_?(pt|tab|table|page)|p[1-4]_|pml/i;

// ------------------------------------------------------------------------------------------------
// Selectors
// ------------------------------------------------------------------------------------------------

export function decodeSelector(v: number, kind: GuestKind): Decoding {
  const s = new SegmentSelector(v);
  const reserved = s.ti === 0 && s.index >= FIRST_RESERVED_GDT_ENTRY && s.index <= LAST_RESERVED_GDT_ENTRY;
  const xen = xenSelector(v, kind);
  const other = xenSelector(v, kind === 'pv64' ? 'pv32' : 'pv64');
  let title: string;
  if (s.isNull) title = `selector ${hex(v, 4)}: null selector${s.rpl ? `, RPL=${s.rpl}` : ''}`;
  else title = `selector: ${s.tableName} index ${hex(s.index)}${reserved ? ' (Xen reserved)' : ''}, TI=${s.ti} ${s.tableName}, RPL=${s.rpl}`;
  if (xen) title += ` — ${xen.names[0]}`;
  const details: string[] = [];
  if (!s.isNull) details.push(`descriptor at byte offset ${hex(s.tableOffset)} of the ${s.tableName}`);
  if (xen) {
    details.push(`${kind}: ${xen.names.join(' = ')} — ${xen.role}`);
    details.push(`Xen's descriptor: ${new SegmentDescriptor(Number(xen.descriptor & 0xffffffffn), Number(xen.descriptor >> 32n)).toString(kind === 'pv64')}`);
  }
  if (other && (!xen || other.names[0] !== xen.names[0])) details.push(`${kind === 'pv64' ? 'pv32' : 'pv64'}: ${other.names.join(' = ')} — ${other.role}`);
  if (reserved && !xen && !other) details.push('entry in the Xen-reserved GDT page: not a guest-defined descriptor');
  if (!s.isNull && !reserved && s.ti === 0 && s.index >= FIRST_RESERVED_GDT_ENTRY) details.push('beyond the Xen-reserved area: no GDT entry exists here');
  if (!s.isNull && s.rpl === 0) details.push('RPL 0: a PV guest never runs at ring 0; Xen fixes up or rejects RPL 0 selectors for guest frames');
  return { kind: 'selector', title, details, score: 0 };
}

// ------------------------------------------------------------------------------------------------
// Descriptors (8-byte code/data/system; gates decoded as legacy 8-byte gates)
// ------------------------------------------------------------------------------------------------

function sizeText(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export function decodeDescriptor(v: bigint, longMode: boolean): Decoding {
  const lo = Number(v & 0xffffffffn), hi = Number((v >> 32n) & 0xffffffffn);
  const d = new SegmentDescriptor(lo, hi);
  const details: string[] = [];
  let title: string;
  if (d.isGate) {
    const g = GateDescriptor.fromDwords(lo, hi);
    title = `descriptor: ${g.toString(false)}`;
    details.push(`type ${d.type} (${g.kind ?? 'invalid'} gate), DPL${g.dpl}, ${g.present ? 'present' : 'not present'}`);
    if (longMode) details.push('in an IA-32e table this is the low half of a 16-byte gate (the next quad holds offset bits 63..32)');
    return { kind: 'descriptor', title, details, score: 0 };
  }
  const size = d.s
    ? (d.isCode ? (d.long ? (d.db ? 'L and D both set (invalid)' : '64-bit') : d.db ? '32-bit' : '16-bit') : (d.db ? '32-bit (B: big)' : '16-bit'))
    : '';
  const typeText = d.s ? d.typeName(longMode).replace(/ \((.*)\)$/, ', $1') : `system: ${d.typeName(longMode)}`;
  title = `descriptor: ${typeText}, DPL${d.dpl}${size ? `, ${size}` : ''}, ` +
    `base ${hex(d.base)}, limit ${d.granularity && d.rawLimit === 0xfffff ? '4 GiB' : sizeText(d.limit + 1)}${d.present ? ', present' : ', NOT present'}`;
  details.push(`type ${hex(d.type)} (${d.typeName(longMode)}), S=${d.s ? 1 : 0} (${d.s ? 'code/data' : 'system'}), DPL=${d.dpl}, P=${d.present ? 1 : 0}`);
  details.push(`base ${hex(d.base, 8)}, raw limit ${hex(d.rawLimit)} ${d.granularity ? '× 4 KiB (G=1)' : 'bytes (G=0)'} → last byte ${hex(d.limit)}`);
  const f: string[] = [];
  if (d.s && d.isCode) f.push(`L=${d.long ? 1 : 0}`);
  f.push(`D/B=${d.db ? 1 : 0}`, `G=${d.granularity ? 1 : 0}`, `AVL=${d.avl ? 1 : 0}`);
  if (d.s) f.push(`accessed=${d.isAccessed ? 1 : 0}`);
  details.push(f.join(', '));
  for (const [kind, list] of [['pv64', PV64_SELECTORS], ['pv32', PV32_SELECTORS]] as const) {
    const m = list.find((s) => s.descriptor === (v | 0x0000010000000000n) || s.descriptor === v);
    if (m) details.push(`matches Xen's ${kind} ${m.names[0]} (${hex(m.value, 4)}) descriptor`);
  }
  if (d.s && d.dpl === 0) details.push('DPL 0: Xen refuses ring-0 code/data descriptors from a PV guest (check_descriptor)');
  return { kind: 'descriptor', title, details, score: 0 };
}

// ------------------------------------------------------------------------------------------------
// Page-table entries
// ------------------------------------------------------------------------------------------------

const PTE_NAMES: [number, string, string][] = [
  [PTE_P, 'P', 'present'], [PTE_RW, 'RW', 'writable'], [PTE_US, 'US', 'user'], [PTE_PWT, 'PWT', 'write-through'],
  [PTE_PCD, 'PCD', 'cache disable'], [PTE_A, 'A', 'accessed'], [PTE_D, 'D', 'dirty'], [PTE_PS, 'PS/PAT', 'large page at L2/L3, PAT at L1'],
  [PTE_G, 'G', 'global'],
];

export function decodePte(v: bigint): Decoding {
  const lowBits = Number(v & 0xfffn);
  const set = PTE_NAMES.filter(([m]) => (lowBits & m) !== 0);
  const nx = (v >> 63n) & 1n;
  const frame = (v & 0x000ffffffffff000n) >> 12n;
  const avail = (lowBits >> 9) & 7;
  const hiAvail = Number((v >> 52n) & 0x7ffn);
  const flags = [...set.map(([, n]) => n), ...(nx ? ['NX'] : [])];
  const title = `PTE: ${flags.length ? flags.join(' ') : 'no flags'}, frame ${hex(frame)}${(lowBits & PTE_P) ? '' : ' (not present)'}`;
  const details = [
    `flags: ${set.length ? set.map(([, n, d]) => `${n} (${d})`).join(', ') : 'none'}${nx ? ', NX (no execute)' : ''}`,
    `frame number ${hex(frame)} → address ${hex(frame << 12n)} (a machine frame in a PV guest's page tables)`,
  ];
  if (avail) details.push(`available bits 9-11 = ${avail}`);
  if (hiAvail) details.push(`bits 52-62 = ${hex(hiAvail)} (available / protection key)`);
  if ((lowBits & PTE_PS) !== 0) details.push(`as an L2 entry: 2 MiB page${(lowBits & 0x1000) ? ' with PAT (bit 12)' : ''}; Xen refuses PS in PV L2/L3 entries unless superpages are enabled`);
  if ((lowBits & PTE_P) && !(lowBits & PTE_RW)) details.push('read-only mapping (what Xen requires for mappings of page-table and descriptor pages)');
  return { kind: 'pte', title, details, score: 0 };
}

// ------------------------------------------------------------------------------------------------
// Hypercall numbers and plain readings
// ------------------------------------------------------------------------------------------------

export function decodeHypercallNumber(v: number, bits: 32 | 64): Decoding | undefined {
  const h = hypercallByNumber(v);
  if (!h) return undefined;
  return { kind: 'hypercall', title: `hypercall ${v}: __HYPERVISOR_${h.name}`, details: [`\`${hypercallSignature(h, bits)}\``, h.summary], score: 0 };
}

export function plainReading(v: bigint): Decoding {
  const u = BigInt.asUintN(64, v);
  const parts = [`${hex(u)}`, `${u.toString(10)}`];
  const signed = BigInt.asIntN(64, u);
  if (signed < 0n) parts.push(`signed ${signed}`);
  else if (u >= 0x80000000n && u <= 0xffffffffn) parts.push(`int32 ${BigInt.asIntN(32, u)}`);
  if (u > 0n && u <= 0xffffn) parts.push(`0b${u.toString(2)}`);
  if (u > 0n && (u & (u - 1n)) === 0n) parts.push(`2^${u.toString(2).length - 1}${u >= 1024n ? ` = ${sizeText(Number(u))}` : ''}`);
  if (u >= 0x20n && u <= 0x7en) parts.push(`'${String.fromCharCode(Number(u))}'`);
  return { kind: 'number', title: parts.join(' = '), details: [], score: 1 };
}

// ------------------------------------------------------------------------------------------------
// Ranking
// ------------------------------------------------------------------------------------------------

const COMMON_PTE_LOW = new Set([0x001, 0x003, 0x005, 0x007, 0x021, 0x023, 0x025, 0x027, 0x061, 0x063, 0x065, 0x067, 0x0e3, 0x0e7, 0x083, 0x087, 0x1e3, 0x1e7, 0x101, 0x103, 0x163, 0x167]);

/** Every plausible reading of `value`, best first; the plain reading is always included. */
export function decodeNumber(value: bigint, ctx: NumberContext): Decoding[] {
  const v = BigInt.asUintN(64, value);
  const kind: GuestKind = ctx.bits === 32 ? 'pv32' : 'pv64';
  const out: Decoding[] = [];
  const dir = ctx.directive?.toLowerCase();
  const label = ctx.label ?? '';
  const mn = ctx.mnemonic?.toLowerCase() ?? '';

  // selector
  if (v <= 0xffffn) {
    let score = 0;
    if (ctx.destReg && SEG_REGS.has(ctx.destReg)) score = 100;
    else if (/^l(jmp|call)/.test(mn) && ctx.operandIndex === 0) score = 100;
    else if (/sel|_cs|_ds|_ss|^cs|^ds|^ss/i.test(label) && dir) score = 60;
    else if (xenSelector(Number(v), kind) || xenSelector(Number(v), kind === 'pv64' ? 'pv32' : 'pv64')) score = 55;
    else if (v >= 8n && (dir === '.word' || dir === '.short' || dir === '.hword' || dir === '.value' || ctx.mnemonic?.startsWith('push'))) score = 12;
    if (score > 0) out.push({ ...decodeSelector(Number(v), kind), score });
  }

  // descriptor
  {
    let score = 0;
    const hiDw = Number(v >> 32n);
    const present = (hiDw & 0x8000) !== 0;
    const isQuad = dir === '.quad' || dir === '.8byte';
    const knownXen = [...PV64_SELECTORS, ...PV32_SELECTORS].some((s) => s.descriptor === v || s.descriptor === (v | 0x0000010000000000n));
    if (isQuad && GDT_LABEL.test(label)) score = 100;
    else if (knownXen) score = 80;
    else if (v > 0xffffffffn && present && (hiDw & 0x1000) !== 0 && (v & 0xffffn) !== 0n && (hiDw & 0x0f0000) !== 0 && !PT_LABEL.test(label)) score = 40;
    else if (v > 0xffffffffn && present && isQuad && !PT_LABEL.test(label)) score = 15;
    if (score > 0) out.push({ ...decodeDescriptor(v, ctx.bits === 64), score });
  }

  // page-table entry
  {
    let score = 0;
    const low = Number(v & 0xfffn);
    const dataDir = dir === '.quad' || dir === '.8byte' || dir === '.long' || dir === '.4byte' || dir === '.int';
    if (dataDir && PT_LABEL.test(label)) score = 90;
    else if ((low & 1) && COMMON_PTE_LOW.has(low) && (v >> 52n & 0x7ffn) === 0n && v >= 0x1000n) score = dataDir ? 45 : 25;
    else if ((low & 1) && COMMON_PTE_LOW.has(low) && dataDir) score = 20;
    else if ((low & 1) && (v >> 63n) === 1n && (v >> 52n & 0x7ffn) === 0n) score = 30;
    if (score > 0) out.push({ ...decodePte(v), score });
  }

  // hypercall number
  if (v < 64n) {
    const h = decodeHypercallNumber(Number(v), ctx.bits);
    if (h) {
      let score = 0;
      const toEax = ctx.destReg === 'eax' || ctx.destReg === 'rax';
      const traps = (ctx.following ?? []).some((m) => m === 'syscall' || m === 'int');
      if (toEax && traps) score = 95;
      else if (toEax && /hypercall|hcall/i.test(label)) score = 90;
      else if (toEax) score = 30;
      else if (/hypercall|hcall/i.test(label)) score = 25;
      if (score > 0) out.push({ ...h, score });
    }
  }

  out.push(plainReading(v));
  return out.sort((a, b) => b.score - a.score);
}

/** Markdown for a hover: the best reading expanded, the others one line each. */
export function renderDecodings(value: bigint, readings: Decoding[]): string {
  const v = BigInt.asUintN(64, value);
  const lines: string[] = [];
  const plain = readings.find((r) => r.kind === 'number');
  lines.push(`**${hex(v)}** — ${plain ? plain.title : v.toString()}`);
  const interesting = readings.filter((r) => r.kind !== 'number');
  if (interesting.length > 0) {
    const [best, ...rest] = interesting;
    lines.push('', `**${best.title}**`);
    for (const d of best.details) lines.push(`- ${d}`);
    if (rest.length) {
      lines.push('', 'Other readings:');
      for (const r of rest) lines.push(`- ${r.title}`);
    }
  }
  return lines.join('\n');
}
