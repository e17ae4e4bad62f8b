// Round trip: assemble the fixture corpus, decode the code with iced's Decoder (instruction boundaries
// must match the line table), format with iced's GAS formatter, re-assemble that text and compare; plus
// a table of hand-checked expectations (source -> iced GAS text).

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Code, Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { assemble } from '../../../src/asm';
import { FIXTURES, readElf } from '../../fixtures/asm/elf-read';

const FIX = path.join(__dirname, '../../fixtures/asm');

function formatter(): Formatter {
  const f = new Formatter(FormatterSyntax.Gas);
  f.ripRelativeAddresses = true;
  return f;
}

/** Assemble one instruction at `ip` and return its decoded GAS text (and bytes). */
function one(text: string, bits: 32 | 64, ip = 0x400000n): { text: string; hex: string } {
  const r = assemble(`${bits === 32 ? '.code32' : '.code64'}\n${text}\n`, { fileName: 'one.s', bits, base: ip, debugInfo: false });
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length || !r.elf) throw new Error(`'${text}': ${errs.map((e) => e.message).join('; ')}`);
  const t = readElf(r.elf).sections.get('.text')!;
  const dec = new Decoder(bits, t.data, DecoderOptions.None);
  dec.ip = ip;
  const ins = dec.decode();
  return { text: formatter().format(ins), hex: Buffer.from(t.data).toString('hex') };
}

