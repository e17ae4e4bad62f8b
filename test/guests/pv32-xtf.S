# pv32pae XTF-style test guest (ring-1 kernel, hypercalls by int $0x82): the sub-tests of pv64-xtf.S in 32-bit form,
# each reported as "PASS name" / "FAIL name" through console_io and the console ring, then SCHEDOP_shutdown
# (poweroff when everything passed, crash otherwise). The user round trip irets to ring 3 and comes back by
# `int $0x80` through a DPL-3 trap-table entry.
	.include "pv32.inc"

	PV32_NOTES "xenpv-xtf"

	.macro ARM fixup
	call clear_fault
	movl $\fixup, fixup_rip
	.endm
	.macro REPORT name
	mov %eax, %esi
	mov $\name, %edi
	call report
	.endm
	.macro FAULT_WAS vec, ec, rip
	mov $\vec, %edi
	mov $\ec, %esi
	mov $\rip, %edx
	call fault_was
	.endm
	# mfn of the image page at \va -> %eax
	.macro MFN_OF va
	mov $(\va - VIRT_BASE), %eax
	shr $12, %eax
	mov si_ptr, %ecx
	mov SI_MFN_LIST(%ecx), %ecx
	mov (%ecx,%eax,4), %eax
	.endm
	# update_va_mapping(\va, pte lo in %ecx, hi 0, UVMF_INVLPG) -> %eax
	.macro REMAP va
	mov $\va, %ebx
	xor %edx, %edx
	mov $UVMF_INVLPG, %esi
	HYPERCALL __HYPERVISOR_update_va_mapping
	.endm

	.text
	.globl _start
_start:
	mov %esi, si_ptr
	mov %esp, main_esp
	call console_init
	mov $trap_table, %ebx
	HYPERCALL __HYPERVISOR_set_trap_table
	test %eax, %eax
	sete %al
	movzbl %al, %eax
	REPORT n_traps

	mov si_ptr, %ebx
	mov SI_SHARED_INFO(%ebx), %ecx
	or $0x63, %ecx
	REMAP shared_info_page
	test %eax, %eax
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
	mov si_ptr, %ebx
	mov SI_PT_BASE(%ebx), %eax
pf_insn:
	movl $0, (%eax)
1:	FAULT_WAS 14, 3, pf_insn
	mov si_ptr, %ebx
	mov SI_PT_BASE(%ebx), %ecx
	cmp %ecx, shared_info_page+VI_CR2
	jne 2f
	cmp %ecx, got_cr2
	je 3f
2:	xor %eax, %eax
3:	REPORT n_pf

# ---- privileged operations ----
	ARM 1f
	mov %cr0, %eax
	mov %eax, %ebx
1:	call no_fault
	and $0x80000001, %ebx
	cmp $0x80000001, %ebx
	je 2f
	xor %eax, %eax
2:	REPORT n_cr0

	ARM 1f
	mov %cr3, %ebx
1:	call no_fault
	mov %eax, %ebp
	PT_BASE_CR3 %ecx, %ecx
	cmp %eax, %ebx
	sete %al
	movzbl %al, %eax
	and %ebp, %eax
	REPORT n_cr3

	ARM 1f
	mov %cr0, %eax
	or $8, %eax
	mov %eax, %cr0
	mov %cr0, %ebx
	clts
	mov %cr0, %ecx
1:	call no_fault
	and $8, %ebx
	shr $3, %ebx
	and %ebx, %eax
	test $8, %ecx
	jz 2f
	xor %eax, %eax
2:	REPORT n_cr0_ts

	ARM 1f
	mov %cr0, %eax
	and $~0x10000, %eax
cr0_bad:
	mov %eax, %cr0
1:	FAULT_WAS 13, 0, cr0_bad
	REPORT n_cr0_bad

	ARM 1f
	mov $0xc0000080, %ecx
	rdmsr
	mov %eax, %ebx
1:	call no_fault
	test $0x500, %ebx               # LME/LMA are hidden from 32-bit guests
	jz 2f
	xor %eax, %eax
2:	test $0x800, %ebx
	jnz 3f
	xor %eax, %eax
3:	REPORT n_efer

	ARM 1f
	mov $fs_probe, %eax
	xor %edx, %edx
	mov $0xc0000100, %ecx
wrmsr_fs:
	wrmsr
1:	FAULT_WAS 13, 0, wrmsr_fs
	REPORT n_fsbase

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

	xor %ebx, %ebx                  # VMASST_CMD_enable
	mov $VMASST_TYPE_architectural_iopl, %ecx
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
	mov $1, %ebx                    # VMASST_CMD_disable
	mov $VMASST_TYPE_architectural_iopl, %ecx
	HYPERCALL __HYPERVISOR_vm_assist

	ARM 1f
