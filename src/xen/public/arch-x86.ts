// x86 facts from public/arch-x86/{xen.h,xen-x86_64.h,xen-x86_32.h} and Xen's x86 config.h/desc.c:
// flat selectors, the Xen-reserved GDT area, hypervisor virtual ranges, reserved page-table slots.
// 64-bit addresses are given as canonical signed numbers (exact in a double) and as hi/lo halves.

// ---- GDT ----
export const FIRST_RESERVED_GDT_PAGE = 14;
export const FIRST_RESERVED_GDT_BYTE = FIRST_RESERVED_GDT_PAGE * 4096;
/** 0x1c00: guests may use GDT entries below this; set_gdt with more entries fails with -EINVAL. */
export const FIRST_RESERVED_GDT_ENTRY = FIRST_RESERVED_GDT_BYTE / 8;
export const XEN_LEGACY_MAX_VCPUS = 32;
/** Xen's asm-x86/desc.h: one reserved page, so the GDT limit a PV guest runs with ends at its last byte. */
export const NR_RESERVED_GDT_PAGES = 1;
export const LAST_RESERVED_GDT_PAGE = FIRST_RESERVED_GDT_PAGE + NR_RESERVED_GDT_PAGES - 1;
export const LAST_RESERVED_GDT_BYTE = (LAST_RESERVED_GDT_PAGE + 1) * 4096 - 1;
export const LAST_RESERVED_GDT_ENTRY = Math.floor(LAST_RESERVED_GDT_BYTE / 8);

// ---- pv64 flat selectors (xen-x86_64.h); they index the Xen-reserved GDT page ----
export const FLAT_RING3_CS32 = 0xe023;
export const FLAT_RING3_CS64 = 0xe033;
export const FLAT_RING3_DS32 = 0xe02b;
export const FLAT_RING3_DS64 = 0x0000;
export const FLAT_RING3_SS32 = 0xe02b;
export const FLAT_RING3_SS64 = 0xe02b;
export const FLAT_KERNEL_DS64 = FLAT_RING3_DS64;
export const FLAT_KERNEL_DS32 = FLAT_RING3_DS32;
export const FLAT_KERNEL_CS64 = FLAT_RING3_CS64;
export const FLAT_KERNEL_CS32 = FLAT_RING3_CS32;
export const FLAT_KERNEL_SS64 = FLAT_RING3_SS64;
export const FLAT_KERNEL_SS32 = FLAT_RING3_SS32;
export const FLAT_USER_CS64 = FLAT_RING3_CS64;
export const FLAT_USER_SS64 = FLAT_RING3_SS64;
/** pv64 defaults (FLAT_KERNEL_CS etc. in xen-x86_64.h). */
export const PV64_FLAT_KERNEL_CS = FLAT_KERNEL_CS64;
export const PV64_FLAT_KERNEL_SS = FLAT_KERNEL_SS64;
export const PV64_FLAT_KERNEL_DS = FLAT_KERNEL_DS64;

// ---- pv32 (x86_32 / compat) flat selectors (xen-x86_32.h) ----
export const FLAT_RING1_CS = 0xe019;
export const FLAT_RING1_DS = 0xe021;
export const FLAT_RING1_SS = 0xe021;
export const FLAT_RING3_CS = 0xe02b;
export const FLAT_RING3_DS = 0xe033;
export const FLAT_RING3_SS = 0xe033;
export const PV32_FLAT_KERNEL_CS = FLAT_RING1_CS;
export const PV32_FLAT_KERNEL_DS = FLAT_RING1_DS;
export const PV32_FLAT_KERNEL_SS = FLAT_RING1_SS;
export const PV32_FLAT_USER_CS = FLAT_RING3_CS;
export const PV32_FLAT_USER_DS = FLAT_RING3_DS;
export const PV32_FLAT_USER_SS = FLAT_RING3_SS;
/** Xen's own code selector (ring 0) in the reserved area. */
export const __HYPERVISOR_CS = 0xe008;

/** A reserved GDT entry as Xen installs it: selector, descriptor dwords (lo = bytes 0..3, hi = 4..7). */
export interface ReservedGdtEntry { readonly sel: number; readonly lo: number; readonly hi: number; readonly name: string; }
/** Xen-reserved descriptors a pv64 guest sees (xen/arch/x86/desc.c, boot_gdt). */
export const PV64_RESERVED_GDT: readonly ReservedGdtEntry[] = Object.freeze([
  { sel: __HYPERVISOR_CS, lo: 0x0000ffff, hi: 0x00af9b00, name: 'hypervisor CS (ring 0, 64-bit)' },
  { sel: FLAT_RING3_CS32, lo: 0x0000ffff, hi: 0x00cffb00, name: 'FLAT_RING3_CS32' },
  { sel: FLAT_RING3_DS32, lo: 0x0000ffff, hi: 0x00cff300, name: 'FLAT_RING3_DS32 / SS' },
  { sel: FLAT_RING3_CS64, lo: 0x0000ffff, hi: 0x00affb00, name: 'FLAT_RING3_CS64' },
]);
/** Xen-reserved descriptors a pv32 (compat) guest sees (xen/arch/x86/desc.c, boot_compat_gdt). */
export const PV32_RESERVED_GDT: readonly ReservedGdtEntry[] = Object.freeze([
  { sel: __HYPERVISOR_CS, lo: 0x0000ffff, hi: 0x00af9b00, name: 'hypervisor CS (ring 0, 64-bit)' },
  { sel: FLAT_RING1_CS, lo: 0x0000ffff, hi: 0x00cfbb00, name: 'FLAT_RING1_CS' },
  { sel: FLAT_RING1_DS, lo: 0x0000ffff, hi: 0x00cfb300, name: 'FLAT_RING1_DS / SS' },
  { sel: FLAT_RING3_CS, lo: 0x0000ffff, hi: 0x00cffb00, name: 'FLAT_RING3_CS' },
  { sel: FLAT_RING3_DS, lo: 0x0000ffff, hi: 0x00cff300, name: 'FLAT_RING3_DS / SS' },
]);

