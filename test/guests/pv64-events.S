# pv64 event-channel, virtual-time, timer and vcpu_op guest. It maps shared_info, registers an event callback that
# acks ports like a PV kernel (upcall_pending, pending_sel, pending & ~mask), then the first command-line byte
# picks the scenario; results (quads) go to res[], then SCHEDOP_shutdown(poweroff).
	.include "pv64.inc"
	.include "xen-events.inc"

	PV64_NOTES "xenpv-events-test"

	# EVTCHN op, struct: event_channel_op(op, &struct)
	.macro EVTCHN op, arg
	mov $\op, %edi
	lea \arg(%rip), %rsi
	HYPERCALL __HYPERVISOR_event_channel_op
	.endm
	# VCPUOP op, vcpu, &arg (or 0)
	.macro VCPUOP op, vcpu, arg
	mov $\op, %edi
	mov $\vcpu, %esi
	.ifc \arg, 0
	xor %edx, %edx
	.else
	lea \arg(%rip), %rdx
	.endif
	HYPERCALL __HYPERVISOR_vcpu_op
	.endm

	.text
	.globl _start
_start:
	mov %rsi, si_ptr(%rip)
	FIND_SCENARIO
	push %rbx
	call setup
	pop %rbx
	call *8(%rbx)
do_poweroff:
	POWEROFF

# Map shared_info at `shinfo` and register the event callback.
setup:
	lea shinfo(%rip), %rdi
	mov si_ptr(%rip), %rax
	mov SI_SHARED_INFO(%rax), %rsi
	or $0x67, %rsi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	mov %rax, setup_rc(%rip)
	lea shinfo(%rip), %rax
	mov %rax, vi_ptr(%rip)
	mov $CALLBACKOP_register, %edi
	lea cb_event(%rip), %rsi
	HYPERCALL __HYPERVISOR_callback_op
	or %rax, setup_rc(%rip)
	ret

# get_time: rax = system time (ns) from vcpu_info(0).time (at vi_ptr) and rdtsc. Clobbers rcx, rdx, r8-r10.
get_time:
	mov vi_ptr(%rip), %r10
1:	mov VI_TIME(%r10), %r8d
	test $1, %r8d
	jnz 1b
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub VI_TIME + 8(%r10), %rax
	movsbl VI_TIME + 28(%r10), %ecx
	test %ecx, %ecx
	js 2f
	shl %cl, %rax
	jmp 3f
2:	neg %ecx
	shr %cl, %rax
3:	mov VI_TIME + 24(%r10), %r9d
	mul %r9
	shrd $32, %rdx, %rax
	add VI_TIME + 16(%r10), %rax
	cmp VI_TIME(%r10), %r8d
	jne 1b
	ret

# rax = the TSC.
read_tsc:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	ret

# The event upcall (vCPU 0): frame rcx, r11, rip, cs, rflags, rsp, ss. Ack every pending unmasked port.
evt_handler:
	push %rax
	push %rbx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %rbp
	incq upcall_count(%rip)
	mov vi_ptr(%rip), %rbp
	movb $0, VI_PENDING(%rbp)
	xor %eax, %eax
	xchg %rax, VI_SEL(%rbp)
	lea shinfo(%rip), %rsi
1:	bsf %rax, %rbx
	jz 4f
	btr %rbx, %rax
	mov SH_PENDING(%rsi,%rbx,8), %rdx
	mov SH_MASK(%rsi,%rbx,8), %rdi
	not %rdi
	and %rdi, %rdx
2:	bsf %rdx, %rdi
	jz 1b
	btr %rdi, %rdx
	lock btr %rdi, SH_PENDING(%rsi,%rbx,8)
	mov %rbx, %r10
	shl $6, %r10
	add %rdi, %r10
	mov %r10, last_port(%rip)
	incq event_count(%rip)
	push %rax
	push %rdx
	call get_time
	mov %rax, upcall_time(%rip)
	pop %rdx
	pop %rax
	jmp 2b
4:	pop %rbp
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rbx
	pop %rax
	pop %rcx
	pop %r11
	pushq $0
	jmp hypercall_page + __HYPERVISOR_iret * 32

