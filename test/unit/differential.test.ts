// Differential test: flag-affecting general-purpose instructions run natively (this machine's x86-64 CPU,
// in 64-bit and 32-bit processes) and in the emulator; GPRs, the memory buffer and defined flags must agree.
// DIFF_SWEEP=1 runs the large sweep (~200k cases); DIFF_SEED=n changes the seed.

import * as assert from 'assert';
import * as fs from 'fs';
import { generateCases, DiffCase, MEM_BIAS } from '../diff/cases';
import { runNative, nativeAvailable, Outcome } from '../diff/native';
import { EmuRunner } from '../diff/emu';
import { compareOutcome, formatMismatch, Mismatch } from '../diff/compare';

const SWEEP = process.env.DIFF_SWEEP === '1';
const SEED = Number(process.env.DIFF_SEED ?? 0x5eed);
const PER_FAMILY = SWEEP ? 1800 : 40;

/** Families the host CPU cannot run (it would execute a different instruction), with the reason. */
function unsupportedFamilies(): Map<string, string> {
  const out = new Map<string, string>();
  let flags = new Set<string>();
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags'));
    flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch { /* not Linux: nativeAvailable() skips anyway */ }
  // Without LZCNT (cpuid abm/lzcnt) F3 0F BD executes as BSR; without BMI1 F3 0F BC executes as BSF.
  if (!flags.has('abm') && !flags.has('lzcnt')) out.set('lzcnt', 'host CPU lacks LZCNT (no abm/lzcnt in /proc/cpuinfo)');
  if (!flags.has('bmi1')) out.set('tzcnt', 'host CPU lacks TZCNT (no bmi1 in /proc/cpuinfo)');
  if (!flags.has('popcnt')) out.set('popcnt', 'host CPU lacks POPCNT');
  return out;
}

function runMode(mode: 32 | 64, cases: DiffCase[]): { mismatches: Mismatch[]; perFamily: Map<string, [number, number]>; ms: number } {
  const t0 = Date.now();
  const natives = runNative(mode, cases);
  const emu = new EmuRunner(mode);
  const mismatches: Mismatch[] = [];
  const perFamily = new Map<string, [number, number]>();
  cases.forEach((c, k) => {
    const e: Outcome = emu.run(c);
    const m = compareOutcome(c, natives[k], e);
    let pf = perFamily.get(c.family);
    if (pf === undefined) { pf = [0, 0]; perFamily.set(c.family, pf); }
    pf[1]++;
    if (m === null) pf[0]++; else mismatches.push(m);
  });
  return { mismatches, perFamily, ms: Date.now() - t0 };
}

function report(mode: number, res: ReturnType<typeof runMode>): string {
  const parts = [...res.perFamily].map(([f, [ok, n]]) => `${f} ${ok}/${n}${ok === n ? ' ok' : ' FAIL'}`);
  const total = [...res.perFamily.values()].reduce((a, [, n]) => a + n, 0);
  const lines = [`differential ${mode}-bit (${total} cases, ${res.ms} ms, seed ${SEED}): ${parts.join(', ')}`];
  // Show a few mismatches per family, up to a total, so one broken handler does not hide the others.
  const shown = new Map<string, number>();
  let count = 0;
  for (const m of res.mismatches) {
    const s = shown.get(m.c.family) ?? 0;
    if (s >= 2 || count >= 60) continue;
    shown.set(m.c.family, s + 1); count++;
    lines.push(formatMismatch(m));
  }
  if (res.mismatches.length > count) lines.push(`... and ${res.mismatches.length - count} more mismatches`);
  return lines.join('\n');
}

