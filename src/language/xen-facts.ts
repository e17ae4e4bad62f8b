// Xen PV ABI facts the language server explains in hovers and completions: hypercalls (number, C-level
// signature, one-line meaning), the flat selectors of xen-x86_64.h / xen-x86_32.h and their descriptors.

/** Xen reserves GDT entries from FIRST_RESERVED_GDT_ENTRY = 14 * 4096 / 8 (arch-x86/xen.h). */
export const FIRST_RESERVED_GDT_ENTRY = 0x1c00;
/** One reserved page of entries (xen/arch/x86/include/asm/desc.h). */
export const LAST_RESERVED_GDT_ENTRY = FIRST_RESERVED_GDT_ENTRY + 512 - 1;

export interface HypercallInfo {
  name: string;
  nr: number;
  /** Arguments in C order (pv64 passes them in rdi, rsi, rdx, r10, r8; pv32 in ebx, ecx, edx, esi, edi). */
  args: string[];
  /** pv32 argument list when 64-bit values are split into two registers. */
  args32?: string[];
  summary: string;
  /** Only meaningful for one guest kind, or deprecated. */
  note?: string;
}

const H = (nr: number, name: string, args: string[], summary: string, extra: Partial<HypercallInfo> = {}): HypercallInfo =>
  ({ nr, name, args, summary, ...extra });

