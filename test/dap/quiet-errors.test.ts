// DAP: which error responses the client should show the user. View polling (xen/* requests) and watch / hover
// evaluation fail routinely (bare machine, program ended, nothing launched) and say showUser: false; REPL errors and a
// failing launch say showUser: true.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest } from '../guests/build';
import { ROOT, buildGuest as buildFixture } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped } from './harness';

const GUEST_DIR = path.join(ROOT, 'test/.build/guests');
const pv64 = (): string => { buildGuest('pv64-guest', 'pv64'); return path.join(GUEST_DIR, 'pv64-guest.elf'); };

/** Send a request and return the raw response, failed or not (DebugClient turns failures into bare Errors). */
function raw(dc: DebugClient, command: string, args?: unknown): Promise<DebugProtocol.Response> {
  const client = dc as unknown as { doSend(command: string, args: unknown, done: (r: DebugProtocol.Response) => void): void };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${command}`)), 8000);
    client.doSend(command, args, (r) => { clearTimeout(timer); resolve(r); });
  });
}

/** The request fails with a message matching re and the given showUser flag. */
async function failsWith(dc: DebugClient, command: string, args: unknown, re: RegExp, showUser: boolean): Promise<void> {
  const r = await raw(dc, command, args);
  assert.strictEqual(r.success, false, `${command} should fail`);
  assert.match(r.message ?? '', re);
  const err = (r.body as { error?: DebugProtocol.Message } | undefined)?.error;
  assert.ok(err, `${command}: body.error`);
  assert.match(err.format, re);
  assert.strictEqual(err.showUser, showUser, `${command} ${JSON.stringify(args)}: showUser`);
}

describe('DAP: quiet errors for view polling, watch and hover', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  it('before any launch: xen/* requests fail quietly', async () => {
    await dc.initializeRequest();
    for (const c of ['xen/segments', 'xen/gdt', 'xen/domain', 'xen/hypercallLog']) await failsWith(dc, c, {}, /no program is loaded/, false);
  });

  it('bare machine: Xen-only views fail quietly; bad view arguments too', async () => {
    await launchStopped(dc, { program: buildFixture('prog64') });
    for (const c of ['xen/gdt', 'xen/ldt', 'xen/trapTable', 'xen/hypercallLog', 'xen/domain', 'xen/frames']) {
      await failsWith(dc, c, {}, /needs a Xen PV guest \(this is a .* machine\)/, false);
    }
    await failsWith(dc, 'xen/pageWalk', {}, /needs an address/, false);
    await failsWith(dc, 'xen/segments', { threadId: 7 }, /unknown thread 7/, false);
    // what still works does
    const seg = await raw(dc, 'xen/segments', {});
    assert.strictEqual(seg.success, true);
  });

  it('watch and hover evaluation errors are quiet; the same error in the REPL is shown', async () => {
    await launchStopped(dc, { program: buildFixture('prog64') });
    await failsWith(dc, 'evaluate', { expression: 'no_such_symbol', context: 'watch' }, /unknown register or symbol 'no_such_symbol'/, false);
    await failsWith(dc, 'evaluate', { expression: '*(u64*)0x7fff00000000', context: 'hover' }, /cannot read memory/, false);
    await failsWith(dc, 'evaluate', { expression: '1 +', context: 'watch' }, /./, false);
    await failsWith(dc, 'evaluate', { expression: 'no_such_symbol', context: 'repl' }, /unknown register or symbol 'no_such_symbol'/, true);
    // a good watch expression still answers
    const ok = await dc.evaluateRequest({ expression: 'rip', context: 'watch' });
    assert.strictEqual(ok.body.result, '0x100000');
  });

  it('after the program ended: xen/* and watch fail quietly', async () => {
    await launchStopped(dc, { program: pv64() });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    for (const c of ['xen/segments', 'xen/gdt', 'xen/domain', 'xen/frames']) await failsWith(dc, c, {}, /the program has ended/, false);
    // the watch fails or answers, but never loudly
    const w = await raw(dc, 'evaluate', { expression: 'no_such_symbol', context: 'watch' });
    assert.strictEqual(w.success, false);
    assert.strictEqual((w.body as { error: DebugProtocol.Message }).error.showUser, false);
  });

  it('a failing launch is shown to the user', async () => {
    await dc.initializeRequest();
    await failsWith(dc, 'launch', { program: '/nonexistent/guest.elf' }, /cannot load \/nonexistent\/guest.elf/, true);
    await failsWith(dc, 'launch', { program: pv64(), memory: 3 }, /"memory" must be 4\.\.2048 MiB for a Xen guest/, true);
  });
});
