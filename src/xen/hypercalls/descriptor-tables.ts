// set_gdt and update_descriptor (xen/arch/x86/pv/descriptor-tables.c) over mm: GDT frames take a
// PGT_seg_desc_page type ref (every descriptor passes checkDescriptor, the frame can no longer be mapped
// writable), the vCPU's DescriptorSource serves them below FIRST_RESERVED_GDT_ENTRY; the old frames are released.

import type { HypercallContext } from './types';
import { copyFromGuest, GuestBuf } from '../guest-access';
import {
  checkDescriptor, checkGdtEntries, getPage, getPageType, putPage, putPageAndType, putPageType,
  PGT_seg_desc_page, PGT_writable_page,
} from '../mm';
import { EFAULT, EINVAL } from '../public';
import type { Vcpu } from '../vcpu';
import type { Domain } from '../domain';
import type { MmDiagnostic } from '../mm';

const hex = (v: number): string => '0x' + v.toString(16);

/** pv_destroy_gdt: drop the type and general refs of the installed frames. */
export function destroyGdt(domain: Domain, v: Vcpu): void {
  for (const mfn of v.descriptors.gdtFrames) putPageAndType(domain.mm, mfn);
  v.descriptors.gdtFrames = [];
  v.descriptors.gdtEntries = 0;
}

/** What pv_set_gdt did: 0, or -EINVAL with the refused frame's index (-1: the entry count) and Xen's diagnostic. */
export interface SetGdtResult { rc: number; frame: number; mm: MmDiagnostic | undefined; }

/**
 * pv_set_gdt: check the entry count, take a general + PGT_seg_desc_page type ref on each of the frames (every
 * descriptor must pass checkDescriptor); all or nothing. On success the vCPU's old GDT frames are released and
 * the new ones installed. Shared by set_gdt and VCPUOP_initialise (arch_set_info_guest).
 */
export function pvSetGdt(domain: Domain, v: Vcpu, mfns: number[], entries: number): SetGdtResult {
  const mm = domain.mm, d = domain.mmDomain;
  const mark = mm.diag.mark();
  if (checkGdtEntries(mm, entries) !== 0) return { rc: -EINVAL, frame: -1, mm: mm.diag.firstSince(mark) };
  const nr = Math.ceil(entries / 512), taken: number[] = [];
  for (let i = 0; i < nr; i++) {
    const mfn = mfns[i];
    let ok = getPage(mm, mfn, d);
    if (ok && getPageType(mm, mfn, PGT_seg_desc_page) !== 0) { putPage(mm, mfn); ok = false; }
    if (!ok) {
      while (taken.length) putPageAndType(mm, taken.pop() as number);
      return { rc: -EINVAL, frame: i, mm: mm.diag.firstSince(mark) };
    }
    taken.push(mfn);
  }
  destroyGdt(domain, v);
  v.descriptors.gdtFrames = taken;
  v.descriptors.gdtEntries = entries;
  return { rc: 0, frame: -1, mm: undefined };
}

/** do_set_gdt(frame_list, entries). */
export function doSetGdt(c: HypercallContext): number {
  const mm = c.domain.mm;
  const list = c.ptr(0), entries = c.u32(1);
  const mark = mm.diag.mark();
  if (checkGdtEntries(mm, entries) !== 0) { c.noteMm(mm.diag.firstSince(mark)); return -EINVAL; }
  const nr = Math.ceil(entries / 512), word = c.is64 ? 8 : 4;
  const b = nr ? copyFromGuest(c.cpu, list, nr * word) : new Uint8Array(0);
  if (b === null) return c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `set_gdt: frame list at ${hex(list)} is not readable` });
  const g = new GuestBuf(b);
  const mfns = Array.from({ length: nr }, (_, i) => (c.is64 ? g.s64(i * 8) : g.u32(i * 4)));
  const r = pvSetGdt(c.domain, c.vcpu, mfns, entries);
  if (r.rc !== 0) {
    c.noteMm(r.mm);
    if (!c.mmDiag) c.reject({ rule: 'bad-gdt', rc: -EINVAL, targetMfn: mfns[r.frame], message: `set_gdt: frame ${r.frame} (mfn ${hex(mfns[r.frame])}) refused` });
    return r.rc;
  }
  c.cpu.flushTlb();
  c.diag = `${entries} entries in mfn ${mfns.map(hex).join(', ') || '-'}`;
  return 0;
}

/** do_update_descriptor(gaddr, desc): pv64 (maddr, desc); pv32 (maddr_lo, maddr_hi, desc_lo, desc_hi). */
export function doUpdateDescriptor(c: HypercallContext): number {
  const mm = c.domain.mm, d = c.domain.mmDomain;
  const maddr = c.is64 ? c.arg(0) : c.u32(0) + c.u32(1) * 2 ** 32;
  const lo = c.is64 ? c.lo[1] >>> 0 : c.u32(2), hi = c.is64 ? c.hi[1] >>> 0 : c.u32(3);
  const mfn = Math.floor(maddr / 4096), off = maddr % 4096;
  const value = { valueLo: lo, valueHi: hi, index: off >>> 3 };
  if (maddr % 8 !== 0) return c.reject({ rule: 'bad-descriptor', rc: -EINVAL, mfn, ...value, message: `update_descriptor: address ${hex(maddr)} is not 8-byte aligned` });
  const chk = checkDescriptor(d.kind, lo, hi);
  if (!chk.ok) {
    return c.reject({ rule: 'bad-descriptor', rc: -EINVAL, mfn, ...value,
      message: `Bad descriptor 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')} for maddr ${hex(maddr)}: ${chk.reason}` });
  }
  const mark = mm.diag.mark();
  if (!getPage(mm, mfn, d)) { c.noteMm(mm.diag.firstSince(mark)); return -EINVAL; }
  const type = mm.frames.type[mfn] === PGT_seg_desc_page && mm.frames.typeCount[mfn] > 0 ? PGT_seg_desc_page : PGT_writable_page;
  if (getPageType(mm, mfn, type) !== 0) {
    putPage(mm, mfn);
    c.noteMm(mm.diag.firstSince(mark));
    return -EINVAL;
  }
  mm.mem.write64(mfn * 4096 + off, chk.lo, chk.hi);
  putPageType(mm, mfn);
  putPage(mm, mfn);
  c.diag = `mfn ${hex(mfn)}[${off >>> 3}] = 0x${chk.hi.toString(16).padStart(8, '0')}${chk.lo.toString(16).padStart(8, '0')}`;
  return 0;
}
