// Byte-for-byte comparison with GNU as + ld: every fixture is assembled by both, ld places each section
// at the address our assembler chose, and all section contents must be identical.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { assemble } from '../../../src/asm';
import { FIXTURES, readElf } from '../../fixtures/asm/elf-read';

const FIX = path.join(__dirname, '../../fixtures/asm');

function toolMissing(): string | undefined {
  for (const tool of ['as', 'ld']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `'${tool}' (GNU binutils) is not available: ${r.error ? r.error.message : r.stderr}`;
  }
  return undefined;
}

describe('asm: byte-for-byte against GNU as', function () {
  this.timeout(60000);
  let tmp = '';
  const missing = toolMissing();

  before(function () {
    if (missing) {
      console.log(`    [skipped] GNU as comparison: ${missing}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asm-gas-'));
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  for (const fx of FIXTURES) {
    it(`${fx.file} (${fx.bits}-bit) matches as/ld`, () => {
      const file = path.join(FIX, fx.file);
      const src = fs.readFileSync(file, 'utf8');
      const r = assemble(src, { fileName: file, bits: fx.bits });
      assert.deepStrictEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.ok(r.elf);
      const obj = path.join(tmp, fx.file + '.o'), exe = path.join(tmp, fx.file + '.elf');
      const as = spawnSync('as', [fx.bits === 64 ? '--64' : '--32', '-o', obj, file], { encoding: 'utf8' });
      assert.strictEqual(as.status, 0, `as failed: ${as.stderr}`);
      const starts = r.sections.map((s) => `--section-start=${s.name}=0x${s.addressBig.toString(16)}`);
      const ld = spawnSync('ld', ['-m', fx.bits === 64 ? 'elf_x86_64' : 'elf_i386', '-e', '0', '-o', exe, ...starts, obj], { encoding: 'utf8' });
      assert.strictEqual(ld.status, 0, `ld failed: ${ld.stderr}`);
      const ours = readElf(r.elf!);
      const theirs = readElf(new Uint8Array(fs.readFileSync(exe)));
      assert.ok(r.sections.length > 0);
      for (const s of r.sections) {
        const a = ours.sections.get(s.name)!, b = theirs.sections.get(s.name);
        assert.ok(b, `ld output lacks section ${s.name}`);
        assert.strictEqual(b!.addr, a.addr, `${s.name} address`);
        assert.strictEqual(a.size, b!.size, `${s.name} size`);
        if (!Buffer.from(a.data).equals(Buffer.from(b!.data))) {
          let i = 0;
          while (a.data[i] === b!.data[i]) i++;
          let where = `offset 0x${i.toString(16)}`;
          if (a.flags & 4) {
            const line = [...r.lines].reverse().find((l) => l.addressBig <= a.addr + BigInt(i));
            const dec = new Decoder(fx.bits, b!.data.slice(line ? Number(line.addressBig - a.addr) : i), DecoderOptions.None);
            where += line ? ` (source line ${line.line}; GNU as: ${new Formatter(FormatterSyntax.Gas).format(dec.decode())})` : '';
          }
          assert.fail(`${fx.file} ${s.name} differs at ${where}`);
        }
      }
    });
  }
});
