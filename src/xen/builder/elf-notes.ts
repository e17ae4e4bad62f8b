// Xen ELF notes (elfnote.h, name "Xen") of a PV kernel image, decoded into the parameters the domain builder
// uses (libelf's elf_dom_parms in spirit). Malformed or unsupported images give a BuildError naming the problem.

import { ElfImage, elfNotes, PT_LOAD } from '../../common/elf';
import {
  XEN_ELFNOTE_ENTRY, XEN_ELFNOTE_HYPERCALL_PAGE, XEN_ELFNOTE_VIRT_BASE, XEN_ELFNOTE_PADDR_OFFSET,
  XEN_ELFNOTE_XEN_VERSION, XEN_ELFNOTE_GUEST_OS, XEN_ELFNOTE_GUEST_VERSION, XEN_ELFNOTE_LOADER, XEN_ELFNOTE_PAE_MODE,
  XEN_ELFNOTE_FEATURES, XEN_ELFNOTE_HV_START_LOW, XEN_ELFNOTE_INIT_P2M, XEN_ELFNOTE_MOD_START_PFN,
  XEN_ELFNOTE_SUPPORTED_FEATURES, XEN_ELFNOTE_L1_MFN_VALID, XEN_ELFNOTE_SUSPEND_CANCEL, XEN_ELFNOTE_BSD_SYMTAB,
  XEN_ELFNOTE_PHYS32_ENTRY, XEN_ELFNOTE_INFO,
} from '../public';
import { TWO32 } from '../../common/bits';

export class BuildError extends Error {
  constructor(message: string) { super(message); this.name = 'BuildError'; }
}

export type GuestKind = 'pv64' | 'pv32pae';

export interface XenElfParams {
  kind: GuestKind;
  /** Virtual entry point (signed canonical number for pv64). */
  entry: number;
  /** Virtual address of the hypercall page, or null when the image has no HYPERCALL_PAGE note. */
  hypercallPage: number | null;
  virtBase: number;
  paddrOffset: number;
  xenVersion: string;
  guestOs: string;
  guestVersion: string;
  loader: string;
  paeMode: string;
  /** FEATURES note text ("feat1|!feat2|..."), '' when absent. */
  features: string;
  /** Kernel virtual extent [kstart, kend). */
  virtKstart: number;
  virtKend: number;
  /** Notes seen, by type, for the debugger. */
  notes: Map<number, Uint8Array>;
}

const NOTE_NAMES: Record<number, string> = {
  [XEN_ELFNOTE_INFO]: 'INFO', [XEN_ELFNOTE_ENTRY]: 'ENTRY', [XEN_ELFNOTE_HYPERCALL_PAGE]: 'HYPERCALL_PAGE',
  [XEN_ELFNOTE_VIRT_BASE]: 'VIRT_BASE', [XEN_ELFNOTE_PADDR_OFFSET]: 'PADDR_OFFSET', [XEN_ELFNOTE_XEN_VERSION]: 'XEN_VERSION',
  [XEN_ELFNOTE_GUEST_OS]: 'GUEST_OS', [XEN_ELFNOTE_GUEST_VERSION]: 'GUEST_VERSION', [XEN_ELFNOTE_LOADER]: 'LOADER',
  [XEN_ELFNOTE_PAE_MODE]: 'PAE_MODE', [XEN_ELFNOTE_FEATURES]: 'FEATURES', [XEN_ELFNOTE_BSD_SYMTAB]: 'BSD_SYMTAB',
  [XEN_ELFNOTE_HV_START_LOW]: 'HV_START_LOW', [XEN_ELFNOTE_L1_MFN_VALID]: 'L1_MFN_VALID',
  [XEN_ELFNOTE_SUSPEND_CANCEL]: 'SUSPEND_CANCEL', [XEN_ELFNOTE_INIT_P2M]: 'INIT_P2M',
  [XEN_ELFNOTE_MOD_START_PFN]: 'MOD_START_PFN', [XEN_ELFNOTE_SUPPORTED_FEATURES]: 'SUPPORTED_FEATURES',
  [XEN_ELFNOTE_PHYS32_ENTRY]: 'PHYS32_ENTRY',
};
export function xenNoteName(type: number): string { return NOTE_NAMES[type] ?? `type ${type}`; }

