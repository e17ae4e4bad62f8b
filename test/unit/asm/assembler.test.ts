// Assembler features through the public API: expressions, symbols, macros and repeats, conditionals,
// sections and layout options, relaxation, Xen constants, includes, listing, symbols and line table.

import * as assert from 'assert';
import { assemble, AsmOptions, AsmResult, predefinedSymbols } from '../../../src/asm';
import { readElf } from '../../fixtures/asm/elf-read';

function asm(src: string, opts: Partial<AsmOptions> = {}): AsmResult {
  const r = assemble(src, { fileName: 't.s', ...opts });
  assert.ok(r.ok, r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return r;
}

function section(r: AsmResult, name = '.text'): Uint8Array {
  return readElf(r.elf!).sections.get(name)!.data;
}

function hex(r: AsmResult, name = '.text'): string {
  return Buffer.from(section(r, name)).toString('hex');
}

function sym(r: AsmResult, name: string): bigint {
  const s = r.symbols.find((x) => x.name === name);
  assert.ok(s, `symbol ${name}`);
  return s!.valueBig;
}

describe('asm: expressions and symbols', () => {
  it('follows GNU as operator precedence and semantics', () => {
    const r = asm('.data\n.byte 1 + 2 * 3, 2 | 1 + 1, 1 + 2 & 3, 3 > 2, 3 < 2, -7 / 2, -7 % 2, 0x80 >> 1, ~0, !0, 1 && 2, 0 || 0, 010, 0b101, \'A\', 6 ^ 3\n');
    assert.strictEqual(hex(r, '.data'), '07' + '04' + '03' + 'ff' + '00' + 'fd' + 'ff' + '40' + 'ff' + '01' + '01' + '00' + '08' + '05' + '41' + '05');
  });

  it('resolves label differences, `.`, forward references and .set redefinition', () => {
    const r = asm('.data\na: .long b - a, . - a\n.set i, 0\n.rept 4\n.byte i\n.set i, i + 1\n.endr\nb: .quad fwd\n.equ fwd, 0x1122334455667788\n');
    assert.strictEqual(hex(r, '.data'), '0c000000' + '04000000' + '00010203' + '8877665544332211');
  });

  it('chooses imm8 only for values known when the instruction is parsed (as GNU as)', () => {
    const r = asm('.equ EARLY, 3\nadd $EARLY, %eax\nadd $LATE, %eax\nadd $LATE, %ebx\n.equ LATE, 3\n');
    assert.strictEqual(hex(r), '83c003' + '0503000000' + '81c303000000');
  });

  it('local numeric labels', () => {
    const r = asm('1: jmp 1f\n1: jmp 1b\n2: jmp 2f\njmp 1b\n2:\n');
    assert.strictEqual(hex(r), 'eb00' + 'ebfe' + 'eb02' + 'ebfa');
  });

  it('predefines Xen constants and lets sources override them', () => {
    const p = predefinedSymbols();
    assert.strictEqual(p.get('__HYPERVISOR_set_trap_table'), 0n);
    assert.strictEqual(p.get('__HYPERVISOR_console_io'), 18n);
    assert.strictEqual(p.get('__HYPERVISOR_mmuext_op'), 26n);
    assert.strictEqual(p.get('__HYPERVISOR_sched_op'), 29n);
    assert.strictEqual(p.get('__HYPERVISOR_event_channel_op'), 32n);
    assert.strictEqual(p.get('XEN_ELFNOTE_PHYS32_ENTRY'), 18n);
    assert.strictEqual(p.get('XEN_ELFNOTE_SUPPORTED_FEATURES'), 17n);
    const r = asm('mov $__HYPERVISOR_sched_op, %eax\nmov $SCHEDOP_shutdown, %edi\n.equ __HYPERVISOR_console_io, 99\nmov $__HYPERVISOR_console_io, %eax\n');
    assert.strictEqual(hex(r), 'b81d000000' + 'bf02000000' + 'b863000000');
    assert.ok(!r.symbols.some((s) => s.name === '__HYPERVISOR_sched_op'), 'predefined constants stay out of the symbol table');
    const off = assemble('mov $__HYPERVISOR_sched_op, %eax\n', { fileName: 'x.s', xenSymbols: false });
    assert.match(off.diagnostics[0].message, /undefined symbol '__HYPERVISOR_sched_op'/);
  });

  it('kernel-style high addresses', () => {
    const r = asm('.globl _start\n_start: mov $_start, %rax\nlea data(%rip), %rbx\ncall _start\ndata: .quad _start\n', { base: 0xffffffff80000000n });
    assert.strictEqual(r.entryBig, 0xffffffff80000000n);
    assert.strictEqual(sym(r, 'data'), 0xffffffff80000013n);
    assert.strictEqual(hex(r).slice(0, 14), '48c7c000000080');
    assert.strictEqual(hex(r).slice(-16), '00000080ffffffff');
    const n = asm('.globl _start\n_start: nop\n', { base: 0xffffffff80000000 });
    assert.strictEqual(n.entryBig, 0xffffffff80000000n);
  });
});

describe('asm: macros, repeats, conditionals', () => {
  it('macro parameters, defaults, keyword and vararg arguments, \\@ and \\()', () => {
    const r = asm([
      '.macro put a, b=2, rest:vararg',
      '.byte \\a, \\b',
      '.ifnb \\rest',
      '.byte \\rest',
      '.endif',
      '.endm',
      'put 1',
      'put 3, 4',
      'put b=6, a=5',
      'put 7 8 9 10',
      '.macro lab n',
      'x\\n\\()_\\@: .byte \\n',
      '.endm',
      'lab 1',
      'lab 2',
    ].join('\n'), {});
    assert.strictEqual(hex(r), '0102' + '0304' + '0506' + '0708090a' + '01' + '02');
    assert.ok(r.symbols.some((s) => s.name === 'x1_4') && r.symbols.some((s) => s.name === 'x2_5'));
  });

  it('.exitm, .purgem, nested definitions, recursion with a guard', () => {
    const r = asm([
      '.macro count n',
      '.byte \\n',
      '.if \\n',
      'count \\n - 1',
      '.endif',
      '.endm',
      'count 3',
      '.macro early',
      '.byte 0xaa',
      '.exitm',
      '.byte 0xbb',
      '.endm',
      'early',
      '.macro outer',
      '.macro inner',
      '.byte 0xcc',
      '.endm',
      '.endm',
      'outer',
      'inner',
      '.purgem inner',
    ].join('\n'));
    assert.strictEqual(hex(r), '03' + '02' + '01' + '00' + 'aa' + 'cc');
  });

  it('.rept, .irp, .irpc and nested conditionals', () => {
    const r = asm([
      '.rept 3', '.byte 1', '.endr',
      '.irp reg, 0, 1, 2', '.byte 0x10 + \\reg', '.endr',
      '.irpc c, 345', '.byte \\c', '.endr',
      '.equ X, 5',
      '.if X > 10', '.byte 0xee', '.elseif X == 5', '.if 0', '.byte 0xee', '.else', '.byte 0x55', '.endif', '.else', '.byte 0xee', '.endif',
      '.ifdef X', '.byte 0x66', '.endif',
      '.ifndef Y', '.byte 0x77', '.endif',
      '.ifc abc, abc', '.byte 0x88', '.endif',
      '.ifnc abc, abd', '.byte 0x99', '.endif',
    ].join('\n'));
    assert.strictEqual(hex(r), '010101' + '101112' + '030405' + '55' + '66' + '77' + '88' + '99');
  });
});

describe('asm: sections, layout and relaxation', () => {
  it('places .text at the base and other sections on following pages', () => {
    const r = asm('.globl _start\n_start: nop\n.data\nd: .long 1\n.section .rodata\nro: .byte 2\n.bss\nb: .skip 16\n');
    assert.deepStrictEqual(r.sections.map((s) => [s.name, s.addressBig, s.flags]), [
      ['.text', 0x400000n, 'ax'], ['.rodata', 0x401000n, 'a'], ['.data', 0x402000n, 'aw'], ['.bss', 0x402004n, 'aw'],
    ]);
    assert.strictEqual(r.entryBig, 0x400000n);
    const r2 = asm('nop\n.data\n.long 1\n', { base: 0x10000, sectionAddresses: { '.data': 0x20000 } });
    assert.deepStrictEqual(r2.sections.map((s) => s.addressBig), [0x10000n, 0x20000n]);
  });

  it('custom sections, .pushsection/.popsection/.previous', () => {
    const r = asm('.section .boot, "ax"\nboot: nop\n.pushsection .data\n.byte 1\n.popsection\nret\n.text\nhlt\n.previous\nint3\n');
    assert.strictEqual(hex(r, '.boot'), '90c3cc');
    assert.strictEqual(hex(r, '.data'), '01');
    assert.strictEqual(hex(r), 'f4');
  });

  it('relaxes jumps: short when in reach, near otherwise or across sections', () => {
    const r = asm('a: jmp b\n.skip 127\nb: jmp c\n.skip 128\nc: jz a\njmp other\n.section .t2, "ax"\nother: ret\n');
    const t = hex(r);
    assert.strictEqual(t.slice(0, 4), 'eb7f');
    assert.strictEqual(t.slice(258, 268), 'e980000000');
    const jz = t.slice(2 * (2 + 127 + 5 + 128), 2 * (2 + 127 + 5 + 128) + 12);
    assert.strictEqual(jz.slice(0, 4), '0f84');
    assert.strictEqual(t.slice(-10, -8), 'e9');
  });

  it('.align pads code with GNU as NOPs and data with zeros; .org and .fill', () => {
    const r = asm('nop\n.align 8\n.org 12, 0xee\n.fill 2, 2, 0x1234\n.data\n.byte 1\n.align 4\n.byte 2\n');
    assert.strictEqual(hex(r), '90' + '0f1f8000000000' + 'eeeeeeee' + '34123412');
    assert.strictEqual(hex(r, '.data'), '0100000002');
    const r32 = asm('.code32\nnop\n.align 8\n');
    assert.strictEqual(hex(r32), '90' + '8db42600000000');
  });

  it('.comm/.lcomm allocate .bss space', () => {
    const r = asm('.comm buf, 64, 32\n.lcomm tmp, 4\nmov $buf, %eax\n');
    const bss = r.sections.find((s) => s.name === '.bss')!;
    assert.ok(bss.size >= 68);
    assert.strictEqual(sym(r, 'buf') % 32n, 0n);
    assert.ok(r.symbols.find((s) => s.name === 'buf')!.global);
  });
});

describe('asm: modes and syntax', () => {
  it('bits option and .code32/.code64 select the ELF class and encoding', () => {
    assert.strictEqual(asm('inc %eax\n', { bits: 32 }).bits, 32);
    assert.strictEqual(hex(asm('inc %eax\n', { bits: 32 })), '40');
    assert.strictEqual(asm('.code32\ninc %eax\n').bits, 32);
    assert.strictEqual(asm('inc %eax\n').bits, 64);
    assert.strictEqual(hex(asm('inc %eax\n')), 'ffc0');
    const mixed = asm('.code64\nnop\n.code32\ninc %eax\n.code64\ninc %eax\n');
    assert.strictEqual(mixed.bits, 64);
    assert.strictEqual(hex(mixed), '90' + '40' + 'ffc0');
  });

  it('switches between AT&T and Intel syntax', () => {
    const r = asm('.intel_syntax noprefix\nmov eax, [ebx + 4]\nmov dword ptr [rax], 1\n.att_syntax prefix\nmovl $1, (%rax)\n');
    assert.strictEqual(hex(r), '678b4304' + 'c70001000000' + 'c70001000000');
  });
});

describe('asm: includes, listing, symbols and lines', () => {
  const files: Record<string, string> = {
    '/src/main.s': '.include "lib/defs.inc"\n.globl _start\n_start:\n  mov $VALUE, %eax\n  CALLME\n  ret\n',
    '/src/lib/defs.inc': '.equ VALUE, 7\n.include "more.inc"\n',
    '/src/lib/more.inc': '.macro CALLME\n  nop\n  nop\n.endm\nhelper: hlt\n',
    '/inc/blob.bin': 'AB\u00ffC',
  };
  const readFile = (p: string) => files[p];

  it('resolves includes relative to the including file and through includePaths', () => {
    const r = asm(files['/src/main.s'], { fileName: '/src/main.s', readFile });
    assert.strictEqual(hex(r), 'f4' + 'b807000000' + '9090' + 'c3');
    const helper = r.symbols.find((s) => s.name === 'helper')!;
    assert.deepStrictEqual([helper.file, helper.line], ['/src/lib/more.inc', 5]);
    assert.deepStrictEqual(r.lines.map((l) => [l.file, l.line, l.length, l.kind]), [
      ['/src/lib/more.inc', 5, 1, 'insn'], ['/src/main.s', 4, 5, 'insn'], ['/src/main.s', 5, 1, 'insn'], ['/src/main.s', 5, 1, 'insn'], ['/src/main.s', 6, 1, 'insn'],
    ]);
    const b = asm('.incbin "blob.bin"\n', { fileName: '/x/y.s', readFile, includePaths: ['/inc'] });
    assert.strictEqual(hex(b), '4142ff43');
  });

  it('produces a listing with addresses, bytes and source, and a symbol map', () => {
    const r = asm('.globl _start\n_start:\n  mov $1, %eax\n  ret\n.data\nmsg: .asciz "hi"\n');
    assert.match(r.listing, /0000000000400000\s+b801000000\s+t\.s:3\s+mov \$1, %eax/);
    assert.match(r.listing, /0000000000400005\s+c3\s+t\.s:4\s+ret/);
    assert.match(r.listing, /6869 00|686900/);
    assert.match(r.listing, /Symbols:\n.*0000000000400000\s+G\s+\.text\s+_start/);
    assert.deepStrictEqual(r.symbols.map((s) => [s.name, s.section, s.global, s.line]).sort(), [['_start', '.text', true, 2], ['msg', '.data', false, 6]]);
  });

  it('records data in code sections as data lines and keeps .L labels out of the symbol table', () => {
    const r = asm('ud2\n.ascii "xen"\ncpuid\n.Lhidden: nop\n');
    assert.deepStrictEqual(r.lines.map((l) => l.kind), ['insn', 'data', 'insn', 'insn']);
    assert.ok(!r.symbols.some((s) => s.name === '.Lhidden'));
    assert.ok(!readElf(r.elf!).symbols.some((s) => s.name === '.Lhidden'));
  });

  it('turns `jmp` to an absolute address into a near jump and supports far pointers', () => {
    const r = asm('.code32\nljmp $0xe019, $target\ntarget: jmp 0x400000\nlcall *ptr\nptr: .long target\n.word 0xe019\n', { bits: 32 });
    const t = hex(r);
    assert.strictEqual(t.slice(0, 14), 'ea07004000' + '19e0');
    assert.strictEqual(t.slice(14, 16), 'e9');
  });
});