describe('asm: round trip through iced decoder/formatter', function () {
  this.timeout(120000);
  for (const fx of FIXTURES) {
    it(`${fx.file}: decode, format, re-assemble`, () => {
      const file = path.join(FIX, fx.file);
      const r = assemble(fs.readFileSync(file, 'utf8'), { fileName: file, bits: fx.bits });
      assert.ok(r.ok, r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
      const elf = readElf(r.elf!);
      const fmt = formatter();
      let count = 0;
      for (const l of r.lines) {
        if (l.kind !== 'insn') continue;
        const sec = elf.sectionList.find((s) => s.addr <= l.addressBig && l.addressBig < s.addr + BigInt(s.size) && s.flags & 2)!;
        const off = Number(l.addressBig - sec.addr);
        const dec = new Decoder(fx.bits, sec.data.slice(off, off + l.length), DecoderOptions.None);
        dec.ip = l.addressBig;
        let ins = dec.decode();
        // `finit`/`fstcw`... are fwait + the no-wait form: the decoder returns them separately
        if (ins.code === Code.Wait && l.length > 1) ins = dec.decode();
        const insLen = Number(ins.nextIP - l.addressBig);
        const where = `${fx.file}:${l.line}`;
        // raw prefix-only lines (`lock`, `rep`) are one-byte "instructions" the decoder cannot split off
        if (l.length === 1 && [0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0x66, 0x67].includes(sec.data[off])) continue;
        assert.notStrictEqual(ins.code, Code.INVALID, `${where}: decodes as invalid`);
        assert.strictEqual(insLen, l.length, `${where}: instruction boundary (${fmt.format(ins)})`);
        if (ins.length !== l.length) continue;
        const text = fmt.format(ins);
        let again: { text: string };
        try {
          again = one(text, fx.bits, l.addressBig);
        } catch (e) {
          assert.fail(`${where}: cannot re-assemble '${text}': ${(e as Error).message}`);
        }
        assert.strictEqual(again.text, text, `${where}: re-assembled '${text}'`);
        count++;
      }
      assert.ok(count > 5, 'too few instructions checked');
    });
  }
});

/** Source -> expected iced GAS text (and bytes where the encoding choice matters). */
const EXPECT: [string, 32 | 64, string, string?][] = [
  ['mov %rax, %rbx', 64, 'mov %rax,%rbx', '4889c3'],
  ['movl $1, (%rax)', 64, 'movl $1,(%rax)', 'c70001000000'],
  ['add $1, %eax', 64, 'add $1,%eax', '83c001'],
  ['add $0x1000, %eax', 64, 'add $0x1000,%eax', '0500100000'],
  ['add $0x10, %al', 64, 'add $0x10,%al', '0410'],
  ['movq $-1, %rax', 64, 'mov $0xFFFFFFFFFFFFFFFF,%rax', '48c7c0ffffffff'],
  ['mov $0x123456789, %rcx', 64, 'movabs $0x123456789,%rcx', '48b98967452301000000'],
  ['movabs $1, %rax', 64, 'movabs $1,%rax', '48b80100000000000000'],
  ['xchg %ecx, %eax', 64, 'xchg %eax,%ecx', '91'],
  ['shl %eax', 64, 'shl $1,%eax', 'd1e0'],
  ['shl $4, %rax', 64, 'shl $4,%rax', '48c1e004'],
  ['imul $10, %rax, %rbx', 64, 'imul $0xA,%rax,%rbx', '486bd80a'],
  ['imul $3, %rdx', 64, 'imul $3,%rdx', '486bd203'],
  ['movzbl (%rax), %ecx', 64, 'movzbl (%rax),%ecx', '0fb608'],
  ['movslq %eax, %rdx', 64, 'movslq %eax,%rdx', '4863d0'],
  ['lea 8(%rsp), %rbp', 64, 'lea 8(%rsp),%rbp', '488d6c2408'],
  ['mov (%rbp), %eax', 64, 'mov (%rbp),%eax', '8b4500'],
  ['mov 0(%rbx), %eax', 64, 'mov (%rbx),%eax', '8b03'],
  ['mov 0x10(%rip), %eax', 64, 'mov 0x10(%rip),%eax', '8b0510000000'],
  ['mov %fs:0x28, %rax', 64, 'mov %fs:0x28,%rax', '64488b042528000000'],
  ['mov %ds:(%rax), %ecx', 64, 'mov (%rax),%ecx', '8b08'],
  ['mov %cr3, %rax', 64, 'mov %cr3,%rax', '0f20d8'],
  ['mov %rax, %cr4', 64, 'mov %rax,%cr4', '0f22e0'],
  ['mov %db7, %rax', 64, 'mov %dr7,%rax', '0f21f8'],
  ['lgdt (%rax)', 64, 'lgdt (%rax)', '0f0110'],
  ['lidt 8(%rsp)', 64, 'lidt 8(%rsp)', '0f015c2408'],
  ['ltr %ax', 64, 'ltr %ax', '0f00d8'],
  ['lldt %cx', 64, 'lldt %cx', '0f00d1'],
  ['invlpg (%rax)', 64, 'invlpg (%rax)', '0f0138'],
  ['cpuid', 64, 'cpuid', '0fa2'],
  ['rdmsr', 64, 'rdmsr', '0f32'],
  ['wrmsr', 64, 'wrmsr', '0f30'],
  ['iretq', 64, 'iretq', '48cf'],
  ['iret', 64, 'iretl', 'cf'],
  ['sysretq', 64, 'sysretq', '480f07'],
  ['sysret', 64, 'sysretl', '0f07'],
  ['syscall', 64, 'syscall', '0f05'],
  ['sysenter', 64, 'sysenter', '0f34'],
  ['int $0x82', 64, 'int $0x82', 'cd82'],
  ['int $3', 64, 'int3', 'cc'],
  ['int3', 64, 'int3', 'cc'],
  ['ud2', 64, 'ud2', '0f0b'],
  ['hlt', 64, 'hlt', 'f4'],
  ['cli', 64, 'cli', 'fa'],
  ['sti', 64, 'sti', 'fb'],
  ['pushf', 64, 'pushf', '9c'],
  ['popfq', 64, 'popf', '9d'],
  ['swapgs', 64, 'swapgs', '0f01f8'],
  ['in $0x60, %al', 64, 'in $0x60,%al', 'e460'],
  ['out %eax, %dx', 64, 'out %eax,%dx', 'ef'],
  ['lar %eax, %ecx', 64, 'lar %eax,%ecx', '0f02c8'],
  ['lsl (%rax), %rdx', 64, 'lsl (%rax),%rdx', '480f0310'],
  ['rep movsb', 64, 'rep movsb (%rsi),(%rdi)', 'f3a4'],
  ['repne scasb', 64, 'repne scas (%rdi),%al', 'f2ae'],
  ['rep stosq', 64, 'rep stos %rax,(%rdi)', 'f348ab'],
  ['lock cmpxchg %rcx, (%rdx)', 64, 'lock cmpxchg %rcx,(%rdx)', 'f0480fb10a'],
  ['lock incl (%rax)', 64, 'lock incl (%rax)', 'f0ff00'],
  ['fninit', 64, 'fninit', 'dbe3'],
  ['fnstcw (%rax)', 64, 'fnstcw (%rax)', 'd938'],
  ['fldcw (%rax)', 64, 'fldcw (%rax)', 'd928'],
  ['fnstsw %ax', 64, 'fnstsw %ax', 'dfe0'],
  ['fldl 8(%rax)', 64, 'fldl 8(%rax)', 'dd4008'],
  ['fadd %st(1), %st', 64, 'fadd %st(1),%st', 'd8c1'],
  ['fxsave (%rax)', 64, 'fxsave (%rax)', '0fae00'],
  ['fxrstor (%rax)', 64, 'fxrstor (%rax)', '0fae08'],
  ['movdqa (%rax), %xmm2', 64, 'movdqa (%rax),%xmm2', '660f6f10'],
  ['movdqu %xmm4, 16(%rdi)', 64, 'movdqu %xmm4,0x10(%rdi)', 'f30f7f6710'],
  ['movq %xmm0, %xmm1', 64, 'movq %xmm0,%xmm1', 'f30f7ec8'],
  ['movq %rax, %xmm0', 64, 'movq %rax,%xmm0', '66480f6ec0'],
  ['movd %eax, %xmm0', 64, 'movd %eax,%xmm0', '660f6ec0'],
  ['pxor %xmm0, %xmm0', 64, 'pxor %xmm0,%xmm0', '660fefc0'],
  ['paddq %xmm1, %xmm2', 64, 'paddq %xmm1,%xmm2', '660fd4d1'],
  ['push %fs', 64, 'push %fs', '0fa0'],
  ['mov %ds, %eax', 64, 'mov %ds,%eax', '8cd8'],
  ['call *%rax', 64, 'call *%rax', 'ffd0'],
  ['jmp *(%rax)', 64, 'jmpq *(%rax)', 'ff20'],
  ['ljmp *(%rax)', 64, 'ljmpl *(%rax)', 'ff28'],
  ['lret', 64, 'lretl', 'cb'],
  ['lretq', 64, 'lretq', '48cb'],
  ['jmp .', 64, 'jmp 0x0000000000400000', 'ebfe'],
  ['call .', 64, 'call 0x0000000000400000', 'e8fbffffff'],
  ['jz .', 64, 'je 0x0000000000400000', '74fe'],
  ['mov $1, %eax', 32, 'mov $1,%eax', 'b801000000'],
  ['inc %eax', 32, 'inc %eax', '40'],
  ['push $0x1234', 32, 'push $0x1234', '6834120000'],
  ['push $1', 32, 'push $1', '6a01'],
  ['int $0x82', 32, 'int $0x82', 'cd82'],
  ['ljmp $0xe019, $0x401000', 32, 'ljmp $0xE019,$0x00401000', 'ea0010400019e0'],
  ['lcall $0x10, $0x401000', 32, 'lcall $0x0010,$0x00401000', '9a001040001000'],
  ['lcall *(%ebx)', 32, 'lcall *(%ebx)', 'ff1b'],
  ['iret', 32, 'iret', 'cf'],
  ['pushfl', 32, 'pushf', '9c'],
  ['mov %eax, %cr3', 32, 'mov %eax,%cr3', '0f22d8'],
  ['mov (%bx,%si), %ax', 32, 'mov (%bx,%si),%ax', '67668b00'],
  ['movl 0x1000, %eax', 32, 'mov 0x1000,%eax', 'a100100000'],
  ['pusha', 32, 'pusha', '60'],
  ['lgdt (%eax)', 32, 'lgdt (%eax)', '0f0110'],
  ['sysenter', 32, 'sysenter', '0f34'],
  ['jecxz .', 32, 'jecxz 0x00400000', 'e3fe'],
  ['loop .', 32, 'loop 0x00400000', 'e2fe'],
  ['.intel_syntax noprefix\nmov eax, dword ptr [ebx+ecx*4+8]', 32, 'mov 8(%ebx,%ecx,4),%eax', '8b448b08'],
  ['.intel_syntax noprefix\nmov qword ptr [rax], 1', 64, 'movq $1,(%rax)', '48c70001000000'],
  ['.intel_syntax noprefix\njmp 0x10:0x1000', 32, 'ljmp $0x0010,$0x00001000', 'ea001000001000'],
];

describe('asm: expected encodings (iced GAS formatter)', () => {
  for (const [src, bits, text, hex] of EXPECT) {
    it(`${bits}-bit ${src.replace(/\n/g, '; ')}`, () => {
      const r = one(src, bits);
      assert.strictEqual(r.text, text);
      if (hex) assert.strictEqual(r.hex.slice(0, hex.length), hex);
    });
  }
});
