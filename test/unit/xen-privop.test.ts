// Privileged-instruction emulation (emulate-privop.ts, emulate-msr.ts, emulate-io.ts): instruction bytes are put
// at a scratch page of a freshly built guest and the hypervisor receives the #GP(0) the CPU would raise there.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyToGuest, copyFromGuest } from '../../src/xen/guest-access';
import { RAX, RCX, RDX, RDI, RSP, FS, GS } from '../../src/cpu/state';
import { GP, DB } from '../../src/cpu/fault';
import { F_TF, setFlags } from '../../src/cpu/flags';
import { hypercallPageBytes } from '../../src/xen/builder/hypercall-page';
import { PGT_l4_page_table } from '../../src/xen/mm';

const bytes64 = (): Uint8Array => buildGuest('pv64-xtf', 'pv64');
const bytes32 = (): Uint8Array => buildGuest('pv32-xtf', 'pv32');

interface Emu { d: Domain; at: number; }

/** A fresh domain with `code` at a scratch page (the XTF guest's kernel stack page), RIP there. */
function setup(kind: 'pv64' | 'pv32', code: number[]): Emu {
  const b = kind === 'pv64' ? bytes64() : bytes32();
  const d = createDomainFromElf(b);
  const at = guestSymbol(b, 'kstack_top') - 4096;
  assert.ok(copyToGuest(d.vcpus[0].cpu, at, new Uint8Array(code)));
  d.vcpus[0].cpu.rip = at;
  return { d, at };
}

/** Raise #GP(0) at RIP as the CPU does for a privileged instruction at CPL > 0. */
function gp(e: Emu): void {
  const cpu = e.d.vcpus[0].cpu;
  cpu.ops.exception(cpu, GP, 0);
}

const last = (d: Domain): string => d.bounceLog[d.bounceLog.length - 1]?.kind ?? '';
const reg64 = (d: Domain, r: number): number => d.vcpus[0].cpu.regNumber(r);

function rdmsr(kind: 'pv64' | 'pv32', msr: number): Emu {
  const e = setup(kind, [0x0f, 0x32]);
  e.d.vcpus[0].cpu.setReg32(RCX, msr | 0);
  gp(e);
  return e;
}