# send(edi = port)
send_port:
	mov %edi, send_arg(%rip)
	EVTCHN EVTCHNOP_send, send_arg
	ret
# status(edi = port): rax = rc, st filled
status_port:
	movw $DOMID_SELF, st(%rip)
	mov %edi, st + 4(%rip)
	EVTCHN EVTCHNOP_status, st
	ret
# close(edi = port)
close_port:
	mov %edi, close_arg(%rip)
	EVTCHN EVTCHNOP_close, close_arg
	ret
# bind_virq(edi = virq, esi = vcpu): rax = rc, port in bind_virq + 8
bind_virq_op:
	mov %edi, bvirq(%rip)
	mov %esi, bvirq + 4(%rip)
	EVTCHN EVTCHNOP_bind_virq, bvirq
	ret
# bind_ipi(edi = vcpu): rax = rc, port in bipi + 4
bind_ipi_op:
	mov %edi, bipi(%rip)
	EVTCHN EVTCHNOP_bind_ipi, bipi
	ret
# alloc_unbound(di = dom, si = remote): rax = rc, port in alloc + 4
alloc_op:
	mov %di, alloc(%rip)
	mov %si, alloc + 2(%rip)
	EVTCHN EVTCHNOP_alloc_unbound, alloc
	ret
block:
	mov $SCHEDOP_block, %edi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_sched_op
	ret

# T: VIRQ_TIMER + set_timer_op(now + 1 ms) + block until the upcall.
sc_timer:
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	SAVE 0
	mov $VIRQ_TIMER, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 1
	mov bvirq + 8(%rip), %eax
	SAVE 2
	call get_time
	SAVE 3
	add $1000000, %rax
	SAVE 4
	mov %rax, %rdi
	HYPERCALL __HYPERVISOR_set_timer_op
	SAVE 5
1:	cmpq $0, event_count(%rip)
	jne 2f
	call block
	jmp 1b
2:	mov upcall_count(%rip), %rax
	SAVE 6
	mov last_port(%rip), %rax
	SAVE 7
	mov upcall_time(%rip), %rax
	SAVE 8
	ret

# U: a masked pending port raises nothing; unmask re-raises it; upcall mask holds it until a hypercall exit.
sc_unmask:
	xor %edi, %edi
	call bind_ipi_op
	SAVE 0
	mov bipi + 4(%rip), %eax
	mov %rax, ipi_port(%rip)
	SAVE 1
	lock bts %rax, shinfo + SH_MASK(%rip)
	movb $0, shinfo + VI_MASK(%rip)
	mov ipi_port(%rip), %edi
	call send_port
	SAVE 2
	mov upcall_count(%rip), %rax
	SAVE 3
	movzbl shinfo + VI_PENDING(%rip), %eax
	SAVE 4
	mov ipi_port(%rip), %rax
	bt %rax, shinfo + SH_PENDING(%rip)
	setc %al
	movzbl %al, %eax
	SAVE 5
	mov ipi_port(%rip), %eax
	mov %eax, unmask_arg(%rip)
	EVTCHN EVTCHNOP_unmask, unmask_arg
	SAVE 6
	mov upcall_count(%rip), %rax
	SAVE 7
	mov last_port(%rip), %rax
	SAVE 8
	movb $1, shinfo + VI_MASK(%rip)
	mov ipi_port(%rip), %edi
	call send_port
	mov upcall_count(%rip), %rax
	SAVE 9
	movzbl shinfo + VI_PENDING(%rip), %eax
	SAVE 10
	movb $0, shinfo + VI_MASK(%rip)
	mov $XENVER_version, %edi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_xen_version
	mov upcall_count(%rip), %rax
	SAVE 11
	ret

