// xen/frames, xen/frame, xen/p2m, xen/m2p on pv64 and pv32pae guests: rows match mm's frame table, notes name the
// special frames, filters and paging, mappings found by walking the page tables, bad arguments rejected.

import * as assert from 'assert';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { SymbolTable } from '../../src/debug/symbols';
import { frameRows, frameDetail, p2mRows, m2pEntry } from '../../src/debug/xen-frames';
import { customRequest } from '../../src/debug/custom-requests';
import { DebugRuntime } from '../../src/debug/runtime';
import { writeLinear } from '../../src/debug/guest-memory';
import { probe } from '../../src/cpu/mmu/paging';
import { PGT_l1_page_table, PGT_pinned } from '../../src/xen/mm';
import { DOMID_XEN } from '../../src/xen/public/xen';
import { mmuGuest } from './debug-guests';

for (const kind of ['pv64', 'pv32'] as const) {
  describe(`debug: Xen frame inspection (${kind})`, () => {
    const fresh = (): { m: XenDebugMachine; sym: SymbolTable } => {
      const img = mmuGuest(kind);
      return { m: new XenDebugMachine(img, { memoryMiB: 16 }), sym: SymbolTable.fromImage(img) };
    };

    it('xen/frames lists every used frame by mfn with page_info state and notes', () => {
      const { m } = fresh();
      const d = m.domain, img = d.image, f = d.mm.frames;
      const all = frameRows(m, 'all', 0, 100000);
      assert.strictEqual(all.rows.length, all.total);
      assert.ok(all.total >= img.nrPages + img.xenFrames - 1, `total ${all.total}`);
      for (let i = 1; i < all.rows.length; i++) assert.ok(all.rows[i].mfn > all.rows[i - 1].mfn, 'sorted by mfn');
      const byMfn = new Map(all.rows.map((r) => [r.mfn, r]));
      const root = byMfn.get(img.rootMfn)!;
      assert.strictEqual(root.type, kind === 'pv64' ? 'l4_page_table' : 'l3_page_table');
      assert.strictEqual(root.pinned, true);
      assert.strictEqual(root.validated, true);
      assert.strictEqual(root.typeCount, f.typeCount[img.rootMfn]);
      assert.strictEqual(root.count, f.count[img.rootMfn]);
      assert.strictEqual(root.owner, d.domid);
      assert.strictEqual(root.pfn, d.pfnOfMfn(img.rootMfn));
      assert.match(root.note!, /page-table root \(vCPU0\)/);
      assert.match(byMfn.get(img.startInfoMfn)!.note!, /start_info/);
      assert.match(byMfn.get(img.consoleMfn)!.note!, /console ring/);
      assert.match(byMfn.get(img.storeMfn)!.note!, /xenstore ring/);
      const shared = byMfn.get(img.sharedInfoMfn)!;
      assert.match(shared.note!, /shared_info/);
      assert.strictEqual(shared.xenHeap, true);
      const hcPfn = (img.params.hypercallPage! - img.virtBase) / 4096;
      assert.match(byMfn.get(img.p2m[hcPfn])!.note!, /hypercall page/);
      const m2p = byMfn.get(d.mm.xen!.m2pFrames[0])!;
      assert.match(m2p.note!, /^m2p/);
      assert.strictEqual(m2p.owner, DOMID_XEN);
      assert.strictEqual(m2p.pfn, null);
      const text = byMfn.get(img.p2m[0])!;
      assert.strictEqual(text.type, 'writable_page');
      assert.strictEqual(text.pfn, 0);
    });

    it('filters: pagetables, pinned, owned, errors; paging with start/count', () => {
      const { m } = fresh();
      const d = m.domain, img = d.image;
      const pts = frameRows(m, 'pagetables', 0, 5000);
      assert.deepStrictEqual(pts.rows.map((r) => r.mfn).sort((a, b) => a - b), img.ptFrames.map((p) => p.mfn).sort((a, b) => a - b));
      assert.ok(pts.rows.every((r) => /^l[1-4]_page_table$/.test(r.type)));
      assert.deepStrictEqual(frameRows(m, 'pinned').rows.map((r) => r.mfn), [img.rootMfn]);
      assert.ok(d.mm.frames.typeFlags[img.rootMfn] & PGT_pinned);
      const owned = frameRows(m, 'owned', 0, 0);
      assert.strictEqual(owned.total, img.nrPages + 2, 'guest RAM + shared_info + the first grant-table frame');
      assert.strictEqual(owned.rows.length, 0);
      const grant = frameRows(m, 'all', 0, 5000).rows.filter((r) => JSON.stringify(r).includes('grant table frame 0'));
      assert.strictEqual(grant.length, 1, 'the grant-table frame is named');
      assert.strictEqual(grant[0].owner, d.domid);
      assert.strictEqual(frameRows(m, 'errors').total, 0);
      const page = frameRows(m, 'all', 10, 5);
      const whole = frameRows(m, 'all', 0, 15);
      assert.deepStrictEqual(page.rows, whole.rows.slice(10));
    });

    it('xen/frame by pfn and mfn: p2m/m2p, mappings under the current CR3, page-table entries', () => {
      const { m, sym } = fresh();
      const img = m.domain.image;
      const target = sym.address('target')!;
      const tpfn = (target - img.virtBase) / 4096;
      const byPfn = frameDetail(m, { pfn: tpfn });
      const byMfn = frameDetail(m, { mfn: `0x${img.p2m[tpfn].toString(16)}` });
      assert.deepStrictEqual(byPfn, byMfn);
      assert.strictEqual(byPfn.mfn, img.p2m[tpfn]);
      assert.strictEqual(byPfn.pfn, tpfn);
      assert.strictEqual(byPfn.p2m, img.p2m[tpfn]);
      assert.strictEqual(byPfn.m2p, tpfn);
      const lin = kind === 'pv64' ? target : target >>> 0;
      assert.ok(byPfn.mappedAt!.includes(`0x${lin.toString(16)}`), `${byPfn.mappedAt} has ${lin.toString(16)}`);
      assert.strictEqual(byPfn.entries, undefined);
      // the L1 mapping target: its entries include target's
      const cpu = m.vcpus[0];
      const l1 = probe(cpu.mem, cpu, target).levels.find((l) => l.level === 1)!;
      const l1mfn = Math.floor(l1.tableAddr / 4096);
      const t = frameDetail(m, { mfn: l1mfn });
      assert.strictEqual(t.type, 'l1_page_table');
      assert.strictEqual(m.domain.mm.frames.type[l1mfn], PGT_l1_page_table);
      const e = t.entries!.find((x) => x.index === l1.index)!;
      assert.strictEqual(e.targetMfn, img.p2m[tpfn]);
      assert.ok(e.flags.includes('P') && e.flags.includes('RW'));
      assert.match(e.value, /^0x[0-9a-f]{16}$/);
      // root frame lists its present entries
      const root = frameDetail(m, { mfn: img.rootMfn });
      assert.ok(root.entries!.length >= 1);
      // errors
      assert.throws(() => frameDetail(m, { mfn: m.domain.mm.frames.nr }), /outside machine memory/);
      assert.throws(() => frameDetail(m, { pfn: img.nrPages }), /outside the guest's pseudo-physical memory/);
      assert.throws(() => frameDetail(m, { mfn: -1 }), /whole number/);
      assert.throws(() => frameDetail(m, { mfn: 'banana' }), /whole number/);
      assert.throws(() => frameDetail(m, {}), /exactly one of mfn or pfn/);
      assert.throws(() => frameDetail(m, { mfn: 1, pfn: 1 }), /exactly one/);
    });

    it('xen/p2m and xen/m2p agree with the domain image', () => {
      const { m } = fresh();
      const img = m.domain.image;
      const p = p2mRows(m, 5, 10);
      assert.strictEqual(p.nrPages, img.nrPages);
      assert.deepStrictEqual(p.rows.map((r) => r.pfn), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      for (const r of p.rows) {
        assert.strictEqual(r.mfn, img.p2m[r.pfn]);
        assert.deepStrictEqual(m2pEntry(m, r.mfn!), { mfn: r.mfn, pfn: r.pfn });
      }
      assert.strictEqual(p2mRows(m, img.nrPages - 2, 10).rows.length, 2);
      assert.deepStrictEqual(m2pEntry(m, 0), { mfn: 0, pfn: null });
      assert.throws(() => m2pEntry(m, m.domain.mm.frames.nr + 5), /outside machine memory/);
    });

    it('a rejected mmu_update names its frame: errors filter and lastError', () => {
      const { m, sym } = fresh();
      const img = m.domain.image, cpu = m.vcpus[0];
      const target = sym.address('target')!;
      const l1 = probe(cpu.mem, cpu, target).levels.find((l) => l.level === 1)!;
      const l1mfn = Math.floor(l1.tableAddr / 4096);
      // map the L1 itself writable: Xen refuses (writable mapping of a page table)
      const req = new Uint8Array(16), v = new DataView(req.buffer);
      const ptr = l1.tableAddr + l1.index * 8;
      v.setUint32(0, ptr % 2 ** 32, true); v.setUint32(4, Math.floor(ptr / 2 ** 32), true);
      v.setUint32(8, ((l1mfn << 12) | 0x63) >>> 0, true); v.setUint32(12, Math.floor(l1mfn / 0x100000), true);
      writeLinear(cpu, sym.address('req')!, req);
      m.domain.run(1_000_000);
      assert.strictEqual(m.domain.state, 'shutdown');
      const errs = frameRows(m, 'errors');
      assert.ok(errs.rows.some((r) => r.mfn === l1mfn), `errors ${JSON.stringify(errs.rows.map((r) => r.mfn))}`);
      const row = errs.rows.find((r) => r.mfn === l1mfn)!;
      assert.match(row.lastError!, /^writable-pt-mapping: Could not get page type PGT_writable_page/);
      assert.strictEqual(img.p2m.length, img.nrPages);
    });
  });
}

describe('debug: xen/frames through customRequest', () => {
  const rt = new DebugRuntime();
  before(() => {
    // launch from an assembled image file
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-frames-'));
    const file = path.join(dir, 'g.elf');
    fs.writeFileSync(file, mmuGuest('pv64').bytes);
    rt.launch({ program: file, memory: 16, console: false });
  });

  it('validates arguments and answers each request', () => {
    const r = customRequest(rt, 'xen/frames', { filter: 'pinned' }) as { total: number; rows: { mfn: number }[] };
    assert.strictEqual(r.total, 1);
    assert.throws(() => customRequest(rt, 'xen/frames', { filter: 'bogus' }), /filter must be one of/);
    assert.throws(() => customRequest(rt, 'xen/frames', { count: 5001 }), /count must be a whole number 0..5000/);
    assert.throws(() => customRequest(rt, 'xen/frames', { start: -3 }), /start must be/);
    assert.strictEqual((customRequest(rt, 'xen/frames', { count: '0x3' }) as { rows: unknown[] }).rows.length, 3);
    const f = customRequest(rt, 'xen/frame', { mfn: r.rows[0].mfn }) as { pinned: boolean };
    assert.strictEqual(f.pinned, true);
    assert.throws(() => customRequest(rt, 'xen/frame', { mfn: { x: 1 } }), /mfn must be/);
    assert.strictEqual((customRequest(rt, 'xen/p2m', { start: 0, count: 4 }) as { rows: unknown[] }).rows.length, 4);
    assert.throws(() => customRequest(rt, 'xen/p2m', { count: 9999 }), /count must be/);
    assert.throws(() => customRequest(rt, 'xen/m2p', {}), /needs mfn/);
    assert.deepStrictEqual(customRequest(rt, 'xen/m2p', { mfn: 0 }), { mfn: 0, pfn: null });
  });
});
