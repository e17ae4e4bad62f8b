# pv32pae memory-management guest (ring 1, int $0x82): the same scenarios as pv64-mm.S with the compat ABI
# (32-bit words, 64-bit PTEs split into lo/hi arguments). Results (eax) go to res[], then SCHEDOP_shutdown.
	.include "pv32.inc"
	.set PG_RW, 2
	.set PG_PCD, 0x10

	PV32_NOTES "xenpv-mm-test"

	.text
	.globl _start
_start:
	mov %esi, si_ptr
	FIND_SCENARIO
	call *4(%ebx)
	jmp do_poweroff

# table_va(eax = mfn): eax = virtual address of that (bootstrap-mapped) frame.
table_va:
	MFN_TO_VA
	ret
# pte_maddr(edi = va): eax = machine address of va's L1 entry, edx:ecx = the entry (hi:lo).
pte_maddr:
	mov si_ptr, %esi
	mov SI_PT_BASE(%esi), %esi      # L3 (PDPT) va
	mov %edi, %eax
	shr $30, %eax
	mov (%esi,%eax,8), %eax
	shr $12, %eax                   # L2 mfn
	call table_va
	mov %eax, %esi
	mov %edi, %eax
	shr $21, %eax
	and $511, %eax
	mov (%esi,%eax,8), %eax
	shr $12, %eax                   # L1 mfn
	push %eax
	call table_va
	mov %eax, %esi
	mov %edi, %eax
	shr $12, %eax
	and $511, %eax
	mov (%esi,%eax,8), %ecx
	mov 4(%esi,%eax,8), %edx
	pop %esi
	shl $12, %esi
	lea (%esi,%eax,8), %eax
	ret
# mfn_of(edi = va): eax = mfn mapped at va.
mfn_of:
	call pte_maddr
	mov %ecx, %eax
	shr $12, %eax
	ret
# uvm(edi = va, edx:ecx = pte, esi = flags): update_va_mapping(va, lo, hi, flags).
uvm:
	push %ebx
	mov %edi, %ebx
	HYPERCALL __HYPERVISOR_update_va_mapping
	pop %ebx
	ret
make_ro:
	push %edi
	call pte_maddr
	pop %edi
	and $~PG_RW, %ecx
	mov $UVMF_INVLPG, %esi
	jmp uvm
# mmuext1(eax = cmd, ecx = arg1).
mmuext1:
	mov %eax, mop
	mov %ecx, mop+4
	push %ebx
	mov $mop, %ebx
	mov $1, %ecx
	mov $done_count, %edx
	mov $DOMID_SELF, %esi
	HYPERCALL __HYPERVISOR_mmuext_op
	pop %ebx
	ret
# mmu1(eax = ptr lo, edx:ecx = val).
mmu1:
	mov %eax, req
	movl $0, req+4
	mov %ecx, req+8
	mov %edx, req+12
	push %ebx
	mov $req, %ebx
	mov $1, %ecx
	mov $done_count, %edx
	mov $DOMID_SELF, %esi
	HYPERCALL __HYPERVISOR_mmu_update
	pop %ebx
	ret
# target_pte: edx:ecx = target_page's own entry.
target_pte:
	mov $target_page, %edi
	jmp pte_maddr

sc_mmu_update:
	call target_pte
	mov %ecx, tmp_lo
	mov %edx, tmp_hi
	mov $window, %edi
	call pte_maddr
	mov tmp_lo, %ecx
	mov tmp_hi, %edx
	call mmu1
	SAVE 0
	mov $MMUEXT_INVLPG_LOCAL, %eax
	mov $window, %ecx
	call mmuext1
	SAVE 1
	mov window, %eax
	SAVE 2
	ret
sc_uvm:
	mov window, %eax
	call target_pte
	mov $window, %edi
	mov $UVMF_INVLPG, %esi
	call uvm
	SAVE 0
	mov window, %eax
	SAVE 2
	ret
