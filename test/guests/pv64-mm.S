# pv64 memory-management guest: page-table and descriptor hypercalls, good and deliberately bad. The first
# command-line byte picks the scenario; results (rax of each hypercall) go to res[], then SCHEDOP_shutdown.
	.include "pv64.inc"
	.set PG_RW, 2
	.set PG_PCD, 0x10

	PV64_NOTES "xenpv-mm-test"

	.text
	.globl _start
_start:
	mov %rsi, si_ptr(%rip)
	FIND_SCENARIO
	call *8(%rbx)
	jmp do_poweroff

# pte_maddr(rdi = va): rax = machine address of va's L1 entry, rdx = the entry, rsi = L1 table va.
pte_maddr:
	mov si_ptr(%rip), %rsi
	mov SI_PT_BASE(%rsi), %rsi      # L4 va
	mov $39, %ecx
	movabs $0xffffffffff, %r9
1:	mov %rdi, %rax
	shr %cl, %rax
	and $511, %eax
	mov (%rsi,%rax,8), %rax
	shr $12, %rax
	and %r9, %rax                   # next table's mfn
	mov %rax, %r8
	movabs $M2P, %rdx
	mov (%rdx,%rax,8), %rax          # its pfn
	shl $12, %rax
	movabs $VIRT_BASE, %rdx
	lea (%rax,%rdx), %rsi
	sub $9, %ecx
	cmp $12, %ecx
	jne 1b
	mov %rdi, %rax
	shr $12, %rax
	and $511, %eax
	mov (%rsi,%rax,8), %rdx
	shl $12, %r8
	lea (%r8,%rax,8), %rax
	ret
# mfn_of(rdi = va): rax = mfn mapped at va.
mfn_of:
	call pte_maddr
	mov %rdx, %rax
	shr $12, %rax
	movabs $0xffffffffff, %r9
	and %r9, %rax
	ret
# uvm(rdi = va, rsi = new pte, rdx = flags): update_va_mapping.
uvm:
	HYPERCALL __HYPERVISOR_update_va_mapping
	ret
# make_ro(rdi = va): clear RW in va's mapping.
make_ro:
	push %rdi
	call pte_maddr
	pop %rdi
	mov %rdx, %rsi
	and $~PG_RW, %rsi
	mov $UVMF_INVLPG, %edx
	jmp uvm
# mmuext1(edi = cmd, rsi = arg1): one mmuext_op, done count in done_count.
mmuext1:
	mov %edi, mop(%rip)
	mov %rsi, mop+8(%rip)
	lea mop(%rip), %rdi
	mov $1, %esi
	lea done_count(%rip), %rdx
	mov $DOMID_SELF, %r10d
	HYPERCALL __HYPERVISOR_mmuext_op
	ret
# mmu1(rdi = ptr, rsi = val): one mmu_update.
mmu1:
	mov %rdi, req(%rip)
	mov %rsi, req+8(%rip)
	lea req(%rip), %rdi
	mov $1, %esi
	lea done_count(%rip), %rdx
	mov $DOMID_SELF, %r10d
	HYPERCALL __HYPERVISOR_mmu_update
	ret
# pte_for(rdi = va): rax = a present RW entry mapping target_page (its own entry).
target_pte:
	lea target_page(%rip), %rdi
	call pte_maddr
	mov %rdx, %rax
	ret

# A: mmu_update window's PTE -> target_page, invlpg, read through the window.
sc_mmu_update:
	call target_pte
	mov %rax, %r12
	lea window(%rip), %rdi
	call pte_maddr
	mov %rax, %rdi
	mov %r12, %rsi
	call mmu1
	SAVE 0
	mov $MMUEXT_INVLPG_LOCAL, %edi
	lea window(%rip), %rsi
	call mmuext1
	SAVE 1
	mov window(%rip), %rax
	SAVE 2
	ret
# B: update_va_mapping(window -> target_page, UVMF_INVLPG), read through the window.
sc_uvm:
	mov window(%rip), %rax          # prime the TLB with the old mapping
	call target_pte
	lea window(%rip), %rdi
	mov %rax, %rsi
	mov $UVMF_INVLPG, %edx
	call uvm
	SAVE 0
	mov window(%rip), %rax
	SAVE 2
	ret
