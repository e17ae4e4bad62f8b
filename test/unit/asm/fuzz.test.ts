// Robustness: random and pathological input never throws out of assemble(), always yields well-formed
// diagnostics, and finishes in bounded time (statement, nesting, size and layout limits).

import * as assert from 'assert';
import { assemble, AsmResult } from '../../../src/asm';

const WORDS = [
  'mov', 'movl', 'movq', 'movb', 'add', 'sub', 'jmp', 'jz', 'call', 'ret', 'push', 'pop', 'lea', 'int', 'lock', 'rep', 'movsb', 'ljmp',
  'lcall', 'iretq', 'lgdt', 'fld', 'movdqa', 'xchg', 'test', '.byte', '.word', '.long', '.quad', '.ascii', '.asciz', '.rept', '.endr',
  '.macro', '.endm', '.exitm', '.if', '.elseif', '.else', '.endif', '.ifdef', '.org', '.align', '.p2align', '.skip', '.fill', '.section',
  '.pushsection', '.popsection', '.previous', '.text', '.data', '.bss', '.equ', '.set', '.globl', '.include', '.incbin', '.code32',
  '.code64', '.intel_syntax', '.att_syntax', '.xen_note', '.irp', '.irpc', '.type', '.size', '.comm', '%eax', '%rax', '%al', '%ah',
  '%r8', '%cr3', '%st(1)', '%xmm0', '%fs', '%rip', '%st', '$', '(', ')', '[', ']', ',', ',', ':', ';', '+', '-', '*', '/', '%', '<<',
  '>>', '|', '&', '^', '~', '!', '==', '=', '1b', '1f', '2:', '1:', '0x10', '42', '-1', '0777', '0b101', '0xffffffffffffffff', '"str"',
  "'a", "'\\n'", '.', 'foo', 'bar', 'foo:', 'bar:', '\\x', '\\@', '\\()', '#', '/*', '*/', '//', 'dword', 'ptr', 'offset', 'eax',
  '[eax+4]', '[rip+foo]', 'byte', '.error', '.warning', '.end', '__HYPERVISOR_console_io', 'XEN_ELFNOTE_ENTRY', '\t', '\n', '\n', '\n',
];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

