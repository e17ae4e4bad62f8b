// DAP: the debugger as dom0's toolstack on the xshello guest (it waits in SCHEDOP_poll for control/shutdown):
// `xs-write control/shutdown poweroff` in the REPL while stopped, continue, the session ends with the poweroff exit;
// `domainName` / `wallclock` reach the domain (`name` is only the configuration's label); a watch hit by the write.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest } from '../guests/build';
import { ROOT } from './fixtures';
import { AdapterServer, startAdapterServer, connect, untilStopped, collectOutput } from './harness';

const XSHELLO = path.join(ROOT, 'test/.build/guests/pv64-xshello.elf');

type Rec = Record<string, any>;

describe('DAP: toolstack writes and domain launch options', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); buildGuest('pv64-xshello', 'pv64'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  /** Launch xshello running; it stops when it waits for control/shutdown (every vCPU blocked). */
  async function launchWaiting(args: Rec = {}): Promise<DebugProtocol.StoppedEvent> {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ program: XSHELLO, stopOnEntry: false, ...args } as DebugProtocol.LaunchRequestArguments),
    ]);
    return stopped;
  }
  const repl = async (expression: string): Promise<string> => (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;

  it('xs-write control/shutdown poweroff while stopped, then continue: the guest powers off (exit 0)', async () => {
    const out = collectOutput(dc);
    const ev = await launchWaiting({ name: 'Debug my PV kernel', domainName: 'web-01' });
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.text ?? '', /every vCPU is blocked .*xs-write <path> <value>/);
    assert.match(out(), /xenstore: domid 1, name web-01\n/);
    assert.strictEqual(await repl('xs-read name'), '/local/domain/1/name = "web-01"');
    assert.match(await repl('xs-write control/shutdown poweroff'), /^toolstack wrote \/local\/domain\/1\/control\/shutdown = "poweroff"; 1 watch event queued .*vCPU 0 woken\. The guest sees it when continued\.$/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
    await terminated;
    assert.match(out(), /xenstore: control\/shutdown = poweroff\n[\s\S]*\[xenpv\] domain shut down: poweroff/);
  });

  it('stopped at a hypercall:sched_op:poll breakpoint instead: the write, continue to poweroff', async () => {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'hypercall:sched_op:poll' }] });
        await dc.configurationDoneRequest();
      }),
      dc.launch({ program: XSHELLO, stopOnEntry: false, console: false } as DebugProtocol.LaunchRequestArguments),
    ]);
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    assert.match(await repl('xs-write control/shutdown poweroff'), /1 watch event queued/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
  });

  it('a write watch on the store ring is hit by the toolstack write: a data breakpoint stop, then continue ends', async () => {
    await launchWaiting({ console: false });
    const ring = BigInt((await dc.evaluateRequest({ expression: 'r15', context: 'watch' })).body.result.split(' ')[0]);
    const prod = BigInt((await dc.evaluateRequest({ expression: '*(u32*)(r15 + 2060)', context: 'watch' })).body.result.split(' ')[0]);
    const info = await dc.dataBreakpointInfoRequest({ name: `0x${(ring + 1024n + (prod & 1023n)).toString(16)}`, bytes: 4, asAddress: true } as DebugProtocol.DataBreakpointInfoArguments);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.strictEqual(set.body.breakpoints[0].verified, true);
    const ev = await untilStopped(dc, () => repl('xs-write control/shutdown poweroff'));
    assert.strictEqual(ev.body.reason, 'data breakpoint');
    assert.match(ev.body.description ?? '', /by the toolstack's xenstore write of \/local\/domain\/1\/control\/shutdown: 0x0 → 0xf \(while the guest was stopped\)/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
  });

  it('wallclock reaches shared_info (xen/domain); bad name / wallclock and xs-write misuse are clear errors', async () => {
    await launchWaiting({ console: false, wallclock: '2024-02-29T12:00:00Z' });
    const dom = (await dc.customRequest('xen/domain')).body as Rec;
    assert.match(dom.wallclock, /^2024-02-29T12:00:00\.\d{3}Z$/);
    await assert.rejects(dc.evaluateRequest({ expression: 'xs-write bad//path 1', context: 'repl' }), /not valid \(EINVAL\)/);
    await assert.rejects(dc.evaluateRequest({ expression: 'xs-write control/shutdown', context: 'repl' }), /usage: xs-write <path> <value>/);
    assert.match(await repl('help'), /xs-write <path> <value>/);
  });

  it('a launch with a bad wallclock or name fails with the reason', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ program: XSHELLO, wallclock: '2024-02-30T00:00:00Z' } as DebugProtocol.LaunchRequestArguments), /"wallclock": .*2024-02-30 is not a calendar date/);
    await assert.rejects(dc.launch({ program: XSHELLO, domainName: '' } as DebugProtocol.LaunchRequestArguments), /"domainName": name must be a non-empty string/);
  });
});
