// DAP: malformed requests, bad launch configurations and garbage get error responses; the adapter keeps
// serving (same session and new sessions), over TCP and stdio.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest, ROOT } from './fixtures';
import { AdapterServer, ADAPTER, startAdapterServer, connect, launchStopped, pc } from './harness';

describe('DAP: bad input', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  const launchFails = async (args: Record<string, unknown> | undefined, re: RegExp): Promise<void> => {
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest(args as DebugProtocol.LaunchRequestArguments), re);
  };

  it('launch with a missing file, a non-ELF file, bad options or no arguments fails with a clear message', async () => {
    await launchFails({ program: '/nonexistent/guest.elf' }, /cannot load \/nonexistent\/guest.elf: program .* does not exist/);
    await assert.rejects(dc.launchRequest({ program: path.join(ROOT, 'package.json') } as DebugProtocol.LaunchRequestArguments), /not an ELF file \(bad magic\)/);
    await assert.rejects(dc.launchRequest({} as DebugProtocol.LaunchRequestArguments), /"program".* is missing/);
    await assert.rejects(dc.launchRequest(undefined as unknown as DebugProtocol.LaunchRequestArguments), /"program".* is missing/);
    await assert.rejects(dc.launchRequest({ program: buildGuest('prog64'), memory: -3 } as DebugProtocol.LaunchRequestArguments), /"memory" must be/);
    await assert.rejects(dc.launchRequest({ program: buildGuest('prog64'), memory: 1 } as DebugProtocol.LaunchRequestArguments), /does not fit in 1 MiB/);
    await assert.rejects(dc.launchRequest({ program: buildGuest('prog64'), disassemblySyntax: 'klingon' } as DebugProtocol.LaunchRequestArguments), /disassemblySyntax/);
    // the same session still answers
    const th = await dc.threadsRequest();
    assert.deepStrictEqual(th.body.threads, []);
  });

  it('unknown commands and malformed arguments get error responses', async () => {
    await assert.rejects(dc.customRequest('noSuchCommand', { x: 1 }), /unrecognized request/);
    await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /no program is running/);
    await launchStopped(dc, { program: buildGuest('prog64') });
    await assert.rejects(dc.variablesRequest({ variablesReference: 424242 }), /unknown variablesReference/);
    await assert.rejects(dc.setBreakpointsRequest({} as DebugProtocol.SetBreakpointsArguments), /source.path/);
    await assert.rejects(dc.setFunctionBreakpointsRequest({} as DebugProtocol.SetFunctionBreakpointsArguments), /breakpoints array/);
    await assert.rejects(dc.customRequest('setInstructionBreakpoints', { breakpoints: 'nope' }), /breakpoints array/);
    await assert.rejects(dc.disassembleRequest({ memoryReference: '(((', instructionCount: 4 }), /expected|unexpected/);
    await assert.rejects(dc.disassembleRequest({ memoryReference: '0x100000', instructionCount: -4 }), /instructionCount/);
    await assert.rejects(dc.customRequest('readMemory', { memoryReference: '0x100000', count: -1 }), /count/);
    await assert.rejects(dc.customRequest('readMemory', { count: 4 }), /memoryReference/);
    await assert.rejects(dc.customRequest('writeMemory', { memoryReference: '0x7fff00000000', data: 'AAAA' }), /cannot write memory/);
    await assert.rejects(dc.evaluateRequest({} as DebugProtocol.EvaluateArguments), /needs an expression/);
    for (const e of ['', ')', '1 +', '*(u64*)', 'rax rax', '"str"', '0x', '\u0000', 'x/4xb', 'x/4zq 0']) {
      await assert.rejects(dc.evaluateRequest({ expression: e, context: 'repl' }), Error, JSON.stringify(e));
    }
    await assert.rejects(dc.nextRequest({ threadId: 99 }), /unknown thread 99/);
    await assert.rejects(dc.exceptionInfoRequest({ threadId: 1 }), /not stopped at an exception/);
    // still alive and consistent
    assert.strictEqual(await pc(dc), 0x100000);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    await assert.rejects(dc.continueRequest({ threadId: 1 }), /ended/);
  });

  it('serves a new session after all that', async () => {
    const ev = await launchStopped(dc, { program: buildGuest('prog64') });
    assert.strictEqual(ev.body.reason, 'entry');
  });

  it('launches a guest assembly source directly (our assembler), with line information', async () => {
    const src = path.join(ROOT, 'test/fixtures/debug/prog64.s');
    const ev = await launchStopped(dc, { program: src });
    assert.strictEqual(ev.body.reason, 'entry');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.strictEqual(st.body.stackFrames[0].name, '_start');
    assert.strictEqual(st.body.stackFrames[0].source?.path, src);
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') out.push(e.body.output); });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    assert.strictEqual(out.join(''), 'hello from the guest\n');
  });
});

describe('DAP: stdio transport', function () {
  this.timeout(20000);
  it('serves over stdin/stdout (node -r esbuild-register src/debug/adapter.ts)', async () => {
    const dc = new DebugClient(process.execPath, ADAPTER, 'xenpv', { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '-r esbuild-register' } });
    dc.defaultTimeout = 10000;
    await dc.start();
    try {
      await assert.rejects(dc.customRequest('bogus'), /unrecognized request/);
      const ev = await launchStopped(dc, { program: buildGuest('prog64') });
      assert.strictEqual(ev.body.reason, 'entry');
      const terminated = dc.waitForEvent('terminated');
      await dc.terminateRequest({});
      await terminated;
    } finally { await dc.stop(); }
  });
});
