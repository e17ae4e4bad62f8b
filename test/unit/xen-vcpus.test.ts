// vcpu_op through our own guests: a 2-vCPU domain where vCPU 0 initialises vCPU 1 (own stack, same page table),
// brings it up, and vCPU 1 writes memory, IPIs vCPU 0 and goes down (pv64 and pv32 contexts); VCPUOP_initialise
// rejections with rollback, register_vcpu_info, runstate, determinism; struct layouts checked against gcc.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf, Domain, RunResult, BuildError } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';
import * as X from '../../src/xen/public';
import { PGT_writable_page } from '../../src/xen/mm';

const pv64 = (): Uint8Array => buildGuest('pv64-events', 'pv64');
const pv32 = (): Uint8Array => buildGuest('pv32-events', 'pv32');

interface Run { d: Domain; r: RunResult; res: number[]; }

function boot(bytes: Uint8Array, scenario: string, vcpus: number): Run {
  const d = createDomainFromElf(bytes, { cmdline: scenario, vcpus });
  const r = d.run(20_000_000);
  const w = d.kind === 'pv64' ? 8 : 4;
  const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res'), 32 * w);
  assert.ok(b);
  const dv = new DataView(b.buffer);
  const res = Array.from({ length: 32 }, (_, i) => (w === 8 ? dv.getInt32(i * 8 + 4, true) * 2 ** 32 + dv.getUint32(i * 8, true) : dv.getInt32(i * 4, true)));
  return { d, r, res };
}

