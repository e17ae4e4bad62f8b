// xen/whatIf: the answer for a PTE equals what the guest's real mmu_update of the same value returns (errno and mm
// rule), on pv64 and pv32pae; nothing in the live domain changes; descriptors follow check_descriptor; REPL form.

import * as assert from 'assert';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { SymbolTable } from '../../src/debug/symbols';
import { whatIf, WhatIfResult } from '../../src/debug/what-if';
import { xenReplCommand } from '../../src/debug/xen-view';
import { writeLinear } from '../../src/debug/guest-memory';
import { probe } from '../../src/cpu/mmu/paging';
import { mmuGuest } from './debug-guests';

interface Setup { m: XenDebugMachine; sym: SymbolTable; target: number; l1mfn: number; l1index: number; l2mfn: number; l2index: number; tmfn: number; }

function setup(kind: 'pv64' | 'pv32'): Setup {
  const img = mmuGuest(kind);
  const m = new XenDebugMachine(img, { memoryMiB: 16 });
  const sym = SymbolTable.fromImage(img);
  const target = sym.address('target')!;
  const cpu = m.vcpus[0];
  const w = probe(cpu.mem, cpu, target).levels;
  const l1 = w.find((l) => l.level === 1)!, l2 = w.find((l) => l.level === 2)!;
  const tmfn = m.domain.image.p2m[(target - m.domain.image.virtBase) / 4096];
  return { m, sym, target, l1mfn: Math.floor(l1.tableAddr / 4096), l1index: l1.index, l2mfn: Math.floor(l2.tableAddr / 4096), l2index: l2.index, tmfn };
}

const pte = (mfn: number, flags: number, nx = false): string =>
  `0x${((BigInt(mfn) << 12n) | BigInt(flags) | (nx ? 1n << 63n : 0n)).toString(16).padStart(16, '0')}`;

/** Everything the live mm state holds, to compare before/after a what-if. */
function snapshot(m: XenDebugMachine): string {
  const mm = m.domain.mm, f = mm.frames;
  let h = 0;
  for (let i = 0; i < mm.mem.bytes.length; i += 8) h = (Math.imul(h, 31) + mm.mem.view.getInt32(i, true)) | 0;
  return JSON.stringify([h, Buffer.from(f.count.buffer).toString('base64').length, [...f.count].join(), [...f.typeCount].join(), [...f.type].join(),
    [...f.typeFlags].join(), [...f.owner].join(), [...f.linearPtCount].join(), [...mm.m2p].slice(0, 64).join(), mm.diag.all().length,
    m.vcpus[0].icount]);
}

/** Run the guest's own mmu_update(ptr = table[index], val) and return its result and mm rule. */
function realMmuUpdate(s: Setup, tableMfn: number, index: number, value: string): { rc: number; text: string; rule?: string } {
  const ptr = tableMfn * 4096 + index * 8;
  const b = new Uint8Array(16), v = new DataView(b.buffer);
  v.setUint32(0, ptr % 2 ** 32, true); v.setUint32(4, Math.floor(ptr / 2 ** 32), true);
  const val = BigInt(value);
  v.setUint32(8, Number(val & 0xffffffffn), true); v.setUint32(12, Number(val >> 32n), true);
  writeLinear(s.m.vcpus[0], s.sym.address('req')!, b);
  s.m.domain.run(2_000_000);
  assert.strictEqual(s.m.domain.state, 'shutdown', s.m.domain.crashDiagnostic);
  const e = s.m.domain.hypercallLog.find((x) => x.name === 'mmu_update')!;
  return { rc: e.result, text: e.resultText, rule: e.mm?.rule };
}