/** Notes whose descriptor is a numeric value (1, 2, 4 or 8 bytes). */
const NUMERIC = new Set([XEN_ELFNOTE_ENTRY, XEN_ELFNOTE_HYPERCALL_PAGE, XEN_ELFNOTE_VIRT_BASE, XEN_ELFNOTE_PADDR_OFFSET,
  XEN_ELFNOTE_HV_START_LOW, XEN_ELFNOTE_INIT_P2M, XEN_ELFNOTE_MOD_START_PFN, XEN_ELFNOTE_SUPPORTED_FEATURES,
  XEN_ELFNOTE_PHYS32_ENTRY, XEN_ELFNOTE_SUSPEND_CANCEL, XEN_ELFNOTE_BSD_SYMTAB]);
/** Notes whose descriptor is a NUL-terminated string. */
const STRING = new Set([XEN_ELFNOTE_XEN_VERSION, XEN_ELFNOTE_GUEST_OS, XEN_ELFNOTE_GUEST_VERSION, XEN_ELFNOTE_LOADER,
  XEN_ELFNOTE_PAE_MODE, XEN_ELFNOTE_FEATURES]);

/** Numeric note value; 8-byte values become signed numbers (exact for canonical addresses). */
function noteNumber(type: number, d: Uint8Array, bits: number): number {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  switch (d.length) {
    case 1: return d[0];
    case 2: return v.getUint16(0, true);
    case 4: return v.getUint32(0, true);
    case 8: {
      const lo = v.getUint32(0, true), hi = v.getInt32(4, true);
      if (bits === 32) return lo; // a 32-bit guest's addresses are the low half
      return hi * TWO32 + lo;
    }
    default: throw new BuildError(`Xen ELF note ${xenNoteName(type)} has a ${d.length}-byte value (expected 1, 2, 4 or 8)`);
  }
}
function noteString(type: number, d: Uint8Array): string {
  let e = 0;
  while (e < d.length && d[e] !== 0) e++;
  if (e === d.length && d.length > 0) throw new BuildError(`Xen ELF note ${xenNoteName(type)} is not NUL-terminated`);
  return Buffer.from(d.subarray(0, e)).toString('latin1');
}

/** A PT_LOAD segment with its physical address exact (common/elf.ts rounds 64-bit values above 2^53). */
export interface LoadSegment { offset: number; filesz: number; memsz: number; paddr: number; }

/** 64-bit field as a signed number: exact for kernel-half addresses such as 0xffffffff80001234. */
function s64At(bytes: Uint8Array, off: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return v.getInt32(off + 4, true) * TWO32 + v.getUint32(off, true);
}

