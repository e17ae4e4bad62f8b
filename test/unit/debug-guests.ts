// Tiny pv64 / pv32pae guests for the debugger inspection tests, assembled with our own assembler: each does one
// mmu_update of the (ptr, val) pair at `req` (the test fills it in first), stores the result, and powers off.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { assemble } from '../../src/asm';
import { parseElf, ElfImage } from '../../src/common/elf';

/** The Xen-notes macros (XEN_PV64_GUEST / XEN_PV32_GUEST) our debugger test guests include, by absolute path. */
export const XEN_GUEST_INC = path.resolve(__dirname, '../fixtures/debug/xen-guest.inc');

/** Assemble a guest source with our assembler (its .include names absolute paths); throws on any error. */
export function assembleGuest(source: string, fileName: string, base: number): ElfImage {
  const res = assemble(source, { fileName, base, readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
  const errors = res.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(res.ok && res.elf && errors.length === 0, errors.map((d) => `${d.line}: ${d.message}`).join('\n'));
  return parseElf(res.elf);
}

const PV64 = `
        .include "${XEN_GUEST_INC}"
        XEN_PV64_GUEST "debug-test"
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
        .include "${XEN_GUEST_INC}"
        XEN_PV32_GUEST "debug-test"
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
  const img = assembleGuest(kind === 'pv64' ? PV64 : PV32, `/virtual/debug-mmu-${kind}.s`, kind === 'pv64' ? 0x400000 : 0xc0000000);
  cache.set(kind, img);
  return img;
}
