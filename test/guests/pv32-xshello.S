# pv32pae counterpart of pv64-xshello.S (ring 1, hypercalls by int $0x82, the 32-bit M2P and start_info): reads
# "domid" and "name" from the domain's xenstored through the store ring (EVTCHNOP_send, then clear the port's
# pending bit / look at the rsp ring / SCHEDOP_poll), prints them with console_io, watches control/shutdown and
# blocks in SCHEDOP_poll until the toolstack writes it, prints the value and powers off.
	.include "pv32.inc"
	.include "xen-events.inc"
	.include "xs-ring.inc"

	PV32_NOTES "xenpv-xshello-test"

	# XS type, request: one request, its reply body appended at outp (eax = reply type)
	.macro XS type, req
	mov $\type, %eax
	mov $\req, %esi
	mov $(\req\()_end - \req), %ecx
	call xs_request
	.endm
	# PUTS str: append a string to the output line at outp
	.macro PUTS str
	mov $\str, %esi
	mov outp, %edi
	mov $(\str\()_end - \str), %ecx
	rep movsb
	mov %edi, outp
	.endm

	.text
	.globl _start
_start:
	mov $stack_top, %esp
	mov %esi, %ebp
	mov SI_STORE_EVTCHN(%ebp), %eax
	mov %eax, store_port
	mov $shinfo, %ebx
	mov SI_SHARED_INFO(%ebp), %ecx
	or $0x67, %ecx
	xor %edx, %edx
	mov $UVMF_INVLPG, %esi
	HYPERCALL __HYPERVISOR_update_va_mapping
	test %eax, %eax
	jnz crash
	mov SI_STORE_MFN(%ebp), %eax
	MFN_TO_VA                        # the store page
	mov %eax, ring
	movl $replies, slot
	movl $1, req_id

	movl $line, outp
	PUTS s_domid
	XS XS_READ, r_domid
	PUTS s_name
	XS XS_READ, r_name
	call newline
	call print_line

	movl $line, outp
	XS XS_WATCH, r_watch
	call xs_wait_reply
1:	movl $line, outp
	PUTS s_shutdown
	mov outp, %eax
	mov %eax, mark
	XS XS_READ, r_shutdown
	mov outp, %eax
	cmp mark, %eax
	jne 2f
	call xs_wait_reply               # blocks in SCHEDOP_poll until the watch fires
	jmp 1b
2:	call newline
	call print_line
	mov $SCHEDOP_shutdown, %ebx
	mov $poweroff, %ecx
	HYPERCALL __HYPERVISOR_sched_op
crash:	ud2

newline:
	mov outp, %eax
	movb $10, (%eax)
	incl outp
	ret

# console_io(CONSOLEIO_write, outp - line, line)
print_line:
	mov $CONSOLEIO_write, %ebx
	mov outp, %ecx
	sub $line, %ecx
	mov $line, %edx
	HYPERCALL __HYPERVISOR_console_io
	ret

# xs_request: eax = type, esi = payload, ecx = its length. Header + payload into the req ring, publish, notify,
# then xs_wait_reply.
xs_request:
	mov %eax, hdr
	mov req_id, %eax
	mov %eax, hdr + 4
	incl req_id
	movl $0, hdr + 8
	mov %ecx, hdr + 12
	mov ring, %ebp
	mov XS_REQ_PROD(%ebp), %edx      # edx = producer
	mov $hdr, %edi
	mov $16, %ebx
	call put_bytes
	mov %esi, %edi
	mov %ecx, %ebx
	call put_bytes
	mov %edx, XS_REQ_PROD(%ebp)      # publish header + payload
	mov $EVTCHNOP_send, %ebx
	mov $store_port, %ecx
	HYPERCALL __HYPERVISOR_event_channel_op
	test %eax, %eax
	jnz crash
	# fall through

# xs_wait_reply: take one whole reply from the rsp ring (copy to *slot, body appended at outp); eax = type.
xs_wait_reply:
	mov ring, %ebp
5:	mov store_port, %eax
	lock btr %eax, shinfo + SH_PENDING
	XS_RSP_READY %ebp, %edx, 6f, 7f
6:	movl $poll_ports, poll
	movl $1, poll + 4
	movl $0, poll + 8
	movl $0, poll + 12
	mov store_port, %eax
	mov %eax, poll_ports
	mov $SCHEDOP_poll, %ebx
	mov $poll, %ecx
	HYPERCALL __HYPERVISOR_sched_op
	jmp 5b
7:	mov %edx, %esi                   # bytes of this reply
	mov slot, %edi
	mov outp, %ebx
	xor %ecx, %ecx
8:	cmp %esi, %ecx
	jae 10f
	mov XS_RSP_CONS(%ebp), %edx
	add %ecx, %edx
	and $1023, %edx
	mov XS_RSP(%ebp,%edx), %al
	cmp $256, %ecx
	jae 11f
	mov %al, (%edi,%ecx)
11:	cmp $16, %ecx
	jb 12f
	test %al, %al
	jz 12f
	mov %al, (%ebx)
	inc %ebx
12:	inc %ecx
	jmp 8b
10:	add %esi, XS_RSP_CONS(%ebp)
	mov %ebx, outp
	mov (%edi), %eax
	addl $256, slot
	ret

# put_bytes: ebx bytes from edi into the req ring at producer edx (advanced). Clobbers eax.
put_bytes:
	test %ebx, %ebx
	jz 2f
1:	mov %edx, %eax
	and $1023, %eax
	push %ecx
	mov (%edi), %cl
	mov %cl, XS_REQ(%ebp,%eax)
	pop %ecx
	inc %edi
	inc %edx
	dec %ebx
	jnz 1b
2:	ret

	.data
	.balign 8
poll:	.long 0, 0, 0, 0
poll_ports: .long 0
poweroff: .long 0
store_port: .long 0
ring:	.long 0
slot:	.long 0
outp:	.long 0
mark:	.long 0
req_id:	.long 0
hdr:	.long 0, 0, 0, 0
	.include "xs-hello.inc"
