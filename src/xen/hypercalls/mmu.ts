// Page-table hypercalls over src/xen/mm: mmu_update, mmuext_op, update_va_mapping(_otherdomain). Arguments are
// copied from guest memory (bad pointer -> -EFAULT), the whole batch is processed (no continuations), done
// counts are written back, and a rejection carries mm's diagnostic into the hypercall log.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, GuestBuf, encodeWord } from '../guest-access';
import {
  doMmuUpdate, doMmuextOp, modL1Entry, getPage, putPage, MmuextOp, PGT_l1_page_table,
} from '../mm';
import { probe } from '../../cpu/mmu/paging';
import {
  DOMID_SELF, DOMID_IO, DOMID_XEN, EFAULT, EINVAL, EPERM, ESRCH, MMU_NORMAL_PT_UPDATE, MMU_UPDATE, MMUEXT_OP,
  MMUEXT_INVLPG_ALL, MMUEXT_INVLPG_MULTI, MMUEXT_NAMES, MMUEXT_TLB_FLUSH_ALL, MMUEXT_TLB_FLUSH_MULTI,
  UVMF_ALL, UVMF_FLUSHTYPE_MASK, UVMF_INVLPG, UVMF_LOCAL, UVMF_TLB_FLUSH, HYPERVISOR_COMPAT_VIRT_START,
} from '../public';
import { hexAddr } from '../../common/bits';

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/** Guest pointer + i * size in the guest's address width. */
export function elemVa(c: HypercallContext, base: number, i: number, size: number): number {
  const va = base + i * size;
  return c.is64 ? va : va >>> 0;
}

/** Write `unsigned int *pdone` (Xen ignores a failing write back). */
function writeDone(c: HypercallContext, pdone: number, done: number): void {
  if (pdone !== 0) copyToGuest(c.cpu, pdone, encodeWord(done, 4));
}

/** foreigndom must name the caller (DOMID_SELF); everything else is a foreign domain this model lacks. */
function checkForeigndom(c: HypercallContext, dom: number): number {
  if (dom === DOMID_SELF) return 0;
  if (dom === c.domain.domid) return c.reject({ rule: 'foreign-domain', rc: -ESRCH, message: 'Cannot specify itself as foreign domain' });
  if (dom === DOMID_IO || dom === DOMID_XEN) {
    return c.reject({ rule: 'permission', rc: -EPERM, message: `d${c.domain.domid} may not act on ${dom === DOMID_IO ? 'DOMID_IO' : 'DOMID_XEN'} memory` });
  }
  return c.reject({ rule: 'foreign-domain', rc: -ESRCH, message: `Unknown domain d${dom}` });
}

/** do_mmu_update(ureqs, count, pdone, foreigndom). */
export function doMmuUpdateHypercall(c: HypercallContext): number {
  const ureqs = c.ptr(0), count = c.u32(1), pdone = c.ptr(2), foreigndom = c.u32(3) & 0xffff;
  let rc = checkForeigndom(c, foreigndom);
  const size = MMU_UPDATE[c.vcpu.kind].size;
  let done = 0;
  for (; rc === 0 && done < count; done++) {
    const b = copyFromGuest(c.cpu, elemVa(c, ureqs, done, size), size);
    if (b === null) {
      rc = c.reject({ rule: 'guest-fault', rc: -EFAULT, index: done, message: `mmu_update: request ${done} at ${hex(elemVa(c, ureqs, done, size))} is not readable` });
      break;
    }
    const g = new GuestBuf(b);
    const r = doMmuUpdate(c.domain.mm, c.vcpu.mmv, [{ ptrLo: g.lo(0) >>> 0, ptrHi: g.hi(0) >>> 0, valLo: g.lo(8) >>> 0, valHi: g.hi(8) >>> 0 }]);
    if (r.rc !== 0) { rc = r.rc; c.noteMm(r.diag); break; }
  }
  writeDone(c, pdone, done);
  c.diag = `${done}/${count} done`;
  return rc;
}

/** Read the vCPU bitmap of a *_MULTI op (vcpumask_to_pcpumask); null when unreadable. */
function readVcpuMask(c: HypercallContext, ptr: number): number | null {
  const b = copyFromGuest(c.cpu, ptr, 4);
  return b === null ? null : new GuestBuf(b).u32(0);
}

