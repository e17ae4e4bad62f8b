// Robustness of the language server: random documents and random incremental edits must never crash it or
// leave a request unanswered beyond a bound; pathological documents are cut off by the assembly time guard.

import * as assert from 'assert';
import { AssemblerRunner } from '../../../src/language/assemble-runner';
import { LspClient, withTimeout } from './lsp-client';
import { SAMPLE64 } from './sample';

/** Small deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

const PIECES = [
  'mov', 'movl', '$', '0x', 'e019', '%', 'eax', '%rax', '%st(', ')', ',', ':', ';', '#', '/*', '*/', '//', '"', "'", '\\', '.quad', '.equ',
  '.macro', '.endm', '.rept', '.endr', '.include', '.section', '.code32', '.code64', '1:', '1f', '1b', 'gdt:', 'l1_pt:', '_start', '=',
  '(', '[', ']', '{', '}', '-', '+', '*', '<<', '0', '1', '9999999999999999999999', '0b102', '\t', ' ', '\n', '\n', '\r\n', '__HYPERVISOR_',
  'FLAT_RING1_CS', 'syscall', 'int $0x82', '.xen_note', '.if', '.endif', '.irp', '\\@', '\u00e9', '\u{1F600}', '\0', '.ascii "x', 'lock', 'rep',
];

function randomDoc(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) s += String.fromCharCode(Math.floor(r() * 0x250));
    else s += PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.5 ? ' ' : '');
  }
  return s;
}

describe('language server fuzz', function () {
  this.timeout(180000);

  it('survives hundreds of random documents, edits and requests, each answered within a bound', async () => {
    const c = await LspClient.inProcess({ diagnosticsDelay: 0, assembleTimeoutMs: 3000 });
    const r = rng(0x5eed);
    const BOUND = 3000;
    let requests = 0;
    try {
      for (let d = 0; d < 200; d++) {
        const uri = `file:///tmp/xen-asm-fuzz/doc${d}.s`;
        let text = d % 10 === 0 ? SAMPLE64 : randomDoc(r, 20 + Math.floor(r() * 300));
        await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xen-asm', version: 1, text } });
        let version = 1;
        for (let e = 0; e < 6; e++) {
          const lines = text.split('\n');
          const line = Math.floor(r() * (lines.length + 2));
          const ch = Math.floor(r() * 40);
          const insert = randomDoc(r, Math.floor(r() * 6));
          // Ranges may be out of bounds on purpose: the document model clamps them.
          const range = { start: { line, character: ch }, end: { line: line + (r() < 0.2 ? 1 : 0), character: ch + Math.floor(r() * 5) } };
          version++;
          await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
          text = applyEdit(text, range, insert);
          const pos = { line: Math.floor(r() * (lines.length + 1)), character: Math.floor(r() * 60) };
          const p = { textDocument: { uri }, position: pos };
          const method = ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/references', 'textDocument/documentSymbol', 'textDocument/prepareRename', 'textDocument/rename'][e % 7];
          const params = method === 'textDocument/references' ? { ...p, context: { includeDeclaration: true } }
            : method === 'textDocument/rename' ? { ...p, newName: r() < 0.5 ? 'renamed' : '3' } : p;
          requests++;
          await withTimeout(c.request(method, params).catch((err: Error) => {
            // A rename refused with a message is an answer; anything else is a failure.
            if (method !== 'textDocument/rename' || !/not a|already|would change/.test(err.message)) throw err;
          }), BOUND, `${method} on doc ${d}`);
        }
        if (d % 3 === 0) await c.close(uri);
      }
      // Still alive and assembling.
      const fin = await withTimeout(c.open('file:///tmp/xen-asm-fuzz/final.s', '.code64\n_start: bogus\n'), 10000, 'final diagnostics');
      assert.strictEqual(fin.diagnostics.length, 1);
      assert.ok(requests >= 1000);
      assert.deepStrictEqual(c.logs.filter((l) => /failed/.test(l)), [], 'handlers recovered from internal errors');
    } finally {
      await c.shutdown();
    }
  });

  it('pathological documents (runaway .rept, huge lines, deep nesting) get answers and diagnostics in time', async () => {
    const c = await LspClient.inProcess({ diagnosticsDelay: 0, assembleTimeoutMs: 3000 });
    try {
      const docs = [
        '.rept 1000000000\n.rept 1000000000\nnop\n.endr\n.endr\n',
        '.macro m\nm\n.endm\nm\n',
        'mov ' + '('.repeat(100000) + '\n',
        '.quad ' + '1+'.repeat(200000) + '1\n',
        '/*'.repeat(50000),
        ('label' + 'x'.repeat(1000) + ': nop\n').repeat(2000),
      ];
      for (let i = 0; i < docs.length; i++) {
        const uri = `file:///tmp/xen-asm-fuzz/patho${i}.s`;
        const t0 = Date.now();
        await withTimeout(c.open(uri, docs[i]), 15000, `diagnostics for pathological doc ${i}`);
        const h = withTimeout(c.hover(uri, 0, 3), 3000, 'hover');
        const s = withTimeout(c.request('textDocument/documentSymbol', { textDocument: { uri } }), 3000, 'symbols');
        await Promise.all([h, s]);
        assert.ok(Date.now() - t0 < 15000);
        await c.close(uri);
      }
      assert.deepStrictEqual(c.logs.filter((l) => /failed/.test(l)), []);
    } finally {
      await c.shutdown();
    }
  });

  it('the assembly runner stops a run past its time bound and keeps working afterwards', async () => {
    const runner = new AssemblerRunner(50);
    try {
      const big = Array.from({ length: 200000 }, (_, i) => `l${i}: mov $${i}, %eax`).join('\n');
      const slow = await runner.run({ source: big, fileName: '/tmp/big.s' });
      assert.strictEqual(slow.timedOut, true);
      assert.match(slow.diagnostics[0].message, /stopped after 50 ms/);
      const quick = new AssemblerRunner(10000);
      try {
        const ok = await quick.run({ source: '.code64\n_start: bogus\n', fileName: '/tmp/q.s' });
        assert.strictEqual(ok.diagnostics.length, 1);
        assert.match(ok.diagnostics[0].message, /unknown mnemonic/);
      } finally { quick.dispose(); }
      const again = await runner.run({ source: 'nop\n', fileName: '/tmp/n.s' });
      assert.ok(again.timedOut === undefined || again.timedOut === true);
    } finally {
      runner.dispose();
    }
  });
});

function applyEdit(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, insert: string): string {
  // Mirrors TextDocument's clamping closely enough for choosing later positions (exactness not required).
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => {
    if (p.line >= lines.length) return text.length;
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + Math.min(p.character, lines[p.line].length);
  };
  const a = off(range.start), b = Math.max(a, off(range.end));
  return text.slice(0, a) + insert + text.slice(b);
}
