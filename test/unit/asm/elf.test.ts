// ELF validity: readelf accepts our images without warnings, shows the Xen notes, and the DWARF line
// table (read back by readelf and by our own decoder) maps every instruction to its source line.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble, decodeDebugLine, parseNotes } from '../../../src/asm';
import { FIXTURES, readElf } from '../../fixtures/asm/elf-read';

const FIX = path.join(__dirname, '../../fixtures/asm');
const readFile = (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } };

function build(file: string, bits?: 32 | 64) {
  const full = path.join(FIX, file);
  const r = assemble(fs.readFileSync(full, 'utf8'), { fileName: full, bits, readFile });
  assert.ok(r.ok, r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('\n'));
  return r;
}

const haveReadelf = !spawnSync('readelf', ['--version']).error;

describe('asm: ELF output', function () {
  this.timeout(60000);
  let tmp = '';
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asm-elf-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function readelf(elf: Uint8Array, args: string[]): string {
    const f = path.join(tmp, `img${Math.random().toString(36).slice(2)}.elf`);
    fs.writeFileSync(f, elf);
    const r = spawnSync('readelf', ['-W', ...args, f], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stderr, '', `readelf ${args.join(' ')} printed: ${r.stderr}`);
    assert.ok(!/warning|error/i.test(r.stdout), `readelf ${args.join(' ')} reported a problem:\n${r.stdout}`);
    return r.stdout;
  }

  for (const fx of [...FIXTURES, { file: 'x64-include.s', bits: 64 as const }]) {
    it(`${fx.file}: headers, segments, sections, symbols, notes`, function () {
      const r = build(fx.file, fx.bits);
      const img = readElf(r.elf!);
      assert.strictEqual(img.is64, fx.bits === 64);
      assert.strictEqual(img.machine, fx.bits === 64 ? 62 : 3);
      assert.strictEqual(img.entry, r.entryBig);
      const text = img.sections.get('.text')!;
      assert.ok(text.flags & 4, '.text executable');
      const load = img.segments.filter((s) => s.type === 1);
      assert.ok(load.length >= 1);
      for (const s of load) {
        assert.strictEqual(BigInt(s.offset % 4096), s.vaddr % 4096n, 'p_offset congruent to p_vaddr');
        assert.ok(s.filesz <= s.memsz);
      }
      const textSeg = load.find((s) => s.vaddr <= text.addr && text.addr < s.vaddr + BigInt(s.memsz))!;
      assert.strictEqual(textSeg.flags, 5, 'text segment is R+X');
      const data = img.sections.get('.data');
      if (data) {
        const seg = load.find((s) => s.vaddr <= data.addr && data.addr < s.vaddr + BigInt(s.memsz))!;
        assert.strictEqual(seg.flags, 6, 'data segment is R+W');
      }
      const start = img.symbols.find((s) => s.name === '_start');
      assert.ok(start && start.bind === 1, '_start is a global symbol');
      if (!haveReadelf) { console.log('    [skipped] readelf checks: readelf is not installed'); return; }
      const out = readelf(r.elf!, ['-h', '-l', '-S', '-s', '-n']);
      assert.match(out, /Entry point address:\s+0x/);
      assert.match(out, /_start/);
      if (img.sections.has('.note.Xen')) {
        assert.match(out, /NOTE/);
        assert.match(out, /Xen\s+0x/);
        const notes = parseNotes(img.sections.get('.note.Xen')!.data);
        assert.ok(notes.length > 0 && notes.every((n) => n.name === 'Xen'));
      }
    });

    it(`${fx.file}: DWARF line table maps every instruction to its source line`, () => {
      const r = build(fx.file, fx.bits);
      const img = readElf(r.elf!);
      const rows = decodeDebugLine(img.sections.get('.debug_line')!.data, fx.bits / 8).filter((x) => !x.end);
      const byAddr = new Map(rows.map((x) => [x.addr, x]));
      for (const l of r.lines) {
        const row = byAddr.get(l.addressBig);
        assert.ok(row, `no line row for 0x${l.addressBig.toString(16)}`);
        assert.strictEqual(row!.line, l.line);
        assert.ok(l.file.endsWith(row!.file.split('/').pop()!));
      }
      if (!haveReadelf) return;
      const out = readelf(r.elf!, ['--debug-dump=decodedline']);
      const seen = new Map<string, number>();
      for (const m of out.matchAll(/^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)/gm)) seen.set(m[3], Number(m[2]));
      for (const l of r.lines) assert.strictEqual(seen.get('0x' + l.addressBig.toString(16)), l.line, `readelf row for 0x${l.addressBig.toString(16)}`);
    });
  }

  it('include files appear in the line table and in diagnostics', () => {
    const r = build('x64-include.s', 64);
    const inc = r.lines.filter((l) => l.file.endsWith('inc/hypercall.inc'));
    assert.ok(inc.length >= 5, 'instructions from the include file');
    // macro expansions map to the invocation line
    const src = fs.readFileSync(path.join(FIX, 'x64-include.s'), 'utf8').split('\n');
    const hc = src.findIndex((s) => s.includes('HYPERCALL __HYPERVISOR_sched_op')) + 1;
    assert.ok(r.lines.some((l) => l.line === hc && l.file.endsWith('x64-include.s')));
    if (haveReadelf) {
      const f = path.join(tmp, 'inc.elf');
      fs.writeFileSync(f, r.elf!);
      const out = spawnSync('readelf', ['--debug-dump=decodedline', f], { encoding: 'utf8' }).stdout;
      assert.match(out, /hypercall\.inc/);
    }
    const bad = assemble('.include "inc/missing.inc"\n', { fileName: path.join(FIX, 'x.s'), readFile });
    assert.strictEqual(bad.ok, false);
    assert.match(bad.diagnostics[0].message, /cannot open include file 'inc\/missing\.inc'/);
    const err = assemble('.include "inc/broken.inc"\n', { fileName: '/v/main.s', readFile: (p) => (p === '/v/inc/broken.inc' ? 'nop\n  movx %eax, %ebx\n' : undefined) });
    assert.deepStrictEqual(err.diagnostics.map((d) => [d.file, d.line, d.column]), [['/v/inc/broken.inc', 2, 3]]);
  });

  it('xen_note emits the notes Xen reads and ENTRY feeds e_entry when _start is absent', () => {
    const r = assemble('.xen_note XEN_ELFNOTE_ENTRY, begin\n.xen_note XEN_ELFNOTE_GUEST_OS, "mini"\n.xen_note 9, "yes"\n.xen_note XEN_ELFNOTE_VIRT_BASE, 0, 4\nnop\nbegin: hlt\n', { fileName: 'n.s' });
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    const img = readElf(r.elf!);
    const notes = parseNotes(img.sections.get('.note.Xen')!.data);
    assert.deepStrictEqual(notes.map((n) => [n.name, n.type, n.desc.length]), [['Xen', 1, 8], ['Xen', 6, 5], ['Xen', 9, 4], ['Xen', 3, 4]]);
    assert.strictEqual(r.entryBig, 0x400001n);
    assert.strictEqual(img.entry, 0x400001n);
    assert.ok(img.segments.some((s) => s.type === 4), 'PT_NOTE');
  });

  it('32-bit image: ELF32, entry, symbols with sizes and types', () => {
    const r = assemble('.code32\n.globl _start\n.type _start, @function\n_start: nop\nret\n.size _start, . - _start\n.data\nv: .long 1\n.type v, @object\n.size v, 4\n', { fileName: 's.s' });
    assert.ok(r.ok);
    assert.strictEqual(r.bits, 32);
    const img = readElf(r.elf!);
    assert.ok(!img.is64);
    const s = img.symbols.find((x) => x.name === '_start')!;
    assert.deepStrictEqual([s.type, s.bind, s.size], [2, 1, 2n]);
    const v = img.symbols.find((x) => x.name === 'v')!;
    assert.deepStrictEqual([v.type, v.bind, v.size], [1, 0, 4n]);
  });
});
