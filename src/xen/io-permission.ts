// Port-I/O permission of a PV vCPU (v->arch.pv.iopl / iobmp): the per-vCPU I/O bitmap registered with
// PHYSDEVOP_set_iobitmap and guest_io_okay(), the rule the I/O emulation applies (virtual IOPL, then the bitmap).

import type { Vcpu } from './vcpu';
import { copyFromGuest } from './guest-access';
import { VMASST_TYPE_architectural_iopl } from './public';

/** Per-vCPU I/O permission (v->arch.pv.iobmp / iobmp_nr; the virtual IOPL is Vcpu.iopl). */
export interface IoBitmap { address: number; nrPorts: number; }
const ioBitmaps = new WeakMap<Vcpu, IoBitmap>();

export function ioBitmapOf(v: Vcpu): IoBitmap {
  let b = ioBitmaps.get(v);
  if (!b) { b = { address: 0, nrPorts: 0 }; ioBitmaps.set(v, b); }
  return b;
}

/**
 * guest_io_okay (pv/emul-priv-op.c): may the vCPU access `bytes` ports at `port`? The virtual IOPL first (the guest
 * kernel counts as ring 1, or ring 0 with VMASST architectural_iopl), then the registered bitmap (a clear bit allows).
 * Returns 'okay', 'gp', or the faulting address when the bitmap is unreadable (Xen injects #PF).
 */
export function guestIoOkay(v: Vcpu, port: number, bytes: number): 'okay' | 'gp' | { pageFault: number } {
  const archIopl = v.domain ? (v.domain.vmAssist & (1 << VMASST_TYPE_architectural_iopl)) !== 0 : false;
  const cpl = v.guestKernelMode() ? (archIopl ? 0 : 1) : 3;
  if ((cpl << 12) <= v.iopl) return 'okay';
  const bm = ioBitmapOf(v);
  if (port + bytes <= bm.nrPorts) {
    const addr = v.is64 ? bm.address + (port >> 3) : (bm.address + (port >> 3)) >>> 0;
    const b = copyFromGuest(v.cpu, addr, 2);
    if (b === null) return { pageFault: addr };
    const mask = b[0] | (b[1] << 8);
    if ((mask & (((1 << bytes) - 1) << (port & 7))) === 0) return 'okay';
  }
  return 'gp';
}
