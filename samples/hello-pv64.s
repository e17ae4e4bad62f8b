# Sample pv64 guest for `npm start`: boots on the emulated Xen hypervisor, prints through console_io,
# asks Xen its version, makes one request Xen must reject (pinning its already-pinned L4 page table
# again) so the trace shows the errno and Xen's diagnostic, then powers off.
# Xen constants (__HYPERVISOR_*, CONSOLEIO_*, MMUEXT_*, XEN_ELFNOTE_*...) are predefined by our assembler.

        .xen_note XEN_ELFNOTE_GUEST_OS, "sample"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

        .equ    SI_PT_BASE, 88          # start_info.pt_base (virtual address of the L4)
        .equ    SI_MFN_LIST, 104        # start_info.mfn_list (virtual address of the p2m array)

        .code64
        .text
        .globl  _start
_start:
        cld
        lea     stack_top(%rip), %rsp
        mov     %rsi, %rbx              # rsi = start_info at entry

        # console_io(CONSOLEIO_write, len, buffer)
        mov     $CONSOLEIO_write, %edi
        mov     $(hello_end - hello), %esi
        lea     hello(%rip), %rdx
        call    hypercall_page + __HYPERVISOR_console_io * 32

        # xen_version(XENVER_version, NULL): major << 16 | minor in rax
        mov     $0, %edi                # XENVER_version
        xor     %esi, %esi
        call    hypercall_page + __HYPERVISOR_xen_version * 32
        mov     %rax, xen_version_value(%rip)

        # mfn of our L4 = mfn_list[pt_base >> 12] (VIRT_BASE is 0, so pfn = va >> 12)
        mov     SI_PT_BASE(%rbx), %rax
        shr     $12, %rax
        mov     SI_MFN_LIST(%rbx), %rcx
        mov     (%rcx,%rax,8), %rax
        mov     %rax, pin_op_mfn(%rip)

        # mmuext_op([{MMUEXT_PIN_L4_TABLE, mfn}], 1, &done, DOMID_SELF): Xen pinned it at build -> -EINVAL
        lea     pin_op(%rip), %rdi
        mov     $1, %esi
        lea     pin_done(%rip), %rdx
        mov     $DOMID_SELF, %r10d
        call    hypercall_page + __HYPERVISOR_mmuext_op * 32
        test    %rax, %rax
        jz      1f
        mov     $CONSOLEIO_write, %edi
        mov     $(rejected_end - rejected), %esi
        lea     rejected(%rip), %rdx
        call    hypercall_page + __HYPERVISOR_console_io * 32
1:
        # sched_op(SCHEDOP_shutdown, &{SHUTDOWN_poweroff})
        mov     $SCHEDOP_shutdown, %edi
        lea     shutdown_reason(%rip), %rsi
        call    hypercall_page + __HYPERVISOR_sched_op * 32
2:      hlt
        jmp     2b

        .balign 4096
        .globl  hypercall_page
hypercall_page:
        .fill   4096, 1, 0xcc

        .section .rodata
hello:  .ascii  "Hello from a Xen PV guest running on an emulated hypervisor\n"
hello_end:
rejected:
        .ascii  "Xen refused to pin our L4 twice, as it should (see the hypercall trace)\n"
rejected_end:

        .data
        .balign 8
xen_version_value:      .quad 0
pin_op: .long   MMUEXT_PIN_L4_TABLE, 0
pin_op_mfn:     .quad 0
        .quad   0
pin_done:       .long 0
shutdown_reason:        .long SHUTDOWN_poweroff

        .bss
        .balign 16
        .skip   8192
stack_top:
