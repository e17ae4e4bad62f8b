// The bundled samples under the real debug runtime, read through the views' specs exactly as VS Code would get them
// (customRequest → view rows): pv64 frames and what-if, pv32 GDT on Xen's ring-1 selectors, the bad guest's refusals.

import * as assert from 'assert';
import * as path from 'path';
import { DebugRuntime } from '../../src/debug/runtime';
import { customRequest } from '../../src/debug/custom-requests';
import { framesView, FramesState } from '../../src/views/frames';
import { gdtView, hypercallsView, segmentsView } from '../../src/views/view-specs';
import { expandNode, XenNode } from '../../src/views/nodes';
import { formatWhatIf, WhatIfResult } from '../../src/views/what-if';
import { statusView } from '../../src/views/status';
import type { Requester } from '../../src/views/spec';

const SAMPLES = path.resolve(__dirname, '../../samples');

function launch(sample: string): { rt: DebugRuntime; req: Requester } {
  const rt = new DebugRuntime();
  rt.launch({ program: path.join(SAMPLES, sample), memory: 16, console: false });
  const req: Requester = { request: async <T>(command: string, args?: object) => customRequest(rt, command, (args ?? {}) as Record<string, unknown>) as T };
  return { rt, req };
}

/** Run to the end (or a fatal stop); resolves with how it ended. */
function runToEnd(rt: DebugRuntime): Promise<{ exit?: number; stop?: { reason?: string; description?: string; text?: string } }> {
  return new Promise((resolve) => {
    rt.once('exited', (code: number) => resolve({ exit: code }));
    rt.once('stopped', (info: { reason?: string; description?: string; text?: string }) => resolve({ stop: info }));
    rt.start();
  });
}

const dump = (rows: XenNode[]): string => rows.map((r) => `${r.label} ${r.description ?? ''}`).join('\n');

describe('views on the bundled samples (real runtime)', function () {
  this.timeout(60000);

  it('hello-pv64: the Frames view filtered to page tables shows the pinned L4 and the L1 tables, with entries', async () => {
    const { rt, req } = launch('hello-pv64.s');
    try {
      const state: FramesState = { filter: 'pagetables', pages: 1 };
      const view = framesView(state, () => 200);
      const rows = await view.load(req, 'hex');
      const l4 = rows.find((r) => /^l4_page_table ×\d+ pinned validated · refs \d+ · page-table root/.test(r.description ?? ''));
      assert.ok(l4, dump(rows));
      assert.match(l4.label, /^mfn 0x[0-9a-f]+ \(pfn 0x[0-9a-f]+\)$/);
      assert.ok(rows.some((r) => /^l1_page_table ×1 /.test(r.description ?? '')), dump(rows));
      assert.match(view.viewDescription!() ?? '', /^Page tables · \d+$/);
      const kids = await expandNode(l4);
      const entries = kids.find((k) => k.label === 'entries');
      assert.ok(entries && entries.children!.length >= 1, dump(kids));
      const e = entries.children![0];
      assert.match(e.label, /^L4\[0x[0-9a-f]+\]$/);
      assert.strictEqual(e.whatIf?.kind, 'pte');

      // what-if with the prefill of that L4 entry: Xen accepts what it already holds
      const ok = await req.request<WhatIfResult>('xen/whatIf', e.whatIf!);
      assert.strictEqual(ok.accepted, true, JSON.stringify(ok));
      // and refuses an L1 entry that maps the L4 itself writable
      const mfn = Number(/^mfn (0x[0-9a-f]+)/.exec(l4.label)![1]);
      const bad = { kind: 'pte' as const, level: 1, value: '0x' + (mfn * 4096 + 0x67).toString(16), address: 'rip' };
      const no = await req.request<WhatIfResult>('xen/whatIf', bad);
      assert.strictEqual(no.accepted, false, JSON.stringify(no));
      const f = formatWhatIf(bad, no);
      assert.match(f.headline, /^Xen would refuse the L1 entry 0x[0-9a-f]+ for rip with -EBUSY \(writable-pt-mapping\): .*in use as l4_page_table/);
      assert.ok(f.lines.length > 1, 'with an explanation');

      const errs = await framesView({ filter: 'errors', pages: 1 }, () => 200).load(req, 'hex');
      assert.strictEqual(errs[0].contextValue, 'message', `no errors yet at entry:\n${dump(errs)}`);
    } finally { rt.terminate(); }
  });

  it('hello-pv32: at entry CS is 0xe019 and DS 0xe021, and the GDT view names Xen\'s ring-1 entries', async () => {
    const { rt, req } = launch('hello-pv32.s');
    try {
      const seg = await segmentsView().load(req, 'hex');
      assert.match(seg.find((r) => r.label === 'CS')?.description ?? '', /^0xe019 /, dump(seg));
      assert.match(seg.find((r) => r.label === 'DS')?.description ?? '', /^0xe021 /, dump(seg));
      const gdt = await gdtView().load(req, 'hex');
      assert.ok(gdt.some((r) => r.label === '0xe018' && /FLAT_RING1_CS/.test(r.description ?? '')), dump(gdt));
      assert.ok(gdt.some((r) => r.label === '0xe020' && /FLAT_RING1_DS/.test(r.description ?? '')), dump(gdt));
      assert.strictEqual(gdt.find((r) => r.label === '0xe018')!.whatIf?.kind, 'descriptor');
      const end = await runToEnd(rt);
      assert.deepStrictEqual(end, { exit: 0 });
    } finally { rt.terminate(); }
  });

  it('bad-pagetable-pv64: both refusals are in the Hypercalls view (newest first), then the domain crashes', async () => {
    const { rt, req } = launch('bad-pagetable-pv64.s');
    try {
      const end = await runToEnd(rt);
      const dom = await req.request<Record<string, unknown>>('xen/domain');
      assert.strictEqual(dom.state, 'crashed', JSON.stringify(end));
      assert.match(String(dom.crashDiagnostic), /#PF/);
      const calls = await hypercallsView(() => 50).load(req, 'hex');
      const failed = calls.filter((r) => r.icon === 'warning');
      assert.deepStrictEqual(failed.map((r) => r.label.replace(/^#\d+ /, '')), ['mmuext_op', 'mmu_update'], dump(calls));
      assert.match(failed[1].description ?? '', /-EBUSY.*l1_page_table/);
      assert.match(failed[0].description ?? '', /-EINVAL.*Bad type/);
      const status = statusView({ state: 'stopped', stop: end.stop, domain: dom });
      assert.strictEqual(status.text, '$(vm) Xen pv64: crashed');
      const errs = await framesView({ filter: 'errors', pages: 1 }, () => 200).load(req, 'hex');
      assert.ok(errs.some((r) => r.icon === 'warning' && /⚠/.test(r.description ?? '')), dump(errs));
    } finally { rt.terminate(); }
  });
});
