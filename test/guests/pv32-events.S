# pv32pae event-channel, virtual-time, timer and vcpu_op guest (ring 1, hypercalls by int $0x82): the ABI
# differences from pv64 — 32-bit pending words and selector, set_timer_op in two halves, 32-bit time arithmetic,
# compat vcpu_guest_context / runstate / sched_poll layouts. Scenario by the first command-line byte; results
# (dwords) go to res[], then SCHEDOP_shutdown(poweroff).
	.include "pv32.inc"
	.include "xen-events.inc"

	PV32_NOTES "xenpv-events-test"

	.macro EVTCHN op, arg
	mov $\op, %ebx
	mov $\arg, %ecx
	HYPERCALL __HYPERVISOR_event_channel_op
	.endm
	.macro VCPUOP op, vcpu, arg
	mov $\op, %ebx
	mov $\vcpu, %ecx
	mov $\arg, %edx
	HYPERCALL __HYPERVISOR_vcpu_op
	.endm

	.text
	.globl _start
_start:
	mov %esi, si_ptr
	FIND_SCENARIO
	push %ebx
	call setup
	pop %ebx
	call *4(%ebx)
do_poweroff:
	POWEROFF

setup:
	mov $shinfo, %ebx
	mov si_ptr, %eax
	mov SI_SHARED_INFO(%eax), %ecx
	or $0x67, %ecx
	xor %edx, %edx
	mov $UVMF_INVLPG, %esi
	HYPERCALL __HYPERVISOR_update_va_mapping
	mov %eax, setup_rc
	mov $CALLBACKOP_register, %ebx
	mov $cb_event, %ecx
	HYPERCALL __HYPERVISOR_callback_op
	or %eax, setup_rc
	ret

# get_time: edx:eax = system time (ns), full 64-bit scaling. Clobbers ecx, esi.
get_time:
	push %ebx
	push %edi
1:	mov shinfo + VI_TIME, %esi
	test $1, %esi
	jnz 1b
	rdtsc
	sub shinfo + VI_TIME + 8, %eax
	sbb shinfo + VI_TIME + 12, %edx
	movsbl shinfo + VI_TIME + 28, %ecx
	test %ecx, %ecx
	js 2f
	shld %cl, %eax, %edx
	shl %cl, %eax
	jmp 3f
2:	neg %ecx
	shrd %cl, %edx, %eax
	shr %cl, %edx
3:	mov %edx, %edi
	mull shinfo + VI_TIME + 24
	mov %edx, %ebx
	mov %edi, %eax
	mull shinfo + VI_TIME + 24
	add %ebx, %eax
	adc $0, %edx
	add shinfo + VI_TIME + 16, %eax
	adc shinfo + VI_TIME + 20, %edx
	cmp shinfo + VI_TIME, %esi
	jne 1b
	pop %edi
	pop %ebx
	ret

# The event upcall: frame eip, cs | mask << 16, eflags. Ack every pending unmasked port (32-bit words).
evt_handler:
	pusha
	incl upcall_count
	movb $0, shinfo + VI_PENDING
	xor %eax, %eax
	xchg %eax, shinfo + VI_SEL
1:	bsf %eax, %ebx
	jz 4f
	btr %ebx, %eax
	mov shinfo + SH_PENDING(,%ebx,4), %edx
	mov shinfo + SH_MASK(,%ebx,4), %edi
	not %edi
	and %edi, %edx
2:	bsf %edx, %edi
	jz 1b
	btr %edi, %edx
	lock btr %edi, shinfo + SH_PENDING(,%ebx,4)
	mov %ebx, %ecx
	shl $5, %ecx
	add %edi, %ecx
	mov %ecx, last_port
	incl event_count
	push %eax
	push %edx
	call get_time
	mov %eax, upcall_time
	mov %edx, upcall_time + 4
	pop %edx
	pop %eax
	jmp 2b
4:	popa
	jmp hypercall_page + __HYPERVISOR_iret * 32

