// DAP: instruction, function and source-line breakpoints with conditions, hit counts and logpoints.

import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest, lineOf, sourceOf, symbolAddress } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, pc, topFrame, untilStopped, collectOutput } from './harness';

describe('DAP: breakpoints', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  let prog: string;
  const src = sourceOf('prog64');
  before(async () => { server = await startAdapterServer(); prog = buildGuest('prog64'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  const setInsnBps = (breakpoints: DebugProtocol.InstructionBreakpoint[]): Promise<DebugProtocol.SetInstructionBreakpointsResponse> =>
    dc.customRequest('setInstructionBreakpoints', { breakpoints }) as Promise<DebugProtocol.SetInstructionBreakpointsResponse>;
  const rdi = async (): Promise<bigint> => BigInt((await dc.evaluateRequest({ expression: 'rdi', context: 'watch' })).body.result);

  it('source line breakpoint set before launch (DebugClient.hitBreakpoint)', async () => {
    await dc.hitBreakpoint({ program: prog } as DebugProtocol.LaunchRequestArguments, { path: src, line: lineOf('prog64', 'add') });
    assert.strictEqual(await rdi(), 5n);
  });

  it('source breakpoint with a condition, moved from a label line to code', async () => {
    await launchStopped(dc, { program: prog });
    const res = await dc.setBreakpointsRequest({
      source: { path: src },
      breakpoints: [{ line: lineOf('prog64', 'add'), condition: 'rdi == 2' }, { line: lineOf('prog64', 'count') - 1 }],
    });
    assert.ok(res.body.breakpoints.every((b) => b.verified));
    assert.strictEqual(res.body.breakpoints[1].line, lineOf('prog64', 'count'), 'moved to the next line with code');
    const ev = await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [res.body.breakpoints[0].id]);
    assert.strictEqual(await rdi(), 2n);
    assert.strictEqual((await topFrame(dc)).line, lineOf('prog64', 'add'));
    await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual((await topFrame(dc)).line, lineOf('prog64', 'count'));
  });

  it('function breakpoint with a hit count; unknown names are unverified', async () => {
    await launchStopped(dc, { program: prog });
    const res = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'leaf', hitCondition: '3' }, { name: 'no_such_function' }] });
    assert.strictEqual(res.body.breakpoints[0].verified, true);
    assert.strictEqual(res.body.breakpoints[1].verified, false);
    assert.match(res.body.breakpoints[1].message ?? '', /no symbol 'no_such_function'/);
    const ev = await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    assert.strictEqual(await pc(dc), symbolAddress(prog, 'leaf'));
    assert.strictEqual(await rdi(), 3n, 'third call of leaf (rdi counts down from 5)');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepStrictEqual(st.body.stackFrames.map((f) => f.name), ['leaf', 'sum_to+0xe', '_start+0x1f']);
    await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await rdi(), 2n, 'hit count ">= 3" keeps stopping');
  });

  it('instruction breakpoints by address with a condition; a bad address is unverified', async () => {
    await launchStopped(dc, { program: prog });
    const target = symbolAddress(prog, 'leaf') + 4; // the nop after push/mov
    const res = await setInsnBps([
      { instructionReference: `0x${target.toString(16)}`, condition: '*(u64*)(rbp+8) != 0 && rdi == 1' },
      { instructionReference: 'garbage((' },
    ]);
    assert.strictEqual(res.body.breakpoints[0].verified, true);
    assert.strictEqual(res.body.breakpoints[1].verified, false);
    const ev = await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'instruction breakpoint');
    assert.strictEqual(await pc(dc), target);
    assert.strictEqual(await rdi(), 1n);
    // offset form: instructionReference + offset
    await setInsnBps([{ instructionReference: '0x100000', offset: 0x26 }]);
    await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await pc(dc), 0x100026);
  });

  it('logpoints print and do not stop', async () => {
    await launchStopped(dc, { program: prog });
    const log = collectOutput(dc, 'console');
    await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line: lineOf('prog64', 'leaf_body'), logMessage: 'leaf rdi={rdi} rax={rax}' }] });
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
    const lines = log().split('\n').filter((l) => l.startsWith('leaf '));
    assert.deepStrictEqual(lines, ['leaf rdi=0x5 rax=0x5', 'leaf rdi=0x4 rax=0x9', 'leaf rdi=0x3 rax=0xc', 'leaf rdi=0x2 rax=0xe', 'leaf rdi=0x1 rax=0xf']);
  });

  it('a broken condition stops and says why; clearing breakpoints lets the program finish', async () => {
    await launchStopped(dc, { program: prog });
    const err = collectOutput(dc, 'stderr');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sum_to', condition: 'nosuchthing + 1' }] });
    const ev = await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    assert.match(err(), /unknown register or symbol 'nosuchthing'/);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
  });
});
