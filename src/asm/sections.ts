// Sections, the items they hold (labels, bytes, data, instructions, align/org/space), and symbols.
// Parse-time fragment tracking mirrors GNU as frags so label differences are constant exactly when gas
// would know them while parsing.

import { Expr } from './expr';
import { InsnPlan } from './matcher';
import { SourceLoc } from './types';

export type SectionType = 'progbits' | 'nobits' | 'note';

export interface SectionFlags { alloc: boolean; write: boolean; exec: boolean }

export interface Sym {
  name: string;
  kind: 'undef' | 'label' | 'equ';
  /** label: the section and the label item (its offset after layout). */
  section?: Section;
  item?: LabelItem;
  /** equ: the defining expression and, when absolute at definition time, its value. */
  expr?: Expr;
  value?: bigint;
  /** `==` / .eqv: always re-evaluated. */
  lazy?: boolean;
  global: boolean;
  weak: boolean;
  type: 'func' | 'object' | 'notype';
  sizeExpr?: Expr;
  loc?: SourceLoc;
  predefined?: boolean;
  /** Internal names (numeric local labels, `.` anchors): never in the symbol table. */
  hidden?: boolean;
  /** Parse-time position of a label: fragment anchor and offset in it. */
  anchor?: string;
  anchorOff?: number;
  /** Guard for recursive equates. */
  busy?: boolean;
  /** .comm/.lcomm size and alignment, allocated in .bss at the end. */
  common?: { size: bigint; align: number };
}

export interface ItemBase { off: number; size: number; loc: SourceLoc; stmt: number }
export interface LabelItem extends ItemBase { t: 'label'; sym: Sym }
export interface BytesItem extends ItemBase { t: 'bytes'; data: Uint8Array }
export interface DataItem extends ItemBase { t: 'data'; unit: 1 | 2 | 4 | 8; exprs: Expr[]; out?: Uint8Array }
export interface InsnItem extends ItemBase { t: 'insn'; plan: InsnPlan; out?: Uint8Array; relaxable: boolean }
export interface AlignItem extends ItemBase { t: 'align'; align: number; fill: number | null; fillSize: number; max: number; bits: number }
export interface OrgItem extends ItemBase { t: 'org'; e: Expr; fill: number }
export interface SpaceItem extends ItemBase { t: 'space'; count: Expr; unit: number; value: bigint; repeatCount?: number }
export type Item = LabelItem | BytesItem | DataItem | InsnItem | AlignItem | OrgItem | SpaceItem;

let sectionIds = 0;

export class Section {
  readonly id = ++sectionIds;
  items: Item[] = [];
  align = 1;
  /** Parse-time fragment number and offset within it. */
  frag = 0;
  fragOff = 0;
  addr = 0n;
  size = 0;
  /** Address fixed by the user (option sectionAddresses). */
  fixedAddr?: bigint;
  entsize = 0;
  constructor(public name: string, public type: SectionType, public flags: SectionFlags) {}

  get anchor(): string { return `${this.id}:${this.frag}`; }

  /** Record `n` bytes of fixed-size output at parse time. */
  advance(n: number): void { this.fragOff += n; }
  /** A variable-size item was emitted: label differences across it are no longer parse-time constants. */
  breakFrag(): void { this.frag++; this.fragOff = 0; }
}

/** Default type/flags for a section name, as GNU as assigns them. */
export function defaultSectionAttrs(name: string): { type: SectionType; flags: SectionFlags } {
  const f = (alloc: boolean, write: boolean, exec: boolean): SectionFlags => ({ alloc, write, exec });
  if (name === '.text' || name.startsWith('.text.') || name === '.init' || name === '.fini') return { type: 'progbits', flags: f(true, false, true) };
  if (name === '.bss' || name.startsWith('.bss.') || name === '.tbss') return { type: 'nobits', flags: f(true, true, false) };
  if (name === '.data' || name.startsWith('.data.') || name === '.data1' || name === '.tdata') return { type: 'progbits', flags: f(true, true, false) };
  if (name === '.rodata' || name.startsWith('.rodata.') || name === '.rodata1') return { type: 'progbits', flags: f(true, false, false) };
  if (name.startsWith('.note')) return { type: 'note', flags: f(false, false, false) };
  return { type: 'progbits', flags: f(false, false, false) };
}

export function flagString(s: Section): string {
  return (s.flags.alloc ? 'a' : '') + (s.flags.write ? 'w' : '') + (s.flags.exec ? 'x' : '');
}
