// Sweep against GNU as over the whole instruction set: random bytes decoded by iced give one instance of
// (almost) every legacy-encoded Code; iced's GAS formatter prints it; GNU as and our assembler must then
// agree on the bytes (or both reject the text).

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, Decoder, DecoderOptions, EncodingKind, Formatter, FormatterSyntax, MemorySizeOptions } from 'iced-x86';
import { assemble } from '../../../src/asm';
import { readElf } from '../../fixtures/asm/elf-read';

/** Texts whose GNU as object bytes need relocations (absolute branch targets) or that gas spells differently. */
const SKIP = [
  /^(bnd |data16 |notrack )?(j[a-z]*|call[wlq]?|loop[a-z]*|xbegin[wl]?) [^*]/, /^\.byte/, /^xchg %rax,%rax$/,
  // AVX-VNNI/IFMA: GNU as picks the EVEX form unless {vex} is written
  /^vp(dpbu|dpws|madd52)/,
];
/** Intel syntax: the same, plus forms where iced prints implicit operands GNU as spells differently. */
const SKIP_INTEL = [
  /^(bnd |data16 |notrack )?(j[a-z]*|call|loop[a-z]*|xbegin) (short |near )?[0-9]/, /^\.byte/, /^xchg rax,rax$/, /^vp(dpbu|dpws|madd52)/,
  /ret far/, /^data16 (push|call)/, /^(vmload|vmrun|vmsave|invlpga|skinit|monitorx?|mwaitx?|clzero|rmpadjust|rmpupdate|pvalidate|psmash|rmpquery|rmpread) /,
];
const SLOT = 32;

function xorshift(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x >>> 24; };
}

function sample(bits: 32 | 64, seed: number, max: number, enc: EncodingKind, intel = false): string[] {
  const rnd = xorshift(seed);
  const fmt = new Formatter(intel ? FormatterSyntax.Intel : FormatterSyntax.Gas);
  fmt.ripRelativeAddresses = true;
  if (intel) { fmt.memorySizeOptions = MemorySizeOptions.Always; fmt.hexPrefix = '0x'; fmt.hexSuffix = ''; }
  const skip = intel ? SKIP_INTEL : SKIP;
  const seen = new Set<Code>();
  const out: string[] = [];
  const buf = new Uint8Array(16);
  for (let tries = 0; tries < 400000 && out.length < max; tries++) {
    for (let i = 0; i < 16; i++) buf[i] = rnd();
    const d = new Decoder(bits, buf, DecoderOptions.None);
    d.ip = 0x400000n;
    const ins = d.decode();
    d.free();
    if (!ins.isInvalid && ins.encoding === enc && !seen.has(ins.code)) {
      seen.add(ins.code);
      const t = fmt.format(ins);
      if (!skip.some((r) => r.test(t))) out.push(t);
    }
    ins.free();
  }
  fmt.free();
  return out;
}

function gas(bits: 32 | 64, src: string, dir: string): { errors: Set<number>; text?: Uint8Array } {
  const s = path.join(dir, 'sweep.s'), o = path.join(dir, 'sweep.o');
  fs.writeFileSync(s, src);
  const r = spawnSync('as', [bits === 64 ? '--64' : '--32', '-o', o, s], { encoding: 'utf8' });
  const errors = new Set<number>();
  for (const m of r.stderr.matchAll(/sweep\.s:(\d+): Error/g)) errors.add(Number(m[1]));
  if (r.status !== 0) return { errors };
  const t = readElf(new Uint8Array(fs.readFileSync(o))).sections.get('.text')!;
  return { errors, text: t.data };
}

const source = (bits: number, lines: string[], intel = false) =>
  (intel ? '.intel_syntax noprefix;' : '') + (bits === 32 ? '.code32\n' : '.code64\n') + lines.map((l) => `${l}\n.balign ${SLOT}, 0xcc\n`).join('');

describe('asm: GNU as instruction-set sweep', function () {
  this.timeout(120000);
  let dir = '';
  const missing = spawnSync('as', ['--version']).error;
  before(function () {
    if (missing) { console.log(`    [skipped] GNU as sweep: 'as' is not available (${missing.message})`); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asm-sweep-'));
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  const runs: [32 | 64, number, EncodingKind, string, boolean?][] = [
    [64, 1, EncodingKind.Legacy, 'legacy'], [64, 2, EncodingKind.Legacy, 'legacy'], [64, 3, EncodingKind.Legacy, 'legacy'],
    [32, 1, EncodingKind.Legacy, 'legacy'], [32, 2, EncodingKind.Legacy, 'legacy'], [32, 3, EncodingKind.Legacy, 'legacy'],
    [64, 1, EncodingKind.VEX, 'VEX'], [64, 2, EncodingKind.VEX, 'VEX'], [64, 3, EncodingKind.VEX, 'VEX'],
    [64, 4, EncodingKind.Legacy, 'Intel-syntax legacy', true], [32, 4, EncodingKind.Legacy, 'Intel-syntax legacy', true],
    [64, 5, EncodingKind.VEX, 'Intel-syntax VEX', true],
  ];
  for (const [bits, seed, enc, encName, intel] of runs) {
    {
      it(`${bits}-bit ${encName}, seed ${seed}: same bytes as GNU as for every instruction both accept`, () => {
        const lines = sample(bits, seed, 1500, enc, intel);
        assert.ok(lines.length > (enc === EncodingKind.VEX ? 100 : 500), `only ${lines.length} instructions sampled`);
        const first = gas(bits, source(bits, lines, intel), dir);
        const ours = assemble(source(bits, lines, intel), { fileName: 'sweep.s', bits });
        const ourErr = new Set(ours.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
        const lineOf = (i: number) => 2 * i + 2;
        const rejectedByUsOnly = lines.filter((_, i) => ourErr.has(lineOf(i)) && !first.errors.has(lineOf(i)));
        assert.deepStrictEqual(rejectedByUsOnly, [], 'instructions GNU as accepts but we reject');
        const keep = lines.filter((_, i) => !ourErr.has(lineOf(i)) && !first.errors.has(lineOf(i)));
        const g = gas(bits, source(bits, keep, intel), dir);
        assert.ok(g.text, 'GNU as accepted the filtered sweep');
        const r = assemble(source(bits, keep, intel), { fileName: 'sweep.s', bits });
        assert.ok(r.ok);
        const t = readElf(r.elf!).sections.get('.text')!.data;
        const diffs: string[] = [];
        for (let i = 0; i < keep.length; i++) {
          const a = Buffer.from(t.subarray(i * SLOT, (i + 1) * SLOT)).toString('hex').replace(/(cc)+$/, '');
          const b = Buffer.from(g.text!.subarray(i * SLOT, (i + 1) * SLOT)).toString('hex').replace(/(cc)+$/, '');
          if (a !== b) diffs.push(`${keep[i]}: ours ${a} gas ${b}`);
        }
        assert.deepStrictEqual(diffs, []);
      });
    }
  }
});