# A: alloc_unbound, status, close; foreign domains; a loopback interdomain channel.
sc_alloc:
	mov $DOMID_SELF, %edi
	xor %esi, %esi
	call alloc_op
	SAVE 0
	mov alloc + 4(%rip), %eax
	SAVE 1
	mov %eax, %r12d
	mov %r12d, %edi
	call status_port
	SAVE 2
	mov st + 8(%rip), %eax
	SAVE 3
	movzwl st + 16(%rip), %eax
	SAVE 4
	mov st + 12(%rip), %eax
	SAVE 5
	mov $2, %edi
	call status_port
	SAVE 6
	mov st + 8(%rip), %eax
	SAVE 7
	movzwl st + 16(%rip), %eax
	SAVE 8
	mov st + 20(%rip), %eax
	SAVE 9
	mov %r12d, %edi
	call close_port
	SAVE 10
	mov %r12d, %edi
	call status_port
	mov st + 8(%rip), %eax
	SAVE 11
	mov %r12d, %edi
	call close_port
	SAVE 12
	mov $5, %edi
	xor %esi, %esi
	call alloc_op
	SAVE 13
	xor %edi, %edi
	xor %esi, %esi
	call alloc_op
	SAVE 14
	mov $DOMID_SELF, %edi
	mov $DOMID_SELF, %esi
	call alloc_op
	mov alloc + 4(%rip), %r13d
	movw $DOMID_SELF, binter(%rip)
	mov %r13d, binter + 4(%rip)
	EVTCHN EVTCHNOP_bind_interdomain, binter
	SAVE 15
	mov binter + 8(%rip), %eax
	SAVE 16
	mov %r13d, %edi
	call status_port
	mov st + 8(%rip), %eax
	SAVE 17
	mov st + 20(%rip), %eax
	SAVE 18
	mov %r13, %rax
	SAVE 19
	ret

# E: errno cases.
sc_errno:
	mov $VIRQ_TIMER, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 0
	mov bvirq + 8(%rip), %eax
	mov %eax, %r12d
	mov $VIRQ_TIMER, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 1
	mov $VIRQ_TIMER, %edi
	mov $7, %esi
	call bind_virq_op
	SAVE 2
	mov $VIRQ_CONSOLE, %edi
	mov $1, %esi
	call bind_virq_op
	SAVE 3
	mov $VIRQ_CONSOLE, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 4
	mov $99, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 5
	mov $4000, %edi
	call send_port
	SAVE 6
	mov $99999, %edi
	call send_port
	SAVE 7
	movl $99999, unmask_arg(%rip)
	EVTCHN EVTCHNOP_unmask, unmask_arg
	SAVE 8
	mov %r12d, bvcpu(%rip)
	movl $0, bvcpu + 4(%rip)
	EVTCHN EVTCHNOP_bind_vcpu, bvcpu
	SAVE 9
	mov $3, %edi
	call bind_ipi_op
	SAVE 10
	EVTCHN EVTCHNOP_init_control, initctl
	SAVE 11
	mov $EVTCHNOP_send, %edi
	mov $0x1000, %esi
	HYPERCALL __HYPERVISOR_event_channel_op
	SAVE 12
	movq $1000, periodic(%rip)
	VCPUOP VCPUOP_set_periodic_timer, 0, periodic
	SAVE 13
	movq $1, sshot(%rip)
	movl $VCPU_SSHOTTMR_future, sshot + 8(%rip)
	VCPUOP VCPUOP_set_singleshot_timer, 0, sshot
	SAVE 14
	VCPUOP VCPUOP_is_up, 0, 0
	SAVE 15
	VCPUOP VCPUOP_initialise, 0, ctx
	SAVE 16
	VCPUOP VCPUOP_is_up, 9, 0
	SAVE 17
	VCPUOP 99, 0, 0
	SAVE 18
	VCPUOP VCPUOP_get_physid, 0, periodic
	SAVE 19
	mov $2, %edi
	call close_port
	SAVE 20
	mov $2, %edi
	call send_port
	SAVE 21
	ret

# B: block with nothing that can wake us. b: the same with a single-shot timer but VIRQ_TIMER unbound.
sc_block:
	call block
	SAVE 0
	ret
sc_block_timer:
	call get_time
	add $1000000, %rax
	SAVE 0
	mov %rax, %rdi
	HYPERCALL __HYPERVISOR_set_timer_op
	call block
	SAVE 1
	ret

