// DAP: launch progress. A client that announces supportsProgressReporting sees progressStart, one progressUpdate per
// launch stage (assembling, building the domain, reading symbols) and progressEnd, before `initialized`; one that
// does not sees no progress events at all.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT } from './fixtures';
import { AdapterServer, startAdapterServer, connect } from './harness';

const SAMPLE = path.join(ROOT, 'samples/hello-pv64.s');
const PROGRESS = ['progressStart', 'progressUpdate', 'progressEnd'];

type Seen = { event: string; body: Record<string, unknown> };

/** Record the progress events and `initialized` / `stopped` in arrival order. */
function record(dc: DebugClient): Seen[] {
  const seen: Seen[] = [];
  for (const event of [...PROGRESS, 'initialized', 'stopped']) dc.on(event, (e: DebugProtocol.Event) => seen.push({ event, body: e.body ?? {} }));
  return seen;
}

async function initialize(dc: DebugClient, progress: boolean | undefined): Promise<void> {
  await dc.initializeRequest({
    adapterID: 'xenpv', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path',
    ...(progress === undefined ? {} : { supportsProgressReporting: progress }),
  });
}

/** launch (stopOnEntry) + configurationDone; resolves at the entry stop. */
async function launchToEntry(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([
    dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
    dc.launchRequest({ stopOnEntry: true, console: false, ...args } as DebugProtocol.LaunchRequestArguments),
  ]);
  await stopped;
}

describe('DAP: launch progress events', function () {
  this.timeout(30000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  it('a client with supportsProgressReporting sees start, the stages, then end, before initialized', async () => {
    const seen = record(dc);
    await initialize(dc, true);
    await launchToEntry(dc, { program: SAMPLE });
    const names = seen.map((s) => s.event);
    assert.deepStrictEqual(names, ['progressStart', 'progressUpdate', 'progressUpdate', 'progressUpdate', 'progressEnd', 'initialized', 'stopped']);
    const ids = new Set(seen.filter((s) => PROGRESS.includes(s.event)).map((s) => s.body.progressId));
    assert.strictEqual(ids.size, 1, 'one progress id');
    assert.strictEqual(seen[0].body.title, 'Xen PV: starting hello-pv64.s');
    assert.strictEqual(seen[0].body.cancellable, false);
    const updates = seen.filter((s) => s.event === 'progressUpdate').map((s) => [s.body.message, s.body.percentage]);
    assert.deepStrictEqual(updates, [
      ['assembling hello-pv64.s', 0], ['building the Xen domain (64 MiB, 1 vCPU)', 50], ['reading symbols and line information', 90],
    ]);
    assert.strictEqual(seen[4].body.message, 'ready');
  });

  it('a failing launch ends its progress too (message "failed")', async () => {
    const seen = record(dc);
    await initialize(dc, true);
    await assert.rejects(dc.launchRequest({ program: SAMPLE, memory: 3 } as DebugProtocol.LaunchRequestArguments), /"memory" must be 4\.\.2048 MiB/);
    const names = seen.map((s) => s.event);
    assert.strictEqual(names[0], 'progressStart');
    assert.strictEqual(names[names.length - 1], 'progressEnd');
    assert.strictEqual(seen[seen.length - 1].body.message, 'failed');
    assert.ok(!names.includes('initialized'));
  });

  it('restart reports its own progress', async () => {
    await initialize(dc, true);
    await launchToEntry(dc, { program: SAMPLE });
    const seen = record(dc);
    const stopped = dc.waitForEvent('stopped');
    await dc.send('restart', {});
    await stopped;
    const names = seen.map((s) => s.event);
    assert.deepStrictEqual(names.filter((n) => n !== 'progressUpdate'), ['progressStart', 'progressEnd', 'stopped']);
    assert.strictEqual(seen[0].body.title, 'Xen PV: restarting hello-pv64.s');
  });

  for (const progress of [undefined, false] as const) {
    it(`a client without it (supportsProgressReporting ${progress === undefined ? 'absent' : 'false'}) sees no progress events`, async () => {
      const seen = record(dc);
      await initialize(dc, progress);
      await launchToEntry(dc, { program: SAMPLE });
      assert.deepStrictEqual(seen.map((s) => s.event), ['initialized', 'stopped']);
    });
  }
});
