// The status bar's text from run state, stop events, xen/domain and the end of a session; and the launch progress
// that follows a session's DAP traffic (shown only when the launch is slow).

import * as assert from 'assert';
import { crashDiagnostic, endedPhase, statusView } from '../../src/views/status';
import { LaunchProgress, Timers } from '../../src/views/launch-progress';

const dom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'pv64', state: 'running', shutdownReason: null, crashDiagnostic: null, memoryMiB: 64, vcpus: 1, hypercalls: 3, guestOs: 'sample',
  vcpuStates: [{ id: 0, mode: 'kernel', blocked: false }], ...extra,
});

describe('views: status bar text', () => {
  it('running, paused with the stop reason, and the domain facts in the tooltip', () => {
    assert.strictEqual(statusView({ state: 'running' }).text, '$(vm) Xen PV: running');
    assert.strictEqual(statusView({ state: 'running', kind: 'pv32pae' }).text, '$(vm) Xen pv32pae: running');
    const v = statusView({ state: 'stopped', stop: { reason: 'breakpoint', text: 'hypercall console_io' }, domain: dom() });
    assert.strictEqual(v.text, '$(vm) Xen pv64: paused (breakpoint)');
    assert.strictEqual(v.phase, 'paused');
    assert.strictEqual(v.action, 'hypercalls');
    assert.match(v.tooltip, /Domain: guest sample, 64 MiB, 1 vCPU, 3 hypercalls/);
    assert.match(v.tooltip, /Stopped: hypercall console_io/);
    assert.strictEqual(statusView({ state: 'stopped', stop: { reason: 'entry' }, domain: dom() }).text, '$(vm) Xen pv64: paused (entry)');
  });

  it('blocked means every online vCPU is blocked; offline secondary vCPUs do not count', () => {
    const blocked = (states: Record<string, unknown>[]): string => statusView({ state: 'stopped', stop: { reason: 'pause' }, domain: dom({ vcpuStates: states }) }).text;
    assert.match(blocked([{ id: 0, online: true, blocked: true }, { id: 1, online: false, blocked: false }]), /blocked/);
    assert.doesNotMatch(blocked([{ id: 0, online: true, blocked: true }, { id: 1, online: true, blocked: false }]), /blocked/);
    assert.doesNotMatch(blocked([{ id: 0, online: false, blocked: false }]), /blocked/);
  });

  it('an exception stop shows its description and a warning colour', () => {
    const v = statusView({ state: 'stopped', stop: { reason: 'exception', description: 'failed hypercall', text: 'mmu_update = -EINVAL' }, domain: dom() });
    assert.strictEqual(v.text, '$(vm) Xen pv64: paused (failed hypercall)');
    assert.strictEqual(v.severity, 'warning');
  });

  it('blocked, shutdown (reason) and crashed from xen/domain', () => {
    assert.strictEqual(statusView({ state: 'stopped', domain: dom({ vcpuStates: [{ id: 0, blocked: true }] }) }).text, '$(vm) Xen pv64: blocked');
    assert.strictEqual(statusView({ state: 'stopped', domain: dom({ state: 'shutdown', shutdownReason: 'poweroff' }) }).text, '$(vm) Xen pv64: shutdown (poweroff)');
    const c = statusView({ state: 'stopped', stop: { reason: 'exception', description: 'domain crashed' }, domain: dom({ state: 'crashed', crashDiagnostic: 'no trap handler for #PF' }) });
    assert.strictEqual(c.text, '$(vm) Xen pv64: crashed');
    assert.strictEqual(c.severity, 'error');
    assert.strictEqual(c.action, 'crash');
    assert.match(c.tooltip, /Crash: no trap handler for #PF/);
    assert.match(c.tooltip, /Click to show the crash diagnostic/);
    assert.strictEqual(crashDiagnostic({ state: 'stopped', domain: dom({ state: 'crashed', crashDiagnostic: 'no trap handler for #PF' }) }), 'no trap handler for #PF');
  });

  it('after the session ends: the shutdown reason or the crash from the adapter\'s last line, else the exit code', () => {
    const off = statusView({ state: 'ended', kind: 'pv64', exit: { code: 0, text: 'hello-pv64.s (pv64): domain shut down: poweroff after 62 instructions (6.7 ms)' } });
    assert.strictEqual(off.text, '$(vm) Xen pv64: shutdown (poweroff)');
    assert.match(off.tooltip, /exit status 0/);
    const crash = statusView({ state: 'ended', kind: 'pv64', exit: { code: 2, text: 'x.s (pv64): domain crashed: no trap handler for #PF[0003] at 0x42f000' } });
    assert.strictEqual(crash.text, '$(vm) Xen pv64: crashed');
    assert.strictEqual(crash.action, 'crash');
    assert.strictEqual(crashDiagnostic({ state: 'ended', exit: { code: 2, text: 'x.s (pv64): domain crashed: no trap handler for #PF[0003] at 0x42f000' } }), 'no trap handler for #PF[0003] at 0x42f000');
    assert.strictEqual(endedPhase({ code: 6 }).words, 'shutdown (reboot)');
    assert.strictEqual(endedPhase({ code: 4 }).words, 'blocked');
    assert.strictEqual(endedPhase({ text: 'domain shut down: crash after 5 instructions' }).words, 'crashed (guest requested SHUTDOWN_crash)');
    assert.strictEqual(endedPhase({ code: 99 }).words, 'ended (exit 99)');
    assert.strictEqual(endedPhase(undefined).words, 'ended');
  });

  it('a bare machine (xen/domain refused) is named as such', () => {
    const v = statusView({ state: 'stopped', stop: { reason: 'entry' }, domainError: 'xen/domain needs a Xen PV guest (this is a bare machine)', kind: 'bare' });
    assert.strictEqual(v.text, '$(vm) bare machine: paused (entry)');
    assert.match(v.tooltip, /No Xen domain: xen\/domain needs a Xen PV guest/);
  });
});

/** Manual timers: run() fires what is due. */
function manualTimers(): Timers & { run(): void; pending(): number } {
  let fns: (() => void)[] = [];
  return {
    set: (fn) => { fns.push(fn); return fns.length as unknown as ReturnType<typeof setTimeout>; },
    clear: (t) => { fns[(t as unknown as number) - 1] = () => {}; },
    run: () => { const f = fns; fns = []; f.forEach((x) => x()); },
    pending: () => fns.length,
  };
}

describe('views: launch progress', () => {
  const shown: string[] = [];
  const show = (title: string) => {
    shown.push(`open ${title}`);
    return { report: (m: string) => shown.push(`report ${m}`), done: () => shown.push('done') };
  };
  beforeEach(() => { shown.length = 0; });

  it('shows nothing when the entry stop comes before the delay', () => {
    const t = manualTimers();
    const lp = new LaunchProgress(show, 500, t);
    lp.onMessage('s1', true, { type: 'request', command: 'launch', arguments: { program: '/x/hello-pv64.s' } });
    lp.onMessage('s1', false, { type: 'event', event: 'stopped' });
    t.run();
    assert.deepStrictEqual(shown, []);
    assert.strictEqual(lp.active(), 0);
  });

  it('a slow launch opens a notification that follows initialized → launch response → stopped', () => {
    const t = manualTimers();
    const lp = new LaunchProgress(show, 500, t);
    lp.onMessage('s1', true, { type: 'request', command: 'launch', arguments: { program: '/x/big.s', stopOnEntry: true } });
    t.run();
    lp.onMessage('s1', false, { type: 'event', event: 'initialized' });
    lp.onMessage('s1', false, { type: 'response', command: 'launch', success: true });
    lp.onMessage('s1', false, { type: 'event', event: 'stopped' });
    assert.deepStrictEqual(shown, [
      'open Xen PV: starting big.s', 'report assembling the guest source and building the domain…',
      'report image loaded, domain built; setting breakpoints…', 'report starting the guest…', 'done',
    ]);
  });

  it('gives way to the adapter\'s own DAP progress: no second notification', () => {
    const t = manualTimers();
    const lp = new LaunchProgress(show, 500, t);
    lp.onMessage('s1', true, { type: 'request', command: 'launch', arguments: { program: '/x/big.s', stopOnEntry: true } });
    lp.onMessage('s1', false, { type: 'event', event: 'progressStart' });
    t.run();
    lp.onMessage('s1', false, { type: 'event', event: 'stopped' });
    assert.deepStrictEqual(shown, []);
    assert.strictEqual(lp.active(), 0);
  });

  it('ends at the launch response without stopOnEntry, on failure, on termination, and per session', () => {
    const t = manualTimers();
    const lp = new LaunchProgress(show, 500, t);
    lp.onMessage('a', true, { type: 'request', command: 'launch', arguments: { program: 'k.elf', stopOnEntry: false } });
    lp.onMessage('b', true, { type: 'request', command: 'launch', arguments: { program: 'bad.s' } });
    t.run();
    assert.deepStrictEqual(shown, ['open Xen PV: starting k.elf', 'report loading the ELF image and building the domain…', 'open Xen PV: starting bad.s', 'report assembling the guest source and building the domain…']);
    lp.onMessage('a', false, { type: 'response', command: 'launch', success: true });
    lp.onMessage('b', false, { type: 'response', command: 'launch', success: false });
    assert.deepStrictEqual(shown.slice(4), ['done', 'done']);
    lp.onMessage('c', true, { type: 'request', command: 'launch', arguments: {} });
    t.run();
    lp.end('c');
    assert.strictEqual(shown[shown.length - 1], 'done');
    assert.strictEqual(lp.active(), 0);
  });
});