function agree(kind: 'pv64' | 'pv32', name: string, args: (s: Setup) => { level: number; value: string; tableMfn?: number; index?: number; address?: string }, want: { accepted: boolean; rule?: string; errno?: string }): void {
  it(`${name}: what-if and the real mmu_update agree (${want.accepted ? 'accepted' : `${want.errno} ${want.rule}`})`, () => {
    const s = setup(kind);
    const a = args(s);
    const before = snapshot(s.m);
    const r = whatIf(s.m, 0, { kind: 'pte', ...a }, () => { throw new Error('no expressions here'); }) as WhatIfResult;
    assert.strictEqual(snapshot(s.m), before, 'what-if changed the live domain');
    assert.strictEqual(r.accepted, want.accepted, r.message);
    assert.strictEqual(r.rule, want.rule);
    assert.strictEqual(r.errno, want.errno);
    assert.ok(r.explanation.length >= 1);
    if (want.accepted) assert.ok(r.explanation.every((x) => x.startsWith('ok: ') || x.startsWith('note: ')), r.explanation.join('\n'));
    else assert.match(r.explanation[r.explanation.length - 1], new RegExp(`^FAILED \\(${want.rule}, ${want.errno}\\)`));
    // the same request through the guest's real hypercall
    const tableMfn = a.tableMfn ?? (a.level === 1 ? s.l1mfn : s.l2mfn);
    const index = a.index ?? (a.level === 1 ? s.l1index : s.l2index);
    const real = realMmuUpdate(s, tableMfn, index, a.value);
    assert.strictEqual(real.rc === 0, r.accepted, `real mmu_update ${real.text} ${real.rule}`);
    if (!r.accepted) { assert.strictEqual(real.text, r.errno); assert.strictEqual(real.rule, r.rule); }
  });
}

