// Domain builder: machine memory with mm's frame table (Xen's frames, the M2P, guest RAM under a deliberately
// non-identity p2m), the kernel, p2m list, start_info, xenstore and console pages, untyped bootstrap page tables,
// boot stack, hypercall page and shared_info — as libxenguest leaves them before the tables are pinned.

import { MachineMemory } from '../../cpu/memory';
import { parseElf, ElfError } from '../../common/elf';
import { BuildError, parseXenParams, XenElfParams, GuestKind, hexv, loadSegments } from './elf-notes';
import { computeLayout, PAGE, VirtLayout } from './layout';
import { buildPagetables, PtFrame } from './pagetables';
import { MmState, PGC_xen_heap, INVALID_M2P_ENTRY, installXenMappings, setGpfnFromMfn } from '../mm';
import { hypercallPageBytes } from './hypercall-page';
import {
  DOMID_XEN, START_INFO, XEN_ULONG_SIZE, VCPU_INFO, VCPU_TIME_INFO, MAX_GUEST_CMDLINE,
} from '../public';
import { MAX_GRANT_FRAMES as GRANT_HEAP_FRAMES } from '../grant-table';

export interface BuildOptions {
  /** Guest RAM in MiB (default 64). */
  memoryMiB?: number;
  cmdline?: string;
  /** Optional boot module (initrd), placed after the kernel (mod_start/mod_len). */
  module?: Uint8Array;
  /** 'shuffled' (default): pfn k lives at a permuted mfn; 'identity-offset': mfn = xenFrames + k. */
  p2mOrder?: 'shuffled' | 'identity-offset';
}

export const STORE_EVTCHN = 1, CONSOLE_EVTCHN = 2;
/** The domain id the builder gives its (only) domain: the first domU. */
export const DOMU_DOMID = 1;

export interface DomainImage {
  kind: GuestKind;
  params: XenElfParams;
  mem: MachineMemory;
  nrPages: number;
  /** pfn → mfn. */
  p2m: Int32Array;
  /** Machine frames [0, xenFrames) belong to Xen. */
  xenFrames: number;
  sharedInfoMfn: number;
  m2pMfns: number[];
  /** Xen-owned frames holding the page tables that map the m2p into the guest. */
  m2pTableMfns: number[];
  /** Xen's memory-management state for this machine (frame table, ownership, M2P): the one source of truth. */
  mm: MmState;
  /** The domain's id in mm (frames it owns carry it). */
  domid: number;
  /** Bytes per m2p entry: 8 (pv64) or 4 (compat m2p). */
  m2pEntrySize: number;
  layout: VirtLayout;
  virtBase: number;
  startInfoVa: number;
  startInfoMfn: number;
  consoleMfn: number;
  storeMfn: number;
  ptBaseVa: number;
  rootMfn: number;
  ptFrames: PtFrame[];
  bootStackTop: number;
  mfnListVa: number;
  cmdline: string;
}

function gcd(a: number, b: number): number { while (b) { [a, b] = [b, a % b]; } return a; }

/** pfn → mfn: an affine permutation of the guest's frame range, so pfn != mfn and neighbours are not adjacent. */
function makeP2m(nrPages: number, base: number, order: 'shuffled' | 'identity-offset'): Int32Array {
  const p2m = new Int32Array(nrPages);
  if (order === 'identity-offset') { for (let k = 0; k < nrPages; k++) p2m[k] = base + k; return p2m; }
  let stride = 0x9e5 % nrPages | 1;
  while (gcd(stride, nrPages) !== 1) stride += 2;
  const offset = Math.floor(nrPages / 3);
  for (let k = 0; k < nrPages; k++) p2m[k] = base + ((k * stride + offset) % nrPages);
  return p2m;
}

