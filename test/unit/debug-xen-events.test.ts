// Event channels, vCPU run states, virtual time, timers and xenstore as the debugger shows them: xen/eventChannels
// and xen/xenstore rows, the xen/domain additions, the Xen scope's nodes and the `evtchn` / `xenstore` REPL commands,
// on our own pv64 guest stopped mid-way (test/unit/debug-events-guest.ts) and on GNU as guests from test/guests.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import {
  eventChannelRows, xenstoreRows, xenEventNodes, xenEventsReplCommand, describePort, timerState, formatXenstore,
} from '../../src/debug/xen-events';
import { domainInfo } from '../../src/debug/xen-inspect';
import { customRequest, CUSTOM_REQUESTS } from '../../src/debug/custom-requests';
import { DebugRuntime } from '../../src/debug/runtime';
import type { VarNode } from '../../src/debug/variables';
import type { Domain } from '../../src/xen';
import { parseElf } from '../../src/common/elf';
import { buildGuest } from '../guests/build';
import { eventsGuest } from './debug-events-guest';
import { mmuGuest } from './debug-guests';

/** The events guest on 2 vCPUs, run until it spins at stop_here (long before the 10 ms periodic tick). */
function stoppedMidway(): XenDebugMachine {
  const m = new XenDebugMachine(eventsGuest(), { memoryMiB: 16, vcpus: 2 });
  const r = m.run(0, 50_000);
  assert.strictEqual(r, 'budget', `${r}: ${m.domain.crashDiagnostic}`);
  assert.strictEqual(m.domain.state, 'running');
  return m;
}

const byName = (nodes: VarNode[]): Map<string, VarNode> => new Map(nodes.map((n) => [n.name, n]));

describe('debug: event channels of a guest stopped mid-way', () => {
  it('xen/eventChannels lists the xenstore and console backends, VIRQ_TIMER, the unbound port and the masked pending IPI', () => {
    const m = stoppedMidway();
    const r = eventChannelRows(m.domain);
    assert.deepStrictEqual(r.rows, [
      { port: 1, state: 'interdomain', vcpu: 0, pending: true, masked: false, remoteDomain: 0, remotePort: 1, backend: 'xenstore' },
      { port: 2, state: 'interdomain', vcpu: 0, pending: false, masked: false, remoteDomain: 0, remotePort: 2, backend: 'console' },
      { port: 3, state: 'virq', vcpu: 0, pending: false, masked: false, virq: 0, virqName: 'VIRQ_TIMER' },
      { port: 4, state: 'unbound', vcpu: 0, pending: false, masked: false, remoteDomain: 0 },
      { port: 5, state: 'ipi', vcpu: 0, pending: true, masked: true },
    ]);
    // xenstored's reply notified port 1 (unmasked): selector bit 0 and the upcall flag; the start-of-day mask holds it.
    assert.deepStrictEqual(r.upcall, [
      { vcpu: 0, pending: 1, mask: 1, pendingSel: '0x1' },
      { vcpu: 1, pending: 0, mask: 1, pendingSel: '0x0' },
    ]);
    assert.strictEqual(describePort(r.rows[2]), 'port 3  virq VIRQ_TIMER → vCPU0');
    assert.strictEqual(describePort(r.rows[4]), 'port 5  ipi → vCPU0  pending masked');
    assert.strictEqual(describePort(r.rows[3]), 'port 4  unbound for d0 → vCPU0');
  });

  it('after the 10 ms periodic tick VIRQ_TIMER is pending and the timer counted it', () => {
    const m = stoppedMidway();
    m.run(0, 10_000_000);
    const t = eventChannelRows(m.domain).rows.find((p) => p.port === 3)!;
    assert.deepStrictEqual([t.pending, t.masked], [true, false]);
    assert.strictEqual(timerState(m.vcpu(0)).fired, 1);
    assert.strictEqual(timerState(m.vcpu(0)).next, 20_000_000, 'the next period');
  });

  it('xen/domain keeps its fields and adds run states, timers, virtual time, wallclock, xenstore and grant frames', () => {
    const m = stoppedMidway();
    const d = domainInfo(m) as Record<string, any>;
    assert.strictEqual(d.kind, 'pv64');
    assert.strictEqual(d.state, 'running');
    assert.strictEqual(d.shutdownReason, null);
    assert.strictEqual(d.crashDiagnostic, null);
    const [v0, v1] = d.vcpuStates;
    assert.deepStrictEqual([v0.mode, v0.blocked, v0.online, v0.initialised], ['kernel', false, true, true]);
    assert.ok(['running', 'runnable'].includes(v0.runstate), v0.runstate);
    const setTimer = m.domain.hypercallLog.find((e) => e.name === 'set_timer_op')!;
    const deadline = Number(/^(\d+) ns$/.exec(setTimer.decoded)![1]);
    assert.ok(deadline > 1e9 && deadline < 1e9 + 1000, setTimer.decoded);
    assert.deepStrictEqual(v0.timers, { singleshot: deadline, periodic: 10_000_000, next: 10_000_000, poll: null, fired: 0 });
    assert.deepStrictEqual([v1.online, v1.initialised, v1.runstate, v1.blocked], [false, false, 'offline', false]);
    assert.deepStrictEqual(v1.timers, { singleshot: null, periodic: 10_000_000, next: null, poll: null, fired: 0 }, 'a down vCPU\'s periodic timer never ticks');
    assert.strictEqual(d.timeNs, m.domain.time.nowNs());
    assert.ok(d.timeNs >= 50_000 && d.timeNs < 60_000, `1 ns per instruction: ${d.timeNs}`);
    assert.strictEqual(d.wallclock, '2026-01-01T00:00:00.000Z');
    assert.deepStrictEqual(d.xenstore, { requests: 1 });
    assert.ok(Number.isInteger(d.grantFrames) && d.grantFrames >= 1, `grant frames ${d.grantFrames}`);
  });

  it('the Xen scope nodes: online, runstate, system time and TSC, armed timers, the vCPU\'s ports', () => {
    const m = stoppedMidway();
    const n0 = byName(xenEventNodes(m, 0));
    assert.deepStrictEqual([...n0.keys()], ['online', 'runstate', 'system time', 'TSC', 'timers', 'event channels']);
    assert.strictEqual(n0.get('online')!.value, '1');
    const now = m.domain.time.nowNs();
    assert.strictEqual(n0.get('system time')!.value, `${now} ns`);
    assert.strictEqual(n0.get('TSC')!.value, String(now), 'the 1 GHz TSC equals system time');
    assert.match(n0.get('timers')!.value, /^single-shot at 10000000\d\d ns, periodic 10000000 ns$/);
    const timers = byName(n0.get('timers')!.children!());
    assert.strictEqual(timers.get('next deadline')!.value, '10000000 ns');
    assert.strictEqual(timers.get('periodic')!.value, 'every 10000000 ns');
    assert.strictEqual(n0.get('event channels')!.value, '1 interdomain, 2 interdomain, 3 VIRQ_TIMER, 4 unbound, 5 ipi');
    const ports = byName(n0.get('event channels')!.children!());
    assert.strictEqual(ports.get('port 3')!.value, 'virq VIRQ_TIMER → vCPU0');
    assert.strictEqual(ports.get('port 5')!.value, 'ipi → vCPU0  pending masked');
    assert.strictEqual(ports.get('evtchn_pending_sel')!.value, '0x1');
    const rs = byName(n0.get('runstate')!.children!());
    assert.match(rs.get('state')!.value, /^[01] \((running|runnable)\)$/);
    assert.ok(rs.has('time[running]') && rs.has('time[offline]'));

    const n1 = byName(xenEventNodes(m, 1));
    assert.strictEqual(n1.get('online')!.value, '0');
    assert.strictEqual(n1.get('runstate')!.value, 'offline');
    assert.strictEqual(n1.get('timers')!.value, 'periodic 10000000 ns');
    assert.strictEqual(n1.get('event channels')!.value, 'none');
  });

  it('REPL `evtchn` prints the port table and each vCPU\'s upcall state', () => {
    const m = stoppedMidway();
    const out = xenEventsReplCommand(m, '  evtchn ')!;
    const lines = out.split('\n');
    assert.match(lines[0], /^\s*port\s+state\s+vcpu\s+bound to\s+flags$/);
    assert.match(lines[1], /^\s+1\s+interdomain\s+0\s+d0 port 1 \(xenstore\)\s+pending$/);
    assert.match(lines[3], /^\s+3\s+virq\s+0\s+VIRQ_TIMER\s+-$/);
    assert.match(lines[4], /^\s+4\s+unbound\s+0\s+d0\s+-$/);
    assert.match(lines[5], /^\s+5\s+ipi\s+0\s+-\s+pending masked \(held by the mask\)$/);
    assert.strictEqual(lines[6], 'vCPU 0: evtchn_upcall_pending 1, evtchn_upcall_mask 1, evtchn_pending_sel 0x1');
    assert.strictEqual(lines[7], 'vCPU 1: evtchn_upcall_pending 0, evtchn_upcall_mask 1, evtchn_pending_sel 0x0');
    assert.strictEqual(lines.length, 8);
    assert.strictEqual(xenEventsReplCommand(m, 'evtchnx'), undefined, 'not a command: an expression');
    assert.strictEqual(xenEventsReplCommand(m, 'rax + 1'), undefined);
  });

  it('REPL `xenstore [n]` prints the request log; a bad count is a usage error', () => {
    const m = stoppedMidway();
    assert.strictEqual(xenEventsReplCommand(m, 'xenstore'), '1 xenstore record, 0 watches, 0 open transactions\n  #0 XS_READ name → evtchn-view-test');
    assert.strictEqual(xenEventsReplCommand(m, 'xenstore 0'), '1 xenstore record, 0 watches, 0 open transactions\nno xenstore requests yet');
    assert.throws(() => xenEventsReplCommand(m, 'xenstore lots'), /usage: xenstore \[count\]/);
  });
});