describe('differential: comparison rules', () => {
  const c: DiffCase = {
    mode: 64, family: 'and', codeName: 'And_rm32_r32', bytes: Uint8Array.from([0x21, 0xc8]), ninsn: 1,
    regs: Array.from({ length: 16 }, (_, r) => BigInt(r)), flags: 0x2, baseReg: 3, mem: new Uint8Array(256), mask: { opsize: 32 }, text: 'and %ecx,%eax',
  };
  const out = (): Outcome => ({ regs: c.regs.map((v, r) => (r === 3 ? 0x5000n : r === 4 ? 0x200000n : v)), flags: 0x46, fault: '', bufPtr: 0x5000n, mem: new Uint8Array(256) });
  it('accepts equal outcomes, base register compared relative to each side\'s buffer, undefined AF ignored for and', () => {
    const n = out(), e = out();
    n.regs[3] = 0x7008n; n.bufPtr = 0x7000n; e.regs[3] = 0x5008n;
    e.flags = 0x46 | 0x10;
    assert.strictEqual(compareOutcome(c, n, e), null);
  });
  it('reports a register, a defined flag, memory and a fault difference', () => {
    const e1 = out(); e1.regs[0] = 99n;
    assert.match(compareOutcome(c, out(), e1)?.first ?? '', /^rax/);
    const e2 = out(); e2.flags = 0x47;
    assert.match(compareOutcome(c, out(), e2)?.first ?? '', /^flags CF/);
    const e3 = out(); e3.mem[200] = 1;
    assert.match(compareOutcome(c, out(), e3)?.first ?? '', /^memory at buffer\+72/);
    const e4 = out(); e4.fault = '#UD';
    assert.match(compareOutcome(c, out(), e4)?.first ?? '', /^fault/);
    const n5 = out(); n5.fault = '#GP/#PF'; const e5 = out(); e5.fault = '#PF';
    assert.strictEqual(compareOutcome(c, n5, e5), null);
  });
});

describe('differential: native CPU vs emulator', function () {
  this.timeout(SWEEP ? 1_800_000 : 60_000);
  const unsupported = unsupportedFamilies();

  for (const mode of [64, 32] as const) {
    describe(`${mode}-bit mode`, () => {
      const why = nativeAvailable(mode);

      it('native harness runs known instructions correctly', function () {
        if (why !== null) { console.log(`    skipped: ${why}`); this.skip(); }
        const W = mode;
        const base = (): DiffCase => ({
          mode, family: 'add', codeName: 'Add_rm32_r32', bytes: Uint8Array.from([0x01, 0xc8]), ninsn: 1,
          regs: Array.from({ length: mode === 64 ? 16 : 8 }, (_, r) => BigInt(r * 0x11111111)), flags: 0x2, baseReg: -1,
          mem: new Uint8Array(256).map((_, k) => k), mask: { opsize: 32 }, text: 'add %ecx,%eax',
        });
        const add = base();
        add.regs[0] = 0xffffffffn; add.regs[1] = 1n;
        const div0 = { ...base(), bytes: Uint8Array.from([0xf7, 0xf3]), family: 'div' };  // div %ebx with ebx = 0
        div0.regs = [...div0.regs]; div0.regs[3] = 0n;
        const memAdd = { ...base(), bytes: Uint8Array.from([0x01, 0x4b, 0x04]), baseReg: 3 };   // add %ecx,4(%ebx)
        const [a, d, m] = runNative(mode, [add, div0, memAdd]);
        assert.strictEqual(a.regs[0], 0n);
        assert.strictEqual(a.flags & 0x8d5, 0x55, `flags ${a.flags.toString(16)}`); // CF ZF PF AF set, SF OF clear
        assert.strictEqual(d.fault, '#DE');
        assert.strictEqual(d.regs[0], div0.regs[0]);
        const v = m.mem[MEM_BIAS + 4] | (m.mem[MEM_BIAS + 5] << 8);
        assert.strictEqual(v, ((MEM_BIAS + 4) | ((MEM_BIAS + 5) << 8)) + 0x1111, `memory add: ${v.toString(16)} (W=${W})`);
        assert.strictEqual(m.regs[3], m.bufPtr);
      });

      it('emulator matches the native CPU on every case', function () {
        if (why !== null) { console.log(`    skipped: ${why}`); this.skip(); }
        for (const [f, r] of unsupported) console.log(`    ${f} skipped: ${r}`);
        const cases = generateCases(mode, SEED + mode, PER_FAMILY, new Set(unsupported.keys()));
        const res = runMode(mode, cases);
        console.log(report(mode, res));
        assert.strictEqual(res.mismatches.length, 0, `${res.mismatches.length} of ${cases.length} ${mode}-bit cases differ (first: ${res.mismatches[0]?.c.text} — ${res.mismatches[0]?.first})`);
      });
    });
  }
});