/** Build a domain image from ELF bytes. Throws BuildError (or ElfError) naming the problem. */
export function buildDomainImage(bytes: Uint8Array, options: BuildOptions = {}): DomainImage {
  let img;
  try { img = parseElf(bytes); } catch (e) {
    if (e instanceof ElfError) throw new BuildError(`bad ELF image: ${e.message}`);
    throw e;
  }
  const params = parseXenParams(img);
  const kind = params.kind;
  const memoryMiB = options.memoryMiB ?? 64;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 4 || memoryMiB > 2048) throw new BuildError(`memory ${memoryMiB} MiB out of range (4..2048)`);
  const nrPages = memoryMiB * 256;
  const m2pEntrySize = kind === 'pv64' ? 8 : 4;
  // Xen's frames: 0 unused, 1 shared_info, the 64-bit and compat M2P tables and their mapping tables
  // (installXenMappings: L1s + L2 + L3 for pv64, L1s for the PAE top-L2 slots), and a Xen heap for the
  // grant-table frames (GRANT_HEAP_FRAMES, handed out by src/xen/grant-table.ts).
  let xenFrames = 16;
  for (;;) {
    const total = xenFrames + nrPages, m2p64 = Math.ceil((total * 8) / PAGE), m2p32 = Math.ceil((total * 4) / PAGE);
    const need = 2 + m2p64 + m2p32 + Math.ceil(m2p64 / 512) + 2 + Math.ceil(m2p32 / 512) + GRANT_HEAP_FRAMES;
    if (need <= xenFrames) break;
    xenFrames = Math.ceil(need / 16) * 16;
  }
  const totalFrames = xenFrames + nrPages;
  if (totalFrames * PAGE > 0x1_0000_0000) throw new BuildError('machine memory above 4 GiB is not supported');
  const mem = new MachineMemory(totalFrames * PAGE);
  const p2m = makeP2m(nrPages, xenFrames, options.p2mOrder ?? 'shuffled');

  const virtBase = params.virtBase;
  const kernelEndPfn = Math.ceil((params.virtKend - virtBase) / PAGE);
  const module = options.module ?? null;
  const layout = computeLayout(kind, virtBase, kernelEndPfn, module ? module.length : 0, nrPages);
  const va = (pfn: number): number => virtBase + pfn * PAGE;
  const writeGuest = (pfnOffsetBytes: number, data: Uint8Array): void => {
    let done = 0;
    while (done < data.length) {
      const off = pfnOffsetBytes + done;
      const pfn = Math.floor(off / PAGE), o = off % PAGE;
      const n = Math.min(data.length - done, PAGE - o);
      mem.writeBytes(p2m[pfn] * PAGE + o, data.subarray(done, done + n));
      done += n;
    }
  };

  // Kernel segments at their virtual addresses (virt = paddr - PADDR_OFFSET + VIRT_BASE).
  for (const s of loadSegments(img)) {
    let v = s.paddr - params.paddrOffset + virtBase;
    if (kind === 'pv32pae') v = v >>> 0;
    writeGuest(v - virtBase, img.bytes.subarray(s.offset, s.offset + s.filesz));
  }
  if (module && layout.module) writeGuest(layout.module.pfn * PAGE, module);

  // p2m list (mfn_list): one word per pfn.
  const word = kind === 'pv64' ? 8 : 4;
  const list = new Uint8Array(nrPages * word);
  const lv = new DataView(list.buffer);
  for (let k = 0; k < nrPages; k++) lv.setUint32(k * word, p2m[k], true);
  writeGuest(layout.p2m.pfn * PAGE, list);

  // Xen's frames (frame 0 reserved, the M2P and its read-only mapping tables) and the domain's ownership, all in
  // mm's frame table; the M2P mapping itself is installed by validation (init_xen_l4_slots / PAE top-L2 slots).
  const sharedInfoMfn = 1, domid = DOMU_DOMID;
  const mm = new MmState(mem, {}, {});
  mm.frames.assign(0, DOMID_XEN);
  mm.frames.assign(sharedInfoMfn, domid);
  mm.frames.countFlags[sharedInfoMfn] |= PGC_xen_heap;
  const xen = installXenMappings(mm);
  const m2pData = new Set<number>([...xen.m2pFrames, ...xen.compatM2pFrames]);
  const m2pTableMfns: number[] = [];
  for (let mfn = 2; mfn < mm.frames.nr; mfn++) {
    if (mm.frames.isFree(mfn)) continue;
    if (mfn >= xenFrames) throw new BuildError('Xen frames overflow into guest memory (sizing bug)');
    if (!m2pData.has(mfn)) m2pTableMfns.push(mfn);
  }
  // The rest of Xen's range stays Xen's.
  for (let mfn = 2; mfn < xenFrames; mfn++) if (mm.frames.isFree(mfn)) mm.frames.assign(mfn, DOMID_XEN);
  for (let k = 0; k < nrPages; k++) {
    if (!mm.frames.isFree(p2m[k])) throw new BuildError(`machine frame 0x${p2m[k].toString(16)} is already in use`);
    mm.frames.assign(p2m[k], domid);
    setGpfnFromMfn(mm, p2m[k], k);
  }
  const m2pMfns = Array.from(kind === 'pv64' ? xen.m2pFrames : xen.compatM2pFrames);

  // Bootstrap page tables (untyped until the Domain pins them; page-table frames mapped read-only).
  const pts = buildPagetables(mem, kind, virtBase, layout, p2m);

  // Hypercall page.
  if (params.hypercallPage !== null) writeGuest(params.hypercallPage - virtBase, hypercallPageBytes(kind));

  // start_info.
  const L = START_INFO[kind].fields, ulong = XEN_ULONG_SIZE[kind];
  const si = new Uint8Array(PAGE);
  const sv = new DataView(si.buffer);
  const putWord = (off: number, v: number): void => {
    sv.setUint32(off, v >>> 0, true);
    if (ulong === 8) sv.setUint32(off + 4, Math.floor(v / 2 ** 32) >>> 0, true);
  };
  const magic = kind === 'pv64' ? 'xen-3.0-x86_64' : 'xen-3.0-x86_32p';
  for (let i = 0; i < magic.length; i++) si[L.magic + i] = magic.charCodeAt(i);
  putWord(L.nr_pages, nrPages);
  putWord(L.shared_info, sharedInfoMfn * PAGE);
  sv.setUint32(L.flags, 0, true);
  putWord(L.store_mfn, p2m[layout.xenstore]);
  sv.setUint32(L.store_evtchn, STORE_EVTCHN, true);
  putWord(L['console.domU.mfn'], p2m[layout.console]);
  sv.setUint32(L['console.domU.evtchn'], CONSOLE_EVTCHN, true);
  putWord(L.pt_base, va(layout.pagetables.pfn));
  putWord(L.nr_pt_frames, layout.pagetables.pages);
  putWord(L.mfn_list, va(layout.p2m.pfn));
  putWord(L.mod_start, layout.module ? va(layout.module.pfn) : 0);
  putWord(L.mod_len, module ? module.length : 0);
  const cmdline = options.cmdline ?? '';
  if (cmdline.length >= MAX_GUEST_CMDLINE) throw new BuildError(`command line longer than ${MAX_GUEST_CMDLINE - 1} bytes`);
  for (let i = 0; i < cmdline.length; i++) si[L.cmd_line + i] = cmdline.charCodeAt(i) & 0xff;
  writeGuest(layout.startInfo * PAGE, si);

  // shared_info: vcpu_info[0] with events masked; time scale 1 TSC tick = 1 ns (mul 2^31, shift 1).
  const sh = sharedInfoMfn * PAGE;
  const vi = VCPU_INFO[kind].fields, vt = VCPU_TIME_INFO.fields;
  mem.write8(sh + vi.evtchn_upcall_mask, 1);
  mem.write32(sh + vi.time + vt.tsc_to_system_mul, 0x80000000);
  mem.write8(sh + vi.time + vt.tsc_shift, 1);

  return {
    kind, params, mem, mm, domid, nrPages, p2m, xenFrames, sharedInfoMfn, m2pMfns, m2pTableMfns, m2pEntrySize, layout, virtBase,
    startInfoVa: va(layout.startInfo), startInfoMfn: p2m[layout.startInfo], consoleMfn: p2m[layout.console],
    storeMfn: p2m[layout.xenstore], ptBaseVa: va(layout.pagetables.pfn), rootMfn: pts.rootMfn, ptFrames: pts.frames,
    bootStackTop: va(layout.bootStack + 1), mfnListVa: va(layout.p2m.pfn), cmdline,
  };
}

export { BuildError, hexv };