function check(r: AsmResult, src: string): void {
  assert.ok(r && Array.isArray(r.diagnostics), 'result with diagnostics');
  for (const d of r.diagnostics) {
    assert.ok(typeof d.file === 'string' && d.file.length > 0, 'file');
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line in ${JSON.stringify(d)}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column in ${JSON.stringify(d)}`);
    assert.ok(d.severity === 'error' || d.severity === 'warning');
    assert.ok(typeof d.message === 'string' && d.message.length > 0);
    assert.ok(!/internal error/.test(d.message), `internal error for ${JSON.stringify(src).slice(0, 300)}: ${d.message}`);
  }
  assert.strictEqual(r.ok, !r.diagnostics.some((d) => d.severity === 'error') && !!r.elf);
}

function run(src: string, extra: object = {}): AsmResult {
  let r: AsmResult | undefined;
  assert.doesNotThrow(() => { r = assemble(src, { fileName: 'fuzz.s', readFile: (p) => (p.includes('self') ? src : undefined), ...extra }); });
  check(r!, src);
  return r!;
}

describe('asm: fuzz', function () {
  this.timeout(120000);

  it('random token soup (1500 seeded inputs)', () => {
    const start = Date.now();
    for (let seed = 1; seed <= 1500; seed++) {
      const rand = rng(seed * 7919);
      let src = '';
      const n = Math.floor(rand() * 50);
      for (let i = 0; i < n; i++) {
        src += rand() < 0.08 ? String.fromCharCode(Math.floor(rand() * 127)) : WORDS[Math.floor(rand() * WORDS.length)];
        src += rand() < 0.6 ? ' ' : '';
        if (rand() < 0.15) src += '\n';
      }
      const t = Date.now();
      run(src, { bits: rand() < 0.5 ? 32 : 64 });
      assert.ok(Date.now() - t < 5000, `slow input: ${JSON.stringify(src)}`);
    }
    assert.ok(Date.now() - start < 90000);
  });

  it('random bytes and unicode', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = rng(seed);
      let src = '';
      const n = Math.floor(rand() * 400);
      for (let i = 0; i < n; i++) src += String.fromCharCode(Math.floor(rand() * (rand() < 0.9 ? 128 : 0x3000)));
      run(src);
    }
  });

  it('mutations of a valid guest still never throw', () => {
    const base = '.globl _start\n_start:\n mov $1, %eax\n lea msg(%rip), %rsi\n1: dec %ecx\n jnz 1b\n call f\n.xen_note XEN_ELFNOTE_ENTRY, _start\nf: ret\n.data\nmsg: .asciz "hi"\n.bss\n.skip 64\n';
    for (let seed = 1; seed <= 300; seed++) {
      const rand = rng(seed * 31);
      const chars = base.split('');
      for (let k = 0; k < 1 + Math.floor(rand() * 5); k++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, base[Math.floor(rand() * base.length)]);
        else chars[at] = WORDS[Math.floor(rand() * WORDS.length)];
      }
      run(chars.join(''));
    }
  });

  const PATHOLOGICAL: [string, string, RegExp?][] = [
    ['nested .rept explosion', '.rept 100000\n.rept 100000\n.byte 1\n.endr\n.endr\n', /too many statements|output exceeds/],
    ['recursive macro', '.macro m\nm\nm\n.endm\nm\n', /nested too deeply|too many statements/],
    ['mutually recursive macros', '.macro a\nb\n.endm\n.macro b\na\n.endm\na\n', /nested too deeply/],
    ['self include', '.include "self.s"\n', /nested too deeply/],
    ['huge .skip', '.skip 0x7fffffffffffffff\n', /too large/],
    ['huge .fill', '.fill 0x10000000, 8, 1\n', /too large/],
    ['huge .org', '.org 0xffffffffffff\n', /too large/],
    ['huge .rept count', '.rept 0x7fffffffffffffff\nnop\n.endr\n', /too large/],
    ['huge alignment', '.p2align 60\n', /too large/],
    ['deep parentheses', `.long ${'('.repeat(5000)}1${')'.repeat(5000)}\n`, /too deeply nested/],
    ['long line', `.byte ${Array(20000).fill('1').join(',')}\n`],
    ['many labels', Array.from({ length: 20000 }, (_, i) => `l${i}: nop`).join('\n')],
    ['self-referencing .set', '.set x, x + 1\n.long x\n', /defined in terms of itself/],
    ['mutually recursive .eqv', 'a == b + 1\nb == a + 1\n.long a\n', /defined in terms of itself/],
    ['.org depending on a later label', 'a: .org b - 10\n.skip 20\nb: nop\n'],
    ['oscillating layout', 'x: .skip (y - x) & 1 ? 0 : 200\njmp x\ny: nop\n'],
    ['empty input', ''],
    ['only comments', '# nothing\n/* block\n comment */\n// more\n'],
    ['unterminated block comment', '/* never closed\nnop\n'],
    ['NUL bytes', 'nop\u0000\u0000\nmov\u0000%eax\n'],
    ['many errors', Array.from({ length: 5000 }, () => 'movx %eax').join('\n'), /unknown mnemonic/],
    ['giant .irp list', `.irp x, ${Array(50000).fill('1').join(',')}\n.byte \\x\n.endr\n`],
    ['.exitm outside macro', '.exitm\n', /outside a macro/],
    ['deep .if nesting', '.if 1\n'.repeat(3000) + 'nop\n' + '.endif\n'.repeat(3000)],
  ];

  for (const [name, src, re] of PATHOLOGICAL) {
    it(`pathological: ${name}`, () => {
      const t = Date.now();
      const r = run(src);
      assert.ok(Date.now() - t < 30000, `${name} took ${Date.now() - t} ms`);
      if (re) assert.ok(r.diagnostics.some((d) => re.test(d.message)), `${name}: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    });
  }

  it('odd options are tolerated', () => {
    for (const opts of [{}, { base: -1 }, { base: 1.5 }, { bits: 16 }, { sectionAddresses: { '.text': 0x1000 } }, { fileName: '' }]) {
      let r: AsmResult | undefined;
      assert.doesNotThrow(() => { r = assemble('nop\n', opts as never); });
      assert.ok(r && Array.isArray(r.diagnostics));
    }
    assert.doesNotThrow(() => assemble(undefined as never, undefined as never));
    assert.doesNotThrow(() => assemble(42 as never, { fileName: 'x' }));
  });
});