describe('xen: vcpu_op', () => {
  it('pv64: vCPU 0 initialises and brings up vCPU 1, which writes memory, IPIs vCPU 0 and goes down', () => {
    const x = boot(pv64(), 'M', 2);
    assert.strictEqual(x.r.reason, 'shutdown', `${x.r.detail} ${x.d.crashDiagnostic}`);
    const r = x.res;
    assert.deepStrictEqual(r.slice(0, 12), [
      0, -22, // is_up(1) before; up(1) before initialise
      0, -17, // initialise; again: -EEXIST
      0, 1, // up; is_up
      0x1234, 1, 3, // vCPU 1 stored its rdi; vCPU 0 got one upcall, on the IPI port
      0, 0, X.RUNSTATE_offline, // is_up(1) after VCPUOP_down; runstate of vCPU 1
    ]);
    const [before, after, vcpu1Tsc, sendRc] = r.slice(12, 16);
    assert.strictEqual(sendRc, 0);
    assert.ok(before < vcpu1Tsc && vcpu1Tsc < after, `one TSC across vCPUs: ${before} < ${vcpu1Tsc} < ${after}`);
    const v1 = x.d.vcpus[1];
    assert.deepStrictEqual([v1.initialised, v1.online, v1.guestTable], [true, false, x.d.vcpus[0].guestTable]);
    const byV1 = x.d.hypercallLog.filter((e) => e.vcpu === 1).map((e) => e.decoded.split(',')[0]);
    assert.deepStrictEqual(byV1, ['EVTCHNOP_send', 'VCPUOP_down']);
    assert.match(x.d.hypercallLog.find((e) => e.decoded.startsWith('VCPUOP_initialise'))?.diagnostic ?? '', /vCPU 1: 0xffffffff8\w+ sp 0xffffffff8\w+, cr3 mfn 0x\w+/);
  });

  it('pv32: the same from a compat vcpu_guest_context (ring-1 selectors, extended cr3)', () => {
    const x = boot(pv32(), 'M', 2);
    assert.strictEqual(x.r.reason, 'shutdown', `${x.r.detail} ${x.d.crashDiagnostic}`);
    assert.deepStrictEqual(x.res.slice(0, 7), [0, 0, 0x1234, 1, 3, 0, X.FLAT_RING1_CS]);
    assert.strictEqual(x.d.vcpus[1].guestTable, x.d.vcpus[0].guestTable);
  });

  it('VCPUOP_initialise rejections take no references (rollback), then a good context succeeds', () => {
    const bytes = pv64();
    const d = createDomainFromElf(bytes, { cmdline: 'I', vcpus: 2 });
    const root = d.vcpus[0].guestTable;
    const before = d.mm.frames.typeCount[root];
    d.run(5_000_000);
    const b = copyFromGuest(d.vcpus[0].cpu, guestSymbol(bytes, 'res'), 6 * 8) as Uint8Array;
    const res = Array.from({ length: 6 }, (_, i) => new DataView(b.buffer).getInt32(i * 8, true));
    assert.deepStrictEqual(res, [-22, -22, -22, -22, -22, 0]);
    const diags = d.hypercallLog.filter((e) => e.decoded.startsWith('VCPUOP_')).map((e) => e.diagnostic);
    assert.match(diags[0], /ctrlreg\[3\] 0x0: mfn 0x0 cannot be this vCPU's L4 page table; not-owned/);
    assert.match(diags[1], /user_regs.rip 0x900000000000 is not canonical/);
    assert.match(diags[2], /cs 0x123b is beyond the GDT\/LDT/);
    assert.match(diags[3], /needs a user page table in ctrlreg\[1\]/);
    assert.match(diags[4], /no context yet/);
    assert.strictEqual(d.mm.frames.typeCount[root], before + 1, 'only the successful initialise holds a root reference');
    assert.deepStrictEqual([d.vcpus[1].initialised, d.vcpus[1].online], [true, false]);
  });

  it('VCPUOP_register_vcpu_info moves vcpu_info (checks, spurious upcall, events through the new place)', () => {
    const bytes = pv64();
    const x = boot(bytes, 'R', 2);
    assert.strictEqual(x.r.reason, 'shutdown');
    const r = x.res, mfn = r[0];
    assert.deepStrictEqual(r.slice(1, 8), [0, -16, -6, -6, -22, -13, -22], 'ok, EBUSY, ENXIO (crosses), ENXIO (aligned), EINVAL (offset), EACCES (page table), EINVAL (Xen frame)');
    assert.deepStrictEqual(r.slice(8, 11), [1, 1, -1], 'mask copied; upcall_pending and every selector bit set after the move');
    assert.ok(r[11] > 0 && r[11] % 2 === 0, 'time info republished in the new place');
    assert.deepStrictEqual(r.slice(12, 14), [1, 3], 'an IPI is delivered through the relocated vcpu_info');
    assert.ok(r[14] > 0, 'system time readable from the relocated time info');
    const v0 = x.d.vcpus[0];
    assert.strictEqual(v0.vcpuInfoPa, mfn * 4096 + 64);
    assert.strictEqual(x.d.vcpus[1].vcpuInfoArea, null);
    assert.strictEqual(x.d.mm.frames.type[mfn], PGT_writable_page, 'a writable page');
    assert.strictEqual(x.d.mm.frames.typeCount[mfn], 2, 'type refs: the guest\'s writable mapping + the registered vcpu_info');
    assert.strictEqual(v0.upcallMask, 0, 'the getter reads the new place, where the guest cleared the mask');
    assert.strictEqual(x.d.mem.read8(x.d.sharedInfoPa + X.VCPU_INFO.pv64.fields.evtchn_upcall_mask), 1, 'the old slot is no longer used');
  });

  it('VCPUOP_down of the last vCPU up shuts the domain down; vcpus must be 1..32', () => {
    const x = boot(pv64(), 'D', 1);
    assert.strictEqual(x.r.reason, 'shutdown');
    assert.strictEqual(x.d.shutdownReason, X.SHUTDOWN_poweroff);
    assert.match(x.d.hypercallLog[x.d.hypercallLog.length - 1].diagnostic, /last one up/);
    assert.throws(() => createDomainFromElf(pv64(), { vcpus: 33 }), BuildError);
    assert.throws(() => createDomainFromElf(pv64(), { vcpus: 0 }), BuildError);
  });

  it('runstate: offline secondary vCPUs account all time as offline; the 2-vCPU run is deterministic', () => {
    const a = boot(pv64(), 'M', 2), b = boot(pv64(), 'M', 2);
    assert.strictEqual(JSON.stringify(a.d.hypercallLog), JSON.stringify(b.d.hypercallLog));
    assert.deepStrictEqual(a.res, b.res);
    const now = a.d.time.nowNs();
    for (const v of a.d.vcpus) {
      const s = v.runstate.snapshot(now);
      assert.strictEqual(s.time.reduce((p, q) => p + q, 0), now, `vCPU ${v.id} times add up`);
    }
    const s1 = a.d.vcpus[1].runstate.snapshot(now);
    assert.ok(s1.time[X.RUNSTATE_offline] > 0 && s1.time[X.RUNSTATE_running] > 0);
  });
});

// Our own C definitions from the documented field lists (public/vcpu.h, sched.h, event_channel.h, arch-x86).
const C_SOURCE = `
typedef unsigned char u8; typedef unsigned short u16; typedef unsigned int u32; typedef unsigned long long u64;
typedef unsigned long ul;
#ifdef __x86_64__
struct cpu_user_regs { u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
  u32 error_code, entry_vector; u64 rip; u16 cs, _pad0[1]; u8 saved_upcall_mask; u8 _pad1[3]; u64 rflags, rsp;
  u16 ss, _pad2[3]; u16 es, _pad3[3]; u16 ds, _pad4[3]; u16 fs, _pad5[3]; u16 gs, _pad6[3]; };
#else
struct cpu_user_regs { u32 ebx, ecx, edx, esi, edi, ebp, eax; u16 error_code, entry_vector; u32 eip; u16 cs;
  u8 saved_upcall_mask; u8 _pad0; u32 eflags, esp; u16 ss, _pad1; u16 es, _pad2; u16 ds, _pad3; u16 fs, _pad4;
  u16 gs, _pad5; };
#endif
struct trap_info { u8 vector; u8 flags; u16 cs; ul address; };
struct vcpu_guest_context { struct { char x[512]; } fpu_ctxt; ul flags; struct cpu_user_regs user_regs;
  struct trap_info trap_ctxt[256]; ul ldt_base, ldt_ents; ul gdt_frames[16], gdt_ents; ul kernel_ss, kernel_sp;
  ul ctrlreg[8]; ul debugreg[8];
#ifdef __x86_64__
  ul event_callback_eip; ul failsafe_callback_eip; ul syscall_callback_eip; ul vm_assist;
  u64 fs_base, gs_base_kernel, gs_base_user;
#else
  ul event_callback_cs, event_callback_eip, failsafe_callback_cs, failsafe_callback_eip; ul vm_assist;
#endif
};
struct vcpu_runstate_info { int state; u64 state_entry_time; u64 time[4]; };
struct vcpu_register_vcpu_info { u64 mfn; u32 offset; u32 rsvd; };
struct vcpu_set_singleshot_timer { u64 timeout_abs_ns; u32 flags; };
struct sched_poll { u32 *ports; unsigned int nr_ports; u64 timeout; };
struct evtchn_status { u16 dom; u32 port; u32 status; u32 vcpu;
  union { struct { u16 dom; } unbound; struct { u16 dom; u32 port; } interdomain; u32 pirq; u32 virq; } u; };
struct evtchn_alloc_unbound { u16 dom, remote_dom; u32 port; };
struct evtchn_bind_interdomain { u16 remote_dom; u32 remote_port; u32 local_port; };
struct evtchn_bind_virq { u32 virq, vcpu, port; };
struct evtchn_init_control { u64 control_gfn; u32 offset; u32 vcpu; u8 link_bits; u8 _pad[7]; };
`;

function layoutsOf(abi: X.GuestAbi): [X.StructLayout, string][] {
  return [[X.CPU_USER_REGS[abi], 'cpu_user_regs'], [X.VCPU_GUEST_CONTEXT[abi], 'vcpu_guest_context'],
    [X.VCPU_RUNSTATE_INFO[abi], 'vcpu_runstate_info'], [X.VCPU_REGISTER_VCPU_INFO, 'vcpu_register_vcpu_info'],
    [X.VCPU_SET_SINGLESHOT_TIMER[abi], 'vcpu_set_singleshot_timer'], [X.SCHED_POLL[abi], 'sched_poll'],
    [X.EVTCHN_STATUS, 'evtchn_status'], [X.EVTCHN_ALLOC_UNBOUND, 'evtchn_alloc_unbound'],
    [X.EVTCHN_BIND_INTERDOMAIN, 'evtchn_bind_interdomain'], [X.EVTCHN_BIND_VIRQ, 'evtchn_bind_virq'],
    [X.EVTCHN_INIT_CONTROL, 'evtchn_init_control']];
}

/** gcc -S of `const unsigned v<i> = offsetof/sizeof`, values read back from the assembly. */
function gccValues(bits: 32 | 64, exprs: string[]): number[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xen-vcpu-layout-'));
  try {
    const src = path.join(dir, 'l.c');
    fs.writeFileSync(src, C_SOURCE + exprs.map((e, i) => `const unsigned int v${i} = ${e};`).join('\n') + '\n');
    const asm = execFileSync('gcc', [`-m${bits}`, '-S', '-o', '-', src], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const out: number[] = [];
    const re = /^v(\d+):\s*\n\s*\.(long\s+(\d+)|zero\s+4)/gm;
    let m: RegExpExecArray | null;
    while ((m = re.exec(asm))) out[Number(m[1])] = m[3] === undefined ? 0 : Number(m[3]);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('xen public: vcpu / sched / evtchn layouts vs gcc', function () {
  this.timeout(30000);
  for (const [abi, bits] of [['pv64', 64], ['pv32pae', 32]] as const) {
    it(`${abi} offsets and sizes equal gcc -m${bits}`, () => {
      const exprs: string[] = [], want: number[] = [], names: string[] = [];
      for (const [l, c] of layoutsOf(abi)) {
        for (const [f, off] of Object.entries(l.fields)) { exprs.push(`__builtin_offsetof(struct ${c}, ${f})`); want.push(off); names.push(`${c}.${f}`); }
        exprs.push(`sizeof(struct ${c})`); want.push(l.size); names.push(`sizeof ${c}`);
      }
      const got = gccValues(bits, exprs);
      assert.strictEqual(got.filter((v) => v !== undefined).length, exprs.length, 'every probe found');
      names.forEach((n, i) => assert.strictEqual(got[i], want[i], `${abi} ${n}`));
    });
  }
});
