// Segment state across Xen's context switches and the shadow LDT's lifetime, through a real guest
// (test/guests/pv64-segs.S): load_segments on a vCPU switch enters the failsafe callback (or crashes the domain
// without one), and unmapping an in-use LDT page destroys the shadow LDT so the page can be mapped writable again.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain, RunResult } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { PGT_seg_desc_page, PGT_writable_page } from '../../src/xen/mm';

const bytes = (): Uint8Array => buildGuest('pv64-segs', 'pv64');

function boot(scenario: string, vcpus = 1): { d: Domain; r: RunResult; res: (i: number) => number } {
  const b = bytes();
  const d = createDomainFromElf(b, { cmdline: scenario, vcpus });
  const r = d.run(5_000_000);
  const res = (i: number): number => {
    const q = copyFromGuest(d.vcpus[0].cpu, guestSymbol(b, 'res') + i * 8, 8) as Uint8Array;
    const dv = new DataView(q.buffer);
    return dv.getInt32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  };
  return { d, r, res };
}
const ldtMfn = (d: Domain): number => d.image.p2m[(guestSymbol(bytes(), 'ldt_page') - d.image.params.virtBase) / 4096];

describe('xen: segments across vCPU switches (load_segments) and the shadow LDT lifetime', () => {
  it('a selector vCPU 1 left behind no longer loads when Xen switches back to it: failsafe callback', () => {
    const { d, r, res } = boot('F', 2);
    assert.strictEqual(r.reason, 'shutdown', `${r.detail} ${d.crashDiagnostic}`);
    assert.deepStrictEqual([res(0), res(1), res(2)], [0, 0, 0], 'LDT page read-only, vCPU 1 initialised and up');
    assert.strictEqual(res(6), 0, 'update_descriptor made LDT entry 1 not present');
    assert.strictEqual(res(3), 1, 'vCPU 1 resumed in its failsafe callback, not after its yield');
    assert.strictEqual(res(4), 0x0f, 'the frame carries the selector the vCPU had loaded');
    assert.strictEqual(res(5), 0, '%ds was replaced by the NUL selector');
    const fs = d.bounceLog.filter((b) => b.kind.startsWith('failsafe'));
    assert.strictEqual(fs.length, 1);
    assert.strictEqual(fs[0].kind, 'failsafe callback: could not reload ds=0x000f');
    assert.strictEqual(fs[0].handler, guestSymbol(bytes(), 'failsafe_handler'));
    assert.strictEqual(fs[0].frame[2], 0x0f, 'frame slot DS');
    assert.strictEqual(d.vcpus[1].online, false, 'vCPU 1 went down from its failsafe handler');
  });

  it('without a failsafe callback the switch back crashes the domain, naming the selector', () => {
    const { d, r } = boot('C', 2);
    assert.strictEqual(r.reason, 'crashed');
    assert.match(d.crashDiagnostic, /no failsafe callback registered.*\(reloading ds=0x000f\)/);
    assert.strictEqual(r.vcpu, 1);
  });

  it('a single vCPU never reloads its segments: no failsafe without a switch', () => {
    const { d, r } = boot('U', 1);
    assert.strictEqual(r.reason, 'shutdown', `${r.detail} ${d.crashDiagnostic}`);
    assert.deepStrictEqual(d.bounceLog.filter((b) => b.kind.startsWith('failsafe')), []);
  });

  it('unmapping an in-use LDT page destroys the shadow LDT, so it can be mapped writable again (pv_destroy_ldt)', () => {
    const { d, r, res } = boot('U', 1);
    assert.strictEqual(r.reason, 'shutdown', `${r.detail} ${d.crashDiagnostic}`);
    assert.deepStrictEqual([res(0), res(1), res(2)], [0, 0, 0x0f], 'read-only map, SET_LDT, the LDT selector loaded');
    assert.ok(res(3) < 0, `a writable mapping of the seg_desc page is refused while the LDT uses it (${res(3)})`);
    const refused = d.hypercallLog.filter((e) => e.name === 'update_va_mapping')[1];
    assert.match(refused.diagnostic, /seg_desc_page/);
    assert.strictEqual(res(4), 0, 'unmap');
    assert.strictEqual(res(5), 0, 'writable again after the unmap dropped the shadow LDT');
    assert.strictEqual(res(6), 0x5a5a, 'and written through');
    const mfn = ldtMfn(d), f = d.mm.frames;
    assert.strictEqual(f.type[mfn], PGT_writable_page);
    assert.strictEqual(f.typeCount[mfn], 1, 'one writable mapping, no seg_desc reference left');
    assert.ok(d.vcpus[0].descriptors.shadowLdt!.mapped().every((m) => m === -1));
    assert.notStrictEqual(PGT_seg_desc_page, PGT_writable_page);
  });
});
