// Sample guest-assembly documents shared by the language-server tests (line numbers are asserted on).

export const SAMPLE64 = [
  '# sample pv64 guest',                       // 0
  '        .code64',                           // 1
  '        .equ KERNEL_CS, 0xe033',            // 2
  '        .section .text',                    // 3
  '        .globl _start',                     // 4
  '_start:',                                   // 5
  '        mov $0xe02b, %ax',                  // 6
  '        mov %ax, %ss',                      // 7
  '        mov $__HYPERVISOR_console_io, %eax', // 8
  '        mov $18, %eax',                     // 9
  '        syscall',                           // 10
  '1:      dec %ecx',                          // 11
  '        jnz 1b',                            // 12
  '        jmp 1f',                            // 13
  '1:      hlt',                               // 14
  '        jmp _start',                        // 15
  '        .data',                             // 16
  'gdt:',                                      // 17
  '        .quad 0x00cfba000000ffff',          // 18
  'l1_pt:',                                    // 19
  '        .quad 0x0000000000123067',          // 20
  'msg:    .ascii "hello\\n"',                 // 21
  '        .macro HCALL nr',                   // 22
  '        mov $\\nr, %eax',                   // 23
  '        syscall',                           // 24
  '        .endm',                             // 25
  '        .text',                             // 26
  '        HCALL 18',                          // 27
  '        movw $KERNEL_CS, %bx',              // 28
  '        lea msg(%rip), %rsi',               // 29
  '',
].join('\n');

/** Line 2 holds two errors: an unknown mnemonic and an undefined symbol on line 3. */
export const BROKEN = [
  '        .code64',
  '_start: mov $1, %eax',
  '        bogus %eax',
  '        jmp nowhere',
  '',
].join('\n');
