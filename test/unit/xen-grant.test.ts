// grant_table_op from real guests (test/guests/pv64-gnt.S, pv32-gnt.S): setup_table hands out Xen-heap frames the
// guest maps with update_va_mapping and writes; query_size, set/get_version, GNTST_* statuses, -EFAULT/-EINVAL/-ENOSYS.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { grantTableOf, xenHeapOf, MAX_GRANT_FRAMES } from '../../src/xen/grant-table';
import { getPageType, PGC_xen_heap, PGT_writable_page, PGT_l1_page_table, INVALID_M2P_ENTRY } from '../../src/xen/mm';
import {
  EFAULT, EINVAL, ENOSYS, ESRCH, GNTST_okay, GNTST_bad_domain, GNTST_permission_denied,
  GNTST_general_error, GNTST_bad_virt_addr, DOMID_XEN,
} from '../../src/xen/public';
import { GTF_permit_access } from '../../src/xen/public/grant-table';

type Kind = 'pv64' | 'pv32';
const guest = (k: Kind): Uint8Array => buildGuest(`${k}-gnt`, k);

function res(d: Domain, bytes: Uint8Array, k: Kind, i: number): number {
  const size = k === 'pv64' ? 8 : 4;
  const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res') + i * size, size) as Uint8Array;
  const v = new DataView(b.buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getInt32(0, true);
}
function run(k: Kind, scenario: string): { d: Domain; r: (i: number) => number; bytes: Uint8Array } {
  const bytes = guest(k);
  const d = createDomainFromElf(bytes, { cmdline: scenario });
  d.run(2_000_000);
  assert.strictEqual(d.state, 'shutdown', `${k} ${scenario}: ${d.crashDiagnostic}`);
  return { d, bytes, r: (i) => res(d, bytes, k, i) };
}
const gnttabLog = (d: Domain) => d.hypercallLog.filter((e) => e.name === 'grant_table_op');

describe('xen: grant_table_op', () => {
  for (const k of ['pv64', 'pv32'] as const) {
    it(`${k}: setup_table gives Xen-heap frames shared writable; the guest maps one and writes a grant entry`, () => {
      const { d, r } = run(k, 'A');
      assert.strictEqual(r(0), 0);
      assert.strictEqual(r(1), GNTST_okay);
      const gt = grantTableOf(d);
      assert.deepStrictEqual([r(2), r(3)], gt.frames, 'frame_list carries the machine frames');
      assert.notStrictEqual(r(2), r(3));
      const f = d.mm.frames;
      for (const mfn of gt.frames) {
        assert.strictEqual(f.owner[mfn], d.domid, 'shared with the domain');
        assert.ok(f.countFlags[mfn] & PGC_xen_heap);
        assert.strictEqual(f.type[mfn], PGT_writable_page);
        assert.strictEqual(d.mm.m2p[mfn], INVALID_M2P_ENTRY, 'not part of the pseudo-physical map');
        assert.ok(!d.image.p2m.includes(mfn));
      }
      assert.strictEqual(r(4), 0, 'update_va_mapping of the grant frame accepted');
      assert.strictEqual(f.typeCount[gt.frames[0]], 2, 'share reference + the writable mapping');
      assert.strictEqual(r(5), k === 'pv64' ? 0x1234abcd5678 : 0x5678abcd, 'read back through the mapping');
      assert.strictEqual(d.mem.read32(gt.frames[0] * 4096 + 4000), k === 'pv64' ? 0xabcd5678 : 0x5678abcd, 'the write reached the frame');
      assert.deepStrictEqual(gt.entries()[0], { ref: 0, flags: GTF_permit_access, domid: 0, frame: 0x42 });
      assert.deepStrictEqual(gt.entries().map((e) => e.ref), [0, 500], 'the test word at byte 4000 reads as entry 500');
      assert.strictEqual(r(6), 0);
      assert.strictEqual(r(7), 2, 'query_size sees the grown table');
      if (k === 'pv32') assert.strictEqual(r(8), MAX_GRANT_FRAMES);
      const e = gnttabLog(d)[0];
      assert.match(e.decoded, /^GNTTABOP_setup_table, 0x[0-9a-f]+, 1$/);
      assert.match(e.diagnostic, /^2 of 2 frames: mfn 0x/);
    });

    it(`${k}: GNTST_* statuses with a 0 return: missing domain, dom0, too many frames; count != 1`, () => {
      const { d, r } = run(k, 'D');
      assert.deepStrictEqual([r(0), r(1)], [0, GNTST_bad_domain]);
      if (k === 'pv64') {
        assert.deepStrictEqual([r(2), r(3)], [0, GNTST_permission_denied], "another domain's table (dom0)");
        assert.deepStrictEqual([r(4), r(5)], [0, GNTST_general_error]);
        assert.strictEqual(r(6), -EINVAL);
        assert.deepStrictEqual([r(7), r(8)], [0, GNTST_bad_domain], 'query_size of a missing domain');
        assert.match(gnttabLog(d)[2].diagnostic, /limited to 32 grant-table frames/);
      } else {
        assert.deepStrictEqual([r(2), r(3)], [0, GNTST_general_error]);
        assert.strictEqual(r(4), -EINVAL, 'compat: count > 1');
        assert.deepStrictEqual([r(5), r(6)], [0, 0x1234], 'compat: count 0 does nothing');
      }
      assert.match(gnttabLog(d)[0].diagnostic, /d5 does not exist/);
    });

    it(`${k}: bad pointers: -EFAULT for the struct or a frame_list in Xen's range, GNTST_bad_virt_addr for an unmapped list`, () => {
      const { d, r } = run(k, 'E');
      if (k === 'pv64') {
        assert.strictEqual(r(0), -EFAULT);
        assert.deepStrictEqual([r(1), r(2)], [0, GNTST_bad_virt_addr]);
        assert.deepStrictEqual([r(3), r(4)], [-EFAULT, 0x1234], 'status untouched');
        assert.strictEqual(r(5), -EFAULT);
        assert.strictEqual(r(6), -EFAULT);
      } else {
        assert.strictEqual(r(0), -EFAULT);
        assert.deepStrictEqual([r(1), r(2)], [0, GNTST_bad_virt_addr]);
        assert.strictEqual(r(3), -EFAULT);
      }
      assert.ok(gnttabLog(d).every((e) => e.diagnostic.length > 0), 'every call explains itself');
      assert.strictEqual(d.state, 'shutdown');
    });
  }

  it('query_size at start of day: one frame (INITIAL_NR_GRANT_FRAMES) of 32', () => {
    const { r } = run('pv64', 'B');
    assert.deepStrictEqual([r(0), r(1), r(2), r(3)], [0, 1, MAX_GRANT_FRAMES, GNTST_okay]);
  });

  it('set_version: 1 is kept, 2 is -ENOSYS (max_grant_version 1), 3 is -EINVAL; get_version; -ESRCH', () => {
    const { d, r } = run('pv64', 'C');
    assert.deepStrictEqual([r(0), r(1)], [0, 1]);
    assert.deepStrictEqual([r(2), r(3)], [-ENOSYS, 1], 'the version field is written back');
    assert.strictEqual(r(4), -EINVAL);
    assert.deepStrictEqual([r(5), r(6)], [0, 1]);
    assert.strictEqual(r(7), -ESRCH);
    assert.match(gnttabLog(d)[1].diagnostic, /limited to grant table version 1/);
    const p = run('pv32', 'C');
    assert.deepStrictEqual([p.r(0), p.r(1), p.r(2), p.r(3), p.r(4)], [0, -ENOSYS, 1, 0, 1]);
  });

  it('unknown op and grant mapping ops: -ENOSYS; continuation bits or a negative count: -EINVAL; v1 has no status frames', () => {
    const { d, r } = run('pv64', 'F');
    assert.strictEqual(r(0), -ENOSYS);
    assert.strictEqual(r(1), -ENOSYS);
    assert.strictEqual(r(2), -EINVAL);
    assert.strictEqual(r(3), -EINVAL);
    assert.deepStrictEqual([r(4), r(5)], [0, GNTST_okay], 'get_status_frames of 0 frames');
    assert.deepStrictEqual([r(6), r(7)], [0, GNTST_general_error], 'a version 1 table has no status frames');
    const log = gnttabLog(d);
    assert.match(log[0].diagnostic, /GNTTABOP 99: no such grant table op/);
    assert.match(log[1].diagnostic, /GNTTABOP_map_grant_ref is not implemented/);
    assert.match(log[2].decoded, /^GNTTABOP_setup_table \| 0x1000, /);
  });

  it('growing past the Xen heap fails as a whole (frames go back), and grant frames never become page tables', () => {
    const d = createDomainFromElf(guest('pv64'), { cmdline: 'B' });
    const gt = grantTableOf(d);
    const heap = xenHeapOf(d);
    assert.ok(heap.available() >= 31, `the builder reserves a Xen heap for the grant table: ${heap.available()}`);
    while (heap.available() > 3) assert.ok(heap.alloc() >= 0); // leave a nearly empty heap
    const avail = heap.available();
    const owned = (): number => { let n = 0; for (let m = 0; m < d.mm.frames.nr; m++) if (d.mm.frames.owner[m] === DOMID_XEN) n++; return n; };
    const before = owned();
    assert.strictEqual(gt.grow(gt.nrFrames + avail + 1), -12 /* -ENOMEM */);
    assert.strictEqual(gt.nrFrames, 1);
    assert.strictEqual(heap.available(), avail, 'rolled back');
    assert.strictEqual(owned(), before);
    assert.strictEqual(gt.grow(gt.nrFrames + avail), 0, 'exactly what is left fits');
    assert.strictEqual(heap.available(), 0);
    assert.notStrictEqual(getPageType(d.mm, gt.frames[0], PGT_l1_page_table), 0, 'type conflict: shared writable');
  });
});