hlt_insn:
	hlt
1:	FAULT_WAS 13, 0, hlt_insn
	REPORT n_hlt_gp

# ---- user-mode round trip: iret to ring 3, int $0x80 (DPL 3) back to ring 1 ----
	mov $0xe021, %ebx
	mov $kstack_top, %ecx
	HYPERCALL __HYPERVISOR_stack_switch
	MFN_OF user_page                # ring-3 code needs _PAGE_USER on its page
	shl $12, %eax
	or $0x67, %eax
	mov %eax, %ecx
	REMAP user_page
	mov %esp, main_esp
	pushl $0xe033                   # ss: FLAT_RING3_SS
	pushl $user_page + 4096         # esp
	pushl $0x2                      # eflags (events stay masked)
	pushl $0xe02b                   # cs: FLAT_RING3_CS
	pushl $user_code                # eip
	jmp hypercall_page + __HYPERVISOR_iret * 32
h_int80:                                # frame: eip, cs, eflags, esp, ss
	mov 4(%esp), %ebx
	mov $0xe021, %eax
	mov %eax, %ds
	mov %eax, %es
	mov main_esp, %esp
	xor %eax, %eax
	cmp $0xe02b, %bx
	jne 1f
	mov user_ran, %eax
1:	REPORT n_user

# ---- lazy LDT ----
	movl $MMUEXT_SET_LDT, mmuext_cmd
	movl $ldt_page, mmuext_arg1
	movl $2, mmuext_arg2
	call do_mmuext
	ARM 1f
	mov $0x0d, %ax
ldt_load1:
	mov %ax, %gs
1:	FAULT_WAS 14, 0, ldt_load1
	cmpl $ldt_page+8, shared_info_page+VI_CR2
	je 2f
	xor %eax, %eax
2:	REPORT n_ldt_writable

	MFN_OF ldt_page
	mov %eax, ldt_mfn
	shl $12, %eax
	or $0x21, %eax                  # P|A: read-only
	mov %eax, %ecx
	REMAP ldt_page
	test %eax, %eax
	sete %al
	movzbl %al, %eax
	REPORT n_ldt_ro

	ARM 1f
	mov $0x0d, %ax
	mov %ax, %gs
	mov %gs, %bx
1:	call no_fault
	cmp $0x0d, %bx
	je 2f
	xor %eax, %eax
2:	REPORT n_ldt_load
	mov $0xe021, %eax
	mov %eax, %gs

	mov ldt_mfn, %ecx
	shl $12, %ecx
	or $0x63, %ecx
	REMAP ldt_page
	shr $31, %eax
	REPORT n_ldt_typed

	movl $MMUEXT_SET_LDT, mmuext_cmd
	movl $0, mmuext_arg1
	movl $0, mmuext_arg2
	call do_mmuext
	mov ldt_mfn, %ecx
	shl $12, %ecx
	or $0x63, %ecx
	REMAP ldt_page
	test %eax, %eax
	sete %al
	movzbl %al, %eax
	REPORT n_ldt_release

# ---- an iret whose CS cannot be loaded: the fault is raised at the iret target ----
	ARM 1f
	pushl $0x2                      # eflags
	pushl $0x19                     # cs: GDT entry 3, RPL 1; the guest has no GDT
	pushl $iret_target              # eip
	jmp hypercall_page + __HYPERVISOR_iret * 32
iret_target:
	ud2
1:	mov main_esp, %esp
	FAULT_WAS 13, 0x18, iret_target
	REPORT n_iret_fault

# ---- done ----
	cmpl $0, failures
	jne 1f
	mov $msg_ok, %edi
	call puts
	movl $0, shutdown_reason
	jmp 2f
1:	mov $msg_bad, %edi
	call puts
	movl $3, shutdown_reason
2:	mov $SCHEDOP_shutdown, %ebx
	mov $shutdown_reason, %ecx
	HYPERCALL __HYPERVISOR_sched_op
	ud2

# ---- helpers ----
clear_fault:
	movl $-1, got_vec
	movl $-1, got_ec
	movl $0, got_rip
	ret
no_fault:
	xor %eax, %eax
	cmpl $-1, got_vec
	sete %al
	ret
# fault_was(vec=%edi, ec=%esi, rip=%edx) -> %eax
fault_was:
	xor %eax, %eax
	cmp %edi, got_vec
	jne 1f
	cmp %esi, got_ec
	jne 1f
	cmp %edx, got_rip
	jne 1f
	mov $1, %eax