for (const kind of ['pv64', 'pv32'] as const) {
  describe(`debug: what-if (${kind})`, () => {
    const at = (s: Setup): string => `0x${(kind === 'pv64' ? s.target : s.target >>> 0).toString(16)}`;
    agree(kind, 'L1 read-only remap of the same frame', (s) => ({ level: 1, value: pte(s.tmfn, 0x21), address: at(s) }), { accepted: true });
    agree(kind, 'L1 with PCD (cache attribute) set', (s) => ({ level: 1, value: pte(s.tmfn, 0x13), address: at(s) }), { accepted: false, rule: 'bad-l1-flags', errno: '-EINVAL' });
    agree(kind, 'L1 mapping its own page table writable', (s) => ({ level: 1, value: pte(s.l1mfn, 0x63), tableMfn: s.l1mfn, index: s.l1index }), { accepted: false, rule: 'writable-pt-mapping', errno: '-EBUSY' });
    agree(kind, 'L1 mapping a Xen frame', (s) => ({ level: 1, value: pte(2, 0x21), address: at(s) }), { accepted: false, rule: 'not-owned', errno: '-EBUSY' });
    agree(kind, 'L1 mapping beyond RAM (MMIO)', (s) => ({ level: 1, value: pte(s.m.domain.mm.frames.nr + 16, 0x21), address: at(s) }), { accepted: false, rule: 'mmio', errno: '-EPERM' });
    agree(kind, 'L2 entry at a data page that is mapped writable', (s) => ({ level: 2, value: pte(s.tmfn, 0x27), tableMfn: s.l2mfn, index: s.l2index + 4 }), { accepted: false, rule: 'type-conflict', errno: '-EINVAL' });
    agree(kind, 'L2 entry aliasing an existing L1', (s) => ({ level: 2, value: pte(s.l1mfn, 0x27), tableMfn: s.l2mfn, index: s.l2index + 4 }), { accepted: true });
    agree(kind, 'L2 entry with PSE (superpage)', (s) => ({ level: 2, value: pte(s.l1mfn, 0xa7), tableMfn: s.l2mfn, index: s.l2index + 4 }), { accepted: false, rule: 'bad-l2-flags', errno: '-EINVAL' });

    it('the level-N table comes from the walk of address; a table of another level is noted', () => {
      const s = setup(kind);
      const r = whatIf(s.m, 0, { kind: 'pte', level: 2, value: pte(s.tmfn, 0x21), tableMfn: s.l1mfn, index: 3 }, () => 0);
      assert.match(r.explanation[0], /^note: mfn 0x[0-9a-f]+ is an L1 table, so Xen checks the entry as L1/);
      assert.strictEqual(r.accepted, true);
    });

    it('rejects malformed requests with clear errors', () => {
      const s = setup(kind);
      const q = (a: Record<string, unknown>): unknown => whatIf(s.m, 0, a, () => { throw new Error('bad expression'); });
      assert.throws(() => q({ kind: 'pte', level: 7, value: '0x1', address: '0x0' }), /level must be 1\.\./);
      assert.throws(() => q({ kind: 'pte', level: 1, value: 'zz', address: '0x0' }), /value must be a 64-bit number/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1ffffffffffffffff', address: '0x0' }), /64-bit number/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1' }), /needs tableMfn/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1', tableMfn: 5 }), /needs index/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1', tableMfn: 2 ** 40, index: 0 }), /outside machine memory/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1', tableMfn: 5, index: 512 }), /index must be/);
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1', address: 'rip+' }), /bad expression/);
      assert.throws(() => q({ kind: 'banana' }), /kind must be "pte" or "descriptor"/);
      assert.throws(() => q({ kind: 'descriptor', value: '0x0', table: 'idt', index: 1 }), /table must be "gdt" or "ldt"/);
      assert.throws(() => q({ kind: 'descriptor', value: '0x0', index: 0x1c03 }), /Xen's \(reserved/);
      // an unmapped address (page walk stops)
      assert.throws(() => q({ kind: 'pte', level: 1, value: '0x1', address: '0x1000' }), /does not reach an L1 table/);
    });

    it('descriptors: check_descriptor accepts code/data (DPL raised), rejects TSS and bad gates', () => {
      const s = setup(kind);
      const d = (value: string): WhatIfResult => whatIf(s.m, 0, { kind: 'descriptor', value }, () => 0);
      const code = d(kind === 'pv64' ? '0x00af9a000000ffff' : '0x00cf9a000000ffff');
      assert.strictEqual(code.accepted, true);
      assert.match(code.message, /stored as 0x00cf|stored as 0x00af/);
      assert.match(code.explanation.join('\n'), /DPL 0 raised to the guest kernel's ring [13]/);
      const tss = d('0x00008900000000ff');
      assert.deepStrictEqual([tss.accepted, tss.errno, tss.rule], [false, '-EINVAL', 'bad-descriptor']);
      assert.match(tss.message, /system descriptor type 0x9/);
      assert.strictEqual(d('0x0000000000000000').accepted, true);
      if (kind === 'pv32') {
        const l = d('0x00af9a000000ffff');
        assert.strictEqual(l.accepted, false);
        assert.match(l.message, /L bit/);
      }
    });

    it('REPL: whatif pte / desc, frame, p2m, m2p', () => {
      const s = setup(kind);
      const img = s.m.domain.image;
      const out = xenReplCommand(s.m, 0, `whatif pte 1 ${pte(2, 0x21)} at 0x${(kind === 'pv64' ? s.target : s.target >>> 0).toString(16)}`)!;
      assert.match(out, /^rejected: -EBUSY \(not-owned\): /);
      assert.match(out, /\n {2}ok: table mfn/);
      assert.match(xenReplCommand(s.m, 0, 'whatif desc 0x00008900000000ff')!, /^rejected: -EINVAL \(bad-descriptor\)/);
      assert.throws(() => xenReplCommand(s.m, 0, 'whatif frobnicate'), /usage: whatif/);
      const fr = xenReplCommand(s.m, 0, `frame 0x${img.rootMfn.toString(16)}`)!;
      assert.match(fr, /pinned, validated/);
      assert.match(fr, /page-table root \(vCPU0\)/);
      assert.match(xenReplCommand(s.m, 0, 'frame pfn 0')!, new RegExp(`^mfn 0x${img.p2m[0].toString(16)}  pfn 0x0`));
      assert.strictEqual(xenReplCommand(s.m, 0, 'p2m 0x3'), `p2m[0x3] = mfn 0x${img.p2m[3].toString(16)}`);
      assert.strictEqual(xenReplCommand(s.m, 0, `m2p 0x${img.p2m[3].toString(16)}`), 'm2p[0x' + img.p2m[3].toString(16) + '] = pfn 0x3');
      assert.throws(() => xenReplCommand(s.m, 0, `p2m 0x${img.nrPages.toString(16)}`), /outside the guest's pseudo-physical memory/);
      assert.throws(() => xenReplCommand(s.m, 0, 'm2p -1'), /whole number/);
    });
  });
}
