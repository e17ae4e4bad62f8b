// DAP: launch, stop on entry, threads, console output, run to hlt (exit code), stepping, pause in a
// tight loop, guest fault as an exception stop, terminate, restart.

import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest, lineOf, sourceOf, symbolAddress } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, pc, topFrame, untilStopped, collectOutput } from './harness';

describe('DAP: launch and execution control', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  let prog: string;
  before(async () => { server = await startAdapterServer(); prog = buildGuest('prog64'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  it('stops on entry with one vCPU thread and the entry location', async () => {
    const ev = await launchStopped(dc, { program: prog });
    assert.strictEqual(ev.body.reason, 'entry');
    assert.strictEqual(ev.body.threadId, 1);
    const th = await dc.threadsRequest();
    assert.deepStrictEqual(th.body.threads.map((t) => t.name), ['vCPU 0']);
    const f = await topFrame(dc);
    assert.strictEqual(f.instructionPointerReference, '0x100000');
    assert.strictEqual(f.name, '_start');
    assert.strictEqual(f.source?.path, sourceOf('prog64'));
    assert.strictEqual(f.line, lineOf('prog64', 'entry'));
  });

  it('runs to hlt: console output, exit code 0, terminated', async () => {
    const out = collectOutput(dc, 'stdout');
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ program: prog } as DebugProtocol.LaunchRequestArguments),
    ]);
    assert.strictEqual((await exited).body.exitCode, 0);
    await terminated;
    assert.strictEqual(out(), 'hello from the guest\n');
  });

  it('console: false drops guest output', async () => {
    const out = collectOutput(dc, 'stdout');
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ program: prog, console: false } as DebugProtocol.LaunchRequestArguments)]);
    await terminated;
    assert.strictEqual(out(), '');
  });

  it('steps by instruction, over a call and into it, and out again', async () => {
    await launchStopped(dc, { program: prog });
    let ev = await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(ev.body.reason, 'step');
    assert.strictEqual(await pc(dc), 0x100007);
    await untilStopped(dc, () => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(await pc(dc), 0x10000e); // at call puts
    const out = collectOutput(dc, 'stdout');
    await untilStopped(dc, () => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(await pc(dc), 0x100013, 'stepped over the call');
    assert.strictEqual(out(), 'hello from the guest\n');
    // into sum_to by source line
    await untilStopped(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, lineOf('prog64', 'after_puts') + 1);
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1 }));
    const sumTo = symbolAddress(prog, 'sum_to');
    assert.strictEqual(await pc(dc), sumTo);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepStrictEqual(st.body.stackFrames.map((f) => f.name), ['sum_to', '_start+0x1f']);
    assert.strictEqual(st.body.stackFrames[1].line, lineOf('prog64', 'after_puts') + 1);
    ev = await untilStopped(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'step');
    assert.strictEqual(await pc(dc), 0x10001f, 'back in _start after call sum_to');
    const rax = await dc.evaluateRequest({ expression: 'rax', context: 'watch' });
    assert.strictEqual(rax.body.result, '0xf');
  });

  it('pauses a tight loop and continues', async () => {
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ program: buildGuest('loop64') } as DebugProtocol.LaunchRequestArguments)]);
    await new Promise((r) => setTimeout(r, 200));
    const ev = await untilStopped(dc, () => dc.pauseRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'pause');
    const spin = symbolAddress(buildGuest('loop64'), 'spin');
    const at = await pc(dc);
    assert.ok(at === spin || at === spin + 3, `pc 0x${at.toString(16)} in the loop`);
    const n1 = BigInt((await dc.evaluateRequest({ expression: 'rax', context: 'watch' })).body.result);
    assert.ok(n1 > 1000n, `loop ran (${n1})`);
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 100));
    await untilStopped(dc, () => dc.pauseRequest({ threadId: 1 }));
    const n2 = BigInt((await dc.evaluateRequest({ expression: 'rax', context: 'watch' })).body.result);
    assert.ok(n2 > n1, 'continued');
  });

  it('reports a guest fault as an exception stop with text, then ends with exit code 2', async () => {
    const fault = buildGuest('fault64');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ program: fault } as DebugProtocol.LaunchRequestArguments)]);
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.text ?? '', /#DE/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.exceptionId, '#DE');
    assert.match(info.body.description ?? '', /guest fault #DE at rip 0x100007/);
    assert.strictEqual((await topFrame(dc)).line, lineOf('fault64', 'fault'));
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 2);
  });

  it('terminate ends the session; restart starts over', async () => {
    await launchStopped(dc, { program: prog });
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    const again = await untilStopped(dc, () => dc.customRequest('restart', { arguments: { program: prog, stopOnEntry: true } }));
    assert.strictEqual(again.body.reason, 'entry');
    assert.strictEqual(await pc(dc), 0x100000);
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
  });

  it('runs a 32-bit guest (eax..edi registers, protected mode)', async () => {
    await launchStopped(dc, { program: buildGuest('prog32', { bits: 32 }) });
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    const eax = await dc.evaluateRequest({ expression: 'eax', context: 'watch' });
    assert.strictEqual(eax.body.result, '0x11223344');
    const sc = await dc.scopesRequest({ frameId: (await topFrame(dc)).id });
    const regs = await dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference });
    assert.deepStrictEqual(regs.body.variables.map((v) => v.name).slice(0, 8), ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi']);
    assert.strictEqual(regs.body.variables.find((v) => v.name === 'eax')?.value, '0x11223344');
    const dis = await dc.disassembleRequest({ memoryReference: '0x100000', instructionCount: 3 });
    assert.match(dis.body!.instructions[0].instruction, /mov\s+\$0x11223344,%eax/);
  });
});