# C: make spare_page read-only, pin it as an L1, unpin it, unpin again (bad: not pinned).
sc_pin:
	lea spare_page(%rip), %rdi
	call make_ro
	SAVE 0
	lea spare_page(%rip), %rdi
	call mfn_of
	mov %rax, %r12
	mov $MMUEXT_PIN_L1_TABLE, %edi
	mov %r12, %rsi
	call mmuext1
	SAVE 1
	mov $MMUEXT_UNPIN_TABLE, %edi
	mov %r12, %rsi
	call mmuext1
	SAVE 2
	mov $MMUEXT_UNPIN_TABLE, %edi
	mov %r12, %rsi
	call mmuext1
	SAVE 3
	ret
# D: copy the L4 into spare_page, make it read-only, NEW_BASEPTR to it, keep running.
sc_baseptr:
	mov si_ptr(%rip), %rsi
	mov SI_PT_BASE(%rsi), %rsi
	lea spare_page(%rip), %rdi
	mov $512, %ecx
	rep movsq
	lea spare_page(%rip), %rdi
	call make_ro
	SAVE 0
	lea spare_page(%rip), %rdi
	call mfn_of
	mov %rax, res + 8 * 3(%rip)
	mov $MMUEXT_NEW_BASEPTR, %edi
	mov %rax, %rsi
	call mmuext1
	SAVE 1
	mov target_page(%rip), %rax     # still mapped through the new L4
	SAVE 2
	ret
# E: set_gdt with a guest data segment, load it; update_descriptor a second one, load it.
sc_gdt:
	lea gdt_page(%rip), %rdi
	call make_ro
	SAVE 0
	lea gdt_page(%rip), %rdi
	call mfn_of
	mov %rax, gdt_frames(%rip)
	mov %rax, res + 8 * 5(%rip)
	lea gdt_frames(%rip), %rdi
	mov $16, %esi
	HYPERCALL __HYPERVISOR_set_gdt
	SAVE 1
	mov $0x0b, %eax
	mov %eax, %ds
	mov %ds, %eax
	SAVE 2
	mov gdt_frames(%rip), %rdi
	shl $12, %rdi
	add $16, %rdi                   # entry 2
	movabs $0x00cff2000000ffff, %rsi
	HYPERCALL __HYPERVISOR_update_descriptor
	SAVE 3
	mov $0x13, %eax
	mov %eax, %es
	mov %es, %eax
	SAVE 4
	ret
# F (bad): map a page-table frame (the L4) writable at the window.
sc_bad_writable_pt:
	mov si_ptr(%rip), %rdi
	mov SI_PT_BASE(%rdi), %rdi
	call pte_maddr
	mov %rdx, %rsi
	or $PG_RW, %rsi
	lea window(%rip), %rdi
	mov $UVMF_INVLPG, %edx
	call uvm
	SAVE 0
	ret
# G (bad): map a frame this domain does not own (machine frame 0, Xen's).
sc_bad_foreign:
	lea window(%rip), %rdi
	call pte_maddr
	mov %rdx, %rsi
	and $0xfff, %rsi                # same flags, frame 0
	lea window(%rip), %rdi
	xor %edx, %edx
	call uvm
	SAVE 0
	ret
# H (bad): L1 entry with a cache-attribute flag (PCD) a domU may not set.
sc_bad_flags:
	call target_pte
	mov %rax, %rsi
	or $PG_PCD, %rsi
	lea window(%rip), %rdi
	xor %edx, %edx
	call uvm
	SAVE 0
	ret
# I (bad): unpin a frame that is not pinned.
sc_bad_unpin:
	lea target_page(%rip), %rdi
	call mfn_of
	mov $MMUEXT_UNPIN_TABLE, %edi
	mov %rax, %rsi
	call mmuext1
	SAVE 0
	ret
# J (bad): update_descriptor with a TSS descriptor (system type 9).
sc_bad_desc:
	lea target_page(%rip), %rdi
	call mfn_of
	shl $12, %rax
	mov %rax, %rdi
	movabs $0x0000890000000067, %rsi
	HYPERCALL __HYPERVISOR_update_descriptor
	SAVE 0
	ret
# K (bad): mmu_update of L4 slot 256 (Xen's read-only M2P slot).
sc_bad_xen_slot:
	mov si_ptr(%rip), %rdi
	mov SI_PT_BASE(%rdi), %rdi
	call mfn_of
	shl $12, %rax
	lea 256*8(%rax), %rdi
	xor %esi, %esi
	call mmu1
	SAVE 0
	ret
