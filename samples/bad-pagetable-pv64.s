# Sample pv64 guest that breaks Xen's page-table rules on purpose, to see how the debugger reports it:
#   1. mmu_update: make an L1 entry map an L1 page-table frame writable     -> Xen refuses (-EBUSY, in use as L1)
#   2. mmuext_op(MMUEXT_PIN_L1_TABLE) on an ordinary writable data page    -> Xen refuses (-EINVAL, bad type)
#   3. a plain write into its own (read-only) L1 table, with no trap table -> page fault, Xen crashes the domain
# Each refusal is in the Hypercalls view with Xen's diagnostic; the Frames view (filter: Errors) shows the frames;
# "Failed hypercalls" in the Breakpoints view stops on each one. Xen constants are predefined by our assembler.

        .xen_note XEN_ELFNOTE_GUEST_OS, "sample"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

        .equ    SI_PT_BASE, 88          # start_info.pt_base: virtual address of the L4
        .equ    M2P, 0xffff800000000000 # Xen's read-only machine-to-phys table for pv64 guests
        .equ    MFN_MASK, 0xffffffffff  # 40-bit frame numbers (bits 12..51 of an entry)
        .equ    _PAGE_RW, 2

        .code64
        .text
        .globl  _start
_start:
        cld
        lea     stack_top(%rip), %rsp
        mov     %rsi, start_info_ptr(%rip)
        lea     intro(%rip), %rdx
        mov     $(intro_end - intro), %esi
        call    say

        # Where is the L1 entry that maps `scratch`, and which frame holds that L1 table?
        lea     scratch(%rip), %rdi
        call    walk                    # rax = machine address of the entry, rdx = the entry, r8 = L1 table mfn
        mov     %rax, l1e_maddr(%rip)
        mov     %r8, l1_mfn(%rip)

        # 1. mmu_update(ptr = that entry, val = L1 table's mfn | the entry's flags | RW): a writable mapping of a
        #    page-table frame. Xen would have to take a writable_page type on an l1_page_table frame: -EBUSY.
        mov     %rdx, %rax
        movabs  $~(MFN_MASK << 12), %rcx
        and     %rcx, %rax              # keep the flags (and NX)
        or      $_PAGE_RW, %rax
        mov     %r8, %rcx
        shl     $12, %rcx
        or      %rcx, %rax
        mov     l1e_maddr(%rip), %rcx
        or      $MMU_NORMAL_PT_UPDATE, %rcx
        mov     %rcx, req(%rip)
        mov     %rax, req+8(%rip)
        lea     req(%rip), %rdi
        mov     $1, %esi
        lea     done(%rip), %rdx
        mov     $DOMID_SELF, %r10d
        call    hypercall_page + __HYPERVISOR_mmu_update * 32
        mov     %rax, result_mmu_update(%rip)
        lea     refused1(%rip), %rdx
        mov     $(refused1_end - refused1), %esi
        call    say_if_refused

        # 2. mmuext_op(MMUEXT_PIN_L1_TABLE, mfn of `scratch`): pin an ordinary data page (mapped writable) as an
        #    L1 table. Its type is writable_page, not l1_page_table: -EINVAL ("Bad type").
        lea     scratch(%rip), %rdi
        call    walk
        shr     $12, %rdx
        movabs  $MFN_MASK, %rcx
        and     %rcx, %rdx
        movl    $MMUEXT_PIN_L1_TABLE, op(%rip)
        mov     %rdx, op+8(%rip)
        lea     op(%rip), %rdi
        mov     $1, %esi
        lea     done(%rip), %rdx
        mov     $DOMID_SELF, %r10d
        call    hypercall_page + __HYPERVISOR_mmuext_op * 32
        mov     %rax, result_pin(%rip)
        lea     refused2(%rip), %rdx
        mov     $(refused2_end - refused2), %esi
        call    say_if_refused

        # 3. Write into the L1 table through the kernel's own mapping of it, which Xen made read-only.
        #    No trap table is registered, so Xen cannot bounce the page fault: it crashes the domain.
        lea     crashing(%rip), %rdx
        mov     $(crashing_end - crashing), %esi
        call    say
        mov     l1_mfn(%rip), %rax
        movabs  $M2P, %rcx
        mov     (%rcx,%rax,8), %rax     # pfn of the L1 table; VIRT_BASE is 0, so its address is pfn << 12
        shl     $12, %rax
        movq    $0, (%rax)              # #PF: write to a read-only page-table mapping
        # not reached
1:      hlt
        jmp     1b

# say(rdx = text, esi = length): console_io(CONSOLEIO_write, length, text)
say:
        mov     $CONSOLEIO_write, %edi
        jmp     hypercall_page + __HYPERVISOR_console_io * 32

# say_if_refused(rax = hypercall result, rdx/esi = text): print the text if rax is an errno
say_if_refused:
        test    %rax, %rax
        jns     1f
        jmp     say
1:      ret

# walk(rdi = va): rax = machine address of va's L1 entry, rdx = the entry, r8 = mfn of the L1 table.
# Tables are reached through Xen's initial mapping: va of a table = m2p[its mfn] << 12 (VIRT_BASE 0).
walk:
        mov     start_info_ptr(%rip), %rsi
        mov     SI_PT_BASE(%rsi), %rsi  # L4 va
        mov     $39, %ecx
        movabs  $MFN_MASK, %r9
        movabs  $M2P, %r10
2:      mov     %rdi, %rax
        shr     %cl, %rax
        and     $511, %eax
        mov     (%rsi,%rax,8), %rax     # entry at this level
        shr     $12, %rax
        and     %r9, %rax               # the next table's mfn
        mov     %rax, %r8
        mov     (%r10,%rax,8), %rsi     # its pfn
        shl     $12, %rsi
        sub     $9, %ecx
        cmp     $12, %ecx
        jne     2b
        mov     %rdi, %rax
        shr     $12, %rax
        and     $511, %eax
        mov     (%rsi,%rax,8), %rdx
        mov     %r8, %rcx
        shl     $12, %rcx
        lea     (%rcx,%rax,8), %rax
        ret

        .balign 4096
        .globl  hypercall_page
hypercall_page:
        .fill   4096, 1, 0xcc

        .section .rodata
intro:  .ascii  "bad-pagetable: asking Xen for things it must refuse\n"
intro_end:
refused1:
        .ascii  "1. mmu_update refused: an L1 table cannot be mapped writable\n"
refused1_end:
refused2:
        .ascii  "2. MMUEXT_PIN_L1_TABLE refused: a writable data page is not an L1 table\n"
refused2_end:
crashing:
        .ascii  "3. writing to our own L1 table directly (Xen will crash the domain)\n"
crashing_end:

        .data
        .balign 8
start_info_ptr:         .quad 0
l1e_maddr:              .quad 0
l1_mfn:                 .quad 0
result_mmu_update:      .quad 0
result_pin:             .quad 0
req:    .quad   0, 0            # struct mmu_update {ptr, val}
op:     .long   0, 0            # struct mmuext_op {cmd, pad; arg1 (mfn)}
        .quad   0, 0
done:   .long   0

        .balign 4096
scratch:
        .fill   4096, 1, 0      # an ordinary data page (type writable_page once mapped RW)

        .bss
        .balign 16
        .skip   8192
stack_top:
