// physdev_op and physdev_op_compat as an unprivileged PV domU sees them (x86 physdev.c): set_iopl, set_iobitmap,
// irq_status_query, get_free_pirq, eoi, pirq_eoi_gmfn; hardware-domain ops fail their XSM_PRIV check (-EPERM).

import type { HypercallContext } from './types';
import { ioBitmapOf, guestIoOkay } from '../io-permission';
import type { Vcpu } from '../vcpu';
import type { Domain } from '../domain';
import { copyFromGuest, copyToGuest, GuestBuf } from '../guest-access';
import { guestHandleOkay, domainByAnyId, guestAt } from './grant-table';
import { getPage, getPageType, putPage, putPageType, PGT_writable_page } from '../mm';
import {
  PHYSDEVOP_irq_status_query, PHYSDEVOP_set_iopl, PHYSDEVOP_set_iobitmap, PHYSDEVOP_eoi, PHYSDEVOP_map_pirq,
  PHYSDEVOP_unmap_pirq, PHYSDEVOP_pirq_eoi_gmfn_v1, PHYSDEVOP_get_free_pirq, PHYSDEVOP_pirq_eoi_gmfn_v2,
  EFAULT, EINVAL, EPERM, ESRCH, EBUSY, ENOSPC, ENODEV, ENOSYS, VMASST_TYPE_architectural_iopl,
} from '../public';
import {
  PHYSDEVOP_IRQ_UNMASK_NOTIFY, PHYSDEVOP_apic_read, PHYSDEVOP_apic_write, PHYSDEVOP_alloc_irq_vector,
  PHYSDEVOP_manage_pci_add, PHYSDEVOP_manage_pci_remove, PHYSDEVOP_restore_msi, PHYSDEVOP_manage_pci_add_ext,
  PHYSDEVOP_setup_gsi, PHYSDEVOP_pci_mmcfg_reserved, PHYSDEVOP_pci_device_add, PHYSDEVOP_pci_device_remove,
  PHYSDEVOP_restore_msi_ext, PHYSDEVOP_dbgp_op, PHYSDEVOP_prepare_msix, PHYSDEVOP_release_msix,
  PHYSDEVOP_pci_device_reset, PHYSDEVOP_NAMES, XENIRQSTAT_needs_eoi, MAP_PIRQ_TYPE_GSI, MAP_PIRQ_TYPE_MULTI_MSI,
  MAP_PIRQ_TYPE_MSI_SEG, MAP_PIRQ_TYPE_MSI, IOBMP_BYTES, NR_ISA_IRQS, PHYSDEV_SET_IOPL, PHYSDEV_SET_IOBITMAP,
  PHYSDEV_EOI, PHYSDEV_IRQ_STATUS_QUERY, PHYSDEV_PIRQ_EOI_GMFN, PHYSDEV_GET_FREE_PIRQ, PHYSDEV_MAP_PIRQ,
  PHYSDEV_UNMAP_PIRQ, PHYSDEV_APIC, PHYSDEV_IRQ, PHYSDEV_MANAGE_PCI, PHYSDEV_MANAGE_PCI_EXT, PHYSDEV_SETUP_GSI,
  PHYSDEV_PCI_DEVICE, PHYSDEV_PCI_DEVICE_ADD, PHYSDEV_PCI_DEVICE_RESET, PHYSDEV_OP_UNION_OFFSET, PHYSDEV_OP_SIZE,
} from '../public/physdev';

/** The modelled host: one 24-pin IO-APIC (nr_irqs_gsi), and a domU gets extra_domU_irqs = 32 more pirqs. */
export const NR_IRQS_GSI = 24;
export const NR_PIRQS_DOMU = NR_IRQS_GSI + 32;

/** Per-domain physdev state (d->pirq tree, d->arch.pirq_eoi_map_mfn, auto_unmask). */
export interface PhysdevDomainState { readonly pirqs: Set<number>; pirqEoiMfn: number; autoUnmask: boolean; }

const domainState = new WeakMap<Domain, PhysdevDomainState>();

export function physdevStateOf(d: Domain): PhysdevDomainState {
  let s = domainState.get(d);
  if (!s) { s = { pirqs: new Set(), pirqEoiMfn: 0, autoUnmask: false }; domainState.set(d, s); }
  return s;
}