/** Hypercalls of xen/include/public/xen.h with our own one-line descriptions. */
export const HYPERCALL_TABLE: readonly HypercallInfo[] = [
  H(0, 'set_trap_table', ['const struct trap_info *table'], 'Register the guest\'s virtual IDT: a list of {vector, flags(DPL), cs, address} ending with address 0.'),
  H(1, 'mmu_update', ['const struct mmu_update *reqs', 'unsigned int count', 'unsigned int *done_out', 'domid_t foreigndom'],
    'Batch of page-table writes ({ptr|MMU_*, val}) validated by Xen; also MMU_MACHPHYS_UPDATE of the M2P table.'),
  H(2, 'set_gdt', ['const xen_pfn_t *frame_list', 'unsigned int entries'], 'Install a new GDT from guest frames (read-only to the guest, entries below the Xen-reserved area).'),
  H(3, 'stack_switch', ['unsigned long ss', 'unsigned long esp'], 'Set the kernel stack used when Xen delivers an exception or event from user mode (like TSS.ss0/esp0).'),
  H(4, 'set_callbacks', ['unsigned long event_address', 'unsigned long failsafe_address', 'unsigned long syscall_address'],
    'Register event (upcall), failsafe and syscall entry points.',
    { args32: ['unsigned long event_selector', 'unsigned long event_address', 'unsigned long failsafe_selector', 'unsigned long failsafe_address'] }),
  H(5, 'fpu_taskswitch', ['int set'], 'Set (1) or clear (0) CR0.TS for lazy FPU context switching.'),
  H(6, 'sched_op_compat', ['int cmd', 'unsigned long arg'], 'Old form of sched_op (compat since 3.0.2).', { note: 'deprecated' }),
  H(7, 'platform_op', ['struct xen_platform_op *op'], 'Platform management (time, microcode, CPU hotplug) — privileged domains only.'),
  H(8, 'set_debugreg', ['int reg', 'unsigned long value'], 'Write a virtual debug register DR0-DR7.'),
  H(9, 'get_debugreg', ['int reg'], 'Read a virtual debug register DR0-DR7 (the value is returned).'),
  H(10, 'update_descriptor', ['uint64_t ma', 'uint64_t desc'], 'Write one 8-byte descriptor at machine address ma of a GDT/LDT page, after Xen checks it.',
    { args32: ['uint32_t ma_lo', 'uint32_t ma_hi', 'uint32_t desc_lo', 'uint32_t desc_hi'] }),
  H(12, 'memory_op', ['unsigned int cmd', 'void *arg'], 'Memory reservation and physmap operations (XENMEM_*: increase/decrease_reservation, memory_map...).'),
  H(13, 'multicall', ['struct multicall_entry *call_list', 'unsigned int nr_calls'], 'Execute several hypercalls in one trap; each entry records its own result.'),
  H(14, 'update_va_mapping', ['unsigned long va', 'uint64_t val', 'unsigned long flags'],
    'Write the L1 entry mapping va in the current page tables, then flush as UVMF_* flags ask.',
    { args32: ['unsigned long va', 'uint32_t val_lo', 'uint32_t val_hi', 'unsigned long flags'] }),
  H(15, 'set_timer_op', ['uint64_t timeout'], 'Arm the one-shot timer for an absolute system time in ns (0 cancels); fires VIRQ_TIMER.',
    { args32: ['uint32_t timeout_lo', 'uint32_t timeout_hi'] }),
  H(16, 'event_channel_op_compat', ['struct evtchn_op *op'], 'Old form of event_channel_op with the command inside the struct.', { note: 'deprecated' }),
  H(17, 'xen_version', ['int cmd', 'void *arg'], 'Query the Xen version (XENVER_version returns major<<16|minor), extra version, features...'),
  H(18, 'console_io', ['int cmd', 'int count', 'char *buffer'], 'Write (CONSOLEIO_write) or read (CONSOLEIO_read) the emergency hypervisor console.'),
  H(19, 'physdev_op_compat', ['struct physdev_op *op'], 'Old form of physdev_op.', { note: 'deprecated' }),
  H(20, 'grant_table_op', ['unsigned int cmd', 'void *uop', 'unsigned int count'], 'Grant-table operations (GNTTABOP_*: setup_table, map/unmap grant refs, copy...).'),
  H(21, 'vm_assist', ['unsigned int cmd', 'unsigned int type'], 'Enable/disable a VM assist (VMASST_TYPE_writable_pagetables, 4gb_segments...).'),
  H(22, 'update_va_mapping_otherdomain', ['unsigned long va', 'uint64_t val', 'unsigned long flags', 'domid_t domid'],
    'update_va_mapping on behalf of a foreign domain (privileged).',
    { args32: ['unsigned long va', 'uint32_t val_lo', 'uint32_t val_hi', 'unsigned long flags', 'domid_t domid'] }),
  H(23, 'iret', [], 'Return from an exception/event frame Xen built (pv64 pops rax, r11, rcx, flags, rip, cs, rflags, rsp, ss); does not return.'),
  H(24, 'vcpu_op', ['int cmd', 'unsigned int vcpuid', 'void *extra_args'], 'Per-vCPU operations (VCPUOP_*: up, down, register_vcpu_info, set_singleshot_timer...).'),
  H(25, 'set_segment_base', ['unsigned int which', 'unsigned long base'], 'Set the FS base, kernel or user GS base, or load the user GS selector (SEGBASE_*).', { note: 'x86-64 only' }),
  H(26, 'mmuext_op', ['struct mmuext_op *ops', 'unsigned int count', 'unsigned int *done_out', 'domid_t foreigndom'],
    'Extended MMU commands: pin/unpin page tables, new (user) base pointer, TLB flushes, invlpg, set LDT.'),
  H(27, 'xsm_op', ['void *op'], 'Security module (XSM/FLASK) operations.'),
  H(28, 'nmi_op', ['unsigned int cmd', 'void *arg'], 'Register or unregister an NMI callback (XENNMI_*).'),
  H(29, 'sched_op', ['int cmd', 'void *arg'], 'Scheduler operations: SCHEDOP_yield, block, shutdown (struct sched_shutdown {reason}), poll...'),
  H(30, 'callback_op', ['int cmd', 'const void *arg'], 'Register/unregister one callback (CALLBACKTYPE_event, failsafe, syscall, nmi...).'),
  H(31, 'xenoprof_op', ['int op', 'void *arg'], 'Xen profiler interface.', { note: 'dropped in Xen 4.22' }),
  H(32, 'event_channel_op', ['int cmd', 'void *arg'], 'Event channels (EVTCHNOP_*): bind virq/ipi/interdomain, send, close, unmask, status...'),
  H(33, 'physdev_op', ['int cmd', 'void *arg'], 'Physical device operations (PHYSDEVOP_*: set_iopl, set_iobitmap, irq/pirq management).'),
  H(34, 'hvm_op', ['unsigned long op', 'void *arg'], 'HVM parameters and operations (HVMOP_*); rarely used by PV guests.'),
  H(35, 'sysctl', ['struct xen_sysctl *op'], 'System-wide control for the toolstack (privileged).'),
  H(36, 'domctl', ['struct xen_domctl *op'], 'Domain control for the toolstack (privileged).'),
  H(37, 'kexec_op', ['unsigned long op', 'void *arg'], 'Load or execute a kexec/kdump image (privileged).'),
  H(38, 'tmem_op', ['void *op'], 'Transcendent memory (removed; always fails).', { note: 'deprecated' }),
  H(39, 'argo_op', ['unsigned int cmd', 'void *arg1', 'void *arg2', 'unsigned long arg3', 'unsigned long arg4'], 'Argo inter-domain message rings.'),
  H(40, 'xenpmu_op', ['unsigned int op', 'void *arg'], 'Virtual performance-monitoring unit (vPMU).'),
  H(41, 'dm_op', ['domid_t domid', 'unsigned int nr_bufs', 'struct xen_dm_op_buf *bufs'], 'Device-model operations on an HVM domain.'),
  H(42, 'hypfs_op', ['unsigned int cmd', 'const char *path', 'void *buffer', 'unsigned long len'], 'Hypervisor file system: read/write runtime parameters.'),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => H(48 + i, `arch_${i}`, ['...'], `Architecture-specific hypercall ${i} (x86: arch_1 = machine check (mca)).`)),
];

