// The Frames view's pure logic: row text, icons and tooltips from xen/frames rows, lazy children from xen/frame
// (with what-if prefills on table entries), filters and paging against a fake adapter, and clear error rows.

import * as assert from 'assert';
import {
  frameDescription, frameDetailNodes, frameIcon, frameLabel, frameNode, framesView, frameTooltip, FrameRow, FramesState, clampPageSize,
} from '../../src/views/frames';
import { expandNode, XenNode } from '../../src/views/nodes';
import type { Requester } from '../../src/views/spec';

const L2: FrameRow = { mfn: 0x3f41, pfn: 0x41, type: 'l2_page_table', typeCount: 1, count: 2, pinned: false, validated: true, owner: 1 };
const L4: FrameRow = { mfn: 0x3f42, pfn: 0x42, type: 'l4_page_table', typeCount: 1, count: 3, pinned: true, validated: true, owner: 1 };

/** A fake adapter: xen/frames over `all` with the filters applied, xen/frame from `details`; records requests. */
function fakeAdapter(all: FrameRow[], details: Record<number, object> = {}): Requester & { log: { command: string; args?: Record<string, unknown> }[] } {
  const log: { command: string; args?: Record<string, unknown> }[] = [];
  return {
    log,
    async request<T>(command: string, args?: object): Promise<T> {
      const a = (args ?? {}) as Record<string, unknown>;
      log.push({ command, args: a });
      if (command === 'xen/frames') {
        const f = a.filter;
        const rows = all.filter((r) => f === 'all' || (f === 'pagetables' && /_page_table$/.test(r.type)) || (f === 'pinned' && r.pinned) || (f === 'errors' && r.lastError));
        const start = Number(a.start ?? 0), count = Number(a.count ?? 100);
        assert.ok(count <= 5000, 'never more than 5000 rows per request');
        return { total: rows.length, rows: rows.slice(start, start + count) } as T;
      }
      if (command === 'xen/frame') {
        const d = details[Number(a.mfn)];
        if (!d) throw new Error(`no frame ${String(a.mfn)}`);
        return d as T;
      }
      throw new Error(`unrecognized request '${command}'`);
    },
  };
}

describe('views: Frames rows', () => {
  it('labels a frame "mfn 0x… (pfn 0x…)" and describes type, type count, pinned, validated and references (counts in decimal)', () => {
    assert.strictEqual(frameLabel(L4, 'hex'), 'mfn 0x3f42 (pfn 0x42)');
    assert.strictEqual(frameDescription(L4, 'hex'), 'l4_page_table ×1 pinned validated · refs 3');
    assert.strictEqual(frameDescription(L2, 'decimal'), 'l2_page_table ×1 validated · refs 2');
    assert.strictEqual(frameLabel({ mfn: '0x10', pfn: null, type: 'none', xenHeap: true }, 'hex'), 'mfn 0x10 (Xen heap)');
    assert.strictEqual(frameLabel({ mfn: 7, pfn: null, type: 'none' }, 'decimal'), 'mfn 7 (no pfn)');
    assert.strictEqual(frameDescription({ mfn: 7, pfn: 3, type: 'none', typeCount: 0, count: 1 }, 'decimal'), 'none · refs 1');
  });

  it('gives each page type its own icon and a warning icon to frames with an error', () => {
    const icons = ['l1_page_table', 'l2_page_table', 'l3_page_table', 'l4_page_table', 'seg_desc_page', 'writable_page', 'shared_page', 'none']
      .map((type) => frameIcon({ mfn: 1, pfn: 1, type }));
    assert.strictEqual(new Set(icons).size, icons.length, `distinct icons: ${icons.join(' ')}`);
    assert.strictEqual(frameIcon({ ...L2, lastError: 'Bad type' }), 'warning');
    assert.strictEqual(frameIcon({ mfn: 1, pfn: null, type: 'none', xenHeap: true }), 'server');
  });

  it('puts every field, the note and the last error (string or diagnostic record) in the tooltip', () => {
    const t = frameTooltip({ ...L2, note: 'bootstrap L2', lastError: { rule: 'type-conflict', message: 'Bad type (saw 1 != exp 2)' }, extra: 5 }, 'hex');
    for (const s of ['mfn: 0x3f41', 'pfn: 0x41', 'type: l2_page_table', 'type count: 1', 'count (references): 2', 'pinned: no', 'validated: yes', 'owner: dom1', 'extra: 0x5', 'Note: bootstrap L2', 'Last error: type-conflict: Bad type (saw 1 != exp 2)']) {
      assert.ok(t.includes(s), `tooltip has "${s}":\n${t}`);
    }
    assert.match(frameDescription({ ...L2, lastError: 'Could not get page type' }, 'hex'), /· ⚠ Could not get page type$/);
  });

  it('expands a page-table frame lazily into p2m/m2p, mappings and entries with what-if prefills', async () => {
    const fake = fakeAdapter([L2], {
      0x3f41: { ...L2, p2m: 0x3f41, m2p: 0x41, mappedAt: ['0x41000'], entries: [
        { index: 2, value: '0x3f40067', flags: ['P', 'RW', 'US', 'A', 'D'], target: { mfn: 0x3f40, pfn: 0x40, type: 'l1_page_table' } },
        { index: 3, value: 0x200083, flags: 'P RW PS', targetMfn: 0x200 },
      ] },
    });
    const n = frameNode(L2, 'hex', fake);
    assert.strictEqual(fake.log.length, 0, 'nothing is read before the row is expanded');
    const kids = await expandNode(n);
    assert.deepStrictEqual(fake.log.map((l) => [l.command, l.args?.mfn]), [['xen/frame', 0x3f41]]);
    assert.deepStrictEqual(kids.map((k) => k.label), ['p2m', 'm2p', 'mapped at', 'entries']);
    assert.strictEqual(kids[0].description, '0x41 → 0x3f41');
    const entries = kids[3].children!;
    assert.strictEqual(entries[0].label, 'L2[0x2]');
    assert.strictEqual(entries[0].description, '0x3f40067 P RW US A D → mfn 0x3f40 pfn 0x40 l1_page_table');
    assert.deepStrictEqual(entries[0].whatIf, { kind: 'pte', level: 2, value: '0x3f40067', tableMfn: 0x3f41, index: 2 });
    assert.strictEqual(entries[0].contextValue, 'entry.whatif');
    assert.strictEqual(entries[1].description, '0x200083 P RW PS → mfn 0x200');
    assert.strictEqual(entries[1].whatIf?.value, '0x200083');
  });

  it('shows a failed xen/frame as a message row instead of throwing', async () => {
    const kids = await expandNode(frameNode(L4, 'hex', fakeAdapter([L4])));
    assert.strictEqual(kids.length, 1);
    assert.strictEqual(kids[0].contextValue, 'message');
    assert.match(kids[0].label, /no frame/);
  });

  it('reads garbage replies leniently', () => {
    assert.strictEqual(frameDetailNodes(undefined, L2, 'hex')[0].label, 'No details');
    const kids = frameDetailNodes({ entries: [null, 5, { index: 1 }] } as unknown as Record<string, unknown>, L2, 'hex');
    assert.deepStrictEqual(kids.map((k) => k.label), ['entries']);
    assert.strictEqual(kids[0].children![0].whatIf, undefined, 'no value, no what-if');
  });
});

