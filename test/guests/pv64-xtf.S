# pv64 XTF-style test guest: installs a trap table, runs sub-tests and reports "PASS name" / "FAIL name" on the
# console through console_io and through the console ring (EVTCHNOP_send, then wait for out_cons == out_prod),
# then SCHEDOP_shutdown: poweroff when everything passed, crash otherwise. A fault handler records vector, error
# code and RIP and resumes at the sub-test's fixup label through the iret hypercall.
	.include "pv64.inc"

	PV64_NOTES "xenpv-xtf"
	XEN_NOTE_STR XEN_ELFNOTE_FEATURES, "!writable_descriptor_tables|pae_pgdir_above_4gb"

	# Expect a fault from here on: clear the record, resume at \fixup.
	.macro ARM fixup
	call clear_fault
	lea \fixup(%rip), %rax
	mov %rax, fixup_rip(%rip)
	.endm
	# Report the boolean in %eax for sub-test \name.
	.macro REPORT name
	lea \name(%rip), %rdi
	mov %eax, %esi
	call report
	.endm
	# %eax = 1 when the recorded fault is (\vec, \ec) at \rip (ec -2: any).
	.macro FAULT_WAS vec, ec, rip
	mov $\vec, %edi
	mov $\ec, %rsi
	lea \rip(%rip), %rdx
	call fault_was
	.endm

	.text
	.globl _start
_start:
	mov %rsi, si_ptr(%rip)
	mov %rsp, main_rsp(%rip)
	call console_init
	lea trap_table(%rip), %rdi
	HYPERCALL __HYPERVISOR_set_trap_table
	test %rax, %rax
	sete %al
	movzbl %al, %eax
	REPORT n_traps

