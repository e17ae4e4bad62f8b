// Building MmDomain views: register a domain with the mm state and give it frames. The test factory
// deliberately makes mfn != pfn (frames handed out in reverse order) so pfn/mfn mix-ups show up.

import { MmState, MmDomain, MmVcpu, GuestKind, INVALID_MFN } from './page-info';
import { setGpfnFromMfn } from './xen-mappings';

export interface DomainSpec {
  domid: number;
  kind: GuestKind;
  nrPages: number;
  /** 'reverse' (default): pfn 0 gets the highest frame handed out; 'ascending': in allocation order. */
  order?: 'reverse' | 'ascending';
  vcpus?: number;
}

/** Create a domain, allocate nrPages frames to it, and fill p2m and the machine-wide m2p. */
export function createMmDomain(mm: MmState, spec: DomainSpec): MmDomain {
  if (mm.domains.has(spec.domid)) throw new Error(`domain ${spec.domid} exists`);
  const mfns: number[] = [];
  for (let i = 0; i < spec.nrPages; i++) {
    const mfn = mm.frames.alloc(spec.domid);
    if (mfn < 0) throw new Error('out of machine memory');
    mm.mem.fill(mm.maddr(mfn), 4096, 0);
    mfns.push(mfn);
  }
  if ((spec.order ?? 'reverse') === 'reverse') mfns.reverse();
  const p2m = new Uint32Array(spec.nrPages).fill(INVALID_MFN);
  const vcpus: MmVcpu[] = [];
  const d: MmDomain = { domid: spec.domid, kind: spec.kind, p2m, m2p: mm.m2p, vmAssist: 0, vcpus };
  for (let v = 0; v < (spec.vcpus ?? 1); v++) vcpus.push({ id: v, domain: d, guestTable: 0, guestTableUser: 0, ldtBase: 0, ldtEnts: 0 });
  mfns.forEach((mfn, pfn) => { p2m[pfn] = mfn; setGpfnFromMfn(mm, mfn, pfn); });
  mm.domains.set(spec.domid, d);
  return d;
}