# M: memory_op reservations: current, maximum, memory_map, decrease spare_page's frame, populate it back.
sc_memory:
	mov $XENMEM_current_reservation, %edi
	lea domid_self(%rip), %rsi
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 0
	mov $XENMEM_maximum_reservation, %edi
	lea domid_self(%rip), %rsi
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 1
	mov $XENMEM_memory_map, %edi
	lea memmap(%rip), %rsi
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 2
	lea spare_page(%rip), %rdi      # unmap spare_page, then give its frame back
	call pte_maddr
	mov %rdx, %rax
	shr $12, %rax
	movabs $0xffffffffff, %r9
	and %r9, %rax
	mov %rax, extent(%rip)
	mov %rax, res + 8 * 6(%rip)
	lea spare_page(%rip), %rdi
	xor %esi, %esi
	mov $UVMF_INVLPG, %edx
	call uvm
	SAVE 3
	mov $XENMEM_decrease_reservation, %edi
	lea reservation(%rip), %rsi
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 4
	movq $0x300, extent(%rip)       # populate pfn 0x300 again
	mov $XENMEM_populate_physmap, %edi
	lea reservation(%rip), %rsi
	HYPERCALL __HYPERVISOR_memory_op
	SAVE 5
	mov extent(%rip), %rax
	mov %rax, res + 8 * 7(%rip)
	ret
# N: multicall [update_va_mapping(window -> target), nested multicall, update_va_mapping with bad flags].
sc_multicall:
	call target_pte
	mov %rax, mc0_val(%rip)
	mov %rax, %rdx
	or $PG_PCD, %rdx
	mov %rdx, mc2_val(%rip)
	lea window(%rip), %rax
	mov %rax, mc0_va(%rip)
	mov %rax, mc2_va(%rip)
	lea mcalls(%rip), %rdi
	mov $3, %esi
	HYPERCALL __HYPERVISOR_multicall
	SAVE 0
	mov mcalls + 8(%rip), %rax
	SAVE 1
	mov mcalls + 64 + 8(%rip), %rax
	SAVE 2
	mov mcalls + 128 + 8(%rip), %rax
	SAVE 3
	mov window(%rip), %rax
	SAVE 4
	ret

do_poweroff:
	POWEROFF

	.data
	.balign 16
scenarios:
	.quad 'A', sc_mmu_update
	.quad 'B', sc_uvm
	.quad 'C', sc_pin
	.quad 'D', sc_baseptr
	.quad 'E', sc_gdt
	.quad 'F', sc_bad_writable_pt
	.quad 'G', sc_bad_foreign
	.quad 'H', sc_bad_flags
	.quad 'I', sc_bad_unpin
	.quad 'J', sc_bad_desc
	.quad 'K', sc_bad_xen_slot
	.quad 'M', sc_memory
	.quad 'N', sc_multicall
	.quad 0, 0
	.globl res, done_count, si_ptr
si_ptr:	.quad 0
res:	.fill 16, 8, 0
done_count: .quad 0
mop:	.quad 0, 0, 0
req:	.quad 0, 0
gdt_frames: .quad 0
domid_self: .word DOMID_SELF
	.balign 8
memmap:	.long 4, 0
	.quad 0
reservation:
	.quad extent                    # extent_start
	.quad 1                         # nr_extents
	.long 0, 0                      # extent_order, mem_flags
	.word DOMID_SELF, 0, 0, 0
extent:	.quad 0
	.globl mcalls
mcalls:
	.quad __HYPERVISOR_update_va_mapping, 0
mc0_va:	.quad 0
mc0_val: .quad 0
	.quad UVMF_INVLPG, 0, 0, 0
	.quad __HYPERVISOR_multicall, 0, 0, 0, 0, 0, 0, 0
	.quad __HYPERVISOR_update_va_mapping, 0
mc2_va:	.quad 0
mc2_val: .quad 0
	.quad 0, 0, 0, 0
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
gdt_page:
	.quad 0
	.quad 0x00cff2000000ffff        # entry 1: flat data, DPL 3
	.fill 4080, 1, 0

	HYPERCALL_PAGE