# P: SCHEDOP_poll with a timeout, on a pending port, and on a bad port.
sc_poll:
	xor %edi, %edi
	call bind_ipi_op
	mov bipi + 4(%rip), %eax
	mov %eax, poll_ports(%rip)
	mov %eax, ipi_port(%rip)
	call get_time
	SAVE 0
	add $2000000, %rax
	SAVE 1
	mov %rax, poll + 16(%rip)
	lea poll_ports(%rip), %rax
	mov %rax, poll(%rip)
	movl $1, poll + 8(%rip)
	mov $SCHEDOP_poll, %edi
	lea poll(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	SAVE 2
	call get_time
	SAVE 3
	mov ipi_port(%rip), %edi
	call send_port
	movq $0, poll + 16(%rip)
	mov $SCHEDOP_poll, %edi
	lea poll(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	SAVE 4
	movl $99999, poll_ports(%rip)
	mov $SCHEDOP_poll, %edi
	lea poll(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	SAVE 5
	ret

# Q: time info and TSC twice, wallclock, own runstate.
sc_time:
	call get_time
	SAVE 0
	call read_tsc
	SAVE 1
	mov $1000, %ecx
1:	loop 1b
	call get_time
	SAVE 2
	call read_tsc
	SAVE 3
	mov shinfo + SH_WC_SEC(%rip), %eax
	SAVE 4
	mov shinfo + SH_WC_VERSION(%rip), %eax
	SAVE 5
	mov shinfo + VI_TIME(%rip), %eax
	SAVE 6
	VCPUOP VCPUOP_get_runstate_info, 0, rs
	SAVE 7
	mov rs(%rip), %eax
	SAVE 8
	mov rs + 16(%rip), %rax
	SAVE 9
	mov rs + 8(%rip), %rax
	SAVE 10
	lea rs_area(%rip), %rax
	mov %rax, area_arg(%rip)
	VCPUOP VCPUOP_register_runstate_memory_area, 0, area_arg
	SAVE 11
	mov $SCHEDOP_yield, %edi
	xor %esi, %esi
	HYPERCALL __HYPERVISOR_sched_op
	mov rs_area(%rip), %eax
	SAVE 12
	mov rs_area + 8(%rip), %rax
	SAVE 13
	mov rs_area + 16(%rip), %rax
	SAVE 14
	ret

# D: VCPUOP_down of the only vCPU that is up shuts the domain down (poweroff).
sc_down:
	VCPUOP VCPUOP_down, 0, 0
	SAVE 0
	ud2

# H: set_timer_op with a wrapped (negative) timeout: Xen's workaround fires the timer 100 ms from now.
sc_huge_timeout:
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	mov $VIRQ_TIMER, %edi
	xor %esi, %esi
	call bind_virq_op
	call get_time
	SAVE 0
	mov $-5, %rdi
	HYPERCALL __HYPERVISOR_set_timer_op
	SAVE 1
1:	cmpq $0, event_count(%rip)
	jne 2f
	call block
	jmp 1b
2:	mov upcall_time(%rip), %rax
	SAVE 2
	xor %edi, %edi
	HYPERCALL __HYPERVISOR_set_timer_op
	SAVE 3
	ret

# p: a 1 ms periodic timer ticks while the vCPU runs: ~3.5 ms of busy loop with events enabled.
sc_periodic:
	mov $VIRQ_TIMER, %edi
	xor %esi, %esi
	call bind_virq_op
	SAVE 0
	movq $1000000, periodic(%rip)
	VCPUOP VCPUOP_set_periodic_timer, 0, periodic
	SAVE 1
	movb $0, shinfo + VI_MASK(%rip)
	mov $1750000, %ecx
1:	dec %ecx
	jnz 1b
	movb $1, shinfo + VI_MASK(%rip)
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	SAVE 2
	mov event_count(%rip), %rax
	SAVE 3
	mov upcall_time(%rip), %rax
	SAVE 4
	ret

# R (2 vCPUs): VCPUOP_register_vcpu_info for vCPU 0 into vinfo_page + 64, its checks, then events through it.
sc_vcpu_info:
	lea vinfo_page(%rip), %rdi
	call mfn_of_va
	mov %rax, vinfo_mfn(%rip)
	SAVE 0
	mov %rax, reg_vi(%rip)
	movl $64, reg_vi + 8(%rip)
	VCPUOP VCPUOP_register_vcpu_info, 0, reg_vi
	SAVE 1
	VCPUOP VCPUOP_register_vcpu_info, 0, reg_vi
	SAVE 2
	movl $4092, reg_vi + 8(%rip)
	VCPUOP VCPUOP_register_vcpu_info, 1, reg_vi
	SAVE 3
	movl $4, reg_vi + 8(%rip)
	VCPUOP VCPUOP_register_vcpu_info, 1, reg_vi
	SAVE 4
	movl $5000, reg_vi + 8(%rip)
	VCPUOP VCPUOP_register_vcpu_info, 1, reg_vi
	SAVE 5
	mov si_ptr(%rip), %rax                  # a page-table frame cannot hold a vcpu_info
	mov SI_PT_BASE(%rax), %rdi
	call mfn_of_va
	mov %rax, reg_vi(%rip)
	movl $0, reg_vi + 8(%rip)
	VCPUOP VCPUOP_register_vcpu_info, 1, reg_vi
	SAVE 6
	movq $0, reg_vi(%rip)                   # mfn 0 is Xen's
	VCPUOP VCPUOP_register_vcpu_info, 1, reg_vi
	SAVE 7
	lea vinfo_page + 64(%rip), %rax
	mov %rax, vi_ptr(%rip)
	movzbl VI_MASK(%rax), %ecx
	mov %rcx, res + 8 * 8(%rip)
	movzbl VI_PENDING(%rax), %ecx
	mov %rcx, res + 8 * 9(%rip)
	mov VI_SEL(%rax), %rcx
	mov %rcx, res + 8 * 10(%rip)
	mov VI_TIME(%rax), %ecx
	mov %rcx, res + 8 * 11(%rip)
	xor %edi, %edi
	call bind_ipi_op
	mov bipi + 4(%rip), %eax
	mov %rax, ipi_port(%rip)
	mov vi_ptr(%rip), %rax
	movb $0, VI_MASK(%rax)
	mov ipi_port(%rip), %edi
	call send_port
	mov upcall_count(%rip), %rax
	SAVE 12
	mov last_port(%rip), %rax
	SAVE 13
	call get_time
	SAVE 14
	ret

# mfn_of_va(rdi = kernel va): rax = mfn_list[(va - VIRT_BASE) >> 12].
mfn_of_va:
	movabs $VIRT_BASE, %rcx
	mov %rdi, %rax
	sub %rcx, %rax
	shr $12, %rax
	mov si_ptr(%rip), %rcx
	mov SI_MFN_LIST(%rcx), %rcx
	mov (%rcx,%rax,8), %rax
	ret

# I (2 vCPUs): VCPUOP_initialise rejections roll back; then a good one.
sc_init_errors:
	call fill_ctx
	movq $0, ctx + CTX_CR3(%rip)            # mfn 0: Xen's frame
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 0
	call fill_ctx
	movabs $0x0000900000000000, %rax        # non-canonical rip
	mov %rax, ctx + CTX_RIP(%rip)
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 1
	call fill_ctx
	movw $0x1238, ctx + CTX_CS(%rip)        # beyond the (empty) guest GDT
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 2
	call fill_ctx
	movq $0, ctx + CTX_FLAGS(%rip)          # user mode without a user page table
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 3
	VCPUOP VCPUOP_up, 1, 0
	SAVE 4
	call fill_ctx
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 5
	ret

# fill_ctx: a good vcpu_guest_context for vCPU 1 (same page table as vCPU 0, own stack, rdi = 0x1234).
fill_ctx:
	lea ctx(%rip), %rdi
	mov $CTX_SIZE, %ecx
	xor %eax, %eax
	rep stosb
	mov si_ptr(%rip), %rax
	mov SI_PT_BASE(%rax), %rdi
	call mfn_of_va
	shl $12, %rax
	FILL_CTX vcpu1_entry, stack1_top
	movq $0x1234, ctx + CTX_RDI(%rip)
	ret

# M (2 vCPUs): initialise vCPU 1 on its own stack, bring it up; it writes memory, IPIs vCPU 0 and goes down.
sc_smp:
	VCPUOP VCPUOP_stop_periodic_timer, 0, 0
	xor %edi, %edi
	call bind_ipi_op
	mov bipi + 4(%rip), %eax
	mov %rax, ipi_port(%rip)
	VCPUOP VCPUOP_is_up, 1, 0
	SAVE 0
	VCPUOP VCPUOP_up, 1, 0
	SAVE 1
	PT_BASE_MFN                             # cr3 = the L4's mfn << 12
	shl $12, %rax
	FILL_CTX vcpu1_entry, stack1_top
	movq $0x1234, ctx + CTX_RDI(%rip)
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 2
	VCPUOP VCPUOP_initialise, 1, ctx
	SAVE 3
	call read_tsc
	SAVE 12
	VCPUOP VCPUOP_up, 1, 0
	SAVE 4
	VCPUOP VCPUOP_is_up, 1, 0
	SAVE 5
1:	cmpq $0, vcpu1_flag(%rip)
	jne 2f
	call block
	jmp 1b
2:	call read_tsc
	SAVE 13
	mov vcpu1_flag(%rip), %rax
	SAVE 6
	mov upcall_count(%rip), %rax
	SAVE 7
	mov last_port(%rip), %rax
	SAVE 8
	VCPUOP VCPUOP_is_up, 1, 0
	SAVE 9
	VCPUOP VCPUOP_get_runstate_info, 1, rs
	SAVE 10
	mov rs(%rip), %eax
	SAVE 11
	mov vcpu1_tsc(%rip), %rax
	SAVE 14
	mov vcpu1_send_rc(%rip), %rax
	SAVE 15
	ret

vcpu1_entry:
	mov %rdi, vcpu1_flag(%rip)
	call read_tsc
	mov %rax, vcpu1_tsc(%rip)
	mov ipi_port(%rip), %eax
	mov %eax, send_arg1(%rip)
	EVTCHN EVTCHNOP_send, send_arg1
	mov %rax, vcpu1_send_rc(%rip)
	VCPUOP VCPUOP_down, 1, 0
	ud2

	.balign 16
scenarios:
	.quad 'T', sc_timer
	.quad 'U', sc_unmask
	.quad 'A', sc_alloc
	.quad 'E', sc_errno
	.quad 'B', sc_block
	.quad 'b', sc_block_timer
	.quad 'P', sc_poll
	.quad 'Q', sc_time
	.quad 'M', sc_smp
	.quad 'p', sc_periodic
	.quad 'H', sc_huge_timeout
	.quad 'D', sc_down
	.quad 'R', sc_vcpu_info
	.quad 'I', sc_init_errors
	.quad 0, 0
cb_event:
	.word CALLBACKTYPE_event, 0
	.long 0
	.quad evt_handler
	.globl vi_ptr, vinfo_mfn, rs_area
vi_ptr:	.quad 0
vinfo_mfn: .quad 0
reg_vi:	.quad 0, 0
area_arg: .quad 0
rs_area: .fill 48, 1, 0
	.globl si_ptr, res, setup_rc, upcall_count, event_count, last_port, upcall_time, ipi_port, vcpu1_flag
si_ptr:	.quad 0
setup_rc: .quad 0
upcall_count: .quad 0
event_count: .quad 0
last_port: .quad 0
upcall_time: .quad 0
ipi_port: .quad 0
vcpu1_flag: .quad 0
vcpu1_tsc: .quad 0
vcpu1_send_rc: .quad 0
periodic: .quad 0
sshot:	.quad 0, 0
poll:	.quad 0, 0, 0
poll_ports: .long 0, 0
rs:	.fill 48, 1, 0
st:	.fill 24, 1, 0
alloc:	.fill 8, 1, 0
binter:	.fill 12, 1, 0
bvirq:	.fill 12, 1, 0
bipi:	.fill 8, 1, 0
bvcpu:	.fill 8, 1, 0
initctl: .fill 24, 1, 0
send_arg: .long 0
send_arg1: .long 0
close_arg: .long 0
unmask_arg: .long 0
shutdown_reason: .long 0
	.balign 8
res:	.fill 32, 8, 0
	VCPU1_AREAS

	.balign 4096
	.globl vinfo_page
vinfo_page:
	.fill 4096, 1, 0
	.globl shinfo
shinfo:
	.fill 4096, 1, 0
	HYPERCALL_PAGE
