// DAP on Xen PV guests (test/guests, pv64 and pv32pae): console output and the poweroff exit code, hypercall
// function breakpoints with decoded arguments, exception filters (failed hypercalls, guest faults), the Xen scope,
// REPL commands and the xen/* custom requests.

import * as assert from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest } from '../guests/build';
import { ROOT, buildGuest as buildFixture } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, topFrame, untilStopped, collectOutput, variables } from './harness';

const GUEST_DIR = path.join(ROOT, 'test/.build/guests');
const guest = (kind: 'pv64' | 'pv32'): string => { buildGuest(`${kind}-guest`, kind); return path.join(GUEST_DIR, `${kind}-guest.elf`); };

/** Launch (not stopped on entry) after setting function breakpoints and exception filters in the configuration phase. */
async function launchWith(dc: DebugClient, args: Record<string, unknown>, config: { functions?: DebugProtocol.FunctionBreakpoint[]; filters?: string[]; filterOptions?: DebugProtocol.ExceptionFilterOptions[] } = {}): Promise<void> {
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      if (config.functions) await dc.setFunctionBreakpointsRequest({ breakpoints: config.functions });
      if (config.filters || config.filterOptions) await dc.setExceptionBreakpointsRequest({ filters: config.filters ?? [], filterOptions: config.filterOptions });
      await dc.configurationDoneRequest();
    }),
    dc.launch(args as DebugProtocol.LaunchRequestArguments),
  ]);
}