send_port:
	mov %edi, send_arg
	EVTCHN EVTCHNOP_send, send_arg
	ret
block:
	mov $SCHEDOP_block, %ebx
	xor %ecx, %ecx
	HYPERCALL __HYPERVISOR_sched_op
	ret

# T: VIRQ_TIMER + set_timer_op(lo, hi = now + 1 ms) + block until the upcall.
sc_timer:
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	SAVE 0
	movl $VIRQ_TIMER, bvirq
	movl $0, bvirq + 4
	EVTCHN EVTCHNOP_bind_virq, bvirq
	SAVE 1
	mov bvirq + 8, %eax
	SAVE 2
	call get_time
	SAVE 3
	add $1000000, %eax
	adc $0, %edx
	SAVE 4
	mov %edx, res + 4 * 5
	mov %eax, %ebx
	mov %edx, %ecx
	HYPERCALL __HYPERVISOR_set_timer_op
	SAVE 6
1:	cmpl $0, event_count
	jne 2f
	call block
	jmp 1b
2:	mov upcall_count, %eax
	SAVE 7
	mov last_port, %eax
	SAVE 8
	mov upcall_time, %eax
	SAVE 9
	mov upcall_time + 4, %eax
	SAVE 10
	ret

# U: masked pending port, unmask re-raises (32-bit selector word), upcall mask holds it until a hypercall exit.
sc_unmask:
	movl $0, bipi
	EVTCHN EVTCHNOP_bind_ipi, bipi
	SAVE 0
	mov bipi + 4, %eax
	mov %eax, ipi_port
	SAVE 1
	lock bts %eax, shinfo + SH_MASK
	movb $0, shinfo + VI_MASK
	mov ipi_port, %edi
	call send_port
	SAVE 2
	mov upcall_count, %eax
	SAVE 3
	movzbl shinfo + VI_PENDING, %eax
	SAVE 4
	mov ipi_port, %eax
	mov %eax, unmask_arg
	EVTCHN EVTCHNOP_unmask, unmask_arg
	SAVE 5
	mov upcall_count, %eax
	SAVE 6
	mov last_port, %eax
	SAVE 7
	movb $1, shinfo + VI_MASK
	mov ipi_port, %edi
	call send_port
	mov upcall_count, %eax
	SAVE 8
	movb $0, shinfo + VI_MASK
	mov $XENVER_version, %ebx
	xor %ecx, %ecx
	HYPERCALL __HYPERVISOR_xen_version
	mov upcall_count, %eax
	SAVE 9
	ret

# E: compat struct sizes in errno paths.
sc_errno:
	movl $1000, periodic
	movl $0, periodic + 4
	VCPUOP VCPUOP_set_periodic_timer, 0, periodic
	SAVE 0
	movl $1, sshot
	movl $0, sshot + 4
	movl $VCPU_SSHOTTMR_future, sshot + 8
	VCPUOP VCPUOP_set_singleshot_timer, 0, sshot
	SAVE 1
	VCPUOP VCPUOP_initialise, 0, ctx
	SAVE 2
	movl $VIRQ_TIMER, bvirq
	movl $3, bvirq + 4
	EVTCHN EVTCHNOP_bind_virq, bvirq
	SAVE 3
	mov $1500, %edi
	call send_port
	SAVE 4
	ret

# P: SCHEDOP_poll (compat layout) with a timeout.
sc_poll:
	movl $0, bipi
	EVTCHN EVTCHNOP_bind_ipi, bipi
	mov bipi + 4, %eax
	mov %eax, poll_ports
	call get_time
	SAVE 0
	add $2000000, %eax
	adc $0, %edx
	SAVE 1
	mov %eax, poll + 8
	mov %edx, poll + 12
	movl $poll_ports, poll
	movl $1, poll + 4
	mov $SCHEDOP_poll, %ebx
	mov $poll, %ecx
	HYPERCALL __HYPERVISOR_sched_op
	SAVE 2
	call get_time
	SAVE 3
	ret

