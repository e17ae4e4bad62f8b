// CFI: the .eh_frame and .debug_frame parsers against readelf's interpreted tables (every row of every FDE), and
// the CFI stack walk of a gcc -O2 -fomit-frame-pointer C guest checked at every instruction of its call chain.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { parseElf, ElfImage } from '../../src/common/elf';
import { readCfi, CfiTable } from '../../src/debug/cfi';
import { SymbolTable } from '../../src/debug/symbols';
import { walkStack } from '../../src/debug/stack';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { pcLinear } from '../../src/debug/guest-memory';
import { buildCGuest } from './debug-cguest';

const DWARF_NAMES: Record<string, number> = { rax: 0, rdx: 1, rcx: 2, rbx: 3, rsi: 4, rdi: 5, rbp: 6, rsp: 7, r8: 8, r9: 9, r10: 10, r11: 11, r12: 12, r13: 13, r14: 14, r15: 15, ra: 16 };

interface ReadelfRow { loc: number; cfa: string; cols: Map<string, string>; }

/** readelf -wF: FDE rows (LOC, CFA, register columns). */
function readelfRows(file: string): ReadelfRow[] {
  const out = execFileSync('readelf', ['-wF', file], { encoding: 'utf8' });
  const rows: ReadelfRow[] = [];
  let inFde = false, names: string[] = [];
  for (const line of out.split('\n')) {
    if (/ FDE cie=/.test(line)) { inFde = true; continue; }
    if (/ CIE /.test(line) || line.trim() === '') { if (line.trim() === '') names = []; if (/ CIE /.test(line)) inFde = false; continue; }
    if (!inFde) continue;
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'LOC') { names = parts.slice(2); continue; }
    if (!/^[0-9a-f]{16}$/.test(parts[0])) continue;
    rows.push({ loc: parseInt(parts[0], 16), cfa: parts[1], cols: new Map(names.map((n, i) => [n, parts[2 + i]])) });
  }
  return rows;
}

function image(file: string): ElfImage { return parseElf(new Uint8Array(fs.readFileSync(file))); }

for (const variant of ['eh', 'debug'] as const) {
  describe(`debug: CFI parser (${variant === 'eh' ? '.eh_frame' : '.debug_frame'})`, () => {
    it('every row matches readelf -wF', () => {
      const file = buildCGuest(variant);
      const cfi: CfiTable = readCfi(image(file));
      assert.deepStrictEqual(cfi.problems, []);
      assert.ok(cfi.size >= 5, `FDEs: ${cfi.size}`);
      const rows = readelfRows(file);
      assert.ok(rows.length >= 15, `readelf rows: ${rows.length}`);
      for (const want of rows) {
        const got = cfi.rowAt(want.loc)!;
        assert.ok(got, `row at 0x${want.loc.toString(16)}`);
        const m = /^(r\w+)\+(\d+)$/.exec(want.cfa)!;
        assert.strictEqual(got.cfaReg, DWARF_NAMES[m[1]], `CFA register at 0x${want.loc.toString(16)}`);
        assert.strictEqual(got.cfaOffset, Number(m[2]), `CFA offset at 0x${want.loc.toString(16)}`);
        for (const [name, rule] of want.cols) {
          const r = got.regs.get(DWARF_NAMES[name]);
          if (rule === 'u') assert.ok(!r || r.kind === 'undefined' || r.kind === 'same', `${name} at 0x${want.loc.toString(16)}: ${JSON.stringify(r)}`);
          else assert.deepStrictEqual(r, { kind: 'offset', offset: Number(rule.slice(1)) }, `${name} at 0x${want.loc.toString(16)}`);
        }
      }
      assert.strictEqual(cfi.rowAt(0x12345678), undefined, 'no FDE, no row');
    });
  });
}

describe('debug: CFI parser robustness', () => {
  it('garbage and truncated sections give no rows and no exceptions', () => {
    const file = buildCGuest('eh');
    const img = image(file);
    const sec = img.sections.find((s) => s.name === '.eh_frame')!;
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = img.bytes.slice();
      let x = seed * 2654435761;
      const n = 1 + (seed % 8);
      for (let k = 0; k < n; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[sec.offset + (x % sec.size)] = x >>> 24; }
      const bad = { ...img, bytes };
      const cfi = readCfi(bad);
      for (let pc = 0x400000; pc < 0x400160; pc += 3) cfi.rowAt(pc);
    }
    const cut = { ...img, sections: img.sections.map((s) => (s.name === '.eh_frame' ? { ...s, size: 37 } : s)) };
    assert.ok(readCfi(cut).problems.length >= 1 || readCfi(cut).size <= 1);
  });
});

for (const variant of ['eh', 'debug'] as const) {
  describe(`debug: CFI stack walk, gcc -O2 -fomit-frame-pointer guest (${variant})`, () => {
    it('at every instruction of outer/middle/leaf the whole call chain is found', () => {
      const file = buildCGuest(variant);
      const img = image(file);
      const sym = SymbolTable.fromImage(img);
      assert.ok(sym.cfi, 'the symbol table carries the CFI');
      const m = new XenDebugMachine(img, { memoryMiB: 8 });
      const cpu = m.vcpus[0];
      const chain = ['leaf', 'middle', 'outer', 'start_c', '_start'];
      const fnOf = (pc: number): string | undefined => sym.lookup(pc, true)?.name;
      let checked = 0, inOuter = false, sawLeafBody = false;
      for (let step = 0; step < 5000 && m.domain.state === 'running'; step++) {
        const pc = pcLinear(cpu);
        const fn = fnOf(pc);
        if (fn === 'outer') inOuter = true;
        if (inOuter && fn === 'start_c') break;
        if (inOuter && fn && chain.includes(fn)) {
          const names = walkStack(cpu, sym).map((f, i) => fnOf(i === 0 ? f.pc : f.pc - 1));
          assert.deepStrictEqual(names, chain.slice(chain.indexOf(fn)), `stack at 0x${pc.toString(16)} (${fn})`);
          checked++;
          if (pc === sym.address('leaf_body')) {
            sawLeafBody = true;
            // the frame-pointer walk alone cannot do this: rbp holds data in middle
            const fpOnly = Object.assign(Object.create(Object.getPrototypeOf(sym)), sym, { cfi: undefined });
            const fpNames = walkStack(cpu, fpOnly).map((f, i) => fnOf(i === 0 ? f.pc : f.pc - 1));
            assert.notDeepStrictEqual(fpNames, chain, 'frame pointers alone already give the chain?');
          }
        }
        m.run(0, 1);
      }
      assert.ok(sawLeafBody, 'stepped through leaf_body');
      assert.ok(checked > 60, `checked ${checked} instructions`);
      for (let i = 0; i < 100 && m.domain.state === 'running'; i++) m.run(0, 10000);
      assert.strictEqual(m.domain.state, 'shutdown', m.domain.crashDiagnostic);
    });
  });
}