sc_pin:
	mov $spare_page, %edi
	call make_ro
	SAVE 0
	mov $spare_page, %edi
	call mfn_of
	mov %eax, tmp_lo
	mov $MMUEXT_PIN_L1_TABLE, %eax
	mov tmp_lo, %ecx
	call mmuext1
	SAVE 1
	mov $MMUEXT_UNPIN_TABLE, %eax
	mov tmp_lo, %ecx
	call mmuext1
	SAVE 2
	mov $MMUEXT_UNPIN_TABLE, %eax
	mov tmp_lo, %ecx
	call mmuext1
	SAVE 3
	ret
# D: a new PDPT needs its own slot-3 L2 (Xen refuses a shared one): copy both, re-point slot 3, NEW_BASEPTR.
sc_baseptr:
	mov si_ptr, %esi
	mov SI_PT_BASE(%esi), %esi
	mov 24(%esi), %eax              # L3[3]
	shr $12, %eax
	call table_va
	mov %eax, %esi
	mov $spare2_page, %edi
	mov $1024, %ecx
	rep movsl                       # copy the slot-3 L2
	mov $spare2_page, %edi
	call make_ro
	mov si_ptr, %esi
	mov SI_PT_BASE(%esi), %esi
	mov $spare_page, %edi
	mov $8, %ecx
	rep movsl                       # copy PDPT entries 0..3
	mov $spare2_page, %edi
	call mfn_of
	shl $12, %eax
	or $1, %eax
	mov %eax, spare_page + 24
	movl $0, spare_page + 28
	mov $spare_page, %edi
	call make_ro
	SAVE 0
	mov $spare_page, %edi
	call mfn_of
	mov %eax, res + 4 * 3
	mov %eax, %ecx
	mov $MMUEXT_NEW_BASEPTR, %eax
	call mmuext1
	SAVE 1
	mov target_page, %eax
	SAVE 2
	ret
sc_gdt:
	mov $gdt_page, %edi
	call make_ro
	SAVE 0
	mov $gdt_page, %edi
	call mfn_of
	mov %eax, gdt_frames
	mov %eax, res + 4 * 5
	push %ebx
	mov $gdt_frames, %ebx
	mov $16, %ecx
	HYPERCALL __HYPERVISOR_set_gdt
	pop %ebx
	SAVE 1
	mov $0x09, %eax
	mov %eax, %ds
	mov %ds, %eax
	SAVE 2
	push %ebx
	mov gdt_frames, %ebx
	shl $12, %ebx
	add $16, %ebx
	xor %ecx, %ecx
	mov $0x0000ffff, %edx
	mov $0x00cfb200, %esi
	HYPERCALL __HYPERVISOR_update_descriptor
	pop %ebx
	SAVE 3
	mov $0x11, %eax
	mov %eax, %es
	mov %es, %eax
	SAVE 4
	ret
sc_bad_writable_pt:
	mov si_ptr, %edi
	mov SI_PT_BASE(%edi), %edi
	call pte_maddr
	or $PG_RW, %ecx
	mov $window, %edi
	mov $UVMF_INVLPG, %esi
	call uvm
	SAVE 0
	ret
sc_bad_foreign:
	mov $window, %edi
	call pte_maddr
	and $0xfff, %ecx
	xor %edx, %edx
	mov $window, %edi
	xor %esi, %esi
	call uvm
	SAVE 0
	ret
sc_bad_flags:
	call target_pte
	or $PG_PCD, %ecx
	mov $window, %edi
	xor %esi, %esi
	call uvm
	SAVE 0
	ret
sc_bad_unpin:
	mov $target_page, %edi
	call mfn_of
	mov %eax, %ecx
	mov $MMUEXT_UNPIN_TABLE, %eax
	call mmuext1
	SAVE 0
	ret
sc_bad_desc:
	mov $target_page, %edi
	call mfn_of
	push %ebx
	mov %eax, %ebx
	shl $12, %ebx
	xor %ecx, %ecx
	mov $0x00000067, %edx
	mov $0x00008900, %esi
	HYPERCALL __HYPERVISOR_update_descriptor
	pop %ebx
	SAVE 0
	ret