1:	ret
do_mmuext:
	mov $mmuext_cmd, %ebx
	mov $1, %ecx
	xor %edx, %edx
	mov $0x7ff0, %esi
	HYPERCALL __HYPERVISOR_mmuext_op
	ret

# report(name=%edi, pass=%esi)
report:
	push %edi
	mov $str_pass, %edi
	test %esi, %esi
	jnz 1f
	incl failures
	mov $str_fail, %edi
1:	mov $line, %ebp
	call append
	pop %edi
	call append
	movb $10, (%ebp)
	movb $0, 1(%ebp)
	mov $line, %edi
	jmp puts
append:
	movb (%edi), %al
	test %al, %al
	jz 1f
	mov %al, (%ebp)
	inc %edi
	inc %ebp
	jmp append
1:	ret
# puts(%edi): console_io, then the console ring with an event-channel kick, waiting until it is drained.
puts:
	push %ebx
	push %ebp
	mov %edi, %ebp
	xor %ecx, %ecx
1:	cmpb $0, (%ebp,%ecx)
	je 2f
	inc %ecx
	jmp 1b
2:	mov %ebp, %edx
	mov $CONSOLEIO_write, %ebx
	HYPERCALL __HYPERVISOR_console_io
	mov console_va, %edi
	CONS_RING_PUT %ebp
	CONS_RING_KICK
	pop %ebp
	pop %ebx
	ret
console_init:
	mov si_ptr, %ebx
	mov SI_CONSOLE_MFN(%ebx), %eax
	MFN_TO_VA
	mov %eax, console_va
	mov SI_CONSOLE_EVTCHN(%ebx), %eax
	mov %eax, evtchn_port
	ret

# ---- fault handlers: record, then resume at fixup_rip through the iret hypercall ----
h_de:	movl $0, got_vec
	jmp h_common
h_ud:	movl $6, got_vec
	jmp h_common
h_bp:	movl $3, got_vec
	jmp h_common
h_gp:	movl $13, got_vec
	popl got_ec
	jmp h_common
h_pf:	movl $14, got_vec
	popl got_ec
	mov %eax, scratch
	mov shared_info_page+VI_CR2, %eax
	mov %eax, got_cr2
	mov scratch, %eax
h_common:                               # frame: eip, cs | mask << 16, eflags
	mov %eax, scratch
	mov (%esp), %eax
	mov %eax, got_rip
	mov fixup_rip, %eax
	mov %eax, (%esp)
	movl $0xe019, 4(%esp)           # resume at ring 1 whatever CS faulted
	mov scratch, %eax
	jmp hypercall_page + __HYPERVISOR_iret * 32

	.include "xtf-names.inc"
n_fsbase:	.asciz "wrmsr_fs_base_gp"      # pv32 guests may not write FS_BASE: #GP expected

	.balign 8
trap_table:
	TRAP_ENTRY 0, 0, h_de
	TRAP_ENTRY 3, 3, h_bp
	TRAP_ENTRY 6, 0, h_ud
	TRAP_ENTRY 13, 0, h_gp
	TRAP_ENTRY 14, 0, h_pf
	TRAP_ENTRY 0x80, 3, h_int80
	TRAP_TABLE_END
mmuext_cmd:	.long 0
mmuext_arg1:	.long 0
mmuext_arg2:	.long 0
fs_probe:	.long 0x11223344
si_ptr:		.long 0
main_esp:	.long 0
console_va:	.long 0
fixup_rip:	.long 0
got_vec:	.long 0
got_ec:		.long 0
got_rip:	.long 0
got_cr2:	.long 0
scratch:	.long 0
ldt_mfn:	.long 0
failures:	.long 0
evtchn_port:	.long 0
shutdown_reason: .long 0
line:		.fill 128, 1, 0

	HYPERCALL_PAGE
shared_info_page:
	.fill 4096, 1, 0
ldt_page:
	.quad 0
	.quad 0x00cfb2000000ffff        # index 1: flat data, DPL 1 (selector 0x0d)
	.fill 4096 - 16, 1, 0
user_page:                              # mapped with _PAGE_USER; its end is the ring-3 stack top
user_code:
	mov $0xe033, %ax                # FLAT_RING3_DS: the iret to ring 3 nulled the ring-1 data segments
	mov %ax, %ds
	mov %ax, %es
	movl $1, user_ran
	int $0x80
	ud2
user_ran:	.long 0
	.balign 4096
	.fill 4096, 1, 0
kstack_top:
