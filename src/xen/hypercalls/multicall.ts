// do_multicall (xen/common/multicall.c): run each multicall_entry's hypercall in order and write its result
// back into the entry; a nested multicall is refused with -EINVAL (multicall re-entry is disallowed) per entry;
// an unreadable entry stops the batch with -EFAULT. Sub-calls are logged too, before the multicall's own record.

import { HypercallContext, HypercallLogEntry } from './types';
import { copyFromGuest, copyToGuest, GuestBuf, encodeWord } from '../guest-access';
import { EFAULT, EINVAL, ENOSYS, MULTICALL_ENTRY, __HYPERVISOR_iret } from '../public';
import { elemVa } from './mmu';

/** Runs one hypercall for a multicall entry without touching the guest's registers (set by table.ts). */
export type SubcallRunner = (c: HypercallContext, nr: number, lo: Int32Array, hi: Int32Array) => HypercallLogEntry;
let runSubcall: SubcallRunner | null = null;
export function setSubcallRunner(r: SubcallRunner): void { runSubcall = r; }

/** Set while a multicall runs (Xen's _MCSF_in_multicall). */
let inMulticall = false;

export function doMulticall(c: HypercallContext): number {
  const list = c.ptr(0), nr = c.u32(1);
  if (inMulticall) {
    return c.reject({ rule: 'multicall', rc: -EINVAL, message: 'Multicall reentry is disallowed.' });
  }
  if (!runSubcall) return c.reject({ rule: 'multicall', rc: -ENOSYS, message: 'multicall dispatcher not installed' });
  const L = MULTICALL_ENTRY[c.vcpu.kind], word = c.is64 ? 8 : 4;
  const results: string[] = [];
  inMulticall = true;
  try {
    for (let i = 0; i < nr; i++) {
      const va = elemVa(c, list, i, L.size);
      const b = copyFromGuest(c.cpu, va, L.size);
      if (b === null) return c.reject({ rule: 'guest-fault', rc: -EFAULT, index: i, message: `multicall entry ${i} at ${va.toString(16)} is not readable` });
      const g = new GuestBuf(b);
      const op = c.is64 ? g.s64(L.fields.op) : g.u32(L.fields.op);
      const lo = new Int32Array(5), hi = new Int32Array(5);
      for (let k = 0; k < 5; k++) {
        const off = L.fields.args + k * word;
        lo[k] = g.lo(off);
        hi[k] = c.is64 ? g.hi(off) : 0;
      }
      const e = runSubcall(c, op, lo, hi);
      results.push(`${e.name}=${e.resultText}`);
      if (e.result !== 0 && e.mm) c.noteMm(e.mm);
      if (!copyToGuest(c.cpu, elemVa(c, va, 0, 1) + L.fields.result, encodeWord(e.result, word))) {
        return c.reject({ rule: 'guest-fault', rc: -EFAULT, index: i, message: `multicall entry ${i}: result not writable` });
      }
      if (op === __HYPERVISOR_iret) break;
    }
  } finally {
    inMulticall = false;
  }
  c.diag = results.join(', ');
  return 0;
}
