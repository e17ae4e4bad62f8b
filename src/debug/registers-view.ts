// Register scopes for the Variables view: general registers (with decoded RFLAGS), segment registers
// (decoded selector plus the hidden descriptor cache) and control/system registers (CR0/CR4/EFER decoded).

import type { Cpu } from '../cpu/cpu';
import { getFlags, F_IOPL, F_NT, F_RF, F_VM, F_AC, F_VIF, F_VIP, F_ID } from '../cpu/flags';
import { SegmentDescriptor, SegmentSelector } from '../cpu/mmu/segmentation';
import { pagingMode } from '../cpu/mmu/paging';
import { GPR_NAMES64, GPR_NAMES32, SEG_NAMES, LDTR, TR } from '../cpu/state';
import { FLAG_BITS, readRegister, writeRegister } from './registers';
import { Scope, VarNode, hex, leaf, yesNo } from './variables';

/** Evaluates a setVariable value expression for this CPU. */
export type ValueParser = (expression: string) => bigint;

const CR0_BITS: [string, number][] = [
  ['PE', 0], ['MP', 1], ['EM', 2], ['TS', 3], ['ET', 4], ['NE', 5], ['WP', 16], ['AM', 18], ['NW', 29], ['CD', 30], ['PG', 31],
];
const CR4_BITS: [string, number][] = [
  ['VME', 0], ['PVI', 1], ['TSD', 2], ['DE', 3], ['PSE', 4], ['PAE', 5], ['MCE', 6], ['PGE', 7], ['PCE', 8], ['OSFXSR', 9],
  ['OSXMMEXCPT', 10], ['UMIP', 11], ['FSGSBASE', 16], ['PCIDE', 17], ['OSXSAVE', 18], ['SMEP', 20], ['SMAP', 21],
];
const EFER_BITS: [string, number][] = [['SCE', 0], ['LME', 8], ['LMA', 10], ['NXE', 11]];
const EXTRA_FLAGS: [string, number][] = [['NT', F_NT], ['RF', F_RF], ['VM', F_VM], ['AC', F_AC], ['VIF', F_VIF], ['VIP', F_VIP], ['ID', F_ID]];

function bitChildren(value: number, bits: [string, number][]): VarNode[] {
  return bits.map(([n, b]) => leaf(n, yesNo(((value >>> b) & 1) === 1), 'bit'));
}
function setBits(value: number, bits: [string, number][]): string {
  return bits.filter(([, b]) => ((value >>> b) & 1) === 1).map(([n]) => n).join(' ');
}

/** Decoded RFLAGS summary: "0x246 [PF ZF IF]". */
export function describeFlags(f: number): string {
  const names = FLAG_BITS.filter(([, m]) => (f & m) !== 0).map(([n]) => n.toUpperCase());
  const iopl = (f & F_IOPL) >>> 12;
  if (iopl) names.push(`IOPL=${iopl}`);
  for (const [n, m] of EXTRA_FLAGS) if (f & m) names.push(n);
  return `${hex(f)} [${names.join(' ')}]`;
}

function regNode(cpu: Cpu, name: string, digits: number, parse: ValueParser, memRef: boolean): VarNode {
  const v = readRegister(cpu, name) ?? 0n;
  const node: VarNode = {
    name, value: hex(v, digits), type: `u${digits * 4}`, evaluateName: `$${name}`,
    set: (expr) => { writeRegister(cpu, name, parse(expr)); return hex(readRegister(cpu, name) ?? 0n, digits); },
  };
  if (memRef) node.memoryReference = hex(v);
  return node;
}

export function generalScope(cpu: Cpu, parse: ValueParser): Scope {
  return {
    name: 'General registers', hint: 'registers',
    nodes: () => {
      const long = cpu.mode === 64;
      const names = long ? GPR_NAMES64 : GPR_NAMES32.slice(0, 8);
      const digits = long ? 16 : 8;
      const out = names.map((n) => regNode(cpu, n, digits, parse, /sp|bp|si|di/.test(n)));
      out.push(regNode(cpu, long ? 'rip' : 'eip', digits, parse, true));
      const f = getFlags(cpu);
      const flagsName = long ? 'rflags' : 'eflags';
      out.push({
        name: flagsName, value: describeFlags(f), type: 'flags', evaluateName: `$${flagsName}`,
        set: (expr) => { writeRegister(cpu, flagsName, parse(expr)); return describeFlags(getFlags(cpu)); },
        children: () => {
          const g = getFlags(cpu);
          const kids: VarNode[] = FLAG_BITS.map(([n, m]) => ({
            name: n.toUpperCase(), value: yesNo((g & m) !== 0), type: 'bit', evaluateName: `$${n}`,
            set: (expr: string) => { writeRegister(cpu, n, parse(expr)); return yesNo((getFlags(cpu) & m) !== 0); },
          }));
          kids.push(leaf('IOPL', String((g & F_IOPL) >>> 12), 'u2'));
          for (const [n, m] of EXTRA_FLAGS) kids.push(leaf(n, yesNo((g & m) !== 0), 'bit'));
          return kids;
        },
      });
      return out;
    },
  };
}

