# pv64 test guest. The first byte of the command line picks the scenario (see dispatch below); every
# scenario ends in SCHEDOP_shutdown so the tests can inspect registers, memory, and the logs afterwards.
	.include "pv64.inc"
	PV64_NOTES "xenpv-test"
	XEN_NOTE_STR XEN_ELFNOTE_FEATURES, "!writable_descriptor_tables|pae_pgdir_above_4gb"

	.text
	.globl _start
_start:
	mov %rsi, si_ptr(%rip)
	mov %rsp, boot_rsp(%rip)
	movzbl SI_CMDLINE(%rsi), %eax
	cmp $'u', %al
	je test_ud
	cmp $'g', %al
	je test_gp
	cmp $'p', %al
	je test_pf
	cmp $'n', %al
	je test_ud_nohandler
	cmp $'N', %al
	je test_pf_nohandler
	cmp $'b', %al
	je test_int3
	cmp $'x', %al
	je test_int80
	cmp $'X', %al
	je test_int81
	cmp $'i', %al
	je test_iret
	cmp $'v', %al
	je test_cpuid
	cmp $'e', %al
	je test_enosys
	cmp $'f', %al
	je test_efault
	cmp $'t', %al
	je test_trap_efault
	cmp $'S', %al
	je test_shutdown_reason
	cmp $'V', %al
	je test_version
	jmp hello

# ---- hello: console_io, then the console ring with an event-channel kick, then poweroff ----
hello:
	mov $CONSOLEIO_write, %edi
	mov $msg1_end - msg1, %esi
	lea msg1(%rip), %rdx
	HYPERCALL __HYPERVISOR_console_io
	mov %rax, result(%rip)
	mov si_ptr(%rip), %rbx          # the console page
	mov SI_CONSOLE_MFN(%rbx), %rax
	MFN_TO_VA %rcx
	mov %rax, %r12
	lea msg2(%rip), %rsi
	CONS_RING_PUT %rsi
	mov SI_CONSOLE_EVTCHN(%rbx), %eax
	mov %eax, evtchn_port(%rip)
	CONS_RING_KICK
	jmp do_poweroff

# ---- exceptions with a trap table ----
set_traps:
	lea trap_table(%rip), %rdi
	HYPERCALL __HYPERVISOR_set_trap_table
	mov %rax, result(%rip)
	ret
test_ud:
	call set_traps
	.globl ud_insn
ud_insn:
	ud2
test_gp:
	call set_traps
	mov $0x1234, %ax
	.globl gp_insn
gp_insn:
	mov %ax, %ds
test_pf:
	call set_traps
	mov si_ptr(%rip), %rbx
	mov SI_PT_BASE(%rbx), %rax
	.globl pf_insn
pf_insn:
	movq $0, (%rax)
test_int3:
	call set_traps
	.globl int3_insn
int3_insn:
	int3
	.globl after_int3
after_int3:
	ud2
test_int80:                             # DPL 3 entry: delivered as a software interrupt
	call set_traps
	int $0x80
	ud2
test_int81:                             # DPL 0 entry: #GP(0x81*8+2)
	call set_traps
	.globl int81_insn
int81_insn:
	int $0x81
	ud2
test_ud_nohandler:
	ud2
test_pf_nohandler:
	mov si_ptr(%rip), %rbx
	mov SI_PT_BASE(%rbx), %rax
	movq $0, (%rax)

handler_common:
	mov %rsp, saved_rsp(%rip)
	jmp do_poweroff
ud_handler:
	movl $6, handled_vec(%rip)
	jmp handler_common
gp_handler:
	movl $13, handled_vec(%rip)
	jmp handler_common
pf_handler:
	movl $14, handled_vec(%rip)
	jmp handler_common
bp_handler:
	movl $3, handled_vec(%rip)
	jmp handler_common
int80_handler:
	movl $0x80, handled_vec(%rip)
	jmp handler_common
int81_handler:
	movl $0x81, handled_vec(%rip)
	jmp handler_common

