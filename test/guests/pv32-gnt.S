# pv32pae guest for grant_table_op and physdev_op with the compat ABI (32-bit handles and xen_pfn_t): the first
# command-line byte picks a scenario; each hypercall's eax and the OUT fields go to res[], then poweroff.
	.include "pv32.inc"

	PV32_NOTES "xenpv-gnt-test"

	.macro GNT k, cmd, uop, count
	mov $(\cmd), %ebx
	mov $\uop, %ecx
	mov $(\count), %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE \k
	.endm
	.macro PHYS k, cmd, arg
	mov $(\cmd), %ebx
	mov $\arg, %ecx
	HYPERCALL __HYPERVISOR_physdev_op
	SAVE \k
	.endm
	.macro SAVE16 k, field
	movswl \field, %eax
	SAVE \k
	.endm
	.macro SAVE32 k, field
	mov \field, %eax
	SAVE \k
	.endm

	.text
	.globl _start
_start:
	mov $stack_top, %esp
	mov %esi, si_ptr
	FIND_SCENARIO
	call *4(%ebx)
do_poweroff:
	POWEROFF

# mfn_of(edi = va in the bootstrap region): eax = mfn_list[(va - VIRT_BASE) >> 12].
mfn_of:
	sub $VIRT_BASE, %edi
	shr $12, %edi
	mov si_ptr, %eax
	mov SI_MFN_LIST(%eax), %eax
	mov (%eax,%edi,4), %eax
	ret

# A: setup_table(2 frames), map frame 0 at `window`, write through it; query_size.
sc_setup_map:
	GNT 0, GNTTABOP_setup_table, gst, 1
	SAVE16 1, gst+8
	SAVE32 2, frames
	SAVE32 3, frames+4
	mov $window, %ebx
	mov frames, %ecx
	shl $12, %ecx
	or $0x63, %ecx
	xor %edx, %edx
	mov $UVMF_INVLPG, %esi
	HYPERCALL __HYPERVISOR_update_va_mapping
	SAVE 4
	movw $1, window
	movw $0, window+2
	movl $0x42, window+4
	movl $0x5678abcd, window+4000
	SAVE32 5, window+4000
	GNT 6, GNTTABOP_query_size, gqs, 1
	SAVE32 7, gqs+4
	SAVE32 8, gqs+8
	ret

# C: set_version 1 / 2, get_version.
sc_version:
	movl $1, gsv
	GNT 0, GNTTABOP_set_version, gsv, 1
	movl $2, gsv
	GNT 1, GNTTABOP_set_version, gsv, 1
	SAVE32 2, gsv
	GNT 3, GNTTABOP_get_version, ggv, 1
	SAVE32 4, ggv+4
	ret

# D: statuses: bad domain, too many frames, count 2 (-EINVAL), count 0 (compat: nothing to do, 0).
sc_status:
	movw $5, gst
	GNT 0, GNTTABOP_setup_table, gst, 1
	SAVE16 1, gst+8
	movw $0x7ff0, gst
	movl $33, gst+4
	GNT 2, GNTTABOP_setup_table, gst, 1
	SAVE16 3, gst+8
	GNT 4, GNTTABOP_setup_table, gst, 2
	movw $0x1234, gst+8
	GNT 5, GNTTABOP_setup_table, gst, 0
	SAVE16 6, gst+8
	ret

# E: bad pointers: a frame_list in Xen's range (0xF5800000: -EFAULT), an unmapped one (status bad_virt_addr),
# an unmapped struct.
sc_fault:
	movl $0xF5800000, gst+12
	GNT 0, GNTTABOP_setup_table, gst, 1
	movl $0x1000, gst+12
	GNT 1, GNTTABOP_setup_table, gst, 1
	SAVE16 2, gst+8
	mov $GNTTABOP_setup_table, %ebx
	mov $0x1000, %ecx
	mov $1, %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE 3
	ret

# G: physdev_op: set_iopl, set_iobitmap (compat struct), physdev_op_compat, pirq_eoi_gmfn (compat gmfn).
sc_physdev:
	movl $3, pd_word
	PHYS 0, 6, pd_word
	PHYS 1, 7, iobm_op
	movl $0xF5800000, iobm_op
	PHYS 2, 7, iobm_op                  # bitmap range reaches Xen's area: -EINVAL
	mov $pdop, %ebx
	HYPERCALL __HYPERVISOR_physdev_op_compat   # {set_iopl, 1}
	SAVE 3
	mov $eoi_page, %edi
	call mfn_of
	mov %eax, eoi_gmfn
	PHYS 4, 28, eoi_gmfn
	ret

	.data
	.balign 8
scenarios:
	.long 'A', sc_setup_map
	.long 'C', sc_version
	.long 'D', sc_status
	.long 'E', sc_fault
	.long 'G', sc_physdev
	.long 0, 0
si_ptr: .long 0
shutdown_reason: .long 0
	.balign 8
	.globl res
res:	.fill 32, 4, 0x5a5a5a5a
gst:	.short 0x7ff0, 0                # compat gnttab_setup_table {dom, nr_frames, status, frame_list}
	.long 2
	.short 0x7777, 0
	.long frames
	.globl frames
frames:	.long 0, 0, 0, 0
gqs:	.short 0x7ff0, 0
	.long 0x7777, 0x7777
	.short 0x7777, 0
gsv:	.long 0
ggv:	.short 0x7ff0, 0
	.long 0x7777
pd_word: .long 0
iobm_op: .long iobm, 64                 # compat physdev_set_iobitmap {bitmap, nr_ports}
pdop:	.long 6, 1, 0, 0                # compat physdev_op {cmd = set_iopl, u.set_iopl.iopl = 1}
eoi_gmfn: .long 0
iobm:	.fill 8, 1, 0xff

	HYPERCALL_PAGE
	.globl window
window:	.fill 4096, 1, 0
eoi_page: .fill 4096, 1, 0
	.fill 8192, 1, 0
stack_top:
