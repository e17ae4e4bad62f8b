// Domain builder and start of day: our pv64 and pv32pae hello guests boot, print through console_io and the
// console ring, and power off; start_info, selectors, registers, the p2m/m2p and the hypercall page are checked.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { buildDomainImage } from '../../src/xen/builder/build';
import { hypercallPageBytes } from '../../src/xen/builder/hypercall-page';
import { START_INFO, XEN_ULONG_SIZE } from '../../src/xen/public';

const startInfo = (k: 'pv64' | 'pv32pae') => ({ ...START_INFO[k].fields, console_mfn: START_INFO[k].fields['console.domU.mfn'],
  console_evtchn: START_INFO[k].fields['console.domU.evtchn'], word: XEN_ULONG_SIZE[k] } as Record<string, number>);
import { copyFromGuest } from '../../src/xen/guest-access';
import { CS, SS, DS, ES, FS, GS, RSP, RSI } from '../../src/cpu/state';
import { probe } from '../../src/cpu/mmu/paging';

const pv64 = (): Uint8Array => buildGuest('pv64-guest', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-guest', 'pv32');

const sym = guestSymbol;
function guestBytes(d: Domain, va: number, n: number): Uint8Array {
  const b = copyFromGuest(d.vcpus[0].cpu, va, n);
  assert.ok(b, `guest va 0x${va.toString(16)} readable`);
  return b;
}
function guestWord(d: Domain, va: number, size: number): number {
  const v = new DataView(guestBytes(d, va, size).buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getUint32(0, true);
}

describe('xen: domain builder and start of day', () => {
  it('boots the pv64 hello guest: console_io + console ring, then poweroff', () => {
    let out = '';
    const d = createDomainFromElf(pv64(), { onConsole: (t) => { out += t; } });
    const r = d.run(1_000_000);
    assert.strictEqual(r.reason, 'shutdown');
    assert.strictEqual(d.shutdownReasonName, 'poweroff');
    assert.strictEqual(out, 'hello from pv64 via console_io\nhello from pv64 via the console ring\n');
    assert.deepStrictEqual(d.hypercallLog.map((e) => `${e.name}=${e.resultText}`),
      ['console_io=0', 'event_channel_op=0', 'sched_op=0']);
  });

  it('boots the pv32pae hello guest (ring 1, int $0x82)', () => {
    const d = createDomainFromElf(pv32());
    const r = d.run(1_000_000);
    assert.strictEqual(r.reason, 'shutdown');
    assert.strictEqual(d.consoleOutput, 'hello from pv32pae via console_io\nhello from pv32pae via the console ring\n');
  });

  it('pv64 start-of-day registers, selectors and control registers', () => {
    const bytes = pv64();
    const d = createDomainFromElf(bytes);
    const cpu = d.vcpus[0].cpu, img = d.image;
    assert.strictEqual(cpu.rip, sym(bytes, '_start'));
    assert.strictEqual(cpu.segSel[CS], 0xe033);
    assert.strictEqual(cpu.segSel[SS], 0xe02b);
    for (const s of [DS, ES, FS, GS]) { assert.strictEqual(cpu.segSel[s], 0); assert.strictEqual(cpu.segValid[s], 0); }
    assert.strictEqual(cpu.cpl, 3);
    assert.strictEqual(cpu.mode, 64);
    assert.strictEqual(cpu.getSP(), img.bootStackTop);
    assert.strictEqual(cpu.regs[RSI << 1] >>> 0, img.startInfoVa >>> 0);
    assert.strictEqual(cpu.regs[(RSI << 1) + 1] | 0, Math.floor(img.startInfoVa / 2 ** 32) | 0);
    assert.strictEqual(cpu.cr3, img.rootMfn * 4096);
    assert.ok(cpu.cr0 & 0x80000000 && cpu.cr0 & 0x10000 && cpu.cr0 & 1, 'PG, WP, PE');
    assert.strictEqual(cpu.cr4 & 0x620, 0x620);
    assert.strictEqual(cpu.efer & 0xd01, 0xd01, 'SCE LME LMA NXE');
    assert.strictEqual(cpu.flagsBits & 0x200, 0x200);
    assert.ok(d.vcpus[0].kernelMode);
    // The cached CS came from Xen's reserved entry 0x00affa000000ffff (accessed now set).
    assert.deepStrictEqual(d.vcpus[0].descriptors.reservedEntry(0xe033).map((x) => x >>> 0), [0x0000ffff, 0x00affb00]);
    assert.strictEqual(d.vcpus[0].upcallMask, 1);
    void RSP;
  });

  it('pv32pae start-of-day: ring-1 flat selectors 0xe019/0xe021 at CPL1', () => {
    const bytes = pv32();
    const d = createDomainFromElf(bytes);
    const cpu = d.vcpus[0].cpu;
    assert.strictEqual(cpu.segSel[CS], 0xe019);
    for (const s of [SS, DS, ES, FS, GS]) assert.strictEqual(cpu.segSel[s], 0xe021);
    assert.strictEqual(cpu.cpl, 1);
    assert.strictEqual(cpu.mode, 32);
    assert.strictEqual(cpu.rip, sym(bytes, '_start'));
    assert.strictEqual(cpu.regs[RSI << 1] >>> 0, d.image.startInfoVa);
    assert.strictEqual(cpu.efer & 0x400, 0, 'not long mode');
    assert.deepStrictEqual(d.vcpus[0].descriptors.reservedEntry(0xe019).map((x) => x >>> 0), [0x0000ffff, 0x00cfbb00]);
  });

  for (const [kind, get, L] of [['pv64', pv64, startInfo('pv64')], ['pv32pae', pv32, startInfo('pv32pae')]] as const) {
    it(`${kind} start_info fields`, () => {
      const d = createDomainFromElf(get(), { cmdline: 'hello world' });
      const img = d.image, w = L.word, si = img.startInfoVa;
      const magic = Buffer.from(guestBytes(d, si, 32)).toString('latin1').replace(/\0.*$/, '');
      assert.strictEqual(magic, kind === 'pv64' ? 'xen-3.0-x86_64' : 'xen-3.0-x86_32p');
      assert.strictEqual(guestWord(d, si + L.nr_pages, w), 64 * 256);
      assert.strictEqual(guestWord(d, si + L.shared_info, w), img.sharedInfoMfn * 4096);
      assert.strictEqual(guestWord(d, si + L.store_mfn, w), img.storeMfn);
      assert.strictEqual(guestWord(d, si + L.store_evtchn, 4), 1);
      assert.strictEqual(guestWord(d, si + L.console_mfn, w), img.consoleMfn);
      assert.strictEqual(guestWord(d, si + L.console_evtchn, 4), 2);
      assert.strictEqual(guestWord(d, si + L.pt_base, w), img.ptBaseVa);
      assert.strictEqual(guestWord(d, si + L.nr_pt_frames, w), img.ptFrames.length);
      assert.strictEqual(guestWord(d, si + L.mfn_list, w), img.mfnListVa);
      assert.strictEqual(Buffer.from(guestBytes(d, si + L.cmd_line, 12)).toString('latin1'), 'hello world\0');
      // Order: kernel < mfn_list < start_info < pt_base < boot stack.
      assert.ok(img.mfnListVa < si && si < img.ptBaseVa && img.ptBaseVa < img.bootStackTop);
      // mfn_list[pfn] = p2m, not the identity; and the m2p inverts it.
      let nonIdentity = 0;
      for (let pfn = 0; pfn < 64; pfn++) {
        const mfn = guestWord(d, img.mfnListVa + pfn * w, w);
        assert.strictEqual(mfn, img.p2m[pfn]);
        if (mfn !== pfn) nonIdentity++;
        const m2pVa = kind === 'pv64' ? -0x800000000000 + mfn * 8 : 0xf5800000 + mfn * 4;
        assert.strictEqual(guestWord(d, m2pVa, img.m2pEntrySize), pfn, `m2p[${mfn}]`);
      }
      assert.strictEqual(nonIdentity, 64);
      assert.ok(img.p2m[1] !== img.p2m[0] + 1, 'neighbouring pfns are not adjacent machine frames');
    });

    it(`${kind} page tables and m2p are mapped read-only, the rest writable`, () => {
      const d = createDomainFromElf(get());
      const img = d.image, cpu = d.vcpus[0].cpu;
      const at = (va: number): { w: boolean; ok: boolean } => {
        const p = probe(cpu.mem, cpu, va);
        return { ok: !!p.translation, w: !!p.translation?.writable };
      };
      assert.deepStrictEqual(at(img.ptBaseVa), { ok: true, w: false });
      assert.deepStrictEqual(at(img.startInfoVa), { ok: true, w: true });
      assert.deepStrictEqual(at(img.bootStackTop - 8), { ok: true, w: true });
      assert.deepStrictEqual(at(kind === 'pv64' ? -0x800000000000 : 0xf5800000), { ok: true, w: false });
      // At least 512 KiB mapped beyond the boot stack.
      assert.ok(at(img.bootStackTop + 512 * 1024 - 4096).ok);
      const ptMfns = img.ptFrames.map((f) => f.mfn);
      assert.strictEqual(ptMfns[0], img.rootMfn);
      assert.strictEqual(new Set(ptMfns).size, ptMfns.length);
    });
  }

  it('hypercall page bytes (pv64 and pv32, iret slot, 0xcc padding)', () => {
    const d = createDomainFromElf(pv64());
    const hp = d.image.params.hypercallPage as number;
    const page = guestBytes(d, hp, 4096);
    assert.deepStrictEqual(Array.from(page.subarray(18 * 32, 18 * 32 + 15)),
      [0x51, 0x41, 0x53, 0xb8, 18, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3, 0xcc]);
    assert.deepStrictEqual(Array.from(page.subarray(23 * 32, 23 * 32 + 12)),
      [0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05, 0xcc]);
    assert.ok(page.subarray(18 * 32 + 14, 19 * 32).every((b) => b === 0xcc));
    const p32 = hypercallPageBytes('pv32pae');
    assert.deepStrictEqual(Array.from(p32.subarray(29 * 32, 29 * 32 + 9)), [0xb8, 29, 0, 0, 0, 0xcd, 0x82, 0xc3, 0xcc]);
    assert.deepStrictEqual(Array.from(p32.subarray(23 * 32, 23 * 32 + 9)), [0x50, 0xb8, 23, 0, 0, 0, 0xcd, 0x82, 0xcc]);
  });

  it('is deterministic: the same guest twice gives the same instruction count and hypercall log', () => {
    const runOnce = (): unknown => {
      const d = createDomainFromElf(pv64(), { cmdline: 'i' });
      const r = d.run(1_000_000);
      return { r, icount: d.vcpus[0].cpu.icount, log: d.hypercallLog, bounces: d.bounceLog };
    };
    assert.deepStrictEqual(runOnce(), runOnce());
  });

  it('rejects malformed and unsupported images with a clear error', () => {
    assert.throws(() => buildDomainImage(new Uint8Array(100)), /bad ELF image: not an ELF file/);
    const bytes = Uint8Array.from(pv32());
    // Turn the PAE_MODE note's "yes" into "no".
    const at = Buffer.from(bytes).indexOf('yes\0');
    assert.ok(at > 0);
    bytes.set([0x6e, 0x6f, 0, 0], at);
    assert.throws(() => buildDomainImage(bytes), /PAE_MODE "no"/);
    assert.throws(() => buildDomainImage(pv64(), { memoryMiB: 1 }), /memory 1 MiB out of range/);
  });
});