/** copy_from_guest of an op struct; null (caller returns -EFAULT) with the diagnostic set. */
function read(c: HypercallContext, arg: number, size: number, what: string): GuestBuf | null {
  const b = copyFromGuest(c.cpu, arg, size);
  if (b === null) { c.diag = `struct ${what} at ${hexp(arg)} not readable`; return null; }
  return new GuestBuf(b);
}
function hexp(a: number): string { return a < 0 ? `-0x${(-a).toString(16)}` : `0x${a.toString(16)}`; }

function privileged(c: HypercallContext, cmd: number): number {
  c.diag = `${name(cmd)} needs the hardware domain: XSM_PRIV check failed for d${c.domain.domid}`;
  return -EPERM;
}

/** get_free_pirq: GSI pirqs from NR_ISA_IRQS up, then (or for MSI) from the top down to nr_irqs_gsi. */
function getFreePirq(s: PhysdevDomainState, type: number): number {
  if (type === MAP_PIRQ_TYPE_GSI) for (let i = NR_ISA_IRQS; i < NR_IRQS_GSI; i++) if (!s.pirqs.has(i)) return i;
  for (let i = NR_PIRQS_DOMU - 1; i >= NR_IRQS_GSI; i--) if (!s.pirqs.has(i)) return i;
  return -ENOSPC;
}

