// GDT/LDT descriptor rules for PV guests (pv/descriptor-tables.c): checkDescriptor fixes up DPLs and
// accepts code/data segments and call gates to guest code, and validateSegdescPage audits a frame that
// becomes PGT_seg_desc_page (used by set_gdt, update_descriptor and LDT mappings).

import { EINVAL } from '../public/errno';
import { FIRST_RESERVED_GDT_ENTRY, FLAT_KERNEL_CS64, FLAT_RING1_CS, HYPERVISOR_COMPAT_VIRT_START } from '../public/arch-x86';
import { MmState, GuestKind } from './page-info';

const _SEGMENT_TYPE = 0xf00, _SEGMENT_S = 0x1000, _SEGMENT_DPL = 0x6000, _SEGMENT_P = 0x8000;
const _SEGMENT_L = 0x200000, _SEGMENT_G = 0x800000;

export interface DescriptorCheck {
  readonly ok: boolean;
  /** The descriptor as Xen stores it (DPL / limit / gate fix-ups applied). */
  readonly lo: number;
  readonly hi: number;
  /** Why it was rejected. */
  readonly reason?: string;
}

/** GUEST_KERNEL_RPL: pv64 kernels run in ring 3, pv32 kernels in ring 1. */
export function guestKernelRpl(kind: GuestKind): number { return kind === 'pv64' ? 3 : 1; }

/** guest_gate_selector_okay: guest GDT entry, Xen's flat kernel CS, or any LDT selector. */
export function guestGateSelectorOkay(kind: GuestKind, sel: number): boolean {
  return (sel >>> 3) < FIRST_RESERVED_GDT_ENTRY || sel === (kind === 'pv64' ? FLAT_KERNEL_CS64 : FLAT_RING1_CS) ||
    (sel & 4) !== 0;
}

/**
 * check_descriptor: not-present -> ok; DPL raised to the guest kernel RPL; code/data ok (pv32: no L bit,
 * flat segments ending above the compat area are widened to 4 GiB); type 0 ok (upper half of a 64-bit
 * gate); call gates (type 0xC) ok if the target selector is allowed - DPL forced to 0, the original DPL
 * kept in the selector's RPL - and reserved bits are 0; everything else is rejected.
 */
export function checkDescriptor(kind: GuestKind, lo: number, hi: number): DescriptorCheck {
  let a = lo >>> 0, b = hi >>> 0;
  if (!(b & _SEGMENT_P)) return { ok: true, lo: a, hi: b };
  let dpl = (b >>> 13) & 3;
  const rpl = guestKernelRpl(kind);
  if (dpl < rpl) dpl = rpl;
  b = ((b & ~_SEGMENT_DPL) | (dpl << 13)) >>> 0;
  if (b & _SEGMENT_S) {
    if (kind === 'pv32pae') {
      if (b & _SEGMENT_L) return { ok: false, lo, hi, reason: '64-bit code segment (L bit) in a 32-bit guest' };
      const base = ((b & 0xff000000) | ((b & 0xff) << 16) | (a >>> 16)) >>> 0;
      let limit = ((b & 0xf0000) | (a & 0xffff)) + 1;
      if (b & _SEGMENT_G) limit *= 4096;
      if (base === 0 && limit > HYPERVISOR_COMPAT_VIRT_START) { a = (a | 0xffff) >>> 0; b = (b | 0xf0000) >>> 0; }
    }
    return { ok: true, lo: a, hi: b };
  }
  if ((b & _SEGMENT_TYPE) === 0) return { ok: true, lo: a, hi: b };
  if ((b & _SEGMENT_TYPE) !== 0xc00) {
    return { ok: false, lo, hi, reason: `system descriptor type 0x${((b >>> 8) & 0xf).toString(16)} (only call gates allowed)` };
  }
  let cs = a >>> 16;
  if (!guestGateSelectorOkay(kind, cs)) {
    return { ok: false, lo, hi, reason: `call gate target selector 0x${cs.toString(16).padStart(4, '0')} is Xen-reserved` };
  }
  b = (b & ~_SEGMENT_DPL) >>> 0;
  cs = (cs & ~3) | dpl;
  a = ((a & 0xffff) | (cs << 16)) >>> 0;
  if (b & (kind === 'pv32pae' ? 0xe0 : 0xff)) return { ok: false, lo, hi, reason: 'call gate reserved bits set' };
  return { ok: true, lo: a, hi: b };
}

/** validate_segdesc_page: all 512 descriptors must pass; fix-ups are written back into the frame. */
export function validateSegdescPage(mm: MmState, mfn: number): number {
  const d = mm.ownerDomain(mfn);
  if (!d) return -EINVAL;
  const base = mm.maddr(mfn);
  for (let i = 0; i < 512; i++) {
    const lo = mm.mem.read32(base + i * 8), hi = mm.mem.read32(base + i * 8 + 4);
    const c = checkDescriptor(d.kind, lo, hi);
    if (!c.ok) {
      mm.diag.report({ rule: 'bad-descriptor', rc: -EINVAL, domid: d.domid, mfn, pfn: mm.pfnOf(mfn), index: i,
        valueLo: lo, valueHi: hi,
        message: `Bad descriptor ${i} (0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}) ` +
          `in mfn ${mfn.toString(16)} (pfn ${mm.pfnOf(mfn).toString(16)}): ${c.reason}` });
      return -EINVAL;
    }
    if (c.lo !== lo || c.hi !== hi) mm.mem.write64(base + i * 8, c.lo, c.hi);
  }
  return 0;
}

/** set_gdt entry-count rule: guests own entries below FIRST_RESERVED_GDT_ENTRY only. */
export function checkGdtEntries(mm: MmState, entries: number): number {
  if (entries > FIRST_RESERVED_GDT_ENTRY || entries < 0) {
    mm.diag.report({ rule: 'bad-gdt', rc: -EINVAL,
      message: `set_gdt: ${entries} entries overlap Xen's reserved GDT area (first reserved entry 0x${FIRST_RESERVED_GDT_ENTRY.toString(16)})` });
    return -EINVAL;
  }
  return 0;
}
