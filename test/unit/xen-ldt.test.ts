// The lazily mapped LDT (ldt.ts): SET_LDT only records it; the first load of an LDT selector types the page
// PGT_seg_desc_page (or reflects #PF / #GP to the guest); the references go when the LDT changes.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { CpuFault, PF, GP } from '../../src/cpu/fault';
import { doMmuextOp, PGT_seg_desc_page, PGT_writable_page } from '../../src/xen/mm';
import { MMUEXT_SET_LDT } from '../../src/xen/public';
import { ldtRows } from '../../src/debug/xen-inspect';

/** Run the pv64 XTF guest until its n-th update_va_mapping has returned. */
function stopAfterRemap(kind: 'pv64' | 'pv32', n: number): { d: Domain; b: Uint8Array } {
  const b = kind === 'pv64' ? buildGuest('pv64-xtf', 'pv64') : buildGuest('pv32-xtf', 'pv32');
  const d = createDomainFromElf(b);
  let k = 0;
  d.hypercallBreak = (e) => e.name === 'update_va_mapping' && ++k === n;
  const r = d.run(5_000_000);
  assert.strictEqual(r.reason, 'hypercall-break', r.detail);
  return { d, b };
}

function readLdt(d: Domain, index: number): Int32Array | CpuFault {
  const v = d.vcpus[0], out = new Int32Array(2);
  try {
    assert.ok(v.descriptors.read(v.cpu, 1, index, out));
    return out;
  } catch (e) {
    if (e instanceof CpuFault) return e;
    throw e;
  }
}

describe('xen: lazy LDT mapping', () => {
  for (const kind of ['pv64', 'pv32'] as const) {
    it(`${kind}: a writable LDT page is refused with #PF (counts unchanged); read-only it is typed seg_desc_page`, () => {
      // 1st update_va_mapping maps shared_info; the guest's first LDT load then faults; 2nd makes the page read-only.
      const { d, b } = stopAfterRemap(kind, 1);
      const v = d.vcpus[0], f = d.mm.frames;
      const ldtVa = guestSymbol(b, 'ldt_page');
      const mfn = d.image.p2m[(ldtVa - d.image.params.virtBase) / 4096];
      assert.ok(doMmuextOp(d.mm, v.mmv, [{ cmd: MMUEXT_SET_LDT, arg1: ldtVa, arg2: 2 }]).rc === 0);
      const before = [f.count[mfn], f.type[mfn], f.typeCount[mfn]];
      assert.strictEqual(f.type[mfn], PGT_writable_page);
      const r = readLdt(d, 1);
      assert.ok(r instanceof CpuFault && r.vector === PF && r.errorCode === 0, String(r));
      assert.strictEqual((r as CpuFault).cr2, ldtVa + 8);
      assert.deepStrictEqual([f.count[mfn], f.type[mfn], f.typeCount[mfn]], before, 'rolled back');
      assert.match(v.descriptors.takeLdtFailure() ?? '', /cannot become seg_desc_page \(Bad type/);
      assert.strictEqual(v.descriptors.takeLdtFailure(), null, 'read once');

      const { d: d2 } = stopAfterRemap(kind, kind === 'pv64' ? 2 : 3); // after the read-only remap (pv32 maps its user page first)
      const v2 = d2.vcpus[0], f2 = d2.mm.frames;
      const count = f2.count[mfn];
      const out = readLdt(d2, 1);
      assert.ok(out instanceof Int32Array);
      assert.strictEqual(out[1] & 0x1000, 0x1000, 'a code/data descriptor');
      assert.strictEqual(f2.type[mfn], PGT_seg_desc_page);
      assert.strictEqual(f2.typeCount[mfn], 1);
      assert.strictEqual(f2.count[mfn], count + 1);
      assert.deepStrictEqual(v2.descriptors.shadowLdt?.mapped().slice(0, 2), [mfn, -1]);
      readLdt(d2, 0);
      assert.strictEqual(f2.typeCount[mfn], 1, 'one reference per mapped page');
      const out2 = new Int32Array(2);
      assert.strictEqual(v2.descriptors.read(v2.cpu, 1, 2, out2), false, 'beyond the 2 entries');
      // The debugger's LDT view is unchanged and side-effect free.
      const rows = ldtRows({ kind: d2.kind, vcpu: () => v2 } as never, 0);
      assert.strictEqual(rows.entries, 2);
      assert.strictEqual(rows.rows.length, 1);
      // SET_LDT to nothing releases the page.
      assert.strictEqual(doMmuextOp(d2.mm, v2.mmv, [{ cmd: MMUEXT_SET_LDT, arg1: 0, arg2: 0 }]).rc, 0);
      assert.strictEqual(f2.typeCount[mfn], 0);
      assert.strictEqual(f2.count[mfn], count);
      assert.deepStrictEqual(v2.descriptors.shadowLdt?.mapped().filter((x) => x >= 0), []);
    });
  }

  it('an LDT reaching past the canonical boundary gives #GP(offset | TI), not #PF', () => {
    const { d } = stopAfterRemap('pv64', 1);
    const v = d.vcpus[0];
    const base = 0x800000000000 - 4096;
    assert.strictEqual(doMmuextOp(d.mm, v.mmv, [{ cmd: MMUEXT_SET_LDT, arg1: base, arg2: 1024 }]).rc, 0);
    const r = readLdt(d, 512);
    assert.ok(r instanceof CpuFault && r.vector === GP, String(r));
    assert.strictEqual((r as CpuFault).errorCode, 0x1004);
    const p = readLdt(d, 1);
    assert.ok(p instanceof CpuFault && p.vector === PF, 'not mapped: #PF');
  });

  it('destroying the shadow LDT (set_ldt, vCPU reset) drops the references; the next use maps it again', () => {
    const { d, b } = stopAfterRemap('pv64', 2);
    const v = d.vcpus[0], f = d.mm.frames;
    const ldtVa = guestSymbol(b, 'ldt_page');
    const mfn = d.image.p2m[(ldtVa - d.image.params.virtBase) / 4096];
    assert.strictEqual(v.descriptors.ldtBase, ldtVa);
    assert.ok(readLdt(d, 1) instanceof Int32Array);
    assert.strictEqual(f.typeCount[mfn], 1);
    // Destroying the shadow LDT (vCPU reset) drops it too.
    assert.strictEqual(v.descriptors.destroyLdt(), 1);
    assert.strictEqual(f.typeCount[mfn], 0);
    assert.ok(readLdt(d, 1) instanceof Int32Array, 'mapped again on demand');
    assert.strictEqual(f.typeCount[mfn], 1);
  });
});
