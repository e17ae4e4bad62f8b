// physdev_op / physdev_op_compat from real guests (test/guests/pv64-gnt.S, pv32-gnt.S) as an unprivileged domU:
// the recorded virtual IOPL and I/O bitmap (and guest_io_okay over them), pirq allocation and EOI, the pirq EOI
// map frame, and the errno a domU gets for hardware-domain ops.

import * as assert from 'assert';
import { ioBitmapOf, guestIoOkay } from '../../src/xen/io-permission';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyFromGuest, copyToGuest } from '../../src/xen/guest-access';
import {
  physdevStateOf,
  NR_PIRQS_DOMU,
} from '../../src/xen/hypercalls/physdev';
import {
  EINVAL, EPERM, ESRCH, EBUSY, ENOSYS, EFAULT, ENODEV,
} from '../../src/xen/public';
import { XENIRQSTAT_needs_eoi } from '../../src/xen/public/physdev';
import { PGT_writable_page } from '../../src/xen/mm';

type Kind = 'pv64' | 'pv32';
function run(k: Kind, scenario: string): { d: Domain; r: (i: number) => number; bytes: Uint8Array } {
  const bytes = buildGuest(`${k}-gnt`, k);
  const d = createDomainFromElf(bytes, { cmdline: scenario });
  d.run(2_000_000);
  assert.strictEqual(d.state, 'shutdown', `${k} ${scenario}: ${d.crashDiagnostic}`);
  const size = k === 'pv64' ? 8 : 4;
  const r = (i: number): number => {
    const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res') + i * size, size) as Uint8Array;
    const v = new DataView(b.buffer);
    return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getInt32(0, true);
  };
  return { d, r, bytes };
}
const physLog = (d: Domain) => d.hypercallLog.filter((e) => e.name.startsWith('physdev_op'));