describe('views: Frames filters and paging', () => {
  const many: FrameRow[] = Array.from({ length: 25 }, (_, i) => ({
    mfn: 0x1000 + i, pfn: i, type: i === 0 ? 'l4_page_table' : i < 3 ? 'l1_page_table' : 'writable_page',
    typeCount: 1, count: 1, pinned: i === 0, validated: i < 3, owner: 1, ...(i === 7 ? { lastError: 'Bad type' } : {}),
  }));

  it('loads one page, offers "Load more…" and loads the next page on request', async () => {
    const state: FramesState = { filter: 'all', pages: 1 };
    const fake = fakeAdapter(many);
    const view = framesView(state, () => 10);
    let rows = await view.load(fake, 'hex');
    assert.strictEqual(rows.length, 11);
    const more = rows[10];
    assert.strictEqual(more.label, 'Load more…');
    assert.strictEqual(more.description, '10 of 25 shown');
    assert.strictEqual(more.command?.id, 'xenpv.frames.loadMore');
    assert.strictEqual(view.viewDescription!() ?? '', 'All frames · 10 of 25');
    state.pages = 3;
    fake.log.length = 0;
    rows = await view.load(fake, 'hex');
    assert.strictEqual(rows.length, 25, 'all rows, no "Load more…"');
    assert.deepStrictEqual(fake.log.map((l) => [l.args?.start, l.args?.count]), [[0, 10], [10, 10], [20, 10]]);
    assert.strictEqual(view.viewDescription!() ?? '', 'All frames · 25');
  });

  it('passes the filter and shows it in the view description', async () => {
    const state: FramesState = { filter: 'pagetables', pages: 1 };
    const view = framesView(state, () => 200);
    const rows = await view.load(fakeAdapter(many), 'hex');
    assert.deepStrictEqual(rows.map((r) => r.description?.split(' ')[0]), ['l4_page_table', 'l1_page_table', 'l1_page_table']);
    assert.strictEqual(view.viewDescription!() ?? '', 'Page tables · 3');
    state.filter = 'errors';
    const errs = await view.load(fakeAdapter(many), 'hex');
    assert.strictEqual(errs.length, 1);
    assert.strictEqual(errs[0].icon, 'warning');
    state.filter = 'errors';
    const none = await view.load(fakeAdapter(many.filter((r) => !r.lastError)), 'hex');
    assert.strictEqual(none[0].contextValue, 'message');
    assert.match(none[0].label, /No frame has a recorded error/);
  });

  it('keeps requests within the adapter limit of 5000 rows', () => {
    assert.strictEqual(clampPageSize(100000), 5000);
    assert.strictEqual(clampPageSize(0), 200);
    assert.strictEqual(clampPageSize('x'), 200);
    assert.strictEqual(clampPageSize(64), 64);
  });

  it('lets an adapter refusal propagate so the tree shows it as a message row', async () => {
    const view = framesView({ filter: 'all', pages: 1 }, () => 10);
    const refusing: Requester = { request: () => Promise.reject(new Error("unrecognized request 'xen/frames'")) };
    await assert.rejects(view.load(refusing, 'hex'), /unrecognized request/);
  });

  it('offers "Load more…" when the adapter gives no total but a full page', async () => {
    const noTotal: Requester = { request: async <T>() => ({ rows: many.slice(0, 10) }) as T };
    const rows: XenNode[] = await framesView({ filter: 'all', pages: 1 }, () => 10).load(noTotal, 'hex');
    assert.strictEqual(rows[rows.length - 1].label, 'Load more…');
    assert.strictEqual(rows[rows.length - 1].description, '10 shown');
  });
});
