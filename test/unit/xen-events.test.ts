// Event channels through our own pv64 and pv32 guests: VIRQ_TIMER upcalls through the event callback, masks and
// EVTCHNOP_unmask re-raising, the upcall mask, alloc_unbound/status/close, loopback interdomain channels, errno
// paths, the console backend, the debugger's port list, and that bad host-side input gives errno, never a throw.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain, RunResult } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { EVTCHNSTAT_closed, EVTCHNSTAT_unbound, EVTCHNSTAT_interdomain } from '../../src/xen/public';

const pv64 = (): Uint8Array => buildGuest('pv64-events', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-events', 'pv32');

interface Run { d: Domain; r: RunResult; res: number[]; bytes: Uint8Array; }

/** Boot a scenario and read res[] (pv64 quads, pv32 dwords, both signed). */
function boot(bytes: Uint8Array, scenario: string, vcpus = 1): Run {
  const d = createDomainFromElf(bytes, { cmdline: scenario, vcpus });
  const r = d.run(20_000_000);
  const w = d.kind === 'pv64' ? 8 : 4;
  const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res'), 32 * w);
  assert.ok(b, 'res[] readable');
  const dv = new DataView(b.buffer);
  const res = Array.from({ length: 32 }, (_, i) => (w === 8 ? dv.getInt32(i * 8 + 4, true) * 2 ** 32 + dv.getUint32(i * 8, true) : dv.getInt32(i * 4, true)));
  return { d, r, res, bytes };
}

function assertShutdown(x: Run): void {
  assert.strictEqual(x.r.reason, 'shutdown', `${x.r.reason}: ${x.r.detail} ${x.d.crashDiagnostic}`);
  assert.strictEqual(x.d.shutdownReason, 0);
}

describe('xen: event channels', () => {
  it('pv64: VIRQ_TIMER + set_timer_op + SCHEDOP_block wakes through the event callback at the deadline', () => {
    const x = boot(pv64(), 'T');
    assertShutdown(x);
    const [stopPeriodic, bindRc, port, , deadline, timerRc, upcalls, lastPort, upcallTime] = x.res;
    assert.deepStrictEqual([stopPeriodic, bindRc, port, timerRc], [0, 0, 3, 0]);
    assert.strictEqual(upcalls, 1, 'exactly one upcall');
    assert.strictEqual(lastPort, port, 'the handler found the VIRQ_TIMER port pending');
    assert.ok(upcallTime >= deadline && upcallTime < deadline + 1000, `upcall at ${upcallTime}, deadline ${deadline}`);
    const ev = x.d.bounceLog.filter((b) => b.kind === 'event');
    assert.strictEqual(ev.length, 1);
    assert.strictEqual(ev[0].handler, guestSymbol(x.bytes, 'evt_handler'));
    const info = x.d.evtchn.describe().find((e) => e.port === port);
    assert.deepStrictEqual(info, { port: 3, state: 'virq', vcpu: 0, virq: 0, virqName: 'VIRQ_TIMER', pending: false, masked: false });
    const names = x.d.hypercallLog.map((e) => e.name);
    assert.ok(names.includes('set_timer_op') && names.includes('iret'));
    const block = x.d.hypercallLog.find((e) => e.decoded.startsWith('SCHEDOP_block'));
    assert.match(block?.diagnostic ?? '', /single-shot timer at \d+ ns/);
    assert.strictEqual(x.d.vcpus[0].timers.singleshot, -1, 'the single-shot timer is disarmed after firing');
  });

  it('pv32: the same with set_timer_op in two halves and 32-bit pending words', () => {
    const x = boot(pv32(), 'T');
    assertShutdown(x);
    const [stopPeriodic, bindRc, port, , deadlineLo, deadlineHi, timerRc, upcalls, lastPort, upLo, upHi] = x.res;
    assert.deepStrictEqual([stopPeriodic, bindRc, port, deadlineHi, timerRc, upcalls, lastPort, upHi], [0, 0, 3, 0, 0, 1, 3, 0]);
    assert.ok(upLo >= deadlineLo && upLo < deadlineLo + 1000, `upcall at ${upLo}, deadline ${deadlineLo}`);
    const st = x.d.hypercallLog.find((e) => e.name === 'set_timer_op');
    assert.strictEqual(st?.decoded, `${deadlineLo} ns`);
  });

  it('pv64: a masked pending port raises nothing, EVTCHNOP_unmask re-raises it, the upcall mask defers delivery', () => {
    const x = boot(pv64(), 'U');
    assertShutdown(x);
    assert.deepStrictEqual(x.res.slice(0, 12), [
      0, 3, // bind_ipi -> port 3
      0, 0, 0, 1, // send on the masked port: no upcall, evtchn_upcall_pending 0, pending bit set
      0, 1, 3, // unmask: pending -> selector + upcall, delivered at the hypercall's exit
      1, 1, // with evtchn_upcall_mask set: upcall_pending set, not delivered
      2, // mask cleared + any hypercall (xen_force_evtchn_callback): delivered
    ]);
    const unmask = x.d.hypercallLog.find((e) => e.decoded.startsWith('EVTCHNOP_unmask'));
    assert.match(unmask?.diagnostic ?? '', /unmasked while pending: upcall raised on vCPU 0/);
  });

  it('pv32: unmask re-raise and upcall mask with the 32-bit selector', () => {
    const x = boot(pv32(), 'U');
    assertShutdown(x);
    assert.deepStrictEqual(x.res.slice(0, 10), [0, 3, 0, 0, 0, 0, 1, 3, 1, 2]);
  });

  it('alloc_unbound + status + close, foreign domains, and a loopback interdomain channel', () => {
    const x = boot(pv64(), 'A');
    assertShutdown(x);
    const r = x.res;
    assert.deepStrictEqual(r.slice(0, 6), [0, 3, 0, EVTCHNSTAT_unbound, 0, 0], 'port 3 unbound for d0 on vCPU 0');
    assert.deepStrictEqual(r.slice(6, 10), [0, EVTCHNSTAT_interdomain, 0, 2], 'the console port: interdomain to d0 port 2');
    assert.deepStrictEqual(r.slice(10, 13), [0, EVTCHNSTAT_closed, -22], 'close, closed, second close -EINVAL');
    assert.deepStrictEqual(r.slice(13, 15), [-3, -1], 'alloc_unbound in d5: -ESRCH; in d0: -EPERM');
    assert.deepStrictEqual(r.slice(15, 19), [0, 4, EVTCHNSTAT_interdomain, 4], 'bind_interdomain to our own unbound port');
    const ports = x.d.evtchn.describe();
    assert.deepStrictEqual(ports.map((p) => [p.port, p.state, p.remoteDomain, p.remotePort, p.backend]), [
      [1, 'interdomain', 0, 1, 'xenstore'], [2, 'interdomain', 0, 2, 'console'], [3, 'interdomain', 1, 4, undefined],
      [4, 'interdomain', 1, 3, undefined],
    ]);
    assert.strictEqual(ports[3].pending, true, 'bind_interdomain notifies the new local port');
    // Sending on one end of the loopback channel sets the other end pending; closing one end unbinds the other.
    assert.strictEqual(x.d.evtchnSend(4), 0);
    assert.ok(x.d.evtchnPending(3));
    assert.strictEqual(x.d.evtchn.close(4), 0);
    assert.deepStrictEqual(x.d.evtchn.status(3), { status: EVTCHNSTAT_unbound, vcpu: 0, dom: 1 });
  });

  it('pv64 errno paths: EEXIST, ENOENT, EINVAL, EBUSY, ENOSYS, EFAULT, ETIME with explanations', () => {
    const x = boot(pv64(), 'E');
    assertShutdown(x);
    assert.deepStrictEqual(x.res.slice(0, 22), [
      0, -17, -2, -22, -16, -22, // bind_virq: ok, again, vCPU 7, global VIRQ on vCPU 1, global VIRQ (dom0's), virq 99
      -22, -22, -22, // send on a free port, on port 99999; unmask 99999
      -22, -2, -38, -14, // bind_vcpu of a per-vCPU VIRQ, bind_ipi to vCPU 3, init_control (FIFO), bad pointer
      -22, -62, 1, -17, -2, -38, -22, // periodic < 1 ms, past single-shot with _future, is_up, re-initialise, vCPU 9, op 99, get_physid
      0, -22, // close the console port, then send on it
    ]);
    const diags = x.d.hypercallLog.filter((e) => e.result < 0).map((e) => e.diagnostic);
    for (const d of diags) assert.ok(d.length > 10, `every failure is explained: '${d}'`);
    assert.ok(diags.some((d) => /already bound on vCPU 0 to port 3/.test(d)));
    assert.ok(diags.some((d) => /handler is dom0/.test(d)));
    assert.ok(diags.some((d) => /below Xen's minimum of 1 ms/.test(d)));
    assert.ok(!x.d.evtchn.describe().some((p) => p.port === 2), 'the console port is gone after close');
  });

  it('pv32 errno paths with the compat struct sizes', () => {
    const x = boot(pv32(), 'E');
    assertShutdown(x);
    assert.deepStrictEqual(x.res.slice(0, 5), [-22, -62, -17, -2, -22]);
    assert.match(x.d.hypercallLog.find((e) => e.decoded.startsWith('EVTCHNOP_send'))?.diagnostic ?? '', /out of range \(0\.\.1023\)/);
  });

  it('the console backend still drains the ring on send and notifies the port back', () => {
    const bytes = buildGuest('pv64-guest', 'pv64');
    const d = createDomainFromElf(bytes, { cmdline: 'h' });
    d.run(1_000_000);
    assert.match(d.consoleOutput, /hello from pv64 via the console ring/);
    const con = d.evtchn.describe().find((p) => p.port === 2);
    assert.strictEqual(con?.backend, 'console');
    assert.strictEqual(con?.pending, true, 'xenconsoled notified the guest back');
    const send = d.hypercallLog.find((e) => e.decoded.startsWith('EVTCHNOP_send'));
    assert.strictEqual(send?.diagnostic, 'port 2');
    assert.deepStrictEqual([con?.remoteDomain, con?.remotePort], [0, 2]);
  });

  it('host-side bad input gives errno values, never an exception', () => {
    const d = createDomainFromElf(pv64(), { cmdline: 'B' });
    const ev = d.evtchn;
    assert.strictEqual(ev.close(-1), -22);
    assert.strictEqual(ev.close(0), -22, 'port 0 is reserved');
    assert.strictEqual(ev.unmask(1e9), -22);
    assert.strictEqual(ev.send(Number.NaN), -22);
    assert.strictEqual(ev.bindVirq(Number.NaN, 0), -22);
    assert.strictEqual(ev.bindVirq(0, -1), -2);
    assert.strictEqual(ev.bindIpi(99), -2);
    assert.strictEqual(ev.bindVcpu(3, 0), -22);
    assert.strictEqual(ev.status(4096), -22);
    assert.strictEqual(d.evtchnPending(-5), false);
    assert.strictEqual(ev.bindInterdomainLocal(2), -22, 'the console port is not offered to us');
  });

  it('ports run out with -ENOSPC and every port can be closed again', () => {
    const d = createDomainFromElf(pv32(), { cmdline: 'B' });
    const ev = d.evtchn;
    let n = 0;
    for (;;) { const p = ev.allocUnbound(0); if (p < 0) { assert.strictEqual(p, -28); break; } n++; }
    assert.strictEqual(n, 1024 - 3, 'ports 1 and 2 are the backends, port 0 is reserved');
    assert.strictEqual(ev.reset(), 0);
    assert.deepStrictEqual(ev.describe(), []);
  });
});