const byName = new Map(HYPERCALL_TABLE.map((h) => [h.name, h]));
const byNr = new Map(HYPERCALL_TABLE.map((h) => [h.nr, h]));

/** Look up `mmu_update`, `__HYPERVISOR_mmu_update` or `HYPERVISOR_mmu_update`. */
export function hypercallByName(name: string): HypercallInfo | undefined {
  const bare = name.replace(/^__HYPERVISOR_/, '').replace(/^HYPERVISOR_/, '');
  return byName.get(bare);
}
export function hypercallByNumber(nr: number): HypercallInfo | undefined {
  return byNr.get(nr);
}

export const PV64_ARG_REGS = ['rdi', 'rsi', 'rdx', 'r10', 'r8'];
export const PV32_ARG_REGS = ['ebx', 'ecx', 'edx', 'esi', 'edi'];

/** "HYPERVISOR_mmu_update(const struct mmu_update *reqs, ...)" with register assignment per guest kind. */
export function hypercallSignature(h: HypercallInfo, bits: 32 | 64): string {
  const args = bits === 32 && h.args32 ? h.args32 : h.args;
  const regs = bits === 32 ? PV32_ARG_REGS : PV64_ARG_REGS;
  const parts = args.map((a, i) => (a === '...' || !regs[i] ? a : `${a} /*%${regs[i]}*/`));
  return `long HYPERVISOR_${h.name}(${parts.join(', ')})`;
}

export type GuestKind = 'pv64' | 'pv32';

export interface XenSelector {
  value: number;
  /** Header names (first is the primary one). */
  names: string[];
  /** Descriptor Xen keeps in the reserved GDT entry the selector points to. */
  descriptor: bigint;
  role: string;
}

