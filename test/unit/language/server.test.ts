// Language server over the real LSP protocol: diagnostics with ranges, decoder-ring hovers, completion,
// definition/references/rename (named and 1f/1b labels), document symbols, and the --stdio entry point.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CompletionItem, DocumentSymbol, Location, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, withTimeout } from './lsp-client';
import { BROKEN, SAMPLE64 } from './sample';

const URI = 'file:///tmp/xen-asm-test/sample.s';
const BAD = 'file:///tmp/xen-asm-test/broken.s';

describe('language server (LSP, in-process)', function () {
  this.timeout(20000);
  let c: LspClient;
  before(async () => {
    c = await LspClient.inProcess();
    const d = await withTimeout(c.open(URI, SAMPLE64), 10000, 'diagnostics');
    assert.deepStrictEqual(d.diagnostics, [], JSON.stringify(d.diagnostics));
  });
  after(async () => { await c.shutdown(); });

  const hoverText = async (line: number, ch: number): Promise<string> => {
    const h = await c.hover(URI, line, ch);
    assert.ok(h, `no hover at ${line}:${ch}`);
    return h.contents.value;
  };

  describe('diagnostics', () => {
    it('publishes assembler errors with 0-based ranges', async () => {
      const d = await withTimeout(c.open(BAD, BROKEN), 10000, 'diagnostics');
      assert.strictEqual(d.diagnostics.length, 2);
      const [a, b] = d.diagnostics;
      assert.match(a.message, /unknown mnemonic 'bogus'/);
      assert.deepStrictEqual(a.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 13 } });
      assert.strictEqual(a.severity, 1);
      assert.match(b.message, /undefined symbol 'nowhere'/);
      assert.deepStrictEqual(b.range, { start: { line: 3, character: 12 }, end: { line: 3, character: 19 } });
    });

    it('re-checks after an edit and clears fixed errors', async () => {
      const v = await c.change(BAD, { range: { start: { line: 2, character: 8 }, end: { line: 2, character: 13 } }, text: 'inc' });
      const d1 = await withTimeout(c.nextDiagnostics(BAD, v), 10000, 'diagnostics');
      assert.strictEqual(d1.diagnostics.length, 1);
      const v2 = await c.change(BAD, { text: '.code64\n_start: jmp _start\n' });
      const d2 = await withTimeout(c.nextDiagnostics(BAD, v2), 10000, 'diagnostics');
      assert.deepStrictEqual(d2.diagnostics, []);
    });

    it('resolves .include relative to the document (errors in the included file land on the .include line)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xen-asm-inc-'));
      fs.writeFileSync(path.join(dir, 'defs.inc'), '.equ SHARED, 0xe019\nbroken_insn %eax\n');
      const uri = 'file://' + path.join(dir, 'main.s');
      const d = await withTimeout(c.open(uri, '.code32\n.include "defs.inc"\n_start: mov $SHARED, %eax\n'), 10000, 'diagnostics');
      assert.strictEqual(d.diagnostics.length, 1, JSON.stringify(d.diagnostics));
      assert.strictEqual(d.diagnostics[0].range.start.line, 1);
      assert.match(d.diagnostics[0].message, /defs\.inc:2/);
      const h = await c.hover(uri, 2, 16);
      assert.match(h!.contents.value, /SHARED/);
      assert.match(h!.contents.value, /FLAT_RING1_CS/);
      const def = await c.request<Location[]>('textDocument/definition', { textDocument: { uri }, position: { line: 2, character: 16 } });
      assert.strictEqual(def.length, 1);
      assert.ok(def[0].uri.endsWith('/defs.inc'));
      assert.strictEqual(def[0].range.start.line, 0);
      await c.close(uri);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('hover decoder ring', () => {
    it('reads an immediate moved toward a segment register as a selector', async () => {
      const t = await hoverText(6, 14); // $0xe02b
      assert.match(t, /GDT index 0x1c05 \(Xen reserved\), TI=0 GDT, RPL=3/);
      assert.match(t, /FLAT_RING3_SS64/);
    });
    it('reads a .quad after a gdt label as a descriptor', async () => {
      const t = await hoverText(18, 16);
      assert.match(t, /descriptor: code, execute\/read, DPL1, 32-bit, base 0x0, limit 4 GiB, present/);
      assert.match(t, /FLAT_RING1_CS/);
    });
    it('reads a .quad after a page-table label as a PTE', async () => {
      const t = await hoverText(20, 16);
      assert.match(t, /PTE: P RW US A D, frame 0x123/);
    });
    it('reads mov $18, %eax before syscall as a hypercall number', async () => {
      const t = await hoverText(9, 14);
      assert.match(t, /hypercall 18: __HYPERVISOR_console_io/);
      assert.match(t, /HYPERVISOR_console_io\(int cmd/);
    });
    it('explains __HYPERVISOR_ names with signature and registers', async () => {
      const t = await hoverText(8, 20);
      assert.match(t, /__HYPERVISOR_console_io\*\* = 18/);
      assert.match(t, /%rdi/);
    });
    it('describes mnemonics with flags, including size suffixes', async () => {
      const t = await hoverText(11, 9); // dec
      assert.match(t, /Decrement by one/);
      assert.match(t, /CF unchanged/);
      const w = await hoverText(28, 9); // movw
      assert.match(w, /word \(16-bit\)/);
      const s = await hoverText(10, 10); // syscall in 64-bit code
      assert.match(s, /enters Xen/);
    });
    it('shows a symbol value and definition, and decodes absolute values in context', async () => {
      const t = await hoverText(15, 14); // _start
      assert.match(t, /label.*address `0x400000` in \.text/);
      assert.match(t, /line 6/);
      const k = await hoverText(28, 16); // $KERNEL_CS
      assert.match(k, /value `0xe033`/);
      assert.match(k, /FLAT_RING3_CS64/);
    });
    it('explains 1f/1b references and registers', async () => {
      const t = await hoverText(12, 13);
      assert.match(t, /line 12/);
      const r = await hoverText(7, 17); // %ss
      assert.match(r, /segment register/);
    });
    it('offers several readings for an ambiguous bare number', async () => {
      const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 2, character: 28 } });
      assert.ok(h);
      assert.match(h.contents.value, /0xe033/);
      assert.match(h.contents.value, /selector/);
    });
    it('FLAT_* names and Xen constants: the value the assembler predefines for the document\'s guest kind', async () => {
      const uri = 'file:///tmp/xen-asm-test/flat32.s';
      const d = await withTimeout(c.open(uri, '.code32\n_start: mov $FLAT_KERNEL_CS, %eax\n  mov $XENVER_version, %ebx\n  mov $FLAT_RING3_CS64, %ecx\n'), 10000, 'diagnostics');
      assert.strictEqual(d.diagnostics.length, 1, 'FLAT_RING3_CS64 is a pv64-only name');
      assert.match(d.diagnostics[0].message, /undefined symbol 'FLAT_RING3_CS64'/);
      const k = (await c.hover(uri, 1, 18))!.contents.value;
      assert.match(k, /pv64 0xe033, pv32 0xe019/);
      assert.match(k, /Predefined by the assembler for pv32 guests \(xen-x86_32\.h\): `FLAT_KERNEL_CS` = 0xe019/);
      assert.match(k, /FLAT_RING1_CS/);
      assert.match((await c.hover(uri, 2, 12))!.contents.value, /\*\*XENVER_version\*\* = 0 .*predefined by the assembler/);
      assert.match((await c.hover(uri, 3, 12))!.contents.value, /Not defined for pv32 guests \(only xen-x86_64\.h has it\)/);
      await c.close(uri);
    });
    it('returns null on blank space', async () => {
      assert.strictEqual(await c.hover(URI, 30, 0), null);
    });
  });

  describe('completion', () => {
    const labels = async (line: number, ch: number) =>
      (await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: URI }, position: { line, character: ch } })).map((i) => i.label);
    it('mnemonics, directives and macros at the start of a statement', async () => {
      const l = await labels(30, 0);
      for (const x of ['mov', 'movl', 'syscall', '.quad', '.xen_note', 'HCALL', 'lock']) assert.ok(l.includes(x), x);
    });
    it('registers after %', async () => {
      const v = await c.change(URI, { range: { start: { line: 30, character: 0 }, end: { line: 30, character: 0 } }, text: '        mov %' });
      void v;
      const l = await labels(30, 13);
      for (const x of ['rax', 'r15d', 'cr3', 'xmm7', 'ss']) assert.ok(l.includes(x), x);
    });
    it('symbols, hypercalls and Xen constants in operands', async () => {
      await c.change(URI, { range: { start: { line: 30, character: 0 }, end: { line: 30, character: 13 } }, text: '        mov $' });
      const items = await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: URI }, position: { line: 30, character: 13 } });
      const l = items.map((i) => i.label);
      for (const x of ['_start', 'gdt', 'KERNEL_CS', '__HYPERVISOR_mmu_update', 'SCHEDOP_shutdown', 'FLAT_RING3_CS64', '1b']) assert.ok(l.includes(x), x);
      const flat = items.find((i) => i.label === 'FLAT_RING3_CS64')!;
      assert.strictEqual(flat.insertText, undefined, 'the assembler predefines FLAT_* for the guest kind: the name is inserted');
      assert.match(flat.detail!, /pv64 0xe033/);
      assert.ok(!l.includes('FLAT_RING1_CS'), 'pv32-only names are not offered in a pv64 document');
      assert.ok(l.includes('XENVER_version') && l.includes('XEN_EINVAL'), 'constants come from src/xen/public');
      await c.change(URI, { range: { start: { line: 30, character: 0 }, end: { line: 30, character: 13 } }, text: '' });
    });
    it('nothing inside a comment', async () => {
      assert.deepStrictEqual(await labels(0, 10), []);
    });
  });

  describe('navigation', () => {
    const pos = (line: number, character: number) => ({ textDocument: { uri: URI }, position: { line, character } });
    it('goes to the definition of labels, equates, macros and local labels', async () => {
      const d1 = await c.request<Location[]>('textDocument/definition', pos(15, 14));
      assert.deepStrictEqual(d1.map((l) => l.range.start), [{ line: 5, character: 0 }]);
      const d2 = await c.request<Location[]>('textDocument/definition', pos(28, 17));
      assert.deepStrictEqual(d2.map((l) => l.range.start), [{ line: 2, character: 13 }]);
      const d3 = await c.request<Location[]>('textDocument/definition', pos(27, 9));
      assert.deepStrictEqual(d3.map((l) => l.range.start), [{ line: 22, character: 15 }]);
      const back = await c.request<Location[]>('textDocument/definition', pos(12, 13));
      assert.deepStrictEqual(back.map((l) => l.range.start), [{ line: 11, character: 0 }]);
      const fwd = await c.request<Location[]>('textDocument/definition', pos(13, 13));
      assert.deepStrictEqual(fwd.map((l) => l.range.start), [{ line: 14, character: 0 }]);
    });
    it('finds references', async () => {
      const r = await c.request<Location[]>('textDocument/references', { ...pos(5, 2), context: { includeDeclaration: true } });
      assert.deepStrictEqual(r.map((l) => l.range.start.line).sort((a, b) => a - b), [4, 5, 15]);
      const n = await c.request<Location[]>('textDocument/references', { ...pos(14, 0), context: { includeDeclaration: false } });
      assert.deepStrictEqual(n.map((l) => l.range.start.line), [13]);
    });
    it('renames a label everywhere and rejects bad names', async () => {
      const prep = await c.request<{ placeholder: string } | null>('textDocument/prepareRename', pos(15, 14));
      assert.strictEqual(prep!.placeholder, '_start');
      const e = await c.request<WorkspaceEdit>('textDocument/rename', { ...pos(15, 14), newName: 'entry' });
      const edits = e.changes![URI];
      assert.deepStrictEqual(edits.map((x) => x.range.start.line).sort((a, b) => a - b), [4, 5, 15]);
      assert.ok(edits.every((x) => x.newText === 'entry'));
      await assert.rejects(c.request('textDocument/rename', { ...pos(15, 14), newName: '9bad name' }), /not a valid symbol name/);
      await assert.rejects(c.request('textDocument/rename', { ...pos(15, 14), newName: 'gdt' }), /already defined/);
      assert.strictEqual(await c.request('textDocument/prepareRename', pos(7, 17)), null); // a register
    });
    it('references, definition and rename reach symbols and macros of .include\'d files (nested, unsaved text first)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xen-asm-nav-'));
      fs.mkdirSync(path.join(dir, 'inc'));
      fs.writeFileSync(path.join(dir, 'inc', 'defs.inc'), '.include "more.inc"\n.equ SHARED, 5\nshared_tab: .long SHARED\n');
      fs.writeFileSync(path.join(dir, 'inc', 'more.inc'), '.macro PUTS n\n  .long \\n\n.endm\n');
      const uri = 'file://' + path.join(dir, 'main.s');
      const incUri = 'file://' + path.join(dir, 'inc', 'defs.inc'), moreUri = 'file://' + path.join(dir, 'inc', 'more.inc');
      await withTimeout(c.open(uri, '.include "inc/defs.inc"\n_start: mov $SHARED, %eax\n  PUTS SHARED\n'), 10000, 'diagnostics');
      const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
      const refs = await c.request<Location[]>('textDocument/references', { ...at(1, 15), context: { includeDeclaration: true } });
      assert.deepStrictEqual(refs.map((l) => `${l.uri === uri ? 'main' : l.uri === incUri ? 'inc' : l.uri}:${l.range.start.line}:${l.range.start.character}`).sort(),
        ['inc:1:5', 'inc:2:18', 'main:1:13', 'main:2:7']);
      const def = await c.request<Location[]>('textDocument/definition', at(2, 3));
      assert.deepStrictEqual(def.map((l) => [l.uri, l.range.start.line]), [[moreUri, 0]], 'macro defined in a nested include');
      assert.strictEqual((await c.request<{ placeholder: string } | null>('textDocument/prepareRename', at(1, 15)))!.placeholder, 'SHARED');
      const e = await c.request<WorkspaceEdit>('textDocument/rename', { ...at(1, 15), newName: 'COMMON' });
      assert.deepStrictEqual(Object.keys(e.changes!).sort(), [incUri, uri].sort());
      assert.strictEqual(e.changes![incUri].length, 2);
      assert.strictEqual(e.changes![uri].length, 2);
      await assert.rejects(c.request('textDocument/rename', { ...at(1, 15), newName: 'shared_tab' }), /already defined/);
      // An unsaved edit of the included file wins over the disk.
      await withTimeout(c.open(incUri, '.equ SHARED, 5\n'), 10000, 'diagnostics');
      const refs2 = await c.request<Location[]>('textDocument/references', { ...at(1, 15), context: { includeDeclaration: true } });
      assert.strictEqual(refs2.filter((l) => l.uri === incUri).length, 1);
      await c.close(incUri);
      await c.close(uri);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    it('renumbers a local label with its 1f reference only', async () => {
      const e = await c.request<WorkspaceEdit>('textDocument/rename', { ...pos(13, 13), newName: '7' });
      const edits = e.changes![URI].map((x) => `${x.range.start.line}:${x.range.start.character}-${x.range.end.character}=${x.newText}`).sort();
      assert.deepStrictEqual(edits, ['13:12-13=7', '14:0-1=7']);
    });
  });

  describe('document symbols', () => {
    it('outlines sections with labels, equates and macros', async () => {
      const s = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
      const names = s.map((x) => x.name);
      assert.deepStrictEqual(names, ['KERNEL_CS', '.text', '.data', 'HCALL', '.text']);
      const text = s[1];
      assert.deepStrictEqual(text.children!.map((x) => x.name), ['_start']);
      assert.deepStrictEqual(s[2].children!.map((x) => x.name), ['gdt', 'l1_pt', 'msg']);
      assert.deepStrictEqual(s[3].range.start.line, 22);
      assert.deepStrictEqual(s[3].range.end.line, 25);
    });
  });
});

describe('language server (in-process) health', function () {
  this.timeout(20000);
  it('assembles in its worker thread and logs no recovered handler failures', async () => {
    const c = await LspClient.inProcess();
    try {
      const d = await withTimeout(c.open(BAD, BROKEN), 10000, 'diagnostics');
      assert.strictEqual(d.diagnostics.length, 2);
      await c.hover(BAD, 2, 9);
      assert.deepStrictEqual(c.logs.filter((l) => /in-process|failed/.test(l)), []);
    } finally {
      await c.shutdown();
    }
  });
});

describe('language server (spawned with --stdio)', function () {
  this.timeout(30000);
  it('answers initialize, diagnostics and hover as a separate process, assembling in its worker', async () => {
    const c = await LspClient.spawned();
    try {
      const d = await withTimeout(c.open(BAD, BROKEN), 20000, 'diagnostics');
      assert.strictEqual(d.diagnostics.length, 2);
      const h = await c.hover(BAD, 1, 14);
      assert.ok(h);
      assert.deepStrictEqual(c.logs.filter((l) => /in-process|failed/.test(l)), [], 'the assembler worker started');
    } finally {
      await c.shutdown();
    }
  });
});
