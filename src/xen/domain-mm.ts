// Glue between a Domain and Xen's mm model: the domain's MmDomain view, the mm hooks (TLB flushes, CR3 and LDT
// reloads on the vCPUs' CPUs, shadow LDT teardown) and the start-of-day typing of the bootstrap page tables
// (pin + CR3 reference).

import { LDTR } from '../cpu/state';
import {
  MmState, MmDomain, MmVcpu, MmDiagnostic, doMmuextOp, newGuestCr3,
} from './mm';
import { MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE, VMASST_TYPE_m2p_strict } from './public';
import type { Domain } from './domain';
import type { Vcpu } from './vcpu';

/** The MmDomain of a Domain: p2m shares the image's buffer, vm_assist is read through from the Domain. */
export function makeMmDomain(dom: Domain): MmDomain {
  const img = dom.image;
  return {
    domid: img.domid,
    kind: img.kind,
    p2m: new Uint32Array(img.p2m.buffer, img.p2m.byteOffset, img.p2m.length),
    m2p: img.mm.m2p,
    get vmAssist(): number { return (dom.vmAssist >>> 0) + (dom.m2pStrict ? 2 ** VMASST_TYPE_m2p_strict : 0); },
    set vmAssist(x: number) { dom.vmAssist = x % 2 ** 32; dom.m2pStrict = Math.floor(x / 2 ** VMASST_TYPE_m2p_strict) % 2 === 1; },
    vcpus: [],
  };
}

/** An MmVcpu for vCPU `id` of `d` (registered in d.vcpus). */
export function makeMmVcpu(d: MmDomain, id: number): MmVcpu {
  const v: MmVcpu = { id, domain: d, guestTable: 0, guestTableUser: 0, ldtBase: 0, ldtEnts: 0 };
  d.vcpus[id] = v;
  return v;
}

/** Point mm's hooks at this domain's vCPUs. */
export function wireMmHooks(mm: MmState, dom: Domain): void {
  const vcpuOf = (v: MmVcpu | null): Vcpu[] => (v === null ? dom.vcpus : dom.vcpus.filter((x) => x.id === v.id));
  mm.hooks.flushTlb = (v, kind, linear) => {
    for (const x of vcpuOf(v)) {
      if (kind === 'one' && linear !== undefined) x.cpu.flushTlbPage(linear);
      else x.cpu.flushTlb();
    }
  };
  mm.hooks.baseptrChanged = (v) => { for (const x of vcpuOf(v)) x.reloadCr3(); };
  mm.hooks.ldtChanged = (v) => { for (const x of vcpuOf(v)) loadLdt(x, v); };
  // put_page_from_l1e on a seg_desc page: pv_destroy_ldt on every vCPU of the owner (the next use maps it again).
  mm.hooks.destroyLdt = (v) => { for (const x of vcpuOf(v)) x.descriptors.destroyLdt(); };
  mm.hooks.segdescUnmapped = (d) => { if (d.domid === dom.domid) for (const x of dom.vcpus) x.descriptors.destroyLdt(); };
}

/** Record the LDT (MMUEXT_SET_LDT) in the vCPU's DescriptorSource and the CPU's LDTR cache. */
function loadLdt(x: Vcpu, v: MmVcpu): void {
  x.descriptors.ldtBase = v.ldtBase;
  x.descriptors.ldtEntries = v.ldtEnts;
  const cpu = x.cpu;
  if (v.ldtEnts === 0) { cpu.setSegment(LDTR, 0, 0, 0, 0, false); return; }
  cpu.setSegment(LDTR, 0, 0, v.ldtEnts * 8 - 1, 0x82);
  const lo = v.ldtBase % 2 ** 32, hi = Math.floor(v.ldtBase / 2 ** 32);
  cpu.setSegmentBase64(LDTR, lo | 0, hi | 0);
}

/**
 * What Xen does to a freshly built PV domain (libxenguest pin_table + arch_set_info_guest): pin the top-level
 * bootstrap table (L4 for pv64, the PAE L3 for pv32pae) - which types and validates the whole hierarchy - and
 * take vCPU 0's CR3 reference on it. Returns the diagnostic of a failure, or null.
 */
export function typeInitialPagetables(mm: MmState, v: MmVcpu, rootMfn: number): MmDiagnostic | string | null {
  const pin = v.domain.kind === 'pv64' ? MMUEXT_PIN_L4_TABLE : MMUEXT_PIN_L3_TABLE;
  const r = doMmuextOp(mm, v, [{ cmd: pin, arg1: rootMfn, arg2: 0 }]);
  if (r.rc !== 0) return r.diag ?? `pinning the bootstrap tables failed (${r.rc})`;
  const mark = mm.diag.mark();
  const rc = newGuestCr3(mm, v, rootMfn);
  if (rc !== 0) return mm.diag.firstSince(mark) ?? `installing the bootstrap CR3 failed (${rc})`;
  return null;
}
