// The language server's prose for each hypercall: C-level arguments (for the signature shown in hovers and
// completions) and a one-line meaning, keyed by the name of public/xen.h (numbers come from src/xen/public).

export interface HypercallDoc {
  /** Arguments in C order (pv64 passes them in rdi, rsi, rdx, r10, r8; pv32 in ebx, ecx, edx, esi, edi). */
  args: string[];
  /** pv32 argument list when 64-bit values are split into two registers. */
  args32?: string[];
  summary: string;
  /** Only meaningful for one guest kind, or deprecated. */
  note?: string;
}

const D = (args: string[], summary: string, extra: Partial<HypercallDoc> = {}): HypercallDoc => ({ args, summary, ...extra });

/** Our own descriptions, by hypercall name (without __HYPERVISOR_). */
export const HYPERCALL_DOCS: Readonly<Record<string, HypercallDoc>> = {
  set_trap_table: D(['const struct trap_info *table'], 'Register the guest\'s virtual IDT: a list of {vector, flags(DPL), cs, address} ending with address 0.'),
  mmu_update: D(['const struct mmu_update *reqs', 'unsigned int count', 'unsigned int *done_out', 'domid_t foreigndom'],
    'Batch of page-table writes ({ptr|MMU_*, val}) validated by Xen; also MMU_MACHPHYS_UPDATE of the M2P table.'),
  set_gdt: D(['const xen_pfn_t *frame_list', 'unsigned int entries'], 'Install a new GDT from guest frames (read-only to the guest, entries below the Xen-reserved area).'),
  stack_switch: D(['unsigned long ss', 'unsigned long esp'], 'Set the kernel stack used when Xen delivers an exception or event from user mode (like TSS.ss0/esp0).'),
  set_callbacks: D(['unsigned long event_address', 'unsigned long failsafe_address', 'unsigned long syscall_address'],
    'Register event (upcall), failsafe and syscall entry points.',
    { args32: ['unsigned long event_selector', 'unsigned long event_address', 'unsigned long failsafe_selector', 'unsigned long failsafe_address'] }),
  fpu_taskswitch: D(['int set'], 'Set (1) or clear (0) CR0.TS for lazy FPU context switching.'),
  sched_op_compat: D(['int cmd', 'unsigned long arg'], 'Old form of sched_op (compat since 3.0.2).', { note: 'deprecated' }),
  platform_op: D(['struct xen_platform_op *op'], 'Platform management (time, microcode, CPU hotplug) — privileged domains only.'),
  set_debugreg: D(['int reg', 'unsigned long value'], 'Write a virtual debug register DR0-DR7.'),
  get_debugreg: D(['int reg'], 'Read a virtual debug register DR0-DR7 (the value is returned).'),
  update_descriptor: D(['uint64_t ma', 'uint64_t desc'], 'Write one 8-byte descriptor at machine address ma of a GDT/LDT page, after Xen checks it.',
    { args32: ['uint32_t ma_lo', 'uint32_t ma_hi', 'uint32_t desc_lo', 'uint32_t desc_hi'] }),
  memory_op: D(['unsigned int cmd', 'void *arg'], 'Memory reservation and physmap operations (XENMEM_*: increase/decrease_reservation, memory_map...).'),
  multicall: D(['struct multicall_entry *call_list', 'unsigned int nr_calls'], 'Execute several hypercalls in one trap; each entry records its own result.'),
  update_va_mapping: D(['unsigned long va', 'uint64_t val', 'unsigned long flags'],
    'Write the L1 entry mapping va in the current page tables, then flush as UVMF_* flags ask.',
    { args32: ['unsigned long va', 'uint32_t val_lo', 'uint32_t val_hi', 'unsigned long flags'] }),
  set_timer_op: D(['uint64_t timeout'], 'Arm the one-shot timer for an absolute system time in ns (0 cancels); fires VIRQ_TIMER.',
    { args32: ['uint32_t timeout_lo', 'uint32_t timeout_hi'] }),
  event_channel_op_compat: D(['struct evtchn_op *op'], 'Old form of event_channel_op with the command inside the struct.', { note: 'deprecated' }),
  xen_version: D(['int cmd', 'void *arg'], 'Query the Xen version (XENVER_version returns major<<16|minor), extra version, features...'),
  console_io: D(['int cmd', 'int count', 'char *buffer'], 'Write (CONSOLEIO_write) or read (CONSOLEIO_read) the emergency hypervisor console.'),
  physdev_op_compat: D(['struct physdev_op *op'], 'Old form of physdev_op.', { note: 'deprecated' }),
  grant_table_op: D(['unsigned int cmd', 'void *uop', 'unsigned int count'], 'Grant-table operations (GNTTABOP_*: setup_table, map/unmap grant refs, copy...).'),
  vm_assist: D(['unsigned int cmd', 'unsigned int type'], 'Enable/disable a VM assist (VMASST_TYPE_writable_pagetables, 4gb_segments...).'),
  update_va_mapping_otherdomain: D(['unsigned long va', 'uint64_t val', 'unsigned long flags', 'domid_t domid'],
    'update_va_mapping on behalf of a foreign domain (privileged).',
    { args32: ['unsigned long va', 'uint32_t val_lo', 'uint32_t val_hi', 'unsigned long flags', 'domid_t domid'] }),
  iret: D([], 'Return from an exception/event frame Xen built (pv64 pops rax, r11, rcx, flags, rip, cs, rflags, rsp, ss); does not return.'),
  vcpu_op: D(['int cmd', 'unsigned int vcpuid', 'void *extra_args'], 'Per-vCPU operations (VCPUOP_*: up, down, register_vcpu_info, set_singleshot_timer...).'),
  set_segment_base: D(['unsigned int which', 'unsigned long base'], 'Set the FS base, kernel or user GS base, or load the user GS selector (SEGBASE_*).', { note: 'x86-64 only' }),
  mmuext_op: D(['struct mmuext_op *ops', 'unsigned int count', 'unsigned int *done_out', 'domid_t foreigndom'],
    'Extended MMU commands: pin/unpin page tables, new (user) base pointer, TLB flushes, invlpg, set LDT.'),
  xsm_op: D(['void *op'], 'Security module (XSM/FLASK) operations.'),
  nmi_op: D(['unsigned int cmd', 'void *arg'], 'Register or unregister an NMI callback (XENNMI_*).'),
  sched_op: D(['int cmd', 'void *arg'], 'Scheduler operations: SCHEDOP_yield, block, shutdown (struct sched_shutdown {reason}), poll...'),
  callback_op: D(['int cmd', 'const void *arg'], 'Register/unregister one callback (CALLBACKTYPE_event, failsafe, syscall, nmi...).'),
  xenoprof_op: D(['int op', 'void *arg'], 'Xen profiler interface.', { note: 'dropped in Xen 4.22' }),
  event_channel_op: D(['int cmd', 'void *arg'], 'Event channels (EVTCHNOP_*): bind virq/ipi/interdomain, send, close, unmask, status...'),
  physdev_op: D(['int cmd', 'void *arg'], 'Physical device operations (PHYSDEVOP_*: set_iopl, set_iobitmap, irq/pirq management).'),
  hvm_op: D(['unsigned long op', 'void *arg'], 'HVM parameters and operations (HVMOP_*); rarely used by PV guests.'),
  sysctl: D(['struct xen_sysctl *op'], 'System-wide control for the toolstack (privileged).'),
  domctl: D(['struct xen_domctl *op'], 'Domain control for the toolstack (privileged).'),
  kexec_op: D(['unsigned long op', 'void *arg'], 'Load or execute a kexec/kdump image (privileged).'),
  tmem_op: D(['void *op'], 'Transcendent memory (removed; always fails).', { note: 'deprecated' }),
  argo_op: D(['unsigned int cmd', 'void *arg1', 'void *arg2', 'unsigned long arg3', 'unsigned long arg4'], 'Argo inter-domain message rings.'),
  xenpmu_op: D(['unsigned int op', 'void *arg'], 'Virtual performance-monitoring unit (vPMU).'),
  dm_op: D(['domid_t domid', 'unsigned int nr_bufs', 'struct xen_dm_op_buf *bufs'], 'Device-model operations on an HVM domain.'),
  hypfs_op: D(['unsigned int cmd', 'const char *path', 'void *buffer', 'unsigned long len'], 'Hypervisor file system: read/write runtime parameters.'),
};

/** Description of a hypercall the table above does not cover (the architecture-specific arch_N slots). */
export function fallbackDoc(name: string): HypercallDoc {
  const arch = /^arch_(\d+)$/.exec(name);
  if (arch) return D(['...'], `Architecture-specific hypercall ${arch[1]} (x86: arch_1 = machine check (mca)).`);
  return D(['...'], `Hypercall ${name} (public/xen.h).`);
}
