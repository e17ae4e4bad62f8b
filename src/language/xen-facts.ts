// Xen PV ABI facts the language server explains in hovers and completions, derived from src/xen/public:
// hypercalls (number from public/xen.h + our signature and meaning), flat selectors per guest kind and their descriptors.

import {
  FIRST_RESERVED_GDT_ENTRY, HYPERCALL_NAMES, LAST_RESERVED_GDT_ENTRY, PV32_HYPERCALL_ARG_REGS, PV32_RESERVED_GDT,
  PV64_HYPERCALL_ARG_REGS, PV64_RESERVED_GDT, ReservedGdtEntry, __HYPERVISOR_CS,
} from '../xen/public';
import { HYPERVISOR_DS32_GDT_ENTRY, PV32_FLAT_SELECTORS, PV64_FLAT_SELECTORS, __HYPERVISOR_DS32 } from '../xen/public/abi-names';
import { fallbackDoc, HYPERCALL_DOCS, HypercallDoc } from './hypercall-docs';

export { FIRST_RESERVED_GDT_ENTRY, LAST_RESERVED_GDT_ENTRY };

export interface HypercallInfo extends HypercallDoc {
  name: string;
  nr: number;
}

/** Every hypercall of public/xen.h, in number order. */
export const HYPERCALL_TABLE: readonly HypercallInfo[] = Object.entries(HYPERCALL_NAMES)
  .map(([nr, name]) => ({ nr: Number(nr), name, ...(HYPERCALL_DOCS[name] ?? fallbackDoc(name)) }))
  .sort((a, b) => a.nr - b.nr);

const byName = new Map(HYPERCALL_TABLE.map((h) => [h.name, h]));
const byNr = new Map(HYPERCALL_TABLE.map((h) => [h.nr, h]));

/** Look up `mmu_update`, `__HYPERVISOR_mmu_update` or `HYPERVISOR_mmu_update`. */
export function hypercallByName(name: string): HypercallInfo | undefined {
  const bare = name.replace(/^__HYPERVISOR_/, '').replace(/^HYPERVISOR_/, '');
  return byName.get(bare);
}
export function hypercallByNumber(nr: number): HypercallInfo | undefined {
  return byNr.get(nr);
}

export const PV64_ARG_REGS: readonly string[] = PV64_HYPERCALL_ARG_REGS;
export const PV32_ARG_REGS: readonly string[] = PV32_HYPERCALL_ARG_REGS;

/** "HYPERVISOR_mmu_update(const struct mmu_update *reqs, ...)" with register assignment per guest kind. */
export function hypercallSignature(h: HypercallInfo, bits: 32 | 64): string {
  const args = bits === 32 && h.args32 ? h.args32 : h.args;
  const regs = bits === 32 ? PV32_ARG_REGS : PV64_ARG_REGS;
  const parts = args.map((a, i) => (a === '...' || !regs[i] ? a : `${a} /*%${regs[i]}*/`));
  return `long HYPERVISOR_${h.name}(${parts.join(', ')})`;
}

export type GuestKind = 'pv64' | 'pv32';

export interface XenSelector {
  value: number;
  /** Header names (first is the primary one). */
  names: string[];
  /** Descriptor Xen keeps in the reserved GDT entry the selector points to (as Xen writes it: accessed set). */
  descriptor: bigint;
  role: string;
}

/** What each reserved selector is for, per guest kind (our words). */
const ROLES: Record<GuestKind, Record<number, string>> = {
  pv64: {
    [__HYPERVISOR_CS]: 'Xen\'s own ring-0 64-bit code (not usable by guests)',
    [__HYPERVISOR_DS32]: 'Xen\'s own ring-0 data (not usable by guests)',
    0xe023: 'ring-3 flat 32-bit (compatibility-mode) code',
    0xe02b: 'ring-3 flat data/stack (pv64 kernel and user SS)',
    0xe033: 'ring-3 flat 64-bit code (pv64 kernel and user CS)',
  },
  pv32: {
    [__HYPERVISOR_CS]: 'Xen\'s own ring-0 64-bit code (not usable by guests)',
    [__HYPERVISOR_DS32]: 'Xen\'s own ring-0 data (not usable by guests)',
    0xe019: 'ring-1 flat 32-bit code (pv32 kernel CS)',
    0xe021: 'ring-1 flat data/stack (pv32 kernel DS/SS)',
    0xe02b: 'ring-3 flat 32-bit code (pv32 user CS)',
    0xe033: 'ring-3 flat data/stack (pv32 user DS/SS)',
  },
};

/** Primary name first: FLAT_RINGn_* before the KERNEL/USER aliases, and a 64-suffixed ring name before others. */
function nameRank(n: string): number {
  if (/^__/.test(n)) return 0;
  if (/^FLAT_RING\d_\w+64$/.test(n)) return 1;
  if (/^FLAT_RING/.test(n)) return 2;
  return 3;
}

function selectorsOf(kind: GuestKind, flat: Readonly<Record<string, number>>, gdt: readonly ReservedGdtEntry[]): readonly XenSelector[] {
  const entries = [...gdt, HYPERVISOR_DS32_GDT_ENTRY].sort((a, b) => a.sel - b.sel);
  return Object.freeze(entries.map((e) => {
    const names = e.sel === __HYPERVISOR_CS ? ['__HYPERVISOR_CS'] : e.sel === __HYPERVISOR_DS32 ? ['__HYPERVISOR_DS32']
      : Object.keys(flat).filter((n) => flat[n] === e.sel);
    names.sort((a, b) => nameRank(a) - nameRank(b));
    return { value: e.sel, names, descriptor: (BigInt(e.hi >>> 0) << 32n) | BigInt(e.lo >>> 0), role: ROLES[kind][e.sel] ?? e.name };
  }));
}

/** Flat selectors of xen-x86_64.h (pv64 guests) with the descriptors of Xen's 64-bit GDT page. */
export const PV64_SELECTORS: readonly XenSelector[] = selectorsOf('pv64', PV64_FLAT_SELECTORS, PV64_RESERVED_GDT);
/** Flat selectors of xen-x86_32.h (pv32pae guests) with the descriptors of Xen's compat GDT page. */
export const PV32_SELECTORS: readonly XenSelector[] = selectorsOf('pv32', PV32_FLAT_SELECTORS, PV32_RESERVED_GDT);

export function xenSelector(value: number, kind: GuestKind): XenSelector | undefined {
  return (kind === 'pv64' ? PV64_SELECTORS : PV32_SELECTORS).find((s) => s.value === (value & 0xffff));
}

/** The FLAT_* names of one guest kind's header (what the assembler predefines for that kind). */
export function flatSelectorsOf(kind: GuestKind): Readonly<Record<string, number>> {
  return kind === 'pv64' ? PV64_FLAT_SELECTORS : PV32_FLAT_SELECTORS;
}

/** Every FLAT_* name with its value per guest kind (names differ between the two headers). */
export function flatSelectorNames(): { name: string; pv64?: number; pv32?: number }[] {
  const m = new Map<string, { name: string; pv64?: number; pv32?: number }>();
  for (const kind of ['pv64', 'pv32'] as const) {
    for (const [name, v] of Object.entries(flatSelectorsOf(kind))) m.set(name, { ...(m.get(name) ?? { name }), [kind]: v });
  }
  return [...m.values()].sort((a, b) => a.name.localeCompare(b.name));
}