# ---- map shared_info so the guest can read vcpu_info.arch.cr2 ----
	mov si_ptr(%rip), %rbx
	mov SI_SHARED_INFO(%rbx), %rsi
	or $0x67, %rsi
	lea shared_info_page(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	test %rax, %rax
	sete %al
	movzbl %al, %eax
	REPORT n_shinfo

# ---- exceptions ----
	ARM 1f
	xor %ecx, %ecx
de_insn:
	div %ecx
1:	FAULT_WAS 0, -1, de_insn
	REPORT n_de

	ARM 1f
ud_insn:
	ud2
1:	FAULT_WAS 6, -1, ud_insn
	REPORT n_ud

	ARM 1f
	int3
bp_after:
1:	FAULT_WAS 3, -1, bp_after
	REPORT n_bp

	ARM 1f
	mov $0x1234, %ax
gp_insn:
	mov %ax, %ds
1:	FAULT_WAS 13, 0x1234, gp_insn
	REPORT n_gp_sel

	ARM 1f
	mov si_ptr(%rip), %rbx
	mov SI_PT_BASE(%rbx), %rax
pf_insn:
	movq $0, (%rax)
1:	FAULT_WAS 14, 3, pf_insn
	mov si_ptr(%rip), %rbx
	mov SI_PT_BASE(%rbx), %rcx
	cmp %rcx, shared_info_page+VI_CR2(%rip)
	jne 2f
	cmp %rcx, got_cr2(%rip)
	je 3f
2:	xor %eax, %eax
3:	REPORT n_pf

# ---- privileged operations (emulated by the hypervisor after #GP(0)) ----
	ARM 1f
	mov %cr0, %rax
	mov %rax, %rbx
1:	call no_fault
	and $0x80000001, %ebx
	cmp $0x80000001, %ebx
	je 2f
	xor %eax, %eax
2:	REPORT n_cr0

	ARM 1f
	mov %cr3, %rbx
1:	call no_fault
	mov %eax, %r12d
	PT_BASE_MFN %rcx, %rdx
	shl $12, %rax
	cmp %rax, %rbx
	sete %al
	movzbl %al, %eax
	and %r12d, %eax
	REPORT n_cr3

	ARM 1f
	mov %cr0, %rax
	or $8, %rax
	mov %rax, %cr0
	mov %cr0, %rbx
	clts
	mov %cr0, %rcx
1:	call no_fault
	and $8, %ebx
	shr $3, %ebx
	and %ebx, %eax
	test $8, %ecx
	jz 2f
	xor %eax, %eax
2:	REPORT n_cr0_ts

	ARM 1f
	mov %cr0, %rax
	and $~0x10000, %rax
cr0_bad:
	mov %rax, %cr0
1:	FAULT_WAS 13, 0, cr0_bad
	REPORT n_cr0_bad

	ARM 1f
	mov $0xc0000080, %ecx
	rdmsr
	mov %eax, %ebx
1:	call no_fault
	and $0xd01, %ebx
	cmp $0xd01, %ebx
	je 2f
	xor %eax, %eax
2:	REPORT n_efer

	ARM 1f
	lea fs_probe(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	mov $0xc0000100, %ecx
	wrmsr
	mov %fs:0, %rbx
	mov $0xc0000100, %ecx
	rdmsr
	shl $32, %rdx
	mov %eax, %eax
	or %rax, %rdx
1:	call no_fault
	movabs $0x1122334455667788, %rcx
	cmp %rcx, %rbx
	je 2f
	xor %eax, %eax
2:	lea fs_probe(%rip), %rcx
	cmp %rcx, %rdx
	je 3f
	xor %eax, %eax
3:	REPORT n_fsbase
	xor %eax, %eax
	xor %edx, %edx
	mov $0xc0000100, %ecx
	wrmsr

	ARM 1f
	mov $0xabcd, %ecx
rdmsr_bad:
	rdmsr
1:	FAULT_WAS 13, 0, rdmsr_bad
	REPORT n_rdmsr_gp

	ARM 1f
	wbinvd
1:	call no_fault
	REPORT n_wbinvd

	ARM 1f
in_insn:
	in $0x60, %al
1:	FAULT_WAS 13, 0, in_insn
	REPORT n_in_gp

	xor %edi, %edi                  # VMASST_CMD_enable
	mov $VMASST_TYPE_architectural_iopl, %esi
	HYPERCALL __HYPERVISOR_vm_assist
	ARM 1f
	xor %eax, %eax
	in $0x60, %al
	mov %eax, %ebx
1:	call no_fault
	cmp $0xff, %ebx
	je 2f
	xor %eax, %eax
2:	REPORT n_in_iopl
	mov $1, %edi                    # VMASST_CMD_disable
	mov $VMASST_TYPE_architectural_iopl, %esi
	HYPERCALL __HYPERVISOR_vm_assist

	ARM 1f
hlt_insn:
	hlt
1:	FAULT_WAS 13, 0, hlt_insn
	REPORT n_hlt_gp

# ---- user-mode round trip: iret hypercall to user mode, syscall back ----
	mov $0xe02b, %edi
	lea kstack_top(%rip), %rsi
	HYPERCALL __HYPERVISOR_stack_switch
	xor %edi, %edi                  # CALLBACKOP_register
	lea cb_syscall(%rip), %rsi
	HYPERCALL __HYPERVISOR_callback_op
	PT_BASE_MFN                     # user root = kernel root (pv64 forces _PAGE_USER)
	movl $MMUEXT_NEW_USER_BASEPTR, mmuext_cmd(%rip)
	mov %rax, mmuext_arg1(%rip)
	call do_mmuext
	mov %rsp, main_rsp(%rip)
	pushq $0xe02b                   # ss
	lea user_stack_top(%rip), %rax
	push %rax                       # rsp
	pushq $0x2                      # rflags (events stay masked)
	pushq $0xe033                   # cs: user mode
	lea user_code(%rip), %rax
	push %rax                       # rip
	pushq $0                        # flags
	jmp hypercall_page + __HYPERVISOR_iret * 32
user_code:
	movl $1, user_ran(%rip)
	syscall
	ud2
syscall_entry:                          # frame: rcx, r11, rip, cs, rflags, rsp, ss
	mov 24(%rsp), %rbx
	mov main_rsp(%rip), %rsp
	xor %eax, %eax
	cmp $0xe033, %bx
	jne 1f
	mov user_ran(%rip), %eax
1:	REPORT n_user

# ---- lazy LDT: SET_LDT records it; the first load types the page PGT_seg_desc_page ----
	lea ldt_page(%rip), %rax
	movl $MMUEXT_SET_LDT, mmuext_cmd(%rip)
	mov %rax, mmuext_arg1(%rip)
	movq $2, mmuext_arg2(%rip)
	call do_mmuext
	ARM 1f
	mov $0x0f, %ax
ldt_load1:
	mov %ax, %ds
1:	FAULT_WAS 14, 0, ldt_load1      # the page is still mapped writable: type conflict -> #PF
	lea ldt_page+8(%rip), %rcx
	cmp %rcx, shared_info_page+VI_CR2(%rip)
	je 2f
	xor %eax, %eax
2:	REPORT n_ldt_writable

	MFN_OF ldt_page
	mov %rax, ldt_mfn(%rip)
	shl $12, %rax
	or $0x25, %rax                  # P|US|A: read-only
	mov %rax, %rsi
	lea ldt_page(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	test %rax, %rax
	sete %al
	movzbl %al, %eax
	REPORT n_ldt_ro

	ARM 1f
	mov $0x0f, %ax
	mov %ax, %ds
	mov %ds, %bx
1:	call no_fault
	cmp $0x0f, %bx
	je 2f
	xor %eax, %eax
2:	REPORT n_ldt_load
	xor %eax, %eax
	mov %ax, %ds

	mov ldt_mfn(%rip), %rsi         # a writable mapping must now fail: the page is a descriptor page
	shl $12, %rsi
	or $0x27, %rsi
	lea ldt_page(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	shr $63, %rax
	REPORT n_ldt_typed

	movl $MMUEXT_SET_LDT, mmuext_cmd(%rip)
	movq $0, mmuext_arg1(%rip)
	movq $0, mmuext_arg2(%rip)
	call do_mmuext
	mov ldt_mfn(%rip), %rsi         # SET_LDT dropped the type reference: writable again
	shl $12, %rsi
	or $0x27, %rsi
	lea ldt_page(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	test %rax, %rax
	sete %al
	movzbl %al, %eax
	REPORT n_ldt_release

# ---- an iret whose CS cannot be loaded: the fault is raised at the iret target ----
	ARM 1f
	mov %rsp, %rax
	sub $256, %rax
	pushq $0xe02b                   # ss
	push %rax                       # rsp
	pushq $0x2                      # rflags
	pushq $0x20                     # cs: GDT entry 4, the guest has no GDT
	lea iret_target(%rip), %rax
	push %rax                       # rip
	pushq $0
	jmp hypercall_page + __HYPERVISOR_iret * 32
iret_target:
	ud2
1:	mov main_rsp(%rip), %rsp
	FAULT_WAS 13, 0x20, iret_target
	REPORT n_iret_fault

# ---- done ----
	cmpl $0, failures(%rip)
	jne 1f
	lea msg_ok(%rip), %rdi
	call puts
	movl $0, shutdown_reason(%rip)
	jmp 2f
1:	lea msg_bad(%rip), %rdi
	call puts
	movl $3, shutdown_reason(%rip)
2:	mov $SCHEDOP_shutdown, %edi
	lea shutdown_reason(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	ud2

# ---- helpers ----
clear_fault:
	movq $-1, got_vec(%rip)
	movq $-1, got_ec(%rip)
	movq $0, got_rip(%rip)
	ret
# %eax = 1 when no fault was recorded
no_fault:
	xor %eax, %eax
	cmpq $-1, got_vec(%rip)
	sete %al
	ret
# fault_was(vec=%edi, ec=%rsi, rip=%rdx) -> %eax
fault_was:
	xor %eax, %eax
	movslq %edi, %rdi
	cmp %rdi, got_vec(%rip)
	jne 1f
	cmp $-2, %rsi
	je 2f
	cmp %rsi, got_ec(%rip)
	jne 1f
2:	cmp %rdx, got_rip(%rip)
	jne 1f
	mov $1, %eax
1:	ret
do_mmuext:
	lea mmuext_cmd(%rip), %rdi
	mov $1, %esi
	xor %edx, %edx
	mov $0x7ff0, %r10d
	HYPERCALL __HYPERVISOR_mmuext_op
	ret

# report(name=%rdi, pass=%esi): "PASS name\n" or "FAIL name\n"
report:
	push %rdi
	lea str_pass(%rip), %rdi
	test %esi, %esi
	jnz 1f
	incl failures(%rip)
	lea str_fail(%rip), %rdi
1:	lea line(%rip), %r8
	call append
	pop %rdi
	call append
	movb $10, (%r8)
	movb $0, 1(%r8)
	lea line(%rip), %rdi
	jmp puts
# append asciz %rdi at %r8 (advances %r8)
append:
	movb (%rdi), %al
	test %al, %al
	jz 1f
	mov %al, (%r8)
	inc %rdi
	inc %r8
	jmp append
1:	ret
# puts(%rdi): console_io, then the console ring with an event-channel kick, waiting until it is drained.
puts:
	push %rbx
	push %r12
	mov %rdi, %rbx
	xor %esi, %esi
1:	cmpb $0, (%rbx,%rsi)
	je 2f
	inc %esi
	jmp 1b
2:	mov %rbx, %rdx
	mov $CONSOLEIO_write, %edi
	HYPERCALL __HYPERVISOR_console_io
	mov console_va(%rip), %r12
	CONS_RING_PUT %rbx
	CONS_RING_KICK
	pop %r12
	pop %rbx
	ret
console_init:
	mov si_ptr(%rip), %rbx
	mov SI_CONSOLE_MFN(%rbx), %rax
	MFN_TO_VA %rcx
	mov %rax, console_va(%rip)
	mov SI_CONSOLE_EVTCHN(%rbx), %eax
	mov %eax, evtchn_port(%rip)
	ret

# ---- fault handlers: record, then resume at fixup_rip through the iret hypercall ----
h_de:	movq $0, got_vec(%rip)
	jmp h_noec
h_ud:	movq $6, got_vec(%rip)
	jmp h_noec
h_bp:	movq $3, got_vec(%rip)
	jmp h_noec
h_gp:	movq $13, got_vec(%rip)
	jmp h_ec
h_pf:	movq $14, got_vec(%rip)
	mov %rax, scratch(%rip)
	mov shared_info_page+VI_CR2(%rip), %rax
	mov %rax, got_cr2(%rip)
	mov scratch(%rip), %rax
	jmp h_ec
h_noec:	pop %rcx                        # frame: rcx, r11, [ec], rip, cs, rflags, rsp, ss
	pop %r11
	jmp h_common
h_ec:	pop %rcx
	pop %r11
	popq got_ec(%rip)
h_common:
	mov %rax, scratch(%rip)
	mov (%rsp), %rax
	mov %rax, got_rip(%rip)
	mov fixup_rip(%rip), %rax
	mov %rax, (%rsp)
	movq $0xe030, 8(%rsp)           # resume in kernel mode (RPL 0 in an iret frame) whatever CS faulted
	mov scratch(%rip), %rax
	pushq $0                        # iret flags
	jmp hypercall_page + __HYPERVISOR_iret * 32

	.include "xtf-names.inc"
n_fsbase:	.asciz "wrmsr_fs_base"

	.balign 16
trap_table:
	TRAP_ENTRY 0, 0, h_de
	TRAP_ENTRY 3, 3, h_bp
	TRAP_ENTRY 6, 0, h_ud
	TRAP_ENTRY 13, 0, h_gp
	TRAP_ENTRY 14, 0, h_pf
	TRAP_TABLE_END
cb_syscall:
	.word 2, 0                      # CALLBACKTYPE_syscall, flags
	.long 0
	.quad syscall_entry
mmuext_cmd:	.long 0, 0
mmuext_arg1:	.quad 0
mmuext_arg2:	.quad 0
	.balign 8
fs_probe:	.quad 0x1122334455667788
si_ptr:		.quad 0
main_rsp:	.quad 0
console_va:	.quad 0
fixup_rip:	.quad 0
got_vec:	.quad 0
got_ec:		.quad 0
got_rip:	.quad 0
got_cr2:	.quad 0
scratch:	.quad 0
ldt_mfn:	.quad 0
user_ran:	.quad 0
failures:	.long 0
evtchn_port:	.long 0
shutdown_reason: .long 0
line:		.fill 128, 1, 0

	HYPERCALL_PAGE
shared_info_page:
	.fill 4096, 1, 0
ldt_page:
	.quad 0
	.quad 0x00cff2000000ffff        # index 1: flat data, DPL 3 (selector 0x0f)
	.fill 4096 - 16, 1, 0
	.fill 4096, 1, 0
kstack_top:
	.fill 4096, 1, 0
user_stack_top:
