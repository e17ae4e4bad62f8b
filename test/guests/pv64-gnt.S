# pv64 guest for grant_table_op and physdev_op: the first command-line byte picks a scenario; each hypercall's rax
# (and the OUT fields the test checks) go to res[], then SCHEDOP_shutdown(poweroff).
	.include "pv64.inc"

	PV64_NOTES "xenpv-gnt-test"

	# grant_table_op(cmd, uop, count) -> res[k]
	.macro GNT k, cmd, uop, count
	mov $(\cmd), %edi
	lea \uop(%rip), %rsi
	mov $(\count), %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE \k
	.endm
	# physdev_op(cmd, arg) -> res[k]
	.macro PHYS k, cmd, arg
	mov $(\cmd), %edi
	lea \arg(%rip), %rsi
	HYPERCALL __HYPERVISOR_physdev_op
	SAVE \k
	.endm
	# res[k] = sign-extended 16-bit field
	.macro SAVE16 k, field
	movswq \field(%rip), %rax
	SAVE \k
	.endm
	.macro SAVE32 k, field
	movl \field(%rip), %eax
	SAVE \k
	.endm

	.text
	.globl _start
_start:
	lea stack_top(%rip), %rsp
	mov %rsi, si_ptr(%rip)
	FIND_SCENARIO
	call *8(%rbx)
do_poweroff:
	POWEROFF

# mfn_of(rdi = va in the bootstrap region): rax = mfn_list[(va - VIRT_BASE) >> 12].
mfn_of:
	movabs $VIRT_BASE, %rax
	sub %rax, %rdi
	shr $12, %rdi
	mov si_ptr(%rip), %rax
	mov SI_MFN_LIST(%rax), %rax
	mov (%rax,%rdi,8), %rax
	ret

# A: setup_table(2 frames) -> map frame 0 at `window` with update_va_mapping, write a grant entry and a word.
sc_setup_map:
	GNT 0, GNTTABOP_setup_table, gst, 1
	SAVE16 1, gst+8
	mov frames(%rip), %rax
	SAVE 2
	mov frames+8(%rip), %rax
	SAVE 3
	lea window(%rip), %rdi
	mov frames(%rip), %rsi
	shl $12, %rsi
	or $0x63, %rsi                  # present, rw, accessed, dirty
	mov $UVMF_INVLPG, %edx
	HYPERCALL __HYPERVISOR_update_va_mapping
	SAVE 4
	lea window(%rip), %rdi
	movw $1, (%rdi)                 # grant ref 0: GTF_permit_access to d0, frame 0x42
	movw $0, 2(%rdi)
	movl $0x42, 4(%rdi)
	movabs $0x1234abcd5678, %rax
	mov %rax, 4000(%rdi)
	mov 4000(%rdi), %rax
	SAVE 5
	GNT 6, GNTTABOP_query_size, gqs, 1
	SAVE32 7, gqs+4
	ret

# B: query_size at start of day.
sc_query:
	GNT 0, GNTTABOP_query_size, gqs, 1
	SAVE32 1, gqs+4
	SAVE32 2, gqs+8
	SAVE16 3, gqs+12
	ret

# C: set_version 1 / 2 / 3, get_version of self and of a missing domain.
sc_version:
	movl $1, gsv(%rip)
	GNT 0, GNTTABOP_set_version, gsv, 1
	SAVE32 1, gsv
	movl $2, gsv(%rip)
	GNT 2, GNTTABOP_set_version, gsv, 1
	SAVE32 3, gsv
	movl $3, gsv(%rip)
	GNT 4, GNTTABOP_set_version, gsv, 1
	GNT 5, GNTTABOP_get_version, ggv, 1
	SAVE32 6, ggv+4
	movw $5, ggv(%rip)
	GNT 7, GNTTABOP_get_version, ggv, 1
	ret

