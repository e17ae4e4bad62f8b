// DAP data breakpoints (watchpoints): dataBreakpointInfo for symbols, casts, addresses, registers and bad expressions;
// write / read watches stopping after the access with the values; conditions, hit counts and clearing on a bare
// program; on Xen pv64 and pv32pae guests a guest variable and a page-table entry written by mmu_update (a
// hypervisor write); malformed requests get error responses and the adapter lives on.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest } from '../guests/build';
import { ROOT } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, topFrame, untilStopped, collectOutput, pc } from './harness';

const GUEST_DIR = path.join(ROOT, 'test/.build/guests');
const mmGuest = (kind: 'pv64' | 'pv32'): string => { buildGuest(`${kind}-mm`, kind); return path.join(GUEST_DIR, `${kind}-mm.elf`); };

/** A bare 64-bit program (our assembler, no Xen notes): a loop storing then loading `counter`. */
const BARE = `
        .code64
        .text
        .globl _start
_start:
        mov $5, %rcx
1:      mov %rcx, counter(%rip)
after_store:
        mov counter(%rip), %rax
after_load:
        dec %rcx
        jnz 1b
        hlt
        .data
        .balign 8
counter: .quad 0x1234
`;

describe('DAP: data breakpoints', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  let bare: string;
  before(async () => {
    server = await startAdapterServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-watch-'));
    bare = path.join(dir, 'watch.s');
    fs.writeFileSync(bare, BARE);
    mmGuest('pv64'); mmGuest('pv32');
  });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  const info = (args: DebugProtocol.DataBreakpointInfoArguments): Promise<DebugProtocol.DataBreakpointInfoResponse> => dc.dataBreakpointInfoRequest(args);
  const value = async (expr: string): Promise<bigint> => BigInt((await dc.evaluateRequest({ expression: expr, context: 'watch' })).body.result.split(' ')[0]);
  const cont = (): Promise<DebugProtocol.StoppedEvent> => untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));

  it('advertises data breakpoints with byte ranges', async () => {
    const init = await dc.initializeRequest();
    assert.strictEqual(init.body?.supportsDataBreakpoints, true);
    assert.strictEqual((init.body as DebugProtocol.Capabilities).supportsDataBreakpointBytes, true);
  });

  it('bare machine: write watch on a symbol stops after the store with old and new values; condition; read watch; clearing', async () => {
    await launchStopped(dc, { program: bare });
    const out = collectOutput(dc, 'console');
    const counter = await value('counter');
    const i = await info({ name: 'counter' });
    assert.strictEqual(i.body.dataId, `0x${counter.toString(16)}:8`);
    assert.deepStrictEqual(i.body.accessTypes, ['read', 'write', 'readWrite']);
    assert.match(i.body.description, /^counter: 8 bytes at 0x/);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: i.body.dataId!, accessType: 'write' }] });
    assert.strictEqual(set.body.breakpoints.length, 1);
    assert.strictEqual(set.body.breakpoints[0].verified, true);
    const id = set.body.breakpoints[0].id;

    let ev = await cont();
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [id]);
    assert.strictEqual(ev.body.description, `write to 0x${counter.toString(16)} (8 bytes): 0x1234 → 0x5`);
    assert.strictEqual(await pc(dc), Number(await value('after_store')), 'stopped at the instruction after the store');
    assert.match(out(), new RegExp(`data breakpoint ${id} \\(write 0x[0-9a-f]+:8\\): write to 0x[0-9a-f]+ \\(8 bytes\\): 0x1234 → 0x5`));
    assert.strictEqual(await value('*(u64*)counter'), 5n);

    // condition: only when the new value is 2
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: i.body.dataId!, accessType: 'write', condition: '*(u64*)counter == 2' }] });
    ev = await cont();
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.match(ev.body.description ?? '', /: 0x3 → 0x2$/);
    assert.strictEqual(await value('rcx'), 2n);

    // read watch, by address with an explicit size, and a hit count
    const r = await info({ name: `0x${counter.toString(16)}`, asAddress: true, bytes: 4 });
    assert.strictEqual(r.body.dataId, `0x${counter.toString(16)}:4`);
    const rs = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: r.body.dataId!, accessType: 'read', hitCondition: '1' }] });
    ev = await cont();
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [rs.body.breakpoints[0].id]);
    assert.match(ev.body.description ?? '', /^read of 0x[0-9a-f]+ \(8 bytes\): 0x2$/);
    assert.strictEqual(await pc(dc), Number(await value('after_load')));

    // an instruction breakpoint on the instruction after the access is still reported after the data stop
    const afterStore = Number(await value('after_store'));
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: i.body.dataId!, accessType: 'write' }] });
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${afterStore.toString(16)}` }] });
    ev = await cont();
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.strictEqual(await pc(dc), afterStore);
    ev = await cont();
    assert.strictEqual(ev.body.reason, 'instruction breakpoint');
    assert.strictEqual(await pc(dc), afterStore);
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });

    // clearing: runs to the end
    const cleared = await dc.setDataBreakpointsRequest({ breakpoints: [] });
    assert.deepStrictEqual(cleared.body.breakpoints, []);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
  });

  it('dataBreakpointInfo: casts, &symbol, [expr], rsp+8; registers and bad expressions give dataId null', async () => {
    await launchStopped(dc, { program: bare });
    const counter = (await value('counter')).toString(16);
    assert.strictEqual((await info({ name: '*(u32*)(counter + 4)' })).body.dataId, `0x${(BigInt('0x' + counter) + 4n).toString(16)}:4`);
    assert.strictEqual((await info({ name: '&counter' })).body.dataId, `0x${counter}:8`);
    assert.strictEqual((await info({ name: '*(u16*)counter', bytes: 2 })).body.dataId, `0x${counter}:2`);
    const rsp = await value('rsp');
    assert.strictEqual((await info({ name: 'rsp+8' })).body.dataId, `0x${(rsp + 8n).toString(16)}:8`);
    assert.strictEqual((await info({ name: '[rsp]' })).body.dataId, `0x${rsp.toString(16)}:8`);
    const reg = await info({ name: 'rax' });
    assert.strictEqual(reg.body.dataId, null);
    assert.match(reg.body.description, /rax is a register, not memory/);
    const bad = await info({ name: 'no_such_symbol + (' });
    assert.strictEqual(bad.body.dataId, null);
    assert.match(bad.body.description, /^cannot watch 'no_such_symbol \+ \(':/);
    const val = await info({ name: '*(u64*)counter + 1' });
    assert.strictEqual(val.body.dataId, null);
    assert.match(val.body.description, /is a value, not a memory location/);
    assert.strictEqual((await info({ name: 'counter', bytes: 0 })).body.dataId, null);
    // a variable of the registers scope
    const scopes = await dc.scopesRequest({ frameId: (await topFrame(dc)).id });
    const regs = scopes.body.scopes[0];
    const vars = await dc.variablesRequest({ variablesReference: regs.variablesReference });
    const rax = vars.body.variables.find((v) => v.name === 'rax');
    assert.ok(rax);
    const rv = await info({ variablesReference: regs.variablesReference, name: 'rax' });
    assert.strictEqual(rv.body.dataId, null);
    assert.match(rv.body.description, /register, not memory/);
  });

  it('malformed setDataBreakpoints: error responses or unverified entries, the adapter stays alive', async () => {
    await launchStopped(dc, { program: bare });
    await assert.rejects(dc.customRequest('setDataBreakpoints', { breakpoints: 'nope' }), /needs a breakpoints array/);
    await assert.rejects(dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: 5 }] }), /needs a dataId string/);
    await assert.rejects(dc.customRequest('setDataBreakpoints', {}), /needs a breakpoints array/);
    const r = await dc.setDataBreakpointsRequest({ breakpoints: [
      { dataId: 'garbage' }, { dataId: '0x1000:0' }, { dataId: '0x1000:8', accessType: 'sideways' as DebugProtocol.DataBreakpointAccessType },
      { dataId: '0x1000:8', hitCondition: 'often' }, { dataId: '0x7fff00000000:8' },
    ] });
    const bps = r.body.breakpoints;
    assert.deepStrictEqual(bps.map((b) => b.verified), [false, false, false, false, false]);
    assert.match(bps[0].message ?? '', /bad dataId 'garbage'/);
    assert.match(bps[1].message ?? '', /size must be/);
    assert.match(bps[2].message ?? '', /accessType must be one of read, write, readWrite/);
    assert.match(bps[3].message ?? '', /invalid hit condition/);
    assert.match(bps[4].message ?? '', /not mapped/);
    await assert.rejects(dc.customRequest('dataBreakpointInfo', null), /needs arguments/);
    const th = await dc.threadsRequest();
    assert.strictEqual(th.body.threads.length, 1, 'adapter alive');
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0, 'unverified watches never stop');
  });

  for (const kind of ['pv64', 'pv32'] as const) {
    const is64 = kind === 'pv64';
    it(`${kind}: write watch on a guest variable, then a PTE written by mmu_update (hypervisor write), then a read watch`, async () => {
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await Promise.all([
        dc.waitForEvent('initialized').then(async () => {
          await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'mmu1' }] });
          await dc.configurationDoneRequest();
        }),
        dc.launch({ program: mmGuest(kind), cmdline: 'A' } as DebugProtocol.LaunchRequestArguments),
      ]);
      assert.strictEqual((await stopped).body.reason, 'function breakpoint');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      // the PTE's machine address is mmu1's first argument; its guest-virtual address through the M2P
      const ptePa = is64 ? 'rdi' : 'eax';
      const pteVa = is64
        ? `0xffffffff80000000 + (*(u64*)(0xffff800000000000 + (rdi >> 12) * 8) << 12) + (rdi & 0xfff)`
        : `0xc0000000 + (*(u32*)(0xf5800000 + (eax >> 12) * 4) << 12) + (eax & 0xfff)`;
      const pteAddr = `0x${(await value(pteVa)).toString(16)}`; // fixed now: mmu1 reuses the argument registers
      const oldPte = await value(`*(u64*)${pteAddr}`);
      assert.ok((oldPte & 1n) === 1n, 'window is mapped');
      assert.strictEqual(BigInt(await value(`${ptePa} & 0xfff`)) % 8n, 0n);
      const pte = await info({ name: `*(u64*)(${pteVa})` });
      assert.strictEqual(pte.body.dataId, `${pteAddr}:8`);
      const req = await info({ name: 'req' });
      assert.ok(pte.body.dataId && req.body.dataId, `${pte.body.description} / ${req.body.description}`);
      assert.strictEqual(req.body.dataId.endsWith(is64 ? ':8' : ':4'), true, 'default size: the guest word');
      const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: req.body.dataId, accessType: 'write' }, { dataId: pte.body.dataId, accessType: 'write' }] });
      assert.deepStrictEqual(set.body.breakpoints.map((b) => b.verified), [true, true]);
      const [reqId, pteId] = set.body.breakpoints.map((b) => b.id);

      // 1: the guest's own store into req (first instruction of mmu1)
      const mmu1 = await pc(dc);
      let ev = await cont();
      assert.strictEqual(ev.body.reason, 'data breakpoint');
      assert.deepStrictEqual(ev.body.hitBreakpointIds, [reqId]);
      assert.match(ev.body.description ?? '', new RegExp(`^write to 0x[0-9a-f]+ \\(${is64 ? 8 : 4} bytes\\): 0x0 → 0x[0-9a-f]+$`));
      assert.strictEqual(await pc(dc), mmu1 + (is64 ? 7 : 5), 'RIP after the store');

      // 2: Xen writes the PTE inside mmu_update; the stop comes after the hypercall returned
      ev = await cont();
      assert.strictEqual(ev.body.reason, 'data breakpoint');
      assert.deepStrictEqual(ev.body.hitBreakpointIds, [pteId]);
      const newPte = await value(`*(u64*)${pteAddr}`);
      assert.notStrictEqual(newPte, oldPte);
      assert.strictEqual(ev.body.description?.replace(/mmu_update\(.*\):/, 'mmu_update(…):'),
        `write to ${pteAddr} (8 bytes) by hypercall mmu_update(…): 0x${oldPte.toString(16)} → 0x${newPte.toString(16)}`);
      assert.match(ev.body.description ?? '', /by hypercall mmu_update\(reqs=0x[0-9a-f]+, count=1, pdone=/);
      assert.match((await topFrame(dc)).name, /hypercall_page/);
      assert.strictEqual(await value(is64 ? 'rax' : 'eax'), 0n, 'the hypercall has returned (success)');

      // 3: a read watch on window: the load after invlpg reads it through the new mapping
      const win = await info({ name: 'window' });
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: win.body.dataId!, accessType: 'read' }] });
      ev = await cont();
      assert.strictEqual(ev.body.reason, 'data breakpoint');
      assert.match(ev.body.description ?? '', /^read of 0x[0-9a-f]+ \((4|8) bytes\)/);
      await dc.setDataBreakpointsRequest({ breakpoints: [] });
      const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0);
    });
  }
});