/** Flush the vCPUs in `mask` (bit per vCPU id), or all: a whole TLB flush or one page. */
function flushVcpus(c: HypercallContext, mask: number | 'all', linear?: number): void {
  for (const v of c.domain.vcpus) {
    if (mask !== 'all' && (v.id >= 32 || !((mask >>> v.id) & 1))) continue;
    if (linear === undefined) v.cpu.flushTlb(); else v.cpu.flushTlbPage(linear);
  }
}

/** do_mmuext_op(uops, count, pdone, foreigndom). */
export function doMmuextOpHypercall(c: HypercallContext): number {
  const uops = c.ptr(0), count = c.u32(1), pdone = c.ptr(2), foreigndom = c.u32(3) & 0xffff;
  let rc = checkForeigndom(c, foreigndom);
  const L = MMUEXT_OP[c.vcpu.kind];
  const wordAt = (g: GuestBuf, off: number): number => (c.is64 ? g.s64(off) : g.u32(off));
  let done = 0;
  const names: string[] = [];
  for (; rc === 0 && done < count; done++) {
    const va = elemVa(c, uops, done, L.size);
    const b = copyFromGuest(c.cpu, va, L.size);
    if (b === null) {
      rc = c.reject({ rule: 'guest-fault', rc: -EFAULT, index: done, message: `mmuext_op: op ${done} at ${hex(va)} is not readable` });
      break;
    }
    const g = new GuestBuf(b);
    const op: MmuextOp = { cmd: g.u32(L.fields.cmd), arg1: wordAt(g, L.fields.arg1), arg2: wordAt(g, L.fields.arg2) };
    names.push(MMUEXT_NAMES[op.cmd] ?? `cmd ${op.cmd}`);
    let mask: number | 'all' | null = null;
    if (op.cmd === MMUEXT_TLB_FLUSH_MULTI || op.cmd === MMUEXT_INVLPG_MULTI) {
      mask = readVcpuMask(c, op.arg2);
      if (mask === null) {
        rc = c.reject({ rule: 'guest-fault', rc: -EFAULT, index: done, message: `mmuext_op: vcpumask at ${hex(op.arg2)} is not readable` });
        break;
      }
    } else if (op.cmd === MMUEXT_TLB_FLUSH_ALL || op.cmd === MMUEXT_INVLPG_ALL) mask = 'all';
    const r = doMmuextOp(c.domain.mm, c.vcpu.mmv, [op]);
    if (r.rc !== 0) { rc = r.rc; c.noteMm(r.diag); break; }
    if (mask !== null) {
      const page = op.cmd === MMUEXT_INVLPG_MULTI || op.cmd === MMUEXT_INVLPG_ALL;
      flushVcpus(c, mask, page ? op.arg1 : undefined);
    }
  }
  writeDone(c, pdone, done);
  c.diag = `${done}/${count} done` + (names.length ? ` (${names.join(', ')})` : '');
  return rc;
}

/** Decoder for the log: the command of the first op is not known before reading, so show pointers and count. */
export function decodeMmuBatch(c: HypercallContext): string {
  return `reqs=${c.hex(0)}, count=${c.u32(1)}, pdone=${c.hex(2)}, foreigndom=0x${(c.u32(3) & 0xffff).toString(16)}`;
}

/**
 * __do_update_va_mapping: find the L1 entry mapping `va` by walking the guest's current tables, then
 * mod_l1_entry it; flush per UVMF_* on success.
 */
