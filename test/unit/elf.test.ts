// ELF reader: real images from the machine's binutils, 64-bit kernel addresses kept exact, and clear
// errors (never exceptions of other kinds) for malformed input.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { parseElf, elfSymbols, elfNotes, ElfError, PT_LOAD } from '../../src/common/elf';

function haveBinutils(): boolean {
  try { execFileSync('as', ['--version'], { stdio: 'ignore' }); execFileSync('ld', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('ELF reader', () => {
  it('reads a high-half kernel image exactly (entry, segments, symbols, notes)', function () {
    if (!haveBinutils()) { console.log('    (skipped: GNU as/ld not installed)'); this.skip(); }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elf-'));
    const src = path.join(dir, 'k.s');
    fs.writeFileSync(src, [
      '.section .note.Xen,"a",@note', '.balign 4', '.long 4, 8, 3', '.asciz "Xen"', '.balign 4', '.quad 0xffffffff80000000',
      '.text', '.globl _start', '_start: nop', 'second: ret', '',
    ].join('\n'));
    execFileSync('as', ['--64', '-o', path.join(dir, 'k.o'), src]);
    execFileSync('ld', ['-m', 'elf_x86_64', '-Ttext=0xffffffff80001000', '-e', '_start', '-o', path.join(dir, 'k.elf'), path.join(dir, 'k.o')]);
    const img = parseElf(fs.readFileSync(path.join(dir, 'k.elf')));
    assert.strictEqual(img.bits, 64);
    assert.strictEqual(img.entry, -0x80000000 + 0x1000, 'entry 0xffffffff80001000 as a canonical signed number');
    const text = img.segments.find((s) => s.type === PT_LOAD && (s.flags & 1));
    assert.ok(text && text.vaddr === -0x80000000 + 0x1000);
    const syms = elfSymbols(img);
    assert.strictEqual(syms.find((s) => s.name === 'second')?.value, -0x80000000 + 0x1001);
    const note = elfNotes(img).find((n) => n.name === 'Xen' && n.type === 3);
    assert.ok(note);
    assert.deepStrictEqual([...note.desc], [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('rejects malformed images with ElfError only', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(10), /too small/],
      [Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 9, 1, ...new Array(60).fill(0)]), /unknown ELF class/],
      [Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, ...new Array(60).fill(0)]), /not x86-64/],
    ];
    for (const [bytes, re] of cases) assert.throws(() => parseElf(bytes), (e: unknown) => e instanceof ElfError && re.test(e.message));
    // random corruption of a valid header: only ElfError (or success) — never another exception
    const base = new Uint8Array(64); base.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); base[18] = 62;
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let k = 0; k < 3000; k++) {
      const b = new Uint8Array(64 + (rnd() & 63));
      b.set(base);
      for (let j = 16; j < b.length; j++) if (rnd() < 64) b[j] = rnd();
      try { const img = parseElf(b); elfSymbols(img); elfNotes(img); } catch (e) { assert.ok(e instanceof ElfError, String(e)); }
    }
  });
});