/** Flat selectors of xen-x86_64.h (pv64 guests) — verified against the header and Xen's 64-bit GDT. */
export const PV64_SELECTORS: readonly XenSelector[] = [
  { value: 0xe008, names: ['__HYPERVISOR_CS'], descriptor: 0x00af9a000000ffffn, role: 'Xen\'s own ring-0 64-bit code (not usable by guests)' },
  { value: 0xe010, names: ['__HYPERVISOR_DS32'], descriptor: 0x00cf92000000ffffn, role: 'Xen\'s own ring-0 data (not usable by guests)' },
  { value: 0xe023, names: ['FLAT_RING3_CS32', 'FLAT_KERNEL_CS32', 'FLAT_USER_CS32'], descriptor: 0x00cffa000000ffffn, role: 'ring-3 flat 32-bit (compatibility-mode) code' },
  { value: 0xe02b, names: ['FLAT_RING3_SS64', 'FLAT_KERNEL_SS', 'FLAT_USER_SS', 'FLAT_RING3_DS32', 'FLAT_RING3_SS32'], descriptor: 0x00cff2000000ffffn, role: 'ring-3 flat data/stack (pv64 kernel and user SS)' },
  { value: 0xe033, names: ['FLAT_RING3_CS64', 'FLAT_KERNEL_CS', 'FLAT_USER_CS', 'FLAT_KERNEL_CS64', 'FLAT_USER_CS64'], descriptor: 0x00affa000000ffffn, role: 'ring-3 flat 64-bit code (pv64 kernel and user CS)' },
];

/** Flat selectors of xen-x86_32.h (pv32pae guests, Xen's compat GDT). */
export const PV32_SELECTORS: readonly XenSelector[] = [
  { value: 0xe008, names: ['__HYPERVISOR_CS'], descriptor: 0x00af9a000000ffffn, role: 'Xen\'s own ring-0 64-bit code (not usable by guests)' },
  { value: 0xe010, names: ['__HYPERVISOR_DS32'], descriptor: 0x00cf92000000ffffn, role: 'Xen\'s own ring-0 data (not usable by guests)' },
  { value: 0xe019, names: ['FLAT_RING1_CS', 'FLAT_KERNEL_CS'], descriptor: 0x00cfba000000ffffn, role: 'ring-1 flat 32-bit code (pv32 kernel CS)' },
  { value: 0xe021, names: ['FLAT_RING1_DS', 'FLAT_RING1_SS', 'FLAT_KERNEL_DS', 'FLAT_KERNEL_SS'], descriptor: 0x00cfb2000000ffffn, role: 'ring-1 flat data/stack (pv32 kernel DS/SS)' },
  { value: 0xe02b, names: ['FLAT_RING3_CS', 'FLAT_USER_CS'], descriptor: 0x00cffa000000ffffn, role: 'ring-3 flat 32-bit code (pv32 user CS)' },
  { value: 0xe033, names: ['FLAT_RING3_DS', 'FLAT_RING3_SS', 'FLAT_USER_DS', 'FLAT_USER_SS'], descriptor: 0x00cff2000000ffffn, role: 'ring-3 flat data/stack (pv32 user DS/SS)' },
];

export function xenSelector(value: number, kind: GuestKind): XenSelector | undefined {
  return (kind === 'pv64' ? PV64_SELECTORS : PV32_SELECTORS).find((s) => s.value === (value & 0xffff));
}

/** Every FLAT_* name with its value per guest kind (names differ between the two headers). */
export function flatSelectorNames(): { name: string; pv64?: number; pv32?: number }[] {
  const m = new Map<string, { name: string; pv64?: number; pv32?: number }>();
  const add = (list: readonly XenSelector[], kind: GuestKind) => {
    for (const s of list) for (const n of s.names) {
      if (!n.startsWith('FLAT_')) continue;
      const e = m.get(n) ?? { name: n };
      e[kind] = s.value;
      m.set(n, e);
    }
  };
  add(PV64_SELECTORS, 'pv64');
  add(PV32_SELECTORS, 'pv32');
  m.set('FLAT_RING3_DS64', { name: 'FLAT_RING3_DS64', pv64: 0 });
  m.set('FLAT_KERNEL_DS', { ...(m.get('FLAT_KERNEL_DS') ?? { name: 'FLAT_KERNEL_DS' }), pv64: 0 });
  m.set('FLAT_USER_DS', { ...(m.get('FLAT_USER_DS') ?? { name: 'FLAT_USER_DS' }), pv64: 0 });
  return [...m.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Well-known guest-visible virtual addresses. */
export const MACH2PHYS_VIRT_START_64 = 0xffff800000000000n;
export const MACH2PHYS_VIRT_START_32 = 0xf5800000n;
