# pv32pae test guest (ring 1 kernel, hypercalls by int $0x82). The first command-line byte picks the scenario.
	.include "xen-notes.inc"
	.set VIRT_BASE, 0xC0000000
	.set M2P, 0xF5800000
	.set SI_CONSOLE_MFN, 52
	.set SI_CONSOLE_EVTCHN, 56
	.set SI_PT_BASE, 60
	.set SI_CMDLINE, 80

	XEN_NOTE_STR XEN_ELFNOTE_GUEST_OS, "xenpv-test"
	XEN_NOTE_STR XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
	XEN_NOTE_STR XEN_ELFNOTE_LOADER, "generic"
	XEN_NOTE_STR XEN_ELFNOTE_PAE_MODE, "yes"
	XEN_NOTE_WORD XEN_ELFNOTE_VIRT_BASE, VIRT_BASE, 4
	XEN_NOTE_WORD XEN_ELFNOTE_PADDR_OFFSET, VIRT_BASE, 4
	XEN_NOTE_WORD XEN_ELFNOTE_ENTRY, _start, 4
	XEN_NOTE_WORD XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page, 4

	.macro HYPERCALL nr
	call hypercall_page + (\nr) * 32
	.endm

	.text
	.globl _start
_start:
	mov %esi, si_ptr
	mov %esp, boot_esp
	movzbl SI_CMDLINE(%esi), %eax
	cmp $'u', %al
	je test_ud
	cmp $'p', %al
	je test_pf
	cmp $'n', %al
	je test_ud_nohandler
	cmp $'b', %al
	je test_int3
	cmp $'e', %al
	je test_enosys
	cmp $'S', %al
	je test_shutdown_reason
	jmp hello

hello:
	mov $CONSOLEIO_write, %ebx
	mov $msg1_end - msg1, %ecx
	mov $msg1, %edx
	HYPERCALL __HYPERVISOR_console_io
	mov %eax, result
	mov si_ptr, %ebx
	mov SI_CONSOLE_MFN(%ebx), %eax
	mov M2P(,%eax,4), %eax          # pfn = m2p[console_mfn]
	shl $12, %eax
	add $VIRT_BASE, %eax
	mov %eax, %edi
	mov $msg2, %esi
	mov 3084(%edi), %ecx            # out_prod
1:	movb (%esi), %dl
	test %dl, %dl
	jz 2f
	mov %ecx, %eax
	and $2047, %eax
	mov %dl, 1024(%edi,%eax)
	inc %ecx
	inc %esi
	jmp 1b
2:	mov %ecx, 3084(%edi)
	mov SI_CONSOLE_EVTCHN(%ebx), %eax
	mov %eax, evtchn_port
	push %edi
	mov $EVTCHNOP_send, %ebx
	mov $evtchn_port, %ecx
	HYPERCALL __HYPERVISOR_event_channel_op
	pop %edi
3:	mov 3080(%edi), %eax
	cmp 3084(%edi), %eax
	jne 3b
	jmp do_poweroff

set_traps:
	mov $trap_table, %ebx
	HYPERCALL __HYPERVISOR_set_trap_table
	mov %eax, result
	ret
test_ud:
	call set_traps
	.globl ud_insn
ud_insn:
	ud2
test_pf:
	call set_traps
	mov si_ptr, %ebx
	mov SI_PT_BASE(%ebx), %eax
	.globl pf_insn
pf_insn:
	movl $0, (%eax)
test_int3:
	call set_traps
	int3
	ud2
test_ud_nohandler:
	ud2

handler_common:
	mov %esp, saved_esp
	jmp do_poweroff
ud_handler:
	movl $6, handled_vec
	jmp handler_common
pf_handler:
	movl $14, handled_vec
	jmp handler_common
bp_handler:
	movl $3, handled_vec
	jmp handler_common

test_enosys:
	HYPERCALL 45
	mov %eax, result
	jmp do_poweroff

test_shutdown_reason:
	mov si_ptr, %ebx
	movzbl SI_CMDLINE+1(%ebx), %eax
	sub $'0', %eax
	mov %eax, shutdown_reason
	jmp do_shutdown
do_poweroff:
	movl $0, shutdown_reason
do_shutdown:
	mov $SCHEDOP_shutdown, %ebx
	mov $shutdown_reason, %ecx
	HYPERCALL __HYPERVISOR_sched_op
	ud2

msg1:	.ascii "hello from pv32pae via console_io\n"
msg1_end:
msg2:	.asciz "hello from pv32pae via the console ring\n"

	.balign 8
trap_table:
	.byte 6, 0
	.word 0xe019
	.long ud_handler
	.byte 14, 0
	.word 0xe019
	.long pf_handler
	.byte 3, 3
	.word 0xe019
	.long bp_handler
	.long 0, 0
	.globl si_ptr, boot_esp, result, saved_esp, handled_vec
si_ptr:	.long 0
boot_esp: .long 0
result:	.long 0
saved_esp: .long 0
handled_vec: .long 0
evtchn_port: .long 0
shutdown_reason: .long 0

	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0
