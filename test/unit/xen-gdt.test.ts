// set_gdt and update_descriptor from real guests: the GDT frame becomes a PGT_seg_desc_page, segment loads see
// the guest's descriptors (and Xen's reserved ones), update_descriptor is checked by checkDescriptor.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { DS, ES } from '../../src/cpu/state';
import { EINVAL } from '../../src/xen/public';
import { PGT_seg_desc_page } from '../../src/xen/mm';

type Kind = 'pv64' | 'pv32';
function res(d: Domain, bytes: Uint8Array, k: Kind, i: number): number {
  const size = k === 'pv64' ? 8 : 4;
  const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res') + i * size, size);
  assert.ok(b);
  const v = new DataView(b.buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getInt32(0, true);
}
function run(k: Kind, sc: string): { d: Domain; bytes: Uint8Array } {
  const bytes = buildGuest(`${k}-mm`, k);
  const d = createDomainFromElf(bytes, { cmdline: sc });
  d.run(2_000_000);
  assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
  return { d, bytes };
}

for (const k of ['pv64', 'pv32'] as const) {
  const rpl = k === 'pv64' ? 3 : 1;
  describe(`xen: ${k} set_gdt / update_descriptor`, () => {
    it('set_gdt installs a read-only seg_desc frame; loads see the guest descriptor; update_descriptor adds one', () => {
      const { d, bytes } = run(k, 'E');
      assert.strictEqual(res(d, bytes, k, 0), 0, 'GDT page made read-only');
      assert.strictEqual(res(d, bytes, k, 1), 0, d.hypercallLog.map((e) => `${e.name}=${e.resultText} ${e.diagnostic}`).join('\n'));
      assert.strictEqual(res(d, bytes, k, 2), 8 | rpl);
      assert.strictEqual(res(d, bytes, k, 3), 0);
      assert.strictEqual(res(d, bytes, k, 4), 16 | rpl);
      const mfn = res(d, bytes, k, 5);
      const f = d.mm.frames;
      assert.strictEqual(f.type[mfn], PGT_seg_desc_page);
      assert.strictEqual(f.typeCount[mfn], 1);
      const v = d.vcpus[0];
      assert.deepStrictEqual(v.descriptors.gdtFrames, [mfn]);
      assert.strictEqual(v.descriptors.gdtEntries, 16);
      assert.strictEqual(v.cpu.segSel[DS], 8 | rpl);
      assert.strictEqual(v.cpu.segSel[ES], 16 | rpl);
      assert.strictEqual(v.cpu.segLimit[ES] >>> 0, 0xffffffff);
    });
    it('update_descriptor with a TSS descriptor: -EINVAL, rule bad-descriptor', () => {
      const { d, bytes } = run(k, 'J');
      assert.strictEqual(res(d, bytes, k, 0), -EINVAL);
      const e = d.hypercallLog.filter((x) => x.name === 'update_descriptor').pop();
      assert.ok(e && e.mm);
      assert.strictEqual(e.result, -EINVAL);
      assert.strictEqual(e.mm.rule, 'bad-descriptor');
      assert.match(e.mm.message, /system descriptor type 0x9/);
    });
  });
}