function updateVaMapping(c: HypercallContext, va: number, lo: number, hi: number, flags: number): number {
  const mm = c.domain.mm;
  const d = c.domain.mmDomain;
  const badVa = !c.is64 ? va >= HYPERVISOR_COMPAT_VIRT_START : (va >= 2 ** 47 || va < -(2 ** 47));
  if (badVa) return c.reject({ rule: 'bad-va', rc: -EINVAL, message: `update_va_mapping: ${hex(va)} is not a guest address` });
  const p = probe(c.cpu.mem, c.cpu, va);
  const l1 = p.levels.find((l) => l.level === 1);
  if (!l1) {
    const why = p.stop ?? 'no L1 table maps it (large page or missing upper-level entry)';
    return c.reject({ rule: 'bad-va', rc: -EINVAL, message: `update_va_mapping: no L1 entry for ${hex(va)}: ${why}` });
  }
  const gl1mfn = Math.floor(l1.tableAddr / 4096);
  if (!getPage(mm, gl1mfn, d)) { c.noteMm(mm.diag.last); return -EINVAL; }
  let rc: number;
  if (mm.frames.type[gl1mfn] !== PGT_l1_page_table || mm.frames.typeCount[gl1mfn] === 0) {
    rc = c.reject({ rule: 'not-a-page-table', rc: -EINVAL, mfn: gl1mfn, index: l1.index, valueLo: lo, valueHi: hi,
      message: `update_va_mapping: the table mapping ${hex(va)} (mfn ${gl1mfn.toString(16)}) is not an L1 page table` });
  } else {
    const mark = mm.diag.mark();
    rc = modL1Entry(mm, gl1mfn, l1.index, lo, hi, MMU_NORMAL_PT_UPDATE, d);
    if (rc !== 0) c.noteMm(mm.diag.firstSince(mark));
  }
  putPage(mm, gl1mfn);
  if (rc !== 0) return rc;
  const bmap = flags & ~UVMF_FLUSHTYPE_MASK;
  const type = flags & UVMF_FLUSHTYPE_MASK;
  if (type === UVMF_TLB_FLUSH || type === UVMF_INVLPG) {
    let mask: number | 'all';
    if (bmap === UVMF_LOCAL) mask = 1 << c.vcpu.id;
    else if (bmap === UVMF_ALL) mask = 'all';
    else {
      const m = readVcpuMask(c, bmap);
      if (m === null) return c.reject({ rule: 'guest-fault', rc: -EFAULT, message: `update_va_mapping: vcpumask at ${hex(bmap)} is not readable` });
      mask = m;
    }
    flushVcpus(c, mask, type === UVMF_INVLPG ? va : undefined);
  }
  c.diag = `L1 mfn ${gl1mfn.toString(16)}[${l1.index}] = ${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
  return 0;
}

/** Arguments: pv64 (va, val, flags[, domid]); pv32 (va, val_lo, val_hi, flags[, domid]). */
function vaArgs(c: HypercallContext): { va: number; lo: number; hi: number; flags: number; next: number } {
  return c.is64
    ? { va: c.ptr(0), lo: c.lo[1] >>> 0, hi: c.hi[1] >>> 0, flags: c.arg(2), next: 3 }
    : { va: c.u32(0), lo: c.u32(1), hi: c.u32(2), flags: c.u32(3), next: 4 };
}

export function doUpdateVaMapping(c: HypercallContext): number {
  const a = vaArgs(c);
  return updateVaMapping(c, a.va, a.lo, a.hi, a.flags);
}

export function doUpdateVaMappingOtherdomain(c: HypercallContext): number {
  const a = vaArgs(c);
  const domid = c.u32(a.next) & 0xffff;
  if (domid !== DOMID_SELF) {
    const rc = checkForeigndom(c, domid);
    if (rc !== 0) return rc;
  }
  return updateVaMapping(c, a.va, a.lo, a.hi, a.flags);
}

export function decodeUpdateVaMapping(c: HypercallContext): string {
  const a = vaArgs(c);
  const fl = a.flags & UVMF_FLUSHTYPE_MASK;
  const f = fl === UVMF_INVLPG ? 'UVMF_INVLPG' : fl === UVMF_TLB_FLUSH ? 'UVMF_TLB_FLUSH' : 'UVMF_NONE';
  const scope = (a.flags & ~UVMF_FLUSHTYPE_MASK) === UVMF_ALL ? '|UVMF_ALL' : (a.flags & ~3) ? `|mask@${hex(a.flags & ~3)}` : '';
  return `va=0x${hexAddr(a.va)}, val=0x${(a.hi >>> 0).toString(16)}${(a.lo >>> 0).toString(16).padStart(8, '0')}, ${f}${scope}`;
}