# ---- iret round trip: kernel → user (iret hypercall) → kernel (syscall callback) ----
test_iret:
	mov $0xe02b, %edi
	lea kstack_top(%rip), %rsi
	HYPERCALL __HYPERVISOR_stack_switch
	xor %edi, %edi                  # CALLBACKOP_register
	lea cb_syscall(%rip), %rsi
	HYPERCALL __HYPERVISOR_callback_op
	mov %rax, result(%rip)
	PT_BASE_MFN                     # user root = kernel root
	mov %rax, mmuext_arg1(%rip)
	lea mmuext_op(%rip), %rdi
	mov $1, %esi
	xor %edx, %edx
	mov $0x7ff0, %r10d
	HYPERCALL __HYPERVISOR_mmuext_op
	mov %rax, result2(%rip)
	pushq $0xe02b                   # ss
	lea user_stack_top(%rip), %rax
	push %rax                       # rsp
	pushq $0x202                    # rflags
	pushq $0xe033                   # cs (RPL 3: to user)
	lea user_code(%rip), %rax
	push %rax                       # rip
	pushq $0                        # flags
	mov $0x1111, %eax
	jmp hypercall_page + __HYPERVISOR_iret * 32
	.globl user_code
user_code:
	mov %rax, user_rax_seen(%rip)
	mov $0x42, %eax
	.globl user_syscall
user_syscall:
	syscall
	ud2
syscall_entry:
	mov %rax, user_rax(%rip)
	mov %rsp, saved_rsp(%rip)
	jmp do_poweroff

# ---- forced-emulation cpuid ----
test_cpuid:
	mov $0x40000000, %eax
	xor %ecx, %ecx
	ud2
	.ascii "xen"
	cpuid
	mov %ebx, cpuid_out(%rip)
	mov %ecx, cpuid_out+4(%rip)
	mov %edx, cpuid_out+8(%rip)
	mov %eax, cpuid_out+12(%rip)
	jmp do_poweroff

# ---- errno paths ----
test_enosys:
	HYPERCALL 45
	mov %rax, result(%rip)
	jmp do_poweroff
test_efault:
	mov $CONSOLEIO_write, %edi
	mov $16, %esi
	mov $0x1000, %edx               # unmapped
	HYPERCALL __HYPERVISOR_console_io
	mov %rax, result(%rip)
	jmp do_poweroff
test_trap_efault:
	mov $0x2000, %edi
	HYPERCALL __HYPERVISOR_set_trap_table
	mov %rax, result(%rip)
	jmp do_poweroff
test_version:
	mov $0, %edi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_xen_version
	mov %rax, result(%rip)
	mov $3, %edi                    # XENVER_capabilities
	lea caps(%rip), %rsi
	HYPERCALL __HYPERVISOR_xen_version
	mov %rax, result2(%rip)
	jmp do_poweroff

# ---- shutdown with the reason digit after 'S' ----
test_shutdown_reason:
	mov si_ptr(%rip), %rbx
	movzbl SI_CMDLINE+1(%rbx), %eax
	sub $'0', %eax
	mov %eax, shutdown_reason(%rip)
	jmp do_shutdown
do_poweroff:
	movl $0, shutdown_reason(%rip)
do_shutdown:
	mov $SCHEDOP_shutdown, %edi
	lea shutdown_reason(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	.globl after_shutdown
after_shutdown:
	ud2

msg1:	.ascii "hello from pv64 via console_io\n"
msg1_end:
msg2:	.asciz "hello from pv64 via the console ring\n"

	.balign 16
trap_table:
	TRAP_ENTRY 6, 0, ud_handler
	TRAP_ENTRY 13, 0, gp_handler
	TRAP_ENTRY 14, 0, pf_handler
	TRAP_ENTRY 3, 3, bp_handler
	TRAP_ENTRY 0x80, 3, int80_handler
	TRAP_ENTRY 0x81, 0, int81_handler
	TRAP_TABLE_END
cb_syscall:
	.word 2, 0                      # CALLBACKTYPE_syscall, flags
	.long 0
	.quad syscall_entry
mmuext_op:
	.long 15, 0                     # MMUEXT_NEW_USER_BASEPTR
	.globl mmuext_arg1
mmuext_arg1:
	.quad 0
	.quad 0
	.globl si_ptr, boot_rsp, result, result2, saved_rsp, handled_vec, user_rax, user_rax_seen, cpuid_out, caps
si_ptr:	.quad 0
boot_rsp: .quad 0
result:	.quad 0
result2: .quad 0
saved_rsp: .quad 0
handled_vec: .quad 0
user_rax: .quad 0
user_rax_seen: .quad 0
cpuid_out: .quad 0, 0
evtchn_port: .long 0
shutdown_reason: .long 0
caps:	.fill 1024, 1, 0

	HYPERCALL_PAGE
	.globl kstack_top, user_stack_top
	.fill 4096, 1, 0
kstack_top:
	.fill 4096, 1, 0
user_stack_top:
