// Decoder ring and document scanner units: selector/descriptor/PTE/hypercall readings and their ranking by
// context, Xen selector facts per guest kind, mnemonic docs, and numeric-label resolution.

import * as assert from 'assert';
import { decodeDescriptor, decodeNumber, decodePte, decodeSelector, renderDecodings } from '../../../src/language/decoder-ring';
import { resolveNumericRef, scanDocument } from '../../../src/language/document';
import { describeMnemonic } from '../../../src/language/instructions';
import { flatSelectorNames, HYPERCALL_TABLE, hypercallByName, hypercallByNumber, hypercallSignature, PV32_SELECTORS, PV64_SELECTORS } from '../../../src/language/xen-facts';
import * as XenPublic from '../../../src/xen/public';
import { predefinedSymbols } from '../../../src/asm/xen-symbols';

describe('decoder ring', () => {
  it('selectors: index, TI, RPL, Xen-reserved and the header name per guest kind', () => {
    assert.strictEqual(decodeSelector(0xe019, 'pv32').title, 'selector: GDT index 0x1c03 (Xen reserved), TI=0 GDT, RPL=1 — FLAT_RING1_CS');
    const s64 = decodeSelector(0xe033, 'pv64');
    assert.match(s64.title, /index 0x1c06 \(Xen reserved\), TI=0 GDT, RPL=3 — FLAT_RING3_CS64/);
    assert.ok(s64.details.some((d) => /pv32: FLAT_RING3_DS/.test(d)), 'other guest kind reading');
    assert.match(decodeSelector(0x000f, 'pv64').title, /LDT index 0x1, TI=1 LDT, RPL=3/);
    assert.match(decodeSelector(0, 'pv64').title, /null selector/);
  });

  it('descriptors: type, DPL, size, base, limit, flags; gates', () => {
    const d = decodeDescriptor(0x00cfba000000ffffn, false);
    assert.strictEqual(d.title, 'descriptor: code, execute/read, DPL1, 32-bit, base 0x0, limit 4 GiB, present');
    assert.ok(d.details.some((x) => /FLAT_RING1_CS/.test(x)));
    assert.match(decodeDescriptor(0x00affa000000ffffn, true).title, /code, execute\/read, DPL3, 64-bit/);
    assert.match(decodeDescriptor(0x00cff3000000ffffn, false).title, /data, read\/write, accessed, DPL3, 32-bit \(B: big\)/);
    assert.match(decodeDescriptor(0x0000920000000fffn, false).title, /limit 4 KiB/);
    assert.match(decodeDescriptor(0x00cf9a000000ffffn, false).details.join('\n'), /DPL 0: Xen refuses/);
    const gate = decodeDescriptor(0x0040ee0000101000n, false); // 32-bit interrupt gate, sel 0x10, off 0x401000
    assert.match(gate.title, /interrupt gate → 0x0010:0x401000, DPL3/);
  });

  it('PTEs: flags spelled out, frame, NX and large pages', () => {
    assert.strictEqual(decodePte(0x123067n).title, 'PTE: P RW US A D, frame 0x123');
    const nx = decodePte(0x80000000000010e3n);
    assert.match(nx.title, /P RW A D PS\/PAT NX, frame 0x1/);
    assert.ok(nx.details.some((x) => /2 MiB page/.test(x)));
    assert.ok(decodePte(0x1025n).details.some((x) => /read-only mapping/.test(x)));
  });

  it('ranks readings by context and always keeps the plain value', () => {
    const sel = decodeNumber(0xe019n, { bits: 32, mnemonic: 'mov', destReg: 'ds', immediate: true });
    assert.strictEqual(sel[0].kind, 'selector');
    assert.strictEqual(sel[sel.length - 1].kind, 'number');
    const desc = decodeNumber(0x00cfb2000000ffffn, { bits: 32, directive: '.quad', label: 'gdt_table' });
    assert.strictEqual(desc[0].kind, 'descriptor');
    const pte = decodeNumber(0x2063n, { bits: 64, directive: '.quad', label: 'l2_pt' });
    assert.strictEqual(pte[0].kind, 'pte');
    const hc = decodeNumber(29n, { bits: 64, mnemonic: 'mov', destReg: 'eax', following: ['syscall'] });
    assert.strictEqual(hc[0].kind, 'hypercall');
    assert.match(hc[0].title, /sched_op/);
    // Without context a value like 0xe021 still offers the selector reading next to the plain one.
    const amb = decodeNumber(0xe021n, { bits: 64 });
    assert.strictEqual(amb[0].kind, 'selector');
    assert.ok(amb.some((r) => r.kind === 'number'));
    // A 0x...67 value in data not under a page-table label: PTE among the candidates.
    assert.ok(decodeNumber(0x5067n, { bits: 64, directive: '.quad', label: 'tbl' }).some((r) => r.kind === 'pte'));
    const md = renderDecodings(0x00cfb2000000ffffn, decodeNumber(0x00cfb2000000ffffn, { bits: 32, directive: '.quad', label: 'gdt' }));
    assert.match(md, /^\*\*0xcfb2000000ffff\*\*/);
    assert.doesNotMatch(md, /Other readings:/);
    const amb2 = renderDecodings(0xe021n, amb);
    assert.match(amb2, /\*\*selector: GDT index 0x1c04[^\n]*\*\*/);
    assert.match(amb2, /Other readings:\n- PTE: P A, frame 0xe/);
  });
});

describe('Xen facts for hovers', () => {
  it('hypercalls: every __HYPERVISOR_* of src/xen/public, the same numbers the assembler predefines', () => {
    let n = 0;
    for (const [name, nr] of Object.entries(XenPublic)) {
      if (!name.startsWith('__HYPERVISOR_') || name === '__HYPERVISOR_CS') continue;
      const h = hypercallByName(name);
      assert.ok(h, `${name} has hover facts`);
      assert.strictEqual(h.nr, nr, name);
      assert.strictEqual(predefinedSymbols().get(name), BigInt(h.nr), `${name} predefined by the assembler`);
      n++;
    }
    assert.strictEqual(n, HYPERCALL_TABLE.length, 'no hypercall the public headers do not have');
    assert.ok(HYPERCALL_TABLE.every((h) => h.summary && Array.isArray(h.args)));
    assert.strictEqual(hypercallByNumber(39)!.name, 'argo_op');
    assert.strictEqual(hypercallByName('__HYPERVISOR_mmu_update')!.nr, 1);
    assert.match(hypercallSignature(hypercallByNumber(14)!, 32), /uint32_t val_lo \/\*%ecx\*\//);
    assert.match(hypercallSignature(hypercallByNumber(14)!, 64), /uint64_t val \/\*%rsi\*\//);
  });
  it('flat selectors follow xen-x86_64.h and xen-x86_32.h', () => {
    const f = new Map(flatSelectorNames().map((x) => [x.name, x]));
    assert.deepStrictEqual(f.get('FLAT_RING3_CS64'), { name: 'FLAT_RING3_CS64', pv64: 0xe033 });
    assert.deepStrictEqual(f.get('FLAT_RING3_CS32'), { name: 'FLAT_RING3_CS32', pv64: 0xe023 });
    assert.deepStrictEqual(f.get('FLAT_RING3_CS'), { name: 'FLAT_RING3_CS', pv32: 0xe02b });
    assert.deepStrictEqual(f.get('FLAT_KERNEL_SS'), { name: 'FLAT_KERNEL_SS', pv64: 0xe02b, pv32: 0xe021 });
    assert.deepStrictEqual(f.get('FLAT_KERNEL_DS'), { name: 'FLAT_KERNEL_DS', pv64: 0, pv32: 0xe021 });
    for (const s of [...PV64_SELECTORS, ...PV32_SELECTORS]) assert.ok((s.value >> 3) >= 0x1c00, s.names[0]);
    // Descriptors are Xen's own (desc.c boot_gdt / boot_compat_gdt), primary names ring names first.
    const sel = (list: typeof PV64_SELECTORS, v: number) => list.find((s) => s.value === v)!;
    assert.strictEqual(sel(PV32_SELECTORS, 0xe019).descriptor, 0x00cfbb000000ffffn);
    assert.strictEqual(sel(PV64_SELECTORS, 0xe010).descriptor, 0x00cf93000000ffffn);
    assert.deepStrictEqual(sel(PV64_SELECTORS, 0xe02b).names.slice(0, 3), ['FLAT_RING3_SS64', 'FLAT_RING3_DS32', 'FLAT_RING3_SS32']);
    assert.ok(sel(PV64_SELECTORS, 0xe02b).names.includes('FLAT_USER_SS32'));
    assert.deepStrictEqual(sel(PV32_SELECTORS, 0xe021).names, ['FLAT_RING1_DS', 'FLAT_RING1_SS', 'FLAT_KERNEL_DS', 'FLAT_KERNEL_SS']);
  });
  it('mnemonic docs resolve suffixes and condition codes', () => {
    assert.strictEqual(describeMnemonic('addq')!.size, 'quad (64-bit)');
    assert.match(describeMnemonic('JNE')!.summary, /not equal/);
    assert.match(describeMnemonic('cmovbe')!.summary, /below or equal/);
    assert.match(describeMnemonic('movzbl')!.summary, /zero-extension from byte \(8-bit\) to long \(32-bit\)/);
    assert.match(describeMnemonic('hlt')!.note!, /SCHEDOP_block/);
    assert.strictEqual(describeMnemonic('frobnicate'), undefined);
  });
});

describe('document scanner', () => {
  it('resolves 1f/1b like GNU as, including a reference on the defining line', () => {
    const doc = scanDocument('1: jmp 1b\n jmp 1f\n1: jmp 1b\n jmp 1f\n');
    const [r0, r1, r2, r3] = doc.numRefs;
    assert.strictEqual(resolveNumericRef(doc, r0)!.tok.line, 0);
    assert.strictEqual(resolveNumericRef(doc, r1)!.tok.line, 2);
    assert.strictEqual(resolveNumericRef(doc, r2)!.tok.line, 2);
    assert.strictEqual(resolveNumericRef(doc, r3), undefined);
  });
  it('finds labels, equates, macros, sections and code size; ignores comments and strings', () => {
    const doc = scanDocument('.code32\nfoo: bar: .equ X, 1 # baz:\nY = X + 1\n.macro M a\n.endm\n.section .data\n.ascii "q: r"\n/* z: */ w: nop');
    assert.deepStrictEqual(doc.defs.map((d) => `${d.kind}:${d.name}`), ['label:foo', 'label:bar', 'equ:X', 'equ:Y', 'macro:M', 'label:w']);
    assert.strictEqual(doc.defs[4].endLine, 4);
    assert.strictEqual(doc.bits, 32);
    assert.deepStrictEqual(doc.sections.map((s) => s.name), ['.data']);
    assert.deepStrictEqual(doc.refs.map((t) => t.text), ['X', 'nop']);
  });
});