// ---- pv64 virtual layout ----
/** 0xFFFF800000000000 as a canonical signed number. */
export const HYPERVISOR_VIRT_START = -0x800000000000;
export const HYPERVISOR_VIRT_START_HI = 0xffff8000, HYPERVISOR_VIRT_START_LO = 0;
/** 0xFFFF880000000000. */
export const HYPERVISOR_VIRT_END = -0x780000000000;
export const HYPERVISOR_VIRT_END_HI = 0xffff8800, HYPERVISOR_VIRT_END_LO = 0;
/** Read-only M2P for pv64 guests: 0xFFFF800000000000 .. 0xFFFF804000000000, 8 bytes per entry. */
export const MACH2PHYS_VIRT_START = -0x800000000000;
export const MACH2PHYS_VIRT_START_HI = 0xffff8000, MACH2PHYS_VIRT_START_LO = 0;
export const MACH2PHYS_VIRT_END = -0x7fc000000000;
export const MACH2PHYS_VIRT_END_HI = 0xffff8040, MACH2PHYS_VIRT_END_LO = 0;
export const MACH2PHYS_ENTRY_SIZE_PV64 = 8;
/** L4 slots Xen owns in every pv64 top-level table (config.h). */
export const ROOT_PAGETABLE_FIRST_XEN_SLOT = 256;
export const ROOT_PAGETABLE_LAST_XEN_SLOT = 271;
export const ROOT_PAGETABLE_PV_XEN_SLOTS = ROOT_PAGETABLE_LAST_XEN_SLOT - ROOT_PAGETABLE_FIRST_XEN_SLOT + 1;
/** L4 slot of the read-only M2P (RO_MPT_VIRT_START). */
export const RO_MPT_L4_SLOT = 256;

// ---- pv32 (PAE) virtual layout ----
/** Xen-reserved area start for 32-bit PAE guests (HYPERVISOR_VIRT_START_PAE / __HYPERVISOR_COMPAT_VIRT_START). */
export const HYPERVISOR_VIRT_START_PAE = 0xf5800000;
export const HYPERVISOR_COMPAT_VIRT_START = 0xf5800000;
export const MACH2PHYS_VIRT_START_PAE = 0xf5800000;
/** Header value for a native 32-bit Xen; a 64-bit Xen's compat M2P extends to MACH2PHYS_COMPAT_VIRT_END. */
export const MACH2PHYS_VIRT_END_PAE = 0xf6800000;
export const MACH2PHYS_COMPAT_VIRT_END = 0xffe00000;
export const MACH2PHYS_ENTRY_SIZE_PV32 = 4;
/** First Xen-owned slot of the L2 under L3 slot 3 (l2_table_offset(0xF5800000) = 0x1ac); last is 511. */
export const COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT = (HYPERVISOR_COMPAT_VIRT_START >>> 21) & 511;
export const COMPAT_L2_PAGETABLE_LAST_XEN_SLOT = 511;
/** PAE: the L3 slot whose L2 carries Xen's mappings. */
export const PAE_XEN_L3_SLOT = 3;

// ---- Hypercall ABI ----
export const PV64_HYPERCALL_ARG_REGS = Object.freeze(['rdi', 'rsi', 'rdx', 'r10', 'r8']);
export const PV32_HYPERCALL_ARG_REGS = Object.freeze(['ebx', 'ecx', 'edx', 'esi', 'edi']);
/** pv32 hypercalls trap through int $0x82. */
export const HYPERCALL_VECTOR_PV32 = 0x82;
/** Forced-emulation prefix: ud2; .ascii "xen". */
export const XEN_EMULATE_PREFIX = Object.freeze([0x0f, 0x0b, 0x78, 0x65, 0x6e]);
export const XEN_HVM_DEBUGCONS_IOPORT = 0xe9;

// ---- trap_info flags ----
export const TI_DPL_MASK = 3;
export const TI_IF = 4;

// ---- pv64 set_segment_base ----
export const SEGBASE_FS = 0;
export const SEGBASE_GS_USER = 1;
export const SEGBASE_GS_KERNEL = 2;
export const SEGBASE_GS_USER_SEL = 3;
/** VGCF flags (vcpu_guest_context.flags, iret flags). */
export const VGCF_i387_valid = 1 << 0;
export const VGCF_in_kernel = 1 << 2;
export const VGCF_failsafe_disables_events = 1 << 3;
export const VGCF_syscall_disables_events = 1 << 4;
export const VGCF_online = 1 << 5;
export const VGCF_in_syscall = 1 << 8;

/** start_info magic strings. */
export const START_INFO_MAGIC_PV64 = 'xen-3.0-x86_64';
export const START_INFO_MAGIC_PV32PAE = 'xen-3.0-x86_32p';
