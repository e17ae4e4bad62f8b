// mmuext_op, phase-A subset (until src/xen/mm provides type validation): MMUEXT_NEW_USER_BASEPTR (records the
// pv64 user root, checked only to be a frame of this domain), MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, GuestBuf } from '../guest-access';
import {
  MMUEXT_NEW_USER_BASEPTR, MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL, MMUEXT_OP_SIZE_64, MMUEXT_OP_SIZE_32,
  DOMID_SELF, XEN_EFAULT, XEN_EINVAL, XEN_ENOSYS, XEN_ESRCH,
} from '../abi-pending';

export const MMUEXT_NAMES = ['MMUEXT_PIN_L1_TABLE', 'MMUEXT_PIN_L2_TABLE', 'MMUEXT_PIN_L3_TABLE', 'MMUEXT_PIN_L4_TABLE',
  'MMUEXT_UNPIN_TABLE', 'MMUEXT_NEW_BASEPTR', 'MMUEXT_TLB_FLUSH_LOCAL', 'MMUEXT_INVLPG_LOCAL', 'MMUEXT_TLB_FLUSH_MULTI',
  'MMUEXT_INVLPG_MULTI', 'MMUEXT_TLB_FLUSH_ALL', 'MMUEXT_INVLPG_ALL', 'MMUEXT_FLUSH_CACHE', 'MMUEXT_SET_LDT', '14',
  'MMUEXT_NEW_USER_BASEPTR', 'MMUEXT_CLEAR_PAGE', 'MMUEXT_COPY_PAGE', 'MMUEXT_FLUSH_CACHE_GLOBAL', 'MMUEXT_MARK_SUPER',
  'MMUEXT_UNMARK_SUPER'];

export function doMmuextOp(c: HypercallContext): number {
  const ops = c.ptr(0), count = c.u32(1), pdone = c.ptr(2), dom = c.u32(3) & 0xffff;
  if (dom !== DOMID_SELF) { c.diag = `foreign domain 0x${dom.toString(16)}`; return -XEN_ESRCH; }
  const size = c.is64 ? MMUEXT_OP_SIZE_64 : MMUEXT_OP_SIZE_32;
  let done = 0, rc = 0;
  const notes: string[] = [];
  for (; done < count; done++) {
    const va = c.is64 ? ops + done * size : (ops + done * size) >>> 0;
    const b = copyFromGuest(c.cpu, va, size);
    if (b === null) { notes.push(`op[${done}] not readable`); rc = -XEN_EFAULT; break; }
    const g = new GuestBuf(b);
    const cmd = g.u32(0);
    const arg1 = c.is64 ? g.s64(8) : g.u32(4);
    if (cmd === MMUEXT_NEW_USER_BASEPTR && c.is64) {
      if (arg1 !== 0 && c.domain.pfnOfMfn(arg1) < 0) { notes.push(`op[${done}] NEW_USER_BASEPTR: mfn 0x${arg1.toString(16)} is not ours`); rc = -XEN_EINVAL; break; }
      c.vcpu.guestTableUser = arg1;
      notes.push(`user root mfn 0x${arg1.toString(16)} (type validation pending mm)`);
    } else if (cmd === MMUEXT_TLB_FLUSH_LOCAL) {
      c.cpu.flushTlb();
    } else if (cmd === MMUEXT_INVLPG_LOCAL) {
      c.cpu.flushTlbPage(arg1);
    } else {
      notes.push(`op[${done}] ${MMUEXT_NAMES[cmd] ?? `cmd ${cmd}`} not implemented yet`);
      rc = -XEN_ENOSYS;
      break;
    }
  }
  if (pdone !== 0) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, done, true);
    if (!copyToGuest(c.cpu, pdone, out)) { notes.push('pdone not writable'); if (rc === 0) rc = -XEN_EFAULT; }
  }
  c.diag = `${done}/${count} done` + (notes.length ? `; ${notes.join('; ')}` : '');
  return rc;
}