# D: statuses: bad domain, dom0, too many frames, count != 1, query_size of a missing domain.
sc_status:
	movw $5, gst(%rip)
	GNT 0, GNTTABOP_setup_table, gst, 1
	SAVE16 1, gst+8
	movw $0, gst(%rip)
	GNT 2, GNTTABOP_setup_table, gst, 1
	SAVE16 3, gst+8
	movw $0x7ff0, gst(%rip)
	movl $33, gst+4(%rip)
	GNT 4, GNTTABOP_setup_table, gst, 1
	SAVE16 5, gst+8
	GNT 6, GNTTABOP_setup_table, gst, 2
	movw $7, gqs(%rip)
	GNT 7, GNTTABOP_query_size, gqs, 1
	SAVE16 8, gqs+12
	ret

# E: bad pointers: an unmapped struct, an unmapped frame_list, a frame_list in Xen's range.
sc_fault:
	mov $GNTTABOP_setup_table, %edi
	mov $0x1000, %esi
	mov $1, %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE 0
	movq $0x1000, gst+16(%rip)
	GNT 1, GNTTABOP_setup_table, gst, 1
	SAVE16 2, gst+8
	movabs $0xffff800000001000, %rax
	mov %rax, gst+16(%rip)
	movw $0x1234, gst+8(%rip)
	GNT 3, GNTTABOP_setup_table, gst, 1
	SAVE16 4, gst+8
	mov $GNTTABOP_query_size, %edi
	mov $0x2000, %esi
	mov $1, %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE 5
	mov $GNTTABOP_set_version, %edi
	mov $0x2000, %esi
	mov $1, %edx
	HYPERCALL __HYPERVISOR_grant_table_op
	SAVE 6
	ret

# F: unknown op, an unimplemented op, continuation bits, a negative count, get_status_frames on a v1 table.
sc_ops:
	GNT 0, 99, gst, 1
	GNT 1, GNTTABOP_map_grant_ref, gst, 1
	GNT 2, GNTTABOP_setup_table | (1 << 12), gst, 1
	GNT 3, GNTTABOP_setup_table, gst, -1
	GNT 4, GNTTABOP_get_status_frames, gsf, 1
	SAVE16 5, gsf+6
	movl $1, gsf(%rip)
	GNT 6, GNTTABOP_get_status_frames, gsf, 1
	SAVE16 7, gsf+6
	ret

# G: physdev_op as an unprivileged domU.
sc_physdev:
	movl $1, pd_word(%rip)
	PHYS 0, 6, pd_word                  # set_iopl 1
	movl $4, pd_word(%rip)
	PHYS 1, 6, pd_word                  # set_iopl 4: -EINVAL
	PHYS 2, 7, iobm_op                  # set_iobitmap(iobm, 128)
	movl $65537, iobm_op+8(%rip)
	PHYS 3, 7, iobm_op                  # nr_ports > 65536: -EINVAL
	movl $128, iobm_op+8(%rip)
	movabs $0xffff800000000000, %rax
	mov %rax, iobm_op(%rip)
	PHYS 4, 7, iobm_op                  # bitmap in Xen's range: -EINVAL
	movl $5, irqq(%rip)
	PHYS 5, 5, irqq                     # irq_status_query(5)
	SAVE32 6, irqq+4
	movl $100, irqq(%rip)
	PHYS 7, 5, irqq                     # irq 100: -EINVAL
	movl $1, fpirq(%rip)
	PHYS 8, 23, fpirq                   # get_free_pirq(GSI)
	SAVE32 9, fpirq+4
	movl $0, fpirq(%rip)
	PHYS 10, 23, fpirq                  # get_free_pirq(MSI)
	SAVE32 11, fpirq+4
	mov res + 8 * 9(%rip), %eax
	mov %eax, pd_word(%rip)
	PHYS 12, 12, pd_word                # eoi(allocated pirq)
	movl $3, pd_word(%rip)
	PHYS 13, 12, pd_word                # eoi(3): not allocated
	movw $0x7ff0, mpirq(%rip)
	PHYS 14, 13, mpirq                  # map_pirq(self): -EPERM
	movw $77, mpirq(%rip)
	PHYS 15, 13, mpirq                  # map_pirq(d77): -ESRCH
	PHYS 16, 8, apic                    # apic_read: -EPERM
	mov si_ptr(%rip), %rax
	mov SI_PT_BASE(%rax), %rdi
	call mfn_of
	mov %rax, eoi_gmfn(%rip)
	PHYS 17, 28, eoi_gmfn               # pirq_eoi_gmfn_v2(L4 frame): -EINVAL
	lea eoi_page(%rip), %rdi
	call mfn_of
	mov %rax, eoi_gmfn(%rip)
	PHYS 18, 28, eoi_gmfn               # pirq_eoi_gmfn_v2(a data page): 0
	PHYS 19, 17, eoi_gmfn               # again: -EBUSY
	lea pdop(%rip), %rdi
	HYPERCALL __HYPERVISOR_physdev_op_compat   # {set_iopl, 2}
	SAVE 20
	PHYS 21, 99, pd_word                # no such op: -ENOSYS
	mov $6, %edi
	mov $0x1000, %esi
	HYPERCALL __HYPERVISOR_physdev_op   # set_iopl(unmapped): -EFAULT
	SAVE 22
	PHYS 23, 29, pd_word                # dbgp_op: -EPERM
	PHYS 24, 19, pd_word                # restore_msi: -ENODEV
	ret

	.data
	.balign 16
