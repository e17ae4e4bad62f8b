// DAP: pfn:/mfn: memory references on Xen PV guests (pv64, pv32pae) and the bare machine: evaluate, readMemory and
// writeMemory in each space agree with the guest-virtual view; writes are not guest accesses; bad references fail.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest } from '../guests/build';
import { ROOT, buildGuest as buildFixture } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, collectOutput } from './harness';

const GUEST_DIR = path.join(ROOT, 'test/.build/guests');
const guest = (kind: 'pv64' | 'pv32'): string => { buildGuest(`${kind}-guest`, kind); return path.join(GUEST_DIR, `${kind}-guest.elf`); };
const hex = (n: number): string => `0x${n.toString(16)}`;

interface Where { lin: number; mfn: number; pfn: number; off: number }

/** Where a guest-virtual expression lives: its page walk's machine address and the m2p of that frame. */
async function locate(dc: DebugClient, expr: string): Promise<Where> {
  const walk = (await dc.customRequest('xen/pageWalk', { address: expr })).body as { address: string; machineAddress: string };
  const ma = parseInt(walk.machineAddress, 16);
  const mfn = Math.floor(ma / 4096);
  const m2p = (await dc.customRequest('xen/m2p', { mfn })).body as { pfn: number | null };
  assert.notStrictEqual(m2p.pfn, null, 'a guest frame');
  return { lin: parseInt(walk.address, 16), mfn, pfn: m2p.pfn!, off: ma % 4096 };
}

async function readBytes(dc: DebugClient, memoryReference: string, count: number, offset?: number): Promise<{ address: string; bytes: number[]; unreadable?: number }> {
  const r = await dc.customRequest('readMemory', { memoryReference, count, ...(offset !== undefined ? { offset } : {}) }) as DebugProtocol.ReadMemoryResponse;
  return { address: r.body!.address, bytes: [...Buffer.from(r.body!.data ?? '', 'base64')], unreadable: r.body!.unreadableBytes };
}

const evaluate = async (dc: DebugClient, expression: string, context = 'watch'): Promise<DebugProtocol.EvaluateResponse['body']> =>
  (await dc.evaluateRequest({ expression, context })).body;