describe('xen: physdev_op', () => {
  it('pv64: set_iopl and set_iobitmap record the vCPU state; their -EINVAL checks', () => {
    const { d, r, bytes } = run('pv64', 'G');
    const v = d.vcpus[0];
    assert.strictEqual(r(0), 0);
    assert.strictEqual(r(1), -EINVAL, 'iopl 4');
    assert.strictEqual(r(2), 0);
    assert.strictEqual(r(3), -EINVAL, 'nr_ports 65537');
    assert.strictEqual(r(4), -EINVAL, 'bitmap in Xen\'s range');
    assert.deepStrictEqual(ioBitmapOf(v), { address: guestSymbol(bytes, 'iobm'), nrPorts: 128 }, 'the good bitmap stays');
    assert.strictEqual(r(20), 0, 'physdev_op_compat({set_iopl, 2})');
    assert.strictEqual(v.iopl, 2 << 12, 'virtual IOPL kept in EFLAGS.IOPL position');
    const log = physLog(d);
    assert.match(log[0].decoded, /^PHYSDEVOP_set_iopl, 0x/);
    assert.match(log[1].diagnostic, /iopl 4 > 3/);
    const compat = log.find((e) => e.name === 'physdev_op_compat');
    assert.ok(compat);
    assert.match(compat.decoded, /^\{PHYSDEVOP_set_iopl\} @ 0x/);
  });

  it('pv64: guest_io_okay follows the virtual IOPL, then the I/O bitmap (a clear bit allows the port)', () => {
    const { d, bytes } = run('pv64', 'G');
    const v = d.vcpus[0];
    assert.strictEqual(guestIoOkay(v, 0x60, 1), 'okay', 'IOPL 2 >= ring 1 of the guest kernel');
    v.iopl = 0;
    assert.strictEqual(guestIoOkay(v, 0x40, 1), 'gp', 'bitmap bits set: denied');
    assert.strictEqual(guestIoOkay(v, 200, 1), 'gp', 'beyond nr_ports: denied');
    assert.ok(copyToGuest(v.cpu, guestSymbol(bytes, 'iobm') + 8, Uint8Array.of(0)));
    assert.strictEqual(guestIoOkay(v, 0x40, 2), 'okay', 'ports 0x40-0x41 cleared');
    assert.strictEqual(guestIoOkay(v, 0x47, 2), 'gp', 'port 0x48 is still denied');
    ioBitmapOf(v).address = 0x1000;
    assert.deepStrictEqual(guestIoOkay(v, 0x40, 1), { pageFault: 0x1008 }, 'unreadable bitmap: #PF at the byte');
  });

  it('pv64: pirqs: irq_status_query, get_free_pirq (GSI from 16, MSI from the top), eoi of allocated pirqs only', () => {
    const { d, r } = run('pv64', 'G');
    assert.deepStrictEqual([r(5), r(6)], [0, XENIRQSTAT_needs_eoi]);
    assert.strictEqual(r(7), -EINVAL, 'irq 100 >= nr_pirqs');
    assert.deepStrictEqual([r(8), r(9)], [0, 16]);
    assert.deepStrictEqual([r(10), r(11)], [0, NR_PIRQS_DOMU - 1]);
    assert.deepStrictEqual([...physdevStateOf(d).pirqs].sort((a, b) => a - b), [16, NR_PIRQS_DOMU - 1]);
    assert.strictEqual(r(12), 0);
    assert.strictEqual(r(13), -EINVAL);
  });

  it('pv64: hardware-domain ops give -EPERM, unknown ops -ENOSYS, bad pointers -EFAULT, missing devices -ENODEV', () => {
    const { d, r } = run('pv64', 'G');
    assert.strictEqual(r(14), -EPERM, 'map_pirq for itself');
    assert.strictEqual(r(15), -ESRCH, 'map_pirq for a missing domain');
    assert.strictEqual(r(16), -EPERM, 'apic_read');
    assert.strictEqual(r(21), -ENOSYS);
    assert.strictEqual(r(22), -EFAULT);
    assert.strictEqual(r(23), -EPERM, 'dbgp_op');
    assert.strictEqual(r(24), -ENODEV, 'restore_msi');
    const log = physLog(d);
    assert.ok(log.some((e) => /XSM_PRIV check failed/.test(e.diagnostic)));
    assert.ok(log.some((e) => /PHYSDEVOP 99: no such physdev op/.test(e.diagnostic)));
  });

  it('pv64: pirq_eoi_gmfn takes a writable reference on a data frame once; page tables and a second map are refused', () => {
    const { d, r, bytes } = run('pv64', 'G');
    assert.strictEqual(r(17), -EINVAL, 'the L4 page table cannot be made writable');
    assert.strictEqual(r(18), 0);
    assert.strictEqual(r(19), -EBUSY);
    const refused = physLog(d).find((e) => /cannot be made writable/.test(e.diagnostic));
    assert.ok(refused);
    assert.strictEqual(refused.mm?.rule, 'type-conflict', "mm's rule is attached to the log entry");
    const mfn = physdevStateOf(d).pirqEoiMfn;
    const pfn = (guestSymbol(bytes, 'eoi_page') - d.image.virtBase) / 4096;
    assert.strictEqual(mfn, d.image.p2m[pfn]);
    assert.strictEqual(physdevStateOf(d).autoUnmask, false, 'v2 does not auto-unmask');
    const f = d.mm.frames;
    assert.strictEqual(f.type[mfn], PGT_writable_page);
    assert.strictEqual(f.typeCount[mfn], 2, 'its own writable mapping + the EOI map');
    assert.strictEqual(f.typeCount[d.image.rootMfn], 2, 'the L4 keeps only pin + CR3');
  });

  it('pv32: compat layouts: set_iopl, set_iobitmap (checked against the compat range), physdev_op_compat, pirq_eoi_gmfn', () => {
    const { d, r, bytes } = run('pv32', 'G');
    const v = d.vcpus[0];
    assert.deepStrictEqual([r(0), r(1), r(2), r(3), r(4)], [0, 0, -EINVAL, 0, 0]);
    assert.strictEqual(v.iopl, 1 << 12, 'compat op set iopl 1 after set_iopl 3');
    assert.deepStrictEqual(ioBitmapOf(v), { address: guestSymbol(bytes, 'iobm'), nrPorts: 64 });
    const pfn = (guestSymbol(bytes, 'eoi_page') - d.image.virtBase) / 4096;
    assert.strictEqual(physdevStateOf(d).pirqEoiMfn, d.image.p2m[pfn]);
    assert.strictEqual(guestIoOkay(v, 0x70, 1), 'okay', 'IOPL 1 covers the ring-1 kernel');
  });
});