describe('debug: xenstore rows', () => {
  it('the last `count` records of a real guest\'s session, newest last, errors flagged', () => {
    const d = new XenDebugMachine(parseElf(buildGuest('pv64-xenstore', 'pv64')), { memoryMiB: 16 }).domain;
    d.run(2_000_000);
    assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
    const all = xenstoreRows(d);
    assert.strictEqual(all.total, 6);
    assert.deepStrictEqual(all.rows.map((r) => r.seq), [0, 1, 2, 3, 4, 5]);
    assert.deepStrictEqual(all.rows[0], { seq: 0, type: 'XS_READ', path: 'domid', reply: String(d.domid), error: false, reqId: 1, txId: 0 });
    const last = xenstoreRows(d, 3);
    assert.strictEqual(last.total, 6);
    assert.deepStrictEqual(last.rows.map((r) => `${r.type} ${r.path} ${r.reply} ${r.error}`), [
      'XS_READ nope ENOENT true', 'XS_WRITE /local/domain/0/x EACCES true', 'XS_WRITE data/from-guest OK false',
    ]);
    assert.match(formatXenstore(last), /#3 XS_READ nope → error ENOENT\n {2}#4 XS_WRITE \/local\/domain\/0\/x → error EACCES\n {2}#5 XS_WRITE data\/from-guest → OK$/);
  });

  it('a domain without a xenstored gives no rows rather than an error', () => {
    assert.deepStrictEqual(xenstoreRows({} as Domain), { total: 0, rows: [], watches: 0, transactions: 0 });
  });

  it('pv32: 32-bit evtchn_pending_sel and the start-of-day backends', () => {
    const m = new XenDebugMachine(mmuGuest('pv32'), { memoryMiB: 16 });
    const r = eventChannelRows(m.domain);
    assert.deepStrictEqual(r.rows.map((p) => [p.port, p.backend]), [[1, 'xenstore'], [2, 'console']]);
    assert.deepStrictEqual(r.upcall, [{ vcpu: 0, pending: 0, mask: 1, pendingSel: '0x0' }]);
    assert.strictEqual(xenEventsReplCommand(m, 'xenstore'), '0 xenstore records, 0 watches, 0 open transactions\nno xenstore requests yet');
  });
});

describe('debug: xen/eventChannels and xen/xenstore through customRequest', () => {
  const rt = new DebugRuntime();
  before(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-events-'));
    const file = path.join(dir, 'g.elf');
    fs.writeFileSync(file, eventsGuest().bytes);
    rt.launch({ program: file, memory: 16, console: false, vcpus: 2 });
  });
  after(() => rt.dispose());

  it('answers both requests and rejects a bad count', () => {
    assert.ok(CUSTOM_REQUESTS.includes('xen/eventChannels') && CUSTOM_REQUESTS.includes('xen/xenstore'));
    const ev = customRequest(rt, 'xen/eventChannels', {}) as ReturnType<typeof eventChannelRows>;
    assert.deepStrictEqual(ev.rows.map((p) => `${p.port} ${p.state}`), ['1 interdomain', '2 interdomain'], 'at the entry point');
    assert.strictEqual(ev.upcall.length, 2);
    const xs = customRequest(rt, 'xen/xenstore', { count: 5 }) as ReturnType<typeof xenstoreRows>;
    assert.deepStrictEqual(xs.rows, []);
    assert.throws(() => customRequest(rt, 'xen/xenstore', { count: 'lots' }), /count must be 0..100000, got "lots"/);
    assert.throws(() => customRequest(rt, 'xen/xenstore', { count: -1 }), /count must be 0..100000/);
    assert.throws(() => customRequest(rt, 'xen/xenstore', { count: 1.5 }), /count must be 0..100000/);
  });
});
