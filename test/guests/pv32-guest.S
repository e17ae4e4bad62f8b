# pv32pae test guest (ring 1 kernel, hypercalls by int $0x82). The first command-line byte picks the scenario.
	.include "pv32.inc"

	PV32_NOTES "xenpv-test"

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
	mov si_ptr, %ebx                # the console page
	mov SI_CONSOLE_MFN(%ebx), %eax
	MFN_TO_VA
	mov %eax, %edi
	mov $msg2, %esi
	CONS_RING_PUT %esi
	mov SI_CONSOLE_EVTCHN(%ebx), %eax
	mov %eax, evtchn_port
	CONS_RING_KICK
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
	TRAP_ENTRY 6, 0, ud_handler
	TRAP_ENTRY 14, 0, pf_handler
	TRAP_ENTRY 3, 3, bp_handler
	TRAP_TABLE_END
	.globl si_ptr, boot_esp, result, saved_esp, handled_vec
si_ptr:	.long 0
boot_esp: .long 0
result:	.long 0
saved_esp: .long 0
handled_vec: .long 0
evtchn_port: .long 0
shutdown_reason: .long 0

	HYPERCALL_PAGE