describe('xen: privileged-operation emulation', () => {
  it('rdmsr returns the values Xen gives a PV guest and advances RIP past the instruction', () => {
    const cases: [number, number, number][] = [
      [0x1b, 0xfee00900, 0], [0x277, 0x00070406, 0x501], [0x1a0, 0x00801801, 0], [0xce, 0, 1], [0xc0000080, 0xd01, 0],
    ];
    for (const [msr, lo, hi] of cases) {
      const e = rdmsr('pv64', msr);
      const cpu = e.d.vcpus[0].cpu;
      assert.strictEqual(cpu.getReg32(RAX) >>> 0, lo, `msr 0x${msr.toString(16)} low`);
      assert.strictEqual(cpu.getReg32(RDX) >>> 0, hi, `msr 0x${msr.toString(16)} high`);
      assert.strictEqual(cpu.rip, e.at + 2);
      assert.match(last(e.d), new RegExp(`^emulated rdmsr 0x${msr.toString(16)} = `));
    }
    assert.strictEqual(rdmsr('pv32', 0xc0000080).d.vcpus[0].cpu.getReg32(RAX), 0x800, 'pv32: no LME/LMA/SCE');
  });

  it('an unknown MSR reads as 0 before a #GP handler exists (faking RDMSR), else #GP is bounced', () => {
    const e = rdmsr('pv64', 0x10);
    assert.match(last(e.d), /emulated rdmsr 0x10 = /);
    const f = setup('pv64', [0x0f, 0x32]);
    f.d.vcpus[0].cpu.setReg32(RCX, 0xc0000081);
    f.d.vcpus[0].cpu.setReg32(RAX, 0x77);
    gp(f);
    assert.strictEqual(f.d.vcpus[0].cpu.getReg32(RAX), 0, 'STAR exists on the host but not for PV guests: faked as 0');
    assert.match(last(f.d), /faking RDMSR/);
    const g = setup('pv64', [0x0f, 0x32]);
    g.d.vcpus[0].trapCtxt[13].address = g.at + 0x100;
    g.d.vcpus[0].cpu.setReg32(RCX, 0xc0000081);
    gp(g);
    assert.strictEqual(g.d.vcpus[0].cpu.rip, g.at + 0x100, 'delivered to the #GP handler');
    assert.match(last(g.d), /not emulated: rdmsr 0xc0000081/);
    assert.strictEqual(g.d.state, 'running');
  });

  it('wrmsr: FS/GS/shadow GS bases (canonical only), EFER only unchanged, MISC_ENABLE ignored', () => {
    const e = setup('pv64', [0x0f, 0x30]);
    const cpu = e.d.vcpus[0].cpu;
    cpu.setReg32(RCX, 0xc0000101); cpu.setReg32(RAX, 0x1000); cpu.setReg32(RDX, 0x7fff);
    gp(e);
    assert.strictEqual(cpu.segBase[GS], 0x7fff00001000);
    const s = setup('pv64', [0x0f, 0x30]);
    s.d.vcpus[0].cpu.setReg32(RCX, 0xc0000102); s.d.vcpus[0].cpu.setReg32(RAX, 0x2000); s.d.vcpus[0].cpu.setReg32(RDX, 0);
    gp(s);
    assert.strictEqual(s.d.vcpus[0].cpu.kernelGsBaseLo, 0x2000);
    const bad = setup('pv64', [0x0f, 0x30]);
    bad.d.vcpus[0].trapCtxt[13].address = bad.at + 0x100;
    bad.d.vcpus[0].cpu.setReg32(RCX, 0xc0000100); bad.d.vcpus[0].cpu.setReg32(RDX, 0x8000);
    gp(bad);
    assert.match(last(bad.d), /not emulated: wrmsr 0xc0000100: non-canonical/);
    assert.strictEqual(bad.d.vcpus[0].cpu.segBase[FS], 0);
    for (const [val, ok] of [[0xd01, true], [0x901, false]] as const) {
      const f = setup('pv64', [0x0f, 0x30]);
      f.d.vcpus[0].trapCtxt[13].address = f.at + 0x100;
      f.d.vcpus[0].cpu.setReg32(RCX, 0xc0000080); f.d.vcpus[0].cpu.setReg32(RAX, val); f.d.vcpus[0].cpu.setReg32(RDX, 0);
      gp(f);
      assert.strictEqual(f.d.vcpus[0].cpu.rip, ok ? f.at + 2 : f.at + 0x100);
    }
    const m = setup('pv64', [0x0f, 0x30]);
    m.d.vcpus[0].cpu.setReg32(RCX, 0x1a0); m.d.vcpus[0].cpu.setReg32(RAX, 0x1234);
    gp(m);
    assert.match(last(m.d), /emulated wrmsr 0x1a0 .*ignored/);
  });

  it('wrmsr 0x40000000 writes the hypercall page into an owned frame, #GP for a page-table frame', () => {
    const e = setup('pv64', [0x0f, 0x30]);
    const d = e.d, cpu = d.vcpus[0].cpu;
    const mfn = d.image.p2m[5];
    const typeCount = d.mm.frames.typeCount[mfn];
    cpu.setReg32(RCX, 0x40000000); cpu.setReg32(RAX, mfn * 4096); cpu.setReg32(RDX, 0);
    gp(e);
    assert.deepStrictEqual(d.mem.bytes.subarray(mfn * 4096, mfn * 4096 + 4096), hypercallPageBytes('pv64'));
    assert.strictEqual(d.mm.frames.typeCount[mfn], typeCount, 'the writable type reference was dropped again');
    const p = setup('pv64', [0x0f, 0x30]);
    p.d.vcpus[0].trapCtxt[13].address = p.at + 0x100;
    const root = p.d.vcpus[0].guestTable;
    assert.strictEqual(p.d.mm.frames.type[root], PGT_l4_page_table);
    p.d.vcpus[0].cpu.setReg32(RCX, 0x40000000); p.d.vcpus[0].cpu.setReg32(RAX, root * 4096); p.d.vcpus[0].cpu.setReg32(RDX, 0);
    gp(p);
    assert.match(last(p.d), /not emulated: wrmsr 0x40000000: Bad GMFN/);
  });

  it('mov to CR3 follows new_guest_cr3: the current root is accepted, a data frame is refused', () => {
    const e = setup('pv64', [0x0f, 0x22, 0xd8]); // mov %rax, %cr3
    const root = e.d.vcpus[0].guestTable;
    e.d.vcpus[0].cpu.setReg64(RAX, root * 4096, 0);
    gp(e);
    assert.strictEqual(e.d.vcpus[0].cpu.rip, e.at + 3);
    const f = setup('pv64', [0x0f, 0x22, 0xd8]);
    f.d.vcpus[0].trapCtxt[13].address = f.at + 0x100;
    f.d.vcpus[0].cpu.setReg64(RAX, f.d.image.p2m[5] * 4096, 0);
    gp(f);
    assert.match(last(f.d), /not emulated: mov cr3 <- .*new_guest_cr3\(mfn [0-9a-f]+\) = -22/);
    assert.strictEqual(f.d.vcpus[0].guestTable, root);
    const g = setup('pv32', [0x0f, 0x20, 0xd8]); // mov %cr3, %eax: compat_pfn_to_cr3
    gp(g);
    const m = g.d.vcpus[0].guestTable;
    assert.strictEqual(g.d.vcpus[0].cpu.getReg32(RAX) >>> 0, ((m << 12) | (m >>> 20)) >>> 0);
  });

  it('CR4 is a guest view: visible hardware bits, TSD settable, the rest ignored', () => {
    const e = setup('pv64', [0x0f, 0x20, 0xe0, 0x0f, 0x22, 0xe0, 0x0f, 0x20, 0xe1]);
    const cpu = e.d.vcpus[0].cpu;
    gp(e);
    assert.strictEqual(cpu.getReg32(RAX), 0x620);
    cpu.setReg64(RAX, 0x4, 0);
    gp(e);
    gp(e);
    assert.strictEqual(cpu.getReg32(RCX), 0x624, 'TSD kept, PAE/OSFXSR/OSXMMEXCPT stay as the hardware has them');
    assert.strictEqual(cpu.cr4 & 4, 0, 'the emulated CPU itself is unchanged');
  });

  it('port I/O: iopl_ok rules, all-ones reads, the 0xcf8 latch, rep insb into guest memory, #PF on a bad buffer', () => {
    const e = setup('pv64', [0xe4, 0x60]);
    e.d.vcpus[0].trapCtxt[13].address = e.at + 0x100;
    gp(e);
    assert.match(last(e.d), /not emulated: in port 0x0060: port I\/O needs IOPL >= 1/);
    const f = setup('pv64', [0xe4, 0x60]);
    f.d.vcpus[0].iopl = 0x1000;
    gp(f);
    assert.strictEqual(f.d.vcpus[0].cpu.getReg32(RAX) & 0xff, 0xff);
    const latch = setup('pv32', [0xba, 0xf8, 0x0c, 0, 0, 0xef, 0xed]); // mov $0xcf8,%edx; out %eax,%dx; in %dx,%eax
    const cpu = latch.d.vcpus[0].cpu;
    latch.d.vcpus[0].iopl = 0x3000;
    cpu.rip += 5; cpu.setReg32(RDX, 0xcf8); cpu.setReg32(RAX, 0x80001234);
    gp(latch);
    cpu.setReg32(RAX, 0);
    gp(latch);
    assert.strictEqual(cpu.getReg32(RAX) >>> 0, 0x80001234);
    const b = bytes64();
    const r = setup('pv64', [0xf3, 0x6c]); // rep insb
    r.d.vcpus[0].iopl = 0x1000;
    const buf = guestSymbol(b, 'line');
    const rc = r.d.vcpus[0].cpu;
    rc.setReg64(RDI, buf | 0, Math.floor(buf / 2 ** 32) | 0); rc.setReg32(RCX, 5); rc.setReg32(RDX, 0x80);
    gp(r);
    assert.deepStrictEqual(Array.from(copyFromGuest(rc, buf, 6) as Uint8Array), [0xff, 0xff, 0xff, 0xff, 0xff, 0]);
    assert.strictEqual(reg64(r.d, RDI), buf + 5 + 2 ** 64);
    assert.strictEqual(rc.getReg32(RCX), 0);
    assert.strictEqual(rc.rip, r.at + 2);
    const bad = setup('pv64', [0x6e]); // outsb from an unmapped address
    bad.d.vcpus[0].iopl = 0x1000;
    bad.d.vcpus[0].trapCtxt[14].address = bad.at + 0x100;
    bad.d.vcpus[0].cpu.setReg64(6 /* RSI */, 0x1000, 0);
    gp(bad);
    assert.match(last(bad.d), /exception .*emulating: outsb port .*not readable/);
    assert.strictEqual(bad.d.bounceLog[bad.d.bounceLog.length - 1].vector, 14);
  });

  it('user mode cannot use the privileged ones; cli/sti follow the virtual IOPL', () => {
    const e = setup('pv64', [0x0f, 0x20, 0xc0]);
    const v = e.d.vcpus[0];
    v.trapCtxt[13].address = e.at + 0x100;
    v.kernelSp = guestSymbol(bytes64(), 'kstack_top');
    v.kernelMode = false;
    gp(e);
    assert.match(last(e.d), /not emulated: Mov_r64_cr in guest user mode/);
    const c = setup('pv32', [0xfa]);
    c.d.vcpus[0].trapCtxt[13].cs = 0xe019; c.d.vcpus[0].trapCtxt[13].address = c.at + 0x100;
    gp(c);
    assert.match(last(c.d), /not emulated: cli: virtual IOPL 0 too low/);
    const s = setup('pv32', [0xfb]);
    s.d.vcpus[0].iopl = 0x1000;
    gp(s);
    assert.strictEqual(s.d.vcpus[0].cpu.rip, s.at + 1);
    assert.match(last(s.d), /^emulated sti ignored/);
  });

  it('single-stepping over an emulated instruction raises #DB after it', () => {
    const e = setup('pv64', [0x0f, 0x09]); // wbinvd
    const v = e.d.vcpus[0];
    v.trapCtxt[DB].address = e.at + 0x100;
    setFlags(v.cpu, F_TF, F_TF);
    gp(e);
    const kinds = e.d.bounceLog.map((b) => b.kind);
    assert.match(kinds[0], /^emulated wbinvd/);
    assert.match(kinds[1], /single step over an emulated instruction/);
    assert.strictEqual(e.d.bounceLog[1].frame[2], e.at + 2, 'the #DB frame points after the wbinvd');
  });

  it('garbage and unreadable instructions never crash the hypervisor', () => {
    const e = setup('pv64', [0x0f, 0xff, 0xff, 0xff]);
    e.d.vcpus[0].trapCtxt[13].address = e.at + 0x100;
    gp(e);
    assert.strictEqual(e.d.state, 'running');
    assert.match(last(e.d), /not emulated/);
    const f = setup('pv64', [0x90]);
    f.d.vcpus[0].trapCtxt[14].address = f.at + 0x100;
    f.d.vcpus[0].cpu.rip = 0x5000;
    gp(f);
    assert.match(last(f.d), /emulating: instruction fetch at 0x5000 faulted/);
    const g = setup('pv64', [0x0f, 0x32]);
    g.d.vcpus[0].cpu.setReg32(RCX, 0x12345678); // not an MSR of the host either: #GP, and no handler -> crash
    gp(g);
    assert.strictEqual(g.d.state, 'crashed');
    assert.match(g.d.crashDiagnostic, /^no trap handler for #GP\[0000\].*\[not emulated: rdmsr 0x12345678/);
  });
});
