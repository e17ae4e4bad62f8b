// physdev_op ABI facts from public/physdev.h beyond the few in ops.ts: the remaining PHYSDEVOP_* numbers, IRQ
// status flags, MAP_PIRQ_TYPE_*, the op structs' layouts for both guest ABIs, and op names for the hypercall log.

import type { GuestAbi, StructLayout } from './layouts';

function layout(name: string, size: number, fields: Record<string, number>): StructLayout {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

export const PHYSDEVOP_IRQ_UNMASK_NOTIFY = 4;
export const PHYSDEVOP_apic_read = 8;
export const PHYSDEVOP_apic_write = 9;
export const PHYSDEVOP_alloc_irq_vector = 10;
export const PHYSDEVOP_free_irq_vector = 11;
export const PHYSDEVOP_manage_pci_add = 15;
export const PHYSDEVOP_manage_pci_remove = 16;
export const PHYSDEVOP_restore_msi = 19;
export const PHYSDEVOP_manage_pci_add_ext = 20;
export const PHYSDEVOP_setup_gsi = 21;
export const PHYSDEVOP_pci_mmcfg_reserved = 24;
export const PHYSDEVOP_pci_device_add = 25;
export const PHYSDEVOP_pci_device_remove = 26;
export const PHYSDEVOP_restore_msi_ext = 27;
export const PHYSDEVOP_dbgp_op = 29;
export const PHYSDEVOP_prepare_msix = 30;
export const PHYSDEVOP_release_msix = 31;
export const PHYSDEVOP_pci_device_reset = 32;

export const XENIRQSTAT_needs_eoi = 1 << 0;
export const XENIRQSTAT_shared = 1 << 1;

export const MAP_PIRQ_TYPE_MSI = 0;
export const MAP_PIRQ_TYPE_GSI = 1;
export const MAP_PIRQ_TYPE_UNKNOWN = 2;
export const MAP_PIRQ_TYPE_MSI_SEG = 3;
export const MAP_PIRQ_TYPE_MULTI_MSI = 4;

/** IOBMP_BYTES: the I/O bitmap a guest registers covers all 65536 ports. */
export const IOBMP_BYTES = 8192;
/** asm-x86/irq.h NR_ISA_IRQS; get_free_pirq hands out GSI pirqs from here. */
export const NR_ISA_IRQS = 16;

/** Byte sizes of each op's argument struct (what copy_from_guest reads), and field offsets we use. */
export const PHYSDEV_SET_IOPL = layout('physdev_set_iopl', 4, { iopl: 0 });
export const PHYSDEV_SET_IOBITMAP: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('physdev_set_iobitmap', 16, { bitmap: 0, nr_ports: 8 }),
  pv32pae: layout('compat_physdev_set_iobitmap', 8, { bitmap: 0, nr_ports: 4 }),
});
export const PHYSDEV_EOI = layout('physdev_eoi', 4, { irq: 0 });
export const PHYSDEV_IRQ_STATUS_QUERY = layout('physdev_irq_status_query', 8, { irq: 0, flags: 4 });
export const PHYSDEV_PIRQ_EOI_GMFN: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('physdev_pirq_eoi_gmfn', 8, { gmfn: 0 }),
  pv32pae: layout('compat_physdev_pirq_eoi_gmfn', 4, { gmfn: 0 }),
});
export const PHYSDEV_GET_FREE_PIRQ = layout('physdev_get_free_pirq', 8, { type: 0, pirq: 4 });
/** physdev_map_pirq ends with a uint64_t: 4-byte aligned in the compat ABI. */
export const PHYSDEV_MAP_PIRQ: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('physdev_map_pirq', 40, { domid: 0, type: 4, index: 8, pirq: 12, bus: 16, devfn: 20, entry_nr: 24, table_base: 32 }),
  pv32pae: layout('compat_physdev_map_pirq', 36, { domid: 0, type: 4, index: 8, pirq: 12, bus: 16, devfn: 20, entry_nr: 24, table_base: 28 }),
});
export const PHYSDEV_UNMAP_PIRQ = layout('physdev_unmap_pirq', 8, { domid: 0, pirq: 4 });
export const PHYSDEV_APIC: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('physdev_apic', 16, { apic_physbase: 0, reg: 8, value: 12 }),
  pv32pae: layout('compat_physdev_apic', 12, { apic_physbase: 0, reg: 4, value: 8 }),
});
export const PHYSDEV_IRQ = layout('physdev_irq', 8, { irq: 0, vector: 4 });
export const PHYSDEV_MANAGE_PCI = layout('physdev_manage_pci', 2, { bus: 0, devfn: 1 });
export const PHYSDEV_MANAGE_PCI_EXT = layout('physdev_manage_pci_ext', 16, { bus: 0, devfn: 1, is_extfn: 4, is_virtfn: 8, physfn: 12 });
export const PHYSDEV_SETUP_GSI = layout('physdev_setup_gsi', 8, { gsi: 0, triggering: 4, polarity: 5 });
export const PHYSDEV_PCI_DEVICE = layout('physdev_pci_device', 4, { seg: 0, bus: 2, devfn: 3 });
export const PHYSDEV_PCI_DEVICE_ADD = layout('physdev_pci_device_add', 12, { seg: 0, bus: 2, devfn: 3, flags: 4, physfn: 8 });
export const PHYSDEV_PCI_DEVICE_RESET = layout('pci_device_reset', 8, { dev: 0, flags: 4 });
export const PHYSDEV_DBGP_OP = layout('physdev_dbgp_op', 6, { op: 0, bus: 1, u: 2 });
/** struct physdev_op {uint32_t cmd; union u;} of physdev_op_compat; the union starts at 8 (pv64) / 4 (pv32). */
export const PHYSDEV_OP_UNION_OFFSET: Readonly<Record<GuestAbi, number>> = Object.freeze({ pv64: 8, pv32pae: 4 });
/** sizeof(struct physdev_op): the union's largest member is physdev_apic (16 / 12 bytes). */
export const PHYSDEV_OP_SIZE: Readonly<Record<GuestAbi, number>> = Object.freeze({ pv64: 24, pv32pae: 16 });

/** PHYSDEVOP_* names by number. */
export const PHYSDEVOP_NAMES: Readonly<Record<number, string>> = Object.freeze({
  4: 'PHYSDEVOP_IRQ_UNMASK_NOTIFY', 5: 'PHYSDEVOP_irq_status_query', 6: 'PHYSDEVOP_set_iopl',
  7: 'PHYSDEVOP_set_iobitmap', 8: 'PHYSDEVOP_apic_read', 9: 'PHYSDEVOP_apic_write', 10: 'PHYSDEVOP_alloc_irq_vector',
  11: 'PHYSDEVOP_free_irq_vector', 12: 'PHYSDEVOP_eoi', 13: 'PHYSDEVOP_map_pirq', 14: 'PHYSDEVOP_unmap_pirq',
  15: 'PHYSDEVOP_manage_pci_add', 16: 'PHYSDEVOP_manage_pci_remove', 17: 'PHYSDEVOP_pirq_eoi_gmfn_v1',
  19: 'PHYSDEVOP_restore_msi', 20: 'PHYSDEVOP_manage_pci_add_ext', 21: 'PHYSDEVOP_setup_gsi',
  23: 'PHYSDEVOP_get_free_pirq', 24: 'PHYSDEVOP_pci_mmcfg_reserved', 25: 'PHYSDEVOP_pci_device_add',
  26: 'PHYSDEVOP_pci_device_remove', 27: 'PHYSDEVOP_restore_msi_ext', 28: 'PHYSDEVOP_pirq_eoi_gmfn_v2',
  29: 'PHYSDEVOP_dbgp_op', 30: 'PHYSDEVOP_prepare_msix', 31: 'PHYSDEVOP_release_msix', 32: 'PHYSDEVOP_pci_device_reset',
});