export function loadSegments(img: ElfImage): LoadSegment[] {
  const out: LoadSegment[] = [];
  if (img.bits === 32) {
    for (const s of img.segments) if (s.type === PT_LOAD && s.memsz > 0) out.push({ offset: s.offset, filesz: s.filesz, memsz: s.memsz, paddr: s.paddr });
    return out;
  }
  const v = new DataView(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  const phoff = s64At(img.bytes, 32), phentsize = v.getUint16(54, true);
  img.segments.forEach((s, k) => {
    if (s.type === PT_LOAD && s.memsz > 0) out.push({ offset: s.offset, filesz: s.filesz, memsz: s.memsz, paddr: s64At(img.bytes, phoff + k * phentsize + 24) });
  });
  return out;
}

/** e_entry, exact (signed for 64-bit images). */
export function elfEntry(img: ElfImage): number { return img.bits === 64 ? s64At(img.bytes, 24) : img.entry; }

/** Decode and check the Xen notes and load segments of a PV kernel. */
export function parseXenParams(img: ElfImage): XenElfParams {
  const kind: GuestKind = img.bits === 64 ? 'pv64' : 'pv32pae';
  const notes = new Map<number, Uint8Array>();
  for (const n of elfNotes(img)) {
    if (n.name !== 'Xen') continue;
    notes.set(n.type, n.desc);
  }
  if (notes.size === 0) throw new BuildError('no Xen ELF notes (a PT_NOTE segment or .note.Xen section with name "Xen") — not a Xen PV kernel');
  const num = (t: number): number | null => {
    const d = notes.get(t);
    if (d === undefined) return null;
    return noteNumber(t, d, img.bits);
  };
  const str = (t: number): string => {
    const d = notes.get(t);
    return d === undefined ? '' : noteString(t, d);
  };
  for (const t of notes.keys()) {
    if (NUMERIC.has(t)) num(t);
    else if (STRING.has(t)) str(t);
  }
  const loader = str(XEN_ELFNOTE_LOADER);
  if (loader && loader !== 'generic') throw new BuildError(`Xen ELF note LOADER is "${loader}" (only "generic" is supported)`);
  const xenVersion = str(XEN_ELFNOTE_XEN_VERSION);
  if (xenVersion && xenVersion !== 'xen-3.0') throw new BuildError(`Xen ELF note XEN_VERSION is "${xenVersion}" (expected "xen-3.0")`);
  const paeMode = str(XEN_ELFNOTE_PAE_MODE);
  if (kind === 'pv32pae') {
    if (paeMode !== 'yes' && paeMode !== 'bimodal' && paeMode !== 'yes[extended-cr3]') {
      throw new BuildError(paeMode === ''
        ? '32-bit kernel without a PAE_MODE note: non-PAE 32-bit PV guests are not supported (PAE_MODE "yes" or "bimodal" required)'
        : `32-bit kernel with PAE_MODE "${paeMode}": only "yes" or "bimodal" are supported`);
    }
  }
  const features = str(XEN_ELFNOTE_FEATURES);
  for (const f of features.split('|')) {
    const name = f.replace(/^!/, '');
    if (f.startsWith('!') && name === 'writable_page_tables') {
      // "!feature" means required; we cannot offer writable page tables.
      throw new BuildError('kernel requires feature writable_page_tables, which this hypervisor does not offer');
    }
  }

  const loads = loadSegments(img);
  if (loads.length === 0) throw new BuildError('ELF image has no PT_LOAD segments');
  const virtBaseNote = num(XEN_ELFNOTE_VIRT_BASE);
  const virtBase = virtBaseNote ?? 0;
  const paddrOffsetNote = num(XEN_ELFNOTE_PADDR_OFFSET);
  const paddrOffset = paddrOffsetNote ?? virtBase;
  const toVirt = (paddr: number): number => {
    const v = paddr - paddrOffset + virtBase;
    return kind === 'pv64' ? v : v >>> 0;
  };
  let kstart = Infinity, kend = -Infinity;
  for (const s of loads) {
    if (s.filesz > s.memsz) throw new BuildError(`PT_LOAD at file offset 0x${s.offset.toString(16)} has filesz > memsz`);
    if (s.offset + s.filesz > img.bytes.length) throw new BuildError(`PT_LOAD at file offset 0x${s.offset.toString(16)} extends beyond the file`);
    const v = toVirt(s.paddr);
    kstart = Math.min(kstart, v); kend = Math.max(kend, v + s.memsz);
  }
  if (kstart < virtBase) {
    throw new BuildError(`kernel starts at 0x${hexv(kstart)}, below VIRT_BASE 0x${hexv(virtBase)}`);
  }
  if (kind === 'pv32pae' && kend > 0xf5800000) {
    throw new BuildError(`kernel ends at 0x${hexv(kend)}, inside Xen's reserved area (above 0xF5800000)`);
  }
  if (kind === 'pv64' && kstart < -0x780000000000 && kend > -0x800000000000) {
    throw new BuildError(`kernel at 0x${hexv(kstart)} overlaps Xen's reserved area 0xffff800000000000-0xffff880000000000`);
  }
  const entryNote = num(XEN_ELFNOTE_ENTRY);
  const entry = entryNote ?? toVirt(elfEntry(img));
  if (entry < kstart || entry >= kend) throw new BuildError(`entry point 0x${hexv(entry)} is outside the kernel image 0x${hexv(kstart)}-0x${hexv(kend)}`);
  const hypercallPage = num(XEN_ELFNOTE_HYPERCALL_PAGE);
  if (hypercallPage !== null) {
    if (hypercallPage % 4096 !== 0) throw new BuildError(`HYPERCALL_PAGE 0x${hexv(hypercallPage)} is not page aligned`);
    if (hypercallPage < kstart || hypercallPage + 4096 > kend) throw new BuildError(`HYPERCALL_PAGE 0x${hexv(hypercallPage)} is outside the kernel image`);
  }
  return {
    kind, entry, hypercallPage, virtBase, paddrOffset, xenVersion, guestOs: str(XEN_ELFNOTE_GUEST_OS),
    guestVersion: str(XEN_ELFNOTE_GUEST_VERSION), loader, paeMode, features, virtKstart: kstart, virtKend: kend, notes,
  };
}

export function hexv(v: number): string {
  if (v >= 0) return v.toString(16);
  const hi = Math.floor(v / TWO32) >>> 0, lo = v >>> 0;
  return hi.toString(16) + lo.toString(16).padStart(8, '0');
}