/** do_physdev_op(cmd, arg). */
export function physdevOp(c: HypercallContext, cmd: number, arg: number): number {
  const kind = c.vcpu.kind;
  const st = physdevStateOf(c.domain);
  switch (cmd) {
    case PHYSDEVOP_set_iopl: {
      const b = read(c, arg, PHYSDEV_SET_IOPL.size, 'physdev_set_iopl');
      if (!b) return -EFAULT;
      const iopl = b.u32(0);
      if (iopl > 3) { c.diag = `iopl ${iopl} > 3`; return -EINVAL; }
      c.vcpu.iopl = iopl << 12;
      c.diag = `vCPU${c.vcpu.id} virtual IOPL ${iopl}`;
      return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
      const L = PHYSDEV_SET_IOBITMAP[kind];
      const b = read(c, arg, L.size, 'physdev_set_iobitmap');
      if (!b) return -EFAULT;
      const bitmap = c.is64 ? b.s64(L.fields.bitmap) : b.u32(L.fields.bitmap), nr = b.u32(L.fields.nr_ports);
      if (!guestHandleOkay(c, bitmap, IOBMP_BYTES, 1)) { c.diag = `bitmap ${hexp(bitmap)} outside the guest range`; return -EINVAL; }
      if (nr > 65536) { c.diag = `nr_ports ${nr} > 65536`; return -EINVAL; }
      const bm = ioBitmapOf(c.vcpu);
      bm.address = bitmap; bm.nrPorts = nr;
      c.diag = `vCPU${c.vcpu.id} I/O bitmap at ${hexp(bitmap)} for ${nr} ports`;
      return 0;
    }
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
      c.diag = 'no pirq is bound: nothing to unmask';
      return 0;
    case PHYSDEVOP_irq_status_query: {
      const b = read(c, arg, PHYSDEV_IRQ_STATUS_QUERY.size, 'physdev_irq_status_query');
      if (!b) return -EFAULT;
      const irq = b.lo(0);
      if (irq < 0 || irq >= NR_PIRQS_DOMU) { c.diag = `irq ${irq} outside 0..${NR_PIRQS_DOMU - 1} (nr_pirqs)`; return -EINVAL; }
      const out = new Uint8Array(b.bytes);
      new DataView(out.buffer).setUint32(PHYSDEV_IRQ_STATUS_QUERY.fields.flags, XENIRQSTAT_needs_eoi, true);
      if (!copyToGuest(c.cpu, arg, out)) { c.diag = 'physdev_irq_status_query not writable'; return -EFAULT; }
      c.diag = `irq ${irq}: XENIRQSTAT_needs_eoi`;
      return 0;
    }
    case PHYSDEVOP_eoi: {
      const b = read(c, arg, PHYSDEV_EOI.size, 'physdev_eoi');
      if (!b) return -EFAULT;
      const irq = b.u32(0);
      if (irq >= NR_PIRQS_DOMU) { c.diag = `irq ${irq} >= nr_pirqs ${NR_PIRQS_DOMU}`; return -EINVAL; }
      if (!st.pirqs.has(irq)) { c.diag = `pirq ${irq} is not allocated`; return -EINVAL; }
      c.diag = `pirq ${irq} (no physical IRQ behind it)`;
      return 0;
    }
    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2: {
      const L = PHYSDEV_PIRQ_EOI_GMFN[kind];
      const b = read(c, arg, L.size, 'physdev_pirq_eoi_gmfn');
      if (!b) return -EFAULT;
      // A PV guest names the frame by mfn (gfn == mfn for non-translated domains).
      const mfn = c.is64 ? b.s64(0) : b.u32(0);
      const mm = c.domain.mm;
      if (!Number.isSafeInteger(mfn) || !mm.frames.valid(mfn) || !getPage(mm, mfn, c.domain.mmDomain, true)) {
        c.diag = `gmfn ${hexp(mfn)} is not a frame of d${c.domain.domid}`;
        return -EINVAL;
      }
      const mark = mm.diag.mark();
      if (getPageType(mm, mfn, PGT_writable_page) !== 0) {
        c.noteMm(mm.diag.firstSince(mark));
        putPage(mm, mfn);
        c.diag = `mfn ${hexp(mfn)} cannot be made writable (it is in use as a page table or descriptor page)`;
        return -EINVAL;
      }
      if (st.pirqEoiMfn !== 0) {
        putPageType(mm, mfn); putPage(mm, mfn);
        c.diag = `the pirq EOI map is already registered (mfn ${hexp(st.pirqEoiMfn)})`;
        return -EBUSY;
      }
      st.pirqEoiMfn = mfn;
      if (cmd === PHYSDEVOP_pirq_eoi_gmfn_v1) st.autoUnmask = true;
      c.diag = `pirq EOI map at mfn ${hexp(mfn)}${st.autoUnmask ? ' (auto unmask)' : ''}`;
      return 0;
    }
    case PHYSDEVOP_get_free_pirq: {
      const b = read(c, arg, PHYSDEV_GET_FREE_PIRQ.size, 'physdev_get_free_pirq');
      if (!b) return -EFAULT;
      const type = b.lo(0);
      const pirq = getFreePirq(st, type);
      if (pirq < 0) { c.diag = `all ${NR_PIRQS_DOMU} pirqs are in use`; return pirq; }
      st.pirqs.add(pirq);
      const out = new Uint8Array(b.bytes);
      new DataView(out.buffer).setUint32(PHYSDEV_GET_FREE_PIRQ.fields.pirq, pirq, true);
      if (!copyToGuest(c.cpu, arg, out)) { c.diag = `pirq ${pirq} allocated, but physdev_get_free_pirq is not writable`; return -EFAULT; }
      c.diag = `pirq ${pirq}`;
      return 0;
    }
    case PHYSDEVOP_map_pirq: {
      const L = PHYSDEV_MAP_PIRQ[kind];
      const b = read(c, arg, L.size, 'physdev_map_pirq');
      if (!b) return -EFAULT;
      const type = b.lo(L.fields.type);
      const tableBase = b.s64(L.fields.table_base);
      if (type === MAP_PIRQ_TYPE_MULTI_MSI && tableBase !== 0) { c.diag = 'MAP_PIRQ_TYPE_MULTI_MSI with a table_base'; return -EINVAL; }
      const dom = b.u16(L.fields.domid);
      if (domainByAnyId(c, dom) === null) { c.diag = `d${dom} does not exist`; return -ESRCH; }
      const out = new Uint8Array(b.bytes);
      if (type === MAP_PIRQ_TYPE_MSI_SEG) new DataView(out.buffer).setInt32(L.fields.type, MAP_PIRQ_TYPE_MSI, true);
      c.diag = `mapping a pirq for d${dom} needs device-model privilege (XSM_DM_PRIV) over it`;
      if (!copyToGuest(c.cpu, arg, out)) { c.diag = 'physdev_map_pirq not writable'; return -EFAULT; }
      return -EPERM;
    }
    case PHYSDEVOP_unmap_pirq: {
      const b = read(c, arg, PHYSDEV_UNMAP_PIRQ.size, 'physdev_unmap_pirq');
      if (!b) return -EFAULT;
      const dom = b.u16(0);
      if (domainByAnyId(c, dom) === null) { c.diag = `d${dom} does not exist`; return -ESRCH; }
      c.diag = `unmapping a pirq of d${dom} needs device-model privilege (XSM_DM_PRIV) over it`;
      return -EPERM;
    }
    case PHYSDEVOP_apic_read: case PHYSDEVOP_apic_write:
      if (!read(c, arg, PHYSDEV_APIC[kind].size, 'physdev_apic')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_alloc_irq_vector:
      if (!read(c, arg, PHYSDEV_IRQ.size, 'physdev_irq')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_manage_pci_add: case PHYSDEVOP_manage_pci_remove:
      if (!read(c, arg, PHYSDEV_MANAGE_PCI.size, 'physdev_manage_pci')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_manage_pci_add_ext: {
      const b = read(c, arg, PHYSDEV_MANAGE_PCI_EXT.size, 'physdev_manage_pci_ext');
      if (!b) return -EFAULT;
      if (b.u32(PHYSDEV_MANAGE_PCI_EXT.fields.is_extfn) > 1 || b.u32(PHYSDEV_MANAGE_PCI_EXT.fields.is_virtfn) > 1) {
        c.diag = 'is_extfn and is_virtfn must be 0 or 1';
        return -EINVAL;
      }
      return privileged(c, cmd);
    }
    case PHYSDEVOP_prepare_msix: case PHYSDEVOP_release_msix:
      if (!read(c, arg, PHYSDEV_PCI_DEVICE.size, 'physdev_pci_device')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_pci_mmcfg_reserved: case PHYSDEVOP_dbgp_op:
      return privileged(c, cmd);
    case PHYSDEVOP_restore_msi: case PHYSDEVOP_restore_msi_ext: {
      const size = cmd === PHYSDEVOP_restore_msi ? PHYSDEV_MANAGE_PCI.size : PHYSDEV_PCI_DEVICE.size;
      if (!read(c, arg, size, cmd === PHYSDEVOP_restore_msi ? 'physdev_restore_msi' : 'physdev_pci_device')) return -EFAULT;
      c.diag = 'no such PCI device (none is assigned to this domain)';
      return -ENODEV;
    }
    case PHYSDEVOP_setup_gsi: {
      const b = read(c, arg, PHYSDEV_SETUP_GSI.size, 'physdev_setup_gsi');
      if (!b) return -EFAULT;
      const gsi = b.lo(0);
      if (gsi < 0 || gsi >= NR_IRQS_GSI) { c.diag = `gsi ${gsi} outside 0..${NR_IRQS_GSI - 1}`; return -EINVAL; }
      return privileged(c, cmd);
    }
    case PHYSDEVOP_pci_device_add:
      if (!read(c, arg, PHYSDEV_PCI_DEVICE_ADD.size, 'physdev_pci_device_add')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_pci_device_remove:
      if (!read(c, arg, PHYSDEV_PCI_DEVICE.size, 'physdev_pci_device')) return -EFAULT;
      return privileged(c, cmd);
    case PHYSDEVOP_pci_device_reset: {
      const b = read(c, arg, PHYSDEV_PCI_DEVICE_RESET.size, 'pci_device_reset');
      if (!b) return -EFAULT;
      if (b.u32(PHYSDEV_PCI_DEVICE_RESET.fields.flags) & ~3) { c.diag = 'unknown PCI_DEVICE_RESET flags'; return -EINVAL; }
      return privileged(c, cmd);
    }
    default:
      c.diag = `${name(cmd)}: no such physdev op`;
      return -ENOSYS;
  }
}

function name(cmd: number): string { return PHYSDEVOP_NAMES[cmd] ?? `PHYSDEVOP ${cmd}`; }

export function doPhysdevOp(c: HypercallContext): number { return physdevOp(c, c.s32(0), c.ptr(1)); }

/** physdev_op_compat: one pointer to struct physdev_op {uint32_t cmd; union u;}. */
export function doPhysdevOpCompat(c: HypercallContext): number {
  const arg = c.ptr(0);
  const b = copyFromGuest(c.cpu, arg, PHYSDEV_OP_SIZE[c.vcpu.kind]);
  if (b === null) { c.diag = `struct physdev_op at ${hexp(arg)} not readable`; return -EFAULT; }
  return physdevOp(c, new GuestBuf(b).lo(0), guestAt(c, arg, PHYSDEV_OP_UNION_OFFSET[c.vcpu.kind]));
}

export function decodePhysdevOp(c: HypercallContext): string { return `${name(c.s32(0))}, ${c.hex(1)}`; }

export function decodePhysdevOpCompat(c: HypercallContext): string {
  try {
    const b = copyFromGuest(c.cpu, c.ptr(0), 4);
    return b === null ? c.hex(0) : `{${name(new GuestBuf(b).lo(0))}} @ ${c.hex(0)}`;
  } catch { return c.hex(0); }
}
