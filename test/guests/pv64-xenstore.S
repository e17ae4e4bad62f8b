# pv64 xenstore client guest: finds its store ring through start_info (store_mfn -> M2P -> pfn -> va), writes each
# request of `requests` into the req ring, notifies store_evtchn, copies the reply (header + up to 240 bytes) into
# replies[k] (256 bytes each), then powers off. The test answers the notifications with the emulated xenstored.
	.include "pv64.inc"
	.include "xs-ring.inc"

	PV64_NOTES "xenpv-xenstore-test"

	.text
	.globl _start
_start:
	lea stack_top(%rip), %rsp
	mov SI_STORE_EVTCHN(%rsi), %eax
	mov %eax, send_port(%rip)
	mov SI_STORE_MFN(%rsi), %rax
	MFN_TO_VA %rdx
	mov %rax, %r15                   # r15 = store ring page
	lea requests(%rip), %r13         # r13 = next request {type, len, payload}
	lea replies(%rip), %r14          # r14 = next reply slot
	mov $1, %r12d                    # r12 = req_id
1:	mov (%r13), %eax
	cmp $0xffffffff, %eax
	je 9f
	call xs_request
	add $256, %r14
	jmp 1b
9:	mov $SCHEDOP_shutdown, %edi
	lea poweroff(%rip), %rsi
	call hypercall_page + __HYPERVISOR_sched_op * 32
	hlt

# Put byte al into the request ring at req_prod + rcx.
put_byte:
	mov XS_REQ_PROD(%r15), %edx
	add %ecx, %edx
	and $1023, %edx
	mov %al, XS_REQ(%r15,%rdx)
	inc %ecx
	ret

# One request: header {type, req_id, tx_id 0, len} + payload, publish, notify, wait, copy the reply, consume it.
xs_request:
	xor %ecx, %ecx
	mov (%r13), %ebx                 # type
	lea hdr(%rip), %rsi
	mov %ebx, (%rsi)
	mov %r12d, 4(%rsi)
	movl $0, 8(%rsi)
	mov 4(%r13), %ebx                # len
	mov %ebx, 12(%rsi)
	mov $16, %r8d
2:	mov (%rsi), %al
	call put_byte
	inc %rsi
	dec %r8d
	jnz 2b
	lea 8(%r13), %rsi
	mov %ebx, %r8d
	test %r8d, %r8d
	jz 4f
3:	mov (%rsi), %al
	call put_byte
	inc %rsi
	dec %r8d
	jnz 3b
4:	add %ecx, XS_REQ_PROD(%r15)      # publish header + payload
	lea 8(%r13,%rbx), %r13           # next request
	inc %r12d
	mov $EVTCHNOP_send, %edi
	lea send_port(%rip), %rsi
	call hypercall_page + __HYPERVISOR_event_channel_op * 32
	# Wait for a whole reply (bounded spin).
	mov $1000000, %r9d
5:	XS_RSP_READY %r15, %rdx, 6f, 7f
6:	dec %r9d
	jnz 5b
	movl $0xdead, (%r14)
	ret
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
	mov %al, (%r14,%rcx)
11:	inc %ecx
	jmp 8b
10:	add %r10d, XS_RSP_CONS(%r15)
	ret

	.data
	.balign 8
poweroff: .long 0
send_port: .long 0
hdr:	.long 0, 0, 0, 0

	.macro XSREQ type, str
	.long \type, 2f - 1f
1:	.ascii "\str"
2:
	.endm
requests:
	XSREQ 2, "domid\0"
	XSREQ 2, "name\0"
	XSREQ 1, "/local/domain/1\0"
	XSREQ 2, "nope\0"
	XSREQ 11, "/local/domain/0/x\0x"
	XSREQ 11, "data/from-guest\0hi"
	.long 0xffffffff

	HYPERCALL_PAGE
	.balign 256
	.globl replies
replies:
	.fill 256 * 8, 1, 0
	.balign 16
	.fill 8192, 1, 0
stack_top:
