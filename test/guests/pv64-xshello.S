# pv64 xenbus-style guest of the domain's own xenstored: maps shared_info, finds the store ring through start_info,
# reads "domid" and "name" (request into the req ring, EVTCHNOP_send on store_evtchn, wait for the reply: clear the
# port's pending bit, look at the rsp ring, SCHEDOP_poll on the port when nothing is there yet) and prints them with
# console_io; then watches control/shutdown, blocks in SCHEDOP_poll until the toolstack writes it, prints the value
# and powers off. Replies are also copied to replies[k] (256 bytes each) for the test.
	.include "pv64.inc"
	.include "xen-events.inc"
	.include "xs-ring.inc"

	PV64_NOTES "xenpv-xshello-test"

	# XS type, request: one request, its reply body appended at r14 (rax = reply type)
	.macro XS type, req
	mov $\type, %eax
	lea \req(%rip), %rsi
	mov $(\req\()_end - \req), %ecx
	call xs_request
	.endm
	# PUTS str: append a string to the output line at r14
	.macro PUTS str
	lea \str(%rip), %rsi
	mov %r14, %rdi
	mov $(\str\()_end - \str), %ecx
	rep movsb
	mov %rdi, %r14
	.endm

	.text
	.globl _start
_start:
	lea stack_top(%rip), %rsp
	mov %rsi, %rbx
	mov SI_STORE_EVTCHN(%rbx), %eax
	mov %eax, store_port(%rip)
	lea shinfo(%rip), %rdi
	mov SI_SHARED_INFO(%rbx), %rsi
	or $0x67, %rsi
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	test %rax, %rax
	jnz crash
	mov SI_STORE_MFN(%rbx), %rax
	MFN_TO_VA %rdx
	mov %rax, %r15                   # r15 = store ring page
	lea replies(%rip), %r13          # r13 = next reply slot
	mov $1, %r12d                    # r12 = req_id

	lea line(%rip), %r14
	PUTS s_domid
	XS XS_READ, r_domid
	PUTS s_name
	XS XS_READ, r_name
	movb $10, (%r14)
	inc %r14
	call print_line

	# Watch control/shutdown: the OK reply, then the initial watch event.
	lea line(%rip), %r14
	XS XS_WATCH, r_watch
	call xs_wait_reply
	# Read control/shutdown until the toolstack has written something; wait for the next watch event meanwhile.
1:	lea line(%rip), %r14
	PUTS s_shutdown
	mov %r14, %rbp
	XS XS_READ, r_shutdown
	cmp %rbp, %r14
	jne 2f
	call xs_wait_reply               # blocks in SCHEDOP_poll until the watch fires
	jmp 1b
2:	movb $10, (%r14)
	inc %r14
	call print_line
	mov $SCHEDOP_shutdown, %edi
	lea poweroff(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
crash:	ud2

# console_io(CONSOLEIO_write, r14 - line, line)
print_line:
	mov $CONSOLEIO_write, %edi
	lea line(%rip), %rdx
	mov %r14, %rsi
	sub %rdx, %rsi
	HYPERCALL __HYPERVISOR_console_io
	ret

# Put byte al into the request ring at req_prod + rcx.
put_byte:
	mov XS_REQ_PROD(%r15), %edx
	add %ecx, %edx
	and $1023, %edx
	mov %al, XS_REQ(%r15,%rdx)
	inc %ecx
	ret

# xs_request: eax = type, rsi = payload, ecx = its length. Header {type, req_id, tx 0, len} + payload into the
# ring, publish, notify, then xs_wait_reply.
xs_request:
	lea hdr(%rip), %rdi
	mov %eax, (%rdi)
	mov %r12d, 4(%rdi)
	movl $0, 8(%rdi)
	mov %ecx, 12(%rdi)
	inc %r12d
	mov %ecx, %r8d
	mov %rsi, %r9
	xor %ecx, %ecx
	mov %rdi, %rsi
	mov $16, %r10d
2:	mov (%rsi), %al
	call put_byte
	inc %rsi
	dec %r10d
	jnz 2b
	mov %r9, %rsi
	test %r8d, %r8d
	jz 4f
3:	mov (%rsi), %al
	call put_byte
	inc %rsi
	dec %r8d
	jnz 3b
4:	add %ecx, XS_REQ_PROD(%r15)      # publish header + payload
	mov $EVTCHNOP_send, %edi
	lea store_port(%rip), %rsi
	HYPERCALL __HYPERVISOR_event_channel_op
	test %rax, %rax
	jnz crash
	# fall through

# xs_wait_reply: take one whole reply from the rsp ring (copy to replies[k], body appended at r14); rax = type.
xs_wait_reply:
5:	mov store_port(%rip), %eax
	lock btr %rax, shinfo + SH_PENDING(%rip)
	XS_RSP_READY %r15, %rdx, 6f, 7f
6:	lea poll_ports(%rip), %rax
	mov %rax, poll(%rip)
	movl $1, poll + 8(%rip)
	movq $0, poll + 16(%rip)
	mov store_port(%rip), %eax
	mov %eax, poll_ports(%rip)
	mov $SCHEDOP_poll, %edi
	lea poll(%rip), %rsi
	HYPERCALL __HYPERVISOR_sched_op
	jmp 5b
7:	mov %edx, %r10d                  # bytes of this reply
	xor %ecx, %ecx
8:	cmp %r10d, %ecx
	jae 10f
	mov XS_RSP_CONS(%r15), %edx
	add %ecx, %edx
	and $1023, %edx
	mov XS_RSP(%r15,%rdx), %al
	cmp $256, %ecx
	jae 11f
	mov %al, (%r13,%rcx)
11:	cmp $16, %ecx
	jb 12f
	test %al, %al
	jz 12f
	mov %al, (%r14)
	inc %r14
12:	inc %ecx
	jmp 8b
10:	add %r10d, XS_RSP_CONS(%r15)
	mov (%r13), %eax
	add $256, %r13
	ret

	.data
	.balign 8
poll:	.quad 0, 0, 0
poll_ports: .long 0, 0
poweroff: .long 0
store_port: .long 0
hdr:	.long 0, 0, 0, 0
	.include "xs-hello.inc"
