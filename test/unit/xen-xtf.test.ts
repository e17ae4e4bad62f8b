// XTF-style guests (test/guests/pv64-xtf.S, pv32-xtf.S): every sub-test reports PASS on both console channels and
// the domain powers off; two runs of the same guest give the same hypercall log, bounce log and final registers.

import * as assert from 'assert';
import { buildGuest } from '../guests/build';
import { createDomainFromElf, Domain } from '../../src/xen';

const PV64_TESTS = [
  'set_trap_table', 'map_shared_info', 'divide_error', 'invalid_opcode', 'int3_breakpoint', 'gp_selector_error_code',
  'page_fault_cr2', 'read_cr0', 'read_cr3', 'cr0_ts_and_clts', 'write_cr0_pg_wp_gp', 'rdmsr_efer', 'wrmsr_fs_base',
  'rdmsr_unknown_gp', 'wbinvd_ignored', 'in_without_iopl_gp', 'in_with_architectural_iopl', 'hlt_gp',
  'user_mode_round_trip', 'ldt_writable_page_pf', 'ldt_remap_read_only', 'ldt_selector_load', 'ldt_page_not_writable',
  'ldt_set_ldt_releases', 'iret_bad_cs_fault',
];
const PV32_TESTS = PV64_TESTS.map((n) => (n === 'wrmsr_fs_base' ? 'wrmsr_fs_base_gp' : n));

function run(name: string, kind: 'pv64' | 'pv32'): Domain {
  const d = createDomainFromElf(buildGuest(name, kind));
  d.run(5_000_000);
  return d;
}

/** The PASS/FAIL lines, by sub-test name: how often each verdict appeared (console_io + console ring). */
function verdicts(d: Domain): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of d.consoleOutput.split('\n')) {
    const r = /^(PASS|FAIL) (\S+)$/.exec(line);
    if (!r) continue;
    const list = m.get(r[2]) ?? [];
    list.push(r[1]);
    m.set(r[2], list);
  }
  return m;
}

function checkGuest(d: Domain, expected: string[]): void {
  const v = verdicts(d);
  const failed = [...v].filter(([, l]) => l.includes('FAIL')).map(([n]) => n);
  assert.deepStrictEqual(failed, [], `failed sub-tests: ${failed.join(', ')}\n${d.consoleOutput}`);
  assert.deepStrictEqual([...v.keys()], expected, 'every sub-test reported, in order');
  for (const [n, l] of v) assert.deepStrictEqual(l, ['PASS', 'PASS'], `${n}: once via console_io, once via the ring`);
  assert.match(d.consoleOutput, /XTF done: all sub-tests passed/);
  assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
  assert.strictEqual(d.shutdownReasonName, 'poweroff');
}

function snapshot(d: Domain): unknown {
  const cpu = d.vcpus[0].cpu;
  return {
    hypercalls: d.hypercallLog.map((e) => [e.name, e.decoded, e.resultText, e.diagnostic]),
    bounces: d.bounceLog.map((b) => [b.vector, b.kind, b.errorCode, b.frameSp, b.frame, b.handler, b.fromUser]),
    regs: Array.from(cpu.regs), rip: cpu.rip, sel: Array.from(cpu.segSel), icount: cpu.icount, console: d.consoleOutput,
  };
}

describe('xen: XTF-style guests', () => {
  it('pv64: every sub-test passes on both console channels, then poweroff', () => {
    const d = run('pv64-xtf', 'pv64');
    checkGuest(d, PV64_TESTS);
    const emulated = d.bounceLog.filter((b) => b.kind.startsWith('emulated')).map((b) => b.kind);
    assert.ok(emulated.some((k) => /^emulated rdmsr 0xc0000080 = 0xd01 at 0x/.test(k)), emulated.join('\n'));
    assert.ok(emulated.some((k) => /^emulated mov cr3 = 0x/.test(k)));
    assert.ok(emulated.some((k) => /^emulated wrmsr 0xc0000100 <- 0xffffffff8/.test(k)));
    const notEmulated = d.bounceLog.filter((b) => /not emulated: Hlt/.test(b.kind));
    assert.strictEqual(notEmulated.length, 1);
    const ldtPf = d.bounceLog.find((b) => b.vector === 14 && /seg_desc_page/.test(b.kind));
    assert.ok(ldtPf, 'the LDT #PF names the typing failure');
  });

  it('pv32: every sub-test passes on both console channels, then poweroff', () => {
    const d = run('pv32-xtf', 'pv32');
    checkGuest(d, PV32_TESTS);
    const gp = d.bounceLog.find((b) => /not emulated: wrmsr 0xc0000100/.test(b.kind));
    assert.ok(gp, '32-bit guests have no FS_BASE MSR');
  });

  it('is deterministic: two runs give identical hypercall logs, bounce logs and final registers', () => {
    for (const [name, kind] of [['pv64-xtf', 'pv64'], ['pv32-xtf', 'pv32']] as const) {
      const a = snapshot(run(name, kind)), b = snapshot(run(name, kind));
      assert.deepStrictEqual(a, b, name);
    }
  });
});
