// DAP: xen/frames, xen/frame, xen/p2m, xen/m2p, xen/whatIf through the standalone adapter (malformed arguments give
// error responses), the REPL commands frame / p2m / m2p / whatif / pfn: expressions, and a CFI stack trace of a C guest.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterServer, startAdapterServer, connect, launchStopped } from './harness';
import { mmuGuest } from '../unit/debug-guests';
import { buildCGuest } from '../unit/debug-cguest';

describe('DAP: Xen frames and what-if', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  const progs: Record<string, string> = {};
  before(async () => {
    server = await startAdapterServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-dap-frames-'));
    for (const k of ['pv64', 'pv32'] as const) { progs[k] = path.join(dir, `${k}.elf`); fs.writeFileSync(progs[k], mmuGuest(k).bytes); }
  });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  const fails = async (command: string, args: unknown, pattern: RegExp): Promise<void> => {
    await assert.rejects(dc.customRequest(command, args), (e: Error) => { assert.match(e.message, pattern); return true; });
  };
  const repl = async (expression: string): Promise<string> => (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;

  for (const kind of ['pv64', 'pv32'] as const) {
    it(`${kind}: frames, frame, p2m, m2p answer; bad arguments are error responses`, async () => {
      await launchStopped(dc, { program: progs[kind], memory: 16 });
      const all = (await dc.customRequest('xen/frames', {})).body as { total: number; rows: { mfn: number; note?: string; type: string }[] };
      assert.strictEqual(all.rows.length, 500);
      assert.ok(all.total > 4096);
      const pts = (await dc.customRequest('xen/frames', { filter: 'pagetables', count: 5000 })).body as { rows: { mfn: number; note?: string; type: string }[] };
      const root = pts.rows.find((r) => /page-table root \(vCPU0\)/.test(r.note ?? ''));
      assert.ok(root, 'root row');
      assert.strictEqual(root.type, kind === 'pv64' ? 'l4_page_table' : 'l3_page_table');
      const f = (await dc.customRequest('xen/frame', { mfn: root.mfn })).body as { pinned: boolean; entries: unknown[]; p2m: number; pfn: number; m2p: number };
      assert.strictEqual(f.pinned, true);
      assert.ok(f.entries.length >= 1);
      assert.strictEqual(f.m2p, f.pfn);
      const p2m = (await dc.customRequest('xen/p2m', { start: f.pfn, count: 1 })).body as { rows: { pfn: number; mfn: number }[] };
      assert.deepStrictEqual(p2m.rows, [{ pfn: f.pfn, mfn: root.mfn }]);
      assert.deepStrictEqual((await dc.customRequest('xen/m2p', { mfn: `0x${root.mfn.toString(16)}` })).body, { mfn: root.mfn, pfn: f.pfn });
      await fails('xen/frames', { filter: 42 }, /filter must be one of all, pagetables, pinned, errors, owned/);
      await fails('xen/frames', { count: 1e9 }, /count must be a whole number 0\.\.5000/);
      await fails('xen/frame', { mfn: 'not a number' }, /mfn must be a whole number/);
      await fails('xen/frame', { pfn: 1e9 }, /outside the guest's pseudo-physical memory/);
      await fails('xen/frame', {}, /exactly one of mfn or pfn/);
      await fails('xen/m2p', { mfn: -5 }, /mfn must be a whole number/);
      await fails('xen/p2m', { start: 'x' }, /start must be/);
    });

    it(`${kind}: whatIf answers pte and descriptor questions; malformed requests are errors`, async () => {
      await launchStopped(dc, { program: progs[kind], memory: 16 });
      const target = (await dc.evaluateRequest({ expression: 'target', context: 'watch' })).body.result.split(' ')[0];
      const r = (await dc.customRequest('xen/whatIf', { kind: 'pte', level: 1, value: '0x0000000000002067', address: 'target' })).body as { accepted: boolean; errno: string; rule: string; explanation: string[] };
      assert.deepStrictEqual([r.accepted, r.errno, r.rule], [false, '-EBUSY', 'not-owned']);
      assert.match(r.explanation[0], /^ok: table mfn 0x[0-9a-f]+ \(pfn 0x[0-9a-f]+\) belongs to d1$/);
      const ok = (await dc.customRequest('xen/whatIf', { kind: 'pte', level: 1, value: '0x0', address: target })).body as { accepted: boolean; message: string };
      assert.strictEqual(ok.accepted, true, ok.message);
      const d = (await dc.customRequest('xen/whatIf', { kind: 'descriptor', value: '0x00008900000000ff' })).body as { accepted: boolean; rule: string };
      assert.deepStrictEqual([d.accepted, d.rule], [false, 'bad-descriptor']);
      await fails('xen/whatIf', { kind: 'pte', level: 0, value: '0x1', address: 'target' }, /level must be 1\.\./);
      await fails('xen/whatIf', { kind: 'pte', level: 1, value: { v: 1 }, address: 'target' }, /value must be/);
      await fails('xen/whatIf', { kind: 'pte', level: 1, value: '0x1', address: 'no_such_symbol' }, /unknown register or symbol 'no_such_symbol'/);
      await fails('xen/whatIf', { kind: 'tss' }, /kind must be "pte" or "descriptor"/);
      await fails('xen/whatIf', { kind: 'descriptor', value: '0x0', index: 'seven' }, /index must be a whole number/);
      // REPL forms
      assert.match(await repl('whatif desc 0x00008900000000ff'), /^rejected: -EINVAL \(bad-descriptor\)/);
      assert.match(await repl('frame pfn 0'), /^mfn 0x[0-9a-f]+ {2}pfn 0x0 {2}owner d1/);
      assert.match(await repl('p2m 0'), /^p2m\[0x0\] = mfn 0x[0-9a-f]+$/);
      assert.match(await repl('m2p 0'), /^m2p\[0x0\] = invalid/);
      const mfn0 = /mfn (0x[0-9a-f]+)/.exec(await repl('p2m 0'))![1];
      assert.strictEqual(await repl(`*(u32*)(mfn:${mfn0} + 0) == *(u32*)pfn:0`), '0x1');
      assert.match(await repl('pfn:0x3 + 0x10'), /^0x3010 \(pfn:0x3\+0x10\)$/);
    });
  }

  it('stack trace of a gcc -O2 -fomit-frame-pointer guest comes from CFI', async () => {
    const prog = buildCGuest('eh');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'leaf_body' }] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: prog, stopOnEntry: false } as DebugProtocol.LaunchRequestArguments),
    ]);
    assert.strictEqual((await stopped).body.reason, 'function breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const names = st.body.stackFrames.map((f) => f.name.replace(/\+0x[0-9a-f]+$/, ''));
    assert.deepStrictEqual(names, ['leaf', 'middle', 'outer', 'start_c', '_start']);
  });
});
