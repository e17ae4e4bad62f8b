// A freestanding C pv64 guest for the CFI stack-walk tests, built with gcc -O2 -fomit-frame-pointer (rbp is an
// ordinary register there, so the frame-pointer walk cannot work): _start -> start_c -> outer -> middle -> leaf.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.resolve(__dirname, '../.build/debug-cfi');

const SOURCE = String.raw`
/* Xen ELF notes (elfnote.h) and the entry/hypercall page, in top-level asm. */
#define NOTE(type, body) \
  ".pushsection .note.Xen,\"a\",@note\n.balign 4\n.long 4, 2f-1f, " #type "\n.asciz \"Xen\"\n.balign 4\n1: " body "\n2: .balign 4\n.popsection\n"
__asm__(NOTE(6, ".asciz \"cfi-test\"") NOTE(5, ".asciz \"xen-3.0\"") NOTE(8, ".asciz \"generic\"")
        NOTE(3, ".quad 0x400000") NOTE(4, ".quad 0x400000") NOTE(1, ".quad _start") NOTE(2, ".quad hypercall_page"));

__asm__(".pushsection .text.start,\"ax\"\n.globl _start\n_start:\n.cfi_startproc\n.cfi_undefined rip\n"
        "xor %ebp, %ebp\ncall start_c\nud2\n.cfi_endproc\n.popsection\n"
        ".pushsection .text.hcpage,\"ax\"\n.balign 4096\n.globl hypercall_page\nhypercall_page:\n.fill 4096, 1, 0xcc\n.popsection\n");

#define NOINLINE __attribute__((noinline))
volatile long sink;
volatile long seeds[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };

/* leaf keeps a stack buffer (rsp moves; CFA != rsp + 8). */
NOINLINE long leaf(long x) {
  volatile long buf[6];
  for (int i = 0; i < 6; i++) buf[i] = x + i + seeds[i];
  __asm__ volatile("leaf_body:" ::: "memory");
  long s = 0;
  for (int i = 0; i < 6; i++) s += buf[i];
  return s;
}

/* middle keeps many values live across the call: it saves rbx, rbp, r12..r15 and uses rbp for data. */
NOINLINE long middle(long x) {
  long a = seeds[0] * x, b = seeds[1] + x, c = seeds[2] ^ x, d = seeds[3] - x, e = seeds[4] * 7, f = seeds[5] + 3, g = seeds[6] * x;
  long r = leaf(a + b);
  return r + a * b + c * d + e * f + g + (a ^ g) + (b | c) + (d & e) + (f - a);
}

NOINLINE long outer(long x) { return middle(x * 2) + seeds[7]; }

void start_c(void) {
  extern char hypercall_page[];
  sink = outer(5);
  static unsigned int reason = 0; /* SHUTDOWN_poweroff */
  register long rdi __asm__("rdi") = 2; /* SCHEDOP_shutdown */
  register long rsi __asm__("rsi") = (long)&reason;
  __asm__ volatile("call *%2" : "+r"(rdi), "+r"(rsi) : "r"(hypercall_page + 29 * 32) : "rax", "rcx", "r11", "rdx", "r8", "r9", "r10", "memory");
  for (;;) {}
}
`;

const LDS = `OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(7); note PT_NOTE; }
SECTIONS {
  . = 0x400000;
  .text : { *(.text.start) *(.text .text.*) } :text
  .rodata : { *(.rodata .rodata.*) } :text
  .eh_frame : { *(.eh_frame) } :text
  .data : { *(.data .data.*) *(.bss .bss.*) *(COMMON) } :text
  .note.Xen : { *(.note.Xen) } :text :note
  /DISCARD/ : { *(.note.GNU-stack) *(.comment) *(.note.gnu.*) }
}
`;

/** Build the C guest: 'eh' (.eh_frame, gcc's default) or 'debug' (-g -fno-asynchronous-unwind-tables: .debug_frame). */
export function buildCGuest(variant: 'eh' | 'debug'): string {
  fs.mkdirSync(OUT, { recursive: true });
  const src = path.join(OUT, 'cfi-guest.c'), lds = path.join(OUT, 'cfi-guest.ld');
  const elf = path.join(OUT, `cfi-guest-${variant}.elf`);
  if (!fs.existsSync(src) || fs.readFileSync(src, 'utf8') !== SOURCE) fs.writeFileSync(src, SOURCE);
  if (!fs.existsSync(lds) || fs.readFileSync(lds, 'utf8') !== LDS) fs.writeFileSync(lds, LDS);
  if (fs.existsSync(elf) && fs.statSync(elf).mtimeMs >= Math.max(fs.statSync(src).mtimeMs, fs.statSync(lds).mtimeMs)) return elf;
  const flags = ['-O2', '-fomit-frame-pointer', '-ffreestanding', '-fno-pic', '-no-pie', '-mno-red-zone', '-fno-stack-protector',
    '-fcf-protection=none', '-nostdlib', '-static', '-mcmodel=small', `-Wl,-T,${lds}`, '-Wl,--build-id=none'];
  if (variant === 'debug') flags.push('-g', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables');
  else flags.push('-fasynchronous-unwind-tables');
  execFileSync('gcc', [...flags, '-o', elf, src], { stdio: 'pipe' });
  return elf;
}
