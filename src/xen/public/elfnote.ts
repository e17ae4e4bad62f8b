// XEN_ELFNOTE_* types (public/elfnote.h): the notes a PV guest image carries in its "Xen" ELF notes.

export const XEN_ELFNOTE_INFO = 0;
export const XEN_ELFNOTE_ENTRY = 1;
export const XEN_ELFNOTE_HYPERCALL_PAGE = 2;
export const XEN_ELFNOTE_VIRT_BASE = 3;
export const XEN_ELFNOTE_PADDR_OFFSET = 4;
export const XEN_ELFNOTE_XEN_VERSION = 5;
export const XEN_ELFNOTE_GUEST_OS = 6;
export const XEN_ELFNOTE_GUEST_VERSION = 7;
export const XEN_ELFNOTE_LOADER = 8;
export const XEN_ELFNOTE_PAE_MODE = 9;
export const XEN_ELFNOTE_FEATURES = 10;
export const XEN_ELFNOTE_BSD_SYMTAB = 11;
export const XEN_ELFNOTE_HV_START_LOW = 12;
export const XEN_ELFNOTE_L1_MFN_VALID = 13;
export const XEN_ELFNOTE_SUSPEND_CANCEL = 14;
export const XEN_ELFNOTE_INIT_P2M = 15;
export const XEN_ELFNOTE_MOD_START_PFN = 16;
export const XEN_ELFNOTE_SUPPORTED_FEATURES = 17;
export const XEN_ELFNOTE_PHYS32_ENTRY = 18;
export const XEN_ELFNOTE_PHYS32_RELOC = 19;
export const XEN_ELFNOTE_MAX = XEN_ELFNOTE_PHYS32_RELOC;
export const XEN_ELFNOTE_CRASH_INFO = 0x1000001;
export const XEN_ELFNOTE_CRASH_REGS = 0x1000002;
export const XEN_ELFNOTE_DUMPCORE_NONE = 0x2000000;
export const XEN_ELFNOTE_DUMPCORE_HEADER = 0x2000001;
export const XEN_ELFNOTE_DUMPCORE_XEN_VERSION = 0x2000002;
export const XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION = 0x2000003;

/** Note name in the ELF note header ("Xen", NUL-terminated, 4 bytes). */
export const XEN_ELFNOTE_NAME = 'Xen';

export const XEN_ELFNOTE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'INFO', 1: 'ENTRY', 2: 'HYPERCALL_PAGE', 3: 'VIRT_BASE', 4: 'PADDR_OFFSET', 5: 'XEN_VERSION', 6: 'GUEST_OS',
  7: 'GUEST_VERSION', 8: 'LOADER', 9: 'PAE_MODE', 10: 'FEATURES', 11: 'BSD_SYMTAB', 12: 'HV_START_LOW',
  13: 'L1_MFN_VALID', 14: 'SUSPEND_CANCEL', 15: 'INIT_P2M', 16: 'MOD_START_PFN', 17: 'SUPPORTED_FEATURES',
  18: 'PHYS32_ENTRY', 19: 'PHYS32_RELOC',
});
