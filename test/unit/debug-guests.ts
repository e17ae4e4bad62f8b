// Tiny pv64 / pv32pae guests for the debugger inspection tests, assembled with our own assembler: each does one
// mmu_update of the (ptr, val) pair at `req` (the test fills it in first), stores the result, and powers off.

import * as assert from 'assert';
import { assemble } from '../../src/asm';
import { parseElf, ElfImage } from '../../src/common/elf';

const PV64 = `
        .xen_note XEN_ELFNOTE_GUEST_OS, "debug-test"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0x400000
        .xen_note XEN_ELFNOTE_PADDR_OFFSET, 0x400000
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
        .code64
        .text
        .globl _start
_start:
        lea req(%rip), %rdi
        mov $1, %esi
        lea done(%rip), %rdx
        mov $DOMID_SELF, %r10d
        call hypercall_page + __HYPERVISOR_mmu_update * 32
        mov %rax, result(%rip)
        mov $SCHEDOP_shutdown, %edi
        lea reason(%rip), %rsi
        call hypercall_page + __HYPERVISOR_sched_op * 32
        ud2
        .balign 16
req:    .quad 0, 0
done:   .long 0
reason: .long SHUTDOWN_poweroff
result: .quad 0x5a5a
        .balign 4096
target: .fill 4096, 1, 0x11
        .balign 4096
hypercall_page:
        .fill 4096, 1, 0xcc
`;

const PV32 = `
        .xen_note XEN_ELFNOTE_GUEST_OS, "debug-test"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_PAE_MODE, "yes"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0xC0000000
        .xen_note XEN_ELFNOTE_PADDR_OFFSET, 0xC0000000
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
        .code32
        .text
        .globl _start
_start:
        mov $req, %ebx
        mov $1, %ecx
        mov $done, %edx
        mov $DOMID_SELF, %esi
        call hypercall_page + __HYPERVISOR_mmu_update * 32
        mov %eax, result
        mov $SCHEDOP_shutdown, %ebx
        mov $reason, %ecx
        call hypercall_page + __HYPERVISOR_sched_op * 32
        ud2
        .balign 16
req:    .quad 0, 0
done:   .long 0
reason: .long SHUTDOWN_poweroff
result: .long 0x5a5a
        .balign 4096
target: .fill 4096, 1, 0x11
        .balign 4096
hypercall_page:
        .fill 4096, 1, 0xcc
`;

const cache = new Map<string, ElfImage>();

/** The mmu_update guest for a kind, assembled once per process. */
export function mmuGuest(kind: 'pv64' | 'pv32'): ElfImage {
  const hit = cache.get(kind);
  if (hit) return hit;
  const res = assemble(kind === 'pv64' ? PV64 : PV32, { fileName: `/virtual/debug-mmu-${kind}.s`, base: kind === 'pv64' ? 0x400000 : 0xc0000000 });
  const errors = res.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(res.ok && res.elf && errors.length === 0, errors.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const img = parseElf(res.elf);
  cache.set(kind, img);
  return img;
}
