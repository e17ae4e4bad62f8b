// The hypercall page a PV kernel names in its HYPERCALL_PAGE note: 128 stubs of 32 bytes, 0xcc padding.
// pv64: push %rcx; push %r11; mov $N,%eax; syscall; pop %r11; pop %rcx; ret. pv32: mov $N,%eax; int $0x82; ret.
// Slot __HYPERVISOR_iret does not return: pv64 pushes rax too and issues syscall; pv32 pushes eax and int $0x82.

import type { GuestKind } from './elf-notes';
import { __HYPERVISOR_iret } from '../public';

export const HYPERCALL_VECTOR = 0x82;

export function hypercallPageBytes(kind: GuestKind): Uint8Array {
  const p = new Uint8Array(4096).fill(0xcc);
  for (let i = 0; i < 128; i++) {
    const o = i * 32;
    const imm = [i & 0xff, (i >> 8) & 0xff, 0, 0];
    let bytes: number[];
    if (kind === 'pv64') {
      bytes = i === __HYPERVISOR_iret
        ? [0x51, 0x41, 0x53, 0x50, 0xb8, ...imm, 0x0f, 0x05]
        : [0x51, 0x41, 0x53, 0xb8, ...imm, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3];
    } else {
      bytes = i === __HYPERVISOR_iret
        ? [0x50, 0xb8, ...imm, 0xcd, HYPERCALL_VECTOR]
        : [0xb8, ...imm, 0xcd, HYPERCALL_VECTOR, 0xc3];
    }
    p.set(bytes, o);
  }
  return p;
}