# Q: time info and TSC twice, wallclock, own runstate (compat layout).
sc_time:
	call get_time
	SAVE 0
	rdtsc
	SAVE 1
	mov $1000, %ecx
1:	loop 1b
	call get_time
	SAVE 2
	rdtsc
	SAVE 3
	mov shinfo + SH_WC_SEC, %eax
	SAVE 4
	mov shinfo + SH_WC_VERSION, %eax
	SAVE 5
	VCPUOP VCPUOP_get_runstate_info, 0, rs
	SAVE 6
	mov rs, %eax
	SAVE 7
	mov rs + 12, %eax
	SAVE 8
	mov rs + 4, %eax
	SAVE 9
	ret

# M (2 vCPUs): initialise vCPU 1 from a compat vcpu_guest_context, bring it up; it writes memory, IPIs vCPU 0, goes down.
sc_smp:
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	movl $0, bipi
	EVTCHN EVTCHNOP_bind_ipi, bipi
	mov bipi + 4, %eax
	mov %eax, ipi_port
	PT_BASE_CR3 %ebx, %edx
	mov %eax, ctx + CTX_CR3
	movl $VGCF_in_kernel, ctx + CTX_FLAGS
	movl $vcpu1_entry, ctx + CTX_EIP
	movl $stack1_top, ctx + CTX_ESP
	movl $stack1_top, ctx + CTX_KSP
	movw $0xe019, ctx + CTX_CS
	movw $0xe021, ctx + CTX_SS
	movw $0xe021, ctx + CTX_DS
	movw $0xe021, ctx + CTX_ES
	movl $0xe021, ctx + CTX_KSS
	movl $0x200, ctx + CTX_EFLAGS
	movl $0x1234, ctx + CTX_EDI
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 0
	VCPUOP VCPUOP_up, 1, 0
	SAVE 1
1:	cmpl $0, vcpu1_flag
	jne 2f
	call block
	jmp 1b
2:	mov vcpu1_flag, %eax
	SAVE 2
	mov upcall_count, %eax
	SAVE 3
	mov last_port, %eax
	SAVE 4
	VCPUOP VCPUOP_is_up, 1, 0
	SAVE 5
	mov vcpu1_cs, %eax
	SAVE 6
	ret

vcpu1_entry:
	mov %edi, vcpu1_flag
	mov %cs, %eax
	mov %eax, vcpu1_cs
	mov ipi_port, %eax
	mov %eax, send_arg1
	EVTCHN EVTCHNOP_send, send_arg1
	VCPUOP VCPUOP_down, 1, 0
	ud2

	.balign 8
scenarios:
	.long 'T', sc_timer
	.long 'U', sc_unmask
	.long 'E', sc_errno
	.long 'P', sc_poll
	.long 'Q', sc_time
	.long 'M', sc_smp
	.long 0, 0
cb_event:
	.word CALLBACKTYPE_event, 0
	.long 0xe019
	.long evt_handler
	.globl si_ptr, res, setup_rc, upcall_count, event_count, last_port, upcall_time, vcpu1_flag
si_ptr:	.long 0
setup_rc: .long 0
upcall_count: .long 0
event_count: .long 0
last_port: .long 0
	.balign 8
upcall_time: .quad 0
ipi_port: .long 0
vcpu1_flag: .long 0
vcpu1_cs: .long 0
periodic: .quad 0
sshot:	.long 0, 0, 0
poll:	.long 0, 0, 0, 0
poll_ports: .long 0
rs:	.fill 44, 1, 0
bvirq:	.fill 12, 1, 0
bipi:	.fill 8, 1, 0
send_arg: .long 0
send_arg1: .long 0
unmask_arg: .long 0
shutdown_reason: .long 0
	.balign 8
res:	.fill 32, 4, 0
	VCPU1_AREAS

	.balign 4096
	.globl shinfo
shinfo:
	.fill 4096, 1, 0
	HYPERCALL_PAGE
