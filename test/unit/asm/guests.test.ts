// The real PV test guests (test/guests/*.S, with their .include'd note macros) through our assembler: same
// section bytes as GNU as + ld, and the same behaviour as the binutils build when booted on the emulated Xen.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble, AsmResult } from '../../../src/asm';
import { createDomainFromElf } from '../../../src/xen';
import { readElf } from '../../fixtures/asm/elf-read';
import { buildGuest } from '../../guests/build';

const GUESTS = path.join(__dirname, '../../guests');
type Kind = 'pv64' | 'pv32';
const GUEST_LIST: { name: string; kind: Kind; scenarios: string[] }[] = [
  { name: 'pv64-guest', kind: 'pv64', scenarios: ['', 'u', 'g', 'p', 'b', 'i', 'v', 'e', 'f', 'S3', 'V'] },
  { name: 'pv32-guest', kind: 'pv32', scenarios: ['', 'u', 'p', 'b', 'e', 'S2'] },
  { name: 'pv64-mm', kind: 'pv64', scenarios: [...'ABCDEFGHIJKMN'] },
  { name: 'pv32-mm', kind: 'pv32', scenarios: [...'ABCDEFGHIJKMN'] },
];

function ours(name: string, kind: Kind): AsmResult {
  const file = path.join(GUESTS, `${name}.S`);
  return assemble(fs.readFileSync(file, 'utf8'), {
    fileName: file, bits: kind === 'pv64' ? 64 : 32, base: kind === 'pv64' ? 0xffffffff80000000n : 0xc0000000,
    readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined),
  });
}

/** What a run shows from outside: console, every hypercall with its result, how it ended. */
function behaviour(elf: Uint8Array, cmdline: string): string {
  const d = createDomainFromElf(elf, { cmdline });
  const r = d.run(2_000_000);
  const calls = d.hypercallLog.map((e) => `${e.name}=${e.resultText}`).join(' ');
  return `${r.reason} ${d.shutdownReasonName ?? ''} ${d.crashDiagnostic ?? ''}\n${d.consoleOutput}\n${calls}`;
}

describe('asm: the real test guests (test/guests/*.S)', function () {
  this.timeout(60000);
  let tmp = '';
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asm-guests-')); });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  for (const g of GUEST_LIST) {
    it(`${g.name}.S: every section byte-identical to GNU as + ld at the same addresses`, () => {
      const r = ours(g.name, g.kind);
      assert.deepStrictEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.ok(r.elf);
      const file = path.join(GUESTS, `${g.name}.S`);
      const obj = path.join(tmp, `${g.name}.o`), exe = path.join(tmp, `${g.name}.elf`);
      const as = spawnSync('as', [g.kind === 'pv64' ? '--64' : '--32', '-I', GUESTS, '-o', obj, file], { encoding: 'utf8' });
      assert.strictEqual(as.status, 0, `as failed: ${as.stderr}`);
      const starts = r.sections.map((s) => `--section-start=${s.name}=0x${s.addressBig.toString(16)}`);
      const ld = spawnSync('ld', ['-m', g.kind === 'pv64' ? 'elf_x86_64' : 'elf_i386', '-e', '0', '-o', exe, ...starts, obj], { encoding: 'utf8' });
      assert.strictEqual(ld.status, 0, `ld failed: ${ld.stderr}`);
      const a = readElf(r.elf!), b = readElf(new Uint8Array(fs.readFileSync(exe)));
      assert.ok(r.sections.some((s) => s.name === '.note.Xen'), 'Xen notes assembled');
      for (const s of r.sections) {
        const x = a.sections.get(s.name)!, y = b.sections.get(s.name);
        assert.ok(y, `ld output lacks ${s.name}`);
        assert.strictEqual(x.size, y!.size, `${s.name} size`);
        const i = x.data.findIndex((v, k) => v !== y!.data[k]);
        assert.strictEqual(i, -1, `${g.name} ${s.name} differs at offset 0x${i.toString(16)}`);
      }
    });

    it(`${g.name}.S: boots on the emulated Xen exactly like the binutils build (${g.scenarios.length} scenarios)`, () => {
      const r = ours(g.name, g.kind);
      assert.ok(r.elf, r.diagnostics.map((d) => d.message).join('\n'));
      const gnu = buildGuest(g.name, g.kind);
      for (const sc of g.scenarios) {
        const mine = behaviour(r.elf!, sc);
        assert.match(mine, /^shutdown /, `scenario '${sc}' shut down`);
        assert.strictEqual(mine, behaviour(gnu, sc), `scenario '${sc}'`);
      }
    });
  }
});
