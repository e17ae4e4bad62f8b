// DAP: xen/eventChannels, xen/xenstore and the xen/domain additions through the adapter, on our events guest (assembled
// from source on launch) stopped mid-way at a function breakpoint; malformed arguments and the bare machine refused.

import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, buildGuest as buildFixture } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped } from './harness';
import { eventsGuestSource } from '../unit/debug-events-guest';

type Rec = Record<string, any>;

/** Launch the events guest on 2 vCPUs and run to `stop_here` (every port bound, the xenstore read answered). */
async function launchToStopHere(dc: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'stop_here' }] });
      await dc.configurationDoneRequest();
    }),
    dc.launch({ program: eventsGuestSource(ROOT), stopOnEntry: false, vcpus: 2, console: false } as DebugProtocol.LaunchRequestArguments),
  ]);
  return stopped;
}

describe('DAP: event channels and xenstore', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); eventsGuestSource(ROOT); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  it('xen/eventChannels and xen/xenstore at a breakpoint after the guest bound its ports and read "name"', async () => {
    const ev = await launchToStopHere(dc);
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    const ch = (await dc.customRequest('xen/eventChannels', {})).body as Rec;
    assert.deepStrictEqual(ch.rows.map((p: Rec) => [p.port, p.state, p.vcpu, p.virqName ?? p.backend ?? p.remoteDomain ?? null, p.pending, p.masked]), [
      [1, 'interdomain', 0, 'xenstore', true, false],
      [2, 'interdomain', 0, 'console', false, false],
      [3, 'virq', 0, 'VIRQ_TIMER', false, false],
      [4, 'unbound', 0, 0, false, false],
      [5, 'ipi', 0, null, true, true],
    ]);
    assert.deepStrictEqual(ch.upcall, [{ vcpu: 0, pending: 1, mask: 1, pendingSel: '0x1' }, { vcpu: 1, pending: 0, mask: 1, pendingSel: '0x0' }]);

    const xs = (await dc.customRequest('xen/xenstore', { count: 10 })).body as Rec;
    assert.strictEqual(xs.total, 1);
    assert.deepStrictEqual(xs.rows, [{ seq: 0, type: 'XS_READ', path: 'name', reply: 'evtchn-view-test', error: false, reqId: 7, txId: 0 }]);
    assert.deepStrictEqual(((await dc.customRequest('xen/xenstore')).body as Rec).rows.length, 1, 'count is optional');

    const dom = (await dc.customRequest('xen/domain')).body as Rec;
    assert.deepStrictEqual(dom.vcpuStates.map((v: Rec) => [v.id, v.online, v.runstate === 'offline', v.blocked, v.mode]), [[0, true, false, false, 'kernel'], [1, false, true, false, 'kernel']]);
    assert.ok(dom.vcpuStates[0].timers.singleshot > 1e9, 'set_timer_op armed 1 s ahead');
    assert.strictEqual(dom.vcpuStates[0].timers.periodic, 10_000_000);
    assert.ok(dom.timeNs > 0 && dom.timeNs < 1e6, `${dom.timeNs}`);
    assert.match(dom.wallclock, /^2026-01-01T00:00:00\.\d{3}Z$/);
    assert.deepStrictEqual(dom.xenstore, { requests: 1 });
    assert.ok(dom.grantFrames >= 1);
    assert.strictEqual(dom.state, 'running');

    // The same facts through the REPL and the Xen variables scope.
    const repl = async (expression: string): Promise<string> => (await dc.evaluateRequest({ expression, context: 'repl' })).body.result;
    const evtchn = await repl('evtchn');
    assert.match(evtchn, /VIRQ_TIMER/);
    assert.match(evtchn, /xenstore/);
    assert.match(await repl('xenstore'), /XS_READ.*name.*evtchn-view-test/);
    assert.match(await repl('help'), /evtchn {2,}event channels/);
    const domText = await repl('domain');
    assert.match(domText, /vCPU 1: offline, runstate offline/);
    assert.doesNotMatch(domText, /\[object Object\]/);
    const frames = (await dc.stackTraceRequest({ threadId: ev.body.threadId ?? 1 })).body.stackFrames;
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    const xen = scopes.find((sc) => /xen/i.test(sc.name));
    assert.ok(xen, scopes.map((sc) => sc.name).join(', '));
    const vars = (await dc.variablesRequest({ variablesReference: xen.variablesReference })).body.variables.map((v) => v.name);
    for (const name of ['online', 'system time', 'TSC']) assert.ok(vars.includes(name), `${name} in ${vars.join(', ')}`);
  });

  it('malformed arguments get an error response naming the problem', async () => {
    await launchStopped(dc, { program: eventsGuestSource(ROOT), console: false });
    await assert.rejects(dc.customRequest('xen/xenstore', { count: 'many' }), /count must be 0\.\.100000, got "many"/);
    await assert.rejects(dc.customRequest('xen/xenstore', { count: 1e9 }), /count must be 0\.\.100000/);
    const ch = (await dc.customRequest('xen/eventChannels', ['garbage'])).body as Rec;
    assert.deepStrictEqual(ch.rows.map((p: Rec) => p.backend), ['xenstore', 'console'], 'non-object arguments read as {}');
  });

  it('the bare machine has no event channels: a clear error', async () => {
    await launchStopped(dc, { program: buildFixture('prog64') });
    await assert.rejects(dc.customRequest('xen/eventChannels', {}), /xen\/eventChannels needs a Xen PV guest/);
    await assert.rejects(dc.customRequest('xen/xenstore', {}), /xen\/xenstore needs a Xen PV guest/);
  });
});
