// Virtual time and timers through our own guests: vcpu_time_info + rdtsc give monotonic system time (pv64 and
// pv32 arithmetic), the fixed wallclock, runstate, idle time skips to the next deadline, blocked-forever, poll
// timeouts, the periodic timer, set_timer_op's huge-timeout workaround — all deterministic.

import * as assert from 'assert';
import { buildGuest } from '../guests/build';
import { guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain, RunResult } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { SHARED_INFO, VCPU_INFO, VCPU_TIME_INFO, XEN_PVCLOCK_TSC_STABLE_BIT } from '../../src/xen/public';
import { DEFAULT_WALLCLOCK_SEC } from '../../src/xen/time';

const pv64 = (): Uint8Array => buildGuest('pv64-events', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-events', 'pv32');

interface Run { d: Domain; r: RunResult; res: number[]; }

function boot(bytes: Uint8Array, scenario: string, opts: { wallclock?: number } = {}): Run {
  const d = createDomainFromElf(bytes, { cmdline: scenario, ...opts });
  const r = d.run(20_000_000);
  const w = d.kind === 'pv64' ? 8 : 4;
  const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res'), 32 * w);
  assert.ok(b);
  const dv = new DataView(b.buffer);
  const res = Array.from({ length: 32 }, (_, i) => (w === 8 ? dv.getInt32(i * 8 + 4, true) * 2 ** 32 + dv.getUint32(i * 8, true) : dv.getInt32(i * 4, true)));
  return { d, r, res };
}

/** vcpu_time_info of vCPU 0 as the host sees it. */
function timeInfo(d: Domain): { version: number; tsc: number; sys: number; mul: number; shift: number; flags: number } {
  const pa = d.vcpus[0].vcpuInfoPa + VCPU_INFO[d.kind].fields.time, f = VCPU_TIME_INFO.fields;
  return {
    version: d.mem.read32(pa + f.version), tsc: d.mem.read64AsNumber(pa + f.tsc_timestamp),
    sys: d.mem.read64AsNumber(pa + f.system_time), mul: d.mem.read32(pa + f.tsc_to_system_mul),
    shift: (d.mem.read8(pa + f.tsc_shift) << 24) >> 24, flags: d.mem.read8(pa + f.flags),
  };
}

describe('xen: virtual time', () => {
  it('pv64: system time from vcpu_time_info + rdtsc is monotonic and equals the 1 GHz TSC; wallclock 2026-01-01', () => {
    const x = boot(pv64(), 'Q');
    assert.strictEqual(x.r.reason, 'shutdown');
    const [t1, tsc1, t2, tsc2, wcSec, wcVersion, tVersion, rsRc, rsState, rsRunning, rsEntry] = x.res;
    assert.ok(t1 > 0 && t1 < tsc1 && tsc1 < t2 && t2 < tsc2, `${t1} < ${tsc1} < ${t2} < ${tsc2}`);
    assert.ok(t2 - t1 >= 1000, 'the 1000-iteration loop took at least 1000 ns');
    assert.strictEqual(wcSec, DEFAULT_WALLCLOCK_SEC);
    assert.strictEqual(DEFAULT_WALLCLOCK_SEC, 1767225600);
    assert.strictEqual(wcVersion % 2, 0, 'wc_version even: no update in progress');
    assert.ok(tVersion > 0 && tVersion % 2 === 0);
    assert.deepStrictEqual([rsRc, rsState, rsEntry], [0, 0, 0], 'running since the first slice at 0 ns');
    assert.ok(rsRunning > t2 && rsRunning < t2 + 200, `time[running] ${rsRunning}`);
    const [areaRc, areaState, areaEntry, areaRunning] = x.res.slice(11, 15);
    assert.deepStrictEqual([areaRc, areaState], [0, 0], 'runstate area registered, written as running at the next slice');
    assert.ok(areaEntry > rsRunning && areaRunning === areaEntry, 'SCHEDOP_yield ended the slice; the area was refreshed');
    const ti = timeInfo(x.d);
    assert.deepStrictEqual([ti.mul, ti.shift, ti.flags], [0x80000000, 1, XEN_PVCLOCK_TSC_STABLE_BIT]);
    assert.strictEqual(ti.sys, ti.tsc, 'system time = TSC at 1 GHz');
  });

  it('pv32: the same with 32-bit arithmetic and the compat runstate layout; the wallclock option', () => {
    const x = boot(pv32(), 'Q', { wallclock: 1_000_000_000 });
    assert.strictEqual(x.r.reason, 'shutdown');
    const [t1, tsc1, t2, tsc2, wcSec, wcVersion, rsRc, rsState, rsRunning, rsEntry] = x.res;
    assert.ok(t1 > 0 && t1 < tsc1 && tsc1 < t2 && t2 < tsc2, `${t1} < ${tsc1} < ${t2} < ${tsc2}`);
    assert.strictEqual(wcSec, 1_000_000_000);
    assert.strictEqual(wcVersion % 2, 0);
    assert.deepStrictEqual([rsRc, rsState, rsEntry], [0, 0, 0]);
    assert.ok(rsRunning > t2 && rsRunning < t2 + 200);
    const sh = x.d.sharedInfoPa + SHARED_INFO.pv32pae.fields['arch.wc_sec_hi'];
    assert.strictEqual(x.d.mem.read32(sh), 0);
  });

  it('an idle domain skips its clock to the timer deadline; TSC and time info stay consistent', () => {
    const x = boot(pv64(), 'T');
    const deadline = x.res[4], upcall = x.res[8];
    assert.ok(upcall >= deadline, 'the guest read a system time past the deadline after waking');
    assert.ok(x.r.instructions < 10_000, `only ${x.r.instructions} instructions ran: the millisecond was skipped`);
    const now = x.d.time.nowNs();
    assert.strictEqual(x.d.vcpus[0].cpu.tsc(), now, "vCPU 0's TSC is the domain clock");
    const ti = timeInfo(x.d);
    assert.ok(ti.tsc >= deadline && ti.tsc <= now, 'time info republished when the vCPU woke');
    const r = x.d.vcpus[0].runstate.snapshot(now);
    assert.strictEqual(r.time.reduce((a, b) => a + b, 0), now, 'runstate times add up to the domain clock');
    assert.ok(r.time[2] >= 999_000, `blocked for about 1 ms (${r.time[2]} ns)`);
  });

  it('block with no event source is blocked-forever; a timer with nothing bound skips time first', () => {
    const b = boot(pv64(), 'B');
    assert.strictEqual(b.r.reason, 'blocked-forever');
    assert.ok(b.d.time.nowNs() < 1000, 'no time skip without a deadline');
    const t = boot(pv64(), 'b');
    assert.strictEqual(t.r.reason, 'blocked-forever');
    assert.ok(t.d.time.nowNs() >= t.res[0], 'the clock reached the deadline, the timer fired, nothing woke');
    assert.strictEqual(t.d.vcpus[0].timers.fired, 1);
    assert.strictEqual(t.d.vcpus[0].runstate.state, 2, 'RUNSTATE_blocked');
    assert.strictEqual(t.d.run(1000).reason, 'blocked-forever', 'and it stays so');
  });

  it('SCHEDOP_poll: timeout (pv64 and compat layout), a pending port returns at once, a bad port is -EINVAL', () => {
    const x = boot(pv64(), 'P');
    assert.strictEqual(x.r.reason, 'shutdown');
    const [, timeout, rc, after, rcPending, rcBad] = x.res;
    assert.strictEqual(rc, 0);
    assert.ok(after >= timeout && after < timeout + 1000, `woke at ${after}, timeout ${timeout}`);
    assert.deepStrictEqual([rcPending, rcBad], [0, -22]);
    const y = boot(pv32(), 'P');
    assert.strictEqual(y.r.reason, 'shutdown');
    assert.ok(y.res[3] >= y.res[1] && y.res[3] < y.res[1] + 1000, `pv32 woke at ${y.res[3]}, timeout ${y.res[1]}`);
  });

  it('a 1 ms periodic timer ticks three times in 3.5 ms of running, exactly on time', () => {
    const x = boot(pv64(), 'p');
    assert.strictEqual(x.r.reason, 'shutdown');
    const [bindRc, setRc, stopRc, ticks, lastTick] = x.res;
    assert.deepStrictEqual([bindRc, setRc, stopRc, ticks], [0, 0, 0, 3]);
    assert.ok(lastTick >= 3_000_000 && lastTick < 3_000_200, `third tick handled at ${lastTick} ns`);
    assert.strictEqual(x.d.vcpus[0].timers.periodic, 0);
  });

  it("set_timer_op with a wrapped timeout gets Xen's 100 ms workaround; 0 stops the timer", () => {
    const x = boot(pv64(), 'H');
    assert.strictEqual(x.r.reason, 'shutdown');
    const [t0, rc, upcall, stopRc] = x.res;
    assert.deepStrictEqual([rc, stopRc], [0, 0]);
    assert.ok(upcall >= t0 + 100_000_000 && upcall < t0 + 100_001_000, `woke at ${upcall} (set at ${t0})`);
    assert.match(x.d.hypercallLog.find((e) => e.name === 'set_timer_op')?.diagnostic ?? '', /huge timeout -5 ns .*100 ms/);
  });

  it('is deterministic: the same guest twice gives the same logs, clock and instruction count', () => {
    for (const [bytes, sc] of [[pv64(), 'p'], [pv32(), 'T']] as const) {
      const a = boot(bytes, sc), b = boot(bytes, sc);
      assert.deepStrictEqual(JSON.stringify(a.d.hypercallLog), JSON.stringify(b.d.hypercallLog));
      assert.deepStrictEqual(a.d.bounceLog, b.d.bounceLog);
      assert.strictEqual(a.d.time.nowNs(), b.d.time.nowNs());
      assert.strictEqual(a.r.instructions, b.r.instructions);
    }
  });
});