# K (bad): mmu_update of slot 0x1ac of the slot-3 L2 (Xen's compat M2P area).
sc_bad_xen_slot:
	mov si_ptr, %esi
	mov SI_PT_BASE(%esi), %esi
	mov 24(%esi), %eax
	and $0xfffff000, %eax
	add $0x1ac * 8, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	call mmu1
	SAVE 0
	ret
sc_memory:
	push %ebx
	mov $XENMEM_current_reservation, %ebx
	mov $domid_self, %ecx
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 0
	mov $XENMEM_maximum_reservation, %ebx
	mov $domid_self, %ecx
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 1
	mov $XENMEM_memory_map, %ebx
	mov $memmap, %ecx
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 2
	pop %ebx
	mov $spare_page, %edi
	call mfn_of
	mov %eax, extent
	mov %eax, res + 4 * 6
	mov $spare_page, %edi
	xor %ecx, %ecx
	xor %edx, %edx
	mov $UVMF_INVLPG, %esi
	call uvm
	SAVE 3
	push %ebx
	mov $XENMEM_decrease_reservation, %ebx
	mov $reservation, %ecx
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 4
	movl $0x300, extent
	mov $XENMEM_populate_physmap, %ebx
	mov $reservation, %ecx
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 5
	pop %ebx
	mov extent, %eax
	mov %eax, res + 4 * 7
	ret
sc_multicall:
	call target_pte
	mov %ecx, mc0_lo
	mov %edx, mc0_hi
	or $PG_PCD, %ecx
	mov %ecx, mc2_lo
	mov %edx, mc2_hi
	push %ebx
	mov $mcalls, %ebx
	mov $3, %ecx
	HYPERCALL __HYPERVISOR_multicall
	pop %ebx
	SAVE 0
	mov mcalls + 4, %eax
	SAVE 1
	mov mcalls + 32 + 4, %eax
	SAVE 2
	mov mcalls + 64 + 4, %eax
	SAVE 3
	mov window, %eax
	SAVE 4
	ret

do_poweroff:
	POWEROFF

	.data
	.balign 16
scenarios:
	.long 'A', sc_mmu_update, 'B', sc_uvm, 'C', sc_pin, 'D', sc_baseptr, 'E', sc_gdt
	.long 'F', sc_bad_writable_pt, 'G', sc_bad_foreign, 'H', sc_bad_flags, 'I', sc_bad_unpin
	.long 'J', sc_bad_desc, 'K', sc_bad_xen_slot, 'M', sc_memory, 'N', sc_multicall, 0, 0
	.globl res, done_count, si_ptr
si_ptr:	.long 0
res:	.fill 16, 4, 0
done_count: .long 0
tmp_lo:	.long 0
tmp_hi:	.long 0
mop:	.long 0, 0, 0
	.balign 8
req:	.quad 0, 0
gdt_frames: .long 0
domid_self: .word DOMID_SELF
	.balign 4
memmap:	.long 4, 0
reservation:
	.long extent, 1, 0, 0
	.word DOMID_SELF, 0
extent:	.long 0
	.globl mcalls
mcalls:
	.long __HYPERVISOR_update_va_mapping, 0, window
mc0_lo:	.long 0
mc0_hi:	.long 0
	.long UVMF_INVLPG, 0, 0
	.long __HYPERVISOR_multicall, 0, 0, 0, 0, 0, 0, 0
	.long __HYPERVISOR_update_va_mapping, 0, window
mc2_lo:	.long 0
mc2_hi:	.long 0
	.long 0, 0, 0
shutdown_reason: .long 0

	.balign 4096
	.globl target_page, window, spare_page, gdt_page
target_page:
	.quad 0x1122334455667788
	.fill 4088, 1, 0
window:
	.quad 0x0bad0bad0bad0bad
	.fill 4088, 1, 0
spare_page:
	.fill 4096, 1, 0
spare2_page:
	.fill 4096, 1, 0
gdt_page:
	.quad 0
	.quad 0x00cfb2000000ffff        # entry 1: flat data, DPL 1
	.fill 4080, 1, 0

	HYPERCALL_PAGE
