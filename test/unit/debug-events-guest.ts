// A pv64 guest for the event-channel / timer / xenstore inspection tests, assembled with our own assembler: it binds
// VIRQ_TIMER, allocates an unbound port for dom0, masks and sends an IPI (pending but masked), arms a single-shot timer
// 1 s ahead, asks its xenstored for "name" over the store ring, then spins at `stop_here`.

import * as fs from 'fs';
import * as path from 'path';
import { ElfImage } from '../../src/common/elf';
import { XEN_GUEST_INC, assembleGuest } from './debug-guests';

export const EVENTS_GUEST = `
        .include "${XEN_GUEST_INC}"
        XEN_PV64_GUEST "evtchn-view-test"
        .text
        .globl _start
_start:
        mov %rsi, %r15                  # start_info
        lea shinfo(%rip), %rdi          # map shared_info over the page at shinfo
        mov 40(%r15), %rsi
        or $0x67, %rsi
        mov $UVMF_INVLPG, %edx
        call hypercall_page + __HYPERVISOR_update_va_mapping * 32
        movl $VIRQ_TIMER, bvirq(%rip)   # VIRQ_TIMER on vCPU 0 -> port 3
        movl $0, bvirq + 4(%rip)
        mov $EVTCHNOP_bind_virq, %edi
        lea bvirq(%rip), %rsi
        call hypercall_page + __HYPERVISOR_event_channel_op * 32
        movw $DOMID_SELF, alloc(%rip)   # unbound, offered to dom0 -> port 4
        movw $0, alloc + 2(%rip)
        mov $EVTCHNOP_alloc_unbound, %edi
        lea alloc(%rip), %rsi
        call hypercall_page + __HYPERVISOR_event_channel_op * 32
        movl $0, bipi(%rip)             # IPI to vCPU 0 -> port 5, masked, then sent
        mov $EVTCHNOP_bind_ipi, %edi
        lea bipi(%rip), %rsi
        call hypercall_page + __HYPERVISOR_event_channel_op * 32
        mov bipi + 4(%rip), %eax
        lock bts %rax, shinfo + 2560(%rip)
        mov %eax, sendp(%rip)
        mov $EVTCHNOP_send, %edi
        lea sendp(%rip), %rsi
        call hypercall_page + __HYPERVISOR_event_channel_op * 32
        rdtsc                           # single-shot timer at now + 1 s (1 GHz TSC = system time)
        shl $32, %rdx
        or %rdx, %rax
        add $1000000000, %rax
        mov %rax, %rdi
        call hypercall_page + __HYPERVISOR_set_timer_op * 32
        mov 56(%r15), %rax              # store_mfn -> m2p -> pfn -> va
        movabs $0xffff800000000000, %rdx
        mov (%rdx,%rax,8), %rax
        shl $12, %rax
        add $0x400000, %rax
        mov %rax, %rdi
        mov %rax, %rbx
        lea xsreq(%rip), %rsi
        mov $21, %ecx
        rep movsb                       # XS_READ "name" into req[0..21)
        movl $21, 2052(%rbx)            # req_prod
        mov 64(%r15), %eax              # store_evtchn
        mov %eax, sendp(%rip)
        mov $EVTCHNOP_send, %edi
        lea sendp(%rip), %rsi
        call hypercall_page + __HYPERVISOR_event_channel_op * 32
        .globl stop_here
stop_here:
        jmp stop_here
        .balign 8
bvirq:  .long 0, 0, 0
alloc:  .word 0, 0
        .long 0
bipi:   .long 0, 0
sendp:  .long 0
xsreq:  .long 2, 7, 0, 5
        .asciz "name"
        .balign 4096
shinfo: .fill 4096, 1, 0
        .balign 4096
hypercall_page:
        .fill 4096, 1, 0xcc
`;

let cached: ElfImage | undefined;

/** The guest's ELF, assembled once per process. */
export function eventsGuest(): ElfImage {
  if (cached) return cached;
  cached = assembleGuest(EVENTS_GUEST, '/virtual/debug-events.s', 0x400000);
  return cached;
}

/** The guest as a source file the debugger assembles on launch (test/.build/debug/evtchn-view.s). */
export function eventsGuestSource(root: string): string {
  const dir = path.join(root, 'test/.build/debug');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'evtchn-view.s');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== EVENTS_GUEST) fs.writeFileSync(file, EVENTS_GUEST);
  return file;
}