scenarios:
	.quad 'A', sc_setup_map
	.quad 'B', sc_query
	.quad 'C', sc_version
	.quad 'D', sc_status
	.quad 'E', sc_fault
	.quad 'F', sc_ops
	.quad 'G', sc_physdev
	.quad 0, 0
	.balign 8
si_ptr: .quad 0
shutdown_reason: .long 0
	.balign 8
	.globl res
res:	.fill 32, 8, 0x5a5a5a5a
gst:	.short 0x7ff0, 0                # gnttab_setup_table {dom, nr_frames, status, frame_list}
	.long 2
	.short 0x7777, 0
	.long 0
	.quad frames
	.globl frames
frames:	.quad 0, 0, 0, 0
gqs:	.short 0x7ff0, 0                # gnttab_query_size {dom, nr_frames, max_nr_frames, status}
	.long 0x7777, 0x7777
	.short 0x7777, 0
gsv:	.long 0                         # gnttab_set_version
ggv:	.short 0x7ff0, 0                # gnttab_get_version {dom, pad, version}
	.long 0x7777
gsf:	.long 0                         # gnttab_get_status_frames {nr_frames, dom, status, frame_list}
	.short 0x7ff0, 0x7777
	.quad frames
pd_word: .long 0, 0
iobm_op: .quad iobm                     # physdev_set_iobitmap {bitmap, nr_ports}
	.long 128, 0
irqq:	.long 0, 0x7777                 # physdev_irq_status_query {irq, flags}
fpirq:	.long 0, 0x7777                 # physdev_get_free_pirq {type, pirq}
mpirq:	.short 0x7ff0, 0                # physdev_map_pirq {domid, type, index, pirq, bus, devfn, entry_nr, table_base}
	.long 1, 5, -1, 0, 0, 0, 0
	.quad 0
apic:	.quad 0xfec00000                # physdev_apic {apic_physbase, reg, value}
	.long 1, 0
eoi_gmfn: .quad 0
pdop:	.long 6, 0                      # physdev_op {cmd = set_iopl, pad, u.set_iopl.iopl = 2}
	.long 2, 0, 0, 0
iobm:	.fill 16, 1, 0xff

	HYPERCALL_PAGE
	.globl window
window:	.fill 4096, 1, 0
eoi_page: .fill 4096, 1, 0
	.fill 8192, 1, 0
stack_top:
