// Hypercall dispatch and errno paths: shutdown reasons, -ENOSYS for unknown numbers, -EFAULT for bad guest
// pointers, xen_version, and the hypercall log records the debugger shows.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';

const pv64 = (): Uint8Array => buildGuest('pv64-guest', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-guest', 'pv32');
const sym = guestSymbol;
function word(d: Domain, va: number, size: number): number {
  const b = copyFromGuest(d.vcpus[0].cpu, va, size) as Uint8Array;
  const v = new DataView(b.buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getInt32(0, true);
}
function run(bytes: Uint8Array, cmdline: string): Domain {
  const d = createDomainFromElf(bytes, { cmdline });
  d.run(1_000_000);
  return d;
}

describe('xen: hypercalls', () => {
  const reasons = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog'];
  reasons.forEach((name, i) => {
    it(`SCHEDOP_shutdown reason ${i} (${name}) on pv64 and pv32`, () => {
      for (const bytes of [pv64(), pv32()]) {
        const d = createDomainFromElf(bytes, { cmdline: `S${i}` });
        const r = d.run(1_000_000);
        assert.strictEqual(r.reason, 'shutdown');
        assert.strictEqual(d.shutdownReason, i);
        assert.strictEqual(r.detail, `reason ${name}`);
      }
    });
  });

  it('an unknown hypercall returns -ENOSYS (rax sign-extended) and is logged', () => {
    const bytes = pv64();
    const d = run(bytes, 'e');
    assert.strictEqual(word(d, sym(bytes, 'result'), 8), -38);
    const e = d.hypercallLog[0];
    assert.strictEqual(e.nr, 45);
    assert.strictEqual(e.resultText, '-ENOSYS');
    assert.match(e.diagnostic, /unknown hypercall 45/);
    const d32 = run(pv32(), 'e');
    assert.strictEqual(word(d32, sym(pv32(), 'result'), 4), -38);
  });

  it('bad guest pointers give -EFAULT: console_io buffer, set_trap_table', () => {
    const bytes = pv64();
    const d = run(bytes, 'f');
    assert.strictEqual(word(d, sym(bytes, 'result'), 8), -14);
    assert.match(d.hypercallLog[0].diagnostic, /not readable/);
    const t = run(bytes, 't');
    assert.strictEqual(word(t, sym(bytes, 'result'), 8), -14);
    assert.strictEqual(t.vcpus[0].trapCtxt[6].address, 0, 'nothing installed');
  });

  it('set_trap_table installs entries and logs their count', () => {
    const bytes = pv64();
    const d = run(bytes, 'u');
    const e = d.hypercallLog[0];
    assert.strictEqual(e.name, 'set_trap_table');
    assert.strictEqual(e.diagnostic, '6 entries');
    const ti = d.vcpus[0].trapCtxt;
    assert.strictEqual(ti[3].flags & 3, 3);
    assert.strictEqual(ti[14].cs, 0xe033);
  });

  it('xen_version: version number and capabilities string', () => {
    const bytes = pv64();
    const d = run(bytes, 'V');
    assert.strictEqual(word(d, sym(bytes, 'result'), 8), (4 << 16) | 19);
    assert.strictEqual(word(d, sym(bytes, 'result2'), 8), 0);
    const caps = copyFromGuest(d.vcpus[0].cpu, sym(bytes, 'caps'), 40) as Uint8Array;
    assert.strictEqual(Buffer.from(caps).toString('latin1').replace(/\0.*$/s, ''), 'xen-3.0-x86_64 xen-3.0-x86_32p');
    assert.strictEqual(d.hypercallLog[0].decoded, 'XENVER_version, 0x0');
  });

  it('log records carry decoded arguments and the guest RIP; hypercall breakpoints stop the run', () => {
    const d = createDomainFromElf(pv64());
    d.hypercallBreak = (e) => e.name === 'event_channel_op';
    const r = d.run(1_000_000);
    assert.strictEqual(r.reason, 'hypercall-break');
    assert.match(r.detail, /^event_channel_op\(EVTCHNOP_send, 0x[0-9a-f]+\) = 0$/);
    assert.match(d.hypercallLog[0].decoded, /^CONSOLEIO_write, count=31, buffer=0xffffffff8/);
    d.hypercallBreak = null;
    assert.strictEqual(d.run(1_000_000).reason, 'shutdown');
  });
});