describe('DAP: pfn:/mfn: memory references', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); guest('pv64'); guest('pv32'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  for (const kind of ['pv64', 'pv32'] as const) {
    it(`${kind}: evaluate *(u64*)(mfn:… + off) and *(u64*)(pfn:… + off) equal the guest-virtual read, with symbols`, async () => {
      await launchStopped(dc, { program: guest(kind) });
      const w = await locate(dc, 'msg2 + 8');
      const virt = (await evaluate(dc, '*(u64*)(msg2 + 8)')).result;
      assert.match(virt, /^0x[0-9a-f]+$/);
      assert.strictEqual((await evaluate(dc, `*(u64*)(mfn:${hex(w.mfn)} + ${hex(w.off)})`)).result, virt);
      assert.strictEqual((await evaluate(dc, `*(u64*)(pfn:${hex(w.pfn)} + ${hex(w.off)})`)).result, virt);
      // symbols inside a pfn: expression, from the REPL too (the runtime evaluates it, not a symbol-less fallback)
      assert.strictEqual((await evaluate(dc, `*(u64*)(pfn:${hex(w.pfn)} + ((msg2 + 8) & 0xfff))`, 'repl')).result, virt);
      // an address in a space evaluates to itself with its reference, usable as a memoryReference
      const a = await evaluate(dc, `mfn:${hex(w.mfn)} + ${hex(w.off)}`);
      const ref = `mfn:${hex(w.mfn)}${w.off ? `+${hex(w.off)}` : ''}`;
      assert.strictEqual(a.result, `${hex(w.mfn * 4096 + w.off)} (${ref})`);
      assert.strictEqual(a.memoryReference, ref);
      const viaRef = await readBytes(dc, a.memoryReference!, 8);
      const viaLinear = await readBytes(dc, 'msg2 + 8', 8);
      assert.deepStrictEqual(viaRef.bytes, viaLinear.bytes);
    });

    it(`${kind}: readMemory with mfn:/pfn: references (offsets, resolved address, unreadable bytes beyond the guest)`, async () => {
      await launchStopped(dc, { program: guest(kind) });
      const w = await locate(dc, 'msg2');
      const text = `hello from ${kind === 'pv64' ? 'pv64' : 'pv32pae'} via the console ring\n`;
      const lin = await readBytes(dc, 'msg2', text.length);
      assert.strictEqual(Buffer.from(lin.bytes).toString('latin1'), text);
      const m = await readBytes(dc, `mfn:${hex(w.mfn)}`, text.length, w.off);
      assert.strictEqual(Buffer.from(m.bytes).toString('latin1'), text);
      assert.strictEqual(m.address, `mfn:${hex(w.mfn)}${w.off ? `+${hex(w.off)}` : ''}`);
      const p = await readBytes(dc, `pfn:${hex(w.pfn)} + ${hex(w.off + 6)}`, 4);
      assert.strictEqual(Buffer.from(p.bytes).toString('latin1'), 'from');
      assert.strictEqual(p.address, `pfn:${hex(w.pfn)}+${hex(w.off + 6)}`);
      assert.strictEqual(p.unreadable, undefined);
      // the last pseudo-physical page and beyond: the readable part, the rest reported as unreadable (not an error)
      const dom = (await dc.customRequest('xen/domain', {})).body as { pages: number };
      const edge = await readBytes(dc, `pfn:${hex(dom.pages - 1)}`, 8, 4092);
      assert.deepStrictEqual([edge.bytes.length, edge.unreadable], [4, 4]);
      const none = await readBytes(dc, `pfn:${hex(dom.pages)}`, 16);
      assert.deepStrictEqual([none.bytes.length, none.unreadable], [0, 16]);
    });
  }

  it('pv64: writeMemory through pfn: is seen by the guest-virtual view and the guest; no data breakpoint fires', async () => {
    await launchStopped(dc, { program: guest('pv64') });
    const w = await locate(dc, 'msg2');
    // watch writes to msg2: only the debugger writes it, and debugger writes are not guest accesses
    const info = await dc.dataBreakpointInfoRequest({ name: '*(u64*)msg2' });
    assert.ok(info.body.dataId, info.body.description);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.strictEqual(set.body.breakpoints[0].verified, true);
    const memEvent = dc.waitForEvent('memory') as Promise<DebugProtocol.MemoryEvent>;
    const ref = `pfn:${hex(w.pfn)}`;
    const wr = await dc.customRequest('writeMemory', { memoryReference: ref, offset: w.off, data: Buffer.from('HELLO').toString('base64') }) as DebugProtocol.WriteMemoryResponse;
    assert.strictEqual(wr.body!.bytesWritten, 5);
    const ev = await memEvent;
    assert.deepStrictEqual([ev.body.memoryReference, ev.body.offset, ev.body.count], [ref, w.off, 5], 'names the reference the client used');
    assert.strictEqual(Buffer.from((await readBytes(dc, 'msg2', 5)).bytes).toString('latin1'), 'HELLO');
    assert.strictEqual(Buffer.from((await readBytes(dc, `mfn:${hex(w.mfn)}`, 5, w.off)).bytes).toString('latin1'), 'HELLO');
    const out = collectOutput(dc, 'stdout');
    const con = collectOutput(dc, 'console');
    const stops: string[] = [];
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) => stops.push(e.body.reason));
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
    assert.deepStrictEqual(stops, [], 'no data breakpoint stop for the debugger\'s own write');
    assert.doesNotMatch(con(), /data breakpoint/, 'no data breakpoint hit reported either');
    assert.match(out(), /HELLO from pv64 via the console ring\n/);
  });

  it('pv32: writeMemory through mfn: shows through the guest-virtual view; a linear write event names 0x…', async () => {
    await launchStopped(dc, { program: guest('pv32') });
    const w = await locate(dc, 'msg2');
    await dc.customRequest('writeMemory', { memoryReference: `mfn:${hex(w.mfn)} + ${hex(w.off)}`, data: Buffer.from([0x41, 0x42]).toString('base64') });
    assert.deepStrictEqual((await readBytes(dc, 'msg2', 2)).bytes, [0x41, 0x42]);
    assert.strictEqual((await evaluate(dc, '*(u16*)msg2')).result, '0x4241');
    const memEvent = dc.waitForEvent('memory') as Promise<DebugProtocol.MemoryEvent>;
    await dc.customRequest('writeMemory', { memoryReference: 'msg2', offset: 2, data: Buffer.from([0x43]).toString('base64') });
    const ev = await memEvent;
    assert.strictEqual(ev.body.memoryReference, hex(w.lin + 2));
    assert.deepStrictEqual((await readBytes(dc, `pfn:${hex(w.pfn)}`, 3, w.off)).bytes, [0x41, 0x42, 0x43]);
  });

  it('bad references and pfn:/mfn: where only guest-linear makes sense give error responses', async () => {
    await launchStopped(dc, { program: guest('pv64') });
    const dom = (await dc.customRequest('xen/domain', {})).body as { pages: number };
    for (const [ref, re] of [
      ['pfn:', /expected|unexpected|bad/i], ['pfn:zz', /unknown register or symbol 'zz'|expected/], ['mfn:1 + mfn:2', /cannot add two mfn: addresses/],
      ['pfn:mfn:1', /already has a space/], ['mfn:0x10000000000000', /too large/], ['(((', /expected|unexpected/],
    ] as const) {
      await assert.rejects(dc.customRequest('readMemory', { memoryReference: ref, count: 4 }), re, ref);
      await assert.rejects(dc.customRequest('writeMemory', { memoryReference: ref, data: 'AAAA' }), re, ref);
    }
    // a write that does not fit writes nothing and says why
    const last = `pfn:${hex(dom.pages - 1)}`;
    const before = await readBytes(dc, last, 2, 4094);
    await assert.rejects(dc.customRequest('writeMemory', { memoryReference: last, offset: 4094, data: Buffer.from([1, 2, 3, 4]).toString('base64') }),
      /cannot write pfn memory: pfn 0x[0-9a-f]+ is outside the guest's pseudo-physical memory/);
    assert.deepStrictEqual((await readBytes(dc, last, 2, 4094)).bytes, before.bytes, 'nothing written');
    await assert.rejects(dc.evaluateRequest({ expression: `*(u8*)pfn:${hex(dom.pages)}`, context: 'repl' }), /outside the guest's pseudo-physical memory/);
    // guest-linear-only places refuse a space with a message
    await assert.rejects(dc.disassembleRequest({ memoryReference: 'pfn:1', instructionCount: 2 }), /pfn: address, not guest-linear/);
    await assert.rejects(dc.customRequest('xen/pageWalk', { address: 'mfn:1' }), /mfn: address, not guest-linear/);
    await assert.rejects(dc.evaluateRequest({ expression: 'x/4xb pfn:1', context: 'repl' }), /pfn: address, not guest-linear/);
    const info = await dc.dataBreakpointInfoRequest({ name: '*(u64*)(pfn:0x1 + 8)' });
    assert.strictEqual(info.body.dataId, null);
    assert.match(info.body.description, /pfn: addresses are not guest-linear/);
    const asAddr = await dc.dataBreakpointInfoRequest({ name: 'mfn:0x10', asAddress: true } as DebugProtocol.DataBreakpointInfoArguments);
    assert.strictEqual(asAddr.body.dataId, null);
    assert.match(asAddr.body.description, /mfn: addresses are not guest-linear/);
  });

  it('bare machine: pfn: and mfn: are physical memory (identity)', async () => {
    await launchStopped(dc, { program: buildFixture('prog64') });
    const virt = (await evaluate(dc, '*(u64*)0x100000')).result;
    assert.strictEqual((await evaluate(dc, '*(u64*)pfn:0x100')).result, virt);
    assert.strictEqual((await evaluate(dc, '*(u64*)(mfn:0x100 + 0)')).result, virt);
    assert.deepStrictEqual((await readBytes(dc, 'mfn:0x100', 4)).bytes, [0x48, 0xc7, 0xc0, 0x2a]);
    const far = await readBytes(dc, 'pfn:0x100000', 4);
    assert.deepStrictEqual([far.bytes.length, far.unreadable], [0, 4]);
  });
});
