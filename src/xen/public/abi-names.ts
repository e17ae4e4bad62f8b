// Header names whose value depends on the guest ABI: the FLAT_* selectors of arch-x86/xen-x86_64.h and
// xen-x86_32.h and the hypervisor / M2P virtual ranges, as one name -> value table per ABI (for the assembler's
// predefined symbols and the language server), built from the constants of arch-x86.ts.

import {
  FLAT_KERNEL_CS32, FLAT_KERNEL_CS64, FLAT_KERNEL_DS32, FLAT_KERNEL_DS64, FLAT_KERNEL_SS32, FLAT_KERNEL_SS64,
  FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING1_SS, FLAT_RING3_CS, FLAT_RING3_CS32, FLAT_RING3_CS64, FLAT_RING3_DS,
  FLAT_RING3_DS32, FLAT_RING3_DS64, FLAT_RING3_SS, FLAT_RING3_SS32, FLAT_RING3_SS64, FLAT_USER_CS64, FLAT_USER_SS64,
  HYPERVISOR_VIRT_END, HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_START_PAE, MACH2PHYS_VIRT_END, MACH2PHYS_VIRT_END_PAE,
  MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_START_PAE, ReservedGdtEntry,
} from './arch-x86';
import type { GuestAbi } from './layouts';

// ---- xen-x86_64.h names arch-x86.ts leaves out ----
export const FLAT_USER_DS64 = FLAT_RING3_DS64;
export const FLAT_USER_DS32 = FLAT_RING3_DS32;
export const FLAT_USER_CS32 = FLAT_RING3_CS32;
export const FLAT_USER_SS32 = FLAT_RING3_SS32;

/** Xen's own ring-0 data selector (xen/arch/x86/include/asm/config.h); never loadable by a guest. */
export const __HYPERVISOR_DS32 = 0xe010;
/** Its descriptor in both of Xen's reserved GDT pages (xen/arch/x86/desc.c boot_gdt, boot_compat_gdt). */
export const HYPERVISOR_DS32_GDT_ENTRY: ReservedGdtEntry = Object.freeze({
  sel: __HYPERVISOR_DS32, lo: 0x0000ffff, hi: 0x00cf9300, name: 'hypervisor DS (ring 0, 32-bit data)',
});

/** Every FLAT_* name of xen-x86_64.h (pv64 guests), in header order. */
export const PV64_FLAT_SELECTORS: Readonly<Record<string, number>> = Object.freeze({
  FLAT_RING3_CS32, FLAT_RING3_CS64, FLAT_RING3_DS32, FLAT_RING3_DS64, FLAT_RING3_SS32, FLAT_RING3_SS64,
  FLAT_KERNEL_DS64, FLAT_KERNEL_DS32, FLAT_KERNEL_DS: FLAT_KERNEL_DS64,
  FLAT_KERNEL_CS64, FLAT_KERNEL_CS32, FLAT_KERNEL_CS: FLAT_KERNEL_CS64,
  FLAT_KERNEL_SS64, FLAT_KERNEL_SS32, FLAT_KERNEL_SS: FLAT_KERNEL_SS64,
  FLAT_USER_DS64, FLAT_USER_DS32, FLAT_USER_DS: FLAT_USER_DS64,
  FLAT_USER_CS64, FLAT_USER_CS32, FLAT_USER_CS: FLAT_USER_CS64,
  FLAT_USER_SS64, FLAT_USER_SS32, FLAT_USER_SS: FLAT_USER_SS64,
});

/** Every FLAT_* name of xen-x86_32.h (pv32pae guests), in header order. */
export const PV32_FLAT_SELECTORS: Readonly<Record<string, number>> = Object.freeze({
  FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING1_SS, FLAT_RING3_CS, FLAT_RING3_DS, FLAT_RING3_SS,
  FLAT_KERNEL_CS: FLAT_RING1_CS, FLAT_KERNEL_DS: FLAT_RING1_DS, FLAT_KERNEL_SS: FLAT_RING1_SS,
  FLAT_USER_CS: FLAT_RING3_CS, FLAT_USER_DS: FLAT_RING3_DS, FLAT_USER_SS: FLAT_RING3_SS,
});

export const FLAT_SELECTORS: Readonly<Record<GuestAbi, Readonly<Record<string, number>>>> = Object.freeze({
  pv64: PV64_FLAT_SELECTORS, pv32pae: PV32_FLAT_SELECTORS,
});

/**
 * Every ABI-dependent name with its value for that ABI: the FLAT_* selectors plus HYPERVISOR_VIRT_START and
 * MACH2PHYS_VIRT_START/END (64-bit values as canonical signed numbers, as in arch-x86.ts; pv32 uses the PAE
 * values, __HYPERVISOR_VIRT_START_PAE and __MACH2PHYS_VIRT_*_PAE of xen-x86_32.h).
 */
export const ABI_NAMES: Readonly<Record<GuestAbi, Readonly<Record<string, number>>>> = Object.freeze({
  pv64: Object.freeze({
    ...PV64_FLAT_SELECTORS, HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END, MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_END,
  }),
  pv32pae: Object.freeze({
    ...PV32_FLAT_SELECTORS, HYPERVISOR_VIRT_START: HYPERVISOR_VIRT_START_PAE,
    MACH2PHYS_VIRT_START: MACH2PHYS_VIRT_START_PAE, MACH2PHYS_VIRT_END: MACH2PHYS_VIRT_END_PAE,
  }),
});
