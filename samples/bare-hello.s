# Sample program for the bare machine (xenpv run --bare): prints a greeting and the first
# Fibonacci numbers through the 0xe9 debug port, checks a memory copy, then halts.
        .code64
        .text
        .globl _start
_start:
        lea     msg(%rip), %rsi
        call    puts

        xor     %ebx, %ebx              # fib(n-1)
        mov     $1, %r12d               # fib(n)
        mov     $20, %r13d              # how many
1:      mov     %r12, %rax
        call    print_dec
        mov     $' ', %al
        call    putc
        lea     (%rbx,%r12), %rax
        mov     %r12, %rbx
        mov     %rax, %r12
        dec     %r13d
        jnz     1b
        mov     $'\n', %al
        call    putc

        # copy the message with rep movsb and compare it back with repe cmpsb
        lea     msg(%rip), %rsi
        lea     buffer(%rip), %rdi
        mov     $msg_len, %ecx
        cld
        rep movsb
        lea     msg(%rip), %rsi
        lea     buffer(%rip), %rdi
        mov     $msg_len, %ecx
        repe cmpsb
        jne     2f
        lea     ok_msg(%rip), %rsi
        call    puts
        hlt
2:      lea     bad_msg(%rip), %rsi
        call    puts
        hlt

# putc: write %al to the debug console
putc:   out     %al, $0xe9
        ret

# puts: write the NUL-terminated string at %rsi
puts:   lodsb
        test    %al, %al
        jz      1f
        call    putc
        jmp     puts
1:      ret

# print_dec: write %rax in decimal
print_dec:
        push    %rbx
        lea     digits_end(%rip), %rdi
        mov     $10, %ebx
1:      xor     %edx, %edx
        div     %rbx
        add     $'0', %dl
        dec     %rdi
        mov     %dl, (%rdi)
        test    %rax, %rax
        jnz     1b
        mov     %rdi, %rsi
        call    puts
        pop     %rbx
        ret

        .data
msg:    .asciz  "Hello from the emulated x86 CPU!\nFibonacci: "
        .equ    msg_len, . - msg
ok_msg: .asciz  "rep movsb / repe cmpsb round trip OK\n"
bad_msg: .asciz "memory copy mismatch\n"
digits: .fill   24, 1, 0
digits_end:
        .byte   0
        .bss
buffer: .skip   256
