// Page-table hypercalls from real guests (test/guests/pv64-mm.S, pv32-mm.S): mmu_update, mmuext_op,
// update_va_mapping, memory_op and multicall through src/xen/mm, good paths and Xen's errno + mm rule on rejections.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain, HypercallLogEntry } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { EBUSY, EINVAL, ENOSYS, EPERM } from '../../src/xen/public';
import * as mm from '../../src/xen/mm';
import {
  PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table, PGT_pinned, PGT_validated, PGT_writable_page,
} from '../../src/xen/mm';

type Kind = 'pv64' | 'pv32';
const guest = (k: Kind): Uint8Array => buildGuest(`${k}-mm`, k);

function word(d: Domain, va: number, size: number): number {
  const b = copyFromGuest(d.vcpus[0].cpu, va, size);
  assert.ok(b, `guest va ${va.toString(16)} readable`);
  const v = new DataView(b.buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getInt32(0, true);
}
/** res[k] as a signed number (pv64 8-byte slots, pv32 4-byte). */
function res(d: Domain, bytes: Uint8Array, k: Kind, i: number): number {
  const size = k === 'pv64' ? 8 : 4;
  return word(d, guestSymbol(bytes, 'res') + i * size, size);
}
function run(k: Kind, scenario: string): { d: Domain; bytes: Uint8Array } {
  const bytes = guest(k);
  const d = createDomainFromElf(bytes, { cmdline: scenario });
  d.run(2_000_000);
  assert.strictEqual(d.state, 'shutdown', `${scenario}: ${d.crashDiagnostic}`);
  return { d, bytes };
}
function lastOf(d: Domain, name: string): HypercallLogEntry {
  const e = [...d.hypercallLog].reverse().find((x) => x.name === name);
  assert.ok(e, `a ${name} call was logged`);
  return e;
}

describe('xen: start-of-day page tables are typed through mm', () => {
  for (const k of ['pv64', 'pv32'] as const) {
    it(`${k}: root pinned + CR3 reference, every bootstrap table validated at its level, mapped read-only`, () => {
      const d = createDomainFromElf(guest(k), { cmdline: '' });
      const f = d.mm.frames, img = d.image;
      const top = k === 'pv64' ? PGT_l4_page_table : PGT_l3_page_table;
      assert.strictEqual(f.type[img.rootMfn], top);
      assert.ok(f.typeFlags[img.rootMfn] & PGT_pinned);
      assert.strictEqual(f.typeCount[img.rootMfn], 2, 'pin + CR3');
      assert.strictEqual(d.vcpus[0].guestTable, img.rootMfn);
      const levelType = [0, PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table];
      for (const pt of img.ptFrames) {
        assert.strictEqual(f.type[pt.mfn], levelType[pt.level], `pt frame pfn ${pt.pfn}`);
        assert.ok(f.typeFlags[pt.mfn] & PGT_validated);
        assert.strictEqual(f.owner[pt.mfn], d.domid);
      }
      // A kernel data frame is mapped writable once; the page-table frames never writable.
      const textMfn = img.p2m[0];
      assert.strictEqual(f.type[textMfn], PGT_writable_page);
      // The M2P is mm's: guest frames resolve through it.
      assert.strictEqual(d.pfnOfMfn(img.consoleMfn), img.layout.console);
      assert.strictEqual(mm.vmAssistEnabled(d.mmDomain, 32), false);
    });
  }
});

for (const k of ['pv64', 'pv32'] as const) {
  describe(`xen: ${k} mmu hypercalls (good guests)`, () => {
    it('mmu_update rewrites a PTE; INVLPG_LOCAL; the new mapping is read back', () => {
      const { d, bytes } = run(k, 'A');
      assert.strictEqual(res(d, bytes, k, 0), 0, lastOf(d, 'mmu_update').diagnostic);
      assert.strictEqual(res(d, bytes, k, 1), 0);
      assert.strictEqual(res(d, bytes, k, 2), k === 'pv64' ? 0x1122334455667788 : 0x55667788);
      assert.strictEqual(word(d, guestSymbol(bytes, 'done_count'), 4), 1);
    });
    it('update_va_mapping with UVMF_INVLPG replaces a cached mapping', () => {
      const { d, bytes } = run(k, 'B');
      assert.strictEqual(res(d, bytes, k, 0), 0, lastOf(d, 'update_va_mapping').diagnostic);
      assert.strictEqual(res(d, bytes, k, 2), k === 'pv64' ? 0x1122334455667788 : 0x55667788);
    });
    it('pin/unpin an L1 after making it read-only; a second unpin is -EINVAL (not-pinned)', () => {
      const { d, bytes } = run(k, 'C');
      assert.deepStrictEqual([0, 1, 2].map((i) => res(d, bytes, k, i)), [0, 0, 0]);
      assert.strictEqual(res(d, bytes, k, 3), -EINVAL);
      const e = lastOf(d, 'mmuext_op');
      assert.strictEqual(e.result, -EINVAL);
      assert.strictEqual(e.mm?.rule, 'not-pinned');
    });
    it('NEW_BASEPTR to a copy of the L4/L3: validated, CR3 switched, old root keeps only its pin', () => {
      const { d, bytes } = run(k, 'D');
      assert.strictEqual(res(d, bytes, k, 0), 0);
      assert.strictEqual(res(d, bytes, k, 1), 0, lastOf(d, 'mmuext_op').diagnostic);
      assert.strictEqual(res(d, bytes, k, 2), k === 'pv64' ? 0x1122334455667788 : 0x55667788);
      const mfn = res(d, bytes, k, 3);
      assert.strictEqual(d.vcpus[0].guestTable, mfn);
      assert.strictEqual(d.vcpus[0].cpu.cr3, mfn * 4096);
      assert.strictEqual(d.mm.frames.typeCount[d.image.rootMfn], 1);
    });
    it('memory_op: reservations, memory_map -ENOSYS, decrease then populate a frame', () => {
      const { d, bytes } = run(k, 'M');
      const n = d.image.nrPages;
      assert.strictEqual(res(d, bytes, k, 0), n);
      assert.strictEqual(res(d, bytes, k, 1), n);
      assert.strictEqual(res(d, bytes, k, 2), -ENOSYS);
      assert.strictEqual(res(d, bytes, k, 3), 0, 'unmapped');
      assert.strictEqual(res(d, bytes, k, 4), 1, 'one extent released');
      assert.strictEqual(res(d, bytes, k, 5), 1, 'one extent populated');
      const mfn = res(d, bytes, k, 7);
      assert.strictEqual(d.mm.frames.owner[mfn], d.domid);
      assert.strictEqual(d.pfnOfMfn(mfn), 0x300);
      assert.strictEqual(d.totPages, n);
    });
    it('multicall: per-entry results written back, nested multicall -EINVAL, bad entry keeps its errno', () => {
      const { d, bytes } = run(k, 'N');
      assert.strictEqual(res(d, bytes, k, 0), 0);
      assert.strictEqual(res(d, bytes, k, 1), 0);
      assert.strictEqual(res(d, bytes, k, 2), -EINVAL);
      assert.strictEqual(res(d, bytes, k, 3), -EINVAL);
      assert.strictEqual(res(d, bytes, k, 4), k === 'pv64' ? 0x1122334455667788 : 0x55667788);
      const subs = d.hypercallLog.filter((e) => e.multicall);
      assert.deepStrictEqual(subs.map((e) => e.name), ['update_va_mapping', 'multicall', 'update_va_mapping']);
      assert.strictEqual(subs[1].mm?.rule, 'multicall');
      assert.strictEqual(subs[2].mm?.rule, 'bad-l1-flags');
    });
  });

  describe(`xen: ${k} mmu hypercalls (bad guests: errno + mm rule in the log)`, () => {
    const cases: [string, string, string, number, string][] = [
      ['F', 'writable mapping of a page-table frame', 'update_va_mapping', -EBUSY, 'writable-pt-mapping'],
      ['G', 'mapping a frame owned by Xen', 'update_va_mapping', -EBUSY, 'not-owned'],
      ['H', 'L1 entry with PCD set', 'update_va_mapping', -EINVAL, 'bad-l1-flags'],
      ['I', 'unpin of an unpinned frame', 'mmuext_op', -EINVAL, 'not-pinned'],
      ['K', k === 'pv64' ? 'mmu_update of L4 slot 256 (Xen)' : 'mmu_update of PAE L2 Xen slot', 'mmu_update',
        k === 'pv64' ? -EINVAL : -EPERM, 'xen-slot'],
    ];
    for (const [sc, what, call, errno, rule] of cases) {
      it(`${what}: ${call} = ${errno}, rule ${rule}`, () => {
        const { d, bytes } = run(k, sc);
        assert.strictEqual(res(d, bytes, k, 0), errno);
        const e = lastOf(d, call);
        assert.strictEqual(e.result, errno);
        assert.ok(e.mm, 'diagnostic attached');
        assert.strictEqual(e.mm.rule, rule, e.diagnostic);
        assert.ok(e.diagnostic.includes(rule), e.diagnostic);
        assert.ok(e.mm.message.length > 0);
      });
    }
  });
}
