// Register numbering, segment-cache attribute bits and MSR numbers shared by the CPU, hypervisor and debugger.

export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
export const GPR_NAMES64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
export const GPR_NAMES32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];

/** Segment register numbers (the order of the ModRM sreg field), plus LDTR and TR in the same cache arrays. */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'];

/**
 * Segment attribute layout in Cpu.segAttr: bits 8..23 of a descriptor's high dword shifted down by 8,
 * with the limit bits removed (the `lar` access-rights layout >> 8).
 */
export const ATTR_TYPE = 0x000f, ATTR_ACCESSED = 0x0001, ATTR_S = 0x0010, ATTR_DPL = 0x0060, ATTR_P = 0x0080;
export const ATTR_AVL = 0x1000, ATTR_L = 0x2000, ATTR_DB = 0x4000, ATTR_G = 0x8000;
/** For code/data descriptors (S=1): type bit 3 = code; code: bit 2 conforming, bit 1 readable; data: bit 2 expand-down, bit 1 writable. */
export const TYPE_CODE = 0x8, TYPE_CONFORMING = 0x4, TYPE_READABLE = 0x2, TYPE_EXPAND_DOWN = 0x4, TYPE_WRITABLE = 0x2;

export function attrFromDescHi(hi: number): number { return (hi >>> 8) & 0xf0ff; }
export function dplOf(attr: number): number { return (attr >> 5) & 3; }

/** MSR numbers (SDM Vol 4). */
export const MSR_IA32_TSC = 0x10, MSR_IA32_APIC_BASE = 0x1b, MSR_IA32_SYSENTER_CS = 0x174;
export const MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176, MSR_IA32_PAT = 0x277, MSR_IA32_MISC_ENABLE = 0x1a0;
export const MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083;
export const MSR_SFMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101, MSR_KERNEL_GS_BASE = 0xc0000102;
export const MSR_TSC_AUX = 0xc0000103;