describe('DAP: Xen PV guests', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  before(async () => { server = await startAdapterServer(); guest('pv64'); guest('pv32'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  for (const kind of ['pv64', 'pv32'] as const) {
    const name = kind === 'pv64' ? 'pv64' : 'pv32pae';
    it(`${kind}: runs to poweroff with console_io and console-ring output, exit code 0`, async () => {
      const out = collectOutput(dc, 'stdout');
      const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
      await launchWith(dc, { program: guest(kind) });
      assert.strictEqual((await exited).body.exitCode, 0);
      assert.strictEqual(out(), `hello from ${name} via console_io\nhello from ${name} via the console ring\n`);
    });

    it(`${kind}: hypercall breakpoint on console_io stops with decoded arguments, then continues`, async () => {
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      const out = collectOutput(dc, 'stdout');
      await launchWith(dc, { program: guest(kind) }, { functions: [{ name: 'hypercall:console_io' }] });
      const ev = await stopped;
      assert.strictEqual(ev.body.reason, 'function breakpoint');
      assert.match(ev.body.description ?? '', /^hypercall console_io\(CONSOLEIO_write, count=\d+, buffer=0x[0-9a-f]+\)$/);
      assert.strictEqual(ev.body.hitBreakpointIds?.length, 1);
      assert.strictEqual(out(), '', 'stopped before the hypercall ran');
      const th = await dc.threadsRequest();
      assert.deepStrictEqual(th.body.threads.map((t) => t.name), ['vCPU 0 (kernel)']);
      const f = await topFrame(dc);
      assert.match(f.name, /hypercall_page/);
      const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0);
      assert.match(out(), /via console_io\n/);
    });

    it(`${kind}: failed-hypercalls filter stops on -ENOSYS with the errno in exceptionInfo`, async () => {
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await launchWith(dc, { program: guest(kind), cmdline: 'e' }, { filters: ['failed-hypercalls'] });
      const ev = await stopped;
      assert.strictEqual(ev.body.reason, 'exception');
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.strictEqual(info.body.exceptionId, '-ENOSYS');
      assert.match(info.body.description ?? '', /hypercall 45\(.*\) failed with -ENOSYS: unknown hypercall 45/);
      const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
      await dc.continueRequest({ threadId: 1 });
      assert.strictEqual((await exited).body.exitCode, 0, 'the guest goes on to power off');
    });
  }

  it('advertises the exception filters and rejects unknown ones', async () => {
    const init = await dc.initializeRequest();
    assert.deepStrictEqual(init.body?.exceptionBreakpointFilters?.map((f) => f.filter), ['all-hypercalls', 'failed-hypercalls', 'guest-faults', 'domain-crash']);
    await launchStopped(dc, { program: guest('pv64') });
    await assert.rejects(dc.setExceptionBreakpointsRequest({ filters: ['bogus'] }), /unknown exception filter 'bogus'/);
  });

  it('pv64: sub-op breakpoint with @exit and an argument condition; bad specs are unverified', async () => {
    await launchStopped(dc, { program: guest('pv64') });
    const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [
      { name: 'hypercall:sched_op:shutdown@exit' }, { name: 'hypercall:console_io', condition: 'count == 999' },
      { name: 'hypercall:nosuch' }, { name: 'hypercall:sched_op:frobnicate' }, { name: 'hypercall:29:2' },
    ] });
    assert.deepStrictEqual(set.body.breakpoints.map((b) => b.verified), [true, true, false, false, true]);
    assert.match(set.body.breakpoints[2].message ?? '', /unknown hypercall 'nosuch'/);
    assert.match(set.body.breakpoints[3].message ?? '', /no sub-operation 'frobnicate'.*shutdown/);
    // sched_op:shutdown at entry (29:2) comes first, then @exit is never reached (the domain is shut down).
    const ev = await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(ev.body.reason, 'function breakpoint');
    assert.match(ev.body.description ?? '', /^hypercall sched_op\(SCHEDOP_shutdown, 0x/);
    assert.deepStrictEqual(ev.body.hitBreakpointIds, [set.body.breakpoints[4].id]);
    const arg0 = await dc.evaluateRequest({ expression: 'rdi', context: 'watch' });
    assert.strictEqual(arg0.body.result, '0x2');
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
  });

  it('pv64: hypercall @exit stops after the call with the result; trace lines as output', async () => {
    const out = collectOutput(dc, 'console');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await launchWith(dc, { program: guest('pv64'), trace: true }, { functions: [{ name: 'hypercall:event_channel_op@exit' }] });
    const ev = await stopped;
    assert.match(ev.body.description ?? '', /^hypercall event_channel_op\(EVTCHNOP_send, 0x[0-9a-f]+\) = 0 \(port 2\)$/);
    assert.match(out(), /\[hypercall #0 vcpu0 rip 0x[0-9a-f]+\] hypercall console_io\(CONSOLEIO_write, count=31, buffer=0x[0-9a-f]+\) = 0/);
    const rax = await dc.evaluateRequest({ expression: 'rax', context: 'watch' });
    assert.strictEqual(rax.body.result, '0x0');
  });

  it('pv64: guest-faults filter with a vector condition stops before the bounce', async () => {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await launchWith(dc, { program: guest('pv64'), cmdline: 'p' }, { filterOptions: [{ filterId: 'guest-faults', condition: 'vector == 14' }] });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.exceptionId, '#PF');
    assert.match(info.body.description ?? '', /guest fault #PF error code 0x[0-9a-f]+ \(cr2 0x[0-9a-f]+\) at rip 0x[0-9a-f]+; Xen will bounce it to the guest's handler 0x[0-9a-f]+ <pf_handler>/);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited).body.exitCode, 0);
  });

  it('pv64: Xen scope variables and REPL commands', async () => {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await launchWith(dc, { program: guest('pv64'), cmdline: 'p' }, { functions: [{ name: 'hypercall:sched_op' }] });
    await stopped;
    const sc = await dc.scopesRequest({ frameId: (await topFrame(dc)).id });
    const xen = sc.body.scopes.find((s) => s.name === 'Xen');
    assert.ok(xen, 'Xen scope');
    const vars = await variables(dc, xen.variablesReference);
    assert.strictEqual(vars.get('mode')?.value, 'kernel');
    assert.match(vars.get('vcpu_info')?.value ?? '', /upcall_pending 0, upcall_mask 1/);
    assert.match(vars.get('trap table')?.value ?? '', /^\d+ handlers?$/);
    const traps = await variables(dc, vars.get('trap table')!.variablesReference);
    assert.match(traps.get('14 #PF')?.value ?? '', /^0x[0-9a-f]+ <pf_handler> cs 0xe033/);
    assert.match(vars.get('last hypercall')?.value ?? '', /set_trap_table/);
    assert.match(vars.get('domain')?.value ?? '', /^pv64 running, 16384 pages, 1 vCPU/);
    const hc = await dc.evaluateRequest({ expression: 'hypercalls', context: 'repl' });
    assert.match(hc.body.result, /#0 vcpu0 0x[0-9a-f]+: hypercall set_trap_table\(.*\) = 0/);
    assert.match((await dc.evaluateRequest({ expression: 'traps', context: 'repl' })).body.result, /14 #PF\s+-> 0xe033:0x[0-9a-f]+ <pf_handler>/);
    assert.match((await dc.evaluateRequest({ expression: 'domain', context: 'repl' })).body.result, /state\s+running/);
    assert.match((await dc.evaluateRequest({ expression: 'gdt', context: 'repl' })).body.result, /\[0x1c06\] sel 0xe030 .*code.*DPL3.*\(Xen reserved: FLAT_RING3_CS64\)/);
  });

  for (const [kind, cs, ds] of [['pv64', '0xe033', '0x0000'], ['pv32', '0xe019', '0xe021']] as const) {
    it(`${kind}: xen/segments, xen/gdt (reserved entries), xen/pageWalk, xen/domain, xen/hypercallLog`, async () => {
      await launchStopped(dc, { program: guest(kind) });
      const seg = (await dc.customRequest('xen/segments', {})).body;
      const byName = new Map(seg.segments.map((s: { name: string }) => [s.name, s]));
      const csRow = byName.get('CS') as { selector: string; reserved: boolean; dpl: number; valid: boolean };
      assert.strictEqual(csRow.selector, cs);
      assert.strictEqual(csRow.reserved, true);
      assert.strictEqual(csRow.dpl, kind === 'pv64' ? 3 : 1);
      assert.strictEqual((byName.get('DS') as { selector: string }).selector, ds);
      const gdt = (await dc.customRequest('xen/gdt', {})).body;
      const reserved = gdt.rows.filter((r: { reserved: boolean }) => r.reserved);
      assert.ok(reserved.some((r: { selector: string; index: number }) => parseInt(r.selector, 16) === (parseInt(cs, 16) & ~3) && r.index === parseInt(cs, 16) >> 3), 'CS entry');
      assert.ok(reserved.every((r: { index: number }) => r.index >= 0x1c00));
      const walk = (await dc.customRequest('xen/pageWalk', { address: 'rip' })).body;
      assert.strictEqual(walk.levels.length, kind === 'pv64' ? 4 : 3);
      assert.match(walk.machineAddress, /^0x[0-9a-f]+$/);
      const dom = (await dc.customRequest('xen/domain', {})).body;
      assert.strictEqual(dom.kind, kind === 'pv64' ? 'pv64' : 'pv32pae');
      assert.strictEqual(dom.state, 'running');
      assert.strictEqual((await dc.customRequest('xen/hypercallLog', {})).body.total, 0);
      assert.deepStrictEqual((await dc.customRequest('xen/trapTable', {})).body.rows, []);
      await assert.rejects(dc.customRequest('xen/pageWalk', {}), /needs an address/);
      await assert.rejects(dc.customRequest('xen/nosuch', {}), /unrecognized request/);
      const before = (await topFrame(dc)).instructionPointerReference;
      const st = await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      assert.strictEqual(st.body.reason, 'step');
      assert.notStrictEqual((await topFrame(dc)).instructionPointerReference, before);
    });
  }

  it('bare machine: xen/segments works, xen/gdt says it needs a Xen guest, hypercall breakpoints are unverified', async () => {
    await launchStopped(dc, { program: buildFixture('prog64') });
    const seg = (await dc.customRequest('xen/segments', {})).body;
    assert.strictEqual(seg.segments[0].selector, '0x0008');
    await assert.rejects(dc.customRequest('xen/gdt', {}), /needs a Xen PV guest/);
    const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'hypercall:console_io' }] });
    assert.strictEqual(set.body.breakpoints[0].verified, false);
    assert.match(set.body.breakpoints[0].message ?? '', /need a Xen PV guest/);
  });

  it('shutdown reasons map to exit codes; a guest crash stops as an exception first', async () => {
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await launchWith(dc, { program: guest('pv64'), cmdline: 'S1' });
    assert.strictEqual((await exited).body.exitCode, 6, 'reboot');
    await dc.stop();
    dc = await connect(server);
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await launchWith(dc, { program: guest('pv64'), cmdline: 'S3' });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.text ?? '', /guest shut down with reason crash/);
    const exited2 = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.strictEqual((await exited2).body.exitCode, 2);
  });

  it('all-hypercalls filter with a condition; domain-crash filter off ends the session at once', async () => {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await launchWith(dc, { program: guest('pv64') }, { filterOptions: [{ filterId: 'all-hypercalls', condition: 'nr == 32' }] });
    const ev = await stopped;
    assert.strictEqual(ev.body.reason, 'exception');
    assert.match(ev.body.text ?? '', /^hypercall event_channel_op\(EVTCHNOP_send, 0x[0-9a-f]+\) = 0/);
    assert.strictEqual((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, 'hypercall');
    await dc.stop();
    dc = await connect(server);
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await launchWith(dc, { program: guest('pv64'), cmdline: 'n' }, { filters: [] });
    assert.strictEqual((await exited).body.exitCode, 2);
  });
});
