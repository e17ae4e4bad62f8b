// Exception, software-interrupt and syscall delivery into our test guests: Xen's bounce frames (pv64 and
// pv32), CR2 in vcpu_info, domain crash without a handler, int3/int $n DPL rules, the iret round trip, the failsafe
// callback of load_segments and double faults.

import * as assert from 'assert';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import { CS, SS, RSP, DS, GS, RCX } from '../../src/cpu/state';
import { loadSegments } from '../../src/xen/failsafe';
import { VCPU_INFO } from '../../src/xen/public';

const VCPUINFO_arch_cr2_64 = VCPU_INFO.pv64.fields['arch.cr2'], VCPUINFO_arch_cr2_32 = VCPU_INFO.pv32pae.fields['arch.cr2'];

const pv64 = (): Uint8Array => buildGuest('pv64-guest', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-guest', 'pv32');
const sym = guestSymbol;
function word(d: Domain, va: number, size: number): number {
  const b = copyFromGuest(d.vcpus[0].cpu, va, size);
  assert.ok(b);
  const v = new DataView(b.buffer);
  return size === 8 ? v.getInt32(4, true) * 2 ** 32 + v.getUint32(0, true) : v.getUint32(0, true);
}
function run(bytes: Uint8Array, cmdline: string): Domain {
  const d = createDomainFromElf(bytes, { cmdline });
  d.run(1_000_000);
  return d;
}

describe('xen: traps and bounce frames', () => {
  it('pv64 #UD: frame {rcx, r11, rip, cs|mask<<32, rflags, rsp, ss} at the handler SP', () => {
    const bytes = pv64();
    const d = run(bytes, 'u');
    assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
    assert.strictEqual(word(d, sym(bytes, 'handled_vec'), 8), 6);
    const sp = word(d, sym(bytes, 'saved_rsp'), 8);
    const boot = word(d, sym(bytes, 'boot_rsp'), 8);
    const b = d.bounceLog[0];
    assert.strictEqual(b.frameSp, sp);
    assert.strictEqual(b.frame.length, 7);
    const f = [0, 1, 2, 3, 4, 5, 6].map((i) => word(d, sp + i * 8, 8));
    assert.deepStrictEqual(f, b.frame);
    assert.strictEqual(f[2], sym(bytes, 'ud_insn'), 'rip = faulting ud2');
    assert.strictEqual(f[3], 0xe030 + 2 ** 32, 'kernel-mode cs has RPL cleared; saved upcall mask 1 in bits 32-39');
    assert.strictEqual(f[4] & 0x200, 0, 'virtual IF clear: events were masked');
    assert.strictEqual(f[5], boot, 'rsp at the fault (the call to set_traps has returned)');
    assert.strictEqual(f[6], 0xe02b);
    assert.strictEqual(sp, Math.floor(f[5] / 16) * 16 - 56);
  });

  it('pv64 #GP from a bad selector load carries the selector error code', () => {
    const bytes = pv64();
    const d = run(bytes, 'g');
    assert.strictEqual(word(d, sym(bytes, 'handled_vec'), 8), 13);
    const f = d.bounceLog[0].frame;
    assert.strictEqual(f.length, 8);
    assert.strictEqual(f[2], 0x1234, 'error code: the selector (TI=1, LDT) with RPL bits clear');
    assert.strictEqual(f[3], sym(bytes, 'gp_insn'));
  });

  it('pv64 #PF on a write to a read-only page-table page: error code, CR2 in vcpu_info', () => {
    const bytes = pv64();
    const d = run(bytes, 'p');
    assert.strictEqual(word(d, sym(bytes, 'handled_vec'), 8), 14);
    const f = d.bounceLog[0].frame;
    assert.strictEqual(f[2], 3, 'P|W, user bit cleared because the guest was in kernel mode');
    assert.strictEqual(f[3], sym(bytes, 'pf_insn'));
    const cr2 = d.mem.read32(d.vcpus[0].vcpuInfoPa + VCPUINFO_arch_cr2_64) + d.mem.read32(d.vcpus[0].vcpuInfoPa + VCPUINFO_arch_cr2_64 + 4) * 2 ** 32;
    assert.strictEqual(cr2 - 2 ** 64, d.image.ptBaseVa);
  });

  it('no trap handler → domain crash with a diagnostic', () => {
    const d = run(pv64(), 'n');
    assert.strictEqual(d.state, 'crashed');
    assert.match(d.crashDiagnostic, /^no trap handler for #UD/);
    const d2 = run(pv64(), 'N');
    assert.match(d2.crashDiagnostic, /^no trap handler for #PF\[0003\] at 0xffffffff8/);
    const r = d2.run(10);
    assert.strictEqual(r.reason, 'crashed');
  });

  it('int3 reaches the #BP handler with RIP after the instruction; int $0x80 needs DPL 3, else #GP(vec*8+2)', () => {
    const bytes = pv64();
    const d = run(bytes, 'b');
    assert.strictEqual(word(d, sym(bytes, 'handled_vec'), 8), 3);
    assert.strictEqual(d.bounceLog[0].frame[2], sym(bytes, 'after_int3'));
    const d80 = run(bytes, 'x');
    assert.strictEqual(word(d80, sym(bytes, 'handled_vec'), 8), 0x80);
    assert.strictEqual(d80.bounceLog[0].frame.length, 7, 'software interrupt: no error code');
    const d81 = run(bytes, 'X');
    assert.strictEqual(word(d81, sym(bytes, 'handled_vec'), 8), 13);
    assert.strictEqual(d81.bounceLog[0].frame[2], 0x81 * 8 + 2);
    assert.strictEqual(d81.bounceLog[0].frame[3], sym(bytes, 'int81_insn'));
  });

  it('forced-emulation prefix: ud2; .ascii "xen"; cpuid is emulated with the PV policy', () => {
    const bytes = pv64();
    const d = run(bytes, 'v');
    assert.strictEqual(d.state, 'shutdown');
    const b = copyFromGuest(d.vcpus[0].cpu, sym(bytes, 'cpuid_out'), 12);
    assert.strictEqual(Buffer.from(b as Uint8Array).toString('latin1'), 'XenVMMXenVMM');
    assert.strictEqual(d.bounceLog.length, 0);
  });

  it('iret round trip: kernel → user (iret hypercall) → kernel (syscall callback)', () => {
    const bytes = pv64();
    const d = run(bytes, 'i');
    assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
    assert.strictEqual(word(d, sym(bytes, 'user_rax_seen'), 8), 0x1111, 'iret restored rax');
    assert.strictEqual(word(d, sym(bytes, 'user_rax'), 8), 0x42, 'user code ran and made a syscall');
    const iret = d.hypercallLog.find((e) => e.name === 'iret');
    assert.ok(iret);
    assert.match(iret.diagnostic, /to user 0xe033/);
    const b = d.bounceLog[0];
    assert.ok(b.fromUser);
    assert.strictEqual(b.frameSp, sym(bytes, 'kstack_top') - 56, 'frame on the stack_switch stack');
    // {rcx = return rip, r11 = rflags, rip, cs (RPL 3: user), rflags, rsp, ss}
    const after = sym(bytes, 'user_syscall') + 2;
    assert.deepStrictEqual(b.frame, [after, 0x202, after, 0xe033, 0x202, sym(bytes, 'user_stack_top'), 0xe02b]);
    assert.ok(d.vcpus[0].kernelMode, 'back in kernel mode');
    assert.strictEqual(word(d, sym(bytes, 'saved_rsp'), 8), b.frameSp);
  });

  it('pv32 #UD and #PF frames: {[ec], eip, cs|mask<<16, eflags}, CR2 in vcpu_info', () => {
    const bytes = pv32();
    const d = run(bytes, 'u');
    assert.strictEqual(word(d, sym(bytes, 'handled_vec'), 4), 6);
    const sp = word(d, sym(bytes, 'saved_esp'), 4);
    assert.deepStrictEqual(d.bounceLog[0].frame, [sym(bytes, 'ud_insn'), 0xe019 | (1 << 16), 0x46]);
    assert.deepStrictEqual([0, 1, 2].map((i) => word(d, sp + i * 4, 4)), d.bounceLog[0].frame);
    assert.strictEqual(d.vcpus[0].cpu.segSel[CS], 0xe019);
    const dp = run(bytes, 'p');
    assert.deepStrictEqual(dp.bounceLog[0].frame.slice(0, 2), [3, sym(bytes, 'pf_insn')]);
    assert.strictEqual(dp.mem.read32(dp.vcpus[0].vcpuInfoPa + VCPUINFO_arch_cr2_32), dp.image.ptBaseVa);
    const dn = run(bytes, 'n');
    assert.match(dn.crashDiagnostic, /no trap handler for #UD/);
    const db = run(bytes, 'b');
    assert.strictEqual(word(db, sym(bytes, 'handled_vec'), 4), 3);
    void SS; void RSP;
  });
});

describe('xen: failsafe callback and double faults', () => {
  it('pv64 load_segments: a selector that no longer loads becomes NUL and enters the failsafe callback', () => {
    const bytes = pv64();
    const d = createDomainFromElf(bytes, { cmdline: 'h' });
    const v = d.vcpus[0], cpu = v.cpu;
    v.failsafe = { cs: 0, address: sym(bytes, 'handler_common'), flags: 0 };
    cpu.setSegment(DS, 0x0f, 0, 0xffffffff, 0xf3); // an LDT selector, but the guest has no LDT
    const rsp = cpu.getSP(), rip = cpu.rip;
    const r = loadSegments(v);
    assert.deepStrictEqual(r.failed, [{ seg: 'ds', sel: 0x0f }]);
    assert.strictEqual(r.crash, null);
    assert.ok(r.record);
    assert.strictEqual(cpu.segSel[DS], 0);
    assert.strictEqual(cpu.rip, sym(bytes, 'handler_common'));
    assert.strictEqual(cpu.segSel[CS], 0xe033);
    const sp = cpu.getSP();
    assert.strictEqual(sp, Math.floor(rsp / 16) * 16 - 88);
    const f = Array.from({ length: 11 }, (_, i) => word(d, sp + i * 8, 8));
    assert.deepStrictEqual(f.slice(2, 7), [0x0f, 0, 0, 0, rip], 'ds es fs gs as saved, then rip');
    assert.strictEqual(f[7], 0xe030 + 2 ** 32, 'kernel cs with RPL cleared and the upcall mask');
    assert.deepStrictEqual(f.slice(9), [rsp, 0xe02b]);
    assert.strictEqual(cpu.regNumber(RCX), sym(bytes, 'handler_common') + 2 ** 64, 'sysret exit: rcx = rip');
    assert.deepStrictEqual(loadSegments(v).failed, [], 'nothing left to fix');
  });

  it('pv32 load_segments: failsafe frame {ds, es, fs, gs, eip, cs, eflags} at FLAT_RING1_CS', () => {
    const bytes = pv32();
    const d = createDomainFromElf(bytes, { cmdline: 'h' });
    const v = d.vcpus[0], cpu = v.cpu;
    v.failsafe = { cs: 0xe019, address: sym(bytes, 'handler_common'), flags: 0 };
    cpu.setSegment(GS, 0x0d, 0, 0xffffffff, 0xb3);
    const esp = cpu.getSP(), eip = cpu.rip;
    const r = loadSegments(v);
    assert.deepStrictEqual(r.failed, [{ seg: 'gs', sel: 0x0d }]);
    assert.deepStrictEqual(r.record?.frame, [0xe021, 0xe021, 0xe021, 0x0d, eip, 0xe019 | (1 << 16), 0x2]);
    assert.strictEqual(cpu.getSP(), esp - 28);
    assert.strictEqual(cpu.segSel[CS], 0xe019);
    assert.strictEqual(cpu.segSel[GS], 0);
    const n = createDomainFromElf(bytes, { cmdline: 'h' });
    n.vcpus[0].cpu.setSegment(GS, 0x0d, 0, 0xffffffff, 0xb3);
    assert.match(loadSegments(n.vcpus[0]).crash ?? '', /no failsafe callback registered.*reloading gs=0x000d/);
  });

  it('a fault while writing a bounce frame crashes the domain, naming both faults', () => {
    const bytes = pv64();
    const d = createDomainFromElf(bytes, { cmdline: 'h' });
    const v = d.vcpus[0], cpu = v.cpu;
    v.trapCtxt[6].address = sym(bytes, 'ud_handler');
    cpu.setReg64(RSP, 0x10000, 0); // not mapped
    cpu.ops.exception(cpu, 6, -1);
    assert.strictEqual(d.state, 'crashed');
    assert.match(d.crashDiagnostic, /^double fault: delivering #UD \(rip 0x[0-9a-f]+\) failed: create_bounce_frame: #PF writing the 56-byte frame at 0xffc8 \(guest stack not writable\)/);
    const b32 = pv32();
    const d32 = createDomainFromElf(b32, { cmdline: 'h' });
    const v32 = d32.vcpus[0];
    v32.trapCtxt[13] = { vector: 13, flags: 0, cs: 0xe019, address: sym(b32, 'ud_handler') };
    v32.cpu.setReg32(RSP, 0x1000);
    v32.cpu.ops.exception(v32.cpu, 13, 0x1234);
    assert.match(d32.crashDiagnostic, /^double fault: delivering #GP\[1234\] .*compat_create_bounce_frame: #PF writing the 16-byte frame at 0xff0 /);
  });
});