/** The hidden descriptor cache of segment register s as a descriptor value (attributes only). */
function cacheDescriptor(cpu: Cpu, s: number): SegmentDescriptor { return new SegmentDescriptor(0, cpu.segAttr[s] << 8); }

export function segmentNode(cpu: Cpu, s: number): VarNode {
  const sel = new SegmentSelector(cpu.segSel[s]);
  const d = cacheDescriptor(cpu, s);
  const valid = cpu.segValid[s] === 1;
  const base = cpu.segBase[s], limit = cpu.segLimit[s];
  const longMode = cpu.mode === 64;
  const summary = valid
    ? `${hex(sel.value, 4)} (${d.s ? (d.isCode ? 'code' : 'data') : d.typeName(longMode)}, base ${hex(base)}, limit ${hex(limit)}, DPL${d.dpl}${d.present ? '' : ', not present'})`
    : `${hex(sel.value, 4)} (unusable)`;
  return {
    name: SEG_NAMES[s], value: summary, type: 'segment', evaluateName: s < 6 ? `$${SEG_NAMES[s]}` : undefined,
    children: () => [
      {
        name: 'selector', value: sel.toString(), type: 'u16',
        children: () => [
          leaf('index', hex(sel.index)), leaf('TI', `${sel.ti} (${sel.tableName})`), leaf('RPL', String(sel.rpl)),
        ],
      },
      {
        name: 'hidden cache', value: valid ? d.typeName(longMode) : 'unusable (null selector)', type: 'descriptor cache',
        children: () => [
          leaf('base', hex(base)), leaf('limit', hex(limit)),
          leaf('type', `${hex(d.type)} (${d.typeName(longMode)})`),
          leaf('S', `${yesNo(d.s)} (${d.s ? 'code/data' : 'system'})`),
          leaf('DPL', String(d.dpl)), leaf('P', yesNo(d.present)),
          leaf('L', yesNo(d.long)), leaf('D', yesNo(d.db)), leaf('G', yesNo(d.granularity)), leaf('AVL', yesNo(d.avl)),
          leaf('valid', yesNo(valid)),
          leaf('attributes', hex(cpu.segAttr[s], 4)),
        ],
      },
    ],
  };
}

export function segmentScope(cpu: Cpu): Scope {
  return { name: 'Segment registers', hint: 'registers', nodes: () => [0, 1, 2, 3, 4, 5, LDTR, TR].map((s) => segmentNode(cpu, s)) };
}

export function modeName(cpu: Cpu): string {
  const lma = (cpu.efer >>> 10) & 1;
  if (cpu.mode === 64) return '64-bit long mode';
  if (lma) return `compatibility mode (${cpu.mode}-bit code)`;
  return `${cpu.mode}-bit protected mode`;
}

export function systemScope(cpu: Cpu): Scope {
  return {
    name: 'Control/system registers', hint: 'registers', expensive: false,
    nodes: () => {
      const cr0 = cpu.cr0 >>> 0, cr4 = cpu.cr4 >>> 0, efer = cpu.efer >>> 0;
      const table = (name: string, base: number, limit: number): VarNode => ({
        name, value: `base ${hex(base)}, limit ${hex(limit)}`, type: 'table register',
        children: () => [leaf('base', hex(base)), leaf('limit', hex(limit))],
      });
      return [
        { name: 'CR0', value: `${hex(cr0, 8)} [${setBits(cr0, CR0_BITS)}]`, type: 'u32', evaluateName: '$cr0', children: () => bitChildren(cr0, CR0_BITS) },
        { name: 'CR2', value: hex(cpu.cr2), type: 'u64', evaluateName: '$cr2' },
        { name: 'CR3', value: hex(cpu.cr3), type: 'u64', evaluateName: '$cr3', memoryReference: hex(cpu.cr3) },
        { name: 'CR4', value: `${hex(cr4, 8)} [${setBits(cr4, CR4_BITS)}]`, type: 'u32', evaluateName: '$cr4', children: () => bitChildren(cr4, CR4_BITS) },
        { name: 'EFER', value: `${hex(efer, 8)} [${setBits(efer, EFER_BITS)}]`, type: 'u64', evaluateName: '$efer', children: () => bitChildren(efer, EFER_BITS) },
        table('GDTR', cpu.gdtrBase, cpu.gdtrLimit),
        table('IDTR', cpu.idtrBase, cpu.idtrLimit),
        segmentNode(cpu, LDTR),
        segmentNode(cpu, TR),
        leaf('CPL', String(cpu.cpl)),
        leaf('mode', modeName(cpu)),
        leaf('paging', pagingMode(cpu)),
        leaf('instructions', String(cpu.icount)),
      ];
    },
  };
}
