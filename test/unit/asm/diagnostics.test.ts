// Diagnostics: every error carries file, line, column and a readable message, and assembly goes on
// to report later errors.

import * as assert from 'assert';
import { assemble, AsmDiagnostic } from '../../../src/asm';

function diags(src: string, bits: 32 | 64 = 64): AsmDiagnostic[] {
  return assemble(src, { fileName: 'bad.s', bits }).diagnostics;
}

function only(src: string, bits: 32 | 64 = 64): AsmDiagnostic {
  const d = diags(src, bits).filter((x) => x.severity === 'error');
  assert.strictEqual(d.length, 1, `expected one error, got ${JSON.stringify(d)}`);
  return d[0];
}

const CASES: [string, RegExp, number, number][] = [
  // source, message, line, column
  ['\tmovx %eax, %ebx', /^unknown mnemonic 'movx'$/, 1, 2],
  ['\tmovl %rax, %ebx', /^operand size mismatch: movl with %rax$/, 1, 7],
  ['\tmovl\t%eax, %rbx', /^operand size mismatch: movl with %rbx$/, 1, 13],
  ['\tmovb $1, %ax', /^operand size mismatch: movb with %ax$/, 1, 11],
  ['\tjmp foo', /^undefined symbol 'foo'$/, 1, 6],
  ['\tmov $1, (%rax)', /ambiguous operand size for 'mov'/, 1, 10],
  ['\tadd %eax', /wrong number of operands for 'add'/, 1, 6],
  ['\tmov %eax, %cr0', /operand type mismatch for 'mov'/, 1, 6],
  ['\t.long 1/0', /division by zero/, 1, 9],
  ['x: nop\nx: nop', /symbol 'x' is already defined at bad\.s:1/, 2, 1],
  ['\t.bogus 1', /unknown directive '\.bogus'/, 1, 2],
  ['\tmov (%rax,%rsp), %eax', /'rsp' is not a valid index register/, 1, 6],
  ['\tmov %xyz, %eax', /bad register name '%xyz'/, 1, 6],
  ['\taddq $0xffffffff, %rax', /immediate value out of range for 'addq'/, 1, 7],
  ['\tmov %ah, %r8b', /%ah.*REX/, 1, 2],
  ['\tnop\n\t.org 0', /attempt to move \.org backwards/, 2, 2],
  ['\t.align 3', /alignment 3 is not a power of 2/, 1, 9],
  ['\t.if undefined_thing\n\t.endif', /must be an absolute expression/, 1, 6],
  ['\t.rept 3\n\tnop', /missing '\.endr'/, 1, 2],
  ['\t.macro m\n\tnop', /missing '\.endm'/, 1, 2],
  ['\t.if 1\n\tnop', /missing '\.endif'/, 1, 2],
  ['\t.endr', /'\.endr' without '\.rept'/, 1, 2],
  ['\t.else', /'\.else' without '\.if'/, 1, 2],
  ['\tjmp 1b', /undefined local label '1b'/, 1, 6],
  ['\tjz 1f', /undefined symbol '1f'/, 1, 5],
  ['\t.byte "ab" + 1', /unexpected string/, 1, 8],
  ['\tmov $1 2, %eax', /junk '2'/, 1, 9],
  ['\t.section .x, "zz"', /unknown section flag 'z'/, 1, 15],
  ['\tswapgs', /not supported in 32-bit mode/, 1, 2],
  ['\t.code16', /not supported/, 1, 2],
  ['\t.equiv a, 1\n\t.equiv a, 2', /already defined/, 2, 9],
  ['\t.bss\n\t.byte 1', /non-zero value in section '\.bss'/, 2, 2],
  ['\tloop far\n\t.skip 300\nfar: ret', /out of range/, 1, 2],
  ['\t.error "custom failure"', /^custom failure$/, 1, 2],
  ['\tmov "unterminated, %eax', /unterminated string/, 1, 6],
  ['\tlea (%rip,%rax), %rax', /index register/, 1, 6],
  ['\t.include "nofile.s"', /cannot open include file 'nofile\.s'/, 1, 11],
  ['\t.set a, b\n\t.set b, a\n\t.long a', /defined in terms of itself/, 3, 8],
];

describe('asm: diagnostics', () => {
  for (const [src, re, line, col] of CASES) {
    it(`${JSON.stringify(src)} -> ${re.source}`, () => {
      const d = only(src, /swapgs/.test(src) ? 32 : 64);
      assert.match(d.message, re);
      assert.strictEqual(d.file, 'bad.s');
      assert.strictEqual(d.line, line, `line of ${d.message}`);
      assert.strictEqual(d.column, col, `column of ${d.message}`);
      assert.strictEqual(d.severity, 'error');
    });
  }

  it('keeps going after errors and reports them in source order', () => {
    const d = diags('\tmovx %eax\n\tnop\n\tjmp nowhere\n\tmovl %rax, %rbx\n\t.long 1/0\n\tret\n');
    assert.deepStrictEqual(d.map((x) => x.line), [1, 3, 4, 5]);
    assert.ok(d.every((x) => x.severity === 'error' && x.column >= 1 && x.message.length > 5));
  });

  it('marks the source range of an operand', () => {
    const d = only('\tmovl %rax, %ebx');
    assert.strictEqual(d.endColumn, 11);
  });

  it('warns (does not fail) on truncated values', () => {
    const r = assemble('\t.byte 300\n', { fileName: 'w.s' });
    assert.ok(r.ok);
    assert.strictEqual(r.diagnostics.length, 1);
    assert.strictEqual(r.diagnostics[0].severity, 'warning');
    assert.match(r.diagnostics[0].message, /value 0x12c truncated to 0x2c/);
  });

  it('errors inside a macro point at the invocation and name the macro line', () => {
    const d = only('\t.macro bad\n\tnop\n\tmovx %eax\n\t.endm\n\tnop\n\tbad\n');
    assert.strictEqual(d.line, 6);
    assert.match(d.message, /unknown mnemonic 'movx' \(in macro 'bad' at bad\.s:3\)/);
  });

  it('stops runaway macro recursion', () => {
    const d = only('\t.macro r\n\tr\n\t.endm\n\tr\n');
    assert.match(d.message, /nested too deeply/);
  });

  it('stops runaway .rept expansion', () => {
    const t = Date.now();
    const d = diags('.rept 100000\n.rept 100000\nnop\n.endr\n.endr\n');
    assert.ok(d.some((x) => /too many statements/.test(x.message)));
    assert.ok(Date.now() - t < 20000);
  });

  it('rejects invalid options with a diagnostic', () => {
    const r = assemble('nop\n', { fileName: 'o.s', bits: 16 as never, base: -5, sectionAddresses: { '.data': 1.5 } });
    assert.strictEqual(r.ok, false);
    assert.deepStrictEqual(r.diagnostics.map((d) => d.message), [
      'option bits must be 32 or 64 (got 16)', 'option base is not a valid address (-5)', "sectionAddresses['.data'] is not a valid address (1.5)",
    ]);
  });

  it('fails cleanly without an ELF when there are errors', () => {
    const r = assemble('\tmovx\n', { fileName: 'e.s' });
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.elf, undefined);
  });
});
