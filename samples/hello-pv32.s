# Sample pv32pae guest: a 32-bit kernel at ring 1 with PAE paging. It writes to the console with a raw
# `int $0x82` and through the hypercall page, registers a trap table and its kernel stack, asks Xen its
# version, then powers off. Hypercall arguments go in ebx, ecx, edx, esi, edi; the result comes back in eax.
# Xen starts it on its reserved flat selectors: CS = 0xe019 (FLAT_RING1_CS), DS = ES = SS = 0xe021 (FLAT_RING1_DS).
# Try: a function breakpoint "hypercall:console_io", then look at the GDT and Segment Registers views.

        .code32                         # before the notes: address-sized notes are 4 bytes
        .xen_note XEN_ELFNOTE_GUEST_OS, "sample"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_PAE_MODE, "yes"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

        # FLAT_RING1_CS / FLAT_RING1_DS are predefined for a .code32 image (xen/include/public/arch-x86/xen-x86_32.h)
        .equ    TRAP_page_fault, 14

        .text
        .globl  _start
_start:
        cld
        mov     $stack_top, %esp
        mov     %esi, start_info_ptr    # esi = start_info at entry

        # console_io(CONSOLEIO_write, len, buffer) straight through the hypercall trap
        mov     $__HYPERVISOR_console_io, %eax
        mov     $CONSOLEIO_write, %ebx
        mov     $(hello_end - hello), %ecx
        mov     $hello, %edx
        int     $0x82

        # set_trap_table(traps): our page-fault handler runs at ring 1 on FLAT_RING1_CS
        mov     $traps, %ebx
        call    hypercall_page + __HYPERVISOR_set_trap_table * 32

        # stack_switch(ss, esp): the ring-1 stack Xen switches to on traps and events
        mov     $FLAT_RING1_DS, %ebx
        mov     $stack_top, %ecx
        call    hypercall_page + __HYPERVISOR_stack_switch * 32

        # xen_version(XENVER_version, NULL): major << 16 | minor in eax
        xor     %ebx, %ebx
        xor     %ecx, %ecx
        call    hypercall_page + __HYPERVISOR_xen_version * 32
        mov     %eax, xen_version_value

        # console_io again, this time through the hypercall page
        mov     $CONSOLEIO_write, %ebx
        mov     $(bye_end - bye), %ecx
        mov     $bye, %edx
        call    hypercall_page + __HYPERVISOR_console_io * 32

        # sched_op(SCHEDOP_shutdown, &{SHUTDOWN_poweroff})
        mov     $SCHEDOP_shutdown, %ebx
        mov     $shutdown_reason, %ecx
        call    hypercall_page + __HYPERVISOR_sched_op * 32
1:      jmp     1b

# A page fault would land here (Xen's bounce frame on the ring-1 stack): report it and crash the domain.
page_fault:
        mov     $CONSOLEIO_write, %ebx
        mov     $(pf_end - pf), %ecx
        mov     $pf, %edx
        call    hypercall_page + __HYPERVISOR_console_io * 32
        mov     $SCHEDOP_shutdown, %ebx
        mov     $crash_reason, %ecx
        call    hypercall_page + __HYPERVISOR_sched_op * 32
        jmp     page_fault

        .balign 4096
        .globl  hypercall_page
hypercall_page:
        .fill   4096, 1, 0xcc

        .section .rodata
hello:  .ascii  "Hello from a 32-bit PAE Xen PV guest at ring 1\n"
hello_end:
bye:    .ascii  "Trap table and kernel stack registered; powering off\n"
bye_end:
pf:     .ascii  "page fault in the sample guest\n"
pf_end:

        .data
        .balign 4
# struct trap_info (x86_32): u8 vector, u8 flags (DPL of a software int), u16 cs, u32 address; a zero entry ends it
traps:  .byte   TRAP_page_fault, 0
        .word   FLAT_RING1_CS
        .long   page_fault
        .long   0, 0
start_info_ptr:         .long 0
xen_version_value:      .long 0
shutdown_reason:        .long SHUTDOWN_poweroff
crash_reason:           .long SHUTDOWN_crash

        .bss
        .balign 16
        .skip   8192
stack_top:
