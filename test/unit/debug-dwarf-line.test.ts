// DWARF .debug_line reader against binutils: every (line, address) statement row readelf decodes, for
// line-table versions 2 to 5, and the address/line lookups the debugger relies on.

import * as assert from 'assert';
import * as fs from 'fs';
import { execFileSync } from 'child_process';
import { parseElf } from '../../src/common/elf';
import { readLineTable, decodeLineSections, DwarfError } from '../../src/debug/dwarf-line';
import { buildGuest, lineOf, sourceOf, symbolAddress } from '../dap/fixtures';

function readelfRows(elf: string): Set<string> {
  const out = execFileSync('readelf', ['--debug-dump=decodedline', elf], { encoding: 'utf8' });
  const rows = new Set<string>();
  for (const l of out.split('\n')) {
    const m = /^\S+\.s\s+(\d+)\s+0x([0-9a-f]+)/.exec(l);
    if (m) rows.add(`${Number(m[1])}@${parseInt(m[2], 16).toString(16)}`);
  }
  return rows;
}

describe('debug: DWARF line table', () => {
  for (const version of [2, 3, 4, 5] as const) {
    it(`decodes the rows readelf decodes (DWARF ${version})`, () => {
      const elf = buildGuest('prog64', { dwarf: version });
      const table = readLineTable(parseElf(fs.readFileSync(elf)), '/');
      const ours = new Set(table.rows.map((r) => `${r.line}@${r.address.toString(16)}`));
      const theirs = readelfRows(elf);
      assert.ok(theirs.size > 20, 'readelf found rows');
      for (const r of theirs) assert.ok(ours.has(r), `row ${r} missing (ours: ${[...ours].slice(0, 5).join(' ')} ...)`);
      assert.deepStrictEqual(table.files, [sourceOf('prog64')]);
    });
  }

  it('maps lines to addresses and back', () => {
    const elf = buildGuest('prog64');
    const table = readLineTable(parseElf(fs.readFileSync(elf)), '/');
    const entry = table.addressesFor(sourceOf('prog64'), lineOf('prog64', 'entry'));
    assert.deepStrictEqual(entry, { line: lineOf('prog64', 'entry'), addresses: [0x100000] });
    const sumTo = symbolAddress(elf, 'sum_to');
    // the label line has no code: the breakpoint moves to the first instruction after it
    const moved = table.addressesFor(sourceOf('prog64'), lineOf('prog64', 'add') - 4);
    assert.strictEqual(moved?.addresses[0], sumTo);
    const row = table.lookup(sumTo + 1);
    assert.strictEqual(row?.line, lineOf('prog64', 'add') - 2); // mov %rsp,%rbp after the 1-byte push
    assert.strictEqual(table.lookup(0x50), undefined);
    assert.strictEqual(table.addressesFor('/nonexistent/other.s', 3), undefined);
    assert.ok(table.isStatementStart(0x100000));
  });

  it('reports malformed tables as DwarfError, never another exception', () => {
    const bad = [new Uint8Array([1, 0, 0]), new Uint8Array([8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array([0xf0, 0xff, 0xff, 0xff])];
    for (const b of bad) assert.throws(() => decodeLineSections({ line: b }, 8), DwarfError);
    for (let seed = 1; seed < 200; seed++) {
      const elf = fs.readFileSync(buildGuest('prog64'));
      const img = parseElf(elf);
      const sec = img.sections.find((s) => s.name === '.debug_line')!;
      const line = elf.slice(sec.offset, sec.offset + sec.size);
      const k = (seed * 7919) % line.length;
      line[k] ^= (seed * 31) & 0xff || 1;
      try { decodeLineSections({ line }, 8); } catch (e) { assert.ok(e instanceof DwarfError, `seed ${seed}: ${(e as Error).message}`); }
    }
  });
});
