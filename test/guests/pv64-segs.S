# pv64 guest for segment state across Xen's context switches and the shadow LDT's lifetime. Scenario by the first
# command-line byte; results (quads) go to res[], then SCHEDOP_shutdown(poweroff).
#   F: vCPU 1 (2-vCPU domain) sets an LDT, loads LDT selector 0x0f into %ds, makes that descriptor not present with
#      update_descriptor and yields: when Xen switches back to it, load_segments cannot reload %ds and vCPU 1
#      enters its failsafe callback, which records the frame's DS and goes down.
#   C: the same without a failsafe callback: the domain crashes.
#   U: vCPU 0 loads an LDT selector (the LDT page becomes seg_desc), unmaps the page (Xen destroys the shadow LDT)
#      and maps it writable again, which succeeds; then writes to it.
	.include "pv64.inc"
	.include "xen-events.inc"
	.set LDT_SEL, 0x0f               # LDT index 1, RPL 3

	PV64_NOTES "xenpv-segs-test"

	# update_va_mapping(ldt_page, mfn << 12 | \flags) (flags 0: not present)
	.macro MAP_LDT_PAGE flags
	.if \flags
	MFN_OF ldt_page
	shl $12, %rax
	or $\flags, %rax
	mov %rax, %rsi
	.else
	xor %esi, %esi
	.endif
	lea ldt_page(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	.endm

	.text
	.globl _start
_start:
	mov %rsi, si_ptr(%rip)
	movzbl SI_CMDLINE(%rsi), %eax
	cmp $'U', %eax
	je sc_unmap
	cmp $'F', %eax
	je sc_failsafe
	cmp $'C', %eax
	je sc_failsafe
do_poweroff:
	POWEROFF

# MMUEXT_SET_LDT(ldt_page, 2) for the calling vCPU.
set_ldt:
	lea ldt_page(%rip), %rax
	mov %rax, mmuext_arg1(%rip)
	lea mmuext_cmd(%rip), %rdi
	mov $1, %esi
	xor %edx, %edx
	mov $DOMID_SELF, %r10d
	HYPERCALL __HYPERVISOR_mmuext_op
	ret

# U: unmapping the LDT page drops the shadow LDT, so the page can be mapped writable again.
sc_unmap:
	MAP_LDT_PAGE 0x25                # read-only (P|US|A): may become a descriptor page
	SAVE 0
	call set_ldt
	SAVE 1
	mov $LDT_SEL, %ax
	mov %ax, %ds                     # lazy LDT: the page is typed seg_desc
	mov %ds, %ax
	movzwl %ax, %eax
	SAVE 2
	xor %eax, %eax
	mov %ax, %ds
	MAP_LDT_PAGE 0x67                # still a descriptor page: refused
	SAVE 3
	MAP_LDT_PAGE 0                   # unmap: Xen destroys the shadow LDT
	SAVE 4
	MAP_LDT_PAGE 0x67                # writable again
	SAVE 5
	movq $0x5a5a, ldt_page + 16(%rip)
	mov ldt_page + 16(%rip), %rax
	SAVE 6
	jmp do_poweroff

# F / C: vCPU 1 leaves a selector behind that no longer loads.
sc_failsafe:
	MAP_LDT_PAGE 0x25
	SAVE 0
	PT_BASE_MFN                      # cr3 = the L4's mfn << 12
	shl $12, %rax
	FILL_CTX vcpu1_entry, stack1_top
	mov $VCPUOP_initialise, %edi
	mov $1, %esi
	lea ctx(%rip), %rdx
	HYPERCALL __HYPERVISOR_vcpu_op
	SAVE 1
	mov $VCPUOP_up, %edi
	mov $1, %esi
	xor %edx, %edx
	HYPERCALL __HYPERVISOR_vcpu_op
	SAVE 2
1:	cmpq $0, vcpu1_done(%rip)
	jne 2f
	mov $SCHEDOP_yield, %edi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_sched_op
	jmp 1b
2:	mov vcpu1_done(%rip), %rax
	SAVE 3
	mov failsafe_ds(%rip), %rax
	SAVE 4
	mov failsafe_ds_now(%rip), %rax
	SAVE 5
	mov vcpu1_desc_rc(%rip), %rax
	SAVE 6
	jmp do_poweroff

vcpu1_entry:
	mov si_ptr(%rip), %rax
	cmpb $'C', SI_CMDLINE(%rax)
	je 1f
	mov $CALLBACKOP_register, %edi
	lea cb_failsafe(%rip), %rsi
	HYPERCALL __HYPERVISOR_callback_op
1:	call set_ldt
	mov $LDT_SEL, %ax
	mov %ax, %ds
	MFN_OF ldt_page                  # update_descriptor(ldt_page[1], 0): no longer present
	shl $12, %rax
	lea 8(%rax), %rdi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_update_descriptor
	mov %rax, vcpu1_desc_rc(%rip)
	mov $SCHEDOP_yield, %edi         # vCPU 0 runs; switching back reloads %ds
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_sched_op
	movq $2, vcpu1_done(%rip)        # not reached when the failsafe callback is entered
	jmp vcpu1_down

# Failsafe frame: rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss.
failsafe_handler:
	mov 16(%rsp), %rax
	mov %rax, failsafe_ds(%rip)
	mov %ds, %ax
	movzwl %ax, %eax
	mov %rax, failsafe_ds_now(%rip)
	movq $1, vcpu1_done(%rip)
vcpu1_down:
	mov $VCPUOP_down, %edi
	mov $1, %esi
	xor %edx, %edx
	HYPERCALL __HYPERVISOR_vcpu_op
	ud2

	.data
	.balign 16
cb_failsafe:
	.word CALLBACKTYPE_failsafe, 0
	.long 0
	.quad failsafe_handler
mmuext_cmd: .long MMUEXT_SET_LDT, 0
mmuext_arg1: .quad 0
mmuext_arg2: .quad 2
	.globl si_ptr, res, vcpu1_done
si_ptr:	.quad 0
vcpu1_done: .quad 0
vcpu1_desc_rc: .quad 0
failsafe_ds: .quad 0
failsafe_ds_now: .quad 0
shutdown_reason: .long 0
	.balign 8
res:	.fill 16, 8, 0
	VCPU1_AREAS

	.balign 4096
	.globl ldt_page
ldt_page:
	.quad 0
	.quad 0x00cff2000000ffff         # [1] data, DPL 3, present
	.fill 4096 - 16, 1, 0
	HYPERCALL_PAGE
